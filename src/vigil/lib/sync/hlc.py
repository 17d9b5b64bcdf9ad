"""Hybrid logical clock: wall-clock milliseconds, a counter and the instance id, totally ordered.

A stamp issued by a clock is greater than every stamp that clock issued or observed before, even if the
machine's wall clock goes backwards. Two instances never issue equal stamps, because the instance id is
part of the stamp and breaks ties.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from vigil.lib.sync.errors import ClockSkewError, SyncError

_INSTANCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STAMP = re.compile(r"^(\d{13})\.(\d{6})\.([A-Za-z0-9_-]{1,64})$")
MAX_COUNTER = 999_999


def check_instance_id(instance: str) -> str:
    if not isinstance(instance, str) or not _INSTANCE.match(instance):
        raise SyncError(f"an instance id is 1-64 letters, digits, '-' or '_'; got {instance!r}")
    return instance


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    """A version stamp. Ordered by (wall, counter, instance); the text form sorts the same way."""

    wall: int
    counter: int
    instance: str

    def __str__(self) -> str:
        return f"{self.wall:013d}.{self.counter:06d}.{self.instance}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        match = _STAMP.match(text) if isinstance(text, str) else None
        if not match:
            raise SyncError(f"not a version stamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """The clock of one instance. Persist ``last`` (``str(clock.last)``) and restore it with ``last=``.

    ``max_skew_ms``, when set, refuses remote stamps further than that ahead of the local wall clock, so that
    one peer with a clock set years ahead cannot make its edits win every last-writer-wins register.
    """

    def __init__(
        self,
        instance: str,
        *,
        now: Callable[[], int] = wall_ms,
        last: Stamp | None = None,
        max_skew_ms: int | None = None,
    ) -> None:
        self.instance = check_instance_id(instance)
        self._now = now
        self.max_skew_ms = max_skew_ms
        self._wall = last.wall if last else 0
        self._counter = last.counter if last else 0

    @property
    def last(self) -> Stamp:
        return Stamp(self._wall, self._counter, self.instance)

    def _advance(self, floor_wall: int, floor_counter: int) -> Stamp:
        now = self._now()
        if now > floor_wall:
            self._wall, self._counter = now, 0
        else:
            if floor_counter >= MAX_COUNTER:
                # More than a million events in one millisecond (or a stuck clock): borrow the next millisecond.
                self._wall, self._counter = floor_wall + 1, 0
            else:
                self._wall, self._counter = floor_wall, floor_counter + 1
        return self.last

    def tick(self) -> Stamp:
        """A new stamp for a local event, greater than every stamp seen so far."""
        return self._advance(self._wall, self._counter)

    def check(self, remote: Stamp) -> None:
        """Raise ``ClockSkewError`` if ``remote`` is further ahead of the wall clock than ``max_skew_ms``."""
        if self.max_skew_ms is not None and remote.wall > self._now() + self.max_skew_ms:
            raise ClockSkewError(
                f"stamp {remote} from instance {remote.instance} is more than {self.max_skew_ms} ms "
                "ahead of this machine's clock; check both clocks before syncing"
            )

    def observe(self, remote: Stamp) -> None:
        """Take a remote stamp into account so that later local stamps are greater than it."""
        self.check(remote)
        if (remote.wall, remote.counter) > (self._wall, self._counter):
            self._wall, self._counter = remote.wall, remote.counter
