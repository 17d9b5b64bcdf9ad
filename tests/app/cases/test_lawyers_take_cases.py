"""Which detentions a lawyer sees: those assigned to them, which they take from the new detentions without a
lawyer or are given by a coordinator; no other lawyer sees them, and every assignment is in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vigil.audit.models import AuditEntry
from vigil.cases.models import Case
from vigil.cases.operations import AssignmentRefused, assign_case, detentions_awaiting_lawyer, take_case
from vigil.records.models import Detention
from vigil.review.operations import merge_persons

from ..factories import detain, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline_detention() -> Detention:
    volunteer = make_user("volunteer")
    return detain(volunteer, "Сяргей Ціханоўскі", place="Pushkinskaya").detention


def _as(user) -> Client:
    client = Client()
    login(client, user)
    return client


def test_a_lawyer_takes_a_new_detention_sees_it_and_adds_the_first_charge(hotline_detention):
    lawyer = make_user("lawyer")
    client = _as(lawyer)
    detail = reverse("detention_detail", args=[hotline_detention.pk])
    assert client.get(detail).status_code == 404
    assert "1 new detention without a lawyer" in client.get(reverse("home")).content.decode()

    listed = client.get(reverse("lawyer_cases")).content.decode()
    assert f'id="new-{hotline_detention.pk}"' in listed and "С. Ц." in listed and "Pushkinskaya" in listed
    assert "Ціханоўскі" not in listed  # names only once the case is taken
    shown = AuditEntry.objects.get(action="view.new_detentions")
    assert shown.actor_id == lawyer.pk and shown.detail == {"detentions": [hotline_detention.pk]}

    taken = client.post(reverse("detention_take", args=[hotline_detention.pk]), follow=True)
    assert taken.redirect_chain[-1][0] == detail
    assert "Ціханоўскі" in taken.content.decode()
    assert "The detention is yours" in taken.content.decode()

    opened = client.post(
        reverse("detention_add_case", args=[hotline_detention.pk]),
        {"kind": "admin", "article": "23.34", "part": "1"},
        follow=True,
    )
    case = Case.objects.get(detention=hotline_detention)
    assert opened.redirect_chain[-1][0] == reverse("case_detail", args=[case.pk])
    assert [ch.article for ch in case.charges.all()] == ["23.34"] and case.lawyer == lawyer
    assert "Case opened with its charge." in opened.content.decode()
    entry = AuditEntry.objects.get(action="case.take")
    assert entry.actor_id == lawyer.pk and entry.detail == {"lawyer": lawyer.pk}


def test_another_lawyer_neither_sees_nor_takes_a_detention_once_taken(hotline_detention):
    take_case(hotline_detention, actor=make_user("lawyer"))
    other = _as(make_user("lawyer"))
    assert f'id="new-{hotline_detention.pk}"' not in other.get(reverse("lawyer_cases")).content.decode()
    assert other.get(reverse("detention_detail", args=[hotline_detention.pk])).status_code == 404
    assert other.get(reverse("person_detail", args=[hotline_detention.person_id])).status_code == 404
    assert other.post(reverse("detention_take", args=[hotline_detention.pk])).status_code == 404
    with pytest.raises(AssignmentRefused):
        take_case(hotline_detention, actor=make_user("lawyer"))


def test_only_recent_named_detentions_without_a_lawyer_are_offered(hotline_detention, settings):
    group = detain(make_user("volunteer"), head_count=12).detention
    offered = set(detentions_awaiting_lawyer().values_list("pk", flat=True))
    assert hotline_detention.pk in offered and group.pk not in offered
    settings.VIGIL_NEW_DETENTION_DAYS = 0
    assert not detentions_awaiting_lawyer().exists()
    with pytest.raises(AssignmentRefused):
        take_case(hotline_detention, actor=make_user("lawyer"))


def test_only_lawyers_take_cases(hotline_detention, coordinator):
    with pytest.raises(AssignmentRefused):
        take_case(hotline_detention, actor=coordinator)
    assert not AuditEntry.objects.filter(action="case.take").exists()


def test_a_coordinator_gives_a_detention_to_a_lawyer_and_moves_it_to_another(hotline_detention, coordinator):
    first, second = make_user("lawyer"), make_user("lawyer")
    assign_case(hotline_detention, lawyer=first, actor=coordinator)
    assert Detention.objects.visible_to(first).filter(pk=hotline_detention.pk).exists()
    assign_case(hotline_detention, lawyer=second, actor=coordinator)
    assert not Detention.objects.visible_to(first).filter(pk=hotline_detention.pk).exists()
    assert Detention.objects.visible_to(second).filter(pk=hotline_detention.pk).exists()
    trail = list(
        AuditEntry.objects.filter(action="case.assign").order_by("seq").values_list("detail", flat=True)
    )
    assert trail == [{"lawyer": first.pk, "previous": None}, {"lawyer": second.pk, "previous": first.pk}]
    with pytest.raises(AssignmentRefused):
        assign_case(hotline_detention, lawyer=coordinator, actor=coordinator)
    with pytest.raises(AssignmentRefused):
        assign_case(hotline_detention, lawyer=first, actor=second)


def test_a_coordinator_assigns_from_the_detention_page(hotline_detention, coordinator):
    lawyer = make_user("lawyer", username="advocate")
    client = _as(coordinator)
    page = client.post(
        reverse("detention_assign", args=[hotline_detention.pk]), {"lawyer": lawyer.pk}, follow=True
    )
    assert "Assigned to advocate." in page.content.decode()
    assert hotline_detention.__class__.objects.get(pk=hotline_detention.pk).assignment.lawyer == lawyer
    refused = client.post(
        reverse("detention_assign", args=[hotline_detention.pk]), {"lawyer": "x"}, follow=True
    )
    assert "Choose a lawyer." in refused.content.decode()


def test_another_report_of_a_taken_detention_is_not_offered_to_other_lawyers(hotline_detention, coordinator):
    take_case(hotline_detention, actor=make_user("lawyer"))
    again = detain(make_user("volunteer"), "Тихановский Сергей", kind="relative").detention
    assert detentions_awaiting_lawyer().filter(pk=again.pk).exists()
    merge_persons(hotline_detention.person, [again.person], actor=coordinator)  # one person after review
    assert not detentions_awaiting_lawyer().filter(pk=again.pk).exists()
