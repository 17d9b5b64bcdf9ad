"""A clock the throttle tests move by hand, so that windows and delays pass without waiting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Throttle(Protocol):
    clock: object

    def clear(self) -> None: ...


@contextmanager
def throttles_on_a_fake_clock(*throttles: Throttle, now: float = 1000.0) -> Iterator[FakeClock]:
    """Clear ``throttles`` and run them on one fake clock; their own clocks and a clean state afterwards."""
    fake = FakeClock(now)
    saved = [t.clock for t in throttles]
    for t in throttles:
        t.clear()
        t.clock = fake
    try:
        yield fake
    finally:
        for t, c in zip(throttles, saved, strict=True):
            t.clear()
            t.clock = c
