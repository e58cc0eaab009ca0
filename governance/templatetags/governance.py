from django import template
from django.conf import settings

from governance.calendar import webcal_url
from governance.models import CalendarFeed

register = template.Library()


@register.simple_tag
def calendar_feed_of(user) -> dict | None:
    """The user's calendar address (for the profile page), or None if they have none."""
    feed = CalendarFeed.objects.filter(user=user).first() if user.is_authenticated else None
    if feed is None:
        return None
    url = settings.PORTAL_BASE_URL + feed.get_absolute_url()
    return {
        "url": url,
        "webcal_url": webcal_url(url),
        "created_at": feed.created_at,
    }
