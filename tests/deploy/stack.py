"""Starting the shipped deployment (deploy/) on this machine, as an operator would: a PostgreSQL database, an
instance made by `vigil init`, gunicorn with deploy/gunicorn.conf.py, and nginx with deploy/nginx/vigil.conf
(a throw-away TLS certificate, free ports, paths of its own). No pytest here: tests/deploy/test_stack.py and
bench/server_load.py both use it; what is missing on the machine is raised as :class:`Unavailable`.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PG_HOST = os.environ.get("VIGIL_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("VIGIL_PG_PORT", "5432")
PG_USER = os.environ.get("VIGIL_PG_USER", "postgres")
DATABASE = "vigil_deploy_test"
PASSPHRASE = "deploy test passphrase: protects only throw-away test data"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Unavailable(Exception):
    """Something the stack needs is not on this machine (nginx, PostgreSQL)."""


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise Unavailable("nginx is not installed (Debian: apt-get install nginx)")
    return found


def free_port() -> int:
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
    Each replaced string must be in the shipped file: a change there that this module does not follow fails."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = _self_signed(directory)
    logs = directory / "logs"
    logs.mkdir()
    https_port, http_port = free_port(), free_port()
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
        assert old in text, (
            f"deploy/nginx/vigil.conf no longer holds {old!r}: update tests/deploy/stack.py with it"
        )
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


def pg_connect(dbname: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True)


def environment(
    tmp_path: Path, gunicorn_port: int, *, database: str = DATABASE, workers: int = 3
) -> dict[str, str]:
    """The production settings of docs/deploy.md for an instance in ``tmp_path`` on PostgreSQL ``database``."""
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
        VIGIL_PG_NAME=database,
        VIGIL_PASSPHRASE_FILE=str(passphrase),
        VIGIL_STATIC_ROOT=str(tmp_path / "static"),
        VIGIL_TRUSTED_PROXY="127.0.0.1",
        VIGIL_BIND=f"127.0.0.1:{gunicorn_port}",
        VIGIL_WORKERS=str(workers),
    )
    return env


def vigil(env: dict[str, str], *args: str) -> str:
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


def wait_until_served(base: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
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


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fresh_database(name: str = DATABASE) -> None:
    """Drop and create ``name``; :class:`Unavailable` when PostgreSQL cannot be reached."""
    try:
        admin = pg_connect("postgres")
    except Exception as exc:  # noqa: BLE001 - any reason PostgreSQL cannot be reached
        raise Unavailable(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}: {exc}") from None
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")


def drop_database(name: str = DATABASE) -> None:
    with pg_connect("postgres") as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_instance(env: dict[str, str], coordinator: str, password_file: Path) -> None:
    """As docs/deploy.md: `vigil init` with a coordinator, then the static files."""
    vigil(env, "init", "--coordinator", coordinator, "--password-file", str(password_file))
    # Static files need no keys: without the passphrase, no key derivation is started for nothing.
    vigil({k: v for k, v in env.items() if k != "VIGIL_PASSPHRASE_FILE"}, "collectstatic", "--noinput")


@dataclass
class Served:
    base: str  # https://127.0.0.1:<port>, nginx
    gunicorn: subprocess.Popen[bytes]
    nginx: subprocess.Popen[bytes]
    gunicorn_log: Path
    rendered: Rendered


@contextmanager
def serve(directory: Path, env: dict[str, str], *, ready_within: float = 90) -> Iterator[Served]:
    """gunicorn (deploy/gunicorn.conf.py, listening where ``env``'s VIGIL_BIND says) and nginx in front of it,
    until the block ends; both are stopped then, whatever happened."""
    nginx = find_nginx()
    gunicorn_port = int(env["VIGIL_BIND"].rsplit(":", 1)[1])
    rendered = render_nginx(
        directory / "nginx", upstream_port=gunicorn_port, static_root=directory / "static"
    )
    base = f"https://127.0.0.1:{rendered.https_port}"
    gunicorn_log = directory / "gunicorn.log"
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
                cwd=directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        web = subprocess.Popen(
            [nginx, "-p", str(directory / "nginx"), "-c", str(rendered.main), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
        )
        started = time.monotonic()
        wait_until_served(base, gunicorn, gunicorn_log, ready_within)
        print(f"gunicorn and nginx serving: {time.monotonic() - started:.1f} s")
        yield Served(base, gunicorn, web, gunicorn_log, rendered)
    finally:
        stop(web)
        stop(gunicorn)
