"""`cunju serve` on a fresh data folder answers pages with their styles at once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serve_collects_the_static_files_of_this_version_first(tmp_path):
    # No collectstatic before: an upgrade or a first start from the command alone.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CUNJU_") and name != "DJANGO_SETTINGS_MODULE"
    }
    env.update(DJANGO_SETTINGS_MODULE="cunju.settings", CUNJU_DATA_DIR=str(tmp_path))
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cunju",
            "serve",
            "--bind",
            base[7:],
            "--no-worker",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        status, page = 0, ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, page = get(f"{base}/accounts/login/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        stylesheet = re.search(r'href="(/static/cunju/app\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "the page names its stylesheet by the manifest"
        assert get(base + stylesheet[1])[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
