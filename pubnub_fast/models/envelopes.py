"""``AsyncioEnvelope``: what ``.future()`` of ``PubNubAsyncio`` returns on success
(``pubnub.models.envelopes`` compatible)."""

__all__ = ["AsyncioEnvelope"]


class AsyncioEnvelope:
    """A successful result and its status; ``is_error()`` is False (a failure is a
    ``pubnub_fast.exceptions.PubNubAsyncioException`` instead)."""

    def __init__(self, result, status):
        self.result = result
        self.status = status

    @staticmethod
    def is_error():
        return False

    def __repr__(self):
        return "AsyncioEnvelope(result=%r, status=%r)" % (self.result, self.status)
