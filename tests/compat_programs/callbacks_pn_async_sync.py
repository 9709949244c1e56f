"""Callback style with the threaded client: pn_async everywhere, NonSubscribeListener to wait,
status objects for errors instead of exceptions."""
import threading

from pubnub.enums import PNOperationType, PNStatusCategory
from pubnub.pubnub import NonSubscribeListener, PubNub

from _settings import channel, config

log = channel("log")
pubnub = PubNub(config("callback-user"))

waiter = NonSubscribeListener()
pubnub.time().pn_async(waiter.callback)
print("server time is a timetoken:", len(str(int(waiter.await_result_and_reset()))) == 17)

pubnub.publish().channel(log).message({"event": "boot"}).should_store(True).pn_async(waiter.callback)
result = waiter.await_result()
print("published:", waiter.status.category == PNStatusCategory.PNAcknowledgmentCategory,
      waiter.status.operation == PNOperationType.PNPublishOperation, result.timetoken > 0)
waiter.reset()

done = threading.Event()
outcomes = []


def on_signal(result, status):
    outcomes.append(("signal", status.is_error(), status.category.name))
    done.set()


pubnub.signal().channel(log).message("ping").pn_async(on_signal)
done.wait(10)
print("signal:", outcomes)

denied = PubNub(config("nobody", subscribe_key="pam", publish_key="pampub"))
denied.publish().channel(log).message("x").pn_async(waiter.callback)
waiter.pn_await(10)
print("denied:", waiter.status.is_error(), waiter.status.category.name, waiter.status.status_code,
      waiter.status.operation == PNOperationType.PNPublishOperation)
waiter.reset()

state = pubnub.set_state().channels([log]).state({"mood": "busy"}).sync()
print("state set:", state.result.state)
got = pubnub.get_state().channels([log]).uuid("callback-user").sync()
print("state read:", got.result.channels)

denied.stop()
pubnub.stop()
