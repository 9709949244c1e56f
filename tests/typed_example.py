"""A small program written against pubnub_fast's public surface, type-checked by mypy in CI.

``tests/test_typing.py`` runs mypy on the package and on this file (``[tool.mypy]`` in
pyproject.toml); it also checks that mistakes in such a program are reported, so the annotations
are real types, not ``Any``. Running it publishes one message to ``origin`` and prints the
timetoken: ``python tests/typed_example.py 127.0.0.1:8090``.
"""
import sys
from typing import Any, List, Optional

from twisted.internet import defer, task

from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.endpoints.pubsub import Publish
from pubnub_fast.enums import PNReconnectionPolicy, PNStatusCategory
from pubnub_fast.models.consumer.common import PNStatus
from pubnub_fast.models.consumer.pubsub import PNMessageResult, PNPresenceEventResult
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub import NonSubscribeListener, PubNub
from pubnub_fast.pubnub_asyncio import PubNubAsyncio, SubscribeListener
from pubnub_fast.pubnub_twisted import PubNubTwisted, TwistedEnvelope
from pubnub_fast.structures import Envelope


def make_config(origin: str) -> PNConfiguration:
    config = PNConfiguration()
    config.subscribe_key = "demo"
    config.publish_key = "demo"
    config.uuid = "typed-example"
    config.origin = origin
    config.reconnect_policy = PNReconnectionPolicy.LINEAR
    config.set_presence_timeout(120)
    key: Optional[str] = config.subscribe_key
    timeout: float = config.non_subscribe_request_timeout
    assert key == "demo" and timeout > 0
    return config


class Listener(SubscribeCallback):
    def __init__(self) -> None:
        self.messages: List[Any] = []
        self.categories: List[PNStatusCategory] = []

    def status(self, pubnub: Any, status: PNStatus) -> None:
        self.categories.append(status.category)

    def message(self, pubnub: Any, message: PNMessageResult) -> None:
        self.messages.append(message.message)

    def presence(self, pubnub: Any, presence: PNPresenceEventResult) -> None:
        pass


def publish_builder(pubnub: PubNubTwisted) -> Publish:
    # every setter returns the builder's own type, so the chain stays a Publish
    return pubnub.publish().channel("chat").message({"text": "hi"}).meta({"lang": "en"}).should_store(True)


def timetoken_of(envelope: TwistedEnvelope) -> int:
    return int(envelope.result.timetoken)


def published_timetoken(pubnub: PubNubTwisted) -> "defer.Deferred[int]":
    return publish_builder(pubnub).deferred().addCallback(timetoken_of)


def sync_style(config: PNConfiguration) -> int:
    # the blocking client style: .sync() returns an Envelope (or raises PubNubException)
    pubnub = PubNub(config)
    try:
        envelope: Envelope = pubnub.publish().channel("chat").message("hi").sync()
        waiter = NonSubscribeListener()
        pubnub.time().pn_async(waiter.callback)
        waited: bool = waiter.pn_await(timeout=5)
        return int(envelope.result.timetoken) if waited else 0
    finally:
        pubnub.stop()


async def asyncio_style(config: PNConfiguration) -> bool:
    # the asyncio client style: .future() returns an envelope or the exception, never raises
    pubnub = PubNubAsyncio(config)
    listener = SubscribeListener()
    pubnub.add_listener(listener)
    outcome = await pubnub.publish().channel("chat").message("hi").future()
    await pubnub.stop()
    return bool(outcome.is_error())


@defer.inlineCallbacks
def main(reactor: Any, origin: str) -> Any:
    pubnub = PubNubTwisted(make_config(origin), reactor=reactor)
    pubnub.add_listener(Listener())
    envelope = yield publish_builder(pubnub).deferred()
    print("published at", envelope.result.timetoken)
    yield pubnub.stop()


if __name__ == "__main__":
    task.react(main, [sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8090"])
