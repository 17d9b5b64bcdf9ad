"""What build_package writes: the layout an investigator relies on."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.lib.package.conftest import AUDIT, CUSTODY, RECORDS

from vigil.lib.crypto.signing import encode_public_key, verify
from vigil.lib.package import Manifest, PackageError, PackageFile, build_package


def test_the_package_holds_records_evidence_custody_audit_manifest_and_signature(
    package: tuple[Path, Manifest],
) -> None:
    path, manifest = package
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(
            [
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
        )
        assert json.loads(archive.read("records.json")) == RECORDS
        assert json.loads(archive.read("audit.json")) == AUDIT
        assert archive.read("evidence/заява.pdf") == b"%PDF-1.4 statement"
        custody = json.loads(archive.read("custody/photo.jpg.json"))
        assert custody["custody"] == CUSTODY
        assert custody["sha256"] == hashlib.sha256(archive.read("evidence/photo.jpg")).hexdigest()
        listed = json.loads(archive.read("manifest.json"))
        for entry in listed["files"]:
            data = archive.read(entry["path"])
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["size"] == len(data)
        assert {e["path"] for e in listed["files"]} == set(names) - {"manifest.json", "manifest.sig"}
        assert listed["synthetic"] is True and listed["meta"]["case"] == "demo-1"
    assert manifest.paths == [e["path"] for e in listed["files"]]


def test_the_signature_verifies_over_the_manifest_bytes_with_the_key_the_manifest_names(
    package: tuple[Path, Manifest], signing_key: Ed25519PrivateKey
) -> None:
    path, manifest = package
    with zipfile.ZipFile(path) as archive:
        manifest_bytes = archive.read("manifest.json")
        signature = archive.read("manifest.sig")
    assert json.loads(manifest_bytes)["signature"]["public_key"] == encode_public_key(signing_key)
    assert verify(encode_public_key(signing_key), manifest_bytes, signature)
    assert manifest.signature == signature
    assert manifest.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()


def test_records_csv_opens_in_a_spreadsheet_without_running_formulas(package: tuple[Path, Manifest]) -> None:
    path, _ = package
    with zipfile.ZipFile(path) as archive:
        data = archive.read("records.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["full_name"] == "Іваноў Іван"
    assert json.loads(rows[0]["articles"]) == [{"article": "23.34", "part": "1"}]
    assert rows[1]["full_name"] == '\'=HYPERLINK("x")'
    assert rows[1]["articles"] == ""


def test_the_same_inputs_build_byte_identical_packages(
    tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    def build(name: str) -> bytes:
        out = tmp_path / name
        build_package(
            out,
            records=RECORDS,
            files=[PackageFile("a.txt", b"x", CUSTODY)],
            audit_excerpt=AUDIT,
            signing_key=signing_key,
            meta={"synthetic": False},
        )
        return out.read_bytes()

    assert build("one.zip") == build("two.zip")


@pytest.mark.parametrize("meta", [{}, {"synthetic": "no"}, {"synthetic": 0}])
def test_a_package_must_say_whether_it_is_synthetic(
    tmp_path: Path, signing_key: Ed25519PrivateKey, meta: dict[str, object]
) -> None:
    with pytest.raises(PackageError, match="synthetic"):
        build_package(
            tmp_path / "p.zip", records=[], files=[], audit_excerpt=[], signing_key=signing_key, meta=meta
        )
    assert not (tmp_path / "p.zip").exists()


@pytest.mark.parametrize(
    "name", ["", "..", "../etc/passwd", "a/b.jpg", "C:evil", "a\\b", "bad\x00name", " lead", "dot."]
)
def test_evidence_names_that_could_escape_or_confuse_an_unpacker_are_refused(
    tmp_path: Path, signing_key: Ed25519PrivateKey, name: str
) -> None:
    with pytest.raises(PackageError):
        build_package(
            tmp_path / "p.zip",
            records=[],
            files=[PackageFile(name, b"x")],
            audit_excerpt=[],
            signing_key=signing_key,
            meta={"synthetic": True},
        )


def test_two_evidence_names_differing_only_in_case_are_refused(
    tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    with pytest.raises(PackageError, match="case"):
        build_package(
            tmp_path / "p.zip",
            records=[],
            files=[PackageFile("Photo.jpg", b"x"), PackageFile("photo.JPG", b"y")],
            audit_excerpt=[],
            signing_key=signing_key,
            meta={"synthetic": True},
        )


def test_an_unreadable_evidence_path_leaves_no_partial_package(
    tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    with pytest.raises(PackageError, match="cannot read"):
        build_package(
            tmp_path / "p.zip",
            records=RECORDS,
            files=[PackageFile("gone.jpg", tmp_path / "gone.jpg")],
            audit_excerpt=[],
            signing_key=signing_key,
            meta={"synthetic": True},
        )
    assert list(tmp_path.iterdir()) == []


def test_an_existing_package_is_not_overwritten_unless_asked(
    package: tuple[Path, Manifest], signing_key: Ed25519PrivateKey
) -> None:
    path, _ = package
    kwargs = dict(records=[], files=[], audit_excerpt=[], signing_key=signing_key, meta={"synthetic": True})
    with pytest.raises(PackageError, match="exists"):
        build_package(path, **kwargs)  # type: ignore[arg-type]
    build_package(path, overwrite=True, **kwargs)  # type: ignore[arg-type]
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("records.json")) == []
