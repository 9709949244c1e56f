"""Channel group, push, message count, message action, file and token results (client-api.md §4.2, §4.4)."""
from pubnub_fast.models.consumer.channel_group import (
    PNChannelGroupsAddChannelResult,
    PNChannelGroupsListResult,
    PNChannelGroupsRemoveChannelResult,
    PNChannelGroupsRemoveGroupResult,
)
from pubnub_fast.models.consumer.file import (
    PNDeleteFileResult,
    PNDownloadFileResult,
    PNFetchFileUploadS3DataResult,
    PNGetFileDownloadURLResult,
    PNGetFilesResult,
    PNPublishFileMessageResult,
    PNSendFileResult,
)
from pubnub_fast.models.consumer.message_actions import (
    PNAddMessageActionResult,
    PNGetMessageActionsResult,
    PNMessageAction,
    PNRemoveMessageActionResult,
)
from pubnub_fast.models.consumer.message_count import PNMessageCountResult
from pubnub_fast.models.consumer.push import (
    PNPushAddChannelResult,
    PNPushListProvisionsResult,
    PNPushRemoveAllChannelsResult,
    PNPushRemoveChannelResult,
)
from pubnub_fast.models.consumer.v3.access_manager import PNGrantTokenResult, PNRevokeTokenResult

OK_REGISTRY = {"status": 200, "message": "OK", "service": "channel-registry", "error": False}


def test_channel_group_ok_results():
    for cls in (PNChannelGroupsAddChannelResult, PNChannelGroupsRemoveChannelResult,
                PNChannelGroupsRemoveGroupResult):
        result = cls.from_json(OK_REGISTRY)
        assert isinstance(result, cls) and str(result) and repr(result) == "%s()" % cls.__name__


def test_channel_group_list():
    body = {"status": 200, "payload": {"channels": ["ch1", "ch2"], "group": "cg"}, "service": "channel-registry",
            "error": False}
    result = PNChannelGroupsListResult.from_json(body)
    assert result.channels == ["ch1", "ch2"]
    assert "ch1, ch2" in str(result)


def test_channel_group_list_missing_channels_is_empty():
    assert PNChannelGroupsListResult.from_json({"status": 200, "payload": {"group": "cg"}}).channels == []
    assert PNChannelGroupsListResult.from_json({"status": 200}).channels == []


def test_push_results():
    assert isinstance(PNPushAddChannelResult.from_json([1, "Modified Channels"]), PNPushAddChannelResult)
    assert isinstance(PNPushRemoveChannelResult.from_json([1, "Modified Channels"]), PNPushRemoveChannelResult)
    assert isinstance(PNPushRemoveAllChannelsResult.from_json([1, "Removed Device"]), PNPushRemoveAllChannelsResult)
    listed = PNPushListProvisionsResult.from_json(["ch_3", "ch_4", "channel_1"])
    assert listed.channels == ["ch_3", "ch_4", "channel_1"]
    assert PNPushListProvisionsResult.from_json([]).channels == []
    assert "ch_3" in str(listed)


def test_message_count():
    body = {"status": 200, "error": False, "error_message": "",
            "channels": {"unique_asyncio_1": 1, "unique_asyncio_2": 0}}
    result = PNMessageCountResult.from_json(body)
    assert result.channels == {"unique_asyncio_1": 1, "unique_asyncio_2": 0}
    assert result._result is body
    assert "unique_asyncio_1" in str(result)


ACTION = {"type": "reaction", "value": "smiley_face", "uuid": "user-456", "actionTimetoken": "15610547826970050",
          "messageTimetoken": "15610547826969050"}


def test_message_action_from_dict_and_empty():
    action = PNMessageAction(ACTION)
    assert (action.type, action.value, action.uuid, action.action_timetoken, action.message_timetoken) == (
        "reaction", "smiley_face", "user-456", "15610547826970050", "15610547826969050")
    empty = PNMessageAction()
    assert vars(empty) == {"type": None, "value": None, "message_timetoken": None, "uuid": None,
                           "action_timetoken": None}
    empty.type, empty.value, empty.message_timetoken = "receipt", "read", "1"
    assert "receipt" in str(empty)


def test_message_action_create():
    action = PNMessageAction.create(type="reaction", value="x", message_timetoken="123", user_id="me")
    assert (action.type, action.value, action.message_timetoken, action.uuid, action.action_timetoken) == (
        "reaction", "x", "123", "me", None)


def test_add_message_action_result():
    result = PNAddMessageActionResult.from_json({"status": 200, "data": ACTION})
    assert isinstance(result, PNMessageAction)
    assert (result.type, result.uuid, result.action_timetoken) == ("reaction", "user-456", "15610547826970050")


def test_get_message_actions_result():
    body = {"status": 200, "data": [ACTION, dict(ACTION, value="frown", actionTimetoken="15610547826970051")],
            "more": {"url": "/v1/message-actions/…", "start": "15610547826970050", "end": "1", "limit": 2}}
    result = PNGetMessageActionsResult.from_json(body)
    assert [a.value for a in result.actions] == ["smiley_face", "frown"]
    assert all(isinstance(a, PNMessageAction) for a in result.actions)
    assert result._result is body
    assert PNGetMessageActionsResult({"status": 200, "data": []}).actions == []
    assert "2 actions" in str(result)


def test_remove_message_action_result():
    result = PNRemoveMessageActionResult.from_json({"status": 200, "data": {}})
    assert result._result == {"status": 200, "data": {}}
    assert PNRemoveMessageActionResult()._result == {}


def test_list_files():
    body = {"status": 200, "data": [{"name": "king_arthur.txt", "id": "3839d0e8", "size": 48,
                                     "created": "2025-05-05T19:12:14Z"}], "next": None, "count": 1}
    result = PNGetFilesResult.from_json(body)
    assert (result.data, result.count, result.next, result.prev) == (body["data"], 1, None, None)
    assert PNGetFilesResult({"status": 200, "data": [], "next": "abc", "count": 0}).next == "abc"


def test_delete_file():
    assert PNDeleteFileResult.from_json({"status": 200}).status == 200


def test_file_download_url_sources():
    url = "https://files-us-east-1.pndsn.com/sub/id/name?X-Amz=1"
    assert PNGetFileDownloadURLResult(url).file_url == url
    assert PNGetFileDownloadURLResult.from_location(url).file_url == url

    class MappingResponse:
        headers = {"Location": url}

    assert PNGetFileDownloadURLResult(MappingResponse()).file_url == url

    from twisted.web.http_headers import Headers

    class TwistedResponse:
        headers = Headers({b"Location": [url.encode()]})

    assert PNGetFileDownloadURLResult(TwistedResponse()).file_url == url


def test_fetch_upload_data():
    body = {"status": 200, "data": {"id": "a9ef2775", "name": "king_arthur.txt"},
            "file_upload_request": {"url": "https://s3/", "method": "POST", "expiration_date": "2024-12-03T14:46:53Z",
                                    "form_fields": [{"key": "tagging", "value": "<Tagging/>"}]}}
    result = PNFetchFileUploadS3DataResult.from_json(body)
    assert (result.name, result.file_id) == ("king_arthur.txt", "a9ef2775")
    assert result.data == body["file_upload_request"]


def test_publish_file_message_and_send_file():
    published = PNPublishFileMessageResult.from_json([1, "Sent", "17000000000000000"])
    assert published.timestamp == "17000000000000000"
    upload = PNFetchFileUploadS3DataResult({"status": 200, "data": {"id": "fid", "name": "f.txt"}})
    sent = PNSendFileResult(published, upload)
    assert (sent.name, sent.file_id, sent.timestamp) == ("f.txt", "fid", "17000000000000000")

    class Envelope:
        def __init__(self, result):
            self.result = result

    sent = PNSendFileResult(Envelope(published), Envelope(upload))
    assert (sent.name, sent.file_id, sent.timestamp) == ("f.txt", "fid", "17000000000000000")


def test_download_file():
    result = PNDownloadFileResult(b"Knights who say Ni!")
    assert result.data == b"Knights who say Ni!"
    assert "19 bytes" in repr(result)


def test_grant_token_result():
    body = {"data": {"message": "Success", "token": "qEF2AkF0GmgvIEBD"}, "service": "Access Manager",
            "status": 200}
    result = PNGrantTokenResult.from_json(body)
    assert result.token == result.get_token() == "qEF2AkF0GmgvIEBD"
    assert "qEF2AkF0GmgvIEBD" in str(result)


def test_revoke_token_result():
    body = {"data": {"message": "Success"}, "service": "Access Manager", "status": 200}
    assert PNRevokeTokenResult.from_json(body).status == 200
    assert PNRevokeTokenResult(body).status == 200
