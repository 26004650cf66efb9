"""Settings for the test suite: the real settings with fast hashing and immediate tasks."""

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the concurrency and browser tests need several connections.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-cunju.sqlite3")}  # noqa: F405
