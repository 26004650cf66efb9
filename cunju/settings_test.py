"""Settings for the test suite: the real settings with fast hashing and immediate tasks."""

import os

from .settings import *  # noqa: F403
from .settings import DATA_DIR, DATABASES

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# One test database per run, so two runs on one machine never share (or drop) each other's.
_run = os.getpid()
# Uploaded and generated files of this run only; removed when the run ends (conftest).
MEDIA_ROOT = DATA_DIR / "test" / f"media-{_run}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the concurrency and browser tests need several connections.
    (DATA_DIR / "test").mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test" / f"cunju-{_run}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_cunju_{_run}"}
    # Commits need not wait for the disk: a test database is thrown away after the run.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
