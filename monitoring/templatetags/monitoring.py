"""Monitoring's template tags: how a report's state is shown (the rule is the model's)."""

from django import template
from django.utils.html import format_html

from monitoring.figures import analysis
from monitoring.models import StatusReport

register = template.Library()


@register.simple_tag
def report_state_badge(state: str | None, approved_at=None) -> str:
    """The state badge of a report, or of a list row that carries only its state and approval."""
    key, label = StatusReport.state_badge(state, approved_at)
    return format_html('<span class="badge badge-state-{}">{}</span>', key, label)


@register.filter
def on_track_badge_class(status: str | None) -> str:
    """The badge modifier of an on-track status (the rule is monitoring.figures.analysis's)."""
    return analysis.badge_class(status)


@register.filter
def edition_chapter(editorial, key: str) -> str:
    """The knowledge partners' narrative of one chapter (editorial.EditionText), or ''."""
    if editorial is None:
        return ""
    return editorial.chapters.get(key, "")


@register.simple_tag(takes_context=True)
def page_number(context, anchor: str) -> str:
    """Where the status report rendered in parts needs the page of `anchor` as text: a
    placeholder that status_report.parts fills in once every part's pages are known. Nothing
    in a document rendered in one pass, where CSS's target-counter() counts it."""
    from monitoring.status_report.parts import page_placeholder

    return "" if context.get("whole") else page_placeholder(anchor)
