"""Reading what people type: ISO 8601 instants, and errors restated about where they came from.

Shared by the command line (an option such as ``--at``) and scenario files (a
key such as ``steps[0].at``): the argument an error names is whatever the
caller says the input was.

>>> from subscription_rules.periods import zone
>>> read_instant("--at", "2027-01-16T12:00", zone("Europe/Paris")).isoformat()
'2027-01-16T12:00:00+01:00'
>>> read_instant("--at", "16/01/2027", zone("UTC"))
Traceback (most recent call last):
subscription_rules.errors.SubscriptionRulesError: --at: malformed date '16/01/2027'; expected ISO 8601, such as 2027-01-16, 2027-01-16T12:00 or 2027-01-16T12:00+01:00
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dateutil.parser import isoparse

from subscription_rules.errors import SubscriptionRulesError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from zoneinfo import ZoneInfo

__all__ = ["about", "bad", "localized", "read_instant"]

_DATE_EXAMPLES = "2027-01-16, 2027-01-16T12:00 or 2027-01-16T12:00+01:00"


def bad(argument: str, message: str, value: object) -> SubscriptionRulesError:
    """An error about one input (an option, a file's key); its message starts with ``argument``."""
    return SubscriptionRulesError(message, argument=argument, value=value)


@contextlib.contextmanager
def about(argument: str) -> Iterator[None]:
    """Report a library error raised inside the block as an error about ``argument``."""
    try:
        yield
    except SubscriptionRulesError as err:
        message = str(err)
        prefix = f"{err.argument}: "
        if err.argument and message.startswith(prefix):
            message = message[len(prefix) :]
        raise bad(argument, message, err.value) from err


def read_instant(argument: str, text: str, tz: ZoneInfo) -> datetime:
    """Read an ISO 8601 date or date-time; one without an offset is local time in ``tz``.

    A local time in a DST gap moves forward by the gap and an ambiguous one is
    its first occurrence, as period boundaries do.
    """
    try:
        parsed = isoparse(text)
    except (ValueError, OverflowError):
        message = f"malformed date {text!r}; expected ISO 8601, such as {_DATE_EXAMPLES}"
        raise bad(argument, message, text) from None
    return localized(argument, parsed, tz, text)


def localized(argument: str, parsed: datetime, tz: ZoneInfo, shown: object) -> datetime:
    """``parsed`` as an aware instant in ``tz``; a naive one is local time there."""
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        return parsed.astimezone(tz)
    except OverflowError:
        raise bad(argument, f"{shown!r} lies too close to year 1 or year 9999", shown) from None
