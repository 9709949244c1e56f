"""Subscribe response bodies: parse them into listener events, or build them (internal facade).

The work is done by the envelope twin chosen in ``pubnub_fast._speedups`` (compiled
``_envelope_c`` or pure ``_envelope_py``; ``pubnub_fast/_envelope_py.py`` explains the format, the
dispatch rules and what is skipped):

* ``parse_subscribe(body, decrypt=None, file_url=None, on_skip=None)`` ->
  ``(timetoken: str, region: int, events: [(listener_method_name, result), ...])`` — the client's
  subscription loop hands each ``result`` to ``listener.<listener_method_name>(pubnub, result)``
  and announces a ``PNDecryptionErrorCategory`` status for results whose ``error`` is set.
* ``encode_subscribe(timetoken, region, items) -> bytes`` — the compact body the local server
  sends (``items`` are wire-shaped dicts).
* ``loads(body)`` — the JSON decoder both use.
* ``MalformedSubscribeResponse`` (a ``ValueError``) — the body is not a subscribe envelope.
"""
from pubnub_fast import _speedups
from pubnub_fast.models.server.subscribe import MalformedSubscribeResponse

__all__ = ["MalformedSubscribeResponse", "EVENT_METHODS", "loads", "parse_subscribe", "encode_subscribe"]

_impl = _speedups.twin("envelope")

EVENT_METHODS = _impl.EVENT_METHODS
loads = _impl.loads
parse_subscribe = _impl.parse_subscribe
encode_subscribe = _impl.encode_subscribe
