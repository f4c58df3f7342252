"""Instants, time zones and the local calendar: the arithmetic under billing periods.

Instants are aware :class:`~datetime.datetime` values (:func:`require_aware`),
kept, compared and subtracted in UTC (:func:`utc_instant`); zones are IANA
zones by name (:func:`zone`); elapsed time is counted in UTC
(:func:`seconds_between`) and calendar days on the local calendar of a zone
(:func:`days_between`). The public names are re-exported by
:mod:`subscription_rules.periods`.

>>> from datetime import datetime
>>> from subscription_rules.periods import UTC, days_between
>>> days_between(datetime(2028, 2, 1, tzinfo=UTC), datetime(2028, 3, 1, tzinfo=UTC))
29
"""

from __future__ import annotations

import re
from datetime import UTC as _UTC
from datetime import date, datetime, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from subscription_rules._checks import expect, shown, wrong_type
from subscription_rules.errors import (
    InvalidInstantError,
    InvalidPeriodError,
    InvalidTimeZoneError,
    NaiveDatetimeError,
    NotAnInstantError,
)

__all__ = [
    "MAX_ORDINAL",
    "MAX_YEAR",
    "UTC",
    "UTC_NAMES",
    "as_utc",
    "days_between",
    "in_zone",
    "month_length",
    "require_aware",
    "seconds_between",
    "utc_instant",
    "zone",
    "zone_name",
]

#: The UTC time zone (``datetime.UTC``).
UTC: Final = _UTC

MAX_YEAR: Final = 9999
MAX_ORDINAL: Final = date.max.toordinal()
# The IANA names of UTC itself: no gap, no fold, no offset that could overflow near year 9999.
UTC_NAMES: Final = frozenset(
    (
        "UTC",
        "UCT",
        "Universal",
        "Zulu",
        "GMT",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Greenwich",
        "Etc/UTC",
        "Etc/UCT",
        "Etc/Universal",
        "Etc/Zulu",
        "Etc/GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Etc/Greenwich",
    )
)
_ONE_SECOND: Final = timedelta(seconds=1)
# Days per month in a common year; index 0 is unused so that January is 1.
_MONTH_LENGTHS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def require_aware(value: object, argument: str) -> datetime:
    """Return ``value`` if it is an aware datetime, else raise a precise error.

    A datetime is aware when its ``tzinfo`` is set *and* ``utcoffset()`` returns
    an offset (a ``tzinfo`` may decline to give one, which makes it naive).

    Args:
        value: The candidate instant.
        argument: The name of the argument, used in the error message.

    Returns:
        ``value`` itself, unchanged.

    Raises:
        NotAnInstantError: ``value`` is not a ``datetime`` (a ``date`` is not).
        NaiveDatetimeError: ``value`` is a naive ``datetime``.

    >>> from datetime import datetime
    >>> from subscription_rules.periods import UTC, require_aware
    >>> require_aware(datetime(2026, 1, 31, tzinfo=UTC), "at").isoformat()
    '2026-01-31T00:00:00+00:00'
    >>> require_aware(datetime(2026, 1, 31), "at")
    Traceback (most recent call last):
    subscription_rules.errors.NaiveDatetimeError: at: naive datetime 2026-01-31 00:00:00 refused; attach a time zone (e.g. tzinfo=UTC)
    >>> require_aware("2026-01-31", "at")
    Traceback (most recent call last):
    subscription_rules.errors.NotAnInstantError: at: expected an aware datetime, got str '2026-01-31'
    """
    if not isinstance(value, datetime):
        wrong_type(value, argument, "an aware datetime", error=NotAnInstantError)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"naive datetime {value} refused; attach a time zone (e.g. tzinfo=UTC)",
            argument=argument,
            value=value,
        )
    return value


# An IANA zone name: ASCII, like "Europe/Paris", "Etc/GMT+5" or "America/Port-au-Prince".
_ZONE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
# Files of a zone database that name the host's own setting, not a zone: results would
# depend on the machine. ("posix/" and "right/" hold copies with other leap-second rules.)
_HOST_ZONES: Final = frozenset({"localtime", "posixrules"})
_HOST_PREFIXES: Final = ("posix/", "right/")


def zone(time_zone: str | ZoneInfo) -> ZoneInfo:
    """Return the IANA time zone called ``time_zone`` (or given as a ``ZoneInfo``).

    Args:
        time_zone: An IANA zone key such as ``"Europe/Paris"`` (case-sensitive,
            ASCII), or a ``ZoneInfo`` made from one.

    Returns:
        The ``zoneinfo.ZoneInfo`` for ``time_zone`` (``ZoneInfo`` caches them).

    Raises:
        InvalidTimeZoneError: ``time_zone`` names no known zone, names the host's own
            setting (``"localtime"``: results would depend on the machine), or is
            a ``ZoneInfo`` read from a file rather than made from a zone's name.

    >>> from subscription_rules.periods import zone
    >>> zone("Europe/Paris").key, zone(zone("Asia/Tokyo")).key
    ('Europe/Paris', 'Asia/Tokyo')
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTimeZoneError: time_zone: unknown IANA time zone 'Mars/Olympus'
    >>> zone("localtime")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTimeZoneError: time_zone: 'localtime' is the host's own zone setting, not an IANA zone; results would depend on the machine: name the zone, such as 'Europe/Paris'
    """
    given: object = time_zone  # checked at run time: hosts call this from untyped code
    if isinstance(given, ZoneInfo):
        if given.key is None:
            raise InvalidTimeZoneError(
                f"{shown(given)} has no IANA name (it was read from a file); pass a zone made "
                "from its name, such as ZoneInfo('Europe/Paris')",
                argument="time_zone",
                value=given,
            )
        given = given.key
    if not isinstance(given, str):
        raise InvalidTimeZoneError(
            f"unknown IANA time zone {shown(given)}; pass a name such as 'Europe/Paris' or "
            "a ZoneInfo",
            argument="time_zone",
            value=time_zone,
        )
    if given.startswith(_HOST_PREFIXES):
        raise InvalidTimeZoneError(
            f"{shown(given)} is a copy in the host's zone files, not an IANA zone name; "
            f"name the zone, such as {given.split('/', 1)[1]!r}",
            argument="time_zone",
            value=time_zone,
        )
    if given in _HOST_ZONES:
        raise InvalidTimeZoneError(
            f"{shown(given)} is the host's own zone setting, not an IANA zone; results would "
            "depend on the machine: name the zone, such as 'Europe/Paris'",
            argument="time_zone",
            value=time_zone,
        )
    if _ZONE_NAME.fullmatch(given):
        try:
            return ZoneInfo(given)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidTimeZoneError(
        f"unknown IANA time zone {shown(given)}", argument="time_zone", value=time_zone
    )


def zone_name(time_zone: str | ZoneInfo) -> str:
    """A zone's IANA name: a ``ZoneInfo`` is accepted wherever a name is (and checked)."""
    return zone(time_zone).key if isinstance(time_zone, ZoneInfo) else time_zone


def in_zone(value: datetime, tz: tzinfo, argument: str) -> datetime:
    try:
        return value.astimezone(tz)
    except OverflowError:  # within hours of datetime.min or datetime.max
        raise InvalidInstantError(
            f"{value} cannot be expressed in {tz}", argument=argument, value=value
        ) from None


def as_utc(value: object, argument: str) -> datetime:
    """Check that ``value`` is an aware datetime and return it converted to UTC."""
    return in_zone(require_aware(value, argument), UTC, argument)


def utc_instant(value: object, argument: str) -> datetime:
    """Return the aware datetime ``value`` as the same instant in UTC, else raise a precise error.

    The rules keep and compare instants in UTC: Python compares and subtracts two
    datetimes that share a ``tzinfo`` by their wall clocks, ignoring ``fold``, so
    01:10 EST (the second pass of New York's repeated hour) would come before
    01:30 EDT, forty minutes earlier.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> first, second = datetime(2026, 11, 1, 1, 30, tzinfo=ny), datetime(2026, 11, 1, 1, 10,
    ...     fold=1, tzinfo=ny)
    >>> second < first, utc_instant(second, "at") < utc_instant(first, "at")
    (True, False)
    >>> utc_instant(second, "at").isoformat()
    '2026-11-01T06:10:00+00:00'
    """
    return as_utc(value, argument)


def month_length(year: int, month: int) -> int:
    """The number of days in ``month`` of ``year`` (proleptic Gregorian).

    >>> month_length(2028, 2), month_length(2100, 2), month_length(2027, 12)
    (29, 28, 31)
    """
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_LENGTHS[month]


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds elapsed from ``start`` to ``end``, counted in UTC.

    Both instants are converted to UTC first: Python subtracts two datetimes
    that share a ``tzinfo`` by their wall clocks, which would make a New York
    spring-forward day 24 hours long instead of 23. The exact microsecond
    difference is floor-divided by one second, so a fraction of a second is
    dropped (the elapsed time is never overstated).

    Args:
        start: The earlier instant (aware).
        end: The later instant (aware), not before ``start``.

    Returns:
        The elapsed whole seconds, an ``int`` >= 0.

    Raises:
        InvalidInstantError: Either instant is naive or not a ``datetime``.
        InvalidPeriodError: ``end`` is before ``start``.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from subscription_rules.periods import seconds_between
    >>> ny = ZoneInfo("America/New_York")
    >>> seconds_between(datetime(2026, 3, 8, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny))
    82800
    """
    start_utc = as_utc(start, "start")
    end_utc = as_utc(end, "end")
    if end_utc < start_utc:
        raise InvalidPeriodError(f"{end} is before start {start}", argument="end", value=end)
    return (end_utc - start_utc) // _ONE_SECOND


def days_between(
    start: datetime,
    end: datetime,
    time_zone: str | ZoneInfo = "UTC",
    *,
    both_ends: bool = False,
) -> int:
    """Calendar days from ``start`` to ``end``, by their local dates in ``time_zone``.

    The half-open count is ``local_date(end) - local_date(start)`` in days;
    ``both_ends=True`` adds one, counting the first and the last day (Lago's
    convention for daily proration).

    Args:
        start: The earlier instant (aware).
        end: The later instant (aware), not before ``start``.
        time_zone: The zone whose calendar dates are counted, by name or as a
            ``ZoneInfo``.
        both_ends: Count both the first and the last day.

    Returns:
        The number of days, an ``int`` >= 0 (>= 1 with ``both_ends``).

    Raises:
        InvalidInstantError: Either instant is naive or not a ``datetime``.
        InvalidTimeZoneError: ``time_zone`` is not a known zone.
        InvalidPeriodError: ``end`` is before ``start``.

    >>> from datetime import datetime
    >>> from subscription_rules.periods import UTC, days_between
    >>> start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)
    >>> days_between(start, end), days_between(start, end, both_ends=True)
    (30, 31)
    >>> night, day = datetime(2026, 1, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, 20, tzinfo=UTC)
    >>> days_between(night, day), days_between(night, day, "America/New_York")  # Dec 31 -> Jan 1
    (0, 1)
    """
    start_utc = as_utc(start, "start")
    end_utc = as_utc(end, "end")
    expect(both_ends, bool, "both_ends")
    tz = zone(time_zone)
    if end_utc < start_utc:
        raise InvalidPeriodError(f"{end} is before start {start}", argument="end", value=end)
    days = (in_zone(end_utc, tz, "end").date() - in_zone(start_utc, tz, "start").date()).days
    return days + 1 if both_ends else days
