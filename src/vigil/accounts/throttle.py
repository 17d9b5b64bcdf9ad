"""Throttles for guessing secrets (passwords, the unlock passphrase), kept in this process's memory only.

Nothing here is written anywhere: a restart forgets every count, and a seized disk holds no trace of who tried
what from where. Client addresses are keyed by an HMAC under a random key made at start-up, so not even the
process's tables hold an address in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

_ADDRESS_KEY = secrets.token_bytes(32)


def client_key(address: str | None) -> str:
    """An opaque, per-process name for a client address; never the address itself."""
    return hmac.new(_ADDRESS_KEY, (address or "").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass
class _Failures:
    count: int
    last: float


class Backoff:
    """Failures per key with a progressive delay: the first ``free`` failures cost nothing; the next one makes
    the next attempt wait ``base`` seconds, and each further one doubles the wait, up to ``ceiling``. A key
    is forgotten ``forget`` seconds after its last failure, or at once on success. At most ``capacity`` keys
    are held; beyond that the least recently failed are dropped."""

    def __init__(
        self,
        *,
        free: int,
        base: float,
        ceiling: float,
        forget: float = 3600.0,
        capacity: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.free, self.base, self.ceiling, self.forget = free, base, ceiling, forget
        self.capacity, self.clock = capacity, clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def _delay(self, count: int) -> float:
        over = count - self.free
        if over <= 0:
            return 0.0
        return float(min(self.ceiling, self.base * 2 ** min(over - 1, 32)))

    def wait(self, key: str) -> float:
        """Seconds to wait before the next attempt for ``key``; 0 when it may try now."""
        now = self.clock()
        with self._lock:
            state = self._failures.get(key)
            if state is None:
                return 0.0
            if now - state.last > self.forget:
                del self._failures[key]
                return 0.0
            return max(0.0, state.last + self._delay(state.count) - now)

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            state = self._failures.pop(key, None)
            if state is None or now - state.last > self.forget:
                state = _Failures(0, now)
            state.count += 1
            state.last = now
            self._failures[key] = state
            while len(self._failures) > self.capacity:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


class Window:
    """At most ``limit`` events in any ``period`` seconds (one sliding window, for all clients together)."""

    def __init__(self, *, limit: int, period: float, clock: Clock = time.monotonic) -> None:
        self.limit, self.period, self.clock = limit, period, clock
        self._events: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Count one event and return 0 if it fits; else count nothing and return the seconds to wait."""
        now = self.clock()
        with self._lock:
            while self._events and now - self._events[0] >= self.period:
                self._events.popleft()
            if len(self._events) >= self.limit:
                return self._events[0] + self.period - now
            self._events.append(now)
            return 0.0

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
