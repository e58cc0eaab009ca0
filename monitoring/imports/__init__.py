"""Monitoring's spreadsheet imports: a round's reports, indicator values, the national accounts.

Every import has the same skeleton (see base.py): read the file with core's hardened reader →
rows → validate each row, with a row-level message in the user's language for every problem →
a dry run that shows what would change → confirm, which validates again under lock and writes
everything in one transaction, or nothing.
"""
