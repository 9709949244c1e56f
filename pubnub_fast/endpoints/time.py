"""``time()``: the server's current timetoken."""
from pubnub_fast.endpoints.base import Endpoint
from pubnub_fast.enums import PNOperationType
from pubnub_fast.models.consumer.time import PNTimeResponse
from pubnub_fast.structures import Envelope

__all__ = ["Time", "PNTimeResponseEnvelope"]


class Time(Endpoint):
    OPERATION = PNOperationType.PNTimeOperation
    AUTH_REQUIRED = False

    def build_path(self):
        return "/time/0"

    def create_response(self, envelope):
        return PNTimeResponse(envelope)


class PNTimeResponseEnvelope(Envelope):
    """A ``PNTimeResponse`` with its ``PNStatus`` (PubNub SDK 10.8 name)."""

    result: PNTimeResponse
