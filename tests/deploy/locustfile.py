"""Locust users for ``tests/deploy/test_stack.py``: volunteers who sign in once and post intake reports, and
readers of the public figures page, through nginx (HTTPS, a throw-away certificate) to gunicorn.

Read by ``locust -f``; its parameters come from the JSON file named by ``VIGIL_LOCUST_PARAMS`` (logins and
where to write the outcomes). Every post carries a fresh report UUID; each post's outcome (the UUID, whether
the answer said "saved") is written as JSON lines when locust stops, so that the test can check the database
holds exactly the reports that were acknowledged.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

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


class Volunteer(HttpUser):
    weight = 3
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.client.verify = False  # the test's own self-signed certificate
        with _guard:
            username, password = next(_logins)
        # Over HTTPS Django's CSRF check wants a Referer from this origin, as a browser sends.
        self.client.headers["Referer"] = self.host.rstrip("/") + "/intake/"
        token = _token(self.client.get("/login/", name="login page").text, "the login page")
        answer = self.client.post(
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            name="sign in",
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {username} failed with HTTP {answer.status_code}")
        self.token = _token(self.client.get("/intake/", name="intake form").text, "the intake form")

    @task
    def post_report(self) -> None:
        with _guard:
            i = next(_counter)
        report = str(uuid.uuid4())
        form = {
            "report_uuid": report,
            "full_name": f"SYNTHETIC Deploy Person {i}",
            "detained_on": "2020-11-08",
            "city": "Minsk",
            "source_kind": "relative",
            "reliability": "D",
            "raw_text": f"SYNTHETIC deploy test call {i}",
            "csrfmiddlewaretoken": self.token,
        }
        with self.client.post(
            "/intake/", data=form, allow_redirects=False, catch_response=True, name="intake post"
        ) as answer:
            saved = answer.status_code == 302 and "saved=" in answer.headers.get("Location", "")
            if not saved:
                answer.failure(f"HTTP {answer.status_code} without saved=")
        with _guard:
            OUTCOMES.append({"uuid": report, "status": answer.status_code, "saved": saved})


class Reader(HttpUser):
    weight = 1
    wait_time = between(0.1, 0.3)

    def on_start(self) -> None:
        self.client.verify = False

    @task(3)
    def public_page(self) -> None:
        with self.client.get("/public/", name="public page", catch_response=True) as answer:
            if answer.status_code != 200 or "Strict-Transport-Security" not in answer.headers:
                answer.failure(
                    f"HTTP {answer.status_code}, HSTS {'Strict-Transport-Security' in answer.headers}"
                )

    @task(1)
    def static_file(self) -> None:
        with self.client.get(PARAMS["static_path"], name="static file", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")


@events.quitting.add_listener
def _write_outcomes(**_: Any) -> None:
    with open(PARAMS["outcomes"], "w", encoding="utf-8") as out:
        for outcome in OUTCOMES:
            out.write(json.dumps(outcome) + "\n")
