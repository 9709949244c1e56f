"""Channel-group registry API over loopback HTTP, and persistence across a restart."""
import os

import pytest
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast.server import start_server
from tests.server.conftest import ApiClient

pytestmark = pytest.mark.integration

BASE = "/v1/channel-registration/sub-key/demo/channel-group"
OK = {"status": 200, "message": "OK", "service": "channel-registry", "error": False}


@pytest_twisted.ensureDeferred
async def test_add_list_remove_delete(api):
    reply = await api.get(BASE + "/cg1", add="ch1,ch2,ch1")
    assert reply.json == OK
    assert reply.header("Content-Type") == 'text/javascript; charset="UTF-8"'
    await api.get(BASE + "/cg1", add="ch3")
    reply = await api.get(BASE + "/cg1")
    assert reply.json == {
        "status": 200, "payload": {"channels": ["ch1", "ch2", "ch3"], "group": "cg1"},
        "service": "channel-registry", "error": False,
    }
    assert (await api.get(BASE + "/cg1", remove="ch2,not-there")).json == OK
    assert (await api.get(BASE + "/cg1")).json["payload"]["channels"] == ["ch1", "ch3"]
    await api.get(BASE + "/cg2", add="x")
    reply = await api.get(BASE)
    assert reply.json == {
        "status": 200, "payload": {"groups": ["cg1", "cg2"], "sub_key": "demo"},
        "service": "channel-registry", "error": False,
    }
    assert (await api.get(BASE + "/cg1/remove")).json == OK
    assert (await api.get(BASE + "/cg1")).json["payload"] == {"channels": [], "group": "cg1"}
    assert (await api.get(BASE)).json["payload"]["groups"] == ["cg2"]


@pytest_twisted.ensureDeferred
async def test_names_with_spaces_and_namespaces(api):
    assert (await api.get(BASE + "/my%20group", add="ch 2,ch1")).status == 200
    reply = await api.get(BASE + "/my%20group")
    assert reply.json["payload"] == {"channels": ["ch 2", "ch1"], "group": "my group"}
    assert (await api.get(BASE + "/ns:group", add="a")).status == 200


@pytest_twisted.ensureDeferred
async def test_groups_are_per_subscribe_key(api):
    await api.get(BASE + "/shared", add="a")
    other = await api.get("/v1/channel-registration/sub-key/other/channel-group/shared")
    assert other.json["payload"]["channels"] == []


@pytest_twisted.ensureDeferred
async def test_registry_errors(api):
    for query in ({"add": ""}, {"add": "a.*"}, {"remove": ","}, {"add": "x" * 93}):
        reply = await api.get(BASE + "/bad", **query)
        assert reply.status == 400, query
        assert reply.json["service"] == "channel-registry" and reply.json["error"] is True
    assert (await api.get(BASE + "/" + "g" * 93)).status == 400
    for batch in range(5):
        reply = await api.get(BASE + "/full", add=",".join("c%d-%d" % (batch, n) for n in range(400)))
        assert reply.status == 200
    reply = await api.get(BASE + "/full", add="one-more")
    assert reply.status == 400 and "2000" in reply.json["message"]
    assert len((await api.get(BASE + "/full")).json["payload"]["channels"]) == 2000


@pytest_twisted.ensureDeferred
async def test_groups_survive_a_restart(tmp_path):
    data = os.path.join(str(tmp_path), "server.sqlite3")
    running = await start_server(reactor, port=0, data=data, long_poll=1.0)
    api = ApiClient(running.url)
    await api.get(BASE + "/kept", add="k1,k2,k3")
    await api.get(BASE + "/kept", remove="k2")
    await api.get(BASE + "/gone", add="g")
    await api.get(BASE + "/gone/remove")
    port = running.port
    await running.stop()

    running = await start_server(reactor, port=port, data=data, long_poll=1.0)
    try:
        api = ApiClient(running.url)
        assert (await api.get(BASE + "/kept")).json["payload"]["channels"] == ["k1", "k3"]
        assert (await api.get(BASE)).json["payload"]["groups"] == ["kept"]
        await api.get(BASE + "/kept", add="k4")
        assert (await api.get(BASE + "/kept")).json["payload"]["channels"] == ["k1", "k3", "k4"]
    finally:
        await running.stop()
