"""Investigation packages: what a prosecutor, UN investigator or court needs to rely on Vigil's material.

One ZIP holds the records (JSON, and CSV for spreadsheets), every evidence file exactly as received, its
chain of custody, an excerpt of the audit log, and a manifest listing the SHA-256 and size of every member.
The manifest is signed with Ed25519 (``manifest.sig``, a detached signature over the manifest's bytes) and
carries the signer's public key. ``tools/verify_package.py`` checks a package with nothing but Python and
``cryptography``: no Vigil install is needed on the investigator's side.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vigil.lib.crypto.signing import encode_public_key, fingerprint, public_key_bytes

FORMAT = "vigil-investigation-package"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
# A fixed timestamp on every member: the same inputs give the same bytes, and the archive does not leak
# when on which machine it was assembled (meta says when, if the sender wants to).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class PackageError(ValueError):
    """The package cannot be built from these inputs (bad file name, bad meta, unreadable evidence, ...)."""


@dataclass(frozen=True)
class PackageFile:
    """One evidence file: ``content`` is its bytes or a path to it; ``custody`` the chain of custody (who
    received it and when, then every access since), one JSON-serialisable dict per event."""

    name: str
    content: bytes | str | os.PathLike[str]
    custody: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    entries: list[ManifestEntry]
    meta: dict[str, Any]
    public_key: str
    fingerprint: str
    manifest_sha256: str
    signature: bytes

    @property
    def paths(self) -> list[str]:
        return [e.path for e in self.entries]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal | Path):
        return str(value)
    if isinstance(value, bytes):
        raise TypeError("bytes in a record: put binary content in an evidence file")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _json_bytes(value: Any, what: str) -> bytes:
    try:
        text = json.dumps(
            value, ensure_ascii=False, indent=2, sort_keys=True, default=_jsonable, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise PackageError(f"{what}: {exc}") from None
    return (text + "\n").encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_jsonable)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(_jsonable(value)) if not isinstance(value, int | float) else str(value)
    # A spreadsheet would run "=HYPERLINK(...)" typed by a hostile source; records.json keeps the exact text.
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _records_csv(records: list[dict[str, Any]]) -> bytes:
    columns: dict[str, None] = {}
    for record in records:
        for key in record:
            columns.setdefault(str(key), None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(columns))
    for record in records:
        values = {str(k): v for k, v in record.items()}
        writer.writerow([_csv_cell(values.get(c)) for c in columns])
    # UTF-8 with BOM so that spreadsheet programs show Cyrillic names correctly.
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or name in (".", ".."):
        raise PackageError(f"evidence file name {name!r} is empty or a dot name")
    if len(name) > 200:
        raise PackageError(f"evidence file name {name[:40]!r}... is longer than 200 characters")
    if "/" in name or "\\" in name or ":" in name:
        raise PackageError(f"evidence file name {name!r} has a path separator or a colon")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise PackageError(f"evidence file name {name!r} has control or invisible characters")
    if name != name.strip() or name.endswith("."):
        raise PackageError(f"evidence file name {name!r} starts or ends with a space or ends with a dot")
    return name


def _chunks(content: bytes | str | os.PathLike[str], name: str) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        yield bytes(content)
        return
    try:
        with open(content, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk
    except OSError as exc:
        raise PackageError(
            f"evidence file {name!r}: cannot read {os.fspath(content)!r}: {exc.strerror}"
        ) from None


def _info(path: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, so that the permission bits above mean what they say
    return info


def build_package(
    out_path: str | os.PathLike[str],
    *,
    records: list[dict[str, Any]],
    files: list[PackageFile],
    audit_excerpt: list[dict[str, Any]],
    signing_key: Ed25519PrivateKey,
    meta: dict[str, Any],
    overwrite: bool = False,
) -> Manifest:
    """Write the package ZIP to ``out_path`` (atomically: a failed build leaves nothing behind).

    ``meta`` must say ``"synthetic": True`` or ``False`` (demo data must never pass for evidence); other
    keys (case reference, created_at, organisation, ...) are copied into the manifest as given.
    """
    _check_inputs(records, files, audit_excerpt, signing_key, meta)
    out = Path(out_path)
    if out.exists() and not overwrite:
        raise PackageError(f"{out} already exists")
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "wb") as sink:
            manifest = write_package(
                sink,
                records=records,
                files=files,
                audit_excerpt=audit_excerpt,
                signing_key=signing_key,
                meta=meta,
            )
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


class _Unseekable:
    """What ``zipfile`` needs of a sink it cannot seek in (it then writes data descriptors): write and flush."""

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink

    def write(self, data: bytes) -> int:
        self._sink.write(data)
        return len(data)

    def flush(self) -> None:
        flush = getattr(self._sink, "flush", None)
        if flush is not None:
            flush()


def write_package(
    sink: _Sink,
    *,
    records: list[dict[str, Any]],
    files: list[PackageFile],
    audit_excerpt: list[dict[str, Any]],
    signing_key: Ed25519PrivateKey,
    meta: dict[str, Any],
) -> Manifest:
    """Write the package ZIP to ``sink``, which need only be writable (an encrypting writer, a socket): the
    package then never exists in the clear on disk. On failure what ``sink`` received must be discarded."""
    _check_inputs(records, files, audit_excerpt, signing_key, meta)
    records_json = _json_bytes(records, "records")
    records_csv = _records_csv(records)
    audit_json = _json_bytes(audit_excerpt, "audit_excerpt")
    meta_copy = json.loads(_json_bytes(meta, "meta"))

    entries: list[ManifestEntry] = []
    target: Any = sink if hasattr(sink, "seek") and hasattr(sink, "tell") else _Unseekable(sink)
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:

        def put(path: str, data: bytes) -> None:
            archive.writestr(_info(path, zipfile.ZIP_DEFLATED), data)
            entries.append(ManifestEntry(path, hashlib.sha256(data).hexdigest(), len(data)))

        put("records.json", records_json)
        put("records.csv", records_csv)
        evidence: dict[str, ManifestEntry] = {}
        for f in files:
            path = f"evidence/{f.name}"
            digest = hashlib.sha256()
            size = 0
            with archive.open(_info(path, zipfile.ZIP_DEFLATED), "w", force_zip64=True) as member:
                for chunk in _chunks(f.content, f.name):
                    digest.update(chunk)
                    size += len(chunk)
                    member.write(chunk)
            entry = ManifestEntry(path, digest.hexdigest(), size)
            entries.append(entry)
            evidence[f.name] = entry
        for f in files:
            body = {
                "file": evidence[f.name].path,
                "sha256": evidence[f.name].sha256,
                "size": evidence[f.name].size,
                "custody": f.custody,
            }
            put(f"custody/{f.name}.json", _json_bytes(body, f"custody of {f.name!r}"))
        put("audit.json", audit_json)
        manifest_body = {
            "format": FORMAT,
            "version": 1,
            "synthetic": meta_copy["synthetic"],
            "meta": meta_copy,
            "signature": {
                "algorithm": "Ed25519",
                "file": SIGNATURE,
                "signed": MANIFEST,
                "public_key": encode_public_key(signing_key),
                "public_key_hex": public_key_bytes(signing_key).hex(),
                "fingerprint": fingerprint(signing_key),
            },
            "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries],
        }
        manifest_bytes = _json_bytes(manifest_body, "manifest")
        signature = signing_key.sign(manifest_bytes)
        archive.writestr(_info(MANIFEST, zipfile.ZIP_DEFLATED), manifest_bytes)
        archive.writestr(_info(SIGNATURE, zipfile.ZIP_STORED), signature)
    return Manifest(
        entries=entries,
        meta=meta_copy,
        public_key=encode_public_key(signing_key),
        fingerprint=fingerprint(signing_key),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        signature=signature,
    )


def _check_inputs(
    records: list[dict[str, Any]],
    files: list[PackageFile],
    audit_excerpt: list[dict[str, Any]],
    signing_key: Ed25519PrivateKey,
    meta: dict[str, Any],
) -> None:
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise PackageError("signing_key must be an Ed25519 private key")
    if not isinstance(meta, dict) or not isinstance(meta.get("synthetic"), bool):
        raise PackageError('meta must contain "synthetic": true or false')
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise PackageError("records must be a list of dicts")
    if not isinstance(audit_excerpt, list) or not all(isinstance(r, dict) for r in audit_excerpt):
        raise PackageError("audit_excerpt must be a list of dicts")
    seen: dict[str, str] = {}
    for f in files:
        key = unicodedata.normalize("NFC", _check_name(f.name)).casefold()
        if key in seen:
            # two names equal but for case would overwrite each other when unpacked on Windows or macOS
            raise PackageError(f"evidence files {seen[key]!r} and {f.name!r} differ only in case or form")
        seen[key] = f.name
        if not isinstance(f.custody, list) or not all(isinstance(e, dict) for e in f.custody):
            raise PackageError(f"custody of {f.name!r} must be a list of dicts")
