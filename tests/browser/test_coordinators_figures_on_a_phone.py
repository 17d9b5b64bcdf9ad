"""A coordinator's journey on a phone (390x844) in English, Russian and Belarusian: the event's figures are
frozen into a labelled snapshot, confirmed and shown as frozen; then an estimate is asked for, its page follows
the sampler's progress by itself until the result, and the estimate page leads with the plain words.

The estimate is the real one (sampler, log-linear models, graphical-model averaging), run by the worker thread
that `vigil serve` runs, on a small table with a short sampler run so that it takes seconds. The worker is held
at its first sampling report until the page has shown it, so that the progress is seen however fast the
machine is."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from tests.app.factories import NOV8, make_user, source

from .journeys import in_language, phone, shows_its_language, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW = 120_000  # ms: the first estimate in a process loads the sampler's compiled code
# A short run of the real sampler: enough draws for an estimate of a few dozen people in a few seconds.
SHORT_RUN = {"chains": 2, "burnin": 2_000, "samples": 300, "thin": 5}


def _rally_seen_by_three_lists(actor: Any) -> Any:
    """An event with a part in Minsk, where 30 people were reported by one to three of the hotline, lawyers
    and the media, each person's reports linked together."""
    from vigil.records.models import Event
    from vigil.records.operations import DetentionEntry, DetentionInput, create_event, record_detentions
    from vigil.review.operations import merge_persons

    march = create_event(
        slug="2020-11-08-march",
        name="March of 8 November 2020",
        name_ru="Марш 8 ноября 2020",
        name_be="Марш 8 лістапада 2020",
        date=NOV8,
        actor=actor,
    )
    create_event(
        slug="2020-11-08-minsk",
        name="Minsk",
        name_ru="Минск",
        name_be="Мінск",
        date=NOV8,
        city="Minsk",
        parent=march,
        actor=actor,
    )
    rng = random.Random(3)
    coverage = {"hotline": 0.6, "lawyer": 0.4, "media": 0.5}
    minsk = Event.objects.get(slug="2020-11-08-minsk")
    people = [[k for k, p in coverage.items() if rng.random() < p] or ["hotline"] for _ in range(30)]
    entries = [
        DetentionEntry(
            data=DetentionInput(detained_on=NOV8, city="Minsk", full_name=f"Асоба{i} Тэставая", event=minsk),
            source=source(actor, kind, kind),
            report_uuid=uuid.uuid4(),
        )
        for i, kinds in enumerate(people)
        for kind in kinds
    ]
    # Stored without linking on arrival (which would take seconds per report), each person's reports then
    # joined as a reviewer would join them.
    results = iter(record_detentions(entries, actor=actor, link=False))
    for kinds in people:
        first, *others = [next(results).detention.person for _ in kinds]  # type: ignore[union-attr]
        if others:
            merge_persons(first, others, actor=actor)
    return march


@pytest.fixture(params=["en", "ru", "be"])
def coordinator_phone(
    request: pytest.FixtureRequest, browser: Any, live_server: Any
) -> Iterator[tuple[Any, str]]:
    language = request.param
    context = phone(browser, live_server.url, language)
    page = context.new_page()
    coordinator = make_user("coordinator", username="coord")
    _rally_seen_by_three_lists(coordinator)
    sign_in(page, live_server.url, coordinator)
    yield page, language
    context.close()


@pytest.fixture
def held_at_first_sampling(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The background worker, running real estimates briefly, held after its first report of sampling progress
    until the test sets the returned event."""
    from vigil.figures.estimation import APP_SETTINGS
    from vigil.jobs import operations
    from vigil.jobs.worker import BackgroundWorker

    for key, value in SHORT_RUN.items():
        monkeypatch.setitem(APP_SETTINGS, key, value)
    monkeypatch.setattr("vigil.web.views.jobs.REFRESH_SECONDS", 1)
    seen = threading.Event()
    report = operations.report_progress

    def report_then_hold(job: Any, phase: str, done: int, total: int) -> None:
        report(job, phase, done, total)
        if phase == "sampling":
            seen.wait(SLOW / 1000)

    monkeypatch.setattr(operations, "report_progress", report_then_hold)
    worker = BackgroundWorker(interval=0.2)
    worker.start()
    yield seen
    seen.set()
    worker.stop()
    worker.join(30)


def test_a_coordinator_freezes_the_figures_then_follows_an_estimate_to_its_plain_words(
    coordinator_phone: tuple[Any, str], live_server: Any, held_at_first_sampling: threading.Event
) -> None:
    from vigil.figures.models import Estimate, Snapshot
    from vigil.jobs.models import Job

    page, language = coordinator_phone
    page.goto(f"{live_server.url}/events/2020-11-08-march/")
    shows_its_language(page, language)
    name = {"en": "March of 8 November 2020", "ru": "Марш 8 ноября 2020", "be": "Марш 8 лістапада 2020"}
    assert page.inner_text("h1") == name[language]
    persons = page.inner_text('#figures a[data-figure="persons"]')
    assert int(persons) >= 20

    # Freeze the figures under a label: confirmed, listed on the event page, and shown frozen on their own page.
    page.fill("input[name=label]", "first count")
    page.get_by_role("button", name=in_language(language, "Freeze these figures")).click()
    page.wait_for_selector(".messages li.success")
    assert page.inner_text(".messages li.success") == in_language(language, "Figures frozen.")
    shows_its_language(page, language, data=("first count",))
    snapshot = Snapshot.objects.get()
    listed = page.locator(f"a[href='/snapshots/{snapshot.pk}/']")
    assert "first count" in listed.locator("xpath=..").inner_text()
    listed.click()
    page.wait_for_url(f"**/snapshots/{snapshot.pk}/")
    shows_its_language(page, language, data=("first count",))
    assert page.inner_text("h1").startswith(in_language(language, "Snapshot"))
    assert page.locator("dl.facts dd").first.inner_text() == persons

    # Ask for an estimate: its page follows the work by itself, from the sampler's progress to the result.
    page.goto(f"{live_server.url}/events/2020-11-08-march/")
    page.get_by_role("link", name=in_language(language, "Estimate how many went unrecorded")).click()
    page.wait_for_selector("#estimate-run")
    shows_its_language(page, language)
    page.click("#estimate-run")
    page.wait_for_url("**/jobs/**")
    # The page reloads itself while the worker starts, reads the lists and begins sampling.
    page.wait_for_selector('#job-status[data-status="running"] progress', timeout=SLOW)
    job = Job.objects.get()
    assert job.phase == "sampling" and job.total > 0
    progress = in_language(
        language,
        "Sampling the model: part %(done)d of at most %(total)d done (it stops early once the draws agree).",
        done=job.done,
        total=job.total,
    )
    assert page.inner_text("#job-progress") == progress
    assert page.get_attribute("#job-status progress", "max") == str(job.total)
    shows_its_language(page, language)
    held_at_first_sampling.set()

    page.wait_for_selector('#job-status[data-status="done"]', timeout=SLOW)
    shows_its_language(page, language)
    estimate = Estimate.objects.get()
    e, n = estimate.summary["estimate"], estimate.summary["n_observed"]
    numbers = {
        "n": intcomma(n),
        **{k: intcomma(floatformat(e[v], 0)) for k, v in (("m", "median"), ("a", "lower"), ("b", "upper"))},
    }
    result = "Documented: at least %(n)s people. Estimated: %(m)s (likely between %(a)s and %(b)s), including people no list recorded."
    assert page.inner_text("#job-result") == in_language(language, result, **numbers)
    assert n == int(persons) and e["lower"] <= e["median"] <= e["upper"]

    page.get_by_role(
        "link", name=in_language(language, "See the estimate, what it means and its details")
    ).click()
    page.wait_for_selector("#estimate-headline")
    shows_its_language(page, language)
    headline = "Documented: at least %(n)s people. Estimated total: %(m)s (likely between %(a)s and %(b)s), including people no list recorded."
    assert page.inner_text("#estimate-headline") == in_language(language, headline, **numbers)
    assert page.inner_text("#estimate-plain h2") == in_language(language, "What these numbers mean")
    assert page.locator("#estimate-plain #posterior-plot svg").is_visible()
    assert not page.locator("#estimate-detail").get_attribute("open")  # the statistician's detail, folded
