"""Locust users for ``bench/intake_locust.py``: volunteers who log in once and then post intake forms.

Read by ``locust -f``; its parameters come from the JSON file named by ``VIGIL_LOCUST_PARAMS`` (server URL,
logins, event, names, posts per second per user, where to write the outcomes). Every post carries a fresh
report UUID; the outcome of each (status, whether the answer said "saved", time) is written as JSON lines
when the test stops, so that the driver can check that nothing was lost or stored twice.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, constant_throughput, events, task

PARAMS: dict[str, Any] = json.loads(Path(os.environ["VIGIL_LOCUST_PARAMS"]).read_text())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_logins = itertools.cycle(PARAMS["logins"])
_counter = itertools.count()
_guard = threading.Lock()
OUTCOMES: list[dict[str, Any]] = []


def _token(text: str, where: str) -> str:
    match = CSRF.search(text)
    if not match:
        raise RuntimeError(f"no CSRF token in {where}")
    return match.group(1)


def _form(i: int) -> dict[str, str]:
    names = PARAMS["names"]
    form = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": names[i % len(names)],
        "detained_on": "2020-11-08",
        "detained_time": f"{14 + i % 6:02d}:{i % 60:02d}",
        "city": "Minsk",
        "event": str(PARAMS["event"]),
        "place": "пр-т Победителей",
        "source_kind": "relative",
        "source_name": "SYNTHETIC locust caller",
        "source_contact": f"+375 29 {i:07d}",
        "reliability": "D",
        "raw_text": f"SYNTHETIC locust benchmark call {i}",
    }
    if i % 3 == 0:
        form["birth_year"] = str(1960 + i % 45)
    return form


class Volunteer(HttpUser):
    wait_time = constant_throughput(PARAMS["rate_per_user"])

    def on_start(self) -> None:
        with _guard:
            username, password = next(_logins)
        # Django checks the Referer only over HTTPS; a browser sends it anyway.
        self.client.headers["Referer"] = self.host.rstrip("/") + "/intake/"
        token = _token(self.client.get("/login/", name="login page").text, "the login page")
        answer = self.client.post(
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            name="log in",
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login of {username} failed with HTTP {answer.status_code}")
        # Logging in rotates the CSRF secret: the token comes from the intake form, as in a browser.
        self.token = _token(self.client.get("/intake/", name="intake form").text, "the intake form")

    @task
    def post_intake(self) -> None:
        with _guard:
            i = next(_counter)
        form = _form(i)
        sent = time.time()
        start = time.perf_counter()
        with self.client.post(
            "/intake/",
            data=dict(form, csrfmiddlewaretoken=self.token),
            allow_redirects=False,
            catch_response=True,
            name="intake post",
        ) as answer:
            seconds = time.perf_counter() - start
            saved = answer.status_code == 302 and "saved=" in answer.headers.get("Location", "")
            if not saved:
                answer.failure(f"HTTP {answer.status_code} without saved=")
        with _guard:
            OUTCOMES.append(
                {"uuid": form["report_uuid"], "status": answer.status_code, "saved": saved, "sent": sent,
                 "seconds": seconds}
            )


@events.quitting.add_listener
def _write_outcomes(**_: Any) -> None:
    with open(PARAMS["outcomes"], "w", encoding="utf-8") as out:
        for outcome in OUTCOMES:
            out.write(json.dumps(outcome) + "\n")
