"""Helpers shared by the endpoint request-format tests (``tests/test_endpoints_*.py``, ``test_publish.py``).

* The request and signing vectors (``tests/vectors/requests.json``, ``signing.json``): select the
  cases of some factories, resolve their argument descriptions (``$enum``, ``$call`` … ``then``,
  ``$new``), build the call on a stubbed client and compare what was sent. ``request_vector_test``
  and ``signing_vector_test`` make a module's parametrised ``test_*_matches_vector`` tests.
* Sending a builder to the stub and checking validation (``rejected*``), answers (``answered``,
  ``failed``) and the ``pn_async`` style (``via_pn_async``).

Paths: the presence, channel-group, storage and message-action vectors hold exactly the path
pubnub_fast sends; the other vectors were recorded from the official SDK, which leaves some
segments raw, while pubnub_fast encodes every segment exactly once (decisions.md §17) — those are
compared with ``encoded_once_path=True``. Queries are compared as multisets of decoded pairs,
without the volatile parameters.
"""
from collections import Counter
from urllib.parse import quote, unquote

import pytest
from twisted.internet import task

from pubnub_fast.enums import PNPushEnvironment, PNPushType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.message_actions import PNMessageAction
from pubnub_fast.models.consumer.objects_v2.channel_members import PNUUID, PNUserMember
from pubnub_fast.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes
from pubnub_fast.models.consumer.objects_v2.memberships import PNChannelMembership
from pubnub_fast.models.consumer.objects_v2.page import Next, Previous
from pubnub_fast.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue
from pubnub_fast.models.consumer.v3.category import Category
from pubnub_fast.models.consumer.v3.channel import Channel
from pubnub_fast.models.consumer.v3.group import Group
from pubnub_fast.models.consumer.v3.space import Space
from pubnub_fast.models.consumer.v3.user import User
from pubnub_fast.models.consumer.v3.uuid import UUID
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted
from tests.client_stub import StubbedClient, failureResultOf, successResultOf
from tests.conftest import load_vectors

VOLATILE = {"pnsdk", "uuid", "requestid", "timestamp", "signature"}
REQUEST_CASES = load_vectors("requests.json")["cases"]
SIGNING_CASES = [c for c in load_vectors("signing.json")["cases"] if c["kind"] == "sign_v2"]
FORBIDDEN = {"status": 403, "error": True, "service": "Access Manager", "message": "Forbidden",
             "payload": {"channels": ["ch1"]}}

# --- clients ---------------------------------------------------------------------------------------


def build_config(spec):
    """A ``PNConfiguration`` from a vector's ``config`` (``$pinned_iv``/``$pinned_iv_hex``/``$crypto_module``
    pin the random IV of the crypto module so that recorded ciphertexts can be reproduced)."""
    config = PNConfiguration()
    pinned = None
    module_name = None
    for name, value in spec.items():
        if name == "$pinned_iv":
            pinned = value.encode()
        elif name == "$pinned_iv_hex":
            pinned = bytes.fromhex(value)
        elif name == "$crypto_module":
            module_name = value
        else:
            setattr(config, name, value)
    if pinned is not None or module_name is not None:
        from pubnub_fast import crypto

        module_class = getattr(crypto, module_name or "LegacyCryptoModule")
        config.crypto_module = module_class(config, random_bytes=lambda n: pinned[:n])
    return config


class PinnedSDKName(PubNubTwisted):
    """Signs with a recorded pnsdk so that recorded signatures can be reproduced exactly."""

    recorded_sdk_name = None

    @property
    def sdk_name(self):
        return self.recorded_sdk_name


def no_sub_key_client():
    return StubbedClient(config=PNConfiguration(uuid="u"))


# --- vectors ---------------------------------------------------------------------------------------

_NAMES = {
    "PNPushType": PNPushType, "PNPushEnvironment": PNPushEnvironment, "PNSortKeyValue": PNSortKeyValue,
    "PNSortKey": PNSortKey, "Channel": Channel, "Group": Group, "UUID": UUID, "Space": Space, "User": User,
    "Category": Category, "PNUUID": PNUUID, "PNUserMember": PNUserMember, "PNChannelMembership": PNChannelMembership,
    "Next": Next, "Previous": Previous, "MemberIncludes": MemberIncludes, "MembershipIncludes": MembershipIncludes,
    "PNMessageAction": PNMessageAction,
}


def _lookup(dotted):
    head, _, tail = dotted.partition(".")
    value = _NAMES[head]
    return getattr(value, tail) if tail else value


def resolve_arg(value):
    """Objects from the vectors' descriptions: ``{"$enum": "PNPushType.APNS"}``,
    ``{"$call": "Channel.id", "args": [..], "then": [[method, [args]]..]}``, ``{"$new": class, ..}``."""
    if isinstance(value, list):
        return [resolve_arg(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$enum" in value:
        return _lookup(value["$enum"])
    if "$call" in value or "$new" in value:
        target = _lookup(value.get("$call") or value.get("$new"))
        made = target(*resolve_arg(value.get("args", [])),
                      **{k: resolve_arg(v) for k, v in value.get("kwargs", {}).items()})
        for method, args in value.get("then", []):
            made = getattr(made, method)(*resolve_arg(args))
        return made
    return {k: resolve_arg(v) for k, v in value.items()}


def apply_vector_call(pubnub, call):
    """The builder of the vector's ``call`` (a factory or an endpoint class, then its setter chain)."""
    if "endpoint_class" in call:
        factory = {"FetchFileUploadS3Data": pubnub._fetch_file_upload_s3_data}[call["endpoint_class"]]
    else:
        factory = getattr(pubnub, call["factory"])
    builder = factory(**{k: resolve_arg(v) for k, v in call.get("factory_kwargs", {}).items()})
    for setter, args in call.get("chain", []):
        builder = getattr(builder, setter)(*resolve_arg(args))
    return builder


def vector_cases(cases, names):
    """``cases`` whose call uses one of the factories or endpoint classes ``names``, as pytest params."""
    return [pytest.param(c, id=c["id"]) for c in cases
            if c.get("call", {}).get("factory") in names or c.get("call", {}).get("endpoint_class") in names]


def request_vectors(*names):
    return vector_cases(REQUEST_CASES, names)


def signing_vectors(*names):
    return vector_cases(SIGNING_CASES, names)


def encoded_once(path):
    """``path`` with every segment percent-encoded exactly once (what pubnub_fast sends)."""
    return "/".join(quote(unquote(segment), safe="~") for segment in path.split("/"))


def decoded_query(pairs):
    """The query pairs without the volatile parameters, sorted."""
    return sorted((k, v) for k, v in pairs if k not in VOLATILE)


def query_counts(pairs):
    """The query pairs without the volatile parameters, as a multiset."""
    return Counter((k, v) for k, v in pairs if k not in VOLATILE)


def check_request_vector(case, encoded_once_path=False):
    """Send the vector's call; method, path, decoded query multiset, uuid, signed or not and body must match.

    The path must be the vector's, exactly, or with ``encoded_once_path`` the vector's with every
    segment encoded exactly once."""
    client = StubbedClient(config=build_config(case["config"]))
    request = send(client, apply_vector_call(client.pubnub, case["call"]))
    assert request.method == case["method"]
    if encoded_once_path:
        assert request.raw_path == encoded_once(case["path"])
        assert unquote(request.raw_path) == unquote(case["path"])
    else:
        assert request.raw_path == case["path"]
    assert decoded_query(request.query) == decoded_query(case["query"])
    assert request.params["uuid"] == case["volatile_params"]["uuid"]
    assert ("signature" in request.params) == ("signature" in case["volatile_params"])
    body = case["body"]
    assert request.body == (body.encode() if body is not None else b"")
    if body is not None:
        assert request.header("Content-Type") == "application/json"
    return request


def check_signing_vector(case):
    """Reproduce the vector's signature (the canonical one where the official SDK double-encodes)."""
    class Client(PinnedSDKName):
        recorded_sdk_name = case["pnsdk"]

    clock = task.Clock()
    clock.advance(int(case["timestamp"]))
    client = StubbedClient(config=build_config(case["config"]), pubnub_class=Client, clock=clock)
    if case.get("set_token"):
        client.pubnub.set_token(case["set_token"])
    request = send(client, apply_vector_call(client.pubnub, case["call"]))
    assert request.method == case["method"]
    assert request.raw_path == case["path"]
    assert request.params["timestamp"] == case["timestamp"]
    assert request.params["signature"] == case.get("canonical_signature", case["signature"])
    signed = sorted((k, v) for k, v in request.query if k != "signature")
    assert signed == sorted(map(tuple, case.get("canonical_signed_params", case["signed_params"])))
    body = case["body"]
    assert request.body == (body.encode() if body is not None else b"")
    return request


def request_vector_test(*names, encoded_once_path=False):
    """A module's ``test_request_matches_vector``: one ``check_request_vector`` per request vector of ``names``."""
    @pytest.mark.parametrize("case", request_vectors(*names))
    def test_request_matches_vector(case):
        check_request_vector(case, encoded_once_path=encoded_once_path)

    return test_request_matches_vector


def signing_vector_test(*names):
    """A module's ``test_signature_matches_vector``: one ``check_signing_vector`` per signing vector of ``names``."""
    @pytest.mark.parametrize("case", signing_vectors(*names))
    def test_signature_matches_vector(case):
        check_signing_vector(case)

    return test_signature_matches_vector


# --- sending ---------------------------------------------------------------------------------------


def send(client, builder):
    """Send ``builder`` (whatever the stub answers) and return the recorded request."""
    d = client.call(builder)
    d.addErrback(lambda failure: failure.trap(PubNubTwistedException))
    successResultOf(d)
    return client.last


def rejected_deferred(client, builder, pn_error, match=None):
    """``builder.deferred()`` fails validation with ``pn_error``, synchronously, and nothing is sent."""
    with pytest.raises(PubNubException, match=match) as info:
        builder.deferred()
    assert info.value.pn_error == pn_error
    assert client.server.requests == []
    return info.value


def rejected_async(client, builder, pn_error):
    """The ``pn_async`` form: the callback gets ``(None, status)`` at once, nothing is sent."""
    calls = []
    successResultOf(builder.pn_async(lambda result, status: calls.append((result, status))))
    (result, status), = calls
    assert result is None
    assert status.is_error()
    assert status.category == PNStatusCategory.PNBadRequestCategory
    assert status.error_data.exception.pn_error == pn_error
    assert client.server.requests == []
    return status


def rejected(client, builder, pn_error, match=None):
    """``builder`` fails validation with ``pn_error`` synchronously (both invocation styles); nothing is sent."""
    error = rejected_deferred(client, builder, pn_error, match)
    rejected_async(client, builder, pn_error)
    return error


def answered(client, builder, body, code=200):
    """The envelope of ``builder`` answered with ``(code, body)``."""
    client.server.respond((code, body))
    return successResultOf(client.call(builder))


def failed(client, builder, code, body):
    """Answer ``builder`` with ``(code, body)``; returns the ``PubNubTwistedException``."""
    client.server.respond((code, body))
    return failureResultOf(client.call(builder), PubNubTwistedException).value


_ALREADY_ANSWERED = object()


def via_pn_async(client, builder, body=_ALREADY_ANSWERED, code=200):
    """``(result, status)`` of ``builder.pn_async``, answered with ``(code, body)`` (or as the stub was told)."""
    if body is not _ALREADY_ANSWERED:
        client.server.respond((code, body))
    calls = []
    d = builder.pn_async(lambda result, status: calls.append((result, status)))
    client.stub.flush()
    successResultOf(d)
    (result, status), = calls
    return result, status
