"""``vigil serve``: serve Vigil with waitress (a production WSGI server, pure Python) on localhost."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def warm_arrival_model() -> None:
    """Train the model new reports are linked with (review.linking.arrival_model) and make its scorer
    (arrival_scorer) on another thread now, rather than in the first intake after a start."""
    import threading

    from vigil.review.linking import arrival_scorer

    threading.Thread(target=arrival_scorer, name="vigil-arrival-model", daemon=True).start()


class Command(BaseCommand):
    help = "Apply migrations and serve Vigil on 127.0.0.1 (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # Requests are mostly Python work under one GIL writing one SQLite file, so more threads add little
        # beyond queueing; 4 is waitress's own default. Repeated locust runs (bench/intake_locust.py --users 25
        # --threads N) showed no consistent difference between 2, 4 and 8 at 50 posts/s.
        parser.add_argument("--threads", type=int, default=4, help="request threads (default 4)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run background tasks (estimates, linkage runs) here: `vigil db_worker` runs them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import getpass
        import sys

        from waitress import serve

        from vigil.figures.socket_service import FiguresSocket
        from vigil.jobs.worker import BackgroundWorker
        from vigil.protection import keys
        from vigil.wsgi import application

        if not keys.is_unlocked() and sys.stdin.isatty():
            keys.unlock(getpass.getpass("Vigil passphrase: "))
        if keys.is_unlocked():
            call_command("migrate", interactive=False, verbosity=0)
        else:
            self.stdout.write("Locked: open the page and enter the passphrase to unlock.")
        self.stdout.write(f"Vigil on http://{options['host']}:{options['port']}/  (Ctrl-C stops)")
        warm_arrival_model()
        # Estimates and linkage runs asked for on a page run here, on a thread that shares this process's keys.
        worker = None if options["no_worker"] else BackgroundWorker()
        if worker is not None:
            worker.start()

        # `vigil figures` asks this server over a Unix socket in the data directory (see vigil.figures.socket_service).
        def stop(signum: int, frame: Any) -> None:
            raise SystemExit(0)  # so that the socket below is removed on SIGTERM as on Ctrl-C

        signal.signal(signal.SIGTERM, stop)
        try:
            with FiguresSocket(Path(settings.DATA_DIR)):
                serve(
                    application,
                    host=options["host"],
                    port=options["port"],
                    threads=options["threads"],
                    ident="",
                )
        finally:
            if worker is not None:
                worker.stop()
