"""Models of raw server responses (``pubnub.models.server``): the subscribe envelope."""
