"""``PNStatus``: what every operation reports besides its result (``pubnub.models.consumer.common``)."""

__all__ = ["PNStatus", "PNErrorData"]


class PNErrorData:
    """Why an operation failed: a human-readable ``information`` and the ``exception``."""

    __slots__ = ("information", "exception")

    def __init__(self, information, exception):
        self.information = information
        self.exception = exception

    def __repr__(self):
        return "PNErrorData(information=%r, exception=%r)" % (self.information, self.exception)


class PNStatus:
    """Outcome of an operation (or of the subscription loop), handed to callbacks and listeners.

    ``category`` is a ``PNStatusCategory``; ``error`` is true for failures (then ``error_data``
    explains); ``status_code`` is the HTTP status (0 when no response arrived).
    """

    def __init__(self):
        self.category = None
        self.error_data = None
        self.error = None
        self.status_code = None
        self.operation = None
        self.tls_enabled = None
        self.uuid = None
        self.auth_key = None
        self.origin = None
        self.client_request = None
        self.client_response = None
        self.original_response = None
        self.affected_channels = None
        self.affected_groups = None

    def is_error(self):
        return bool(self.error)

    def __repr__(self):
        category = getattr(self.category, "name", self.category)
        operation = getattr(self.operation, "name", self.operation)
        text = "PNStatus(category=%s, operation=%s, status_code=%s, error=%s" % (
            category,
            operation,
            self.status_code,
            bool(self.error),
        )
        if self.error_data is not None:
            text += ", information=%r" % (self.error_data.information,)
        return text + ")"

    __str__ = __repr__
