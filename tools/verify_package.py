#!/usr/bin/env python3
"""Check a Vigil investigation package: every file's SHA-256 and size, and the Ed25519 signature.

    python verify_package.py PACKAGE.zip [--public-key KEY]

KEY is the sender's public key as they gave it to you through a channel other than the package
(``ed25519:...`` text, 64 hex digits, or a file holding either or a PEM public key). Without it the key
written inside the package is used, which shows only that nobody changed the package after whoever holds
that key signed it: compare the printed fingerprint with the one the sender told you.

Exit status 0: intact (every listed file present and unchanged, nothing extra, signature valid).
Exit status 1: anything else; every missing, extra or altered file is named.

Needs only Python 3.9+ and the ``cryptography`` package. It never unpacks anything to disk.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = "vigil-investigation-package"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    ValueError,
    RuntimeError,
)


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.fingerprint = ""
        self.synthetic: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(text)


def _fingerprint(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def parse_public_key(text: str) -> Ed25519PublicKey:
    """``ed25519:<base64url>``, 64 hex digits, a PEM public key, or a path to a file holding one of them."""
    text = text.strip()
    if not text.startswith(("ed25519:", "-----BEGIN")) and not _HEX64.fullmatch(text.lower()):
        path = Path(text)
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_public_key(text.encode("ascii", errors="replace"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    if text.startswith("ed25519:"):
        body = text[len("ed25519:") :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise ValueError("the ed25519: key is not base64url") from None
    elif _HEX64.fullmatch(text.lower()):
        raw = bytes.fromhex(text)
    else:
        raise ValueError("not a public key: give ed25519:..., 64 hex digits, or a PEM file")
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is exactly 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _read_member(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as fh:
        while True:
            chunk = fh.read(1024 * 1024)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _safe_path(path: str) -> bool:
    return bool(path) and not path.startswith("/") and "\\" not in path and ".." not in path.split("/")


def _entries(manifest: Any, report: Report) -> list[tuple[str, str, int]] | None:
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        report.problem("ALTERED manifest.json: it has no list of files")
        return None
    out: list[tuple[str, str, int]] = []
    for item in files:
        ok = isinstance(item, dict)
        path, sha, size = (
            (item.get("path"), item.get("sha256"), item.get("size")) if ok else (None, None, None)
        )
        if not (
            isinstance(path, str) and isinstance(sha, str) and _HEX64.fullmatch(sha) and type(size) is int
        ):
            report.problem(f"ALTERED manifest.json: malformed file entry {item!r:.120}")
            continue
        if not _safe_path(path):
            report.problem(f"ALTERED manifest.json: unsafe path {path!r}")
            continue
        out.append((path, sha, size))
    return out


def verify(package: str | Path, public_key: str | None = None) -> Report:
    """Check everything; never raises for a damaged package (the report says what is wrong)."""
    report = Report()
    try:
        archive = zipfile.ZipFile(package)
        names = [info.filename for info in archive.infolist()]
    except (*_READ_ERRORS, KeyError) as exc:
        report.problem(f"NOT A READABLE ZIP: {package}: {exc}")
        return report
    with archive:
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        for name, count in counts.items():
            if count > 1:
                report.problem(f"ALTERED archive: {name} appears {count} times")
        if MANIFEST not in counts:
            report.problem(f"MISSING {MANIFEST}: nothing can be checked without it")
            return report
        try:
            manifest_bytes = archive.read(MANIFEST)
        except (*_READ_ERRORS, KeyError) as exc:
            report.problem(f"ALTERED {MANIFEST}: cannot be read ({exc})")
            return report
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            report.problem(f"ALTERED {MANIFEST}: not JSON ({exc})")
            return report
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            report.problem(f"ALTERED {MANIFEST}: not a Vigil investigation package manifest")
            return report
        if isinstance(manifest.get("synthetic"), bool):
            report.synthetic = manifest["synthetic"]

        # -- the signature
        raw_info = manifest.get("signature")
        signature_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
        key: Ed25519PublicKey | None = None
        inside: Ed25519PublicKey | None = None
        try:
            inside = parse_public_key(str(signature_info.get("public_key", "")))
        except ValueError:
            inside = None
        if public_key is not None:
            key = parse_public_key(public_key)
            if inside is not None and _fingerprint(inside) != _fingerprint(key):
                report.problem(
                    f"WRONG KEY: the manifest names signer {_fingerprint(inside)}, "
                    f"not the expected {_fingerprint(key)}"
                )
        else:
            key = inside
            if key is not None:
                report.notes.append(
                    "no --public-key given: the key inside the package was used; compare its fingerprint "
                    f"{_fingerprint(key)} with the one the sender gave you through another channel"
                )
        if key is None:
            report.problem("SIGNATURE: no usable public key (give one with --public-key)")
        else:
            report.fingerprint = _fingerprint(key)
        if SIGNATURE not in counts:
            report.problem(f"MISSING {SIGNATURE}")
        else:
            try:
                signature = archive.read(SIGNATURE)
            except (*_READ_ERRORS, KeyError) as exc:
                signature = b""
                report.problem(f"ALTERED {SIGNATURE}: cannot be read ({exc})")
            if key is not None and signature:
                try:
                    key.verify(signature, manifest_bytes)
                    report.lines.append(f"ok       signature by key {_fingerprint(key)}")
                except InvalidSignature:
                    report.problem(
                        f"SIGNATURE INVALID: {SIGNATURE} does not sign {MANIFEST} with key {_fingerprint(key)}"
                    )

        # -- every listed file
        entries = _entries(manifest, report)
        if entries is None:
            return report
        listed: set[str] = set()
        for path, sha, size in entries:
            if path in listed:
                report.problem(f"ALTERED {MANIFEST}: {path} is listed twice")
                continue
            listed.add(path)
            if path in (MANIFEST, SIGNATURE):
                report.problem(f"ALTERED {MANIFEST}: lists {path} itself")
                continue
            if path not in counts:
                report.problem(f"MISSING  {path}")
                continue
            try:
                got_sha, got_size = _read_member(archive, path)
            except (*_READ_ERRORS, KeyError) as exc:
                report.problem(f"ALTERED  {path}: cannot be read ({exc})")
                continue
            if got_sha != sha or got_size != size:
                report.problem(
                    f"ALTERED  {path}: sha256 {got_sha[:16]}... size {got_size}, "
                    f"manifest says {sha[:16]}... size {size}"
                )
            else:
                report.lines.append(f"ok       {path}")
        for name in counts:
            if name not in listed and name not in (MANIFEST, SIGNATURE):
                report.problem(f"EXTRA    {name}: not in the signed manifest")
    return report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors exit 1 like any other failure
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="verify_package.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("package", help="the package ZIP")
    parser.add_argument("--public-key", help="the signer's public key (ed25519:..., hex, or a PEM/text file)")
    args = parser.parse_args(argv)
    try:
        report = verify(args.package, args.public_key)
    except ValueError as exc:  # a malformed --public-key
        print(f"verify_package.py: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - never report "intact" after an unexpected failure
        print(f"verify_package.py: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for line in report.lines:
        print(line)
    for note in report.notes:
        print(f"note: {note}")
    if report.synthetic:
        print("note: the package says it holds SYNTHETIC (demo) data, not evidence")
    if report.ok:
        print(f"INTACT: every file matches the manifest signed by key {report.fingerprint}")
        return 0
    print(f"NOT INTACT: {len(report.problems)} problem(s)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
