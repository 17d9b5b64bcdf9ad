"""Two instances, each its own data dir and database, exchange bundles through ``vigil sync`` commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .instances import Instance, pair, together, without_acks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("sync-pair")
    a, b = pair(root)
    a.seed("a", count=5, extras=True)
    bundle = root / "a-to-b.bundle"
    a.run("sync", "export", "--to", "vilnius", "-o", str(bundle))
    return {"root": root, "a": a, "b": b, "bundle": bundle}


def _copies(world: dict[str, object], tmp_path: Path) -> tuple[Instance, Instance, Path]:
    a, b = world["a"], world["b"]
    assert isinstance(a, Instance) and isinstance(b, Instance)
    bundle = world["bundle"]
    assert isinstance(bundle, Path)
    return a.copy(tmp_path / "a"), b.copy(tmp_path / "b"), bundle


def test_identity_is_one_line_naming_the_instance_and_its_two_public_keys(world: dict[str, object]) -> None:
    a = world["a"]
    assert isinstance(a, Instance)
    out = a.run("sync", "identity").stdout
    assert out.count("\n") == 1
    assert re.fullmatch(r"vigil1:minsk:[A-Za-z0-9_-]{43}:[A-Za-z0-9_-]{43}\n", out)


def test_an_exchange_a_to_b_to_a_converges_to_the_same_records_and_figures(
    world: dict[str, object], tmp_path: Path
) -> None:
    a, b, bundle = _copies(world, tmp_path)
    b.run("sync", "import", str(bundle))
    b.seed("b", count=3)
    back = tmp_path / "b-to-a.bundle"
    b.run("sync", "export", "--to", "minsk", "-o", str(back))
    a.run("sync", "import", str(back))
    again = tmp_path / "a-to-b-2.bundle"
    a.run("sync", "export", "--to", "vilnius", "-o", str(again))
    b.run("sync", "import", str(again))
    ca, cb = a.check(), b.check()
    assert without_acks(ca) == without_acks(cb)
    # 5 + 3 named detentions, one unnamed group each; one merge of two of a's persons.
    assert (ca["detentions"], ca["identities"], ca["persons"]) == (10, 8, 7)
    assert ca["integrity"] == "ok" and ca["audit_problems"] == []
    fa, fb = together(a.start("figures", "--json"), b.start("figures", "--json"))
    assert fa == fb and '"persons": 7' in fa


def test_importing_the_same_bundle_twice_changes_nothing(world: dict[str, object], tmp_path: Path) -> None:
    _, b, bundle = _copies(world, tmp_path)
    first = b.run("sync", "import", str(bundle)).stdout
    assert "26 new of 26" in first or " new of " in first
    after_first = b.check()
    second = b.run("sync", "import", str(bundle)).stdout
    assert " 0 new of " in second
    assert b.check() == after_first


def _refused(b: Instance, data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    result = b.run("sync", "import", str(path), check=False)
    assert result.returncode != 0
    return result.stderr


def test_a_flipped_byte_a_truncated_bundle_and_a_foreign_bundle_are_refused_and_change_nothing(
    world: dict[str, object], tmp_path: Path
) -> None:
    a, b, bundle = _copies(world, tmp_path)
    before = b.check()
    data = bundle.read_bytes()
    for at in (20, len(data) // 2, len(data) - 10):
        flipped = bytearray(data)
        flipped[at] ^= 0x01
        err = _refused(b, bytes(flipped), tmp_path, f"flipped-{at}.bundle")
        assert "Bundle" in err and ("altered" in err or "tampered" in err.lower() or "not" in err)
    assert "cut short" in _refused(b, data[: len(data) - 100], tmp_path, "cut.bundle")
    # A bundle a wrote to itself-addressed peer "vilnius" read by a third instance: not for it.
    c = Instance("kyiv", tmp_path / "c", "kyiv passphrase for tests")
    together(c.init())
    c.run("sync", "add-peer", "minsk", a.run("sync", "identity").stdout.strip())
    foreign = c.run("sync", "import", str(bundle), check=False)
    assert foreign.returncode != 0 and "BundleNotForUs" in foreign.stderr
    assert c.check()["reports"] == 0
    assert b.check() == before


def test_evidence_files_travel_with_their_records_and_verify_by_hash(
    world: dict[str, object], tmp_path: Path
) -> None:
    a, b, bundle = _copies(world, tmp_path)
    b.run("sync", "import", str(bundle))
    ca, cb = a.check(), b.check()
    assert len(ca["evidence"]) == 1
    assert cb["evidence"] == ca["evidence"] and cb["evidence_unverified"] == []
    # Stored encrypted: the plaintext marker is nowhere in b's evidence directory.
    blobs = [p.read_bytes() for p in (b.path / "evidence").rglob("*") if p.is_file()]
    assert blobs and not any(b"medical certificate" in blob for blob in blobs)
