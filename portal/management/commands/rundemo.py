"""`make run`'s processes: runserver, a Celery worker and Celery beat, stopped together.

The worker takes tasks from the broker of the settings (the filesystem queue under `make run`),
so background jobs run as in production, beside the web process rather than inside it.
Ctrl+C (or SIGTERM) stops all three; if one of them dies, the others are stopped too.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the portal with a real Celery worker and beat beside runserver (make run)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="runserver without autoreload")
        parser.add_argument("--no-beat", action="store_true", help="no scheduled jobs")

    def handle(self, *args, addrport: str, noreload: bool, no_beat: bool, **options) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("Tasks run in-process (CELERY_EAGER): no worker to start.")
        celery = [sys.executable, "-m", "celery", "-A", "klimaalliancen"]
        commands = {
            # One process: SQLite has one writer at a time anyway, and it starts quickly.
            "worker": [*celery, "worker", "--pool", "solo", "--loglevel", "info"],
            "web": [sys.executable, "manage.py", "runserver", addrport]
            + (["--noreload"] if noreload else []),
        }
        if not no_beat:
            schedule = getattr(settings, "CELERY_BEAT_SCHEDULE_FILENAME", "celerybeat-schedule")
            commands["beat"] = [*celery, "beat", "--loglevel", "info", "--schedule", schedule]
        processes: dict[str, subprocess.Popen] = {}

        def stop(*_args) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            for name, command in commands.items():
                # Each in a process group of its own, so stopping one reaches its children too
                # (runserver's autoreloader, the worker's pool); Ctrl+C reaches us, we stop them.
                processes[name] = subprocess.Popen(  # noqa: S603 - our own fixed commands
                    command, cwd=settings.BASE_DIR, start_new_session=True
                )
                self.stdout.write(f"{name} started (pid {processes[name].pid})")
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            ended = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(ended)} stopped; stopping the others.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web process, the worker and beat.")
        finally:
            for process in processes.values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
