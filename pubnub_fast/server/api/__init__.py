"""The REST API, one module per area (protocol.md §1–§2): each exposes ``routes(app)``."""
from __future__ import annotations

from typing import Any

from pubnub_fast.server.api import channel_groups, history, presence, publish, subscribe, time
from pubnub_fast.server.api import message_actions
from pubnub_fast.server.api import files, objects, push
from pubnub_fast.server.api import access
from pubnub_fast.server.http import Route


def all_routes(app: Any) -> list[Route]:
    """Every route of the server, in matching order."""
    routes: list[Route] = []
    for module in (time, publish, subscribe, presence, channel_groups, history, message_actions,
                   push, objects, files, access):
        routes.extend(module.routes(app))
    return routes
