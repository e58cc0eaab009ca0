"""Money and numbers as the active language writes them: one function each, for the pages (as
template filters, core/templatetags/portal.py), the services' messages, e-mails and PDFs."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def dkk(amount: Decimal | int | None, decimals: int = 2) -> str:
    """An amount in Danish kroner as the active language writes it: '1.234.567,00 kr.' in
    Danish, 'DKK 1,234,567.00' in English ("kr." is also Norway's and Sweden's). Every page,
    e-mail, service message and the status report write amounts through this one function."""
    if amount is None:
        return "–"
    # Translators: an amount of money in Danish kroner; Danish writes "%(amount)s kr."
    return _("DKK %(amount)s") % {
        "amount": number_format(amount, decimal_pos=decimals, force_grouping=True)
    }


def tonnes(amount: Decimal | int | float | None) -> str:
    if amount is None:
        return "–"
    return number_format(amount, decimal_pos=0, force_grouping=True)
