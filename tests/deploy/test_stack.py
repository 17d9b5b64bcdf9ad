"""The shipped deployment (deploy/), as an operator would run it: `nginx -t` on deploy/nginx/vigil.conf, the
systemd units through `systemd-analyze verify`, and the whole stack on PostgreSQL (an instance made by `vigil
init`, gunicorn with deploy/gunicorn.conf.py and three workers, nginx with TLS in front) driven by locust:
volunteers sign in and post reports, readers open the public page, for a short while. Every report answered
"saved" is stored exactly once, no log holds a client address, and "lock now" on one worker stops them all.

Run by scripts/test in its PostgreSQL phase (`-m deploy`). Without nginx or PostgreSQL the tests skip with the
reason, except under CI (CI=true), where scripts/test installs nginx and a missing one is a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import stack

pytestmark = pytest.mark.deploy

LOAD_SECONDS = 15


def _unavailable(reason: str) -> None:
    """Skip, except in CI, where scripts/test installs what these tests need."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it through scripts/test)")
    pytest.skip(reason)


def _nginx() -> str:
    try:
        return stack.find_nginx()
    except stack.Unavailable as exc:
        _unavailable(str(exc))
        raise


def test_the_shipped_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
    rendered = stack.render_nginx(tmp_path / "nginx", upstream_port=8001, static_root=tmp_path / "static")
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path / "nginx"), "-c", str(rendered.main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((stack.DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {
        "vigil.service",
        "vigil-worker.service",
        "vigil-checkpoint.service",
        "vigil-checkpoint.timer",
    }
    for unit in units:
        # verify wants the programs to exist: the same ones from this virtual environment; the rest as shipped.
        text = unit.read_text().replace("/opt/vigil/.venv/bin/", f"{stack.BIN}/")
        (tmp_path / unit.name).write_text(text)
    paths = [str(tmp_path / u.name) for u in units]
    result = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# --- the whole stack ------------------------------------------------------------------------------------------


@pytest.fixture
def database() -> Iterator[str]:
    if os.environ.get("VIGIL_DB") != "postgres":
        pytest.skip("runs on PostgreSQL (scripts/test's PostgreSQL phase: VIGIL_DB=postgres)")
    try:
        stack.fresh_database(stack.DATABASE)
    except stack.Unavailable as exc:
        _unavailable(str(exc))
    yield stack.DATABASE
    stack.drop_database(stack.DATABASE)


def test_the_deployed_stack_keeps_every_report_under_load_and_stops_whole_on_lock(
    tmp_path: Path, database: str
) -> None:
    _nginx()
    env = stack.environment(tmp_path, stack.free_port(), database=database)
    password_file = tmp_path / "password"
    password_file.write_text(secrets.token_urlsafe(18) + "\n")
    # One account, signed in by each simulated volunteer in a session of its own (one `users add` less).
    volunteers = ["deploy-volunteer"]

    # As docs/deploy.md: make the instance, its users and the static files.
    stack.make_instance(env, "deploy-coordinator", password_file)
    for name in volunteers:
        stack.vigil(env, "users", "add", name, "--role", "volunteer", "--password-file", str(password_file))
    assert (tmp_path / "static" / "vigil" / "vigil.css").is_file()

    with stack.serve(tmp_path, env) as served:
        base, gunicorn, rendered = served.base, served.gunicorn, served.rendered
        # Load: three volunteers posting reports, one reader of the public page and a static file.
        outcomes = tmp_path / "outcomes.jsonl"
        params = tmp_path / "locust.json"
        password = password_file.read_text().strip()
        params.write_text(
            json.dumps(
                {
                    "logins": [[name, password] for name in volunteers],
                    "outcomes": str(outcomes),
                    "static_path": "/static/vigil/vigil.css",
                }
            )
        )
        started = time.monotonic()
        load = subprocess.run(
            [
                str(stack.BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--host",
                base,
                "-u",
                "4",
                "-r",
                "4",
                "-t",
                f"{LOAD_SECONDS}s",
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            env=dict(env, VIGIL_LOCUST_PARAMS=str(params)),
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS + 60,
            cwd=tmp_path,
        )
        summary = load.stdout + load.stderr
        print(f"locust: {time.monotonic() - started:.1f} s\n{summary}")
        assert load.returncode == 0, f"locust reported failures:\n{summary[-4000:]}"
        assert time.monotonic() - started < LOAD_SECONDS + 30
        posts = [json.loads(line) for line in outcomes.read_text().splitlines()]
        saved = {p["uuid"] for p in posts if p["saved"]}
        # A floor only (CI's machine may be busy): what counts is that nothing was refused, lost or doubled.
        assert len(saved) == len(posts) >= 3, summary[-2000:]

        # Each security header once (nginx's, Django's copy hidden), Django's own policy beside them.
        context = ssl._create_unverified_context()
        with urllib.request.urlopen(base + "/public/", context=context, timeout=30) as answer:
            for name in ("Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options"):
                assert len(answer.headers.get_all(name) or []) == 1, (name, answer.headers.get_all(name))
            assert "preload" in answer.headers["Strict-Transport-Security"]
            assert "default-src 'self'" in answer.headers["Content-Security-Policy"]

        # "Lock now" on one worker stops the master and every worker: no copy of the keys keeps serving.
        browser = stack.Browser(base)
        token = browser.token("/login/")
        status, headers, _ = browser.request(
            "/login/", {"username": volunteers[0], "password": password, "csrfmiddlewaretoken": token}
        )
        assert status == 302, status
        status, headers, _ = browser.request("/lock/", {"csrfmiddlewaretoken": browser.token("/intake/")})
        assert (status, headers.get("Location")) == (302, "/unlock/")
        assert gunicorn.wait(timeout=20) == 0
        assert stack.Browser(base).request("/public/")[0] == 502

    log = served.gunicorn_log.read_text()
    assert log.count("Booting worker with pid") >= 3, log[-3000:]
    assert "Traceback" not in log, log[-5000:]

    # Nothing lost, nothing stored twice: the database holds exactly the reports answered "saved".
    with stack.pg_connect(database) as connection:
        stored = [
            row[0]
            for row in connection.execute("SELECT uuid::text FROM records_report WHERE kind = 'detention'")
        ]
    assert len(stored) == len(set(stored)), "a report was stored twice"
    assert set(stored) == saved

    # The audit chain written by three processes at once is whole.
    stack.vigil(env, "audit", "verify")

    # No log holds a client address: nginx's access log nor gunicorn's.
    access = (rendered.logs / "vigil-access.log").read_text()
    assert "/intake/" in access and "127.0.0.1" not in access
    requests = [line for line in log.splitlines() if '"POST ' in line or '"GET ' in line]
    assert requests and not any("127.0.0.1" in line or "?" in line for line in requests)
