"""The subscription loop of ``PubNubTwisted``: one long-poll at a time, on the reactor.

Promises (decisions.md §1–§2, §7–§9; reliability.md §0):

* **Never dies silently.** Every failure is announced to the listeners as a status; the loop
  then retries per the reconnection policy, announcing ``PNReconnectedCategory`` when a poll
  succeeds again and ``PNDisconnectedCategory`` when it gives up. Requests that cannot succeed
  by retrying (HTTP 400, an invalid filter expression → 481) are announced and stop the loop;
  ``reconnect()`` starts it again.
* **Keeps its cursor.** Each poll resumes from the last timetoken (and region) received, also
  after a failure and when channels are added or removed; the cursor never moves backwards. Only
  unsubscribing from everything resets it (PubNub semantics), or ``with_timetoken()``.
* **No duplicates, in order.** Events are delivered in the order of the server's response; an
  event already delivered (same channel and timetoken) is dropped, with a bounded memory of the
  last ``DEDUPE_SIZE`` events.
* **Never blocks.** Timers are ``IReactorTime.callLater``/``LoopingCall`` on the injected clock;
  ``stop()`` cancels every one of them and the request in flight.
"""
import logging
from collections import OrderedDict, deque

from twisted.internet import task

from pubnub_fast import _speedups
from pubnub_fast.endpoints.presence import Heartbeat, Leave
from pubnub_fast.endpoints.subscribe import Subscribe
from pubnub_fast.enums import (PNHeartbeatNotificationOptions, PNOperationType, PNReconnectionPolicy,
                               PNStatusCategory)
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.common import PNErrorData, PNStatus
from pubnub_fast.reconnection import ReconnectDelays

__all__ = ["SubscriptionLoop", "PRESENCE_SUFFIX"]

logger = logging.getLogger("pubnub_fast")

PRESENCE_SUFFIX = "-pnpres"

#: The query parameters that move with the cursor; a long-poll differs from the previous one only
#: in these while nothing else changed (see ``SubscriptionLoop._poll_now``).
_CURSOR_PARAMS = frozenset(["tt", "tr"])

#: Failures that retrying the same request cannot fix.
_FATAL = (PNStatusCategory.PNBadRequestCategory, PNStatusCategory.PNMalformedFilterExpressionCategory)


class _RecentEvents:
    """A bounded set of the keys of recently delivered events (oldest forgotten first)."""

    def __init__(self, size):
        self._size = size
        self._keys = OrderedDict()

    def seen(self, key):
        """True if ``key`` was seen already; otherwise remember it and return False."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return False

    def __len__(self):
        return len(self._keys)


#: The longest ``Retry-After`` honoured (seconds): a server cannot park a client for longer.
MAX_RETRY_AFTER = 300.0


def _retry_after(status):
    """Seconds the server asked to wait (``Retry-After`` of a 429/503), else 0."""
    if status.status_code not in (429, 503):
        return 0.0
    header = getattr(status.client_response, "header", None)
    value = header("Retry-After") if header is not None else None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0  # absent, or an HTTP date: the policy's delay applies
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _event_key(method, result):
    timetoken = getattr(result, "timetoken", None)
    action_timetoken = getattr(result, "action_timetoken", None)
    if timetoken is None and action_timetoken is None:
        return None  # App Context events carry no timetoken: delivered as they come
    return (method, getattr(result, "channel", None), timetoken, action_timetoken,
            getattr(result, "event", None), getattr(result, "uuid", None))


class SubscriptionLoop:
    """Subscribed channels and groups, the cursor, the long-poll, heartbeats and reconnection."""

    DEDUPE_SIZE = 10000

    def __init__(self, pubnub, listeners, clock, random=None):
        self._pubnub = pubnub
        self._listeners = listeners
        self._clock = clock
        self._random = random
        self._channels = OrderedDict()  # name -> with presence
        self._groups = OrderedDict()
        self._state = {}
        self._timetoken = 0
        self._region = None
        self._poll = None
        self._poll_token = None
        self._retry_call = None
        self._heartbeat = None
        self._attempt = 0
        self._failing = False
        self._connect_pending = False
        self._halted = False
        self._stopped = False
        self._recent = _RecentEvents(self.DEDUPE_SIZE)
        #: (settings snapshot, token, RepeatedRequest) of the last long-poll, while
        #: the next one may repeat it; dropped whenever channels, groups or state change
        self._repeat = None
        #: while a response is being handled: the responses that arrived meanwhile, handled next
        self._pending = None

    # --- what is subscribed ------------------------------------------------------------------------

    @property
    def config(self):
        return self._pubnub.config

    def subscribed_channels(self, with_presence=False):
        """The subscribed channels; ``with_presence``: also their ``-pnpres`` names where presence is on."""
        return self._wire_names(self._channels) if with_presence else list(self._channels)

    def subscribed_channel_groups(self, with_presence=False):
        return self._wire_names(self._groups) if with_presence else list(self._groups)

    @property
    def timetoken(self):
        return self._timetoken

    @property
    def region(self):
        return self._region

    @property
    def polling(self):
        """Whether a long-poll is in flight."""
        return self._poll is not None

    def _wire_names(self, names):
        wire = []
        for name, presence in names.items():
            wire.append(name)
            if presence and not name.endswith(PRESENCE_SUFFIX):
                wire.append(name + PRESENCE_SUFFIX)
        return sorted(set(wire))

    def _presence_names(self, names):
        return [name for name in names if not name.endswith(PRESENCE_SUFFIX)]

    # --- commands -----------------------------------------------------------------------------------

    def subscribe(self, channels, groups, with_presence=False, timetoken=None):
        self._check_not_stopped()
        self._repeat = None
        for name in channels:
            self._channels[name] = with_presence or self._channels.get(name, False)
        for name in groups:
            self._groups[name] = with_presence or self._groups.get(name, False)
        if timetoken is not None:
            self._timetoken = int(timetoken)
            self._region = None
        self._connect_pending = True
        self._halted = False
        self._restart()

    def unsubscribe(self, channels, groups):
        self._check_not_stopped()
        self._repeat = None
        removed_channels = [name for name in channels if self._channels.pop(name, None) is not None]
        removed_groups = [name for name in groups if self._groups.pop(name, None) is not None]
        for name in removed_channels:
            self._state.pop(name, None)
        if not self._channels and not self._groups:
            self._timetoken = 0  # a new subscription starts from "now"
            self._region = None
            self._failing = False
            self._attempt = 0
        self._restart()
        if (removed_channels or removed_groups) and not self.config.suppress_leave_events:
            self._leave(removed_channels, removed_groups)

    def unsubscribe_all(self):
        self.unsubscribe(list(self._channels), list(self._groups))

    def reconnect(self):
        """Restart the loop now from the cursor (also after it stopped on a failure)."""
        self._check_not_stopped()
        self._halted = False
        self._attempt = 0
        self._restart()

    def set_state(self, channels, state):
        """Remember presence ``state`` for ``channels`` (sent with heartbeats and subscribes)."""
        self._repeat = None
        for name in channels:
            if state is None:
                self._state.pop(name, None)
            else:
                self._state[name] = state

    def stop(self, announce=False):
        """Cancel the long-poll, the retry timer and the heartbeat; the loop cannot be reused.

        ``announce``: if the loop was subscribed, tell the listeners with a non-error
        ``PNDisconnectedCategory`` — a shutdown the user asked for (the reactor stopping on
        Ctrl-C), not the network failing under an in-flight long-poll.
        """
        subscribed = not self._stopped and bool(self._channels or self._groups)
        self._stopped = True
        self._cancel_poll()
        self._cancel_retry()
        self._update_heartbeat()
        if announce and subscribed:
            self._announce(PNStatusCategory.PNDisconnectedCategory)

    def _check_not_stopped(self):
        if self._stopped:
            raise RuntimeError("this PubNubTwisted was stopped; create a new client to subscribe again")

    # --- the long-poll ------------------------------------------------------------------------------

    def _cancel_poll(self):
        poll, self._poll = self._poll, None
        self._poll_token = None
        if poll is not None:
            poll.cancel()

    def _cancel_retry(self):
        call, self._retry_call = self._retry_call, None
        if call is not None and call.active():
            call.cancel()

    def _restart(self):
        self._cancel_poll()
        self._cancel_retry()
        if self._channels or self._groups:
            if not self._halted:
                self._poll_now()
        self._update_heartbeat()

    def _poll_now(self):
        self._retry_call = None
        repeat = self._repeat
        if repeat is not None:
            pubnub = self._pubnub
            # the settings snapshot is replaced on any change to the configuration (keys, uuid,
            # auth, origin, filter, heartbeat, crypto...), and belongs to one configuration
            if repeat[0] is pubnub.config._hot() and repeat[1] == pubnub._get_token():
                self._poll_again(repeat[2])
                return
            self._repeat = None
        module = self.config.message_crypto_module()
        endpoint = Subscribe(
            self._pubnub,
            self._wire_names(self._channels),
            self._wire_names(self._groups),
            timetoken=self._timetoken,
            region=self._region,
            state=self._subscribe_state(),
            decrypt=module.decrypt if module is not None else None,
            file_url=self._pubnub._file_url,
        )
        token = object()
        self._poll_token = token
        try:
            options = endpoint.options()
        except PubNubException as exc:
            self._announce_failure(self._local_error_status(exc, endpoint))
            self._halt()
            return
        pubnub = self._pubnub
        pipeline = pubnub._pipeline
        hot = pubnub.config._hot()  # before the request is prepared: what it was prepared with
        token_value = pubnub._get_token()
        d = pipeline.execute(endpoint, options)
        self._poll = d
        d.addCallbacks(self._poll_succeeded, self._poll_failed, callbackArgs=(token,), errbackArgs=(token,))
        if self._poll is d and not hot.secret_key:
            repeated = pipeline.repeatable(endpoint, options, _CURSOR_PARAMS)
            if repeated is not None:
                self._repeat = (hot, token_value, repeated)

    def _poll_again(self, repeated):
        """The long-poll of the previous poll again, from the current cursor (``_poll_now`` checked
        that nothing else it depends on changed)."""
        endpoint = repeated.endpoint
        endpoint._timetoken = timetoken = self._timetoken
        endpoint._region = region = self._region
        leading = {"tt": str(timetoken)}
        if region is not None:
            leading["tr"] = str(region)
        token = object()
        self._poll_token = token
        d = self._pubnub._pipeline.execute_repeated(repeated, leading)
        self._poll = d
        d.addCallbacks(self._poll_succeeded, self._poll_failed, callbackArgs=(token,), errbackArgs=(token,))

    def _subscribe_state(self):
        names = set(self._presence_names(self._channels))
        state = {name: value for name, value in self._state.items() if name in names}
        return state or None

    def _poll_succeeded(self, envelope, token):
        if token is not self._poll_token:
            return None  # superseded by a restart
        self._poll = None
        if self._pending is not None:
            # the next long-poll (sent before the listeners are called) was answered while they
            # still run for the previous response — a transport may answer at once: its events
            # follow, in order
            self._pending.append((envelope, token))
            return None
        self._pending = pending = deque()
        try:
            self._handle_response(envelope, token)
            while pending:
                envelope, token = pending.popleft()
                if token is self._poll_token and not self._stopped and not self._halted:
                    self._handle_response(envelope, token)
                # else: a listener restarted or stopped the loop after this answer arrived: it
                # belongs to the superseded poll (the restarted one resumes from the cursor)
        finally:
            self._pending = None
        return None

    def _handle_response(self, envelope, token):
        timetoken, region, events = envelope.result
        timetoken = int(timetoken)
        if timetoken >= self._timetoken:
            self._timetoken = timetoken
            self._region = region
        else:
            logger.warning("subscribe: the server answered with timetoken %s, older than the cursor %s; "
                           "keeping the cursor", timetoken, self._timetoken)
        status = envelope.status
        if self._failing:
            self._failing = False
            self._attempt = 0
            self._announce(PNStatusCategory.PNReconnectedCategory, status)
        if self._connect_pending:
            self._connect_pending = False
            self._announce(PNStatusCategory.PNConnectedCategory, status)
        if token is self._poll_token and not self._stopped and not self._halted:
            # nothing restarted the loop from a status listener: the next long-poll goes out
            # before this response's events are delivered, so that the server prepares its answer
            # while the listeners run (a listener that changes the subscription restarts the loop,
            # which cancels this poll and sends the new one)
            self._poll_now()
        self._dispatch(events, status)

    def _dispatch(self, events, status):
        # dedupe, decryption-error statuses and listener calls, per message: the envelope hot path
        _speedups.envelope.deliver(self, events, status, _event_key)

    def _poll_failed(self, failure, token):
        if token is not self._poll_token:
            return None  # cancelled by a restart or stop(): not a failure of the subscription
        self._poll = None
        if failure.check(PubNubTwistedException):
            status = failure.value.status
        else:
            logger.error("subscribe: unexpected failure: %s", failure.getTraceback())
            status = self._status(PNStatusCategory.PNUnknownCategory, error=True)
            exc = PubNubException(errormsg=str(failure.value))
            status.error_data = PNErrorData(str(exc), exc)
        category = status.category
        if category == PNStatusCategory.PNCancelledCategory:
            return None
        if category in _FATAL:
            self._announce_failure(status)
            self._halt()
            return None
        first = not self._failing
        if first:
            self._failing = True
            self._announce_failure(status)
            if category == PNStatusCategory.PNTimeoutCategory:
                # an idle connection killed by a middlebox looks like this: retry at once
                self._poll_now()
                return None
        self._attempt += 1
        delay = ReconnectDelays.from_config(self.config, self._random).delay(self._attempt)
        if delay is None:
            if self.config.reconnect_policy != PNReconnectionPolicy.NONE:
                self._announce(PNStatusCategory.PNDisconnectedCategory, status, error=True)
            elif status.category != PNStatusCategory.PNUnexpectedDisconnectCategory or not first:
                # no automatic reconnection: the loop stops, and says so in the terms of decisions §8
                self._announce(PNStatusCategory.PNUnexpectedDisconnectCategory, status, error=True)
            self._halt()
            return None
        delay = max(delay, _retry_after(status))
        logger.info("subscribe: reconnection attempt %d in %.2f s", self._attempt, delay)
        self._retry_call = self._clock.callLater(delay, self._poll_now)
        return None

    def _halt(self):
        """Stop polling after a failure that is not retried; ``reconnect()`` resumes."""
        self._halted = True
        self._cancel_retry()
        self._update_heartbeat()

    # --- statuses -------------------------------------------------------------------------------------

    def _status(self, category, template=None, error=False, operation=PNOperationType.PNSubscribeOperation):
        status = PNStatus()
        if template is not None:
            status.__dict__.update(template.__dict__)
        status.category = category
        status.operation = operation
        status.error = True if error else None  # None, not False, as PubNub SDK 10.8
        status.affected_channels = self.subscribed_channels()
        status.affected_groups = self.subscribed_channel_groups()
        return status

    def _announce(self, category, template=None, error=False):
        status = self._status(category, template, error)
        if not error:
            status.error_data = None
        self._listeners.announce_status(status)

    def _announce_failure(self, status):
        status.operation = PNOperationType.PNSubscribeOperation
        status.affected_channels = self.subscribed_channels()
        status.affected_groups = self.subscribed_channel_groups()
        self._listeners.announce_status(status)

    def _announce_decryption_error(self, error, result, template):
        status = self._status(PNStatusCategory.PNDecryptionErrorCategory, template, error=True)
        exc = error if isinstance(error, PubNubException) else PubNubException(
            errormsg="could not decrypt a message on %r: %s" % (result.channel, error))
        status.error_data = PNErrorData(str(exc), exc)
        self._listeners.announce_status(status)

    def _local_error_status(self, exc, endpoint):
        status = self._status(PNStatusCategory.PNBadRequestCategory, error=True)
        status.error_data = PNErrorData(str(exc), exc)
        status.status_code = 0
        return status

    # --- presence: heartbeat and leave ----------------------------------------------------------------

    def _heartbeat_wanted(self):
        return (not self._stopped and not self._halted and self.config.heartbeat_interval > 0
                and bool(self._presence_names(self._channels) or self._presence_names(self._groups)))

    def _update_heartbeat(self):
        wanted = self._heartbeat_wanted()
        if wanted and self._heartbeat is None:
            loop = task.LoopingCall(self._send_heartbeat)
            loop.clock = self._clock
            self._heartbeat = loop
            loop.start(self.config.heartbeat_interval, now=False)
        elif not wanted and self._heartbeat is not None:
            loop, self._heartbeat = self._heartbeat, None
            if loop.running:
                loop.stop()

    def _send_heartbeat(self):
        channels = self._presence_names(self._channels)
        groups = self._presence_names(self._groups)
        if not channels and not groups:
            return None
        state = {name: value for name, value in self._state.items() if name in channels}
        endpoint = Heartbeat(self._pubnub).channels(channels).channel_groups(groups)
        if state:
            endpoint.state(state)
        d = endpoint.deferred()
        d.addCallbacks(self._heartbeat_done, self._heartbeat_failed)
        return d

    def _heartbeat_done(self, envelope):
        if self.config.heartbeat_notification_options == PNHeartbeatNotificationOptions.ALL:
            self._listeners.announce_status(envelope.status)

    def _heartbeat_failed(self, failure):
        if not failure.check(PubNubTwistedException):
            logger.error("heartbeat: unexpected failure: %s", failure.getTraceback())
            return None
        status = failure.value.status
        if status.category == PNStatusCategory.PNCancelledCategory:
            return None
        if self.config.heartbeat_notification_options != PNHeartbeatNotificationOptions.NONE:
            self._listeners.announce_status(status)
        return None  # never let a failed heartbeat stop the LoopingCall

    def _leave(self, channels, groups):
        channels = self._presence_names(channels)
        groups = self._presence_names(groups)
        if not channels and not groups:
            return
        d = Leave(self._pubnub).channels(channels).channel_groups(groups).deferred()

        def done(envelope):
            self._listeners.announce_status(envelope.status)

        def failed(failure):
            if failure.check(PubNubTwistedException):
                if failure.value.status.category != PNStatusCategory.PNCancelledCategory:
                    self._listeners.announce_status(failure.value.status)
            else:
                logger.error("leave: unexpected failure: %s", failure.getTraceback())

        d.addCallbacks(done, failed)
