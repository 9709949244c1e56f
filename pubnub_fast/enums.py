"""Enumerations of the PubNub SDK (``pubnub.enums`` compatible).

The values are those of PubNub's Python SDK (client-api.md §5). They are ``IntEnum``/plain
constants so they compare equal to the plain integers older code may hold.
"""
from enum import Enum, IntEnum, IntFlag

__all__ = [
    "HttpMethod",
    "PNStatusCategory",
    "PNOperationType",
    "PNHeartbeatNotificationOptions",
    "PNReconnectionPolicy",
    "PNPushType",
    "PNPushEnvironment",
    "PNResourceType",
    "PNMatchType",
    "PAMPermissions",
]


class HttpMethod(IntEnum):
    GET = 1
    POST = 2
    DELETE = 3
    PATCH = 4

    @staticmethod
    def string(method):
        """``HttpMethod.string(HttpMethod.GET)`` → ``"GET"``."""
        return HttpMethod(method).name


class PNStatusCategory(IntEnum):
    """Categories of ``PNStatus``; compares equal to the plain ints older code holds, prints as
    PubNub SDK 10.8's ``Enum`` does (``PNStatusCategory.PNConnectedCategory``)."""

    PNUnknownCategory = 1
    PNAcknowledgmentCategory = 2
    PNAccessDeniedCategory = 3
    PNTimeoutCategory = 4
    PNNetworkIssuesCategory = 5
    PNConnectedCategory = 6
    PNReconnectedCategory = 7
    PNDisconnectedCategory = 8
    PNUnexpectedDisconnectCategory = 9
    PNCancelledCategory = 10
    PNBadRequestCategory = 11
    PNMalformedFilterExpressionCategory = 12
    PNMalformedResponseCategory = 13
    PNDecryptionErrorCategory = 14
    PNTLSConnectionFailedCategory = 15
    PNTLSUntrustedCertificateCategory = 16
    PNInternalExceptionCategory = 17
    PNSubscriptionChangedCategory = 18
    PNConnectionErrorCategory = 19
    PNSerializationErrorCategory = 20

    def __str__(self):
        return "%s.%s" % (type(self).__name__, self.name)

    def __format__(self, format_spec):
        return format(str(self), format_spec)


class PNOperationType(IntEnum):
    PNSubscribeOperation = 1
    PNUnsubscribeOperation = 2
    PNPublishOperation = 3
    PNHistoryOperation = 4
    PNWhereNowOperation = 5
    PNHeartbeatOperation = 6
    PNSetStateOperation = 7
    PNAddChannelsToGroupOperation = 8
    PNRemoveChannelsFromGroupOperation = 9
    PNChannelGroupsOperation = 10
    PNRemoveGroupOperation = 11
    PNChannelsForGroupOperation = 12
    PNPushNotificationEnabledChannelsOperation = 13
    PNAddPushNotificationsOnChannelsOperation = 14
    PNRemovePushNotificationsFromChannelsOperation = 15
    PNRemoveAllPushNotificationsOperation = 16
    PNTimeOperation = 17
    PNHereNowOperation = 18
    PNGetState = 19
    PNAccessManagerAudit = 20
    PNAccessManagerGrant = 21
    PNAccessManagerRevoke = 22
    PNHistoryDeleteOperation = 23
    PNMessageCountOperation = 24
    PNFireOperation = 25
    PNSignalOperation = 26
    PNAccessManagerRevokeToken = 40
    PNAccessManagerGrantToken = 41
    PNAddMessageAction = 42
    PNGetMessageActions = 43
    PNDeleteMessageAction = 44
    PNFetchMessagesOperation = 45
    PNGetFilesAction = 46
    PNDeleteFileOperation = 47
    PNGetFileDownloadURLAction = 48
    PNFetchFileUploadS3DataAction = 49
    PNDownloadFileAction = 50
    PNSendFileAction = 51
    PNSendFileNotification = 52
    PNSetUuidMetadataOperation = 53
    PNGetUuidMetadataOperation = 54
    PNRemoveUuidMetadataOperation = 55
    PNGetAllUuidMetadataOperation = 56
    PNSetChannelMetadataOperation = 57
    PNGetChannelMetadataOperation = 58
    PNRemoveChannelMetadataOperation = 59
    PNGetAllChannelMetadataOperation = 60
    PNSetChannelMembersOperation = 61
    PNGetChannelMembersOperation = 62
    PNRemoveChannelMembersOperation = 63
    PNManageChannelMembersOperation = 64
    PNSetMembershipsOperation = 65
    PNGetMembershipsOperation = 66
    PNRemoveMembershipsOperation = 67
    PNManageMembershipsOperation = 68


class PNHeartbeatNotificationOptions(IntEnum):
    """Which heartbeat results are announced to listeners.

    ``All`` is an alias of ``ALL``: PubNub's Twisted documentation spells it that way.
    """

    NONE = 1
    FAILURES = 2
    ALL = 3
    All = 3


class PNReconnectionPolicy(IntEnum):
    NONE = 1
    LINEAR = 2
    EXPONENTIAL = 3


class PNPushType(IntEnum):
    APNS = 1
    MPNS = 2
    GCM = 3
    APNS2 = 4
    FCM = 5


class PNPushEnvironment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class PNResourceType(str, Enum):
    CHANNEL = "channel"
    GROUP = "group"
    USER = "user"
    SPACE = "space"


class PNMatchType(str, Enum):
    RESOURCE = "resource"
    PATTERN = "pattern"


class PAMPermissions(IntFlag):
    """Access Manager permission bits (a token's resource bitmask; combine with ``|``)."""

    READ = 1
    WRITE = 2
    MANAGE = 4
    DELETE = 8
    CREATE = 16
    GET = 32
    UPDATE = 64
    JOIN = 128
