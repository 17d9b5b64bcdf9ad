from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import verify_evidence
from vigil.review.operations import merge_persons

from ..factories import detain, login


def test_a_lawyer_records_an_allegation_with_evidence_whose_hash_is_kept(client, coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    login(client, coordinator)
    photo = b"\x89PNG synthetic photo of a bruise"
    response = client.post(
        reverse("detention_add_allegation", args=[d.pk]),
        {
            "violation_type": "Beating",
            "place": "bus",
            "narrative": "beaten with batons",
            "evidence": [
                SimpleUploadedFile("bruise.png", photo, "image/png"),
                SimpleUploadedFile("note.txt", b"medical note"),
            ],
        },
    )
    assert response.status_code == 302
    files = list(EvidenceFile.objects.order_by("pk"))
    assert [f.original_name for f in files] == ["bruise.png", "note.txt"]
    assert files[0].sha256 == hashlib.sha256(photo).hexdigest() and all(verify_evidence(f) for f in files)
    download = client.get(reverse("evidence_download", args=[files[0].pk]))
    assert download.status_code == 200 and download.content == photo


def test_an_unknown_violation_type_keeps_the_form_and_stores_nothing(client, coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    login(client, coordinator)
    response = client.post(reverse("detention_add_allegation", args=[d.pk]), {"violation_type": "Nonsense"})
    assert response.status_code == 400 and not EvidenceFile.objects.exists()


def test_a_detention_reported_by_two_sources_shows_as_corroborated(client, coordinator):
    a = detain(coordinator, "Иван Иванов", kind="hotline").detention
    b = detain(coordinator, "Ivan Ivanov", kind="media").detention
    login(client, coordinator)
    body = client.get(reverse("detention_detail", args=[a.pk])).content.decode()
    assert "not corroborated" in body
    merge_persons(a.person, [b.person], actor=coordinator)
    body = client.get(reverse("detention_detail", args=[a.pk])).content.decode()
    assert "Corroborated by 2 independent sources" in body
