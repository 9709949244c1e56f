"""Exceptions raised by pubnub_fast (``pubnub.exceptions`` compatible)."""
import json

__all__ = ["PubNubException", "PubNubTwistedException", "PubNubAsyncioException"]


class PubNubException(Exception):
    """An error reported by the SDK: bad input, a failed request, a crypto failure.

    ``pn_error`` is one of the ``pubnub_fast.errors.PNERR_*`` strings, ``status_code`` the HTTP
    status (0 when no response was received) and ``status`` the ``PNStatus`` of the failed
    operation, when there was one.
    """

    def __init__(self, errormsg="", status_code=0, pn_error=None, status=None):
        self._errormsg = errormsg
        self._status_code = status_code
        self._pn_error = pn_error
        self.status = status
        if len(str(errormsg)) > 0 and status_code > 0:
            msg = "%s (%d): %s" % (pn_error, status_code, errormsg)
        elif len(str(errormsg)) > 0:
            msg = "%s: %s" % (pn_error, errormsg)
        else:
            msg = "%s" % pn_error
        super().__init__(msg)

    @property
    def pn_error(self):
        """The ``PNERR_*`` identifier of this error."""
        return self._pn_error

    def get_status_code(self):
        """The HTTP status code of the failed request (0 if there was no HTTP response)."""
        return self._status_code

    def get_error_message(self):
        """The server's error message when it sent one, else the error text or ``pn_error``."""
        text = self._errormsg
        if isinstance(text, (bytes, bytearray)):
            text = text.decode("utf-8", "replace")
        if isinstance(text, str) and text:
            try:
                decoded = json.loads(text)
            except ValueError:
                return text
            if isinstance(decoded, dict):
                for key in ("error_message", "message", "error"):
                    value = decoded.get(key)
                    if isinstance(value, str) and value:
                        return value
                if isinstance(decoded.get("error"), dict):
                    message = decoded["error"].get("message")
                    if message:
                        return message
            if isinstance(decoded, list) and len(decoded) > 1 and isinstance(decoded[1], str):
                return decoded[1]
            return text
        if text:
            return str(text)
        return self._pn_error


class PubNubTwistedException(Exception):
    """What a failed ``.deferred()`` errbacks with: carries the ``result`` and the ``status``.

    ``str()`` is the text of the underlying ``PubNubException``.
    """

    def __init__(self, result, status):
        self.result = result
        self.status = status
        super().__init__(result, status)

    def __str__(self):
        error_data = getattr(self.status, "error_data", None)
        exception = getattr(error_data, "exception", None)
        if exception is not None:
            return str(exception)
        return str(getattr(error_data, "information", "PubNub request failed"))


class PubNubAsyncioException(Exception):
    """What ``.future()`` of ``PubNubAsyncio`` returns (not raises) when a request failed.

    ``result`` and ``status`` as in an envelope; ``is_error()`` is True and ``value()`` is the
    underlying ``PubNubException``.
    """

    def __init__(self, result, status):
        self.result = result
        self.status = status
        super().__init__(result, status)

    def __str__(self):
        error_data = getattr(self.status, "error_data", None)
        return str(getattr(error_data, "information", None) or "PubNub request failed")

    @staticmethod
    def is_error():
        return True

    def value(self):
        return self.status.error_data.exception
