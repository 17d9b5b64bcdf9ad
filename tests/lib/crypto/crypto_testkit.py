"""Constants shared by the crypto tests (a module with a unique name, so it cannot clash with other suites)."""

from __future__ import annotations

from vigil.lib.crypto.keys import KdfParams

# The minimum the keystore accepts; production uses the (much slower) defaults.
FAST_KDF = KdfParams(time_cost=1, memory_cost_kib=KdfParams.MIN_MEMORY_KIB, parallelism=1)
PASSPHRASE = "Жыве Беларусь — correct horse"
