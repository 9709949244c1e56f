"""Access Manager v3 (token) models (``pubnub.models.consumer.v3``).

``access_manager`` holds the results, the other modules the resource builders passed to
``grant_token()``: ``Channel.id("ch").read().write()``, ``Group.pattern("^cg-.*").manage()``, ...
"""
