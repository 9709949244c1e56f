"""How long to wait before each reconnection attempt (decisions.md §8).

* ``NONE``: no automatic reconnection (the failure is announced and the loop stops).
* ``LINEAR``: every ``reconnection_interval`` seconds (default 3).
* ``EXPONENTIAL``: 1, 2, 4, 8, 16, 32, 32 … seconds (base ``reconnection_interval``, default 1;
  cap ``maximum_reconnection_interval``, default 32), each plus a random jitter in [0, 1) s from
  an injectable random source, so that many clients cut off together do not return together.

``maximum_reconnection_retries`` bounds the attempts (``-1``: unlimited, the default).
"""
import random as _random

from pubnub_fast.enums import PNReconnectionPolicy

__all__ = ["ReconnectDelays"]


class ReconnectDelays:
    """The delay before attempt ``n`` (1-based) of a reconnection, or ``None`` to give up."""

    LINEAR_INTERVAL = 3.0
    EXPONENTIAL_BASE = 1.0
    EXPONENTIAL_CAP = 32.0

    def __init__(self, policy, max_retries=-1, interval=None, max_interval=None, random=None):
        self.policy = PNReconnectionPolicy(policy)
        self.max_retries = -1 if max_retries is None else max_retries
        self.interval = interval
        self.max_interval = max_interval
        self._random = random if random is not None else _random.random

    @classmethod
    def from_config(cls, config, random=None):
        return cls(config.reconnect_policy, config.maximum_reconnection_retries,
                   config.reconnection_interval, config.maximum_reconnection_interval, random)

    def delay(self, attempt):
        """Seconds to wait before reconnection attempt ``attempt`` (1, 2, …), or None to give up."""
        if attempt < 1:
            raise ValueError("attempts are numbered from 1")
        if self.policy == PNReconnectionPolicy.NONE:
            return None
        if self.max_retries >= 0 and attempt > self.max_retries:
            return None
        if self.policy == PNReconnectionPolicy.LINEAR:
            return float(self.interval or self.LINEAR_INTERVAL)
        base = float(self.interval or self.EXPONENTIAL_BASE)
        cap = float(self.max_interval or self.EXPONENTIAL_CAP)
        # 2 ** 6 already exceeds the default cap; bound the exponent so huge attempt numbers
        # (an unlimited policy running for weeks) cannot overflow
        return min(cap, base * 2 ** min(attempt - 1, 30)) + self._random()

    def __repr__(self):
        return "ReconnectDelays(%s, max_retries=%s)" % (self.policy.name, self.max_retries)
