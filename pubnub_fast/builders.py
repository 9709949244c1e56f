"""``subscribe()`` and ``unsubscribe()`` builders (``pubnub.builders`` compatible)."""
from pubnub_fast.endpoints.base import ChannelsAndGroups

__all__ = ["PubSubBuilder", "SubscribeBuilder", "UnsubscribeBuilder"]


class PubSubBuilder(ChannelsAndGroups):
    """What ``subscribe()`` and ``unsubscribe()`` share: the channels and groups named."""

    def __init__(self, loop):
        self._loop = loop
        self._channels = []
        self._groups = []

    def channels(self, channels_list):
        """Channels: a list/tuple/set of names, or one comma-separated str."""
        return super().channels(channels_list)

    def channel_groups(self, channel_groups_list):
        """Channel groups: a list/tuple/set of names, or one comma-separated str."""
        return super().channel_groups(channel_groups_list)

    def execute(self):
        raise NotImplementedError


class SubscribeBuilder(PubSubBuilder):
    """``pubnub.subscribe().channels([...]).channel_groups([...]).with_presence().execute()``."""

    def __init__(self, loop):
        super().__init__(loop)
        self._presence = False
        self._timetoken = None

    def with_presence(self):
        """Also receive the presence events (``-pnpres``) of these channels and groups."""
        self._presence = True
        return self

    def with_timetoken(self, timetoken):
        """Start from ``timetoken`` (receive what was published after it, within the server's buffer)."""
        if isinstance(timetoken, bool) or not isinstance(timetoken, (int, str)) or not str(timetoken).isdigit():
            raise ValueError("with_timetoken() takes a timetoken (a non-negative int), not %r" % (timetoken,))
        self._timetoken = int(timetoken)
        return self

    def execute(self):
        if not self._channels and not self._groups:
            raise ValueError("subscribe() needs at least one channel or channel group")
        self._loop.subscribe(self._channels, self._groups, self._presence, self._timetoken)


class UnsubscribeBuilder(PubSubBuilder):
    """``pubnub.unsubscribe().channels([...]).execute()`` (sends a leave unless suppressed)."""

    def execute(self):
        self._loop.unsubscribe(self._channels, self._groups)
