"""Nobody can mistake the demo data for real data."""

from __future__ import annotations

from vigil.lib.synthetic import SYNTHETIC_MARK, World


def test_every_report_carries_the_synthetic_mark_in_source_name_and_raw_text(world: World) -> None:
    assert SYNTHETIC_MARK == "SYNTHETIC"
    for r in world.reports:
        assert SYNTHETIC_MARK in r.source_name
        assert SYNTHETIC_MARK in r.raw_text


def test_allegation_narratives_and_evidence_files_are_marked_synthetic(world: World) -> None:
    for a in world.allegations:
        assert SYNTHETIC_MARK in a.narrative
        for name, content in a.evidence:
            assert "synthetic" in name
            assert SYNTHETIC_MARK.encode() in content


def test_raw_text_mentions_the_name_as_the_source_wrote_it(world: World) -> None:
    for r in world.reports:
        if r.person_id:
            assert r.full_name in r.raw_text
