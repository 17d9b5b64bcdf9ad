"""Throughput of Vigil's protection libraries, printed (nothing asserted).

    .venv/bin/python bench/crypto.py [--records 10000] [--file-mib 32] [--fields 20000] [--skip-kdf]

Measures field encryption and decryption per second, streamed file encryption and decryption in MB/s, the
time to destroy a keystore protecting a SQLCipher database of ``--records`` encrypted records, and one
Argon2id unlock with the production parameters. Short by design: the machine is shared.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.lib.crypto import fields, files  # noqa: E402
from vigil.lib.crypto.errors import KeystoreDestroyedError  # noqa: E402
from vigil.lib.crypto.keys import KdfParams, KeyStore, Purpose  # noqa: E402
from vigil.lib.crypto.material import VersionedKey  # noqa: E402
from vigil.protection.sqlcipher import keying  # noqa: E402

FAST_KDF = KdfParams(time_cost=1, memory_cost_kib=KdfParams.MIN_MEMORY_KIB, parallelism=1)


class NullSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def bench_fields(count: int) -> None:
    key = VersionedKey(1, os.urandom(32))
    names = [f"Імя Прозвішча Імя па бацьку {i}" for i in range(count)]
    start = time.perf_counter()
    tokens = [
        fields.encrypt_field(key, n, table="records_person", row_id=i, field="name")
        for i, n in enumerate(names)
    ]
    encrypt = time.perf_counter() - start
    start = time.perf_counter()
    for i, token in enumerate(tokens):
        fields.decrypt_field(key, token, table="records_person", row_id=i, field="name")
    decrypt = time.perf_counter() - start
    start = time.perf_counter()
    for n in names:
        fields.blind_index(key, n, "name")
    index = time.perf_counter() - start
    print(f"field encrypt: {count / encrypt:,.0f} /s   ({count} values, {encrypt:.3f} s)")
    print(f"field decrypt: {count / decrypt:,.0f} /s   ({decrypt:.3f} s)")
    print(f"blind index:   {count / index:,.0f} /s   ({index:.3f} s)")


def bench_files(mib: int) -> None:
    key = VersionedKey(1, os.urandom(32))
    data = os.urandom(mib * 1024 * 1024)
    out = io.BytesIO()
    start = time.perf_counter()
    files.encrypt_stream(io.BytesIO(data), out, key, b"evidence:1")
    encrypt = time.perf_counter() - start
    blob = out.getvalue()
    sink = NullSink()
    start = time.perf_counter()
    files.decrypt_stream(io.BytesIO(blob), sink, key, b"evidence:1")
    decrypt = time.perf_counter() - start
    overhead = (len(blob) - len(data)) / len(data) * 100
    print(
        f"file encrypt:  {mib / encrypt:,.1f} MB/s  ({mib} MiB in {encrypt:.3f} s, overhead {overhead:.3f} %)"
    )
    print(f"file decrypt:  {mib / decrypt:,.1f} MB/s  ({decrypt:.3f} s)")


def bench_destroy(records: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp) / "keys")
        ring = store.create("bench passphrase", kdf=FAST_KDF)
        field_keys = ring.keys(Purpose.FIELD)
        db = keying.connect(str(Path(tmp) / "vigil.db"), ring.sqlcipher_key_hex())
        db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
        start = time.perf_counter()
        db.executemany(
            "INSERT INTO person (id, name) VALUES (?, ?)",
            (
                (i, fields.encrypt_field(field_keys, f"detainee {i}", table="person", row_id=i, field="name"))
                for i in range(records)
            ),
        )
        db.commit()
        db.close()
        filled = time.perf_counter() - start
        start = time.perf_counter()
        store.destroy()
        destroy = time.perf_counter() - start
        try:
            store.unlock("bench passphrase")
            outcome = "STILL UNLOCKS"
        except KeystoreDestroyedError:
            outcome = "nothing unlocks afterwards"
        print(f"fill {records} encrypted records into SQLCipher: {filled:.3f} s")
        print(f"destroy keystore protecting {records} records: {destroy * 1000:.1f} ms ({outcome})")


def bench_kdf() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp))
        params = KdfParams()
        start = time.perf_counter()
        store.create("bench passphrase", kdf=params).lock()
        created = time.perf_counter() - start
        start = time.perf_counter()
        store.unlock("bench passphrase").lock()
        unlocked = time.perf_counter() - start
        print(
            f"Argon2id t={params.time_cost} m={params.memory_cost_kib // 1024} MiB p={params.parallelism}: "
            f"create {created:.2f} s, unlock {unlocked:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=20_000)
    parser.add_argument("--file-mib", type=int, default=32)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--skip-kdf", action="store_true")
    args = parser.parse_args()
    bench_fields(args.fields)
    bench_files(args.file_mib)
    bench_destroy(args.records)
    if not args.skip_kdf:
        bench_kdf()


if __name__ == "__main__":
    main()
