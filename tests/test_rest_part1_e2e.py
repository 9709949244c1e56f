"""Issue 6 end to end: pubnub_fast clients against the in-process local server over loopback HTTP.

Every REST part 1 endpoint — presence (here_now, where_now, set_state/get_state, heartbeat),
channel groups, storage (history, fetch_messages, delete_messages, message_counts) and message
actions — through the public client API, in both invocation styles and with the v10 keyword
factories; client-side validation (the documented ``PNERR_*``) and the server's error answers
turned into statuses.
"""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.channel_group import (
    PNChannelGroupsAddChannelResult,
    PNChannelGroupsListResult,
    PNChannelGroupsRemoveChannelResult,
    PNChannelGroupsRemoveGroupResult,
)
from pubnub_fast.models.consumer.history import PNFetchMessagesResult, PNHistoryResult
from pubnub_fast.models.consumer.message_actions import (
    PNAddMessageActionResult,
    PNGetMessageActionsResult,
    PNMessageAction,
)
from pubnub_fast.models.consumer.presence import PNGetStateResult, PNHereNowResult, PNSetStateResult, PNWhereNowResult
from pubnub_fast.server import start_server
from tests.e2e_support import WAIT, failed, local_server_fixture, subscribed

pytestmark = pytest.mark.integration

C = PNStatusCategory
OP = PNOperationType


server = local_server_fixture()


def pn_async(builder):
    """Run ``builder.pn_async`` and fire with ``(result, status)``."""
    done = defer.Deferred()
    builder.pn_async(lambda result, status: done.callback((result, status)))
    return done.addTimeout(WAIT, reactor)


async def publish_all(pubnub, channel, messages, **options):
    timetokens = []
    for message in messages:
        builder = pubnub.publish().channel(channel).message(message)
        for name, value in options.items():
            getattr(builder, name)(value)
        timetokens.append((await builder.deferred()).result.timetoken)
    return timetokens


def occupants(channel_data):
    return sorted((o.uuid, o.state) for o in channel_data.occupants)


# -- presence ---------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_here_now_single_multi_global_state_uuids_limit_and_groups(make_client):
    alice, bob = make_client("alice"), make_client("bob")
    beat = await alice.heartbeat().channels(["room", "hall"]).deferred()
    assert beat.result is True and beat.status.operation == OP.PNHeartbeatOperation
    await bob.heartbeat(channels=["room"]).deferred()

    single = (await bob.here_now().channels(["room"]).deferred()).result
    assert isinstance(single, PNHereNowResult)
    assert (single.total_channels, single.total_occupancy) == (1, 2)
    (room,) = single.channels
    assert (room.channel_name, room.occupancy) == ("room", 2)
    assert occupants(room) == [("alice", None), ("bob", None)]

    multi = (await bob.here_now().channels(["room", "hall"]).deferred()).result
    assert (multi.total_channels, multi.total_occupancy) == (2, 3)
    by_name = {data.channel_name: data for data in multi.channels}
    assert occupants(by_name["hall"]) == [("alice", None)] and by_name["room"].occupancy == 2

    everywhere = (await bob.here_now().deferred()).result  # global: no channels, no groups
    assert (everywhere.total_channels, everywhere.total_occupancy) == (2, 3)
    assert sorted(data.channel_name for data in everywhere.channels) == ["hall", "room"]

    stored = (await alice.set_state().channels(["room"]).state({"mood": "ok"}).deferred()).result
    assert isinstance(stored, PNSetStateResult) and stored.state == {"mood": "ok"}
    with_state = (await bob.here_now(channels=["room"], include_state=True).deferred()).result
    assert occupants(with_state.channels[0]) == [("alice", {"mood": "ok"}), ("bob", None)]
    multi_state = (await bob.here_now().channels(["room", "hall"]).include_state(True).deferred()).result
    by_name = {data.channel_name: data for data in multi_state.channels}
    assert occupants(by_name["room"]) == [("alice", {"mood": "ok"}), ("bob", None)]

    counts_only = (await bob.here_now().channels(["room"]).include_uuids(False).deferred()).result
    assert counts_only.total_occupancy == 2 and counts_only.channels[0].occupants == []
    multi_counts = (await bob.here_now().channels(["room", "hall"]).include_uuids(False).deferred()).result
    assert sorted((d.channel_name, d.occupancy, d.occupants) for d in multi_counts.channels) == [
        ("hall", 1, None), ("room", 2, None)]

    paged = (await bob.here_now().channels(["room"]).limit(1).offset(1).deferred()).result
    assert paged.channels[0].occupancy == 2 and len(paged.channels[0].occupants) == 1

    empty = (await bob.here_now().channels(["nobody-here"]).deferred()).result
    assert (empty.total_channels, empty.total_occupancy) == (1, 0)
    assert (empty.channels[0].channel_name, empty.channels[0].occupants) == ("nobody-here", [])

    await alice.add_channel_to_channel_group().channel_group("places").channels(["hall"]).deferred()
    via_group = (await bob.here_now().channel_groups(["places"]).deferred()).result
    assert [(d.channel_name, d.occupancy) for d in via_group.channels] == [("hall", 1)]


@pytest_twisted.ensureDeferred
async def test_where_now_set_state_get_state(make_client):
    alice, bob = make_client("alice"), make_client("bob")
    await alice.heartbeat().channels(["x", "y"]).deferred()
    mine = (await alice.where_now().deferred()).result
    assert isinstance(mine, PNWhereNowResult) and sorted(mine.channels) == ["x", "y"]
    assert sorted((await bob.where_now().uuid("alice").deferred()).result.channels) == ["x", "y"]
    assert (await bob.where_now(uuid="nobody").deferred()).result.channels == []
    assert (await bob.where_now().deferred()).result.channels == []

    state = {"name": "Alice", "count": 5}
    await alice.set_state().channels(["x", "y"]).state(state).deferred()
    one = (await alice.get_state().channels(["x"]).deferred()).result
    assert isinstance(one, PNGetStateResult) and one.channels == {"x": state}
    both = (await alice.get_state(channels=["x", "y"]).deferred()).result
    assert both.channels == {"x": state, "y": state}
    other = (await bob.get_state().channels(["x"]).uuid("alice").deferred()).result
    assert other.channels == {"x": state}
    await bob.add_channel_to_channel_group().channel_group("xs").channels(["x"]).deferred()
    grouped = (await bob.get_state().channel_groups(["xs"]).uuid("alice").deferred()).result
    assert grouped.channels == {"x": state}
    assert (await bob.get_state().channels(["x"]).deferred()).result.channels == {"x": {}}


@pytest_twisted.ensureDeferred
async def test_state_change_reaches_presence_subscribers(make_client):
    watcher, alice = make_client("watcher"), make_client("alice")
    events = await subscribed(watcher, ["lobby"], presence=True)
    await subscribed(alice, ["lobby"])
    await events.wait(lambda e: any(p.event == "join" and p.uuid == "alice" for p in e.of("presence")))
    await alice.set_state().channels(["lobby"]).state({"typing": True}).deferred()
    await events.wait(lambda e: any(p.event == "state-change" for p in e.of("presence")))
    change = next(p for p in events.of("presence") if p.event == "state-change")
    assert (change.uuid, change.channel, change.state) == ("alice", "lobby", {"typing": True})
    seen = (await watcher.here_now().channels(["lobby"]).include_state(True).deferred()).result
    assert ("alice", {"typing": True}) in occupants(seen.channels[0])


# -- channel groups ---------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_channel_groups_round_trip_and_subscribe_through_a_group(make_client):
    admin, listener = make_client("admin"), make_client("listener")
    added = await admin.add_channel_to_channel_group().channel_group("grp").channels(["c1", "c2"]).deferred()
    assert isinstance(added.result, PNChannelGroupsAddChannelResult)
    assert added.status.operation == OP.PNAddChannelsToGroupOperation and not added.status.is_error()
    listed = (await admin.list_channels_in_channel_group().channel_group("grp").deferred()).result
    assert isinstance(listed, PNChannelGroupsListResult) and listed.channels == ["c1", "c2"]
    removed = await admin.remove_channel_from_channel_group(channel_group="grp", channels=["c1"]).deferred()
    assert isinstance(removed.result, PNChannelGroupsRemoveChannelResult)
    assert (await admin.list_channels_in_channel_group(channel_group="grp").deferred()).result.channels == ["c2"]

    events = await subscribed(listener, groups=["grp"])
    await admin.publish().channel("c2").message("via group").deferred()
    await events.wait_for("message", 1)
    await admin.add_channel_to_channel_group().channel_group("grp").channels("c3").deferred()  # live
    await admin.publish().channel("c3").message("added later").deferred()
    await admin.publish().channel("c1").message("not a member").deferred()
    await events.wait_for("message", 2)
    got = [(m.channel, m.subscription, m.message) for m in events.of("message")]
    assert got == [("c2", "grp", "via group"), ("c3", "grp", "added later")]

    gone = await admin.remove_channel_group().channel_group("grp").deferred()
    assert isinstance(gone.result, PNChannelGroupsRemoveGroupResult)
    assert (await admin.list_channels_in_channel_group().channel_group("grp").deferred()).result.channels == []


# -- storage ----------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_history_count_start_end_reverse_timetokens_and_meta(make_client):
    pubnub = make_client("historian")
    tts = []
    for n in range(6):
        tts.append((await pubnub.publish().channel("h").message("m%d" % n).meta({"n": n}).deferred())
                   .result.timetoken)
    everything = (await pubnub.history().channel("h").deferred()).result
    assert isinstance(everything, PNHistoryResult)
    assert [item.entry for item in everything.messages] == ["m%d" % n for n in range(6)]
    assert (everything.start_timetoken, everything.end_timetoken) == (tts[0], tts[-1])
    assert everything.messages[0].timetoken is None and everything.messages[0].meta is None

    newest = (await pubnub.history().channel("h").count(2).deferred()).result
    assert [item.entry for item in newest.messages] == ["m4", "m5"]
    oldest = (await pubnub.history().channel("h").count(2).reverse(True).deferred()).result
    assert [item.entry for item in oldest.messages] == ["m0", "m1"]
    before = (await pubnub.history().channel("h").start(tts[3]).deferred()).result
    assert [item.entry for item in before.messages] == ["m0", "m1", "m2"]
    since = (await pubnub.history().channel("h").end(tts[4]).deferred()).result
    assert [item.entry for item in since.messages] == ["m4", "m5"]
    between = (await pubnub.history(channel="h", start=tts[4], end=tts[1]).deferred()).result
    assert [item.entry for item in between.messages] == ["m1", "m2", "m3"]
    detailed = (await pubnub.history().channel("h").count(2).include_timetoken(True).include_meta(True)
                .deferred()).result
    assert [(i.entry, i.timetoken, i.meta) for i in detailed.messages] == [
        ("m4", tts[4], {"n": 4}), ("m5", tts[5], {"n": 5})]
    assert (await pubnub.history().channel("never-used").deferred()).result.messages == []


@pytest_twisted.ensureDeferred
async def test_encrypted_history_and_fetch_are_decrypted_with_the_cipher_key(make_client):
    writer = make_client("writer", cipher_key="enigma")
    plain = make_client("plain")
    wrong = make_client("wrong", cipher_key="not enigma")
    await publish_all(writer, "vault", [{"n": 1}, "two"])
    history = (await writer.history().channel("vault").deferred()).result
    assert [(i.entry, i.error) for i in history.messages] == [({"n": 1}, None), ("two", None)]
    raw = (await plain.history().channel("vault").deferred()).result
    assert all(isinstance(i.entry, str) and i.entry not in ("two",) for i in raw.messages)
    garbled = (await wrong.history().channel("vault").deferred()).result
    assert all(i.error is not None for i in garbled.messages)

    undecrypted = (await writer.fetch_messages().channels(["vault"]).deferred()).result
    assert all(isinstance(i.message, str) for i in undecrypted.channels["vault"])
    decrypted = (await writer.fetch_messages().channels(["vault"]).decrypt_messages().deferred()).result
    assert [(i.message, i.error) for i in decrypted.channels["vault"]] == [({"n": 1}, None), ("two", None)]


@pytest_twisted.ensureDeferred
async def test_fetch_messages_multi_channel_limits_and_include_flags(make_client):
    pubnub = make_client("fetcher")
    one = await publish_all(pubnub, "f1", ["a", "b", "c"], meta={"k": "v"}, custom_message_type="chat-msg")
    two = await publish_all(pubnub, "f2", ["x", "y"])
    result = (await pubnub.fetch_messages().channels(["f1", "f2", "f-empty"]).deferred()).result
    assert isinstance(result, PNFetchMessagesResult)
    assert {ch: [i.message for i in items] for ch, items in result.channels.items()} == {
        "f1": ["a", "b", "c"], "f2": ["x", "y"]}
    assert [int(i.timetoken) for i in result.channels["f1"]] == one
    assert result.channels["f1"][0].meta is None and result.channels["f1"][0].actions is None

    limited = (await pubnub.fetch_messages(channels=["f1", "f2"], count=1).deferred()).result
    assert {ch: [i.message for i in items] for ch, items in limited.channels.items()} == {"f1": ["c"], "f2": ["y"]}

    envelope = await (pubnub.fetch_messages().channels("f1,f2").include_meta(True).include_uuid(True)
                      .include_message_type(True).include_custom_message_type(True).deferred())
    first = envelope.result.channels["f1"][0]
    assert (first.meta, first.uuid, first.message_type, first.custom_message_type) == (
        {"k": "v"}, "fetcher", None, "chat-msg")
    assert envelope.result.channels["f2"][0].custom_message_type is None
    assert "message_type" in envelope.raw_result["channels"]["f1"][0]  # sent (null for a plain message)
    bare = await (pubnub.fetch_messages().channels(["f1"]).include_uuid(False).include_message_type(False)
                  .deferred())
    assert "uuid" not in bare.raw_result["channels"]["f1"][0]
    assert "message_type" not in bare.raw_result["channels"]["f1"][0]

    ranged = (await pubnub.fetch_messages().channels(["f1"]).start(one[2]).end(one[0]).deferred()).result
    assert [i.message for i in ranged.channels["f1"]] == ["a", "b"]
    assert (ranged.start_timetoken, ranged.end_timetoken) == (one[2], one[0])
    assert two[0] < two[1]


@pytest_twisted.ensureDeferred
async def test_fetch_with_message_actions_and_more(make_client):
    pubnub = make_client("fan")
    tts = await publish_all(pubnub, "fa", ["m0", "m1", "m2", "m3"])
    for value in ("smile", "wave"):
        await pubnub.add_message_action().channel("fa").message_action(
            PNMessageAction.create(type="reaction", value=value, message_timetoken=tts[3])).deferred()
    result = (await pubnub.fetch_messages().channels(["fa"]).include_message_actions(True).deferred()).result
    items = result.channels["fa"]
    assert [i.message for i in items] == ["m0", "m1", "m2", "m3"] and result.more is None
    assert items[0].actions == {}
    assert {value: [a["uuid"] for a in entries] for value, entries in items[3].actions["reaction"].items()} == {
        "smile": ["fan"], "wave": ["fan"]}

    page = (await pubnub.fetch_messages().channels(["fa"]).include_message_actions(True).count(3).deferred()).result
    assert [i.message for i in page.channels["fa"]] == ["m1", "m2", "m3"]
    assert page.more["start"] == str(tts[1]) and page.more["max"] == 3
    rest = (await pubnub.fetch_messages().channels(["fa"]).include_message_actions(True).count(3)
            .start(page.more["start"]).deferred()).result
    assert [i.message for i in rest.channels["fa"]] == ["m0"] and rest.more is None


@pytest_twisted.ensureDeferred
async def test_delete_messages_and_message_counts(make_client):
    pubnub = make_client("janitor")
    tts = await publish_all(pubnub, "d", ["m0", "m1", "m2", "m3"])
    other = await publish_all(pubnub, "d2", ["z"])
    counts = (await pubnub.message_counts().channel("d").channel_timetokens([tts[0]]).deferred()).result
    assert counts.channels == {"d": 3}
    both = (await pubnub.message_counts(channels=["d", "d2"], channels_timetoken=[tts[1], other[0] - 1])
            .deferred()).result
    assert both.channels == {"d": 2, "d2": 1}

    deleted = await pubnub.delete_messages().channel("d").start(tts[0]).end(tts[1]).deferred()
    assert deleted.result == {} and deleted.status.operation == OP.PNHistoryDeleteOperation
    left = (await pubnub.history().channel("d").deferred()).result
    assert [i.entry for i in left.messages] == ["m0", "m2", "m3"]  # start < tt <= end
    counts = (await pubnub.message_counts().channel("d").channel_timetokens(["1"]).deferred()).result
    assert counts.channels == {"d": 3}
    await pubnub.delete_messages(channel="d").deferred()
    assert (await pubnub.history().channel("d").deferred()).result.messages == []
    assert [i.entry for i in (await pubnub.history().channel("d2").deferred()).result.messages] == ["z"]


# -- message actions --------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_message_actions_add_get_page_remove_and_listener_events(make_client):
    watcher, author, fan = make_client("watcher"), make_client("author"), make_client("fan")
    events = await subscribed(watcher, ["ma"])
    mtt = (await author.publish().channel("ma").message("react to me").deferred()).result.timetoken
    await events.wait_for("message", 1)

    action = PNMessageAction()
    action.type, action.value, action.message_timetoken = "reaction", "smiley_face", mtt
    added = await fan.add_message_action().channel("ma").message_action(action).deferred()
    assert isinstance(added.result, PNAddMessageActionResult)
    assert added.status.operation == OP.PNAddMessageAction
    first = added.result
    assert (first.type, first.value, first.uuid, first.message_timetoken) == (
        "reaction", "smiley_face", "fan", str(mtt))
    assert int(first.action_timetoken) > mtt

    await events.wait_for("message_action", 1)
    heard = events.of("message_action")[0]
    assert (heard.type, heard.value, heard.uuid, heard.message_timetoken, heard.action_timetoken) == (
        "reaction", "smiley_face", "fan", str(mtt), first.action_timetoken)
    assert (heard.channel, heard.subscription, heard.event) == ("ma", None, "added")  # b == c: no group

    values = ["a%d" % n for n in range(4)]
    for value in values:
        await fan.add_message_action(channel="ma", message_action=PNMessageAction.create(
            type="receipt", value=value, message_timetoken=str(mtt))).deferred()
    listed = (await author.get_message_actions().channel("ma").deferred()).result
    assert isinstance(listed, PNGetMessageActionsResult) and listed.more is None
    assert [a.value for a in listed.actions] == ["smiley_face"] + values

    pages, builder = [], author.get_message_actions().channel("ma").limit(2)
    while True:
        page = (await builder.deferred()).result
        pages.append([a.value for a in page.actions])
        if page.more is None:
            break
        assert set(page.more) == {"url", "start", "end", "limit"} and page.more["limit"] == 2
        builder = author.get_message_actions(channel="ma", start=page.more["start"], limit=page.more["limit"])
    assert pages == [["a2", "a3"], ["a0", "a1"], ["smiley_face"]]
    window = (await author.get_message_actions().channel("ma").end(listed.actions[3].action_timetoken)
              .deferred()).result
    assert [a.value for a in window.actions] == ["a2", "a3"]

    removed = await fan.remove_message_action().channel("ma").message_timetoken(mtt) \
        .action_timetoken(first.action_timetoken).deferred()
    assert removed.result == {} and removed.status.operation == OP.PNDeleteMessageAction
    await events.wait(lambda e: any(a.event == "removed" for a in e.of("message_action")))
    gone = next(a for a in events.of("message_action") if a.event == "removed")
    assert (gone.type, gone.value, gone.action_timetoken, gone.uuid) == (
        "reaction", "smiley_face", first.action_timetoken, "fan")
    after = (await author.get_message_actions().channel("ma").deferred()).result
    assert [a.value for a in after.actions] == values
    # actions are events, never messages: the listener heard one message, history holds one
    assert len(events.of("message")) == 1
    assert [i.entry for i in (await author.history().channel("ma").deferred()).result.messages] == ["react to me"]

    with pytest.raises(PubNubTwistedException) as duplicate:
        await fan.add_message_action().channel("ma").message_action(
            PNMessageAction.create(type="receipt", value="a0", message_timetoken=mtt)).deferred()
    status = duplicate.value.status
    assert status.is_error() and status.status_code == 409 and status.operation == OP.PNAddMessageAction
    assert status.category == C.PNUnknownCategory
    assert status.error_data.exception.get_error_message()["message"] == "Action Already Added"


# -- invocation styles ------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_pn_async_on_every_area(make_client):
    pubnub = make_client("async")
    tt = (await pubnub.publish().channel("pa").message("hello").deferred()).result.timetoken
    await pubnub.heartbeat().channels(["pa"]).deferred()
    calls = [
        (pubnub.here_now().channels(["pa"]), OP.PNHereNowOperation, lambda r: r.total_occupancy == 1),
        (pubnub.where_now(), OP.PNWhereNowOperation, lambda r: r.channels == ["pa"]),
        (pubnub.set_state().channels(["pa"]).state({"a": 1}), OP.PNSetStateOperation, lambda r: r.state == {"a": 1}),
        (pubnub.get_state().channels(["pa"]), OP.PNGetState, lambda r: r.channels == {"pa": {"a": 1}}),
        (pubnub.heartbeat().channels(["pa"]), OP.PNHeartbeatOperation, lambda r: r is True),
        (pubnub.add_channel_to_channel_group().channel_group("g").channels(["pa"]),
         OP.PNAddChannelsToGroupOperation, lambda r: r is not None),
        (pubnub.list_channels_in_channel_group().channel_group("g"), OP.PNChannelsForGroupOperation,
         lambda r: r.channels == ["pa"]),
        (pubnub.remove_channel_from_channel_group().channel_group("g").channels(["pa"]),
         OP.PNRemoveChannelsFromGroupOperation, lambda r: r is not None),
        (pubnub.remove_channel_group().channel_group("g"), OP.PNRemoveGroupOperation, lambda r: r is not None),
        (pubnub.history().channel("pa"), OP.PNHistoryOperation, lambda r: r.messages[0].entry == "hello"),
        (pubnub.fetch_messages().channels(["pa"]), OP.PNFetchMessagesOperation,
         lambda r: r.channels["pa"][0].message == "hello"),
        (pubnub.message_counts().channel("pa").channel_timetokens([tt - 1]), OP.PNMessageCountOperation,
         lambda r: r.channels == {"pa": 1}),
        (pubnub.add_message_action().channel("pa").message_action(
            PNMessageAction.create(type="r", value="v", message_timetoken=tt)), OP.PNAddMessageAction,
         lambda r: r.value == "v"),
        (pubnub.get_message_actions().channel("pa"), OP.PNGetMessageActions, lambda r: len(r.actions) == 1),
    ]
    for builder, operation, check in calls:
        result, status = await pn_async(builder)
        assert not status.is_error(), (operation, status)
        assert status.operation == operation and status.category == C.PNAcknowledgmentCategory
        assert check(result), (operation, result)
    action = (await pubnub.get_message_actions().channel("pa").deferred()).result.actions[0]
    result, status = await pn_async(pubnub.remove_message_action().channel("pa")
                                    .message_timetoken(action.message_timetoken)
                                    .action_timetoken(action.action_timetoken))
    assert result == {} and status.operation == OP.PNDeleteMessageAction and not status.is_error()
    result, status = await pn_async(pubnub.delete_messages().channel("pa"))
    assert result == {} and status.operation == OP.PNHistoryDeleteOperation and not status.is_error()
    assert (await pubnub.history().channel("pa").deferred()).result.messages == []


# -- bad input ----------------------------------------------------------------------------------------


def bad_inputs(pubnub):
    """``(description, build-and-send, expected pn_error)``; each raises before sending."""
    action = PNMessageAction.create(type="reaction", value="v", message_timetoken=1)
    return [
        ("history without channel", lambda: pubnub.history().deferred(), errors.PNERR_CHANNEL_MISSING),
        ("history count as str", lambda: pubnub.history().channel("c").count("5"), errors.PNERR_INVALID_ARGUMENT),
        ("history reverse as str", lambda: pubnub.history().channel("c").reverse("yes"),
         errors.PNERR_INVALID_ARGUMENT),
        ("history start not a timetoken", lambda: pubnub.history().channel("c").start("soon"),
         errors.PNERR_INVALID_ARGUMENT),
        ("fetch without channels", lambda: pubnub.fetch_messages().deferred(), errors.PNERR_CHANNEL_MISSING),
        ("fetch channels of wrong type", lambda: pubnub.fetch_messages().channels(5), errors.PNERR_INVALID_ARGUMENT),
        ("fetch with actions on two channels",
         lambda: pubnub.fetch_messages().channels(["a", "b"]).include_message_actions(True).deferred(),
         errors.PNERR_HISTORY_MESSAGE_ACTIONS_MULTIPLE_CHANNELS),
        ("fetch include_meta as int", lambda: pubnub.fetch_messages().channels("a").include_meta(1),
         errors.PNERR_INVALID_ARGUMENT),
        ("delete without channel", lambda: pubnub.delete_messages().deferred(), errors.PNERR_CHANNEL_MISSING),
        ("counts without channel", lambda: pubnub.message_counts().channel_timetokens([1]).deferred(),
         errors.PNERR_CHANNEL_MISSING),
        ("counts: 2 channels, 1 timetoken",
         lambda: pubnub.message_counts().channel(["a", "b"]).channel_timetokens([1]).deferred(),
         errors.PNERR_INVALID_ARGUMENT),
        ("counts: 1 channel, 2 timetokens",
         lambda: pubnub.message_counts().channel("a").channel_timetokens([1, 2]).deferred(),
         errors.PNERR_INVALID_ARGUMENT),
        ("counts: no timetoken", lambda: pubnub.message_counts().channel("a").deferred(),
         errors.PNERR_INVALID_ARGUMENT),
        ("here_now include_state as str", lambda: pubnub.here_now().include_state("yes"),
         errors.PNERR_INVALID_ARGUMENT),
        ("here_now negative limit", lambda: pubnub.here_now().limit(-1), errors.PNERR_INVALID_ARGUMENT),
        ("where_now uuid not a str", lambda: pubnub.where_now().uuid(5).deferred(), errors.PNERR_UUID_MISSING),
        ("heartbeat without channels", lambda: pubnub.heartbeat().deferred(), errors.PNERR_CHANNEL_OR_GROUP_MISSING),
        ("set_state without channels", lambda: pubnub.set_state().state({"a": 1}).deferred(),
         errors.PNERR_CHANNEL_OR_GROUP_MISSING),
        ("set_state on groups only", lambda: pubnub.set_state().channel_groups(["g"]).state({"a": 1}).deferred(),
         errors.PNERR_STATE_SETTER_FOR_GROUPS_NOT_SUPPORTED_YET),
        ("set_state state not a dict", lambda: pubnub.set_state().channels(["c"]).state(["a"]).deferred(),
         errors.PNERR_STATE_MISSING),
        ("get_state without channels", lambda: pubnub.get_state().deferred(), errors.PNERR_CHANNEL_OR_GROUP_MISSING),
        ("get_state uuid not a str", lambda: pubnub.get_state().channels(["c"]).uuid(7).deferred(),
         errors.PNERR_UUID_MISSING),
        ("add to group without channels", lambda: pubnub.add_channel_to_channel_group().channel_group("g").deferred(),
         errors.PNERR_CHANNELS_MISSING),
        ("add to group without group", lambda: pubnub.add_channel_to_channel_group().channels(["c"]).deferred(),
         errors.PNERR_GROUP_MISSING),
        ("remove from group without channels",
         lambda: pubnub.remove_channel_from_channel_group().channel_group("g").deferred(),
         errors.PNERR_CHANNELS_MISSING),
        ("list group without group", lambda: pubnub.list_channels_in_channel_group().deferred(),
         errors.PNERR_GROUP_MISSING),
        ("remove group, group not a str", lambda: pubnub.remove_channel_group().channel_group(3).deferred(),
         errors.PNERR_GROUP_MISSING),
        ("add action without channel", lambda: pubnub.add_message_action().message_action(action).deferred(),
         errors.PNERR_CHANNEL_MISSING),
        ("add action without action", lambda: pubnub.add_message_action().channel("c").deferred(),
         errors.PNERR_MESSAGE_ACTION_MISSING),
        ("add action without type", lambda: pubnub.add_message_action().channel("c").message_action(
            PNMessageAction.create(value="v", message_timetoken=1)).deferred(),
         errors.PNERR_MESSAGE_ACTION_TYPE_MISSING),
        ("add action without value", lambda: pubnub.add_message_action().channel("c").message_action(
            PNMessageAction.create(type="t", message_timetoken=1)).deferred(),
         errors.PNERR_MESSAGE_ACTION_VALUE_MISSING),
        ("add action without message timetoken", lambda: pubnub.add_message_action().channel("c").message_action(
            PNMessageAction.create(type="t", value="v")).deferred(), errors.PNERR_MESSAGE_TIMETOKEN_MISSING),
        ("add action of the wrong type", lambda: pubnub.add_message_action().channel("c").message_action(
            {"type": "t", "value": "v"}).deferred(), errors.PNERR_INVALID_ARGUMENT),
        ("get actions without channel", lambda: pubnub.get_message_actions().deferred(), errors.PNERR_CHANNEL_MISSING),
        ("get actions limit out of range", lambda: pubnub.get_message_actions().channel("c").limit(101),
         errors.PNERR_INVALID_ARGUMENT),
        ("remove action without message timetoken",
         lambda: pubnub.remove_message_action().channel("c").action_timetoken(1).deferred(),
         errors.PNERR_MESSAGE_TIMETOKEN_MISSING),
        ("remove action without action timetoken",
         lambda: pubnub.remove_message_action().channel("c").message_timetoken(1).deferred(),
         errors.PNERR_MESSAGE_ACTION_TIMETOKEN_MISSING),
    ]


@pytest_twisted.ensureDeferred
async def test_bad_input_raises_the_documented_pnerr_and_sends_nothing(make_client, server):
    pubnub = make_client("careless")
    for description, attempt, pn_error in bad_inputs(pubnub):
        with pytest.raises(PubNubException) as info:
            attempt()
        assert info.value._pn_error == pn_error, description
    # pn_async reports validation failures as a BadRequest status, without a request
    result, status = await pn_async(pubnub.message_counts().channel(["a", "b"]).channel_timetokens([1]))
    assert result is None and status.category == C.PNBadRequestCategory and status.status_code == 0
    assert status.operation == OP.PNMessageCountOperation
    assert status.error_data.exception._pn_error == errors.PNERR_INVALID_ARGUMENT
    assert "do not match" in str(status.error_data.exception)
    result, status = await pn_async(pubnub.fetch_messages())
    assert status.error_data.exception._pn_error == errors.PNERR_CHANNEL_MISSING
    # v10 keyword factories validate the same way
    with pytest.raises(PubNubException) as info:
        pubnub.history(count="5")
    assert info.value._pn_error == errors.PNERR_INVALID_ARGUMENT
    with pytest.raises(TypeError):
        pubnub.here_now(no_such_setting=True)
    # nothing reached the server: no stored message, no action, no group
    assert (await pubnub.fetch_messages().channels(["c", "a", "b"]).deferred()).result.channels == {}
    assert server.app.registry.groups("demo") == []


# -- server error answers -------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_server_error_answers_become_statuses_with_the_right_category(make_client):
    pubnub = make_client("rejected")
    too_long = "x" * 93
    cases = [
        (pubnub.here_now().channels([too_long]), OP.PNHereNowOperation, "Presence"),
        (pubnub.get_state().channels([too_long]), OP.PNGetState, "Presence"),
        (pubnub.list_channels_in_channel_group().channel_group(too_long), OP.PNChannelsForGroupOperation,
         "channel-registry"),
        (pubnub.add_channel_to_channel_group().channel_group("g").channels([too_long]),
         OP.PNAddChannelsToGroupOperation, "channel-registry"),
        (pubnub.history().channel(too_long), OP.PNHistoryOperation, "storage"),
        (pubnub.fetch_messages().channels([too_long, "ok"]), OP.PNFetchMessagesOperation, "storage"),
        (pubnub.delete_messages().channel(too_long), OP.PNHistoryDeleteOperation, "storage"),
        (pubnub.message_counts().channel(too_long).channel_timetokens([1]), OP.PNMessageCountOperation, "storage"),
        (pubnub.get_message_actions().channel("wild.*"), OP.PNGetMessageActions, "actions"),
        (pubnub.add_message_action().channel(too_long).message_action(
            PNMessageAction.create(type="t", value="v", message_timetoken=1)), OP.PNAddMessageAction, "actions"),
        (pubnub.add_message_action().channel("c").message_action(
            PNMessageAction.create(type="a-type-too-long-for-pubnub", value="v", message_timetoken=1)),
         OP.PNAddMessageAction, "actions"),
        (pubnub.remove_message_action().channel(too_long).message_timetoken(1).action_timetoken(2),
         OP.PNDeleteMessageAction, "actions"),
    ]
    for builder, operation, family in cases:
        error = await failed(builder)
        status = error.status
        assert (status.category, status.status_code, status.operation) == (
            C.PNBadRequestCategory, 400, operation), builder
        assert status.is_error()
        exception = status.error_data.exception
        assert exception.get_status_code() == 400 and exception.get_error_message()
        body = error.result
        if family == "storage":
            assert body["error"] is True and body["error_message"].startswith("Invalid Arguments")
        elif family == "actions":
            assert body["error"]["source"] == "actions"
            assert exception.get_error_message() == body["error"]
        else:
            assert body["service"] == family and body["error"] is True
    _, status = await pn_async(pubnub.history().channel(too_long))
    assert status.category == C.PNBadRequestCategory and status.status_code == 400


@pytest_twisted.ensureDeferred
async def test_unknown_subscribe_key_is_a_bad_request_status(make_client):
    strict = await start_server(reactor, port=0, data=":memory:", long_poll=1.0, keysets=["sub-real:pub-real"])
    try:
        pubnub = make_client("stranger", origin=strict.origin, subscribe_key="sub-fake")
        for builder in (pubnub.here_now().channels(["c"]), pubnub.history().channel("c"),
                        pubnub.get_message_actions().channel("c"),
                        pubnub.list_channels_in_channel_group().channel_group("g")):
            status = (await failed(builder)).status
            assert (status.category, status.status_code) == (C.PNBadRequestCategory, 400)
            assert status.error_data.exception.get_error_message() == "Invalid Subscribe Key"
        good = make_client("member", origin=strict.origin, subscribe_key="sub-real")
        assert (await good.get_message_actions().channel("c").deferred()).result.actions == []
    finally:
        await strict.stop()
