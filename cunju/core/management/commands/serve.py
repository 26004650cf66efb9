"""`cunju serve`: the production server (gunicorn, static files by WhiteNoise) plus the worker."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cunju.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cunju.core.tasks import prune_audit_log
from cunju.dues.tasks import schedule_monthly_check
from cunju.organizations.checkpoints import schedule_checkpoints


class Command(BaseCommand):
    help = "Serve cunju with gunicorn and run the background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("CUNJU_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("CUNJU_WEB_WORKERS", 2))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("CUNJU_WEB_THREADS", 4))
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
        parser.add_argument("--banner", action="store_true", help="print the URL and demo logins")

    def handle(self, *args, **options):
        bind = options["bind"]
        # The static files as this version has them (WhiteNoise serves them from the manifest,
        # and a page naming a file missing there fails): a second at each start.
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["banner"]:
            self.banner(bind)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "cunju.settings"),
        }
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "cunju.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(options["workers"]),
                    "--threads",
                    str(options["threads"]),
                    "--timeout",
                    "120",
                    "--access-logfile",
                    "-",
                    "--forwarded-allow-ips",
                    "127.0.0.1",
                    "--no-control-socket",
                ],
                env=env,
            )
        ]
        if not options["no_worker"]:
            # Housekeeping once per start; the worker beside the server picks it up.
            prune_audit_log.enqueue()
            schedule_monthly_check()
            schedule_checkpoints()
            children.append(subprocess.Popen([sys.executable, "-m", "cunju", "worker"], env=env))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = children[0].wait()
        finally:
            stop(None, None)
            for child in children:
                child.wait()
        sys.exit(code)

    def banner(self, bind):
        host = bind if not bind.startswith("0.0.0.0") else bind.replace("0.0.0.0", "127.0.0.1")
        lines = [
            "",
            f"  cunju is running at  http://{host}/",
            f"  data folder:         {settings.DATA_DIR}",
            "",
            f"  demo accounts (password {DEMO_PASSWORD}):",
            *[f"    {username:<20} {description}" for username, description in DEMO_ACCOUNTS],
            "",
            "  Ctrl-C stops the server.",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
