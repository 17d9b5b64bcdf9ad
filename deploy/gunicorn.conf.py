"""Gunicorn for Vigil behind nginx on the same machine (docs/deploy.md).

    gunicorn --config deploy/gunicorn.conf.py vigil.wsgi:application

Read from the environment (deploy/systemd/vigil.service sets them from /etc/vigil/vigil.env):

    VIGIL_BIND            where to listen, default 127.0.0.1:8001 (only nginx connects)
    VIGIL_WORKERS         worker processes, default 2 x CPUs + 1
    VIGIL_THREADS         request threads per worker, default 1 (more switch to gunicorn's gthread worker)
    VIGIL_TIMEOUT         seconds a request may run before its worker is replaced, default 120 (estimates)
    VIGIL_TRUSTED_PROXY   the proxy allowed to say who the client is, default 127.0.0.1 (vigil.web.proxy)
    VIGIL_PASSPHRASE_FILE the keystore's passphrase; systemd's LoadCredential= puts it where only this
                          service can read it. Required with more than one worker.

The master unlocks the keystore once, before any worker starts, and applies migrations; the workers are
forked from it with the keys in memory, so a worker that is replaced (timeout, crash) does not derive the
key again. Each worker then holds a copy of the keys: "lock now" on any page stops the whole server
(SIGQUIT to the master), so that no worker goes on serving with keys; it starts again only by systemctl
(docs/deploy.md, "Lock now").

Logs: gunicorn's access log has no client address, no query string (searches carry names) and no
user agent; time, method, path, status, size and duration only (see access_log_format).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

# Settings read before Django starts (gunicorn reads this file first, then loads the app in the master).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
os.environ.setdefault("VIGIL_TRUSTED_PROXY", "127.0.0.1")

bind = [os.environ.get("VIGIL_BIND", "127.0.0.1:8001")]
workers = int(os.environ.get("VIGIL_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("VIGIL_THREADS", "1"))
timeout = int(os.environ.get("VIGIL_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
proc_name = "vigil"
# Django, the libraries and the keys are loaded once in the master and shared by the forked workers.
preload_app = True
# The same proxy Django trusts (vigil.web.proxy): only nginx on this machine may say a request came over TLS,
# and only through X-Forwarded-Proto (nginx sets it; gunicorn's other scheme headers are not trusted).
forwarded_allow_ips = os.environ["VIGIL_TRUSTED_PROXY"]
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Requests bigger than Django's limits are refused by nginx first; these bound the request line and headers.
limit_request_line = 8190
limit_request_fields = 100

# To standard error (the journal under systemd). No %(h)s (address), %(q)s (query), %(a)s (user agent),
# %(f)s (referer): an access log is a list of who did what, and a seized one must not name anyone.
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
loglevel = "info"


def _stop(server: Any, message: str) -> None:
    print(f"vigil: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def on_starting(server: Any) -> None:
    """In the master, after the app is loaded and before anything listens: check the instance, unlock the
    keystore once, apply migrations. A problem ends the start with one line, as the vigil command would."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from vigil.lib.crypto.errors import KeyfileError, PassphraseError, WrongPassphraseError
    from vigil.protection import instance, keys

    directory = settings.DATA_DIR
    state = instance.state_of(directory, embedded_database=instance.embedded_database())
    if state != instance.State.READY:
        _stop(server, instance.problem(directory, state))
    try:
        keys.keyring()
    except keys.Locked:
        if server.cfg.workers > 1:
            _stop(
                server,
                "no passphrase for the workers: set VIGIL_PASSPHRASE_FILE (systemd LoadCredential=, "
                "docs/deploy.md), or run one worker (VIGIL_WORKERS=1) and unlock it on its page",
            )
        server.log.warning("vigil: locked; open the page and enter the passphrase to unlock")
        return
    except WrongPassphraseError:
        _stop(server, f"the passphrase does not unlock the keystore in {directory / 'keys'}")
    except (PassphraseError, KeyfileError) as exc:
        _stop(server, str(exc))
    call_command("migrate", interactive=False, verbosity=0)
    # Import every view (and the libraries behind them) here, once, rather than in each worker's first request.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading the URLconf is the point
    # No database connection may cross the fork: each worker opens its own.
    connections.close_all()
    server.log.info("vigil: unlocked, migrations applied; %d workers", server.cfg.workers)


def post_fork(server: Any, worker: Any) -> None:
    """In each worker: "lock now" here stops the master and with it every worker and its keys."""
    from vigil.protection import keys

    master = server.pid

    def stop_every_worker() -> None:
        # This worker's keys are already gone: it answers the request that locked (a redirect to the unlock
        # page) and then stops, rather than being cut off mid-answer by the master's quit.
        signal.signal(signal.SIGQUIT, signal.SIG_IGN)
        worker.alive = False
        os.kill(master, signal.SIGQUIT)

    keys.after_lock(stop_every_worker)
    # Each worker trains the model new reports are linked with on its own thread now (not across the fork:
    # DuckDB is not fork-safe), rather than in its first intake.
    from vigil.web.management.commands.serve import warm_arrival_model

    warm_arrival_model()
