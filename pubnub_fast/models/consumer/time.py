"""Result of ``time()`` (``pubnub.models.consumer.time``)."""
import datetime

__all__ = ["PNTimeResponse"]


class PNTimeResponse:
    """The server's current timetoken (17 digits, units of 100 ns since the epoch)."""

    MULTIPLIER = 10000000

    def __init__(self, server_response):
        self.server_response = server_response
        self.value_as_int = int(server_response[0]) if isinstance(server_response, list) else int(server_response)
        self.value_as_string = str(self.value_as_int)

    def __int__(self):
        return self.value_as_int

    def __str__(self):
        return self.value_as_string

    def __repr__(self):
        return "PNTimeResponse(%s)" % self.value_as_string

    def date_time(self):
        """The timetoken as a ``datetime.date`` (local time), like PubNub's SDK."""
        return datetime.date.fromtimestamp(self.value_as_int / self.MULTIPLIER)
