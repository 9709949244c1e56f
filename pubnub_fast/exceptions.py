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
        """The decoded JSON ``error`` of the server's answer when it is JSON, as PubNub SDK 10.8.

        A JSON object body gives its ``error`` member when that is an object or text (e.g.
        ``{"message": "...", "source": ...}`` of an App Context 412, so
        ``e.get_error_message().get("message")`` works). Where ``error`` is only a flag
        (``"error": true``) the body's ``message`` text is given (10.8 gives ``True``, which tells
        nothing); with neither, ``pn_error``. A body that is not JSON gives the text itself; no
        text gives ``pn_error``.
        """
        text = self._errormsg
        if isinstance(text, (bytes, bytearray)):
            text = text.decode("utf-8", "replace")
        if not text:
            return self._pn_error
        if not isinstance(text, str):
            return text
        try:
            decoded = json.loads(text)
        except ValueError:
            return text
        if isinstance(decoded, dict):
            error = decoded.get("error")
            if isinstance(error, (dict, list)) or (isinstance(error, str) and error):
                return error
            if error is True:
                for key in ("message", "error_message"):
                    message = decoded.get(key)
                    if isinstance(message, str) and message:
                        return message
            return self._pn_error
        if isinstance(decoded, list) and len(decoded) > 1 and isinstance(decoded[1], str):
            return decoded[1]  # publish's [0, "Invalid Key", "<timetoken>"]
        return text


class PubNubTwistedException(PubNubException):
    """What a failed ``.deferred()`` errbacks with: carries the ``result`` and the ``status``.

    A ``PubNubException`` (so a ported ``except PubNubException:`` catches it) with the status
    code, ``pn_error`` and message of the underlying ``status.error_data.exception``; ``str()``
    is that exception's text.
    """

    def __init__(self, result, status):
        error_data = getattr(status, "error_data", None)
        cause = getattr(error_data, "exception", None)
        if isinstance(cause, PubNubException):
            super().__init__(cause._errormsg, cause._status_code, cause._pn_error, status)
        else:
            super().__init__(str(cause) if cause is not None else "", getattr(status, "status_code", 0) or 0,
                             None, status)
        self.args = (result, status)
        self.result = result

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
