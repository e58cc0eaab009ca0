"""Monitoring's part of the municipality page (partners asks through core.portal_apps)."""

from partners.models import Municipality, User


def municipality_context(*, municipality: Municipality, user: User) -> dict:
    from .selectors import municipality_monitoring

    return {"monitoring": municipality_monitoring(municipality=municipality, user=user)}
