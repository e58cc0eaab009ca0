from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.portal_apps import portal_modules
from core.reminders import send_due_reminders
from core.scale import analyze_after_bulk_load
from partners.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Create demo users and demo content (only with DEBUG on; safe to run again)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo users have a public password."
            )
        with transaction.atomic():
            for app, module in portal_modules("demo"):
                created = module.seed()
                if created:
                    self.stdout.write(f"{app}: created {len(created)} demo objects")
            # What beat would send now (e.g. the reminder of fu-medlem's missing vote).
            reminders = send_due_reminders()
            if reminders:
                self.stdout.write(f"reminders: sent {reminders}")
            analyze_after_bulk_load()
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<26} {user.description}")
