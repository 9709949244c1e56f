"""``time()``: the server's current timetoken."""
from pubnub_fast.endpoints.base import Endpoint
from pubnub_fast.enums import PNOperationType
from pubnub_fast.models.consumer.time import PNTimeResponse

__all__ = ["Time"]


class Time(Endpoint):
    OPERATION = PNOperationType.PNTimeOperation
    AUTH_REQUIRED = False

    def build_path(self):
        return "/time/0"

    def create_response(self, envelope):
        return PNTimeResponse(envelope)
