"""A minimal Django project on the vigil.protection.sqlcipher backend, run in subprocesses by test_sqlcipher_backend."""
