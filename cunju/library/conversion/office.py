"""Office files to PDF with LibreOffice kept warm, and a one-shot fallback.

Starting LibreOffice costs seconds; converting a short document in a running one costs a
fraction of that. ``Office`` runs the listener (``listener.py``) under a Python that can
``import uno`` and keeps it alive across jobs: each job has a time limit scaled to the file's
size (``CUNJU_OFFICE_TIMEOUT_BASE`` + ``CUNJU_OFFICE_TIMEOUT_PER_MB`` per megabyte); a job
that runs over kills the listener and its LibreOffice (one process group); a job that
ran over or crashed is retried once on a fresh LibreOffice, then fails; after
``CUNJU_OFFICE_RESTART_AFTER`` jobs LibreOffice is restarted to shed what it leaks. When the
warm path cannot run (no UNO bridge, LibreOffice does not come up) each job runs ``soffice
--convert-to`` on its own.
``CUNJU_OFFICE_PYTHON`` names the interpreter with the bridge (``none``: one-shot only).

One ``Office`` per process (``office()``), one job at a time; profiles live under
``DATA_DIR/office/`` and belong to the process that made them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

from . import errors
from .errors import ConversionFailed
from .perprocess import PerProcess

log = logging.getLogger(__name__)

LISTENER = Path(__file__).with_name("listener.py")
# How long LibreOffice may take to come up (the first start also builds its profile).
START_TIMEOUT = 90.0
# After the warm path failed to start, use one-shot conversions this long before trying again.
WARM_RETRY_SECONDS = 300.0
# Address space for LibreOffice and the listener: a file that needs more is refused.
MEMORY_LIMIT = int(os.environ.get("CUNJU_OFFICE_MEMORY_MB", 4096)) << 20

IMPORT_FILTERS = {
    "doc": "MS Word 97",
    "wps": "MS Word 97",
    "docx": "MS Word 2007 XML",
    "odt": "writer8",
    "xls": "MS Excel 97",
    "xlsx": "Calc MS Excel 2007 XML",
    "ods": "calc8",
    "ppt": "MS PowerPoint 97",
    "pptx": "Impress MS PowerPoint 2007 XML",
    "odp": "impress8",
}
EXPORT_FILTERS = {
    "doc": "writer_pdf_Export",
    "wps": "writer_pdf_Export",
    "docx": "writer_pdf_Export",
    "odt": "writer_pdf_Export",
    "xls": "calc_pdf_Export",
    "xlsx": "calc_pdf_Export",
    "ods": "calc_pdf_Export",
    "ppt": "impress_pdf_Export",
    "pptx": "impress_pdf_Export",
    "odp": "impress_pdf_Export",
}
# File name extensions LibreOffice expects for each format (WPS text is Word's binary).
EXTENSIONS = {"wps": "doc"}

# Settings written into every profile before LibreOffice first starts: Chinese as the
# language of East Asian text without a language of its own, macros never run, and no
# linked content fetched from elsewhere (a document must not make the server call out).
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Linguistic/General">
<prop oor:name="DefaultLocale_CJK" oor:op="fuse"><value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def timeout_for(size_bytes: int) -> float:
    """The time one conversion may take: a base plus an allowance per megabyte."""
    return settings.CUNJU_OFFICE_TIMEOUT_BASE + settings.CUNJU_OFFICE_TIMEOUT_PER_MB * (
        size_bytes / (1 << 20)
    )


_uno_python: dict[str, str | None] = {}


def uno_python(soffice: str) -> str | None:
    """An interpreter that can ``import uno``: Debian's python3-uno, else LibreOffice's own."""
    key = f"{soffice}|{os.environ.get('CUNJU_OFFICE_PYTHON', '')}"
    if key in _uno_python:
        return _uno_python[key]
    program = Path(os.path.realpath(soffice)).parent
    chosen = os.environ.get("CUNJU_OFFICE_PYTHON", "")
    # When set, that interpreter or none: "none" turns the warm path off.
    candidates = (
        [chosen]
        if chosen
        else [
            "/usr/bin/python3",
            str(program / "python"),
            "/usr/lib/libreoffice/program/python",
        ]
    )
    found = None
    for candidate in dict.fromkeys(c for c in candidates if c):
        if not os.access(candidate, os.X_OK):
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import uno"],
                capture_output=True,
                timeout=30,
                env=_office_env(),
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            found = candidate
            break
    _uno_python[key] = found
    return found


def _office_env() -> dict[str, str]:
    env = dict(os.environ)
    # LibreOffice's own interpreter must not pick up the venv's packages.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    # Chinese glyph forms where a text does not say its language (fontconfig's default).
    env["FC_LANG"] = "zh-cn"
    return env


def _limit_memory() -> None:  # runs in the child between fork and exec
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


def prepare_profile(path: Path) -> Path:
    """A LibreOffice profile folder with our settings (kept if it exists)."""
    user = path / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings_file = user / "registrymodifications.xcu"
    if not settings_file.exists():
        settings_file.write_text(PROFILE_SETTINGS, encoding="utf-8")
    return path


class _Listener:
    """One running listener and the LibreOffice it started, in their own process group."""

    def __init__(self, python: str, soffice: str, profile: Path) -> None:
        self.process = subprocess.Popen(
            [python, str(LISTENER), soffice, str(profile)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            start_new_session=True,
            env=_office_env(),
            preexec_fn=_limit_memory,  # noqa: PLW1509 - set before exec, no locks taken
        )
        self.answers: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True, name="office-listener").start()
        self.soffice_pid: int | None = None
        hello = self._answer(START_TIMEOUT)
        if not hello or not hello.get("ready"):
            self.kill()
            raise OSError(f"LibreOffice did not start: {hello}")
        self.soffice_pid = hello.get("pid")

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                self.answers.put(json.loads(line))
            except ValueError:
                log.warning("office listener said: %s", line.strip()[:200])
        self.answers.put(None)

    def _answer(self, timeout: float) -> dict | None:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None

    def ask(self, request: dict, timeout: float) -> dict | None:
        """The listener's answer; None when it died; TimeoutError when it took too long."""
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return None
        return self._answer(timeout)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def kill(self) -> None:
        _kill_group(self.process)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()


class Office:
    """The conversion service of one process: warm LibreOffice, else one-shot."""

    def __init__(self, soffice: str | None = None, root: Path | None = None) -> None:
        self.soffice = soffice if soffice is not None else settings.CUNJU_SOFFICE
        self.root = root or Path(settings.DATA_DIR) / "office"
        self.lock = threading.RLock()
        self.listener: _Listener | None = None
        self.jobs = 0
        self.warm_retry_at = 0.0
        self.starts = 0
        # True while a job waits for LibreOffice's answer.
        self.in_flight = False
        # Convert every file with a soffice of its own (the benchmarks compare both ways).
        self.one_shot = False
        self.owner = os.getpid()

    # --- life cycle ---

    @property
    def available(self) -> bool:
        return bool(self.soffice) and os.access(self.soffice, os.X_OK)

    def profile(self, kind: str) -> Path:
        return self.root / f"{kind}-{socket.gethostname()}-{os.getpid()}"

    def start(self) -> bool:
        """Start the warm LibreOffice now (it otherwise starts with the first job)."""
        with self.lock:
            return self._ensure_listener() is not None

    def stop(self) -> None:
        with self.lock:
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            if os.getpid() == self.owner:
                for kind in ("warm", "once"):
                    shutil.rmtree(self.profile(kind), ignore_errors=True)

    @property
    def soffice_pid(self) -> int | None:
        listener = self.listener
        return listener.soffice_pid if listener is not None and listener.alive() else None

    def _ensure_listener(self) -> _Listener | None:
        if self.one_shot:
            return None
        if self.listener is not None and self.listener.alive():
            if self.jobs < settings.CUNJU_OFFICE_RESTART_AFTER:
                return self.listener
            log.info("restarting LibreOffice after %d conversions", self.jobs)
            self.listener.close()
        self.listener = None
        if not self.available or time.monotonic() < self.warm_retry_at:
            return None
        python = uno_python(self.soffice)
        if python is None:
            self.warm_retry_at = time.monotonic() + WARM_RETRY_SECONDS
            log.warning("no Python with the UNO bridge: converting with one-shot soffice")
            return None
        self._sweep_profiles()
        try:
            self.listener = _Listener(python, self.soffice, prepare_profile(self.profile("warm")))
        except (OSError, TimeoutError) as exc:
            log.warning("warm LibreOffice did not start (%s): converting one-shot", exc)
            shutil.rmtree(self.profile("warm"), ignore_errors=True)
            self.warm_retry_at = time.monotonic() + WARM_RETRY_SECONDS
            return None
        self.jobs = 0
        self.starts += 1
        return self.listener

    def _sweep_profiles(self) -> None:
        """Remove profiles left by processes that are gone."""
        if not self.root.is_dir():
            return
        host = socket.gethostname()
        for path in self.root.iterdir():
            _kind, _, rest = path.name.partition("-")
            owner, _, pid = rest.rpartition("-")
            if owner != host or not pid.isdigit() or int(pid) == os.getpid():
                continue
            if not _pid_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)

    # --- conversion ---

    def convert(self, source: Path, target: Path, fmt: str, size_bytes: int) -> str:
        """Convert ``source`` (an office file of format ``fmt``) to the PDF ``target``.

        Returns how: "warm" or "one-shot". Raises ``ConversionFailed`` with the reason.
        """
        if fmt not in EXPORT_FILTERS:
            raise ValueError(f"not an office format: {fmt}")
        return self.export(source, target, fmt, EXPORT_FILTERS[fmt], timeout_for(size_bytes))

    def export(
        self,
        source: Path,
        target: Path,
        fmt: str,
        export_filter: str,
        timeout: float,
        password: str = "",
    ) -> str:
        """Load ``source`` as ``fmt`` and store it with LibreOffice's ``export_filter``
        (protected by ``password`` when given: warm LibreOffice only)."""
        if not self.available:
            raise ConversionFailed(errors.NO_OFFICE)
        with self.lock:
            for attempt in (1, 2):
                listener = self._ensure_listener()
                if listener is None:
                    if password:
                        raise ConversionFailed(errors.UNEXPECTED, "storing with a password")
                    self._convert_once(source, target, fmt, export_filter, timeout)
                    return "one-shot"
                self.jobs += 1
                self.in_flight = True
                try:
                    answer = listener.ask(
                        {
                            "source": str(source),
                            "target": str(target),
                            "import_filter": IMPORT_FILTERS[fmt],
                            "export_filter": export_filter,
                            "password": password,
                        },
                        timeout,
                    )
                except TimeoutError:
                    # LibreOffice may have hung by itself (it does, after many jobs): once more
                    # on a fresh one, then the file is taken to be too slow.
                    log.warning(
                        "converting %s ran over %.0f s: LibreOffice killed", source, timeout
                    )
                    listener.kill()
                    self.listener = None
                    _remove(target)
                    if attempt == 2:
                        raise ConversionFailed(errors.TOO_SLOW, f"over {timeout:.0f} s") from None
                    continue
                finally:
                    self.in_flight = False
                if answer is None or answer.get("error") == "crash":
                    # LibreOffice died under this file: once more on a fresh one, then give up.
                    listener.kill()
                    self.listener = None
                    _remove(target)
                    detail = (answer or {}).get("detail", "listener died")
                    log.warning("LibreOffice crashed converting %s: %s", source, detail)
                    if attempt == 2:
                        raise ConversionFailed(errors.OFFICE_CRASHED, detail)
                    continue
                if answer.get("ok") and target.is_file() and target.stat().st_size > 0:
                    return "warm"
                _remove(target)
                kind = answer.get("error", "load")
                reason = errors.PASSWORD if kind == "password" else errors.NOT_OPENED
                raise ConversionFailed(reason, answer.get("detail", ""))
        raise AssertionError("unreachable")

    def _convert_once(
        self, source: Path, target: Path, fmt: str, export_filter: str, timeout: float
    ) -> None:
        """``soffice --convert-to`` for this one file, with a profile of its own."""
        profile = prepare_profile(self.profile("once"))
        outdir = target.parent / f".once-{os.getpid()}"
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir(parents=True)
        command = [
            self.soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--infilter={IMPORT_FILTERS[fmt]}",
            "--convert-to",
            f"{target.suffix.lstrip('.') or 'pdf'}:{export_filter}",
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=_office_env(),
                preexec_fn=_limit_memory,  # noqa: PLW1509
            )
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                shutil.rmtree(profile, ignore_errors=True)
                raise ConversionFailed(errors.TOO_SLOW, f"over {timeout:.0f} s") from None
            produced = outdir / f"{source.stem}{target.suffix or '.pdf'}"
            if produced.is_file() and produced.stat().st_size > 0:
                os.replace(produced, target)
                return
            said = output.decode("utf-8", "replace").strip()[-500:]
            if process.returncode < 0 or process.returncode > 1:
                shutil.rmtree(profile, ignore_errors=True)
                raise ConversionFailed(errors.OFFICE_CRASHED, f"exit {process.returncode}: {said}")
            raise ConversionFailed(errors.NOT_OPENED, said)
        finally:
            shutil.rmtree(outdir, ignore_errors=True)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_office = PerProcess(Office)


def office() -> Office:
    """This process's conversion service (a forked child makes its own)."""
    return _office()
