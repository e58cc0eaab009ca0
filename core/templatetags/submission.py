"""`{% csrf_token %}` with a one-time submission key beside the token (core.idempotency).

Loaded as a template builtin after Django's own, so this tag replaces the built-in one in
every template: each POST form gets its key without a change to its template.
"""

import uuid

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from core.idempotency import FIELD

register = template.Library()


class CsrfAndSubmissionKeyNode(CsrfTokenNode):
    def render(self, context):
        csrf = super().render(context)
        if not csrf:  # no token in the context: not a form that posts to us
            return csrf
        key = format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
        return csrf + key


@register.tag
def csrf_token(parser, token):
    return CsrfAndSubmissionKeyNode()
