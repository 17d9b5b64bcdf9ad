"""Signed investigation packages (no Django): :func:`build_package` writes one to a file, :func:`write_package` to any
writable stream; the standalone
``tools/verify_package.py`` checks one. See docs/importing.md for the layout.

The public names are listed here, once; :mod:`vigil.lib.package.builder` implements them."""

from vigil.lib.package.builder import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    Manifest,
    ManifestEntry,
    PackageError,
    PackageFile,
    build_package,
    write_package,
)

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SIGNATURE",
    "Manifest",
    "ManifestEntry",
    "PackageError",
    "PackageFile",
    "build_package",
    "write_package",
]
