"""Settings: ``base`` plus one small delta per environment, chosen by DJANGO_ENV."""
