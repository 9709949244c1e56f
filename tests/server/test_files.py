"""Files over real loopback HTTP (protocol.md §2.22): upload URL, upload, list, URL, download,
delete, publish-file; limits and restart-safety."""
import json
import os
import socket
from urllib.parse import parse_qsl, quote, urlsplit

import pytest_twisted
from treq.client import HTTPClient
from twisted.internet import reactor, threads
from twisted.web.client import Agent, HTTPConnectionPool

from pubnub_fast.server import start_server
from pubnub_fast.server.api import files as files_api
from pubnub_fast.server.api.files import parse_multipart
from tests.server.conftest import ApiClient, handshake

BOUNDARY = "pnfast-test-boundary"


def multipart(fields, data, filename="f.bin", boundary=BOUNDARY):
    chunks = []
    for key, value in fields:
        chunks.append(
            ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, key, value)).encode()
        )
    chunks.append(
        ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
         "Content-Type: application/octet-stream\r\n\r\n" % (boundary, filename)).encode()
        + data + b"\r\n"
    )
    chunks.append(("--%s--\r\n" % boundary).encode())
    return b"".join(chunks)


async def generate(api, channel, name):
    reply = await api.request(
        "POST", "/v1/files/demo/channels/%s/generate-upload-url" % quote(channel, safe=""),
        body=json.dumps({"name": name}).encode(), headers={"Content-Type": ["application/json"]},
    )
    assert reply.status == 200, reply
    return reply


def form_of(reply):
    request = reply.json["file_upload_request"]
    return [(field["key"], field["value"]) for field in request["form_fields"]]


async def upload(api, reply, data, fields=None, content_type=None):
    url = reply.json["file_upload_request"]["url"]
    body = multipart(fields if fields is not None else form_of(reply), data)
    headers = {"Content-Type": [content_type or "multipart/form-data; boundary=%s" % BOUNDARY]}
    return await api.request("POST", urlsplit(url).path, body=body, headers=headers)


async def send(api, channel, name, data):
    reply = await generate(api, channel, name)
    uploaded = await upload(api, reply, data)
    assert uploaded.status == 204, uploaded
    return reply.json["data"]["id"]


async def file_url(api, channel, file_id, name):
    """GET the file URL endpoint without following its redirect."""
    path = "/v1/files/demo/channels/%s/files/%s/%s" % (
        quote(channel, safe=""), quote(file_id, safe=""), quote(name, safe=""))
    client = HTTPClient(Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False)))
    response = await client.request("GET", api.url(path).encode("ascii"), allow_redirects=False)
    reply = await ApiClient._read(response)
    assert reply.status == 307, reply
    return reply


async def download(api, location, method="GET"):
    parts = urlsplit(location)
    return await api.request(method, parts.path, dict(parse_qsl(parts.query)))


def s3_code(reply):
    assert reply.header("Content-Type") == "application/xml", reply
    text = reply.raw.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>')
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0]


@pytest_twisted.ensureDeferred
async def test_generate_upload_url_shape(api, server):
    reply = await generate(api, "ch 1", "king arthur.txt")
    assert reply.header("Content-Type") == "application/json"
    body = reply.json
    assert body["status"] == 200
    assert body["data"]["name"] == "king arthur.txt" and len(body["data"]["id"]) == 36
    request = body["file_upload_request"]
    assert request["url"] == server.url + "/_files/upload"
    assert request["method"] == "POST"
    assert request["expiration_date"].endswith("Z") and len(request["expiration_date"]) == 20
    fields = dict(form_of(reply))
    assert list(fields) == ["tagging", "key", "Content-Type", "X-Amz-Credential", "X-Amz-Security-Token",
                            "X-Amz-Algorithm", "X-Amz-Date", "Policy", "X-Amz-Signature"]
    assert fields["key"] == "demo/ch 1/%s/king arthur.txt" % body["data"]["id"]
    assert fields["Content-Type"] == "text/plain; charset=utf-8"
    assert dict(form_of(await generate(api, "c", "x.unknownext")))["Content-Type"] == "application/octet-stream"
    # every call makes a new id
    assert (await generate(api, "c", "a.txt")).json["data"]["id"] != (await generate(api, "c", "a.txt")).json["data"]["id"]


@pytest_twisted.ensureDeferred
async def test_upload_list_url_download_delete(api, server):
    data = bytes(range(256)) * 40 + b"\r\n--" + BOUNDARY.encode() + b"x"  # boundary-like bytes inside
    file_id = await send(api, "files-ch", "pic name.png", data)

    listed = await api.get("/v1/files/demo/channels/files-ch/files")
    assert listed.header("Content-Type") == "application/json"
    (entry,) = listed.json["data"]
    assert entry == {"name": "pic name.png", "id": file_id, "size": len(data), "created": entry["created"]}
    assert entry["created"].endswith("Z") and len(entry["created"]) == 20
    assert listed.json["next"] is None and listed.json["count"] == 1

    redirect = await file_url(api, "files-ch", file_id, "pic name.png")
    assert redirect.raw == b""
    assert redirect.header("Cache-Control") == "no-store"
    location = redirect.header("Location")
    assert location.startswith(server.url + "/_files/demo/files-ch/%s/pic%%20name.png?" % file_id)
    query = dict(parse_qsl(urlsplit(location).query))
    assert set(query) == {"X-Amz-Algorithm", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"}

    fetched = await download(api, location)
    assert fetched.status == 200 and fetched.raw == data
    assert fetched.header("Content-Type") == "image/png"
    head = await download(api, location, "HEAD")
    assert head.status == 200 and head.raw == b"" and head.header("Content-Length") == str(len(data))

    deleted = await api.request("DELETE", "/v1/files/demo/channels/files-ch/files/%s/pic%%20name.png" % file_id)
    assert (deleted.status, deleted.json) == (200, {"status": 200})
    # the file URL endpoint followed by a redirecting client gives the bytes
    followed = await api.get("/v1/files/demo/channels/files-ch/files/%s/pic%%20name.png" % file_id)
    assert followed.status == 404  # deleted by now
    assert s3_code(await download(api, location)) == "NoSuchKey"
    assert (await api.get("/v1/files/demo/channels/files-ch/files")).json["data"] == []
    again = await api.request("DELETE", "/v1/files/demo/channels/files-ch/files/%s/pic%%20name.png" % file_id)
    assert again.json == {"status": 200}


@pytest_twisted.ensureDeferred
async def test_file_url_for_unknown_files_redirects_then_404s(api):
    redirect = await file_url(api, "ch", "no-such-id", "x.txt")
    missing = await download(api, redirect.header("Location"))
    assert missing.status == 404 and s3_code(missing) == "NoSuchKey"
    # the name is part of the key
    file_id = await send(api, "ch", "real.txt", b"abc")
    wrong_name = await download(api, (await file_url(api, "ch", file_id, "other.txt")).header("Location"))
    assert wrong_name.status == 404
    wrong_channel = await download(api, (await file_url(api, "ch2", file_id, "real.txt")).header("Location"))
    assert wrong_channel.status == 404


@pytest_twisted.ensureDeferred
async def test_download_urls_are_signed(api, monkeypatch):
    file_id = await send(api, "ch", "a.txt", b"secret bytes")
    location = (await file_url(api, "ch", file_id, "a.txt")).header("Location")
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query))
    unsigned = await api.request("GET", parts.path)
    assert unsigned.status == 403 and s3_code(unsigned) == "AccessDenied"
    tampered = await api.request("GET", parts.path, dict(query, **{"X-Amz-Signature": "0" * 64}))
    assert tampered.status == 403 and s3_code(tampered) == "SignatureDoesNotMatch"
    longer = await api.request("GET", parts.path, dict(query, **{"X-Amz-Expires": "999999"}))
    assert s3_code(longer) == "SignatureDoesNotMatch"
    other = await api.request("GET", parts.path.replace("a.txt", "b.txt"), query)
    assert s3_code(other) == "SignatureDoesNotMatch"
    monkeypatch.setattr(files_api, "DOWNLOAD_VALID_SECONDS", -10)
    expired = await download(api, (await file_url(api, "ch", file_id, "a.txt")).header("Location"))
    assert expired.status == 403 and "expired" in expired.raw.decode()


@pytest_twisted.ensureDeferred
async def test_upload_errors(api, monkeypatch):
    reply = await generate(api, "ch", "a.txt")
    fields = form_of(reply)

    def replaced(name, value):
        return [(k, value if k == name else v) for k, v in fields]

    bad_signature = await upload(api, reply, b"x", replaced("X-Amz-Signature", "f" * 64))
    assert bad_signature.status == 403 and s3_code(bad_signature) == "SignatureDoesNotMatch"
    no_policy = await upload(api, reply, b"x", [(k, v) for k, v in fields if k != "Policy"])
    assert no_policy.status == 403 and s3_code(no_policy) == "AccessDenied"
    other_key = await upload(api, reply, b"x", replaced("key", "demo/ch/other/a.txt"))
    assert other_key.status == 403 and "Policy Condition failed" in other_key.raw.decode()
    not_multipart = await upload(api, reply, b"x", content_type="application/octet-stream")
    assert not_multipart.status == 412 and s3_code(not_multipart) == "PreconditionFailed"
    no_boundary = await upload(api, reply, b"x", content_type="multipart/form-data")
    assert s3_code(no_boundary) == "MalformedPOSTRequest"
    garbage = await api.request("POST", "/_files/upload", body=b"--%s\r\nno headers end" % BOUNDARY.encode(),
                                headers={"Content-Type": ["multipart/form-data; boundary=" + BOUNDARY]})
    assert garbage.status == 400 and s3_code(garbage) == "MalformedPOSTRequest"
    no_file = await api.request(
        "POST", "/_files/upload",
        body=b"--%s\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nv\r\n--%s--\r\n" % (
            BOUNDARY.encode(), BOUNDARY.encode()),
        headers={"Content-Type": ["multipart/form-data; boundary=" + BOUNDARY]})
    assert no_file.status == 400 and s3_code(no_file) == "InvalidArgument"

    monkeypatch.setattr(files_api, "UPLOAD_VALID_SECONDS", -1)
    stale = await generate(api, "ch", "late.txt")
    expired = await upload(api, stale, b"x")
    assert expired.status == 403 and "Policy expired" in expired.raw.decode()
    # none of this stored anything
    assert (await api.get("/v1/files/demo/channels/ch/files")).json["data"] == []


@pytest_twisted.ensureDeferred
async def test_generate_and_list_validation(api):
    for body in (b"{", b"[]", b'{"name": ""}', b'{"name": "a/b"}', b'{"name": 5}', b"{}",
                 json.dumps({"name": "x" * 600}).encode()):
        reply = await api.request("POST", "/v1/files/demo/channels/ch/generate-upload-url", body=body)
        assert reply.status == 400, body
        assert reply.json["status"] == 400 and reply.json["error"]["source"] == "files"
    bad_channel = await api.request("POST", "/v1/files/demo/channels/a%2Cb/generate-upload-url",
                                    body=b'{"name": "x"}')
    assert bad_channel.status == 400 and bad_channel.json["error"]["source"] == "files"
    bad_cursor = await api.get("/v1/files/demo/channels/ch/files", next="bm9wZQ")
    assert bad_cursor.status == 400 and bad_cursor.json["error"]["source"] == "files"
    assert (await api.get("/v1/files/demo/channels/ch/files", limit="0")).status == 400


@pytest_twisted.ensureDeferred
async def test_list_pages(api):
    ids = [await send(api, "paged", "f%d.txt" % i, b"%d" % i) for i in range(5)]
    first = await api.get("/v1/files/demo/channels/paged/files", limit=2)
    assert [f["id"] for f in first.json["data"]] == ids[:2] and first.json["count"] == 2
    second = await api.get("/v1/files/demo/channels/paged/files", limit=2, next=first.json["next"])
    assert [f["id"] for f in second.json["data"]] == ids[2:4]
    third = await api.get("/v1/files/demo/channels/paged/files", limit=500, next=second.json["next"])
    assert [f["id"] for f in third.json["data"]] == ids[4:] and third.json["next"] is None
    assert (await api.get("/v1/files/demo/channels/other/files")).json == {
        "status": 200, "data": [], "next": None, "count": 0}


@pytest_twisted.ensureDeferred
async def test_size_limit(server):
    small = await start_server(reactor, port=0, data=":memory:", max_file_size=1000)
    try:
        api = ApiClient(small.url)
        reply = await generate(api, "ch", "a.bin")
        assert dict(form_of(reply))["Policy"]
        exact = await upload(api, reply, b"x" * 1000)
        assert exact.status == 204
        over = await upload(api, reply, b"x" * 1001)
        assert over.status == 400 and s3_code(over) == "EntityTooLarge"
        assert "<MaxSizeAllowed>1000</MaxSizeAllowed>" in over.raw.decode()
        assert "<ProposedSize>1001</ProposedSize>" in over.raw.decode()

        # a body far over the limit is refused from its Content-Length, without being read
        def raw_post():
            with socket.create_connection((small.host, small.port), timeout=10) as sock:
                sock.sendall(b"POST /_files/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data;"
                             b" boundary=b\r\nContent-Length: 10000000\r\n\r\n")
                received = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return received
                    received += chunk

        answer = await threads.deferToThread(raw_post)
        assert answer.startswith(b"HTTP/1.1 400 ") and b"<Code>EntityTooLarge</Code>" in answer
        # other routes keep the 1 MiB body limit
        too_big = await api.request("POST", "/v1/files/demo/channels/ch/generate-upload-url", body=b"x" * 1100000)
        assert too_big.status == 413
    finally:
        await small.stop()


def test_multipart_parser():
    body = multipart([("a", "1"), ("b", "")], b"\r\n--not-the-boundary\r\n", filename='q\\"uote.txt')
    assert parse_multipart(body, BOUNDARY.encode()) == [
        ("a", None, b"1"), ("b", None, b""), ("file", 'q"uote.txt', b"\r\n--not-the-boundary\r\n")]
    for broken in (b"", b"--x", b"--%s\r\n\r\nno end" % BOUNDARY.encode(),
                   b"--%s\r\nX-Other: 1\r\n\r\nv\r\n--%s--" % (BOUNDARY.encode(), BOUNDARY.encode())):
        try:
            parse_multipart(broken, BOUNDARY.encode())
        except ValueError:
            continue
        raise AssertionError("accepted %r" % broken)


# -- publish-file ---------------------------------------------------------------------------------


def publish_file(api, channel, payload, **query):
    return api.get("/v1/files/publish-file/demo/demo/0/%s/0/%s" % (
        quote(channel, safe=""), quote(json.dumps(payload), safe="")), uuid="sender", **query)


@pytest_twisted.ensureDeferred
async def test_publish_file_message(api):
    cursor = await handshake(api, ["fm"])
    payload = {"message": {"note": "pic"}, "file": {"id": "abc-123", "name": "cat.png"}}
    sent = await publish_file(api, "fm", payload, meta=json.dumps({"m": 1}), store="1", ttl="5",
                              custom_message_type="file-msg")
    assert sent.status == 200 and sent.json[:2] == [1, "Sent"] and len(sent.json[2]) == 17
    encrypted = await publish_file(api, "fm", "T3BhcXVlIGNpcGhlcnRleHQ=", store="0")
    assert encrypted.json[:2] == [1, "Sent"]

    polled = await api.subscribe(["fm"], tt=cursor)
    first, second = polled.json["m"]
    assert first["e"] == 4 and first["d"] == payload and first["i"] == "sender"
    assert first["u"] == {"m": 1} and first["cmt"] == "file-msg" and first["p"]["t"] == sent.json[2]
    assert second["e"] == 4 and second["d"] == "T3BhcXVlIGNpcGhlcnRleHQ="

    fetched = await api.get("/v3/history/sub-key/demo/channel/fm", include_message_type="true")
    (stored,) = fetched.json["channels"]["fm"]  # store=0 kept the second one out
    assert stored["message"] == payload and stored["message_type"] == 4

    for bad in ({"message": "x"}, {"file": {"id": 1, "name": "n"}}, [1], 5):
        reply = await publish_file(api, "fm", bad)
        assert reply.status == 400 and reply.json[0] == 0, bad
    bad_key = await api.get("/v1/files/publish-file/%s/demo/0/fm/0/%%7B%%7D" % ("p" * 200))
    assert bad_key.status == 400


@pytest_twisted.ensureDeferred
async def test_files_survive_a_restart(tmp_path):
    data = str(tmp_path / "files.sqlite3")
    first = await start_server(reactor, port=0, data=data)
    api = ApiClient(first.url)
    file_id = await send(api, "keep", "k.txt", b"kept bytes")
    removed_id = await send(api, "keep", "gone.txt", b"gone")
    await api.request("DELETE", "/v1/files/demo/channels/keep/files/%s/gone.txt" % removed_id)
    payload = {"message": None, "file": {"id": file_id, "name": "k.txt"}}
    sent = await publish_file(api, "keep", payload, store="1")
    await first.stop()
    assert sorted(os.listdir(data + ".files")) == [file_id]

    second = await start_server(reactor, port=0, data=data)
    try:
        api = ApiClient(second.url)
        listed = await api.get("/v1/files/demo/channels/keep/files")
        assert [f["id"] for f in listed.json["data"]] == [file_id]
        fetched = await download(api, (await file_url(api, "keep", file_id, "k.txt")).header("Location"))
        assert fetched.raw == b"kept bytes" and fetched.header("Content-Type") == "text/plain; charset=utf-8"
        # a subscriber resuming from before the file message gets it from storage, still e=4
        polled = await api.subscribe(["keep"], tt=int(sent.json[2]) - 1)
        (item,) = polled.json["m"]
        assert item["e"] == 4 and item["d"] == payload
    finally:
        await second.stop()
