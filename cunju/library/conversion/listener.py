"""The office listener: keeps one LibreOffice warm and converts documents on request.

Run by a Python that can ``import uno`` (Debian's python3-uno, or LibreOffice's own
interpreter); it imports nothing else from cunju. It starts ``soffice`` headless with its
own profile, connects to it over a named pipe, prints one JSON line ``{"ready": ...}`` and
then answers JSON lines on stdin, one at a time:

    {"source": "/abs/in.docx", "target": "/abs/out.pdf", "import_filter": "MS Word 2007 XML",
     "export_filter": "writer_pdf_Export"}   (optionally "password": stored with one)
    → {"ok": true}  or  {"ok": false, "error": "password|load|export|crash", "detail": "..."}

Documents are opened hidden, read-only, with macros off, no links updated and an empty
password (a protected file fails at once instead of waiting for one). A document that does
not open is opened once more with a handler that answers every question with "abort" and
notes whether LibreOffice asked for a password: that file fails as ``password`` rather than
``load`` (LibreOffice itself only says that nothing was loaded). After a crash it answers
``crash`` and exits; the supervisor (``office.py``) starts a new one. Time limits
are the supervisor's: it kills the whole process group when a job runs over.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.task import XInteractionHandler


def prop(name, value):
    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


class PasswordProbe(unohelper.Base, XInteractionHandler):
    """Answers every question asked while loading with "abort", noting whether one asked
    for a password. The question is told by what it offers (a password continuation): the
    request itself does not cross the bridge intact in every PyUNO."""

    def __init__(self):
        self.asked = False

    def handle(self, request):
        password = uno.getTypeByName("com.sun.star.task.XInteractionPassword")
        abort = uno.getTypeByName("com.sun.star.task.XInteractionAbort")
        continuations = request.getContinuations()
        if any(c.queryInterface(password) for c in continuations):
            self.asked = True
        for continuation in continuations:
            if continuation.queryInterface(abort):
                continuation.select()
                return


class Office:
    def __init__(self, soffice, profile):
        self.pipe = f"cunju-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.process = subprocess.Popen(
            [
                soffice,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                "--nofirststartwizard",
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
                f"-env:UserInstallation={url(profile)}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.desktop = self.connect()

    def connect(self, wait=90.0):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + wait
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"soffice exited with {self.process.returncode} at start")
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
                )
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def load(self, source, import_filter, *extra):
        load = (
            prop("Hidden", True),
            prop("ReadOnly", True),
            # Never run macros, never fetch linked content.
            prop("MacroExecutionMode", 0),
            prop("UpdateDocMode", 0),
            prop("RepairPackage", False),
            *extra,
        )
        if import_filter:
            load += (prop("FilterName", import_filter),)
        return self.desktop.loadComponentFromURL(url(source), "_blank", 0, load)

    def convert(self, source, target, import_filter, export_filter, password=""):
        try:
            # An empty password: a protected file fails at once instead of waiting for one.
            document = self.load(source, import_filter, prop("Password", ""))
        except Exception as exc:
            return self.failure("load", exc, source, import_filter)
        if document is None:
            return self.failure("load", None, source, import_filter)
        try:
            store = (prop("FilterName", export_filter),)
            if password:  # samples of protected files are made this way
                store += (prop("Password", password),)
            document.storeToURL(url(target), store)
        except Exception as exc:
            return self.failure("export", exc, source, import_filter)
        finally:
            with contextlib.suppress(Exception):
                document.close(True)
        return {"ok": True}

    def failure(self, kind, exc, source, import_filter):
        if exc is None:
            detail = "nothing loaded"
        else:
            detail = f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}"[:500]
        if not self.responsive():
            return {"ok": False, "error": "crash", "detail": detail}
        if "password" in detail.lower() or "encrypt" in detail.lower():
            kind = "password"
        elif kind == "load" and self.asks_for_password(source, import_filter):
            kind = "password"
            detail += "; LibreOffice asked for a password"
        if not self.responsive():  # it died on the second look
            return {"ok": False, "error": "crash", "detail": detail}
        return {"ok": False, "error": kind, "detail": detail}

    def asks_for_password(self, source, import_filter):
        """Whether loading ``source`` without a password makes LibreOffice ask for one."""
        probe = PasswordProbe()
        try:
            document = self.load(source, import_filter, prop("InteractionHandler", probe))
        except Exception:
            document = None
        if document is not None:
            with contextlib.suppress(Exception):
                document.close(True)
        return probe.asked

    def responsive(self):
        """Whether LibreOffice still answers (after an error: did it die under the file?)."""
        if self.process.poll() is not None:
            return False
        try:
            self.desktop.getComponents()
        except Exception:
            return False
        return True

    def stop(self):
        with contextlib.suppress(Exception):
            self.desktop.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def watch_parent():
    """Take LibreOffice down with us when the worker that started us is gone (killed, say,
    in the middle of a job): this process leads its group, LibreOffice is in it."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os.killpg(0, signal.SIGKILL)


def main():
    soffice, profile = sys.argv[1], sys.argv[2]
    if os.getpgrp() == os.getpid():
        threading.Thread(target=watch_parent, daemon=True).start()
    # Keep the protocol channel clean: anything else printing goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    try:
        office = Office(soffice, profile)
    except Exception as exc:
        channel.write(json.dumps({"ready": False, "detail": str(exc)[:500]}) + "\n")
        return 2
    channel.write(json.dumps({"ready": True, "pid": office.process.pid}) + "\n")
    try:
        for line in sys.stdin:
            request = json.loads(line)
            answer = office.convert(
                request["source"],
                request["target"],
                request.get("import_filter", ""),
                request["export_filter"],
                request.get("password", ""),
            )
            channel.write(json.dumps(answer) + "\n")
            if answer.get("error") == "crash":
                return 3
    finally:
        office.stop()
        if os.getpgrp() == os.getpid():
            # Whatever LibreOffice left running goes with us.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.killpg(0, signal.SIGTERM)
    return 0


if __name__ == "__main__":
    sys.exit(main())
