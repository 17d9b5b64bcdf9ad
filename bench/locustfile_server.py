"""Locust users for ``bench/server_load.py``: the deployed stack (nginx, TLS, gunicorn, PostgreSQL) as a busy
night would load it.

Read by ``locust -f``; parameters come from the JSON file named by ``VIGIL_LOCUST_PARAMS``. Three kinds of
user, chosen on locust's command line (class names as arguments, each with a fixed count):

- :class:`Volunteer`: signs in once with an account of its own, then posts intake reports at
  ``rate_per_user`` a second (locust's ``constant_throughput``), each with a fresh report UUID; a fraction
  (``resend``) of posts send an already saved report again, as the offline queue does after a lost answer.
- :class:`Guesser`: an anonymous client posting wrong passphrases to ``/unlock/``, all from one address,
  ``unlock_per_user`` posts a second each.
- :class:`Reader`: an anonymous reader of ``/public/``, ``public_per_user`` loads a second each.

Each volunteer connects from an address of its own in 127.0.0.0/8 (``source_address``): nginx limits sign-in
posts per client address (30 a minute, bursts of 20), and 200 volunteers of one organisation do not share one
address. The guessers share one address, and the readers another.

Every request's outcome is written as JSON lines when locust stops (``outcomes``): kind, time sent, seconds,
status, and for intake posts the UUID, whether the answer said "saved", and whether it was a resend.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, constant_throughput, events, task
from requests.adapters import HTTPAdapter

PARAMS: dict[str, Any] = json.loads(Path(os.environ["VIGIL_LOCUST_PARAMS"]).read_text())
# How many users of each class locust starts (the classes named on its command line).
COUNTS: dict[str, int] = json.loads(os.environ.get("VIGIL_LOCUST_COUNTS", "{}"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_logins = itertools.count()
_counter = itertools.count()


def _names() -> list[str]:
    """Names as callers give them: the named reports of the synthetic demo world (several reports of some
    people, namesakes, Belarusian, Russian and Latin spellings), so that linkage on arrival meets the
    candidates a real hotline's reports would bring, not one name repeated."""
    from vigil.lib.synthetic import generate_world, report_rows

    return [str(n) for n in report_rows(generate_world(5000, seed=PARAMS.get("seed", 3)))["full_name"] if n]


NAMES = _names()
_guard = threading.Lock()
OUTCOMES: list[dict[str, Any]] = []
SIGNED_IN = [0]
SAVED_FORMS: list[dict[str, str]] = []
GUESSER_ADDRESS = "127.0.0.2"
READER_ADDRESS = "127.0.0.3"


def _token(text: str, where: str) -> str:
    match = CSRF.search(text)
    if not match:
        raise RuntimeError(f"no CSRF token in {where}")
    return match.group(1)


def _volunteer_address(k: int) -> str:
    return f"127.1.{k // 250}.{k % 250 + 1}"


class _FromAddress(HTTPAdapter):
    """Connections from one local source address (any of 127.0.0.0/8 reaches nginx on 127.0.0.1)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _record(**outcome: Any) -> None:
    with _guard:
        OUTCOMES.append(outcome)


class _Client(HttpUser):
    abstract = True

    def connect_from(self, address: str) -> None:
        self.client.verify = False  # the run's own self-signed certificate
        self.client.mount("https://", _FromAddress(address))
        # Over HTTPS Django's CSRF check wants a Referer from this origin, as a browser sends.
        self.client.headers["Referer"] = self.host.rstrip("/") + "/"


class Volunteer(_Client):
    fixed_count = COUNTS.get("Volunteer", 0)
    wait_time = constant_throughput(PARAMS["rate_per_user"])

    def on_start(self) -> None:
        with _guard:
            k = next(_logins)
        username = PARAMS["usernames"][k % len(PARAMS["usernames"])]
        self.connect_from(_volunteer_address(k))
        started = time.time()
        token = _token(self.client.get("/login/", name="login page").text, "the login page")
        answer = self.client.post(
            "/login/",
            data={"username": username, "password": PARAMS["password"], "csrfmiddlewaretoken": token},
            allow_redirects=False,
            name="sign in",
        )
        if answer.status_code != 302:
            _record(kind="sign-in", sent=started, seconds=time.time() - started, status=answer.status_code)
            raise RuntimeError(f"sign-in of {username} failed with HTTP {answer.status_code}")
        # Signing in rotates the CSRF secret: the token comes from the intake form, as in a browser.
        self.token = _token(self.client.get("/intake/", name="intake form").text, "the intake form")
        _record(kind="sign-in", sent=started, seconds=time.time() - started, status=302)
        # Posting starts once every volunteer is signed in (the claim is about signed-in volunteers), or at
        # the end of the warm-up, whichever comes first; sign-ins are Argon2 checks that would compete.
        with _guard:
            SIGNED_IN[0] += 1
        while SIGNED_IN[0] < COUNTS.get("Volunteer", 0) and time.time() < PARAMS["post_from"]:
            time.sleep(0.2)  # gevent's, under locust

    @task
    def post_report(self) -> None:
        resend = None
        with _guard:
            i = next(_counter)
            if SAVED_FORMS and random.random() < PARAMS["resend"]:
                resend = random.choice(SAVED_FORMS)
        form = resend or {
            "report_uuid": str(uuid.uuid4()),
            # Unique content too: the same call from the same volunteer under a new UUID within minutes is
            # taken for Back and Save and answered with the report already stored (record_call).
            "full_name": NAMES[i % len(NAMES)],
            "detained_on": "2020-11-08",
            "city": "Minsk",
            "source_kind": "relative",
            "reliability": "D",
            "raw_text": f"SYNTHETIC server load call {PARAMS['tag']} {i}",
        }
        sent = time.time()
        start = time.perf_counter()
        with self.client.post(
            "/intake/",
            data=dict(form, csrfmiddlewaretoken=self.token),
            allow_redirects=False,
            catch_response=True,
            name="intake post (resend)" if resend else "intake post",
        ) as answer:
            seconds = time.perf_counter() - start
            saved = answer.status_code == 302 and "saved=" in answer.headers.get("Location", "")
            if not saved:
                answer.failure(f"HTTP {answer.status_code} without saved=")
        with _guard:
            if saved and not resend:
                SAVED_FORMS.append(form)
        _record(
            kind="intake",
            uuid=form["report_uuid"],
            resend=resend is not None,
            saved=saved,
            status=answer.status_code,
            sent=sent,
            seconds=seconds,
        )


class Guesser(_Client):
    fixed_count = COUNTS.get("Guesser", 0)
    wait_time = constant_throughput(PARAMS["unlock_per_user"])

    def on_start(self) -> None:
        self.connect_from(GUESSER_ADDRESS)
        # A CSRF cookie and token, as a browser that opened a page first (the unlock page redirects home
        # while the keys are unlocked).
        self.token = _token(self.client.get("/login/", name="login page (guesser)").text, "the login page")

    @task
    def guess(self) -> None:
        sent = time.time()
        start = time.perf_counter()
        with self.client.post(
            "/unlock/",
            data={"passphrase": f"wrong guess {uuid.uuid4()}", "csrfmiddlewaretoken": self.token},
            allow_redirects=False,
            catch_response=True,
            name="unlock attempt",
        ) as answer:
            seconds = time.perf_counter() - start
            answer.success()  # every answer is a refusal of some kind; they are counted by status
        # Vigil's own refusals say when to try again (Retry-After); nginx's limit_req does not.
        _record(
            kind="unlock",
            status=answer.status_code,
            retry_after="Retry-After" in answer.headers,
            sent=sent,
            seconds=seconds,
        )


class Reader(_Client):
    fixed_count = COUNTS.get("Reader", 0)
    wait_time = constant_throughput(PARAMS["public_per_user"])

    def on_start(self) -> None:
        self.connect_from(READER_ADDRESS)

    @task
    def public_page(self) -> None:
        sent = time.time()
        start = time.perf_counter()
        with self.client.get("/public/", name="public page", catch_response=True) as answer:
            seconds = time.perf_counter() - start
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
        _record(kind="public", status=answer.status_code, sent=sent, seconds=seconds)


@events.quitting.add_listener
def _write_outcomes(**_: Any) -> None:
    with open(PARAMS["outcomes"], "w", encoding="utf-8") as out:
        for outcome in OUTCOMES:
            out.write(json.dumps(outcome) + "\n")
