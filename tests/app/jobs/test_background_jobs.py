"""Estimates and linkage runs asked for on a page run as background tasks: the page answers at once with the
job's page, which shows the status, the progress while the task runs, then the result or a one-line error;
only the roles allowed to do the work see it. The tasks are run here by the worker's own claim-and-run
(``vigil.jobs.worker.run_queued``), in the test's thread."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

import vigil.figures.operations  # noqa: F401  (imported before `estimable` patches what it imports)
from vigil.audit.models import AuditEntry
from vigil.jobs.models import Job
from vigil.jobs.operations import start_estimate, start_linkage
from vigil.jobs.status import JobStatus, status_of
from vigil.jobs.worker import run_queued

from ..factories import detain, login, make_user


def _fake_estimate(calls: list[dict]):
    """run_estimate without the sampler (whose first run in a process compiles for seconds; the real one
    is tested in tests/app/figures): says its phases, returns what the job keeps."""

    def run_estimate(event, *, actor, progress):
        calls.append({"event": event, "actor": actor})
        for phase, done, total in [("lists", 0, 0), ("sampling", 0, 2), ("sampling", 2, 2), ("saving", 0, 0)]:
            progress(phase, done, total)
        e = {"median": 140.4, "lower": 118.0, "upper": 190.2}
        return SimpleNamespace(pk=7, summary={"n_observed": 96, "estimate": e})

    return run_estimate


@pytest.fixture
def estimable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's quick check before queueing passes (its refusals are tested in tests/app/figures)."""
    monkeypatch.setattr("vigil.figures.estimation.estimable_table", lambda event: None)


def test_a_coordinator_asks_for_an_estimate_and_gets_its_page_then_the_result(
    client, coordinator, rally, monkeypatch, estimable
):
    calls: list[dict] = []
    monkeypatch.setattr("vigil.figures.operations.run_estimate", _fake_estimate(calls))
    slug = "2020-11-08-minsk"
    login(client, coordinator)

    response = client.post(reverse("event_estimate", args=[slug]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert calls == []  # nothing computed in the request

    queued = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in queued and 'http-equiv="refresh"' in queued

    assert run_queued() == 1
    assert calls == [{"event": job.event, "actor": coordinator}]  # as the coordinator who asked
    done = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'data-status="done"' in done and 'http-equiv="refresh"' not in done
    assert "Documented: at least 96 people. Estimated: 140 (likely between 118 and 190)" in done
    assert "including people no list recorded" in done
    assert reverse("event_estimate", args=[slug]) in done
    assert AuditEntry.objects.filter(action="job.queued", actor_id=coordinator.pk).count() == 1


def test_the_job_page_shows_how_far_the_estimate_has_got_while_it_runs(
    client, coordinator, rally, monkeypatch
):
    seen: list[str] = []

    def sampling(event, *, actor, progress, **kwargs):
        progress("sampling", 1, 4)
        seen.append(client.get(reverse("job_detail", args=[job.pk])).content.decode())
        raise RuntimeError("stop here")

    monkeypatch.setattr("vigil.figures.operations.run_estimate", sampling)
    login(client, coordinator)
    job = start_estimate(rally, actor=coordinator)
    run_queued()
    assert 'data-status="running"' in seen[0]
    assert "Sampling the model: part 1 of at most 4 done" in seen[0]
    assert '<progress max="4" value="1">' in seen[0] and 'http-equiv="refresh"' in seen[0]


def test_an_estimate_that_cannot_be_made_fails_with_its_reason_in_one_line(client, coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="hotline")
    job = start_estimate(rally, actor=coordinator)  # queued directly: the page would have refused at once
    run_queued()
    assert status_of(job) == JobStatus.FAILED
    login(client, coordinator)
    body = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in body and 'role="alert"' in body
    assert "Cannot estimate:" in body and "three lists" in body
    assert "Traceback" not in body and 'http-equiv="refresh"' not in body


def test_an_unexpected_failure_shows_a_plain_line_and_its_exception_type_to_coordinators_only(
    client, coordinator, rally, monkeypatch
):
    def broken(event, **kwargs):
        raise RuntimeError("Иван Иванов, 1990: a name in a message")

    monkeypatch.setattr("vigil.figures.operations.run_estimate", broken)
    job = start_estimate(rally, actor=coordinator)
    run_queued()
    login(client, make_user("analyst"))
    seen_by_analyst = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "The work stopped because of an internal error" in seen_by_analyst
    assert "RuntimeError" not in seen_by_analyst and 'id="job-error-detail"' not in seen_by_analyst
    login(client, coordinator)
    body = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "The work stopped because of an internal error" in body
    assert 'id="job-error-detail"' in body and "<code>RuntimeError</code>" in body
    assert "Иван" not in body and "Traceback" not in body
    client.cookies["django_language"] = "ru"
    in_russian = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "internal error" not in in_russian and "Traceback" not in in_russian
    from django_tasks_db.models import DBTaskResult

    stored = DBTaskResult.objects.get(pk=job.task_id)
    assert stored.status == "FAILED" and "Иван" not in stored.traceback  # no name kept in the task table


def test_asking_again_while_an_estimate_is_queued_gives_the_same_job(client, coordinator, rally, estimable):
    login(client, coordinator)
    first = client.post(reverse("event_estimate", args=["2020-11-08-minsk"]))
    again = client.post(reverse("event_estimate", args=["2020-11-08-minsk"]))
    assert first["Location"] == again["Location"] and Job.objects.count() == 1
    page = client.get(reverse("event_estimate", args=["2020-11-08-minsk"])).content.decode()
    assert reverse("job_detail", args=[Job.objects.get().pk]) in page


def test_a_linkage_run_is_queued_and_its_page_gives_the_merges(client, coordinator, monkeypatch):
    from vigil.review.linking import LinkSummary

    def linking(*, actor, progress):
        progress("linking", 0, 2)
        assert actor == coordinator
        return LinkSummary(identities=2, clusters=1, merges=1, queued_pairs=0)

    monkeypatch.setattr("vigil.review.operations.link_persons", linking)
    login(client, coordinator)
    response = client.post(reverse("review_run_linkage"))
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    run_queued()
    body = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in body and "Linkage: 1 merges, 0 pairs queued for review." in body


@pytest.mark.parametrize(
    ("role", "estimate_page", "linkage_page"),
    [
        ("coordinator", 200, 200),
        ("analyst", 200, 403),
        ("lawyer", 403, 403),
        ("volunteer", 403, 403),
        ("auditor", 403, 403),
    ],
)
def test_only_the_roles_that_may_do_the_work_see_its_page(
    client, coordinator, rally, role, estimate_page, linkage_page
):
    estimate_job = start_estimate(rally, actor=coordinator)
    linkage_job = start_linkage(actor=coordinator)
    login(client, make_user(role))
    assert client.get(reverse("job_detail", args=[estimate_job.pk])).status_code == estimate_page
    assert client.get(reverse("job_detail", args=[linkage_job.pk])).status_code == linkage_page


def test_work_left_running_by_a_stopped_vigil_serve_says_so_when_it_starts_again(client, coordinator, rally):
    from django_tasks_db.models import DBTaskResult

    from vigil.jobs.worker import abandon_interrupted

    job = start_estimate(rally, actor=coordinator)
    DBTaskResult.objects.get(pk=job.task_id).claim("serve-1")  # the thread of a serve that was then stopped
    assert status_of(job) == JobStatus.RUNNING
    assert abandon_interrupted("serve-2") == 1
    job.refresh_from_db()
    assert status_of(job) == JobStatus.FAILED
    login(client, coordinator)
    body = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Vigil was stopped while this ran" in body and "Traceback" not in body


def test_a_job_silent_for_an_hour_no_longer_stops_the_same_work_being_asked_for(coordinator, rally):
    from datetime import timedelta

    from django.utils import timezone

    stuck = start_estimate(rally, actor=coordinator)
    assert start_estimate(rally, actor=coordinator) == stuck
    Job.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert start_estimate(rally, actor=coordinator) != stuck
