"""A minimal Django project on the vigil.sqlcipher backend, run in subprocesses by test_sqlcipher_backend."""
