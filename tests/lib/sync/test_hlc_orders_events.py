"""The hybrid logical clock: monotonic, tie-broken by instance, robust to wall clocks going backwards."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.lib.sync.errors import ClockSkewError, SyncError
from vigil.lib.sync.hlc import HybridClock, Stamp


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_stamps_increase_even_when_the_wall_clock_stands_still_or_goes_back() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock("a", now=wall)
    first = clock.tick()
    second = clock.tick()
    wall.ms = 500
    third = clock.tick()
    assert first < second < third
    assert third.wall == 1_000 and third.counter == 2


def test_a_new_millisecond_resets_the_counter() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock("a", now=wall)
    clock.tick()
    clock.tick()
    wall.ms = 1_001
    assert clock.tick() == Stamp(1_001, 0, "a")


def test_after_observing_a_remote_stamp_local_stamps_are_greater_than_it() -> None:
    clock = HybridClock("a", now=FakeWall(1_000))
    remote = Stamp(5_000, 7, "b")
    clock.observe(remote)
    assert clock.tick() > remote


def test_equal_wall_time_and_counter_are_ordered_by_instance_id() -> None:
    a = HybridClock("a", now=FakeWall(1_000)).tick()
    b = HybridClock("b", now=FakeWall(1_000)).tick()
    assert a.wall == b.wall and a.counter == b.counter
    assert a < b and a != b


def test_a_clock_restored_from_its_last_stamp_continues_above_it() -> None:
    clock = HybridClock("a", now=FakeWall(2_000))
    for _ in range(3):
        clock.tick()
    restored = HybridClock("a", now=FakeWall(1_000), last=Stamp.parse(str(clock.last)))
    assert restored.tick() > clock.last


def test_stamps_far_ahead_of_the_local_clock_are_refused_when_a_limit_is_set() -> None:
    clock = HybridClock("a", now=FakeWall(1_000), max_skew_ms=60_000)
    clock.observe(Stamp(60_000, 0, "b"))
    with pytest.raises(ClockSkewError, match="ahead of this machine's clock"):
        clock.observe(Stamp(1_000 + 60_001, 0, "b"))


def test_a_bad_instance_id_or_stamp_text_is_refused() -> None:
    with pytest.raises(SyncError):
        HybridClock("has space")
    for text in ["", "1.2.a", "0000000001000.000000.", "0000000001000.000000.a b"]:
        with pytest.raises(SyncError):
            Stamp.parse(text)


stamps = st.builds(
    Stamp,
    st.integers(0, 9_999_999_999_999),
    st.integers(0, 999_999),
    st.sampled_from(["a", "b", "a1", "b-2"]),
)


@given(stamps, stamps)
def test_the_text_form_sorts_like_the_stamps_and_parses_back(x: Stamp, y: Stamp) -> None:
    assert Stamp.parse(str(x)) == x
    assert (str(x) < str(y)) == (x < y)


@given(st.lists(st.one_of(st.integers(-5, 5).map(lambda d: ("wall", d)), stamps.map(lambda s: ("seen", s)))))
def test_every_tick_is_greater_than_every_stamp_issued_or_observed_before(
    events: list[tuple[str, object]],
) -> None:
    wall = FakeWall(10_000)
    clock = HybridClock("a", now=wall)
    highest: Stamp | None = None
    for kind, value in events:
        if kind == "wall":
            assert isinstance(value, int)
            wall.ms = max(0, wall.ms + value)
        else:
            assert isinstance(value, Stamp)
            clock.observe(value)
            highest = max(highest, value) if highest else value
        stamp = clock.tick()
        assert highest is None or stamp > highest
        highest = stamp
