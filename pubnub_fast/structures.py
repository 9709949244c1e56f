"""Plain data structures shared by the request pipeline (``pubnub.structures`` compatible names)."""

from pubnub_fast.enums import HttpMethod

__all__ = ["RequestOptions", "PlatformOptions", "ResponseInfo", "Envelope"]

_METHOD_NAMES = {method: method.name for method in HttpMethod}


class RequestOptions:
    """Everything needed to send one request, built by an endpoint before anything is sent.

    ``params`` holds the query parameters with their *decoded* values, in order; the transport
    layer percent-encodes each exactly once. ``path`` is already encoded.
    """

    __slots__ = ("method", "path", "params", "body", "headers", "request_timeout", "connect_timeout",
                 "operation_type", "url", "allow_redirects", "signed_body", "max_response_size")

    def __init__(self, method, path, params, body=None, headers=None, request_timeout=None,
                 connect_timeout=None, operation_type=None, allow_redirects=True):
        self.method = method
        self.path = path
        self.params = params
        self.body = body
        self.headers = headers if headers is not None else {}
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.operation_type = operation_type
        self.url = None
        self.allow_redirects = allow_redirects
        #: the body as signed, when it differs from the body sent (gzip-compressed bodies)
        self.signed_body = None
        #: refuse responses larger than this many bytes (None: the transport's default)
        self.max_response_size = None

    @property
    def method_string(self):
        method = self.method
        try:
            return _METHOD_NAMES[method]
        except (KeyError, TypeError):
            return method.name if hasattr(method, "name") else str(method)

    def __repr__(self):
        return "RequestOptions(%s %s)" % (self.method_string, self.url or self.path)


class PlatformOptions:
    def __init__(self, headers, pn_config):
        self.headers = headers
        self.pn_config = pn_config


class ResponseInfo:
    """Facts about the HTTP exchange copied into every ``PNStatus``."""

    __slots__ = ("status_code", "tls_enabled", "origin", "uuid", "auth_key", "client_request")

    def __init__(self, status_code, tls_enabled, origin, uuid, auth_key, client_request):
        self.status_code = status_code
        self.tls_enabled = tls_enabled
        self.origin = origin
        self.uuid = uuid
        self.auth_key = auth_key
        self.client_request = client_request


class Envelope:
    """A result paired with its status."""

    def __init__(self, result, status):
        self.result = result
        self.status = status
