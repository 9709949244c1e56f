"""``pubnub.endpoints.objects_v2.objects_endpoint`` (PubNub SDK 10.8 module path).

The building blocks of the App Context builders under PubNub SDK 10.8's names: the base
(``ObjectsEndpoint``) and the setter mixins each builder is made of
(``pubnub_fast.endpoints.objects``), plus the include levels ``UUIDIncludeEndpoint`` and
``ChannelIncludeEndpoint``.
"""
from pubnub_fast.endpoints.objects import ChannelIncludeEndpoint, UUIDIncludeEndpoint
from pubnub_fast.endpoints.objects import _ChannelTarget as ChannelEndpoint
from pubnub_fast.endpoints.objects import _Custom as CustomAwareEndpoint
from pubnub_fast.endpoints.objects import _IncludeCustom as IncludeCustomEndpoint
from pubnub_fast.endpoints.objects import _Includes as IncludeCapableEndpoint
from pubnub_fast.endpoints.objects import _IncludeStatusType as IncludeStatusTypeEndpoint
from pubnub_fast.endpoints.objects import _ListParams as ListEndpoint
from pubnub_fast.endpoints.objects import _ObjectsEndpoint as ObjectsEndpoint
from pubnub_fast.endpoints.objects import _StatusTypeFields as StatusTypeAwareEndpoint
from pubnub_fast.endpoints.objects import _UuidTarget as UuidEndpoint

__all__ = ["ObjectsEndpoint", "CustomAwareEndpoint", "StatusTypeAwareEndpoint", "ChannelEndpoint", "UuidEndpoint",
           "ListEndpoint", "IncludeCapableEndpoint", "IncludeCustomEndpoint", "IncludeStatusTypeEndpoint",
           "UUIDIncludeEndpoint", "ChannelIncludeEndpoint"]
