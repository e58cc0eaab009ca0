import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.scale import PRESETS, USER_PREFIX, seed_all
from partners.models import User


class Command(BaseCommand):
    help = "Load a synthetic scale data set (national or xl) on top of the reference data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), default="national")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, preset: str, seed: int, **options) -> None:
        if User.objects.filter(username__startswith=USER_PREFIX).exists():
            raise CommandError("Scale data are already loaded in this database.")
        started = time.monotonic()

        def log(app: str, created: list[str]) -> None:
            self.stdout.write(f"{app}: {', '.join(created)} ({time.monotonic() - started:.1f} s)")

        with transaction.atomic():
            seed_all(PRESETS[preset], seed, log=log)
        self.stdout.write(
            f"seed_scale --preset {preset} --seed {seed}: {time.monotonic() - started:.1f} s"
        )
