"""Limits, malformed input, unknown keys and paths, CORS, connection handling."""
import socket

import pytest
import pytest_twisted
from twisted.internet import reactor, threads

from pubnub_fast.server import start_server
from pubnub_fast.server.keysets import Keyset, KeysetRegistry
from tests.server.conftest import ApiClient

pytestmark = pytest.mark.integration


def raw_exchange(port, data, timeout=5.0):
    """Send raw bytes, read until the server closes or answers (runs in a thread)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"Content-Length: 0" in chunks[0]:
                break
        return b"".join(chunks)


@pytest_twisted.ensureDeferred
async def test_unknown_path_is_404_and_wrong_method_405(api):
    reply = await api.get("/v9/nothing/here")
    assert reply.status == 404
    assert reply.json == {"status": 404, "error": True, "service": "Balancer", "message": "Not Found"}
    reply = await api.request("POST", "/time/0")
    assert reply.status == 405 and reply.json["message"] == "Method Not Allowed"
    reply = await api.request("DELETE", "/v2/history/sub-key/demo/channel/ch")
    assert reply.status == 405


@pytest_twisted.ensureDeferred
async def test_options_preflight_answers_cors(api):
    reply = await api.request("OPTIONS", "/publish/demo/demo/0/ch/0")
    assert reply.status == 200
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert "POST" in reply.header("Access-Control-Allow-Methods")


@pytest_twisted.ensureDeferred
async def test_url_over_32_kib_is_414(api):
    reply = await api.get("/v2/subscribe/demo/ch/0", tt="0", state="x" * (33 * 1024))
    assert reply.status == 414
    assert reply.json == {"status": 414, "error": True, "service": "Balancer", "message": "Request URI Too Long"}


@pytest_twisted.ensureDeferred
async def test_a_request_line_over_64_kib_gets_a_raw_414_and_the_connection_closes(server):
    request = b"GET /time/0?x=" + b"a" * (70 * 1024) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer = await threads.deferToThread(raw_exchange, server.port, request)
    assert answer.startswith(b"HTTP/1.1 414 ")
    assert b'"Request URI Too Long"' in answer


@pytest_twisted.ensureDeferred
async def test_body_over_1_mib_is_413_without_reading_it(server):
    head = (
        b"POST /publish/demo/demo/0/ch/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (50 * 1024 * 1024)
    )
    answer = await threads.deferToThread(raw_exchange, server.port, head + b'"' + b"x" * 1000)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"Request Entity Too Large"' in answer


@pytest_twisted.ensureDeferred
async def test_chunked_body_over_1_mib_is_413(server):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20))
    head = b"POST /publish/demo/demo/0/ch/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer = await threads.deferToThread(raw_exchange, server.port, head + body)
    assert answer.startswith(b"HTTP/1.1 413 ")


@pytest_twisted.ensureDeferred
async def test_keep_alive_connection_serves_several_requests(server):
    request = b"GET /time/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    last = b"GET /time/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = await threads.deferToThread(raw_exchange, server.port, request * 2 + last)
    assert answer.count(b"HTTP/1.1 200 OK") == 3


@pytest_twisted.ensureDeferred
async def test_malformed_encoding_and_values(api):
    reply = await api.get("/v2/history/sub-key/demo/channel/%FF%FE")
    assert reply.status == 400 and reply.json["error"] is True
    reply = await api.request("GET", "/v2/presence/sub-key/demo/channel/ch/heartbeat?uuid=u&heartbeat=abc")
    assert reply.status == 400
    reply = await api.get("/v2/history/sub-key/demo/channel/ch", count="-5")
    assert reply.status == 400
    reply = await api.get("/v2/history/sub-key/demo/channel/ch", reverse="perhaps")
    assert reply.status == 400
    assert (await api.get("/v2/history/sub-key/demo/channel/ch", reverse="True")).status == 200


@pytest_twisted.ensureDeferred
async def test_percent_encoded_utf8_names(server, api):
    assert (await api.subscribe(["ü8"], uuid="üser")).status == 200
    assert server.app.presence.occupants("demo", "ü8") == ["üser"]


def test_keyset_parsing():
    assert Keyset.parse("sub:pub") == Keyset("sub", "pub", None)
    assert Keyset.parse("sub:pub:sec") == Keyset("sub", "pub", "sec")
    for bad in ("sub", "sub:", ":pub", "a:b:c:d", "a b:c", "a/b:c"):
        try:
            Keyset.parse(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    try:
        KeysetRegistry(["s:p", "s:q"])
    except ValueError:
        pass
    else:
        raise AssertionError("duplicate subscribe key accepted")


@pytest_twisted.ensureDeferred
async def test_unknown_keys_with_configured_keysets():
    running = await start_server(
        reactor, port=0, data=":memory:", long_poll=1.0, keysets=["sub-a:pub-a", Keyset("sub-b", "pub-b", "sec")],
    )
    try:
        api = ApiClient(running.url)
        invalid_sub = {"message": "Invalid Subscribe Key", "error": True, "service": "Access Manager", "status": 400}
        for path in ("/v2/subscribe/nope/ch/0?tt=0", "/v2/history/sub-key/nope/channel/ch",
                     "/v2/presence/sub-key/nope/channel/ch", "/publish/pub-a/nope/0/ch/0/1",
                     "/v1/channel-registration/sub-key/nope/channel-group"):
            reply = await api.request("GET", path)
            assert reply.status == 400 and reply.json == invalid_sub, path
            assert reply.header("Content-Type") == "text/javascript; charset=UTF-8"
        reply = await api.publish("ch", 1, sub="sub-a", pub="wrong")
        assert reply.status == 400 and reply.json[:2] == [0, "Invalid Key"] and len(reply.json[2]) == 17
        reply = await api.publish("ch", 1, sub="sub-b", pub="pub-a")
        assert reply.json[:2] == [0, "Invalid Key"]
        assert (await api.publish("ch", 1, sub="sub-a", pub="pub-a")).status == 200
        # sub-b has a secret key: Access Manager is on, unsigned requests without grants get 403
        assert (await api.publish("ch", 1, sub="sub-b", pub="pub-b")).status == 403
        assert (await api.subscribe(["ch"], sub="sub-b")).status == 403
        assert running.app.keysets.keysets["sub-b"].secret_key == "sec"
    finally:
        await running.stop()


@pytest_twisted.ensureDeferred
async def test_demo_mode_accepts_any_keys(api):
    assert (await api.publish("ch", 1, sub="anything", pub="whatever")).status == 200
    assert (await api.subscribe(["ch"], sub="anything")).status == 200


@pytest_twisted.ensureDeferred
async def test_stop_answers_parked_polls_and_closes_connections():
    running = await start_server(reactor, port=0, data=":memory:", long_poll=60)
    api = ApiClient(running.url)
    cursor = int((await api.subscribe(["bye"])).json["t"]["t"])
    pending = api.subscribe(["bye"], tt=cursor)
    for _ in range(500):
        if running.app.fanout.parked_count:
            break
        await threads.deferToThread(lambda: None)
    await running.stop()
    reply = await pending
    assert reply.status == 200 and reply.json["m"] == []
    assert running.app.fanout.parked_count == 0
    await running.stop()  # idempotent
