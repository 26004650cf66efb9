"""A county deployment configured through the environment passes `cunju check --deploy`."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "CUNJU_SECRET_KEY": secrets.token_urlsafe(50),
    "CUNJU_HTTPS": "1",
    "CUNJU_DEBUG": "0",
    "CUNJU_ALLOWED_HOSTS": "cunju.example.cn",
    # The server has LibreOffice; where this machine lacks it the check adds a note.
    "CUNJU_SOFFICE": shutil.which("soffice") or "/usr/bin/soffice",
}


def check_deploy(data_dir: Path, **environment: str) -> subprocess.CompletedProcess:
    """Run the real command in a fresh process, as an operator would after editing the env."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CUNJU_") and name != "DJANGO_SETTINGS_MODULE"
    }
    env.update(DJANGO_SETTINGS_MODULE="cunju.settings", CUNJU_DATA_DIR=str(data_dir), **environment)
    return subprocess.run(
        [sys.executable, "-m", "cunju", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = check_deploy(tmp_path, **PRODUCTION)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


def test_the_check_notices_unsafe_settings(tmp_path):
    # The same command catches a deployment that forgot some of the values.
    result = check_deploy(
        tmp_path, **{**PRODUCTION, "CUNJU_HTTPS": "0", "CUNJU_SECRET_KEY": "too-short"}
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # No redirect to HTTPS, no HSTS, cookies over plain HTTP, a guessable secret key.
    for warning in ["security.W004", "security.W008", "security.W012", "security.W009"]:
        assert warning in output, output


def test_the_default_install_writes_its_secrets_into_the_data_folder_only(tmp_path):
    # A laptop install with no environment at all still gets private, stable secrets.
    check_deploy(tmp_path)
    secret_files = sorted(p.name for p in (tmp_path / "secrets").iterdir())
    assert secret_files == [
        "cunju_personal_data_index_key",
        "cunju_personal_data_key",
        "cunju_secret_key",
    ]
    for path in (tmp_path / "secrets").iterdir():
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others"
