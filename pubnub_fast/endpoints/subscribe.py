"""The subscribe long-poll request (``GET /v2/subscribe/{sub}/{channels}/0``), client-api.md §9.1.

Users do not build it: ``PubNubTwisted.subscribe()`` returns a ``SubscribeBuilder`` and the
subscription loop sends this request. Its response body goes, unparsed, to the envelope hot path.
"""
from pubnub_fast import _speedups, errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_list, encode_path_segment, to_json
from pubnub_fast.enums import PNOperationType
from pubnub_fast.exceptions import PubNubException

__all__ = ["Subscribe"]


class Subscribe(Endpoint):
    OPERATION = PNOperationType.PNSubscribeOperation
    IS_SUBSCRIBE = True

    def __init__(self, pubnub, channels, groups, timetoken=0, region=None, state=None, decrypt=None,
                 file_url=None):
        super().__init__(pubnub)
        self._channels = channels
        self._groups = groups
        self._timetoken = timetoken
        self._region = region
        self._state = state
        self._decrypt = decrypt
        self._file_url = file_url

    def validate_params(self):
        self.validate_subscribe_key()
        if not self._channels and not self._groups:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_OR_GROUP_MISSING)

    def build_path(self):
        return "/v2/subscribe/%s/%s/0" % (encode_path_segment(self.pubnub.config.subscribe_key),
                                          encode_path_list(self._channels))

    def custom_params(self):
        config = self.pubnub.config
        params = {"tt": str(self._timetoken)}
        if self._region is not None:
            params["tr"] = str(self._region)
        if self._groups:
            params["channel-group"] = ",".join(self._groups)
        if config.filter_expression:
            params["filter-expr"] = config.filter_expression
        if not config.heartbeat_default_values:
            params["heartbeat"] = str(config.presence_timeout)
        if self._state:
            params["state"] = to_json(self._state, "state")
        return params

    def non_json_response(self):
        return True

    def create_response_from_http(self, response):
        """``(timetoken, region, events)`` from the raw body, through the envelope twin."""
        try:
            return _speedups.envelope.parse_subscribe(response.body, self._decrypt, self._file_url)
        except ValueError as exc:
            raise PubNubException(errormsg="malformed subscribe response: %s" % exc,
                                  status_code=response.code, pn_error=errors.PNERR_JSON_DECODING_FAILED) from None

    def affected_channels(self):
        return list(self._channels)

    def affected_channels_groups(self):
        return list(self._groups)
