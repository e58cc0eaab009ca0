from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.formatting import dkk, tonnes
from core.links import web_url

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, exact: bool = False) -> str:
    """A navigation link marked aria-current when the page lies under it."""
    request: HttpRequest = context["request"]
    href = reverse(url_name)
    current = request.path == href if exact else request.path.startswith(href)
    # The attribute is part of the format string: passed as an argument it would be escaped
    # into aria-current="&quot;page&quot;", which neither browsers nor screen readers read.
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)


# Money and numbers are written by core.formatting (services and e-mails use it too).
register.filter("dkk", dkk)
register.filter("tonnes", tonnes)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    """The one error summary of a page: every error of the given forms and formsets, each
    linked to its field, at the top of the page (portal.js moves focus to it)."""
    errors: list[tuple[str, str]] = []
    for form in forms:
        if form is None or isinstance(form, str):  # a missing template variable
            continue
        if hasattr(form, "forms"):  # a formset
            errors.extend(("", str(error)) for error in form.non_form_errors())
            # Fixed formsets know the reference row of each form (a sector, a requirement).
            names = [str(row) for row in getattr(form, "rows", [])]
            for number, row in enumerate(form.forms, start=1):
                name = names[number - 1] if len(names) >= number else None
                errors.extend(_form_errors(row, name or _("row %(row)s") % {"row": number}))
        else:
            errors.extend(_form_errors(form))
    return {"errors": errors}


def _form_errors(form, row: str | None = None) -> list[tuple[str, str]]:
    if not form.is_bound:
        return []
    errors = [("", f"{row}: {error}" if row else str(error)) for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            label = str(field.label)
            if row is not None:
                label = f"{label} ({row})"
            errors.append(("" if field.is_hidden else f"#{field.auto_id}", f"{label}: {error}"))
    return errors


@register.filter
def http_url(value: str | None) -> str:
    """An external link's URL, or '' unless it is http(s) (no `javascript:` links)."""
    return web_url(value)
