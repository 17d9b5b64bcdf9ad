"""A small HTTP load generator for Vigil's intake form: standard library only, no Django.

Each :class:`Client` is one browser: its own cookie jar, a login through the login page (CSRF token taken
from the form, as a browser would), then form posts to ``/intake/``. :func:`paced` sends posts on a fixed
global schedule (open loop: request *i* is due at ``start + i / rate``, whichever client is free takes it),
so a slow server shows up as lateness and latency rather than as a silently lower offered rate.
:func:`flat_out` sends as fast as the clients can, for a throughput ceiling.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect instead of following it: the 302 after a post is the answer we time."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Outcome:
    """One form post as the client saw it."""

    form: dict[str, str]
    status: int  # HTTP status; 0 for a transport error or timeout
    sent: float  # perf_counter when the request was sent
    latency: float  # seconds from send to the end of the response
    late: float = 0.0  # seconds the send was behind its schedule (paced runs)
    location: str = ""
    error: str = ""

    @property
    def saved(self) -> bool:
        """Intake answers a stored (or already stored) report with a redirect to ``?saved=<id>``."""
        return self.status == 302 and "saved=" in self.location


class Client:
    """One logged-in browser session."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.token = ""

    def _request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        # Django checks the Referer only over HTTPS; a browser sends it anyway.
        request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            text = exc.read().decode(errors="replace")
            return exc.code, exc.headers.get("Location", "") or "", text

    def _refresh_token(self, path: str) -> str:
        status, _, text = self._request(path)
        match = _CSRF.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path} gave {status} without a CSRF token")
        self.token = match.group(1)
        return text

    def login(self, username: str, password: str) -> None:
        self._refresh_token("/login/")
        status, location, _ = self._request(
            "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": self.token}
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed with HTTP {status}")
        # Logging in rotates the CSRF secret: take the token from the intake form, as the next page would.
        self._refresh_token("/intake/")

    def post_intake(self, form: dict[str, str]) -> Outcome:
        data = dict(form, csrfmiddlewaretoken=self.token)
        sent = time.perf_counter()
        try:
            status, location, _ = self._request("/intake/", data)
            error = ""
        except OSError as exc:  # connection refused or reset, timeout
            status, location, error = 0, "", f"{type(exc).__name__}: {exc}"
        return Outcome(form, status, sent, time.perf_counter() - sent, location=location, error=error)


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def saved(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.saved]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.saved]

    def rate(self) -> float:
        """Saved posts per second of wall time."""
        return len(self.saved) / self.seconds if self.seconds else 0.0

    def latency(self, q: float) -> float:
        return percentile([o.latency for o in self.outcomes], q)

    def lateness(self, q: float) -> float:
        return percentile([o.late for o in self.outcomes], q)


def intake_form(i: int, *, event: int | str, names: Sequence[str], caller: str) -> dict[str, str]:
    """The ``i``-th intake post of a benchmark: a fresh report UUID, a realistic name, a synthetic caller."""
    form = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": names[i % len(names)],
        "detained_on": "2020-11-08",
        "detained_time": f"{14 + i % 6:02d}:{i % 60:02d}",
        "city": "Minsk",
        "event": str(event),
        "place": "пр-т Победителей",
        "source_kind": "relative",
        "source_name": f"SYNTHETIC {caller} caller",
        "source_contact": f"+375 29 {i:07d}",
        "reliability": "D",
        "raw_text": f"SYNTHETIC {caller} call {i}",
    }
    if i % 3 == 0:
        form["birth_year"] = str(1960 + i % 45)
    return form


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def log_in_all(base_url: str, logins: Sequence[tuple[str, str]], timeout: float = 30.0) -> list[Client]:
    """One client per login, logged in concurrently (password hashing is deliberately slow)."""
    clients = [Client(base_url, timeout) for _ in logins]
    errors: list[BaseException] = []

    def work(client: Client, login: tuple[str, str]) -> None:
        try:
            client.login(*login)
        except BaseException as exc:  # noqa: BLE001 - re-raised below in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c, lg)) for c, lg in zip(clients, logins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return clients


def paced(
    clients: Sequence[Client], make_form: Callable[[int], dict[str, str]], rate: float, seconds: float
) -> Run:
    """Send ``rate * seconds`` posts on a fixed schedule, spread over the clients."""
    total = int(rate * seconds)
    lock = threading.Lock()
    state = {"next": 0}
    run = Run()
    start = time.perf_counter() + 0.2

    def work(client: Client) -> None:
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= total:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            outcome = client.post_intake(make_form(i))
            outcome.late = max(0.0, outcome.sent - due)
            with lock:
                run.outcomes.append(outcome)

    return _run_each(clients, work, run, start)


def _run_each(clients: Sequence[Client], work: Callable[[Client], None], run: Run, start: float) -> Run:
    """Run ``work`` for every client in a thread of its own, wait for all, and time the run from ``start``."""
    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - start
    return run


def flat_out(clients: Sequence[Client], make_form: Callable[[int], dict[str, str]], seconds: float) -> Run:
    """Every client posts back to back for ``seconds``: the throughput ceiling with this many clients."""
    lock = threading.Lock()
    state = {"next": 0}
    run = Run()
    start = time.perf_counter()
    stop = start + seconds

    def work(client: Client) -> None:
        while time.perf_counter() < stop:
            with lock:
                i = state["next"]
                state["next"] += 1
            outcome = client.post_intake(make_form(i))
            with lock:
                run.outcomes.append(outcome)

    return _run_each(clients, work, run, start)


def resubmit_twice(clients: Sequence[Client], forms: Sequence[dict[str, str]]) -> list[Outcome]:
    """Send each form again from two clients at the same moment (a double click, a retry racing the first)."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    for form in forms:
        barrier = threading.Barrier(2)

        def work(client: Client, form: dict[str, str] = form, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            outcome = client.post_intake(form)
            with lock:
                outcomes.append(outcome)

        pair = [clients[0], clients[1 % len(clients)]]
        threads = [threading.Thread(target=work, args=(c,)) for c in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return outcomes


def cpu_seconds() -> float:
    """CPU time of this process (all threads), to tell whether the load generator itself was the bottleneck."""
    return time.process_time()
