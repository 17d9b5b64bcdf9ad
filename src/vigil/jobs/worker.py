"""Running the queued tasks: in this thread until none is left (tests), or on a thread beside ``vigil serve``.

``vigil serve`` is one process whose keys are unlocked in its memory (possibly only later, on the unlock
page), so its worker is a thread of it rather than a process of its own: it waits while Vigil is locked,
and drops its database connection when Vigil is locked again. The multi-process server runs
``vigil db_worker`` as a service instead (deploy/systemd/vigil-worker.service), which unlocks as every
``vigil`` command does.
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import connections, transaction
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("vigil.jobs")


def run_queued(*, max_tasks: int | None = None, worker_id: str = "") -> int:
    """Run queued tasks in this thread, in the queue's order, until none is left (or ``max_tasks`` have run);
    return how many ran. Each is claimed and run as ``vigil db_worker`` does, without its loop, which closes
    connections between tasks (and so cannot run inside a test's transaction)."""
    worker = Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id or f"vigil-{os.getpid()}-{threading.get_ident()}",
        excluded_queue_names=[],
    )
    ran = 0
    while max_tasks is None or ran < max_tasks:
        ready = DBTaskResult.objects.ready().filter(
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, queue_name=DEFAULT_TASK_QUEUE_NAME
        )
        # Look first, then lock: a worker polling an empty queue every second takes no write lock on SQLite.
        if not ready.exists():
            return ran
        # One claimer at a time: PostgreSQL skips rows another worker has locked; Vigil's SQLite connections
        # begin every transaction IMMEDIATE (settings.py), which takes the write lock at once (db_worker's
        # EXCLUSIVE would also keep readers of a shared-cache test database out, and fail their requests).
        with transaction.atomic(using=ready.db):
            result = ready.get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


SERVE_WORKER = "serve-"


def abandon_interrupted(own_id: str) -> int:
    """Mark failed the tasks a previous ``vigil serve`` left running when it stopped (its worker thread died
    with it), so that their pages say so instead of "running" for ever; return how many."""
    from vigil.jobs.models import Job
    from vigil.jobs.operations import fail_job
    from vigil.jobs.status import INTERRUPTED

    abandoned = 0
    for result in DBTaskResult.objects.running():
        ids = result.worker_ids or []
        if not ids or not str(ids[-1]).startswith(SERVE_WORKER) or ids[-1] == own_id:
            continue
        result.set_failed(Interrupted(str(result.id)))
        for job in Job.objects.filter(task_id=str(result.id), finished_at__isnull=True):
            fail_job(job, INTERRUPTED)
        abandoned += 1
    return abandoned


class Interrupted(Exception):
    """The worker running the task stopped before the task ended."""


class BackgroundWorker(threading.Thread):
    """Looks for queued tasks every ``interval`` seconds while Vigil is unlocked, and runs them one by one."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(name="vigil-tasks", daemon=True)
        self.interval = interval
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        from vigil.protection import keys

        worker_id = f"{SERVE_WORKER}{os.getpid()}"
        cleaned = False
        while not self._stopping.wait(self.interval):
            try:
                if keys.is_unlocked():
                    if not cleaned:
                        abandon_interrupted(worker_id)
                        cleaned = True
                    run_queued(worker_id=worker_id)
            except Exception as exc:  # a database that went away, a lock in the middle: try again later
                logger.warning("background worker: %s", type(exc).__name__)
            finally:
                # No connection is kept between rounds: one opened with the keys must not outlive a lock.
                connections.close_all()
