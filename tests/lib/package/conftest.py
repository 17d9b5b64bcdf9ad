from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vigil.lib.crypto.signing import private_key_from_seed
from vigil.lib.package import Manifest, PackageFile, build_package

ROOT = Path(__file__).resolve().parents[3]
VERIFIER = ROOT / "tools" / "verify_package.py"

RECORDS = [
    {
        "report_uuid": "2a2f41e5-27ae-5f5f-a831-50ac1791595b",
        "full_name": "Іваноў Іван",
        "detained_on": "2020-11-08",
        "city": "Мінск",
        "articles": [{"article": "23.34", "part": "1"}],
    },
    {
        "report_uuid": "5b0e0c0f-0000-5000-8000-000000000001",
        "full_name": '=HYPERLINK("x")',
        "detained_on": "2020-11-08",
    },
]
CUSTODY = [
    {"event": "received", "by": "volunteer-7", "at": "2020-11-09T10:00:00Z", "from": "relative"},
    {"event": "viewed", "by": "lawyer-2", "at": "2021-02-01T12:00:00Z"},
]
AUDIT = [{"seq": 41, "action": "evidence.add", "at": "2020-11-09T10:00:01Z", "hash": "ab" * 32}]


def load_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_package_under_test", VERIFIER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def verifier() -> ModuleType:
    return load_verifier()


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return private_key_from_seed(bytes(range(32)))


@pytest.fixture
def package(tmp_path: Path, signing_key: Ed25519PrivateKey) -> tuple[Path, Manifest]:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)
    out = tmp_path / "package.zip"
    manifest = build_package(
        out,
        records=RECORDS,
        files=[
            PackageFile("photo.jpg", photo, CUSTODY),
            PackageFile("заява.pdf", b"%PDF-1.4 statement", CUSTODY[:1]),
        ],
        audit_excerpt=AUDIT,
        signing_key=signing_key,
        meta={"synthetic": True, "case": "demo-1", "created_at": "2024-01-01T00:00:00Z"},
    )
    return out, manifest
