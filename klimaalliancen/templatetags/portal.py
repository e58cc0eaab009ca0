from decimal import Decimal

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from klimaalliancen.links import web_url

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, exact: bool = False) -> str:
    """A navigation link marked aria-current when the page lies under it."""
    request: HttpRequest = context["request"]
    href = reverse(url_name)
    current = request.path == href if exact else request.path.startswith(href)
    return format_html(
        '<a href="{}"{}>{}</a>', href, ' aria-current="page"' if current else "", label
    )


@register.filter
def dkk(amount: Decimal | int | None, decimals: int = 2) -> str:
    """An amount in kroner in the active language's format: '1.234.567,00 kr.' in Danish."""
    if amount is None:
        return "–"
    return _("%(amount)s kr.") % {
        "amount": number_format(amount, decimal_pos=decimals, force_grouping=True)
    }


@register.filter
def tonnes(amount: Decimal | int | float | None) -> str:
    if amount is None:
        return "–"
    return number_format(amount, decimal_pos=0, force_grouping=True)


@register.filter
def http_url(value: str | None) -> str:
    """An external link's URL, or '' unless it is http(s) (no `javascript:` links)."""
    return web_url(value)
