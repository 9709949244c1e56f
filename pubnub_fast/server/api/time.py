"""``GET /time/0`` -> ``[<timetoken as a number>]`` (protocol.md §2.1)."""
from __future__ import annotations

from typing import Any

from pubnub_fast.server import responses
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.responses import HeaderFamily


def routes(app: Any) -> list[Route]:
    def time(call: ApiCall) -> responses.ApiResponse:
        return responses.ok([app.timetokens.cursor()], HeaderFamily.PUBSUB)

    return [Route(["GET"], "/time/0", time, HeaderFamily.PUBSUB, eager=True)]
