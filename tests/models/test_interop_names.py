"""Public names and constructor signatures match PubNub's SDK (``pubnub==10.8.0`` as a test peer).

Only names are compared (module members, constructor parameters, attribute names of objects
built the same way); behaviour is tested from the spec in the other test modules.
"""
import enum
import importlib
import inspect

import pytest

pubnub = pytest.importorskip("pubnub")

MODULE_NAMES = {
    "models.consumer.presence": [
        "PNHereNowResult", "PNHereNowChannelData", "PNHereNowOccupantsData", "PNWhereNowResult",
        "PNSetStateResult", "PNGetStateResult",
    ],
    "models.consumer.history": [
        "PNHistoryResult", "PNHistoryItemResult", "PNFetchMessagesResult", "PNFetchMessageItem",
    ],
    "models.consumer.channel_group": [
        "PNChannelGroupsAddChannelResult", "PNChannelGroupsRemoveChannelResult",
        "PNChannelGroupsRemoveGroupResult", "PNChannelGroupsListResult",
    ],
    "models.consumer.push": [
        "PNPushAddChannelResult", "PNPushRemoveChannelResult", "PNPushRemoveAllChannelsResult",
        "PNPushListProvisionsResult",
    ],
    "models.consumer.access_manager": [
        "PNAccessManagerAuditResult", "PNAccessManagerGrantResult", "PNAccessManagerChannelData",
        "PNAccessManagerChannelGroupData", "PNAccessManagerUuidsData", "PNAccessManagerKeyData",
        "PNAccessManagerResult", "PNAccessManagerCategoryData",
    ],
    "models.consumer.message_actions": [
        "PNMessageAction", "PNGetMessageActionsResult", "PNAddMessageActionResult", "PNRemoveMessageActionResult",
    ],
    "models.consumer.message_count": ["PNMessageCountResult"],
    "models.consumer.file": [
        "PNGetFilesResult", "PNDeleteFileResult", "PNGetFileDownloadURLResult", "PNFetchFileUploadS3DataResult",
        "PNDownloadFileResult", "PNSendFileResult", "PNPublishFileMessageResult",
    ],
    "models.consumer.v3.access_manager": ["PNGrantTokenResult", "PNRevokeTokenResult"],
    "models.consumer.v3.channel": ["Channel"],
    "models.consumer.v3.group": ["Group"],
    "models.consumer.v3.uuid": ["UUID"],
    "models.consumer.v3.user": ["User"],
    "models.consumer.v3.space": ["Space"],
    "models.consumer.v3.category": ["Category"],
    "models.consumer.v3.pn_resource": ["PNResource"],
    "models.consumer.objects_v2.page": ["PNPage", "Next", "Previous", "PNPageable"],
    "models.consumer.objects_v2.sort": ["PNSortKey", "PNSortKeyValue", "PNSortDirection"],
    "models.consumer.objects_v2.common": ["PNIncludes", "MemberIncludes", "MembershipIncludes"],
    "models.consumer.objects_v2.channel_members": [
        "PNUUID", "JustUUID", "UUIDWithCustom", "PNUserMember", "PNSetChannelMembersResult",
        "PNGetChannelMembersResult", "PNRemoveChannelMembersResult", "PNManageChannelMembersResult",
    ],
    "models.consumer.objects_v2.memberships": [
        "PNChannelMembership", "JustChannel", "ChannelWithCustom", "PNMembershipResult", "PNSetMembershipsResult",
        "PNGetMembershipsResult", "PNRemoveMembershipsResult", "PNManageMembershipsResult",
    ],
    "models.consumer.objects_v2.uuid": [
        "PNSetUUIDMetadataResult", "PNGetUUIDMetadataResult", "PNRemoveUUIDMetadataResult",
        "PNGetAllUUIDMetadataResult", "PNUUIDMetadataResult",
    ],
    "models.consumer.objects_v2.channel": [
        "PNSetChannelMetadataResult", "PNGetChannelMetadataResult", "PNRemoveChannelMetadataResult",
        "PNGetAllChannelMetadataResult", "PNChannelMetadataResult",
    ],
    "models.server.subscribe": [
        "SubscribeEnvelope", "SubscribeMessage", "SubscribeMetadata", "PresenceEnvelope", "PublishMetadata",
    ],
}

CASES = [(module, name) for module, names in MODULE_NAMES.items() for name in names]


def _pair(module, name):
    ours = getattr(importlib.import_module("pubnub_fast." + module), name)
    theirs = getattr(importlib.import_module("pubnub." + module), name)
    return ours, theirs


# Where the constructor deliberately differs from PubNub's SDK (reason in the class docstring).
SIGNATURE_DEVIATIONS = {
    # PubNub's base takes (*args, **kwargs); ours names the four common includes.
    ("models.consumer.objects_v2.common", "PNIncludes"),
}


def _params(cls):
    signature = inspect.signature(cls.__init__)
    return [p for p in signature.parameters.values() if p.name != "self"]


@pytest.mark.parametrize("module,name", CASES, ids=["%s.%s" % case for case in CASES])
def test_constructor_parameters_match(module, name):
    """Same parameter names in the same order; extra trailing parameters must be optional."""
    ours, theirs = _pair(module, name)
    if issubclass(theirs, enum.Enum):
        assert list(ours.__members__) == list(theirs.__members__)
        return
    if (module, name) in SIGNATURE_DEVIATIONS:
        pytest.skip("documented deviation")
    our_params, their_params = _params(ours), _params(theirs)
    our_names = [p.name for p in our_params]
    their_names = [p.name for p in their_params]
    assert our_names[: len(their_names)] == their_names, "ours %s, theirs %s" % (our_names, their_names)
    extra = our_params[len(their_params):]
    assert all(p.default is not inspect.Parameter.empty for p in extra), "extra parameters need defaults"


@pytest.mark.parametrize("module,name", CASES, ids=["%s.%s" % case for case in CASES])
def test_public_methods_present(module, name):
    ours, theirs = _pair(module, name)
    theirs_public = {n for n in dir(theirs) if not n.startswith("_")}
    ours_public = {n for n in dir(ours) if not n.startswith("_")}
    missing = sorted(theirs_public - ours_public)
    assert not missing, "missing %s" % missing
