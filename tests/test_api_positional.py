"""Endpoint factories take PubNub SDK 10.8's positional arguments, in 10.8's order.

Each call is made positionally on pubnub_fast and on the official SDK (``pubnub==10.8.0``,
test-only peer); the request each builds — method, path, query and body — must be the same
(compared decoded, since pubnub_fast percent-encodes every value exactly once, decisions §17).
"""
import json
from urllib.parse import unquote

import pytest

pubnub = pytest.importorskip("pubnub")

from pubnub.pnconfiguration import PNConfiguration as OfficialConfig  # noqa: E402
from pubnub.pubnub import PubNub as OfficialPubNub  # noqa: E402

from tests.client_stub import StubbedClient  # noqa: E402


def _ns(package):
    """The names the argument builders need, from ``pubnub`` or ``pubnub_fast``."""
    import importlib

    def load(module, name):
        return getattr(importlib.import_module(package + module), name)

    return {
        "PNUUID": load(".models.consumer.objects_v2.channel_members", "PNUUID"),
        "PNChannelMembership": load(".models.consumer.objects_v2.memberships", "PNChannelMembership"),
        "PNMessageAction": load(".models.consumer.message_actions", "PNMessageAction"),
        "PNPushType": load(".enums", "PNPushType"),
        "PNPushEnvironment": load(".enums", "PNPushEnvironment"),
        "Channel": load(".models.consumer.v3.channel", "Channel"),
        "Next": load(".models.consumer.objects_v2.page", "Next"),
    }


def _action(ns):
    action = ns["PNMessageAction"]()
    action.type, action.value, action.message_timetoken = "reaction", "smile", "15000000000000000"
    return action


#: (factory, lambda ns: positional args)
CALLS = [
    ("publish", lambda ns: ("ch", {"a": 1})),
    ("publish", lambda ns: ("ch", "hi", False, False, {"m": 1}, False, 123, 5, "txt")),
    ("publish", lambda ns: ("ch", ["x"], True, True)),
    ("fire", lambda ns: ("ch", {"m": "x"})),
    ("signal", lambda ns: ("ch", "sig", "typing")),
    ("here_now", lambda ns: (["a", "b"], None, True, False)),
    ("here_now", lambda ns: (None, "grp")),
    ("where_now", lambda ns: ("someone",)),
    ("set_state", lambda ns: ("ch", None, {"mood": "ok"})),
    ("get_state", lambda ns: (["a", "b"], None, "other")),
    ("add_channel_to_channel_group", lambda ns: (["a", "b"], "grp")),
    ("remove_channel_from_channel_group", lambda ns: ("a", "grp")),
    ("list_channels_in_channel_group", lambda ns: ("grp",)),
    ("fetch_messages", lambda ns: ("ch", 15000000000000000, 15000000000000099, 10, True, False, True, True)),
    ("fetch_messages", lambda ns: (["a", "b"],)),
    ("delete_messages", lambda ns: ("ch", 15000000000000000, 15000000000000099)),
    ("message_counts", lambda ns: (["a", "b"], [15000000000000000, 15000000000000001])),
    ("add_message_action", lambda ns: ("ch", _action(ns))),
    ("get_message_actions", lambda ns: ("ch", "15000000000000099", None, "10")),
    ("remove_message_action", lambda ns: ("ch", 15000000000000000, 15000000000000001)),
    ("add_channels_to_push", lambda ns: (["a", "b"], "device1", ns["PNPushType"].FCM)),
    ("remove_channels_from_push", lambda ns: (["a"], "device1", ns["PNPushType"].APNS2, "topic.x",
                                              ns["PNPushEnvironment"].PRODUCTION)),
    ("list_push_channels", lambda ns: ("device1", ns["PNPushType"].FCM)),
    ("remove_device_from_push", lambda ns: ("device1", ns["PNPushType"].APNS2, "topic.x")),
    ("set_uuid_metadata", lambda ns: ("u1", None, {"a": 1}, True, True, "active", "admin", "Name", "e@x",
                                      "ext", "http://p")),
    ("set_uuid_metadata", lambda ns: ("u1", True, {"a": 1})),
    ("get_uuid_metadata", lambda ns: ("u1",)),
    ("get_uuid_metadata", lambda ns: ("u1", True, False, True)),
    ("remove_uuid_metadata", lambda ns: ("u1",)),
    ("get_all_uuid_metadata", lambda ns: (True, False, True, 10, "name == 'x'", True)),
    ("set_channel_metadata", lambda ns: ("c1", {"a": 1}, False, True, True, "N", "D", "st", "ty")),
    ("get_channel_metadata", lambda ns: ("c1", True)),
    ("remove_channel_metadata", lambda ns: ("c1",)),
    ("get_all_channel_metadata", lambda ns: (False, True, False, 5, None, True, None, ns["Next"]("MQ"))),
    ("set_channel_members", lambda ns: ("c1", [ns["PNUUID"].uuid("a"), ns["PNUUID"].uuid_with_custom("b", {"x": 1})])),
    ("get_channel_members", lambda ns: ("c1", True, 10)),
    ("remove_channel_members", lambda ns: ("c1", [ns["PNUUID"].uuid("a")])),
    ("manage_channel_members", lambda ns: ("c1", [ns["PNUUID"].uuid("a")], [ns["PNUUID"].uuid("b")])),
    ("set_memberships", lambda ns: ("u1", [ns["PNChannelMembership"].channel("c")])),
    ("get_memberships", lambda ns: ("u1", True, 10)),
    ("manage_memberships", lambda ns: ("u1", [ns["PNChannelMembership"].channel("c")],
                                       [ns["PNChannelMembership"].channel("d")])),
    ("list_files", lambda ns: ("ch",)),
    ("get_file_url", lambda ns: ("ch", "name.txt", "id-1")),
    ("delete_file", lambda ns: ("ch", "name.txt", "id-1")),
    ("grant_token", lambda ns: ([ns["Channel"].id("a").read()], None, None, None, "authorized", 15)),
    ("revoke_token", lambda ns: ("token-1",)),
]

_IGNORED_PARAMS = {"pnsdk", "uuid", "auth", "signature", "timestamp", "requestid"}


def _official_request(name, args):
    config = OfficialConfig()
    config.subscribe_key, config.publish_key, config.secret_key = "sub-c-demo", "pub-c-demo", "sec-c-demo"
    config.user_id = "vector-uuid"
    config.enable_subscribe = False
    client = OfficialPubNub(config)  # with enable_subscribe=False it starts no thread
    endpoint = getattr(client, name)(*args)
    endpoint.validate_params()
    params = dict(endpoint.custom_params())
    params.update(endpoint.encoded_params())
    data = endpoint.build_data()
    return (endpoint.http_method(), unquote(endpoint.build_path()),
            {k: unquote(str(v)) for k, v in params.items() if k not in _IGNORED_PARAMS},
            json.loads(data) if data else None)


def _fast_request(name, args):
    client = StubbedClient(secret_key="sec-c-demo")
    options = getattr(client.pubnub, name)(*args).options()
    from pubnub_fast.enums import HttpMethod

    body = options.body
    return (HttpMethod(options.method), unquote(options.path),
            {k: v for k, v in options.params.items() if k not in _IGNORED_PARAMS},
            json.loads(body) if body else None)


def _normalise(request):
    method, path, params, body = request
    return int(method), path, params, body


@pytest.mark.parametrize("name,make_args", CALLS, ids=["%s-%d" % (c[0], i) for i, c in enumerate(CALLS)])
def test_positional_call_builds_the_official_request(name, make_args):
    fast = _normalise(_fast_request(name, make_args(_ns("pubnub_fast"))))
    official = _normalise(_official_request(name, make_args(_ns("pubnub"))))
    assert fast == official


def test_every_positional_factory_is_covered():
    import inspect

    from pubnub.pubnub_core import PubNubCore as OfficialCore

    covered = {name for name, _ in CALLS}
    wanted = set()
    for name, function in vars(OfficialCore).items():
        if name.startswith("_") or not inspect.isfunction(function):
            continue
        positional = [p for p in list(inspect.signature(function).parameters.values())[1:]
                      if p.kind is p.POSITIONAL_OR_KEYWORD]
        if positional and "Endpoint" not in str(inspect.signature(function).return_annotation) \
                and name not in {"add_listener", "remove_listener", "decrypt", "encrypt", "parse_token",
                                 "set_token", "channel", "channel_group", "channel_metadata", "user_metadata",
                                 "subscription_set"}:
            wanted.add(name)
    assert wanted - covered == set()
