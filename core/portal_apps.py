from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.conf import settings


def portal_modules(name: str) -> Iterator[tuple[str, ModuleType]]:
    """Yield (app, module) for each portal app that has a module of this name, in order."""
    for app in settings.PORTAL_APPS:
        try:
            module = import_module(f"{app}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.{name}":
                raise
            continue
        yield app, module
