"""Formatting the library's texts: dates as the help page writes them.

Private: descriptions and explanations are built with it, and the command line
shows dates the same way.
"""

from __future__ import annotations

from datetime import date

from subscription_rules._checks import expect

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(at: date) -> str:
    """Return a date as the help page writes it: ``16 Nov 2026``.

    English month abbreviations whatever the host's locale (``strftime``'s
    ``%b`` would follow ``LC_TIME``), so descriptions are the same everywhere.

    >>> from datetime import datetime
    >>> format_date(datetime(2026, 11, 6))
    '6 Nov 2026'
    """
    expect(at, date, "at")
    return f"{at.day} {MONTHS[at.month - 1]} {at.year}"
