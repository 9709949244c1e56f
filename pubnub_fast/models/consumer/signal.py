"""Result of ``signal()`` (``pubnub.models.consumer.signal``)."""

__all__ = ["PNSignalResult"]


class PNSignalResult:
    """``timetoken`` is the server's string, as in PubNub's SDK (publish results use an int)."""

    def __init__(self, result):
        self._result = result
        self.timetoken = result[2]

    def __str__(self):
        return "Signal success with timetoken %s" % self.timetoken

    __repr__ = __str__
