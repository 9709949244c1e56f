"""``pubnub_fast.pubnub.PubNub`` (the sync style): its threads, callbacks, stop() and process exit.

The request/subscribe behaviour itself is covered, for all three styles at once, by
``tests/test_client_styles.py``; this module covers what only the threaded client has.
"""
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub import NonSubscribeListener, PubNub, SubscribeListener
from tests.server.server_process import REPO_ROOT, ServerProcess

WAIT = 10.0


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--long-poll", "3") as process:
        yield process


def config_of(origin, uuid="sync-client", **settings):
    config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid=uuid)
    config.origin = origin
    config.ssl = False
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def open_fds():
    return set(os.listdir("/proc/self/fd"))


def client_threads():
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("pubnub-"))


def test_stop_leaves_no_thread_timer_or_descriptor(server):
    warm = PubNub(config_of(server.origin))  # first use imports Twisted's global reactor (its own fds)
    warm.time().sync()
    warm.stop()
    threads_before, fds_before = client_threads(), open_fds()

    pubnub = PubNub(config_of(server.origin))
    listener = SubscribeListener()
    pubnub.add_listener(listener)
    pubnub.subscribe().channels(["lifecycle"]).with_presence().execute()
    listener.wait_for_connect()
    pubnub.publish().channel("lifecycle").message("hi").sync()
    assert listener.wait_for_message_on("lifecycle").message == "hi"
    private_reactor = pubnub.reactor
    assert "pubnub-reactor" in client_threads() and "pubnub-keepalive" in client_threads()
    pubnub.stop()
    pubnub.stop()  # idempotent

    assert not private_reactor.running
    assert private_reactor.getDelayedCalls() == []
    deadline = time.monotonic() + WAIT
    while client_threads() != threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client_threads() == threads_before
    assert open_fds() == fds_before
    with pytest.raises(RuntimeError, match="stopped"):
        pubnub.time().sync()


def test_callbacks_run_on_the_callback_thread_and_may_call_sync(server):
    pubnub = PubNub(config_of(server.origin))
    try:
        seen = {}
        done = threading.Event()

        def callback(result, status):
            seen["thread"] = threading.current_thread().name
            seen["nested"] = pubnub.time().sync().result  # the reactor thread is free meanwhile
            done.set()

        assert pubnub.publish().channel("cb").message(1).pn_async(callback) is None
        assert done.wait(WAIT)
        assert seen["thread"] == "pubnub-callbacks"
        assert int(seen["nested"]) > 0
    finally:
        pubnub.stop()


def test_a_blocking_call_on_the_reactor_thread_is_refused(server):
    pubnub = PubNub(config_of(server.origin))
    try:
        with pytest.raises(RuntimeError, match="reactor thread"):
            pubnub._reactor_thread.call(lambda: pubnub.time().sync())
        assert int(pubnub.time().sync().result) > 0  # and the client still works
    finally:
        pubnub.stop()


def test_non_subscribe_listener_waits_and_resets(server):
    pubnub = PubNub(config_of(server.origin))
    try:
        listener = NonSubscribeListener()
        assert listener.await_result(timeout=0.01) is None and not listener.pn_await(timeout=0.01)
        pubnub.time().pn_async(listener.callback)
        assert listener.pn_await(WAIT)
        assert int(listener.await_result_and_reset()) > 0
        assert listener.result is None and listener.status is None and not listener.done_event.is_set()
    finally:
        pubnub.stop()


def run_program(server, body, timeout=30):
    """Run ``body`` (using ``ORIGIN``) in a fresh interpreter; returns (exit code, output)."""
    program = "ORIGIN = %r\n" % server.origin + PREAMBLE + textwrap.dedent(body)
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=REPO_ROOT)
    return done.returncode, done.stdout + done.stderr


PREAMBLE = """
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub import PubNub, SubscribeListener
from pubnub_fast.callbacks import SubscribeCallback
config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid="exit-test")
config.origin = ORIGIN
config.ssl = False
"""


def test_a_program_that_never_calls_stop_exits_when_nothing_is_left_to_do(server):
    code, output = run_program(server, """
        pubnub = PubNub(config)
        print("sent", pubnub.publish().channel("exit").message("bye").sync().status.is_error())
        pubnub.time().pn_async(lambda result, status: print("pn_async answered", result is not None))
    """)
    assert code == 0, output
    assert output.splitlines() == ["sent False", "pn_async answered True"]


def test_a_subscribed_program_stays_alive_until_a_listener_stops_the_client(server):
    # as with PubNub's SDK (daemon=False): the main thread ends, the subscription keeps the process up
    code, output = run_program(server, """
        class StopOnMessage(SubscribeCallback):
            def status(self, pubnub, status):
                pass
            def message(self, pubnub, message):
                print("heard", message.message)
                pubnub.stop()
            def presence(self, pubnub, presence):
                pass
        pubnub = PubNub(config)
        listener = SubscribeListener()
        pubnub.add_listener(listener)
        pubnub.add_listener(StopOnMessage())
        pubnub.subscribe().channels(["alive"]).execute()
        listener.wait_for_connect()
        pubnub.publish().channel("alive").message("last words").pn_async(lambda r, s: None)
        print("main thread done")
    """)
    assert code == 0, output
    assert output.splitlines() == ["main thread done", "heard last words"]


def test_a_daemon_client_does_not_keep_the_process_alive(server):
    code, output = run_program(server, """
        config.daemon = True
        pubnub = PubNub(config)
        listener = SubscribeListener()
        pubnub.add_listener(listener)
        pubnub.subscribe().channels(["daemon"]).execute()
        listener.wait_for_connect()
        print("connected; exiting")
    """)
    assert code == 0, output
    assert output.splitlines() == ["connected; exiting"]


def test_the_request_plumbing_of_the_official_client_is_there(server):
    pubnub = PubNub(config_of(server.origin))
    try:
        assert int(pubnub.request_sync(pubnub.time()).result) > 0
        listener = NonSubscribeListener()
        pubnub.request_async("Time", pubnub.time(), listener.callback, None)
        assert int(listener.await_result(WAIT)) > 0
        with pytest.raises(TypeError, match="endpoint builders"):
            pubnub.request_sync({"path": "/time/0"})
        with pytest.raises(NotImplementedError, match="PubNubTwisted"):
            pubnub.request_deferred(None)
        with pytest.raises(NotImplementedError, match="PubNubAsyncio"):
            pubnub.time().future().send(None)
    finally:
        pubnub.stop()


def test_sync_calls_from_many_threads_at_once(server):
    pubnub = PubNub(config_of(server.origin))
    try:
        timetokens, failures = [], []

        def worker(n):
            try:
                for i in range(5):
                    timetokens.append(pubnub.publish().channel("many").message([n, i]).sync().result.timetoken)
            except Exception as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 3)
        assert failures == [] and len(set(timetokens)) == 40
    finally:
        pubnub.stop()


def _busy_callback_thread(limit):
    """A ``CallbackThread`` busy with a call that returns once the returned Event is set."""
    from pubnub_fast._client_threads import CallbackThread

    release = threading.Event()
    callbacks = CallbackThread(limit=limit)
    assert callbacks.put(release.wait, WAIT)
    deadline = time.monotonic() + WAIT
    while callbacks._queue and time.monotonic() < deadline:  # until the thread took it
        time.sleep(0.001)
    return callbacks, release


def test_the_callback_thread_is_bounded_and_keeps_order():
    seen = []
    callbacks, release = _busy_callback_thread(3)
    try:
        assert [callbacks.put(seen.append, n) for n in range(5)] == [True, True, True, False, False]
        assert callbacks.dropped == 2
        release.set()
    finally:
        callbacks.stop()
    assert seen == [0, 1, 2] and not callbacks.thread.is_alive()


def test_the_callback_thread_counts_a_batch_as_its_events():
    """A subscribe response's events go to the callback thread in one hand-over
    (``put_weighted``): the bound still counts events, and what runs frees its share."""
    seen = []
    callbacks, release = _busy_callback_thread(5)
    try:
        assert callbacks.put_weighted(3, seen.extend, [1, 2, 3])
        assert not callbacks.put_weighted(3, seen.extend, [4, 5, 6])  # 3 + 3 > 5: dropped whole
        assert callbacks.dropped == 3
        assert callbacks.put_weighted(2, seen.extend, [7, 8])  # 3 + 2 fits
        assert not callbacks.put(seen.append, 9)
        release.set()
        deadline = time.monotonic() + WAIT
        while len(seen) < 5 and time.monotonic() < deadline:
            time.sleep(0.001)
        assert callbacks.put(seen.append, 10)  # the pending weight went back to 0
    finally:
        callbacks.stop()
    assert seen == [1, 2, 3, 7, 8, 10] and callbacks.dropped == 4


def test_the_private_reactor_leaves_the_global_reactor_alone(server):
    from twisted.python import threadable

    io_thread = threadable.ioThread
    pubnub = PubNub(config_of(server.origin))
    try:
        pubnub.time().sync()
        assert threadable.ioThread == io_thread  # a program's own reactor stays the I/O thread
        assert pubnub.reactor is not __import__("twisted.internet.reactor").internet.reactor
    finally:
        pubnub.stop()
