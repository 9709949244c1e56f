"""Publish results and the events delivered to subscribe listeners (``pubnub.models.consumer.pubsub``)."""

__all__ = [
    "PNMessageResult",
    "PNSignalMessageResult",
    "PNFileMessageResult",
    "PNPresenceEventResult",
    "PNMessageActionResult",
    "PNPublishResult",
    "PNFireResult",
]


class PNMessageResult:
    """A message received on a subscribed channel.

    ``subscription`` is the wildcard or channel-group subscription that matched (``None`` when
    it was the channel itself); ``timetoken`` is the publish timetoken (int); ``user_metadata``
    the publisher's ``meta``; ``error`` is set when the payload could not be decrypted (the
    message is then delivered undecrypted).
    """

    def __init__(self, message, subscription, channel, timetoken, user_metadata=None, publisher=None,
                 error=None, custom_message_type=None):
        if subscription is not None and not isinstance(subscription, str):
            raise TypeError("subscription must be a str or None")
        if not isinstance(channel, str):
            raise TypeError("channel must be a str")
        self.message = message
        self.subscription = subscription
        self.channel = channel
        self.timetoken = int(timetoken)
        self.user_metadata = user_metadata
        self.publisher = publisher
        self.error = error
        self.custom_message_type = custom_message_type

    def __repr__(self):
        return "%s(channel=%r, timetoken=%r, publisher=%r, message=%r)" % (
            type(self).__name__, self.channel, self.timetoken, self.publisher, self.message)


class PNSignalMessageResult(PNMessageResult):
    """A signal received on a subscribed channel (same fields as a message)."""


class PNFileMessageResult(PNMessageResult):
    """A file shared on a subscribed channel: ``message`` is the text sent with it."""

    def __init__(self, message, subscription, channel, timetoken, publisher, file_url, file_id, file_name,
                 user_metadata=None, custom_message_type=None, error=None):
        super().__init__(message, subscription, channel, timetoken, user_metadata=user_metadata,
                         publisher=publisher, error=error, custom_message_type=custom_message_type)
        self.file_url = file_url
        self.file_id = file_id
        self.file_name = file_name


class PNPresenceEventResult:
    """A presence event (join, leave, timeout, state-change, interval) on a ``-pnpres`` channel."""

    def __init__(self, event, uuid, timestamp, occupancy, subscription, channel, timetoken, state,
                 join=None, leave=None, timeout=None, user_metadata=None):
        self.event = event
        self.uuid = uuid
        self.timestamp = timestamp
        self.occupancy = occupancy
        self.state = state
        self.subscription = subscription
        self.channel = channel
        self.timetoken = timetoken
        self.user_metadata = user_metadata
        self.join = join
        self.leave = leave
        self.timeout = timeout

    def __repr__(self):
        return "PNPresenceEventResult(event=%r, channel=%r, uuid=%r, occupancy=%r)" % (
            self.event, self.channel, self.uuid, self.occupancy)


class PNMessageActionResult:
    """A message action added to or removed from a message on a subscribed channel."""

    def __init__(self, result, subscription=None, channel=None, event=None):
        result = result or {}
        self.type = result.get("type")
        self.value = result.get("value")
        self.message_timetoken = result.get("messageTimetoken")
        self.uuid = result.get("uuid")
        self.action_timetoken = result.get("actionTimetoken")
        self.subscription = subscription
        self.channel = channel
        self.event = event

    def __repr__(self):
        return "PNMessageActionResult(type=%r, value=%r, message_timetoken=%r, uuid=%r)" % (
            self.type, self.value, self.message_timetoken, self.uuid)


class PNPublishResult:
    """Result of ``publish()``: the publish ``timetoken`` (int)."""

    def __init__(self, envelope, timetoken):
        self.timetoken = timetoken

    def __str__(self):
        return "Publish success with timetoken %s" % self.timetoken

    __repr__ = __str__


class PNFireResult:
    """Result of ``fire()``: the ``timetoken`` (int)."""

    def __init__(self, envelope, timetoken):
        self.timetoken = timetoken

    def __str__(self):
        return "Fire success with timetoken %s" % self.timetoken

    __repr__ = __str__
