"""Files: list/get_file_url/delete/publish_file_message requests, and the composite send_file
(generate-upload-url → multipart upload → publish_file_message) and download_file
(get_file_url → GET Location → decrypt) against a stub server, with encryption, size limits,
no PubNub parameters on the upload/download, cancellation and errors."""
import io
import json
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from pubnub_fast import errors, multipart
from pubnub_fast.crypto import AesCbcCryptoModule, LegacyCryptoModule, PubNubCryptodome, PubNubFileCrypto
from pubnub_fast.endpoints.files import MAX_FILE_SIZE
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.file import (PNDeleteFileResult, PNDownloadFileResult, PNFetchFileUploadS3DataResult,
                                              PNGetFileDownloadURLResult, PNGetFilesResult, PNPublishFileMessageResult,
                                              PNSendFileResult)
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.client_stub import HOLD, StubbedClient, assertNoResult, failureResultOf, successResultOf
from tests.conftest import load_vectors
from tests.endpoint_vectors import (answered, build_config, check_request_vector, decoded_query, rejected,
                                    request_vectors, send, signing_vector_test, signing_vectors, via_pn_async)

FACTORIES = ("list_files", "get_file_url", "delete_file", "publish_file_message", "FetchFileUploadS3Data")
FILE_VECTORS = [c for c in load_vectors("crypto_file.json")["cases"] if c["kind"] == "decrypt"]
TT = "17000000000000000"
UPLOAD_URL = "http://files.example.com/upload-bucket/"
FORM_FIELDS = [
    {"key": "tagging", "value": "<Tagging><TagSet><Tag><Key>ObjectTTLInDays</Key><Value>1</Value></Tag></TagSet>"
                                "</Tagging>"},
    {"key": "key", "value": "sub-c-demo/0MR1-z2w0nSJYxwEy74p5QjV85TmgNBKPrV71t55NT0/fid-1/cat pic.png"},
    {"key": "Content-Type", "value": "image/png"},
    {"key": "X-Amz-Credential", "value": "AKIAY7AU6GQD5KWBS3FG/20201117/eu-central-1/s3/aws4_request"},
    {"key": "X-Amz-Security-Token", "value": ""},
    {"key": "X-Amz-Algorithm", "value": "AWS4-HMAC-SHA256"},
    {"key": "X-Amz-Date", "value": "20201117T145453Z"},
    {"key": "Policy", "value": "CnsKCSJleHBpcmF0aW9uIjogIjIwMjAtMTEtMTdUMTQ6NTQ6NTNaIiwKfQ=="},
    {"key": "X-Amz-Signature", "value": "13aea0f4ed9fb9ae3d0b5e82d3fd5a7b94b6f1e4d0e4a4ae0bbfa8d5ab0c2e5c"},
]


def upload_details(url=UPLOAD_URL, file_id="fid-1", name="cat pic.png", fields=None):
    return {"status": 200, "data": {"id": file_id, "name": name},
            "file_upload_request": {"url": url, "method": "POST", "expiration_date": "2020-11-17T14:54:53Z",
                                    "form_fields": FORM_FIELDS if fields is None else fields}}


def flush(client, rounds=8):
    for _ in range(rounds):
        client.stub.flush()


def run(client, builder):
    d = builder.deferred()
    flush(client)
    return d


def files_server(client, details=None, upload=(204, b""), publish=(200, [1, "Sent", TT])):
    server = client.server
    server.route("/v1/files/sub-c-demo/channels/", default=(200, details or upload_details()))
    server.route("/upload-bucket/", default=upload)
    server.route("/v1/files/publish-file/", default=publish)


def uploaded_parts(request):
    return multipart.parse_form(request.header("Content-Type"), request.body)


# --- single requests --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", request_vectors(*FACTORIES))
def test_request_matches_vector(case):
    request = check_request_vector(case, encoded_once_path=True)
    if "get_complete_url" in case:
        client = StubbedClient(config=build_config(case["config"]))
        url = client.pubnub.get_file_url(channel="ch 1", file_id="abc-123", file_name="cat pic.png").get_complete_url()
        ours, theirs = urlsplit(url), urlsplit(case["get_complete_url"])
        assert unquote(ours.path) == unquote(theirs.path) and ours.path == request.raw_path
        assert ours.netloc == theirs.netloc
        assert decoded_query(parse_qsl(ours.query)) == decoded_query(parse_qsl(theirs.query))


test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_files_vector_is_covered():
    assert {p.id for p in request_vectors(*FACTORIES)} == {
        "files-list", "files-generate-upload-url", "files-publish-file-message", "files-get-url", "files-delete"}
    assert {p.id for p in signing_vectors(*FACTORIES)} == {"gen-list-files"}


def test_single_request_results():
    client = StubbedClient()
    pubnub = client.pubnub
    listing = {"status": 200, "data": [{"name": "king_arthur.txt", "id": "3839d0e8", "size": 48,
                                        "created": "2025-05-05T19:12:14Z"}], "next": "nxt", "count": 1}
    envelope = answered(client, pubnub.list_files(channel="c", limit=10, next="abc"), listing)
    assert isinstance(envelope.result, PNGetFilesResult)
    assert envelope.result.data[0]["name"] == "king_arthur.txt" and envelope.result.count == 1
    assert envelope.result.next == "nxt"
    assert envelope.status.operation == PNOperationType.PNGetFilesAction
    envelope = answered(client, pubnub.delete_file(channel="c", file_id="i", file_name="n"), {"status": 200})
    assert isinstance(envelope.result, PNDeleteFileResult) and envelope.result.status == 200
    assert client.last.method == "DELETE" and envelope.status.operation == PNOperationType.PNDeleteFileOperation
    envelope = answered(client, pubnub._fetch_file_upload_s3_data().channel("c").file_name("cat pic.png"),
                        upload_details())
    assert isinstance(envelope.result, PNFetchFileUploadS3DataResult)
    assert envelope.result.file_id == "fid-1" and envelope.result.data["url"] == UPLOAD_URL
    result, status = via_pn_async(client, pubnub.publish_file_message().channel("c").file_id("i").file_name("n")
                                  .message("hi"), [1, "Sent", TT])
    assert isinstance(result, PNPublishFileMessageResult) and result.timestamp == TT
    assert status.operation == PNOperationType.PNSendFileAction
    client.server.respond((307, b"", {"Location": "https://files.example.com/x/n"}))
    envelope = successResultOf(client.call(pubnub.get_file_url(channel="c", file_id="i", file_name="n")))
    assert isinstance(envelope.result, PNGetFileDownloadURLResult)
    assert envelope.result.file_url == "https://files.example.com/x/n"


def test_positional_factories_of_pubnub_sdk_v10():
    client = StubbedClient()
    assert send(client, client.pubnub.list_files("c d", limit=2)).raw_path == \
        "/v1/files/sub-c-demo/channels/c%20d/files"
    request = send(client, client.pubnub.delete_file("c", "n.txt", "fid"))
    assert request.method == "DELETE" and request.raw_path == "/v1/files/sub-c-demo/channels/c/files/fid/n.txt"


def test_malformed_single_answers():
    client = StubbedClient()
    for builder, body in ((client.pubnub.list_files().channel("c"), {"data": "x"}),
                          (client.pubnub._fetch_file_upload_s3_data().channel("c").file_name("n"), {"data": {}}),
                          (client.pubnub.publish_file_message().channel("c").file_id("i").file_name("n"), {"a": 1})):
        client.server.respond((200, body))
        failure = failureResultOf(client.call(builder), PubNubTwistedException)
        assert failure.value.status.category == PNStatusCategory.PNMalformedResponseCategory


def test_publish_file_message_options():
    client = StubbedClient()
    request = send(client, client.pubnub.publish_file_message().channel("c").file_id("i").file_name("n")
                   .message({"a": 1}).meta({"m": True}).ttl(0).should_store(False).replicate(False).ptto(123)
                   .custom_message_type("file-msg"))
    assert dict(decoded_query(request.query)) == {"meta": '{"m": true}', "ttl": "0", "store": "0", "norep": "true",
                                                  "ptto": "123", "custom_message_type": "file-msg"}
    payload = json.loads(unquote(request.raw_path.rsplit("/", 1)[1]))
    assert payload == {"message": {"a": 1}, "file": {"id": "i", "name": "n"}}
    # nothing optional is sent unless set (but meta=null, as PubNub SDK 10.8)
    request = send(client, client.pubnub.publish_file_message().channel("c").file_id("i").file_name("n"))
    assert decoded_query(request.query) == [("meta", "null")]  # as PubNub SDK 10.8 sends it
    assert json.loads(unquote(request.raw_path.rsplit("/", 1)[1])) == {"message": None,
                                                                       "file": {"id": "i", "name": "n"}}


def test_publish_file_message_encryption():
    client = StubbedClient(cipher_key="testKey")
    request = send(client, client.pubnub.publish_file_message().channel("c").file_id("i").file_name("n")
                   .message("hello"))
    ciphertext = json.loads(unquote(request.raw_path.rsplit("/", 1)[1]))
    assert client.pubnub.config.message_crypto_module().decrypt(ciphertext) == {"message": "hello",
                                                                              "file": {"id": "i", "name": "n"}}
    plain = StubbedClient()
    request = send(plain, plain.pubnub.publish_file_message().channel("c").file_id("i").file_name("n")
                   .message("hello").cipher_key("other"))
    ciphertext = json.loads(unquote(request.raw_path.rsplit("/", 1)[1]))
    assert PubNubCryptodome(plain.pubnub.config).decrypt("other", ciphertext) == {
        "message": "hello", "file": {"id": "i", "name": "n"}}


def test_single_request_validation():
    config = PNConfiguration(uuid="u")
    client = StubbedClient(config=config)
    pubnub = client.pubnub
    rejected(client, pubnub.list_files().channel("c"), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub"
    rejected(client, pubnub.list_files(), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.delete_file().channel("c").file_id("i"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, pubnub.delete_file().channel("c").file_name("n"), errors.PNERR_FILE_ID_MISSING)
    rejected(client, pubnub.get_file_url().channel("c").file_name("n"), errors.PNERR_FILE_ID_MISSING)
    rejected(client, pubnub.get_file_url().channel("c").file_id("i"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, pubnub._fetch_file_upload_s3_data().channel("c"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, pubnub.publish_file_message().channel("c").file_id("i").file_name("n"),
             errors.PNERR_PUBLISH_KEY_MISSING)
    config.publish_key = "pub"
    rejected(client, pubnub.publish_file_message().file_id("i").file_name("n"), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.publish_file_message().channel("c").file_id("i"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, pubnub.publish_file_message().channel("c").file_name("n"), errors.PNERR_FILE_ID_MISSING)
    rejected(client, pubnub.publish_file_message().channel("c").file_id("i").file_name("n").meta("x"),
             errors.PNERR_PUBLISH_META_WRONG_TYPE)
    rejected(client, pubnub.publish_file_message().channel("c").file_id("i").file_name("n").message({1, 2}),
             errors.PNERR_JSON_NOT_SERIALIZABLE)
    with pytest.raises(PubNubException, match="limit"):
        pubnub.list_files().limit(0)
    with pytest.raises(PubNubException, match="ttl"):
        pubnub.publish_file_message().ttl(-1)


def test_file_url_of_file_events_still_works():
    client = StubbedClient(secret_key="sec")
    url = client.pubnub._file_url("ch 1", "id", "a b.png")
    parts = urlsplit(url)
    assert parts.path == "/v1/files/sub-c-demo/channels/ch%201/files/id/a%20b.png"
    assert {"signature", "timestamp", "uuid", "pnsdk"} <= dict(parse_qsl(parts.query)).keys()
    assert client.server.requests == []


# --- send_file ---------------------------------------------------------------------------------------

def test_send_file_end_to_end():
    client = StubbedClient(auth_key="secret-auth", secret_key="sec-c-x")
    files_server(client)
    d = run(client, client.pubnub.send_file().channel("ch 1").file_name("cat pic.png").file_object(b"\x89PNG data")
            .message({"caption": "a cat"}).meta({"kind": "pet"}).should_store(True).ttl(3))
    envelope = successResultOf(d)
    assert isinstance(envelope.result, PNSendFileResult)
    assert (envelope.result.name, envelope.result.file_id, envelope.result.timestamp) == ("cat pic.png", "fid-1", TT)
    assert envelope.status.operation == PNOperationType.PNSendFileAction
    generate, upload, publish = client.server.requests
    assert generate.method == "POST" and generate.raw_path == "/v1/files/sub-c-demo/channels/ch%201/generate-upload-url"
    assert json.loads(generate.body) == {"name": "cat pic.png"} and generate.params["auth"] == "secret-auth"
    # the upload: no PubNub parameters, credentials or signature; fields in the server's order, then the file
    assert upload.method == "POST" and upload.raw_path == "/upload-bucket/" and upload.query == []
    assert upload.header("Host") == "files.example.com"
    assert b"secret-auth" not in upload.body and b"sec-c-x" not in upload.body
    parts = uploaded_parts(upload)
    assert [(p.name, p.text) for p in parts[:-1]] == [(f["key"], f["value"]) for f in FORM_FIELDS]
    assert parts[-1].name == "file" and parts[-1].filename == "cat pic.png"
    assert parts[-1].content_type == "image/png" and parts[-1].data == b"\x89PNG data"
    # the file message
    assert publish.raw_path.startswith("/v1/files/publish-file/pub-c-demo/sub-c-demo/0/ch%201/0/")
    assert json.loads(unquote(publish.raw_path.rsplit("/", 1)[1])) == {
        "message": {"caption": "a cat"}, "file": {"id": "fid-1", "name": "cat pic.png"}}
    assert dict(decoded_query(publish.query)) == {"meta": '{"kind": "pet"}', "store": "1", "ttl": "3",
                                                  "auth": "secret-auth"}


@pytest.mark.parametrize("file_object, expected", [
    (b"bytes", b"bytes"), (bytearray(b"ba"), b"ba"), (memoryview(b"mv"), b"mv"),
    ("text \u00e9", "text \u00e9".encode()),
    (io.BytesIO(b"from a file"), b"from a file"), (io.StringIO("text file"), b"text file"), (b"", b""),
])
def test_send_file_objects(file_object, expected):
    client = StubbedClient()
    files_server(client)
    successResultOf(run(client, client.pubnub.send_file(channel="c", file_name="f", file_object=file_object)))
    assert uploaded_parts(client.server.requests_to("/upload-bucket/")[0])[-1].data == expected


def test_send_file_encrypted_with_the_configured_cipher():
    client = StubbedClient(cipher_key="testKey")
    files_server(client)
    successResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f.txt").file_object(b"secret data")
                        .message("m")))
    stored = uploaded_parts(client.server.requests_to("/upload-bucket/")[0])[-1].data
    assert stored != b"secret data"
    assert LegacyCryptoModule(client.pubnub.config).decrypt_file(stored) == b"secret data"
    # the legacy layout: IV then ciphertext, readable by the legacy file cryptor too
    assert PubNubFileCrypto(client.pubnub.config).decrypt("testKey", stored) == b"secret data"
    publish = client.server.requests_to("/v1/files/publish-file/")[0]
    ciphertext = json.loads(unquote(publish.raw_path.rsplit("/", 1)[1]))
    assert client.pubnub.config.message_crypto_module().decrypt(ciphertext)["file"]["id"] == "fid-1"


def test_send_file_encrypted_with_a_crypto_module_and_read_by_the_official_sdk():
    config = PNConfiguration(uuid="u", subscribe_key="sub-c-demo", publish_key="pub-c-demo", cipher_key="myCipherKey",
                             ssl=False)
    config.crypto_module = AesCbcCryptoModule(config)
    client = StubbedClient(config=config)
    files_server(client)
    successResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"knights")))
    stored = uploaded_parts(client.server.requests_to("/upload-bucket/")[0])[-1].data
    assert stored.startswith(b"PNED\x01ACRH")
    official_crypto = pytest.importorskip("pubnub.crypto")
    from pubnub.pnconfiguration import PNConfiguration as OfficialConfiguration

    official = OfficialConfiguration()
    official.cipher_key = "myCipherKey"
    official.uuid = "peer"
    assert official_crypto.AesCbcCryptoModule(official).decrypt_file(stored) == b"knights"


def test_send_file_with_builder_cipher_key_uses_the_legacy_file_cryptor():
    client = StubbedClient()
    files_server(client)
    successResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"data")
                        .cipher_key("builder-key")))
    stored = uploaded_parts(client.server.requests_to("/upload-bucket/")[0])[-1].data
    assert PubNubFileCrypto(client.pubnub.config).decrypt("builder-key", stored) == b"data"
    assert client.pubnub.decrypt("builder-key", stored) == b"data"
    assert client.pubnub.decrypt("k", client.pubnub.encrypt("k", b"round trip")) == b"round trip"
    official_crypto = pytest.importorskip("pubnub.crypto")
    from pubnub.pnconfiguration import PNConfiguration as OfficialConfiguration

    official = OfficialConfiguration()
    official.uuid = "peer"
    assert official_crypto.PubNubFileCrypto(official).decrypt("builder-key", stored) == b"data"


def test_send_file_validation_and_size_limit():
    config = PNConfiguration(uuid="u", ssl=False)
    client = StubbedClient(config=config)
    send_file = client.pubnub.send_file
    rejected(client, send_file().channel("c").file_name("f").file_object(b"x"), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub-c-demo"
    rejected(client, send_file().file_name("f").file_object(b"x"), errors.PNERR_CHANNEL_MISSING)
    rejected(client, send_file().channel("c").file_name("f"), errors.PNERR_FILE_OBJECT_MISSING)
    rejected(client, send_file().channel("c").file_object(b"x"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, send_file().channel("c").file_name("f").file_object(b"x"), errors.PNERR_PUBLISH_KEY_MISSING)
    config.publish_key = "pub-c-demo"
    rejected(client, send_file().channel("c").file_name("f").file_object(b"x").meta([1]),
             errors.PNERR_PUBLISH_META_WRONG_TYPE)
    rejected(client, send_file().channel("c").file_name("f").file_object(5), errors.PNERR_INVALID_ARGUMENT)
    exc = rejected(client, send_file().channel("c").file_name("f").file_object(b"x" * (MAX_FILE_SIZE + 1)),
                   errors.PNERR_FILE_TOO_LARGE)
    assert "larger than %d bytes" % MAX_FILE_SIZE in str(exc)
    rejected(client, send_file().channel("c").file_name("f").file_object(io.BytesIO(b"x" * (MAX_FILE_SIZE + 1))),
             errors.PNERR_FILE_TOO_LARGE)

    class Broken:
        def read(self, size=-1):
            raise OSError("disk on fire")

    rejected(client, send_file().channel("c").file_name("f").file_object(Broken()), errors.PNERR_INVALID_ARGUMENT,
             "disk on fire")
    # exactly at the limit is fine in plain text, but not once encryption made it larger
    files_server(client)
    successResultOf(run(client, send_file().channel("c").file_name("f").file_object(b"x" * MAX_FILE_SIZE)))
    client.server.requests.clear()
    config.cipher_key = "k"
    rejected(client, send_file().channel("c").file_name("f").file_object(b"x" * MAX_FILE_SIZE),
             errors.PNERR_FILE_TOO_LARGE, "encrypted file")


def test_send_file_pn_async():
    client = StubbedClient()
    files_server(client)
    calls = []
    d = client.pubnub.send_file().channel("c").file_name("f").file_object(b"x").pn_async(
        lambda result, status: calls.append((result, status)))
    flush(client)
    successResultOf(d)
    (result, status), = calls
    assert result.file_id == "fid-1" and result.timestamp == TT and not status.is_error()
    calls.clear()
    client.server.route("/upload-bucket/", default=(400, b"<Error><Code>EntityTooLarge</Code></Error>",
                                                    {"Content-Type": "application/xml"}))
    d = client.pubnub.send_file().channel("c").file_name("f").file_object(b"x").pn_async(
        lambda result, status: calls.append((result, status)))
    flush(client)
    successResultOf(d)
    (result, status), = calls
    assert result is None and status.is_error() and status.status_code == 400
    assert status.category == PNStatusCategory.PNBadRequestCategory
    assert "EntityTooLarge" in status.error_data.information


def test_send_file_step_failures():
    client = StubbedClient()
    # generate-upload-url refused
    client.server.route("/v1/files/sub-c-demo/channels/", default=(403, {
        "status": 403, "message": "Forbidden", "error": True, "service": "Access Manager"}))
    failure = failureResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"x")),
                              PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert len(client.server.requests) == 1

    for details, message in ((upload_details(url="ftp://files.example.com/x"), "unusable file URL"),
                             (upload_details(url="not a url"), "unusable file URL"),
                             (upload_details(fields=[{"key": "k"}]), "form fields are malformed"),
                             (upload_details(fields={"key": "k"}), "form fields are malformed")):
        client = StubbedClient()
        files_server(client, details=details)
        failure = failureResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f")
                                      .file_object(b"x")), PubNubTwistedException)
        assert failure.value.status.category == PNStatusCategory.PNMalformedResponseCategory
        assert message in str(failure.value)
        assert len(client.server.requests) == 1

    # the upload URL must not downgrade a TLS client to plain http
    client = StubbedClient(ssl=True)
    files_server(client)
    failure = failureResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"x")),
                              PubNubTwistedException)
    assert "plain-http" in str(failure.value) and len(client.server.requests) == 1

    # uploaded, but the file message could not be published: the failure says which file it was
    client = StubbedClient()
    files_server(client, publish=(500, {"status": 500, "error": True}))
    failure = failureResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"x")),
                              PubNubTwistedException)
    assert failure.value.status.status_code == 500
    assert failure.value.uploaded_file.file_id == "fid-1" and failure.value.uploaded_file.name == "cat pic.png"


def test_send_file_cancellation_cancels_the_step_in_flight():
    client = StubbedClient()
    files_server(client, upload=HOLD)
    d = run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"x"))
    assertNoResult(d)
    assert len(client.server.held) == 1 and client.pubnub._pipeline.in_flight == 1
    d.cancel()
    failure = failureResultOf(d, PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNCancelledCategory
    assert client.pubnub._pipeline.in_flight == 0
    assert client.server.requests_to("/v1/files/publish-file/") == []


def test_send_file_upload_times_out():
    client = StubbedClient()
    files_server(client, upload=HOLD)
    d = run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"x"))
    client.clock.advance(59)
    assertNoResult(d)
    client.clock.advance(1)
    failure = failureResultOf(d, PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNTimeoutCategory


def test_composite_builders_refuse_options():
    with pytest.raises(TypeError, match="several requests"):
        StubbedClient().pubnub.send_file().options()


# --- download_file -----------------------------------------------------------------------------------

LOCATION = "http://files.example.com/dl/sub-c-demo/fid-1/cat.png?X-Amz-Signature=abc&X-Amz-Expires=3600"


def download_server(client, body, location=LOCATION, code=200):
    client.server.route("/v1/files/sub-c-demo/channels/", default=(307, b"", {"Location": location}))
    client.server.route("/dl/", default=(code, body, {"Content-Type": "image/png"}))


def test_download_file_end_to_end():
    client = StubbedClient(auth_key="secret-auth")
    download_server(client, b"\x89PNG bytes")
    envelope = successResultOf(run(client, client.pubnub.download_file(channel="c", file_id="fid-1",
                                                                        file_name="cat.png")))
    assert isinstance(envelope.result, PNDownloadFileResult) and envelope.result.data == b"\x89PNG bytes"
    assert envelope.status.operation == PNOperationType.PNDownloadFileAction
    locate, fetch = client.server.requests
    assert locate.raw_path == "/v1/files/sub-c-demo/channels/c/files/fid-1/cat.png"
    assert locate.params["auth"] == "secret-auth"
    # the storage request carries exactly the Location's query: no PubNub parameters or credentials
    assert fetch.method == "GET" and fetch.raw_path == "/dl/sub-c-demo/fid-1/cat.png"
    assert fetch.query == [("X-Amz-Signature", "abc"), ("X-Amz-Expires", "3600")]
    assert fetch.header("Host") == "files.example.com"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in FILE_VECTORS])
def test_download_file_decrypts_recorded_downloads(case):
    client = StubbedClient(cipher_key=case["cipher_key"])
    download_server(client, bytes.fromhex(case["input_hex"]))
    envelope = successResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")))
    assert envelope.result.data == bytes.fromhex(case["plaintext_hex"])
    # the builder's cipher_key (legacy file cryptor) reads them too
    client = StubbedClient()
    download_server(client, bytes.fromhex(case["input_hex"]))
    envelope = successResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")
                                   .cipher_key(case["cipher_key"])))
    assert envelope.result.data == bytes.fromhex(case["plaintext_hex"])


def test_send_then_download_round_trip():
    for cipher in (None, "round-trip-key"):
        client = StubbedClient(cipher_key=cipher)
        files_server(client)
        successResultOf(run(client, client.pubnub.send_file().channel("c").file_name("f").file_object(b"payload")))
        stored = uploaded_parts(client.server.requests_to("/upload-bucket/")[0])[-1].data
        download_server(client, stored)
        envelope = successResultOf(run(client, client.pubnub.download_file().channel("c").file_id("fid-1")
                                       .file_name("f")))
        assert envelope.result.data == b"payload"


def test_download_file_failures():
    client = StubbedClient(cipher_key="wrongKey")
    download_server(client, bytes.fromhex(FILE_VECTORS[2]["input_hex"]))
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")),
                              PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNDecryptionErrorCategory
    assert failure.value.status.operation == PNOperationType.PNDownloadFileAction
    assert "decryption error" in str(failure.value)

    client = StubbedClient()
    download_server(client, b"<Error><Code>NoSuchKey</Code></Error>", code=404)
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")),
                              PubNubTwistedException)
    assert failure.value.status.status_code == 404

    client = StubbedClient()
    download_server(client, b"x" * 21)
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")
                                  .max_size(20)), PubNubTwistedException)
    assert failure.value.status.error_data.exception.pn_error == errors.PNERR_FILE_TOO_LARGE
    assert "21 bytes, more than the 20 bytes allowed" in str(failure.value)
    successResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n").max_size(21)))
    # far larger: the transport stops reading one byte past the limit, same error for the caller
    client = StubbedClient()
    download_server(client, b"x" * 5000)
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")
                                  .max_size(20)), PubNubTwistedException)
    assert failure.value.status.error_data.exception.pn_error == errors.PNERR_FILE_TOO_LARGE
    assert "more than the 20 bytes allowed" in str(failure.value)

    client = StubbedClient(ssl=True)
    download_server(client, b"x")
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")),
                              PubNubTwistedException)
    assert "plain-http" in str(failure.value) and len(client.server.requests) == 1

    client = StubbedClient()
    client.server.route("/v1/files/", default=(307, b"", {}))
    failure = failureResultOf(run(client, client.pubnub.download_file().channel("c").file_id("i").file_name("n")),
                              PubNubTwistedException)
    assert "no Location" in str(failure.value)


def test_download_file_validation_and_pn_async():
    config = PNConfiguration(uuid="u", ssl=False)
    client = StubbedClient(config=config)
    download = client.pubnub.download_file
    rejected(client, download().channel("c").file_id("i").file_name("n"), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub-c-demo"
    rejected(client, download().file_id("i").file_name("n"), errors.PNERR_CHANNEL_MISSING)
    rejected(client, download().channel("c").file_id("i"), errors.PNERR_FILE_NAME_MISSING)
    rejected(client, download().channel("c").file_name("n"), errors.PNERR_FILE_ID_MISSING)
    with pytest.raises(PubNubException, match="max_size"):
        download().max_size(-1)
    download_server(client, b"bytes")
    calls = []
    d = download().channel("c").file_id("i").file_name("n").pn_async(lambda r, s: calls.append((r, s)))
    flush(client)
    successResultOf(d)
    (result, status), = calls
    assert result.data == b"bytes" and not status.is_error()


# --- multipart -----------------------------------------------------------------------------------------

def test_multipart_round_trip_and_escaping():
    content_type, body = multipart.encode_form([("a", "1"), ('we"ird\r\nname', "v\u00e9")], 'fi"le.bin',
                                               b"\r\n--data--\r\n", boundary="fixed-boundary")
    assert content_type == "multipart/form-data; boundary=fixed-boundary"
    assert body.startswith(b'--fixed-boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n')
    assert b'name="we%22ird%0D%0Aname"' in body and b'filename="fi%22le.bin"' in body
    assert body.endswith(b"\r\n--data--\r\n\r\n--fixed-boundary--\r\n")
    parts = multipart.parse_form(content_type, body)
    assert [(p.name, p.filename, p.data) for p in parts] == [
        ("a", None, b"1"), ('we"ird\r\nname', None, "v\u00e9".encode()), ("file", 'fi"le.bin', b"\r\n--data--\r\n")]
    assert parts[-1].content_type == "application/octet-stream"


def test_multipart_random_boundary_avoids_the_content():
    content_type, body = multipart.encode_form([], "f", b"----pubnub-fast-" * 10)
    boundary = content_type.split("boundary=")[1]
    assert body.count(boundary.encode()) == 2
    assert multipart.parse_form(content_type, body)[0].data == b"----pubnub-fast-" * 10


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b""),
    ("multipart/form-data", b""),
    ("multipart/form-data; boundary=", b""),
    ("multipart/form-data; boundary=b", b"nope"),
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"),
    ("multipart/form-data; boundary=b", b"--b\r\nX: y\r\n\r\nv\r\n--b--\r\n"),
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--\r\n"),
    ("multipart/form-data; boundary=b", b"--b\r\nbroken header\r\n\r\nv\r\n--b--\r\n"),
    ("multipart/form-data; boundary=b", b"--b\r\n\xff: y\r\n\r\nv\r\n--b--\r\n"),
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--xx"),
    ("multipart/form-data; boundary=b", b"--bX"),
])
def test_multipart_parser_is_strict(content_type, body):
    with pytest.raises(multipart.MultipartError):
        multipart.parse_form(content_type, body)


def test_multipart_part_limit():
    fields = [("f%d" % i, "v") for i in range(5)]
    content_type, body = multipart.encode_form(fields, "f", b"")
    assert len(multipart.parse_form(content_type, body)) == 6
    with pytest.raises(multipart.MultipartError, match="more than 3 parts"):
        multipart.parse_form(content_type, body, max_parts=3)
