from django import template

from tracks.models import Track

register = template.Library()

S = Track.Status
BADGES = {
    S.DRAFT: "badge-neutral",
    S.WITHDRAWN: "badge-neutral",
    S.REJECTED: "badge-alert",
    S.SUBMITTED: "badge-own",
    S.IN_QUALIFICATION: "badge-own",
    S.ASSESSED: "badge-own",
    S.RECOMMENDED: "badge-own",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge class for a track status: grey for drafts, amber on the way, green approved."""
    return BADGES.get(status, "")
