"""Issue 6 interop: the official ``pubnub`` package (10.8, native sync client) and pubnub_fast make
the same REST part 1 calls against the same ``pubnub-fast serve`` subprocess and must get the same
answers — presence, state, channel groups, history, fetch (with actions), delete, counts,
message actions with paging, and message-action events heard by both SDKs' listeners.

The official client's blocking calls run in reactor threads (``deferToThread``); pubnub_fast runs on
the pytest-twisted reactor. Every wait is bounded; the server process is always killed.
"""
import pytest
import pytest_twisted
from twisted.internet import threads

pubnub = pytest.importorskip("pubnub")

from pubnub.enums import PNStatusCategory as OfficialCategory  # noqa: E402
from pubnub.exceptions import PubNubException as OfficialException  # noqa: E402
from pubnub.models.consumer.message_actions import PNMessageAction as OfficialAction  # noqa: E402

from pubnub_fast.exceptions import PubNubTwistedException  # noqa: E402
from pubnub_fast.models.consumer.message_actions import PNMessageAction  # noqa: E402
from tests.e2e_support import subscribed  # noqa: E402
from tests.server.interop_support import WAIT, listen, official_clients, server_fixture, unique  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Mutable config will be deprecated:DeprecationWarning"),
]


server = server_fixture()


@pytest.fixture
def sdks(server, make_client):
    """``official(name, **config)`` and ``fast(name, **config)`` client factories; both clean up."""
    with official_clients(server.origin) as official:
        yield official, make_client


async def ours(builder):
    """pubnub_fast: the request on the reactor; its result."""
    return (await builder.deferred()).result


async def theirs(builder):
    """The official SDK: its blocking request in a reactor thread; its result."""
    return (await threads.deferToThread(builder.sync)).result


# -- normalisers: the meaningful fields of each result, independent of the SDK's types --------------


def here_now(result):
    channels = result.channels
    if isinstance(channels, dict):  # both SDKs' quirk (client-api.md §4.5 variant 2)
        channels = list(channels.values())
    return (
        result.total_channels,
        result.total_occupancy,
        sorted(
            (
                data.channel_name,
                data.occupancy,
                None if data.occupants is None else sorted((o.uuid, str(o.state)) for o in data.occupants),
            )
            for data in channels
        ),
    )


def history(result):
    return (
        [(item.entry, item.timetoken, item.meta) for item in result.messages],
        result.start_timetoken,
        result.end_timetoken,
    )


def fetched(result):
    return {
        channel: [
            (
                item.message,
                int(item.timetoken),
                item.meta,
                getattr(item, "uuid", None),
                getattr(item, "message_type", "absent"),
                item.actions,
            )
            for item in items
        ]
        for channel, items in result.channels.items()
    }


def actions(result):
    return [
        (a.type, a.value, a.uuid, str(a.message_timetoken), str(a.action_timetoken)) for a in result.actions
    ]


# -- presence and state ---------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_presence_and_state_answers_match(sdks):
    official, fast = sdks
    room, hall, empty = unique("room"), unique("hall"), unique("empty")
    them = official(unique("official"))
    us = fast(unique("fast"))
    await theirs(them.heartbeat().channels([room, hall]))
    assert await ours(us.heartbeat().channels([room])) is True

    queries = [
        lambda c: c.here_now().channels([room]),
        lambda c: c.here_now().channels([room, hall]),
        lambda c: c.here_now().channels([room, hall, empty]),
        lambda c: c.here_now().channels([empty]),
        lambda c: c.here_now().channels([room]).include_uuids(False),
        lambda c: c.here_now().channels([room, hall]).include_uuids(False),
    ]
    for query in queries:
        assert here_now(await ours(query(us))) == here_now(await theirs(query(them)))
    assert here_now(await ours(us.here_now().channels([room])))[:2] == (1, 2)

    await theirs(them.set_state().channels([room, hall]).state({"mood": "ok", "n": 1}))
    mine = await ours(us.set_state().channels([room]).state({"mood": "fast"}))
    assert mine.state == {"mood": "fast"}
    for query in (
        lambda c: c.here_now().channels([room]).include_state(True),
        lambda c: c.here_now().channels([room, hall]).include_state(True),
    ):
        assert here_now(await ours(query(us))) == here_now(await theirs(query(them)))
    who = here_now(await ours(us.here_now().channels([room]).include_state(True)))
    assert sorted(state for _, state in who[2][0][2]) == [str({"mood": "fast"}), str({"mood": "ok", "n": 1})]

    for uuid in (them.config.uuid, us.config.uuid, "nobody"):
        assert sorted((await ours(us.where_now().uuid(uuid))).channels) == sorted(
            (await theirs(them.where_now().uuid(uuid))).channels)
    assert sorted((await ours(us.where_now().uuid(them.config.uuid))).channels) == sorted([room, hall])

    for uuid in (them.config.uuid, us.config.uuid):
        for channels in ([room], [room, hall]):
            assert (await ours(us.get_state().channels(channels).uuid(uuid))).channels == (await theirs(
                them.get_state().channels(channels).uuid(uuid))).channels
    assert (await ours(us.get_state().channels([room, hall]).uuid(them.config.uuid))).channels == {
        room: {"mood": "ok", "n": 1}, hall: {"mood": "ok", "n": 1}}


# -- channel groups -------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_channel_group_answers_match(sdks):
    official, fast = sdks
    them, us = official(unique("official")), fast(unique("fast"))
    group = unique("group")
    await theirs(them.add_channel_to_channel_group().channel_group(group).channels(["a", "b"]))
    await ours(us.add_channel_to_channel_group().channel_group(group).channels(["c"]))
    listed = (await ours(us.list_channels_in_channel_group().channel_group(group))).channels
    official_listed = (await theirs(them.list_channels_in_channel_group().channel_group(group))).channels
    assert listed == official_listed == ["a", "b", "c"]
    await ours(us.remove_channel_from_channel_group().channel_group(group).channels(["a"]))
    await theirs(them.remove_channel_from_channel_group().channel_group(group).channels(["c"]))
    assert (await ours(us.list_channels_in_channel_group().channel_group(group))).channels == ["b"]
    assert (await theirs(them.list_channels_in_channel_group().channel_group(group))).channels == ["b"]
    await theirs(them.remove_channel_group().channel_group(group))
    assert (await ours(us.list_channels_in_channel_group().channel_group(group))).channels == []
    assert (await theirs(them.list_channels_in_channel_group().channel_group(group))).channels == []


# -- storage --------------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_history_fetch_counts_and_delete_answers_match(sdks):
    official, fast = sdks
    them, us = official(unique("official")), fast(unique("fast"))
    one, two = unique("store"), unique("store")
    tts = []
    for n in range(3):
        sent = await theirs(them.publish().channel(one).message({"n": n}).meta({"by": "them"}))
        tts.append(int(sent.timetoken))
        tts.append((await ours(us.publish().channel(one).message("fast-%d" % n))).timetoken)
    await ours(us.publish().channel(two).message(["x"]).meta({"by": "us"}))

    for query in (
        lambda c: c.history().channel(one),
        lambda c: c.history().channel(one).count(2),
        lambda c: c.history().channel(one).count(2).reverse(True),
        lambda c: c.history().channel(one).start(tts[4]).end(tts[1]),
        lambda c: c.history().channel(one).include_timetoken(True).include_meta(True),
        lambda c: c.history().channel(unique("nothing")),
    ):
        assert history(await ours(query(us))) == history(await theirs(query(them)))
    assert [item.entry for item in (await ours(us.history().channel(one).count(2))).messages] == [{"n": 2}, "fast-2"]

    for query in (
        lambda c: c.fetch_messages().channels([one, two]),
        lambda c: c.fetch_messages().channels([one, two]).count(2),
        lambda c: c.fetch_messages().channels([one]).include_meta(True).include_uuid(True)
        .include_message_type(True),
        lambda c: c.fetch_messages().channels([one]).start(tts[5]).end(tts[2]),
        lambda c: c.fetch_messages().channels([one]).include_message_actions(True),
    ):
        assert fetched(await ours(query(us))) == fetched(await theirs(query(them)))
    detailed = fetched(await ours(us.fetch_messages().channels([one]).include_meta(True).include_uuid(True)))
    assert detailed[one][0][:4] == ({"n": 0}, tts[0], {"by": "them"}, them.config.uuid)

    for channels, timetokens in (([one], [tts[1]]), ([one, two], [tts[3], tts[0]])):
        mine = await ours(us.message_counts().channel(channels).channel_timetokens(timetokens))
        official_counts = await theirs(them.message_counts().channel(channels).channel_timetokens(timetokens))
        assert mine.channels == official_counts.channels
    assert (await ours(us.message_counts().channel([one]).channel_timetokens([tts[1]]))).channels == {one: 4}

    await theirs(them.delete_messages().channel(one).start(tts[0]).end(tts[1]))  # deletes tts[1] only
    assert history(await ours(us.history().channel(one))) == history(await theirs(them.history().channel(one)))
    await ours(us.delete_messages().channel(one).start(tts[1]).end(tts[3]))
    remaining = [item.entry for item in (await theirs(them.history().channel(one))).messages]
    assert remaining == [{"n": 0}, {"n": 2}, "fast-2"]
    assert history(await ours(us.history().channel(one))) == history(await theirs(them.history().channel(one)))


@pytest_twisted.ensureDeferred
async def test_encrypted_storage_decrypts_across_sdks(sdks):
    official, fast = sdks
    channel = unique("vault")
    them = official(unique("official"), cipher_key="shared-secret", use_random_initialization_vector=True)
    us = fast(unique("fast"), cipher_key="shared-secret")
    await theirs(them.publish().channel(channel).message({"from": "official"}))
    await ours(us.publish().channel(channel).message({"from": "fast"}))
    expected = [{"from": "official"}, {"from": "fast"}]
    assert [item.entry for item in (await ours(us.history().channel(channel))).messages] == expected
    assert [item.entry for item in (await theirs(them.history().channel(channel))).messages] == expected
    ours_fetch = await ours(us.fetch_messages().channels([channel]).decrypt_messages())
    theirs_fetch = await theirs(them.fetch_messages().channels([channel]).decrypt_messages())
    assert [i.message for i in ours_fetch.channels[channel]] == [i.message for i in theirs_fetch.channels[channel]]
    assert [i.message for i in ours_fetch.channels[channel]] == expected


# -- message actions --------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_message_action_answers_match(sdks):
    official, fast = sdks
    them, us = official(unique("official")), fast(unique("fast"))
    channel = unique("actions")
    mtt = (await ours(us.publish().channel(channel).message("react"))).timetoken

    added_by_them = await theirs(them.add_message_action().channel(channel).message_action(
        OfficialAction().create(type="reaction", value="smile", message_timetoken=str(mtt))))
    added_by_us = await ours(us.add_message_action().channel(channel).message_action(
        PNMessageAction.create(type="reaction", value="smile", message_timetoken=mtt)))
    assert (added_by_them.type, added_by_them.value, added_by_them.uuid, added_by_them.message_timetoken) == (
        "reaction", "smile", them.config.uuid, str(mtt))
    assert (added_by_us.type, added_by_us.value, added_by_us.uuid, added_by_us.message_timetoken) == (
        "reaction", "smile", us.config.uuid, str(mtt))
    assert int(added_by_us.action_timetoken) > int(added_by_them.action_timetoken) > mtt
    for n in range(3):
        await ours(us.add_message_action().channel(channel).message_action(
            PNMessageAction.create(type="receipt", value="r%d" % n, message_timetoken=mtt)))

    everything = actions(await ours(us.get_message_actions().channel(channel)))
    assert everything == actions(await theirs(them.get_message_actions().channel(channel)))
    assert [value for _, value, _, _, _ in everything] == ["smile", "smile", "r0", "r1", "r2"]

    # paging: both see the same pages and the same ``more`` object
    fast_pages, official_pages = [], []
    page = await ours(us.get_message_actions().channel(channel).limit(2))
    while True:
        fast_pages.append((actions(page), page.more))
        if page.more is None:
            break
        page = await ours(us.get_message_actions().channel(channel).start(page.more["start"]).limit(2))
    page = await theirs(them.get_message_actions().channel(channel).limit("2"))
    while True:
        more = page._result.get("more")
        official_pages.append((actions(page), more))
        if more is None:
            break
        page = await theirs(them.get_message_actions().channel(channel).start(more["start"]).limit("2"))
    assert fast_pages == official_pages
    assert [len(found) for found, _ in fast_pages] == [2, 2, 1]

    query = lambda c: c.fetch_messages().channels([channel]).include_message_actions(True)  # noqa: E731
    assert fetched(await ours(query(us))) == fetched(await theirs(query(them)))
    (item,) = (await ours(query(us))).channels[channel]
    assert sorted(entry["uuid"] for entry in item.actions["reaction"]["smile"]) == sorted(
        [them.config.uuid, us.config.uuid])

    await theirs(them.remove_message_action().channel(channel).message_timetoken(mtt)
           .action_timetoken(int(added_by_us.action_timetoken)))
    await ours(us.remove_message_action().channel(channel).message_timetoken(mtt)
         .action_timetoken(added_by_them.action_timetoken))
    after = actions(await ours(us.get_message_actions().channel(channel)))
    assert after == actions(await theirs(them.get_message_actions().channel(channel)))
    assert [value for _, value, _, _, _ in after] == ["r0", "r1", "r2"]

    # a duplicate is refused with 409 for both
    duplicate = OfficialAction().create(type="receipt", value="dup", message_timetoken=str(mtt))
    await theirs(them.add_message_action().channel(channel).message_action(duplicate))
    with pytest.raises(OfficialException) as official_error:
        await theirs(them.add_message_action().channel(channel).message_action(duplicate))
    assert official_error.value.get_status_code() == 409
    with pytest.raises(PubNubTwistedException) as fast_error:
        await ours(us.add_message_action().channel(channel).message_action(
            PNMessageAction.create(type="receipt", value="r0", message_timetoken=mtt)))
    assert fast_error.value.status.status_code == 409
    assert fast_error.value.status.error_data.exception.get_error_message()["message"] == "Action Already Added"


# -- message-action events ----------------------------------------------------------------------------------


def event(action):
    return (action.type, action.value, action.uuid, str(action.message_timetoken), str(action.action_timetoken),
            action.channel)


@pytest_twisted.ensureDeferred
async def test_message_action_events_reach_both_sdks_listeners(sdks):
    official, fast = sdks
    channel = unique("live")
    official_listener, fast_listener = official(unique("o-listener")), fast(unique("f-listener"))
    official_recorder = listen(official_listener, [channel])
    await threads.deferToThread(official_recorder.wait_status, OfficialCategory.PNConnectedCategory)
    fast_recorder = await subscribed(fast_listener, [channel], timeout=WAIT)

    actor_them, actor_us = official(unique("o-actor")), fast(unique("f-actor"))
    mtt = int((await theirs(actor_them.publish().channel(channel).message("hi"))).timetoken)
    by_us = await ours(actor_us.add_message_action().channel(channel).message_action(
        PNMessageAction.create(type="reaction", value="wave", message_timetoken=mtt)))
    by_them = await theirs(actor_them.add_message_action().channel(channel).message_action(
        OfficialAction().create(type="reaction", value="nod", message_timetoken=str(mtt))))
    await theirs(actor_them.remove_message_action().channel(channel).message_timetoken(mtt)
           .action_timetoken(int(by_us.action_timetoken)))

    await fast_recorder.wait_for("message_action", 3, timeout=WAIT)
    heard_by_official = [await threads.deferToThread(official_recorder.actions.get, timeout=WAIT) for _ in range(3)]
    expected = [
        ("reaction", "wave", actor_us.config.uuid, str(mtt), by_us.action_timetoken, channel),
        ("reaction", "nod", actor_them.config.uuid, str(mtt), by_them.action_timetoken, channel),
        # a removal is reported with the remover's uuid (the envelope's ``i``)
        ("reaction", "wave", actor_them.config.uuid, str(mtt), by_us.action_timetoken, channel),
    ]
    assert [event(a) for a in fast_recorder.actions] == expected
    assert [event(a) for a in heard_by_official] == expected
    assert [a.event for a in fast_recorder.actions] == ["added", "added", "removed"]
