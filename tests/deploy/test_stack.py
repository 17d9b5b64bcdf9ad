"""The shipped deployment (deploy/), as an operator would run it: `nginx -t` on deploy/nginx/vigil.conf, the
systemd units through `systemd-analyze verify`, and the whole stack on PostgreSQL (an instance made by `vigil
init`, gunicorn with deploy/gunicorn.conf.py and three workers, nginx with TLS in front) driven by locust:
volunteers sign in and post reports, readers open the public page, for a short while. Every report answered
"saved" is stored exactly once, no log holds a client address, and "lock now" on one worker stops them all.

Run by scripts/test in its PostgreSQL phase (`-m deploy`). Without nginx or PostgreSQL the tests skip with the
reason, except under CI (CI=true), where scripts/test installs nginx and a missing one is a failure.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PG_HOST = os.environ.get("VIGIL_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("VIGIL_PG_PORT", "5432")
PG_USER = os.environ.get("VIGIL_PG_USER", "postgres")
DATABASE = "vigil_deploy_test"
PASSPHRASE = "deploy test passphrase: protects only throw-away test data"
LOAD_SECONDS = 15
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _unavailable(reason: str) -> None:
    """Skip, except in CI, where scripts/test installs what these tests need."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it through scripts/test)")
    pytest.skip(reason)


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        _unavailable("nginx is not installed (Debian: apt-get install nginx)")
    assert found is not None
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1, valid for a day."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Rendered:
    main: Path  # a whole nginx.conf that includes the rendered site
    site: Path
    https_port: int
    logs: Path


def render_nginx(directory: Path, *, upstream_port: int, static_root: Path) -> Rendered:
    """deploy/nginx/vigil.conf with this machine's paths and ports, inside a minimal nginx.conf of its own.
    Each replaced string must be in the shipped file: a change there that this test does not follow fails."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = _self_signed(directory)
    logs = directory / "logs"
    logs.mkdir()
    https_port, http_port = _free_port(), _free_port()
    replacements = {
        "/etc/letsencrypt/live/vigil.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/vigil.example.org/privkey.pem": str(key),
        "server_name vigil.example.org;": "server_name 127.0.0.1;",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{upstream_port};",
        "/var/www/vigil/static/": f"{static_root}/",
        "/var/log/nginx/": f"{logs}/",
        "/dev/shm/vigil-nginx-body": str(directory / "body"),
        "/var/www/letsencrypt": str(directory / "acme"),
    }
    text = (DEPLOY / "nginx" / "vigil.conf").read_text()
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/vigil.conf no longer holds {old!r}: update this test with it"
        text = text.replace(old, new)
    site = directory / "vigil.conf"
    site.write_text(text)
    temp = directory / "temp"
    temp.mkdir()
    # As root (CI), the workers would otherwise run as nobody, who cannot enter pytest's private temp dirs.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = directory / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {directory}/nginx.pid;\nerror_log {logs}/main-error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {logs}/main-access.log;\n"
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"    client_body_temp_path {temp}/body;\n"
        f"    include {site};\n"
        "}\n"
    )
    return Rendered(main, site, https_port, logs)


def test_the_shipped_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
    rendered = render_nginx(tmp_path / "nginx", upstream_port=8001, static_root=tmp_path / "static")
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
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {
        "vigil.service",
        "vigil-worker.service",
        "vigil-checkpoint.service",
        "vigil-checkpoint.timer",
    }
    for unit in units:
        # verify wants the programs to exist: the same ones from this virtual environment; the rest as shipped.
        text = unit.read_text().replace("/opt/vigil/.venv/bin/", f"{BIN}/")
        (tmp_path / unit.name).write_text(text)
    paths = [str(tmp_path / u.name) for u in units]
    result = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# --- the whole stack ------------------------------------------------------------------------------------------


def _pg_connect(dbname: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True)


@pytest.fixture
def database() -> Iterator[str]:
    if os.environ.get("VIGIL_DB") != "postgres":
        pytest.skip("runs on PostgreSQL (scripts/test's PostgreSQL phase: VIGIL_DB=postgres)")
    try:
        admin = _pg_connect("postgres")
    except Exception as exc:  # noqa: BLE001 - any reason PostgreSQL cannot be reached
        _unavailable(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}: {exc}")
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    yield DATABASE
    with _pg_connect("postgres") as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _environment(tmp_path: Path, gunicorn_port: int) -> dict[str, str]:
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n")
    passphrase.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "DJANGO_"))}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])),
        VIGIL_ENV="production",
        VIGIL_SECRET_KEY=secrets.token_urlsafe(64),
        VIGIL_ALLOWED_HOSTS="127.0.0.1",
        VIGIL_DATA_DIR=str(tmp_path / "data"),
        VIGIL_DB="postgres",
        VIGIL_PG_HOST=PG_HOST,
        VIGIL_PG_PORT=PG_PORT,
        VIGIL_PG_USER=PG_USER,
        VIGIL_PG_NAME=DATABASE,
        VIGIL_PASSPHRASE_FILE=str(passphrase),
        VIGIL_STATIC_ROOT=str(tmp_path / "static"),
        VIGIL_TRUSTED_PROXY="127.0.0.1",
        VIGIL_BIND=f"127.0.0.1:{gunicorn_port}",
        VIGIL_WORKERS="3",
    )
    return env


def _vigil(env: dict[str, str], *args: str) -> str:
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN / "vigil"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"vigil {' '.join(args)}: {result.stderr}"
    print(f"vigil {args[0]}: {time.monotonic() - started:.1f} s")
    return result.stdout


class Browser:
    """A cookie jar over HTTPS with the test's certificate accepted, redirects reported rather than followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    def __init__(self, base: str) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            self._NoRedirect(),
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode(errors="replace")

    def token(self, path: str) -> str:
        status, _, text = self.request(path)
        match = CSRF.search(text)
        assert status == 200 and match, f"GET {path}: HTTP {status} without a form"
        return match.group(1)


def _wait_until_served(base: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    browser = Browser(base)
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()[-3000:]}"
        try:
            if browser.request("/public/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not served within {seconds} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_deployed_stack_keeps_every_report_under_load_and_stops_whole_on_lock(
    tmp_path: Path, database: str
) -> None:
    nginx = _nginx()
    gunicorn_port = _free_port()
    env = _environment(tmp_path, gunicorn_port)
    password_file = tmp_path / "password"
    password_file.write_text(secrets.token_urlsafe(18) + "\n")
    # One account, signed in by each simulated volunteer in a session of its own (one `users add` less).
    volunteers = ["deploy-volunteer"]

    # As docs/deploy.md: make the instance, its users and the static files.
    _vigil(env, "init", "--coordinator", "deploy-coordinator", "--password-file", str(password_file))
    for name in volunteers:
        _vigil(env, "users", "add", name, "--role", "volunteer", "--password-file", str(password_file))
    # Static files need no keys: without the passphrase, no key derivation is started for nothing.
    _vigil({k: v for k, v in env.items() if k != "VIGIL_PASSPHRASE_FILE"}, "collectstatic", "--noinput")
    assert (tmp_path / "static" / "vigil" / "vigil.css").is_file()

    rendered = render_nginx(tmp_path / "nginx", upstream_port=gunicorn_port, static_root=tmp_path / "static")
    base = f"https://127.0.0.1:{rendered.https_port}"
    gunicorn_log = tmp_path / "gunicorn.log"
    gunicorn = web = None
    try:
        with gunicorn_log.open("wb") as out:
            gunicorn = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--config",
                    str(DEPLOY / "gunicorn.conf.py"),
                    "vigil.wsgi:application",
                ],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        web = subprocess.Popen(
            [nginx, "-p", str(tmp_path / "nginx"), "-c", str(rendered.main), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
        )
        started = time.monotonic()
        _wait_until_served(base, gunicorn, gunicorn_log, 90)
        print(f"gunicorn and nginx serving: {time.monotonic() - started:.1f} s")

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
                str(BIN / "locust"),
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
        browser = Browser(base)
        token = browser.token("/login/")
        status, headers, _ = browser.request(
            "/login/", {"username": volunteers[0], "password": password, "csrfmiddlewaretoken": token}
        )
        assert status == 302, status
        status, headers, _ = browser.request("/lock/", {"csrfmiddlewaretoken": browser.token("/intake/")})
        assert (status, headers.get("Location")) == (302, "/unlock/")
        assert gunicorn.wait(timeout=20) == 0
        assert Browser(base).request("/public/")[0] == 502
    finally:
        _stop(web)
        _stop(gunicorn)

    log = gunicorn_log.read_text()
    assert log.count("Booting worker with pid") >= 3, log[-3000:]
    assert "Traceback" not in log, log[-5000:]

    # Nothing lost, nothing stored twice: the database holds exactly the reports answered "saved".
    with _pg_connect(database) as connection:
        stored = [
            row[0]
            for row in connection.execute("SELECT uuid::text FROM records_report WHERE kind = 'detention'")
        ]
    assert len(stored) == len(set(stored)), "a report was stored twice"
    assert set(stored) == saved

    # The audit chain written by three processes at once is whole.
    _vigil(env, "audit", "verify")

    # No log holds a client address: nginx's access log nor gunicorn's.
    access = (rendered.logs / "vigil-access.log").read_text()
    assert "/intake/" in access and "127.0.0.1" not in access
    requests = [line for line in log.splitlines() if '"POST ' in line or '"GET ' in line]
    assert requests and not any("127.0.0.1" in line or "?" in line for line in requests)
