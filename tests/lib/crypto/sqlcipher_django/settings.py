"""Settings for the SQLCipher backend checks; the database path and key come from the environment."""

from __future__ import annotations

import os

SECRET_KEY = "sqlcipher-backend-tests-only"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": "vigil.protection.sqlcipher",
        "NAME": os.environ.get("VIGIL_TEST_DB", ":memory:"),
        "OPTIONS": {
            "key_provider": "sqlcipher_django.keyprovider:key",
            "memory_security": os.environ.get("VIGIL_TEST_MEMORY_SECURITY") == "1",
        },
    }
}
