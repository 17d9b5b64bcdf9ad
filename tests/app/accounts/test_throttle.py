"""The in-memory throttles: waits grow, are forgotten, and the table stays bounded."""

from __future__ import annotations

from vigil.accounts.throttle import Backoff, Window, client_key


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_after_the_free_failures_up_to_a_ceiling():
    clock = Clock()
    backoff = Backoff(free=2, base=1.0, ceiling=5.0, clock=clock)
    waits = []
    for _ in range(6):
        backoff.failed("k")
        waits.append(backoff.wait("k"))
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 5.0]


def test_failures_are_forgotten_after_a_while_or_on_success():
    clock = Clock()
    backoff = Backoff(free=0, base=1.0, ceiling=60.0, forget=100.0, clock=clock)
    backoff.failed("a")
    backoff.failed("b")
    assert backoff.wait("a") == 1.0
    backoff.succeeded("a")
    assert backoff.wait("a") == 0.0
    clock.now = 101.0
    assert backoff.wait("b") == 0.0
    backoff.failed("b")
    assert backoff.wait("b") == 1.0, "a failure after forgetting starts again from the first"


def test_the_table_keeps_at_most_its_capacity():
    backoff = Backoff(free=0, base=1.0, ceiling=60.0, capacity=3, clock=Clock())
    for key in "abcd":
        backoff.failed(key)
    assert backoff.wait("a") == 0.0 and backoff.wait("d") == 1.0


def test_a_window_admits_its_limit_per_period():
    clock = Clock()
    window = Window(limit=2, period=10.0, clock=clock)
    assert window.take() == 0.0 and window.take() == 0.0
    assert window.take() == 10.0
    clock.now = 10.0
    assert window.take() == 0.0


def test_client_keys_never_contain_the_address():
    key = client_key("203.0.113.7")
    assert "203.0.113.7" not in key and key == client_key("203.0.113.7") != client_key("203.0.113.8")
