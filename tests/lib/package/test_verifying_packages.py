"""The standalone verifier passes an intact package and names whatever was changed, removed or added."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.lib.package.conftest import AUDIT, CUSTODY, RECORDS, VERIFIER

from vigil.lib.crypto.signing import encode_public_key, private_key_from_seed, public_key_bytes
from vigil.lib.package import Manifest, PackageFile, write_package

MEMBERS = [
    "records.json",
    "records.csv",
    "evidence/photo.jpg",
    "evidence/заява.pdf",
    "custody/photo.jpg.json",
    "custody/заява.pdf.json",
    "audit.json",
    "manifest.json",
    "manifest.sig",
]


def data_span(path: Path, member: str) -> tuple[int, int]:
    """Where a member's (compressed) bytes lie in the archive file."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    raw = path.read_bytes()
    header = info.header_offset
    name_len = int.from_bytes(raw[header + 26 : header + 28], "little")
    extra_len = int.from_bytes(raw[header + 28 : header + 30], "little")
    start = header + 30 + name_len + extra_len
    return start, start + info.compress_size


def rewrite(path: Path, drop: str | None = None, add: tuple[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(i, archive.read(i.filename)) for i in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename != drop:
                archive.writestr(info, data)
        if add:
            archive.writestr(add[0], add[1])


def test_an_intact_package_verifies_with_and_without_the_expected_key(
    package: tuple[Path, Manifest], verifier: ModuleType, signing_key: Ed25519PrivateKey
) -> None:
    path, manifest = package
    report = verifier.verify(path)
    assert report.ok, report.problems
    assert report.fingerprint == manifest.fingerprint
    assert report.synthetic is True
    for key in (encode_public_key(signing_key), public_key_bytes(signing_key).hex()):
        assert verifier.verify(path, key).ok


@pytest.mark.parametrize("member", MEMBERS)
def test_one_flipped_byte_in_any_member_fails_verification_and_names_it(
    package: tuple[Path, Manifest], verifier: ModuleType, member: str
) -> None:
    path, _ = package
    start, end = data_span(path, member)
    raw = bytearray(path.read_bytes())
    raw[(start + end) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    report = verifier.verify(path)
    assert not report.ok
    assert any(member in problem or "SIGNATURE" in problem for problem in report.problems), report.problems


@pytest.mark.parametrize("member", MEMBERS)
def test_a_removed_file_fails_verification_and_is_named_missing(
    package: tuple[Path, Manifest], verifier: ModuleType, member: str
) -> None:
    path, _ = package
    rewrite(path, drop=member)
    report = verifier.verify(path)
    assert not report.ok
    assert any(p.startswith("MISSING") and member in p for p in report.problems), report.problems


def test_an_added_file_fails_verification_and_is_named_extra(
    package: tuple[Path, Manifest], verifier: ModuleType
) -> None:
    path, _ = package
    rewrite(path, add=("evidence/planted.jpg", b"not ours"))
    report = verifier.verify(path)
    assert [p.split()[0:2] for p in report.problems] == [["EXTRA", "evidence/planted.jpg:"]]


def test_a_package_signed_by_another_key_fails_against_the_expected_key(
    package: tuple[Path, Manifest], verifier: ModuleType
) -> None:
    path, _ = package
    stranger = encode_public_key(private_key_from_seed(b"\x07" * 32))
    report = verifier.verify(path, stranger)
    assert not report.ok
    assert any(p.startswith("WRONG KEY") for p in report.problems)
    assert any(p.startswith("SIGNATURE INVALID") for p in report.problems)


def test_a_manifest_re_signed_by_an_attacker_passes_only_without_the_expected_key(
    package: tuple[Path, Manifest], verifier: ModuleType, signing_key: Ed25519PrivateKey
) -> None:
    import json

    path, _ = package
    attacker = private_key_from_seed(b"\x66" * 32)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["signature"]["public_key"] = encode_public_key(attacker)
    body = json.dumps(manifest).encode()
    with zipfile.ZipFile(path) as archive:
        members = [(i, archive.read(i.filename)) for i in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename == "manifest.json":
                data = body
            elif info.filename == "manifest.sig":
                data = attacker.sign(body)
            archive.writestr(info, data)
    assert verifier.verify(path).ok  # self-consistent: why the verifier tells people to compare the key
    assert not verifier.verify(path, encode_public_key(signing_key)).ok


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run(
        [sys.executable, str(VERIFIER), *args], capture_output=True, text=True, timeout=60, env=env, cwd="/"
    )


def test_the_standalone_verifier_exits_0_for_an_intact_package_and_1_for_a_damaged_one(
    package: tuple[Path, Manifest], signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    path, manifest = package
    key_file = tmp_path / "sender.pub"
    key_file.write_text(encode_public_key(signing_key) + "\n")
    ok = run(str(path), "--public-key", str(key_file))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"INTACT: every file matches the manifest signed by key {manifest.fingerprint}" in ok.stdout
    assert "SYNTHETIC" in ok.stdout
    rewrite(path, drop="evidence/photo.jpg")
    bad = run(str(path), "--public-key", str(key_file))
    assert bad.returncode == 1
    assert "MISSING  evidence/photo.jpg" in bad.stdout
    assert "NOT INTACT" in bad.stdout


def test_the_standalone_verifier_exits_1_for_a_non_zip_a_bad_key_and_bad_usage(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"hello")
    assert run(str(junk)).returncode == 1
    assert run(str(junk), "--public-key", "ed25519:short").returncode == 1
    assert run().returncode == 1


def test_the_verifier_imports_neither_vigil_nor_django() -> None:
    source = VERIFIER.read_text()
    assert "import vigil" not in source and "from vigil" not in source and "django" not in source.lower()
    code = (
        "import runpy, sys\n"
        "sys.argv = ['verify_package.py', '--help']\n"
        "try:\n"
        f"    runpy.run_path({str(VERIFIER)!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('vigil', 'django')))\n"
    )
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="/")
    assert probe.stdout.strip().splitlines()[-1] == "[]"


def member_bytes(path: Path) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except Exception:  # noqa: BLE001 - any damage that zipfile notices
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 255))
def test_a_byte_flipped_anywhere_is_reported_unless_no_member_changed(
    package: tuple[Path, Manifest],
    verifier: ModuleType,
    position: float,
    flip: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path, _ = package
    original = path.read_bytes()
    damaged = bytearray(original)
    damaged[int(position * len(damaged))] ^= flip
    target = tmp_path_factory.mktemp("flip") / "package.zip"
    target.write_bytes(bytes(damaged))
    report = verifier.verify(target)
    if report.ok:
        # only bytes no reader trusts (timestamps, attributes, the central directory's copies) changed
        assert member_bytes(target) == member_bytes(path)


def test_a_second_member_with_a_listed_name_is_reported_as_a_duplicate(
    package: tuple[Path, Manifest], verifier: ModuleType
) -> None:
    import warnings

    path, _ = package
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name we add on purpose
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("evidence/photo.jpg", b"a substituted photo")
    report = verifier.verify(path)
    assert "ALTERED archive: evidence/photo.jpg appears 2 times" in report.problems


def test_a_package_written_to_a_stream_that_cannot_seek_verifies_and_holds_the_same_members(
    package: tuple[Path, Manifest], verifier: ModuleType, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """What an encrypting writer is: it only takes bytes in order (zipfile then writes data descriptors)."""

    class OnlyWrites:
        def __init__(self) -> None:
            self.received = bytearray()

        def write(self, data: bytes) -> int:
            self.received += data
            return len(data)

    path, manifest = package
    sink = OnlyWrites()
    with zipfile.ZipFile(path) as archive:
        photo = archive.read("evidence/photo.jpg")
    streamed = write_package(
        sink,
        records=RECORDS,
        files=[
            PackageFile("photo.jpg", photo, CUSTODY),
            PackageFile("заява.pdf", b"%PDF-1.4 statement", CUSTODY[:1]),
        ],
        audit_excerpt=AUDIT,
        signing_key=signing_key,
        meta={"synthetic": True, "case": "demo-1", "created_at": "2024-01-01T00:00:00Z"},
    )
    out = tmp_path / "streamed.zip"
    out.write_bytes(bytes(sink.received))
    report = verifier.verify(out, encode_public_key(signing_key))
    assert report.ok, report.problems
    assert [(e.path, e.sha256) for e in streamed.entries] == [(e.path, e.sha256) for e in manifest.entries]
