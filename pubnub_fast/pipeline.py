"""The request pipeline: endpoint → URL (params, auth, signature) → transport → ``(result, status)``.

One place turns every endpoint's ``RequestOptions`` into an HTTP request (client-api.md §6,
decisions.md §17: decoded values, each percent-encoded exactly once; signature over the
canonical form) and one place turns every outcome — a response of any status, a timeout, a
refused connection, a TLS failure, a cancellation, a body that is not JSON — into a ``PNStatus``
with the category of decisions.md §7.
"""
import json
import logging
from typing import Any

from twisted.internet import defer, error as net_error
from twisted.python.failure import Failure
from twisted.web import client as web_client

from pubnub_fast import _speedups, errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.common import PNErrorData, PNStatus
from pubnub_fast.structures import RequestOptions
from pubnub_fast.transport import ResponseTooLarge

__all__ = ["TwistedEnvelope", "RequestPipeline", "RepeatedRequest", "category_for_http_status", "category_for_failure"]

logger = logging.getLogger("pubnub_fast")

#: HTTP status → category (decisions.md §7); anything else is PNUnknownCategory.
_HTTP_CATEGORIES = {
    400: PNStatusCategory.PNBadRequestCategory,
    401: PNStatusCategory.PNAccessDeniedCategory,
    403: PNStatusCategory.PNAccessDeniedCategory,
    408: PNStatusCategory.PNTimeoutCategory,
    413: PNStatusCategory.PNBadRequestCategory,
    414: PNStatusCategory.PNBadRequestCategory,
    481: PNStatusCategory.PNMalformedFilterExpressionCategory,
    504: PNStatusCategory.PNTimeoutCategory,
}


_OP = PNOperationType
#: Operations that may be resent once on a new connection when a reused keep-alive connection
#: turns out to have been closed before any response byte (pubnub_fast/http11.py, rule 2): reads,
#: long-polls, heartbeats and leaves. Publishing and every other write are never resent.
RETRY_SAFE_OPERATIONS = frozenset([
    _OP.PNSubscribeOperation, _OP.PNUnsubscribeOperation, _OP.PNHeartbeatOperation, _OP.PNTimeOperation,
    _OP.PNHereNowOperation, _OP.PNWhereNowOperation, _OP.PNGetState, _OP.PNHistoryOperation,
    _OP.PNMessageCountOperation, _OP.PNFetchMessagesOperation, _OP.PNChannelGroupsOperation,
    _OP.PNChannelsForGroupOperation, _OP.PNPushNotificationEnabledChannelsOperation, _OP.PNAccessManagerAudit,
    _OP.PNGetMessageActions, _OP.PNGetFilesAction, _OP.PNGetFileDownloadURLAction, _OP.PNDownloadFileAction,
    _OP.PNGetUuidMetadataOperation, _OP.PNGetAllUuidMetadataOperation, _OP.PNGetChannelMetadataOperation,
    _OP.PNGetAllChannelMetadataOperation, _OP.PNGetChannelMembersOperation, _OP.PNGetMembershipsOperation,
])


class RepeatedRequest:
    """A prepared request sent again with other values of its first query parameters (the
    subscribe long-poll: only ``tt`` and ``tr`` change from one poll to the next)."""

    __slots__ = ("endpoint", "options", "head", "tail_query", "tail", "send")

    def __init__(self, endpoint, options, head, tail_query, tail):
        self.endpoint = endpoint
        self.options = options
        self.head = head
        self.tail_query = tail_query
        self.tail = tail
        #: the transport's ``send(middle)`` for this request, if it prepares repeated requests
        self.send = None

    def url(self, leading):
        return self.head + _speedups.signing.encode_query(leading) + self.tail_query


class TwistedEnvelope:
    """What ``.deferred()`` fires with: the ``result`` model, the ``status`` and the decoded JSON."""

    __slots__ = ("result", "status", "raw_result")

    def __init__(self, result: Any, status: PNStatus, raw_result: Any = None) -> None:
        self.result = result
        self.status = status
        self.raw_result = raw_result

    def __repr__(self) -> str:
        return "TwistedEnvelope(result=%r, status=%r)" % (self.result, self.status)


def category_for_http_status(code):
    """The status category of an HTTP error response."""
    return _HTTP_CATEGORIES.get(code, PNStatusCategory.PNUnknownCategory)


def _tls_category(failure):
    """TLSUntrustedCertificate / TLSConnectionFailed if ``failure`` is a TLS problem, else None."""
    reasons = [failure]
    if isinstance(failure.value, (web_client.ResponseNeverReceived, web_client.ResponseFailed,
                                  web_client.RequestTransmissionFailed)):
        reasons.extend(getattr(failure.value, "reasons", []) or [])
    for reason in reasons:
        value = reason.value if isinstance(reason, Failure) else reason
        module = type(value).__module__ or ""
        text = str(value).lower()
        if module.startswith("service_identity") or "certificate verify failed" in text or \
                "verificationerror" in type(value).__name__.lower():
            return PNStatusCategory.PNTLSUntrustedCertificateCategory
        if module.startswith("OpenSSL") or "ssl" in type(value).__name__.lower():
            return PNStatusCategory.PNTLSConnectionFailedCategory
    return None


def category_for_failure(failure, operation):
    """Map a transport failure to ``(category, pn_error)`` (decisions.md §7)."""
    if failure.check(defer.CancelledError):
        return PNStatusCategory.PNCancelledCategory, errors.PNERR_REQUEST_CANCELLED
    if failure.check(defer.TimeoutError, net_error.TimeoutError, net_error.ConnectingCancelledError):
        return PNStatusCategory.PNTimeoutCategory, errors.PNERR_CLIENT_TIMEOUT
    if failure.check(ResponseTooLarge):
        return PNStatusCategory.PNMalformedResponseCategory, errors.PNERR_RESPONSE_TOO_LARGE
    tls = _tls_category(failure)
    if tls is not None:
        return tls, errors.PNERR_CONNECTION_ERROR
    if failure.check(net_error.ConnectError, net_error.DNSLookupError, net_error.ConnectionLost,
                     net_error.ConnectionDone, web_client.ResponseNeverReceived, web_client.ResponseFailed,
                     web_client.RequestTransmissionFailed, web_client.PartialDownloadError, OSError):
        if operation == PNOperationType.PNSubscribeOperation:
            return PNStatusCategory.PNUnexpectedDisconnectCategory, errors.PNERR_CONNECTION_ERROR
        return PNStatusCategory.PNNetworkIssuesCategory, errors.PNERR_CONNECTION_ERROR
    return PNStatusCategory.PNUnknownCategory, errors.PNERR_UNKNOWN_ERROR


def _describe_failure(failure):
    value = failure.value
    reasons = getattr(value, "reasons", None)
    if reasons:
        inner = "; ".join(str(r.value if isinstance(r, Failure) else r) for r in reasons)
        return "%s: %s" % (type(value).__name__, inner)
    text = str(value)
    return "%s: %s" % (type(value).__name__, text) if text else type(value).__name__


class RequestPipeline:
    """Builds, sends and interprets the requests of one ``PubNubTwisted`` client."""

    def __init__(self, pubnub, transport, clock):
        self._pubnub = pubnub
        self._transport = transport
        self._clock = clock
        self._in_flight = set()
        self._sdk_name = pubnub.sdk_name

    # --- building -----------------------------------------------------------------------------

    def prepare(self, endpoint, options):
        """Fill ``options.url`` (and sign) for ``endpoint``; returns ``options``.

        An endpoint that already set an absolute ``url`` (a file upload form or download location
        handed out by the server) is sent as is: no PubNub parameters, auth or signature.
        """
        if options.url is not None:
            return options
        config = self._pubnub.config._hot()
        signing = _speedups.signing
        params = options.params
        params["pnsdk"] = self._sdk_name
        params["uuid"] = config.uuid
        if endpoint.is_auth_required():
            auth = self._pubnub._get_token() or config.auth_key
            if auth:
                params["auth"] = auth
        if config.secret_key:
            params["timestamp"] = str(int(self._clock.seconds()))
            body = options.signed_body if options.signed_body is not None else options.body
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            params["signature"] = signing.sign_request(
                config.secret_key, config.subscribe_key or "", config.publish_key or "",
                options.method_string, options.path, params, body)
        if endpoint.SORT_PARAMS:
            params = dict(sorted(params.items()))
            options.params = params
        options.url = "%s%s?%s" % (config.origin[0], options.path, signing.encode_query(params))
        return options

    # --- sending ------------------------------------------------------------------------------

    def execute(self, endpoint, options):
        """Send ``options`` (already validated) and fire with a ``TwistedEnvelope``.

        Errbacks with ``PubNubTwistedException`` carrying the result (decoded error body, if any)
        and a ``PNStatus`` for every failure.
        """
        self.prepare(endpoint, options)
        return self._send(endpoint, options)

    def _send(self, endpoint, options):
        headers = {"User-Agent": self._sdk_name}
        if options.headers:
            headers.update(options.headers)
        body = options.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        method = options.method_string
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s", method, options.url)
        d = self._transport.request(method, options.url, headers=headers, body=body,
                                    timeout=options.request_timeout, allow_redirects=options.allow_redirects,
                                    max_response_size=options.max_response_size,
                                    idempotent=options.operation_type in RETRY_SAFE_OPERATIONS)
        self._in_flight.add(d)
        args = (endpoint, options, d)
        d.addCallbacks(self._on_response, self._on_failure, callbackArgs=args, errbackArgs=args)
        return d

    def repeatable(self, endpoint, options, leading):
        """A ``RepeatedRequest`` sending ``endpoint``'s request (``options``, sent by ``execute()``)
        again with other values of its first query parameters, named in ``leading``; None when
        it cannot be repeated as is (signed requests carry a timestamp, absolute URLs).

        Everything else — path, the other parameters, auth, uuid, timeouts — is what it was
        when ``options`` was prepared: the caller decides when that is no longer true.
        """
        config = self._pubnub.config._hot()
        url = options.url
        params = options.params
        if config.secret_key or url is None or options.body is not None or options.headers or \
                "signature" in params:
            return None
        names = list(params)
        count = 0
        while count < len(names) and names[count] in leading:
            count += 1
        if count == 0 or count == len(names):
            return None
        tail = {name: params[name] for name in names[count:]}
        encode = _speedups.signing.encode_query
        head = "%s%s?" % (config.origin[0], options.path)
        repeated = RepeatedRequest(endpoint, options, head, "&" + encode(tail), tail)
        if repeated.url({name: params[name] for name in names[:count]}) != url:
            return None  # not the shape assumed here: always take the full path
        repeating = getattr(self._transport, "repeating", None)
        if repeating is not None:
            repeated.send = repeating(options.method_string, head, repeated.tail_query,
                                      headers={"User-Agent": self._sdk_name}, timeout=options.request_timeout,
                                      allow_redirects=options.allow_redirects,
                                      max_response_size=options.max_response_size,
                                      idempotent=options.operation_type in RETRY_SAFE_OPERATIONS)
        return repeated

    def execute_repeated(self, repeated, leading):
        """Send ``repeated`` (from ``repeatable()``) with ``leading`` as its first parameters; the
        same outcomes as ``execute()``."""
        template = repeated.options
        params = dict(leading)
        params.update(repeated.tail)
        options = RequestOptions(template.method, template.path, params, None, {}, template.request_timeout,
                                 template.connect_timeout, template.operation_type, template.allow_redirects)
        options.max_response_size = template.max_response_size
        middle = _speedups.signing.encode_query(leading)
        options.url = repeated.head + middle + repeated.tail_query
        send = repeated.send
        if send is None:
            return self._send(repeated.endpoint, options)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s", options.method_string, options.url)
        d = send(middle)
        self._in_flight.add(d)
        args = (repeated.endpoint, options, d)
        d.addCallbacks(self._on_response, self._on_failure, callbackArgs=args, errbackArgs=args)
        return d

    def cancel_all(self):
        """Cancel every request in flight (used by ``stop()``)."""
        for d in list(self._in_flight):
            d.cancel()

    @property
    def in_flight(self):
        return len(self._in_flight)

    # --- interpreting -------------------------------------------------------------------------

    def _status(self, endpoint, options, category, status_code, response=None, error=False, raw=None):
        status = PNStatus()
        status.category = category
        status.operation = endpoint.operation_type()
        status.status_code = status_code
        status.error = True if error else None  # PubNub SDK 10.8: None (not False) when all went well
        _, status.origin, status.tls_enabled = self._pubnub.config._hot().origin
        status.uuid = options.params.get("uuid")
        status.auth_key = options.params.get("auth")
        status.client_request = options
        status.client_response = response  # the HTTP response (code, headers, body)
        status.original_response = raw  # the decoded JSON body, as in PubNub's SDKs (decisions §22)
        status.affected_channels = endpoint.affected_channels()
        status.affected_groups = endpoint.affected_channels_groups()
        return status

    def _on_response(self, response, endpoint, options, d):
        self._in_flight.discard(d)
        code = response.code
        if 200 <= code < 300 or (code in (301, 302, 303, 307, 308) and not options.allow_redirects):
            raw = None
            try:
                if endpoint.non_json_response():
                    result = endpoint.create_response_from_http(response)
                else:
                    try:
                        # JSON through the envelope hot path (a strict C decoder when compiled)
                        raw = _speedups.envelope.loads_strict(response.body) if response.body else None
                    except (ValueError, RecursionError):
                        raise PubNubException(
                            errormsg="the server's response is not JSON: %r" % response.body[:200],
                            status_code=code, pn_error=errors.PNERR_JSON_DECODING_FAILED) from None
                    result = endpoint.create_response(raw)
            except PubNubException as exc:
                return self._fail(endpoint, options, PNStatusCategory.PNMalformedResponseCategory,
                                  exc, code, response, raw)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                wrapped = PubNubException(
                    errormsg="unexpected response %r (%s: %s)" % (raw if raw is not None else response.body[:200],
                                                                  type(exc).__name__, exc),
                    status_code=code, pn_error=errors.PNERR_JSON_DECODING_FAILED)
                return self._fail(endpoint, options, PNStatusCategory.PNMalformedResponseCategory,
                                  wrapped, code, response, raw)
            status = self._status(endpoint, options, PNStatusCategory.PNAcknowledgmentCategory, code, response,
                                  raw=raw)
            return TwistedEnvelope(result, status, raw)

        text = response.body.decode("utf-8", "replace")
        try:
            raw = json.loads(text) if text else None
        except ValueError:
            raw = None
        pn_error = errors.PNERR_SERVER_ERROR if code >= 500 else errors.PNERR_CLIENT_ERROR
        error = PubNubException(errormsg=text, status_code=code, pn_error=pn_error)
        return self._fail(endpoint, options, category_for_http_status(code), error, code, response, raw)

    def _fail(self, endpoint, options, category, exc, code, response, raw):
        status = self._status(endpoint, options, category, code, response, error=True, raw=raw)
        status.error_data = PNErrorData(str(exc), exc)
        exc.status = status
        raise PubNubTwistedException(result=raw, status=status)

    def _on_failure(self, failure, endpoint, options, d):
        self._in_flight.discard(d)
        if failure.check(PubNubTwistedException):
            return failure
        category, pn_error = category_for_failure(failure, endpoint.operation_type())
        if category == PNStatusCategory.PNTimeoutCategory and failure.check(defer.TimeoutError):
            message = "no complete response within %s s" % options.request_timeout
        else:
            message = _describe_failure(failure)
        exc = PubNubException(errormsg=message, status_code=0, pn_error=pn_error)
        status = self._status(endpoint, options, category, 0, None, error=True)
        status.error_data = PNErrorData(str(exc), exc)
        exc.status = status
        raise PubNubTwistedException(result=None, status=status)
