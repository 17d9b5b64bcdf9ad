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
import sys
import threading
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant_throughput, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load import _CSRF as CSRF  # noqa: E402  (the same token and posts as bench/core.py)
from _load import intake_form  # noqa: E402

PARAMS: dict[str, Any] = json.loads(Path(os.environ["VIGIL_LOCUST_PARAMS"]).read_text())
_logins = itertools.cycle(PARAMS["logins"])
_counter = itertools.count()
_guard = threading.Lock()
OUTCOMES: list[dict[str, Any]] = []


def _token(text: str, where: str) -> str:
    match = CSRF.search(text)
    if not match:
        raise RuntimeError(f"no CSRF token in {where}")
    return match.group(1)


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
        form = intake_form(i, event=PARAMS["event"], names=PARAMS["names"], caller="locust")
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
                {
                    "uuid": form["report_uuid"],
                    "status": answer.status_code,
                    "saved": saved,
                    "sent": sent,
                    "seconds": seconds,
                }
            )


@events.quitting.add_listener
def _write_outcomes(**_: Any) -> None:
    with open(PARAMS["outcomes"], "w", encoding="utf-8") as out:
        for outcome in OUTCOMES:
            out.write(json.dumps(outcome) + "\n")
