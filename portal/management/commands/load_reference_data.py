from django.core.management.base import BaseCommand

from core.portal_apps import portal_modules


class Command(BaseCommand):
    help = "Load or update the partnership's reference data (idempotent)."

    def handle(self, *args, **options) -> None:
        for app, module in portal_modules("reference"):
            result = module.load()
            self.stdout.write(
                f"{app}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
