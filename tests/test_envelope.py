"""The subscribe-envelope twins (``_envelope_py`` / ``_envelope_c``): body -> listener events.

Known answers: every case of ``tests/vectors/subscribe_envelopes.json`` (real cassette bodies and
synthetic ones, with the parsed view the official 10.8 SDK produces). Where pubnub_fast decides
differently on purpose, the test says so: signals and message actions are never decrypted
(decisions.md §19), unknown ``e`` values are skipped rather than delivered as messages, a 403
body is not a subscribe envelope. Properties: encode -> parse round trips, the compiled twin
equals the pure one on random envelopes, the decoder equals ``json.loads``, and the compiled
decryption fast path equals the crypto module's ``decrypt``.
"""
import base64
import inspect
import json
import logging
import re
import urllib.parse

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pubnub_fast import _speedups
from pubnub_fast.crypto import AesCbcCryptoModule, LegacyCryptoModule, PubNubCryptodome
from pubnub_fast.models.consumer.objects_v2.channel import PNChannelMetadataResult
from pubnub_fast.models.consumer.objects_v2.memberships import PNMembershipResult
from pubnub_fast.models.consumer.objects_v2.uuid import PNUUIDMetadataResult
from pubnub_fast.models.consumer.pubsub import (
    PNFileMessageResult,
    PNMessageActionResult,
    PNMessageResult,
    PNPresenceEventResult,
    PNSignalMessageResult,
)
from pubnub_fast.models.server.subscribe import MalformedSubscribeResponse
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.conftest import load_vectors

VECTORS = load_vectors("subscribe_envelopes.json")
CASES = VECTORS["cases"]

PURE = _speedups.twin("envelope", "py")

# Cases where pubnub_fast deliberately differs from the official SDK's recorded view.
UNKNOWN_TYPE_CASES = {"synthetic-data-sync-e5": 5, "synthetic-unknown-e99": 99}
NEVER_DECRYPTED_CASES = {"synthetic-signal-with-cipher-key", "synthetic-message-action-with-cipher-key"}


def _config(cipher_key, random_iv):
    config = PNConfiguration(subscribe_key="sub-c-demo", uuid="vector-uuid")
    config.cipher_key = cipher_key
    config.use_random_initialization_vector = random_iv
    return config


def official_file_url(channel, file_id, file_name):
    """The URL the official SDK builds with the vectors' parser configuration."""
    return ("https://ps.pndsn.com/v1/files/sub-c-demo/channels/%s/files/%s/%s?pnsdk=PubNub-Python%%2F10.4.0"
            "&uuid=vector-uuid" % (urllib.parse.quote(channel, safe=""), file_id, file_name))


def decrypt_functions(case):
    """``{name: decrypt}`` for a case: the crypto module (fast path in the compiled twin) and
    the legacy ``PubNubCryptodome`` through a plain function."""
    if not case.get("cipher_key"):
        return {"plain": None}
    config = _config(case["cipher_key"], case["use_random_initialization_vector"])
    module = LegacyCryptoModule(config)
    cryptodome = PubNubCryptodome(config)
    return {
        "module": module.decrypt,
        "cryptodome": lambda value: cryptodome.decrypt(case["cipher_key"], value),
    }


def our_view(method, result):
    """The vectors' parsed view of one event (only the fields a result carries)."""
    if method in ("message", "signal", "file"):
        view = {
            "type": method,
            "channel": result.channel,
            "subscription": result.subscription,
            "timetoken": result.timetoken,
            "publisher": result.publisher,
            "payload": result.message,
            "user_metadata": result.user_metadata,
            "custom_message_type": result.custom_message_type,
        }
        if method == "file":
            view.update(file_id=result.file_id, file_name=result.file_name, file_url=result.file_url)
        else:
            view["decrypt_error"] = result.error
        return view
    if method == "presence":
        return {
            "type": "presence", "channel": result.channel, "subscription": result.subscription,
            "timetoken": result.timetoken, "event": result.event, "uuid": result.uuid,
            "timestamp": result.timestamp, "occupancy": result.occupancy, "state": result.state,
            "join": result.join, "leave": result.leave, "timeout": result.timeout,
        }
    if method in ("uuid", "channel", "membership"):
        return {"type": "objects", "objects_type": method, "event": result.event, "data": result.data}
    assert method == "message_action"
    return {
        "type": "message_action", "channel": result.channel, "subscription": result.subscription,
        "action_type": result.type, "action_value": result.value,
        "message_timetoken": result.message_timetoken, "action_timetoken": result.action_timetoken,
        "uuid": result.uuid, "action_event": result.event,
    }


def expected_view(expected):
    """The recorded view, minus what the result objects do not carry (and the error text,
    which is the crypto layer's own)."""
    view = dict(expected)
    if view["type"] == "objects":
        view.pop("channel")
        view.pop("timetoken")
    elif view["type"] == "message_action":
        view.pop("timetoken")
    return view


def snapshot(events):
    """A comparable form of ``events``: method, exact type, attributes in order (errors by type
    and text, since exception instances do not compare equal; NaN as a marker, since NaN is
    equal to nothing but the same object)."""
    out = []
    for method, result in events:
        attributes = []
        for name, value in vars(result).items():
            if isinstance(value, BaseException):
                cause = value.__cause__
                value = ("exception", type(value), str(value), type(cause), str(cause))
            elif isinstance(value, float) and value != value:
                value = ("NaN",)
            attributes.append((name, value))
        out.append((method, type(result), attributes))
    return out


def parse(impl, body, decrypt=None, file_url=None):
    """``(timetoken, region, events, skipped)`` with ``skipped`` = [(item, reason)]."""
    skipped = []
    timetoken, region, events = impl.parse_subscribe(body, decrypt, file_url, lambda item, why: skipped.append(
        (item, why)))
    return timetoken, region, events, skipped


# --- the two twins are interchangeable ------------------------------------------------------------

def test_twin_exports(envelope_impl):
    assert sorted(envelope_impl.__all__) == sorted(PURE.__all__)
    for name in PURE.__all__:
        assert hasattr(envelope_impl, name), name
    assert envelope_impl.MalformedSubscribeResponse is MalformedSubscribeResponse
    assert issubclass(MalformedSubscribeResponse, ValueError)
    assert envelope_impl.EVENT_METHODS == PURE.EVENT_METHODS


@pytest.mark.parametrize("name", ["parse_subscribe", "encode_subscribe", "loads"])
def test_twin_signatures_match(envelope_impl, name):
    assert inspect.signature(getattr(envelope_impl, name)) == inspect.signature(getattr(PURE, name))
    assert getattr(envelope_impl, name).__doc__


def test_facade_uses_the_selected_twin():
    from pubnub_fast import envelope

    assert envelope.parse_subscribe is _speedups.twin("envelope").parse_subscribe
    assert envelope.encode_subscribe is _speedups.twin("envelope").encode_subscribe
    assert envelope.MalformedSubscribeResponse is MalformedSubscribeResponse


# --- known answers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vector(envelope_impl, case):
    body = case["raw_body"].encode("utf-8")
    expected = case["expected"]
    if expected.get("error"):
        # a 403 from Access Manager: the loop handles the status; it is no subscribe envelope
        assert case["http_status"] == 403
        with pytest.raises(MalformedSubscribeResponse):
            envelope_impl.parse_subscribe(body)
        return
    for name, decrypt in decrypt_functions(case).items():
        timetoken, region, events, skipped = parse(envelope_impl, body, decrypt, official_file_url)
        assert (timetoken, region) == (expected["timetoken"], expected["region"]), name
        assert type(timetoken) is str and type(region) is int
        if case["id"] in UNKNOWN_TYPE_CASES:
            # the official SDK hands unknown types to message(); pubnub_fast skips them
            assert events == []
            assert [reason for _, reason in skipped] == ["unknown message type e=%d" % UNKNOWN_TYPE_CASES[case["id"]]]
            continue
        assert skipped == []
        wanted = []
        for event in expected["messages"]:
            if event["type"] == "multiple":
                statuses = [e for e in event["events"] if e["type"] == "status"]
                assert [s["category"] for s in statuses] == ["PNDecryptionErrorCategory"]
                (event,) = [e for e in event["events"] if e["type"] != "status"]
                if case["id"] in NEVER_DECRYPTED_CASES:
                    # decisions.md §19: no decryption attempt, hence no error
                    event = dict(event, decrypt_error=None) if "decrypt_error" in event else event
                else:
                    event = dict(event, decrypt_error="<error>")
            wanted.append(expected_view(event))
        got = [our_view(method, result) for method, result in events]
        for view in got:
            if view.get("decrypt_error") is not None:
                assert isinstance(view["decrypt_error"], Exception)
                view["decrypt_error"] = "<error>"
        assert got == wanted, name


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vector_results_equal_the_models_own(envelope_impl, case):
    """Each result is exactly what the model's constructor builds (type, attributes, their order)."""
    if case["expected"].get("error"):
        return
    for decrypt in decrypt_functions(case).values():
        events = envelope_impl.parse_subscribe(case["raw_body"], decrypt, official_file_url)[2]
        rebuilt = []
        for method, result in events:
            if type(result) in (PNMessageResult, PNSignalMessageResult):
                copy = type(result)(result.message, result.subscription, result.channel, result.timetoken,
                                    user_metadata=result.user_metadata, publisher=result.publisher,
                                    error=result.error, custom_message_type=result.custom_message_type)
            elif type(result) is PNFileMessageResult:
                copy = PNFileMessageResult(result.message, result.subscription, result.channel, result.timetoken,
                                           result.publisher, result.file_url, result.file_id, result.file_name,
                                           user_metadata=result.user_metadata, error=result.error,
                                           custom_message_type=result.custom_message_type)
            elif type(result) is PNPresenceEventResult:
                copy = PNPresenceEventResult(result.event, result.uuid, result.timestamp, result.occupancy,
                                             result.subscription, result.channel, result.timetoken, result.state,
                                             join=result.join, leave=result.leave, timeout=result.timeout)
            elif type(result) is PNMessageActionResult:
                copy = PNMessageActionResult(
                    {"type": result.type, "value": result.value, "messageTimetoken": result.message_timetoken,
                     "uuid": result.uuid, "actionTimetoken": result.action_timetoken},
                    subscription=result.subscription, channel=result.channel, event=result.event)
            else:
                assert type(result) in (PNUUIDMetadataResult, PNChannelMetadataResult, PNMembershipResult)
                copy = type(result)(result.event, result.data)
            rebuilt.append((method, copy))
        assert snapshot(events) == snapshot(rebuilt)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vector_compiled_equals_pure(envelope_impl, case):
    for decrypt in decrypt_functions(case).values():
        for body in (case["raw_body"], case["raw_body"].encode("utf-8")):
            try:
                ours = parse(envelope_impl, body, decrypt, official_file_url)
            except MalformedSubscribeResponse as exc:
                with pytest.raises(MalformedSubscribeResponse, match=re.escape(str(exc))):
                    parse(PURE, body, decrypt, official_file_url)
                continue
            pure = parse(PURE, body, decrypt, official_file_url)
            assert ours[:2] == pure[:2]
            assert snapshot(ours[2]) == snapshot(pure[2])
            assert ours[3] == pure[3]


def test_listener_methods_and_types(envelope_impl):
    (case,) = [c for c in CASES if c["id"] == "synthetic-mixed-batch"]
    events = envelope_impl.parse_subscribe(case["raw_body"], None, official_file_url)[2]
    assert [(method, type(result)) for method, result in events] == [
        ("signal", PNSignalMessageResult),
        ("message", PNMessageResult),
        ("message_action", PNMessageActionResult),
        ("message_action", PNMessageActionResult),
        ("file", PNFileMessageResult),
    ]
    assert all(method in envelope_impl.EVENT_METHODS for method, _ in events)


def test_objects_listener_methods(envelope_impl):
    methods = {}
    for case in CASES:
        if case["id"].startswith("synthetic-objects-"):
            ((method, result),) = envelope_impl.parse_subscribe(case["raw_body"])[2]
            methods[method] = type(result)
    assert methods == {"uuid": PNUUIDMetadataResult, "channel": PNChannelMetadataResult,
                       "membership": PNMembershipResult}


def test_file_url_is_none_without_a_builder(envelope_impl):
    (case,) = [c for c in CASES if c["id"] == "synthetic-file"]
    ((method, result),) = envelope_impl.parse_subscribe(case["raw_body"])[2]
    assert method == "file" and result.file_url is None and result.file_id == "abc-123"


# --- decryption rules ------------------------------------------------------------------------------

def _item(**fields):
    item = {"a": "1", "f": 0, "i": "pub", "p": {"t": "17000000000000001", "r": 1}, "k": "sub-c", "c": "ch",
            "d": "payload"}
    item.update(fields)
    return {k: v for k, v in item.items() if v is not _ABSENT}


_ABSENT = object()


def _body(*items, timetoken="17000000000000009", region=1):
    return json.dumps({"t": {"t": timetoken, "r": region}, "m": list(items)}).encode()


class RecordingDecrypt:
    """A cipher stand-in: reverses strings, refuses everything else; records what it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, value):
        self.calls.append(value)
        if not isinstance(value, str):
            raise TypeError("cannot decrypt %s" % type(value).__name__)
        return value[::-1]


def test_decrypt_applies_to_messages_and_files_only(envelope_impl):
    decrypt = RecordingDecrypt()
    file_payload = {"message": "m", "file": {"id": "i", "name": "n"}}
    decrypt_files = lambda value: file_payload if value == "encrypted-file" else decrypt(value)  # noqa: E731
    body = _body(
        _item(d="olleh"),
        _item(e=1, d="sig"),
        _item(e=3, d={"source": "actions", "event": "added",
                      "data": {"type": "r", "value": "v", "messageTimetoken": "1", "actionTimetoken": "2"}}),
        _item(e=2, d={"source": "objects", "type": "uuid", "event": "set", "data": {"id": "x"}}),
        _item(c="ch-pnpres", d={"action": "join", "uuid": "u", "timestamp": 1, "occupancy": 1}),
        _item(e=4, d="encrypted-file"),
    )
    events = envelope_impl.parse_subscribe(body, decrypt_files)[2]
    assert decrypt.calls == ["olleh"]
    assert [m for m, _ in events] == ["message", "signal", "message_action", "uuid", "presence", "file"]
    assert [getattr(r, "error", None) for _, r in events] == [None] * 6
    assert events[0][1].message == "hello"
    assert events[1][1].message == "sig"
    assert (events[5][1].message, events[5][1].file_id, events[5][1].file_name) == ("m", "i", "n")


def test_decryption_failure_delivers_the_raw_payload(envelope_impl):
    decrypt = RecordingDecrypt()
    body = _body(_item(d={"plain": "object"}, u={"m": 1}, cmt="chat"))
    ((method, result),) = envelope_impl.parse_subscribe(body, decrypt)[2]
    assert method == "message"
    assert result.message == {"plain": "object"}
    assert isinstance(result.error, TypeError) and str(result.error) == "cannot decrypt dict"
    assert (result.user_metadata, result.custom_message_type, result.publisher) == ({"m": 1}, "chat", "pub")


def test_file_decryption(envelope_impl):
    file_payload = {"message": {"note": "pic"}, "file": {"id": "id-1", "name": "cat.png"}}

    def decrypt(value):
        if value == "secret":
            return file_payload
        raise ValueError("decryption error")

    urls = []

    def file_url(channel, file_id, file_name):
        urls.append((channel, file_id, file_name))
        return "url:%s/%s/%s" % (channel, file_id, file_name)

    body = _body(_item(e=4, d="secret"), _item(e=4, d="garbage"), _item(e=4, d=file_payload),
                 _item(e=4, d={"message": "no file"}))
    skipped = []
    events = envelope_impl.parse_subscribe(body, decrypt, file_url, lambda item, why: skipped.append(why))[2]
    assert skipped == []
    assert [m for m, _ in events] == ["file"] * 4
    ok, garbage, unencrypted, no_file = (result for _, result in events)
    assert (ok.message, ok.file_id, ok.file_name, ok.file_url, ok.error) == (
        {"note": "pic"}, "id-1", "cat.png", "url:ch/id-1/cat.png", None)
    # undecryptable: delivered raw, with the error and no file details
    assert (garbage.message, garbage.file_id, garbage.file_name, garbage.file_url) == ("garbage", None, None, None)
    assert isinstance(garbage.error, ValueError)
    # an unencrypted file message received with a cipher: its details, and the decryption error
    assert (unencrypted.message, unencrypted.file_id, unencrypted.file_url) == (
        {"note": "pic"}, "id-1", "url:ch/id-1/cat.png")
    assert isinstance(unencrypted.error, ValueError)
    assert (no_file.message, no_file.file_id, no_file.file_url) == ({"message": "no file"}, None, None)
    assert isinstance(no_file.error, ValueError)
    assert urls == [("ch", "id-1", "cat.png"), ("ch", "id-1", "cat.png")]


def test_file_without_file_object_is_skipped(envelope_impl):
    skipped = []
    body = _body(_item(e=4, d={"message": "no file"}), _item(e=4, d={"file": {"id": 1}}))
    events = envelope_impl.parse_subscribe(body, None, lambda *a: "url", lambda item, why: skipped.append(why))[2]
    assert skipped == ["malformed: the file payload has no file object"]
    ((_, result),) = events
    assert (result.file_id, result.file_name, result.file_url) == (1, None, None)  # no url without str id/name


def test_failing_file_url_builder_does_not_fail_the_batch(envelope_impl, caplog):
    def file_url(channel, file_id, file_name):
        if not file_id:
            raise ValueError("File id is missing.")
        return "url"

    body = _body(_item(e=4, d={"message": 1, "file": {"id": "", "name": "x"}}),
                 _item(e=4, d={"message": 2, "file": {"id": "id", "name": "x"}}))
    with caplog.at_level(logging.WARNING, logger="pubnub_fast.envelope"):
        events = envelope_impl.parse_subscribe(body, None, file_url)[2]
    assert [(r.message, r.file_url, r.error) for _, r in events] == [(1, None, None), (2, "url", None)]
    (record,) = caplog.records
    assert "could not build the download URL" in record.getMessage() and record.exc_info


def test_message_action_uuid_from_publisher(envelope_impl):
    data = {"type": "reaction", "value": "x", "messageTimetoken": "1", "actionTimetoken": "2"}
    body = _body(_item(e=3, i="from-i", d={"event": "removed", "data": data}),
                 _item(e=3, i="from-i", d={"event": "added", "data": dict(data, uuid="own")}),
                 _item(e=3, i="from-i", d={"event": "added", "data": dict(data, uuid=None)}))
    events = envelope_impl.parse_subscribe(body)[2]
    assert [(r.uuid, r.event) for _, r in events] == [("from-i", "removed"), ("own", "added"), (None, "added")]
    assert "uuid" not in data  # the parsed payload is not what the result holds


def test_decrypt_with_module_fast_path_and_generic_path_agree(envelope_impl):
    config = _config("myCipherKey", True)
    module = LegacyCryptoModule(config)
    acrh = AesCbcCryptoModule(config)
    payloads = [{"text": "hi", "n": [1, 2.5, None]}, "plain string", 5, "é€😀", [], {"a": "\u2028"}]
    items = [_item(d=module.encrypt(json.dumps(p))) for p in payloads]
    items += [_item(d=acrh.encrypt(json.dumps(p))) for p in payloads]
    items += [_item(d=module.encrypt("not json at all")), _item(d=module.encrypt(" [1] ")),
              _item(d="garbage!"), _item(d={"raw": 1}), _item(d=""), _item(d="UE5FRAFBQ1JIEAAA"),
              _item(d=base64.b64encode(b"PNED\x02ACRH\x10" + b"0" * 32).decode())]
    body = _body(*items)
    fast = envelope_impl.parse_subscribe(body, module.decrypt)[2]
    generic = envelope_impl.parse_subscribe(body, lambda value: module.decrypt(value))[2]
    assert snapshot(fast) == snapshot(generic)
    assert [r.message for _, r in fast[:len(payloads)]] == payloads
    assert [r.message for _, r in fast[len(payloads):2 * len(payloads)]] == payloads
    assert [r.error is None for _, r in fast] == [True] * (2 * len(payloads) + 2) + [False] * 5


# --- malformed bodies and items -----------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"", b" ", b"null", b"[]", b"{}", b"not json", b'{"t":', b'{"t":{"t":"1","r":1},"m":[}',
    b'{"t":{"t":"1","r":1}}', b'{"t":{"t":"1","r":1},"m":{}}', b'{"t":{"t":"1","r":1},"m":null}',
    b'{"m":[]}', b'{"t":[],"m":[]}', b'{"t":{"r":1},"m":[]}', b'{"t":{"t":"1"},"m":[]}',
    b'{"t":{"t":"x1","r":1},"m":[]}', b'{"t":{"t":"","r":1},"m":[]}', b'{"t":{"t":-1,"r":1},"m":[]}',
    b'{"t":{"t":"1","r":"x"},"m":[]}', b'{"t":{"t":"1","r":1.5},"m":[]}', b'{"t":{"t":"1","r":null},"m":[]}',
    b'{"t":{"t":"\xd9\xa1","r":1},"m":[]}', b'{"t":{"t":"1","r":1},"m":[]} x', b'\xff\xfe',
    b'{"t":{"t":"1","r":1},"m":["\xff"]}', b'{"t":{"t":"1","r":true},"m":[]}',
    b'{"t":{"t":"1","r":1},"m":[{"c":"ch","d":1,"p":{"t":12"}}]}',
    b'{"t":{"t":"1","r":1},"m":[{"c":"ch","d":1,"p":{"t":"12}}]}',
    b'{"t":{"t":"1","r":1},"m":[{"c":"ch","d":1,"p":{"t":"1","t"}}]}',
    b'{"t":{"t":"1","r":1},"m":[{"c":"ch","d":1,"p":{"t":"1"]}]}',
])
def test_malformed_bodies(envelope_impl, body):
    with pytest.raises(MalformedSubscribeResponse) as info:
        envelope_impl.parse_subscribe(body)
    with pytest.raises(MalformedSubscribeResponse) as pure_info:
        PURE.parse_subscribe(body)
    assert str(info.value) == str(pure_info.value)


@pytest.mark.parametrize("body, expected", [
    (b'{"t":{"t":"17","r":3},"m":[]}', ("17", 3)),
    (b' \n{ "m" : [ ] , "t" : { "r" : 3 , "t" : "17" } }\r\n', ("17", 3)),
    (b'{"t":{"t":17,"r":3},"m":[]}', ("17", 3)),
    (b'{"t":{"t":"17","r":"3"},"m":[]}', ("17", 3)),
    (b'{"t":{"t":"1","r":1},"m":[],"extra":{"x":[1,2,{"y":null}]},"t":{"t":"17","r":3}}', ("17", 3)),
    ('{"t":{"t":"17","r":3},"m":[],"x":"é"}', ("17", 3)),
    (bytearray(b'{"t":{"t":"17","r":3},"m":[]}'), ("17", 3)),
])
def test_envelope_shapes(envelope_impl, body, expected):
    timetoken, region, events = envelope_impl.parse_subscribe(body)
    assert (timetoken, region, events) == expected + ([],)


def test_body_type(envelope_impl):
    with pytest.raises(TypeError):
        envelope_impl.parse_subscribe(None)
    with pytest.raises(TypeError):
        envelope_impl.parse_subscribe(memoryview(b"{}"))


MALFORMED_ITEMS = [
    (5, "malformed: the item is not an object"),
    (None, "malformed: the item is not an object"),
    ("x", "malformed: the item is not an object"),
    ({"d": 1, "p": {"t": "1"}}, "malformed: no channel (c)"),
    ({"c": 1, "d": 1, "p": {"t": "1"}}, "malformed: no channel (c)"),
    ({"c": "ch", "p": {"t": "1"}}, "malformed: no payload (d)"),
    ({"c": "ch", "d": 1}, "malformed: no publish timetoken (p)"),
    ({"c": "ch", "d": 1, "p": "1"}, "malformed: no publish timetoken (p)"),
    ({"c": "ch", "d": 1, "p": {"r": 1}}, "malformed: the publish timetoken p.t is not an integer"),
    ({"c": "ch", "d": 1, "p": {"t": "1x"}}, "malformed: the publish timetoken p.t is not an integer"),
    ({"c": "ch", "d": 1, "p": {"t": 1.5}}, "malformed: the publish timetoken p.t is not an integer"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "b": 5}, "malformed: the subscription (b) is not a string"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": "x"}, "malformed: the type (e) is not an integer"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": 1.0}, "malformed: the type (e) is not an integer"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": True}, "malformed: the type (e) is not an integer"),
    ({"c": "ch-pnpres", "d": "join", "p": {"t": "1"}}, "malformed: the presence payload is not an object"),
    ({"c": "ch", "d": [], "p": {"t": "1"}, "e": 2}, "malformed: the App Context payload is not an object"),
    ({"c": "ch", "d": {"type": "space"}, "p": {"t": "1"}, "e": 2}, "unknown App Context event type 'space'"),
    ({"c": "ch", "d": "x", "p": {"t": "1"}, "e": 3}, "malformed: the message action payload has no data object"),
    ({"c": "ch", "d": {"data": 1}, "p": {"t": "1"}, "e": 3},
     "malformed: the message action payload has no data object"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": 4}, "malformed: the file payload has no file object"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": 5}, "unknown message type e=5"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": -1}, "unknown message type e=-1"),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": 2 ** 70}, "unknown message type e=%d" % 2 ** 70),
    ({"c": "ch", "d": 1, "p": {"t": "1"}, "e": "99999999999"}, "unknown message type e=99999999999"),
]


@pytest.mark.parametrize("item, reason", MALFORMED_ITEMS)
def test_odd_items_are_skipped_and_the_rest_delivered(envelope_impl, item, reason):
    good = _item(d="before")
    body = _body(good, item, _item(d="after"))
    timetoken, region, events, skipped = parse(envelope_impl, body)
    assert [r.message for _, r in events] == ["before", "after"]
    assert skipped == [(item, reason)]


def test_odd_item_in_a_str_body_with_non_ascii(envelope_impl):
    item = {"c": "ché", "d": "ü"}
    body = _body(_item(d="é"), item).decode()
    _, _, events, skipped = parse(envelope_impl, body)
    assert [r.message for _, r in events] == ["é"]
    assert skipped == [(item, "malformed: no publish timetoken (p)")]


def test_skips_are_logged_without_a_callback(envelope_impl, caplog):
    body = _body({"c": "ch"}, _item(e=7))
    with caplog.at_level(logging.DEBUG, logger="pubnub_fast.envelope"):
        assert envelope_impl.parse_subscribe(body)[2] == []
    levels = [(record.levelno, record.getMessage().split(": {")[0]) for record in caplog.records]
    assert levels == [(logging.WARNING, "subscribe: skipped an item (malformed: no payload (d))"),
                      (logging.DEBUG, "subscribe: skipped an item (unknown message type e=7)")]


def test_item_field_variants(envelope_impl):
    body = _body(
        _item(e="1", d="string type"),  # the docs once show "e": "4"
        _item(e=0, b="ch", d="b equals c"),
        _item(b="cg", d="group"),
        _item(e=None, b=None, i=None, u=None, cmt=None, d=None),
        _item(p={"t": 17000000000000001}, d="int timetoken"),
        _item(p={"t": "123456789012345678901234567890"}, d="long timetoken"),
        _item(p={"r": 1, "t": "999999999999999999", "x": [1, {"t": 2}]}, d="18 digits"),

        _item(c="a-pnpres.x", b="a-pnpres.*", d={"action": "leave"}),
        _item(c="ch-pnpres", b="ch-pnpres", d={"action": "timeout", "extra": 1}),
    )
    events = envelope_impl.parse_subscribe(body)[2]
    assert [m for m, _ in events] == ["signal", "message", "message", "message", "message", "message",
                                      "message", "presence", "presence"]
    assert events[1][1].subscription is None
    assert events[2][1].subscription == "cg"
    assert (events[3][1].message, events[3][1].publisher) == (None, None)
    assert events[4][1].timetoken == 17000000000000001
    assert events[5][1].timetoken == 123456789012345678901234567890
    assert events[6][1].timetoken == 999999999999999999
    presence = events[7][1]
    assert (presence.channel, presence.subscription, presence.event) == ("a-pnpres.x", "a-pnpres.*", "leave")
    assert (events[8][1].channel, events[8][1].subscription) == ("ch", None)


def test_duplicate_keys_last_wins(envelope_impl):
    body = b'{"t":{"t":"1","r":1},"m":[{"c":"x","c":"ch","d":1,"d":2,"p":{"t":"5","t":"7"},"p":{"t":"8"}}],"m":[]}'
    assert envelope_impl.parse_subscribe(body)[2] == []
    body = b'{"t":{"t":"1","r":1},"m":[{"c":"x","c":"ch","d":1,"d":2,"p":{"t":"5"},"p":{"t":"7","t":"9"}}]}'
    ((_, result),) = envelope_impl.parse_subscribe(body)[2]
    assert (result.channel, result.message, result.timetoken) == ("ch", 2, 9)
    body = b'{"t":{"t":"1","r":1},"m":[{"c":"ch","d":1,"p":{"t":"5"},"p":3}]}'
    assert parse(envelope_impl, body)[3] == [({"c": "ch", "d": 1, "p": 3}, "malformed: no publish timetoken (p)")]


# --- the decoder ----------------------------------------------------------------------------------------

JSON_TEXTS = [
    '"\\ud83d\\ude00"', '"\\ud800"', '"\\udc00\\ud800"', '"\\ud800\\u0041"', '"\\ud800\\n"', '"a\\/b\\b\\f\\n\\r\\t"',
    '"\\u00e9\\u00E9"', '"é€😀"', '-0', '-0.0', '0.1', '1e400', '-1e400', '1E+2', '1e-2', '12345678901234567890',
    '-123456789012345678', '123456789012345678', '[1,[2,[3,{}]]]', '{"a":1,"a":2}',
    ' {"k" : [ true , false , null ] } ',
    '"' + "x" * 100 + '"', '{"' + "k" * 40 + '":1}', '{"é":"é"}', '{"\\u0041":1}',
]

INVALID_JSON = [
    "", " ", "01", "[01]", "-", "1.", ".5", "+1", "1e", "1e+", "[1,]", '{"a":1,}', "'a'", '"\\x41"', '"a\tb"',
    '"\\u12"', '"\\u12g4"', "tru", "nul", "[", "{", '{"a"}', '{"a":}', "[1 2]", "NaN", "Infinity", "-Infinity",
    '"\\ud800\\u12"', "\x00", "[1]\x00", "1 2",
]


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_loads_equals_json(envelope_impl, text):
    for document in (text, text.encode("utf-8")):
        value = envelope_impl.loads(document)
        assert repr(value) == repr(json.loads(document))


@pytest.mark.parametrize("text", INVALID_JSON)
def test_loads_invalid(envelope_impl, text):
    for document in (text, text.encode("utf-8")):
        try:
            expected = PURE.loads(document)
        except ValueError as exc:
            with pytest.raises(type(exc)):
                envelope_impl.loads(document)
        else:  # ujson is lenient on a few (leading zeros): both twins agree
            assert repr(envelope_impl.loads(document)) == repr(expected)


def test_loads_deep_nesting(envelope_impl):
    for depth in (499, 501, 600):
        text = "[" * depth + "]" * depth
        assert envelope_impl.loads(text) == json.loads(text)


def test_loads_invalid_utf8_and_surrogates(envelope_impl):
    for document in (b'"\xed\xa0\x80"', b'"\xc0\xaf"', b'"\xf4\x90\x80\x80"', b'"\xe0\x80\x80"', b'"\x80"'):
        try:
            expected = json.loads(document)
        except ValueError:
            with pytest.raises(ValueError):
                envelope_impl.loads(document)
        else:
            assert envelope_impl.loads(document) == expected
    assert envelope_impl.loads('"\ud800"') == "\ud800"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values, ensure_ascii=st.booleans(), indent=st.sampled_from([None, 1, "\t"]))
def test_loads_property(envelope_impl, value, ensure_ascii, indent):
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: only as str
        data = text
    assert repr(envelope_impl.loads(data)) == repr(json.loads(data))
    assert repr(PURE.loads(data)) == repr(json.loads(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=40) | st.text(alphabet='{}[]",:0123456789.-+eEtrufalsn \\u"\tx', max_size=30))
def test_loads_garbage_agrees_with_pure(envelope_impl, data):
    try:
        expected = PURE.loads(data)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc)):
            envelope_impl.loads(data)
    else:
        assert repr(envelope_impl.loads(data)) == repr(expected)


# --- random envelopes: compiled == pure ------------------------------------------------------------------

channels = st.sampled_from(["ch", "ch-pnpres", "a.b", "ch2", "ché", "x-pnpres-y"])
timetokens = st.one_of(st.integers(0, 2 ** 64).map(str), st.integers(0, 2 ** 64), st.sampled_from(["", "1x", None]))
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({"action": st.sampled_from(["join", "leave", "interval"]), "uuid": st.text(max_size=4),
                           "timestamp": st.integers(0, 2 ** 40), "occupancy": st.integers(0, 9)},
                          optional={"data": json_values, "join": st.lists(st.text(max_size=3))}),
    st.fixed_dictionaries({"source": st.just("objects"), "type": st.sampled_from(["uuid", "channel", "membership",
                                                                                  "space"]),
                           "event": st.sampled_from(["set", "delete"]), "data": json_values}),
    st.fixed_dictionaries({"event": st.sampled_from(["added", "removed"]),
                           "data": st.fixed_dictionaries({"type": st.text(max_size=3), "value": st.text(max_size=3),
                                                          "messageTimetoken": st.text(max_size=3),
                                                          "actionTimetoken": st.text(max_size=3)},
                                                         optional={"uuid": st.none() | st.text(max_size=3)})}),
    st.fixed_dictionaries({"message": json_values,
                           "file": st.fixed_dictionaries({}, optional={"id": json_values, "name": json_values})}),
)
items = st.one_of(
    st.fixed_dictionaries(
        {"c": channels, "d": payloads, "p": st.fixed_dictionaries({"t": timetokens, "r": st.integers(0, 60)})},
        optional={"a": st.text(max_size=2), "b": st.one_of(channels, st.just("cg"), st.integers()),
                  "e": st.sampled_from([0, 1, 2, 3, 4, 5, 99, "4", "x", None, True, -3]),
                  "f": st.integers(0, 600), "i": st.none() | st.text(max_size=5), "k": st.text(max_size=5),
                  "o": st.fixed_dictionaries({"t": timetokens}), "s": st.integers(0, 9), "u": json_values,
                  "cmt": st.none() | st.text(max_size=5), "zz": json_values},
    ),
    json_values,
)


def _reverse_decrypt(value):
    if isinstance(value, str):
        return value[::-1]
    if isinstance(value, dict) and "file" in value:
        return value
    raise ValueError("not decryptable: %s" % type(value).__name__)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(envelope_items=st.lists(items, max_size=6), ensure_ascii=st.booleans(), as_text=st.booleans(),
       with_decrypt=st.booleans())
def test_random_envelopes_compiled_equals_pure(envelope_impl, envelope_items, ensure_ascii, as_text, with_decrypt):
    text = json.dumps({"t": {"t": "17000000000000000", "r": 7}, "m": envelope_items}, ensure_ascii=ensure_ascii)
    if as_text:
        body = text
    else:
        try:
            body = text.encode("utf-8")
        except UnicodeEncodeError:
            body = text
    decrypt = _reverse_decrypt if with_decrypt else None
    ours = parse(envelope_impl, body, decrypt, official_file_url)
    pure = parse(PURE, body, decrypt, official_file_url)
    assert ours[:2] == pure[:2]
    assert snapshot(ours[2]) == snapshot(pure[2])
    assert repr(ours[3]) == repr(pure[3])
    assert len(ours[2]) + len(ours[3]) == len(envelope_items)


# --- encoding ---------------------------------------------------------------------------------------------

def test_encode_exact(envelope_impl):
    items = [
        {"a": "3", "f": 514, "i": "u/1", "p": {"t": "17000000000000001", "r": 31}, "k": "demo", "c": "ch",
         "d": {"text": "héllo", "n": [1, 2.5, None, True]}, "b": "ch", "u": {"m": 1}, "cmt": "chat"},
        {"a": "3", "f": 0, "e": 1, "p": {"t": "17000000000000002", "r": 31}, "k": "demo", "c": "ch", "d": "typing"},
    ]
    body = envelope_impl.encode_subscribe("17000000000000002", 31, items)
    assert body == (b'{"t":{"t":"17000000000000002","r":31},"m":[{"a":"3","f":514,"i":"u/1",'
                    b'"p":{"t":"17000000000000001","r":31},"k":"demo","c":"ch","d":{"text":"h\\u00e9llo",'
                    b'"n":[1,2.5,null,true]},"b":"ch","u":{"m":1},"cmt":"chat"},{"a":"3","f":0,"e":1,'
                    b'"p":{"t":"17000000000000002","r":31},"k":"demo","c":"ch","d":"typing"}]}')
    assert envelope_impl.encode_subscribe(17000000000000002, 31, items) == body
    assert envelope_impl.encode_subscribe("0", 1, []) == b'{"t":{"t":"0","r":1},"m":[]}'
    assert json.loads(body)["m"] == items


@pytest.mark.parametrize("args, error", [
    (("x1", 1, []), ValueError), (("", 1, []), ValueError), ((-1, 1, []), ValueError), ((None, 1, []), ValueError),
    (("1", "1", []), TypeError), (("1", 1, {}), TypeError), (("1", 1, [1]), TypeError),
    (("1", 1, [{"d": 1, "p": {"t": "1"}}]), ValueError), (("1", 1, [{"c": "ch", "p": {"t": "1"}}]), ValueError),
    (("1", 1, [{"c": "ch", "d": 1}]), ValueError), (("1", 1, [{"c": "ch", "d": 1, "p": {}}]), ValueError),
    (("1", 1, [{"c": "ch", "d": float("nan"), "p": {"t": "1"}}]), ValueError),
    (("1", 1, [{"c": "ch", "d": float("inf"), "p": {"t": "1"}}]), ValueError),
    (("1", 1, [{"c": "ch", "d": {1, 2}, "p": {"t": "1"}}]), TypeError),
])
def test_encode_refuses(envelope_impl, args, error):
    with pytest.raises(error):
        envelope_impl.encode_subscribe(*args)


wire_items = st.fixed_dictionaries(
    {"c": st.text(min_size=1, max_size=8).filter(lambda c: "-pnpres" not in c),
     "d": json_values,
     "p": st.fixed_dictionaries({"t": st.integers(0, 10 ** 17).map(str), "r": st.integers(0, 60)})},
    optional={"a": st.text(max_size=2), "b": st.text(max_size=8), "f": st.integers(0, 600),
              "i": st.text(max_size=8), "k": st.text(max_size=8), "u": json_values, "cmt": st.text(max_size=8),
              "e": st.sampled_from([0, 1])},
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timetoken=st.integers(0, 10 ** 18), region=st.integers(0, 100), wire=st.lists(wire_items, max_size=8))
def test_encode_parse_round_trip(envelope_impl, timetoken, region, wire):
    body = envelope_impl.encode_subscribe(str(timetoken), region, wire)
    assert body == PURE.encode_subscribe(timetoken, region, wire)
    assert body.isascii()
    assert json.loads(body) == {"t": {"t": str(timetoken), "r": region}, "m": wire}
    parsed_timetoken, parsed_region, events, skipped = parse(envelope_impl, body)
    assert (parsed_timetoken, parsed_region, skipped) == (str(timetoken), region, [])
    assert len(events) == len(wire)
    for (method, result), item in zip(events, wire):
        assert method == ("signal" if item.get("e") == 1 else "message")
        assert result.channel == item["c"]
        assert result.message == item["d"]
        assert result.timetoken == int(item["p"]["t"])
        assert result.subscription == (None if item.get("b") in (None, item["c"]) else item["b"])
        assert (result.publisher, result.user_metadata, result.custom_message_type) == (
            item.get("i"), item.get("u"), item.get("cmt"))


# --- decryption fast path == the crypto module ---------------------------------------------------------

def _module(kind, random_iv):
    config = _config("enigma", random_iv)
    return (LegacyCryptoModule if kind == "legacy" else AesCbcCryptoModule)(config)


plaintexts = st.one_of(json_values.map(json.dumps), st.text(max_size=20), st.just(" {} "), st.just("01"),
                       st.just('"\\ud800"'), st.just("[1,]"), st.just("NaN"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["legacy", "acrh"]), random_iv=st.booleans(), plaintext=plaintexts,
       corrupt=st.sampled_from([None, "flip", "truncate", "prefix"]), key=st.sampled_from(["enigma", "other"]))
def test_fast_decrypt_equals_module_decrypt(envelope_impl, kind, random_iv, plaintext, corrupt, key):
    assume(plaintext)
    encrypting = _module(kind, random_iv)
    if key != "enigma":
        encrypting = (LegacyCryptoModule if kind == "legacy" else AesCbcCryptoModule)(_config(key, random_iv))
    ciphertext = encrypting.encrypt(plaintext)
    if corrupt == "flip":
        raw = bytearray(base64.b64decode(ciphertext))
        raw[-1] ^= 1
        ciphertext = base64.b64encode(bytes(raw)).decode()
    elif corrupt == "truncate":
        ciphertext = ciphertext[:-4]
    elif corrupt == "prefix":
        ciphertext = "UE5FR" + ciphertext
    decrypting = _module("legacy", random_iv)
    body = _body(_item(d=ciphertext), _item(e=4, d=ciphertext))
    fast = envelope_impl.parse_subscribe(body, decrypting.decrypt)[2]
    reference = PURE.parse_subscribe(body, lambda value: decrypting.decrypt(value))[2]
    assert snapshot(fast) == snapshot(reference)


@pytest.mark.parametrize("kind", ["legacy", "acrh"])
def test_a_cryptor_overriding_its_decrypt_hook_is_still_called(envelope_impl, kind):
    """The compiled twin calls the built-in cryptors' base64 decryption directly (no Python
    frame); a cryptor whose hook is overridden must still go through its own hook."""
    encrypting = _module(kind, True)
    decrypting = _module("legacy", True)
    cryptor_id = decrypting.FALLBACK_CRYPTOR_ID if kind == "legacy" else "ACRH"
    cryptor = decrypting.cryptor_map[cryptor_id]
    calls = []

    class Recording(type(cryptor)):
        def _decrypt_message_b64(self, text):
            calls.append(text)
            return super()._decrypt_message_b64(text)

    cryptor.__class__ = Recording
    ciphertext = encrypting.encrypt(json.dumps({"a": [1, "two"]}))
    events = envelope_impl.parse_subscribe(_body(_item(d=ciphertext)), decrypting.decrypt)[2]
    assert events[0][1].message == {"a": [1, "two"]} and events[0][1].error is None
    assert calls == [ciphertext]


def test_the_cryptors_iv_rule_and_key_are_read_per_response(envelope_impl):
    """What the compiled twin's direct decryption takes from the cryptor (key, static or random
    IV) is read for every body, so a changed cryptor is honoured from the next response on."""
    random_iv = _module("legacy", True)
    static_iv = _module("legacy", False)
    module = _module("legacy", True)
    legacy = module.cryptor_map[module.FALLBACK_CRYPTOR_ID]
    body_random = _body(_item(d=random_iv.encrypt('"random"')))
    body_static = _body(_item(d=static_iv.encrypt('"static"')))
    assert envelope_impl.parse_subscribe(body_random, module.decrypt)[2][0][1].message == "random"
    assert envelope_impl.parse_subscribe(body_static, module.decrypt)[2][0][1].error is not None
    legacy.use_random_iv = False
    assert envelope_impl.parse_subscribe(body_static, module.decrypt)[2][0][1].message == "static"
    other = _module("legacy", False)
    other_key = (LegacyCryptoModule)(_config("other", False))
    assert envelope_impl.parse_subscribe(_body(_item(d=other_key.encrypt('"x"'))), other.decrypt)[2][0][1].error \
        is not None


# --- encode_item / frame_subscribe: what the server builds subscribe bodies with -----------------

def test_encode_item_and_frame_make_the_encode_subscribe_body(envelope_impl):
    items = [{"a": "1", "f": 0, "p": {"t": "17000000000000001", "r": 1}, "k": "k", "c": "ch", "d": {"x": "é/✓"}}]
    framed = envelope_impl.frame_subscribe("17000000000000002", 1, [envelope_impl.encode_item(i) for i in items])
    assert framed == envelope_impl.encode_subscribe("17000000000000002", 1, items)
    assert framed.isascii() and b"\\/" not in framed
    timetoken, region, events = envelope_impl.parse_subscribe(framed)
    assert (timetoken, region, events[0][1].message) == ("17000000000000002", 1, {"x": "é/✓"})


def test_payloads_ujson_refuses_still_encode(envelope_impl):
    # integers beyond 64 bits and lone surrogates are valid JSON the server accepts from publishers
    item = {"p": {"t": "1", "r": 1}, "c": "ch", "d": {"big": 2 ** 80, "neg": -(2 ** 70), "s": "\ud800"}}
    encoded = envelope_impl.encode_item(item)
    import json

    assert json.loads(encoded) == item
    with pytest.raises(ValueError):
        envelope_impl.encode_item({"d": float("nan")})
    with pytest.raises(ValueError):
        envelope_impl.frame_subscribe("12a", 1, [])
    with pytest.raises(TypeError):
        envelope_impl.frame_subscribe("12", "1", [])


@pytest.mark.parametrize("document", [b"01", b"[1,]", b"{'a': 1}", b"\xff", "[1, 2", b"nul"])
def test_loads_strict_refuses_what_json_refuses(envelope_impl, document):
    import json

    with pytest.raises(ValueError):
        json.loads(document)
    with pytest.raises(ValueError):
        envelope_impl.loads_strict(document)


@pytest.mark.parametrize("document", [b'{"a": [1, 2.5, "x\\u00e9", null, true]}', b"NaN", b" 7 ", "\"\\ud800\"",
                                      b"123456789012345678901234567890", b"-0.0"])
def test_loads_strict_equals_json(envelope_impl, document):
    import json

    expected = json.loads(document)
    got = envelope_impl.loads_strict(document)
    assert repr(got) == repr(expected)
