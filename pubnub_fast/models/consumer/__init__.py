"""Public result models returned by ``pubnub_fast`` operations (``pubnub.models.consumer``).

One module per API area (``presence``, ``history``, ``channel_group``, ``push``,
``access_manager``, ``message_actions``, ``message_count``, ``file``, ``objects_v2.*``,
``v3.*``) plus ``common``, ``pubsub``, ``signal`` and ``time``. Every result class has a
``from_json`` classmethod that builds it from the decoded server response.
"""
