"""Billing intervals, cycles and periods: calendar-correct, exact, constant cost.

**Periods are half-open.** A :class:`BillingPeriod` covers ``[start, end)``: the
instant ``end`` belongs to the *next* period, so consecutive periods tile time
with neither a gap nor an overlap, and "which period holds this instant?" always
has exactly one answer.

**Boundaries come from the anchor.** The start of period ``n`` of a
:class:`BillingCycle` is computed from the cycle's original anchor and ``n``
alone (anchor + ``n`` intervals, with the day clamped to the month's length),
never by chaining "previous end + 1 month". A 31st anchor therefore gives
Feb 28 (Feb 29 in leap years) and then Mar 31 again, not Mar 28 forever; a
Feb 29 yearly anchor gives Feb 28 in common years and Feb 29 again in leap
years.

**Calendar arithmetic happens on the local wall clock.** A cycle carries a time
zone (default ``"UTC"``). The anchor's wall-clock reading in that zone recurs:
a cycle anchored at local midnight starts every period at local midnight, even
across daylight-saving changes, so a period holding a spring-forward day is an
hour shorter than its neighbours. Two rules settle wall times that do not map to
exactly one instant:

* a wall time in a DST *gap* (it never happens that day) moves forward by the
  length of the gap: 02:30 on a day when 02:00 jumps to 03:00 becomes 03:30;
* an *ambiguous* wall time (it happens twice, when the clock falls back) is its
  first occurrence (``fold=0``).

These are the ``zoneinfo`` semantics of ``fold=0`` normalized through UTC. The
one change they cannot absorb is a skipped calendar day (Pacific/Apia skipped
2011-12-30): a daily boundary on it moves to the next day, onto the following
boundary, and the empty period between the two is refused.

**Lookup is constant cost.** :meth:`BillingCycle.period_containing` estimates the
index arithmetically from the calendar distance to the anchor and corrects it by
at most a couple of steps, so it costs the same in a subscription's first month
and in its 10,000th.

Instants are aware :class:`~datetime.datetime` values (see :func:`require_aware`);
all comparisons and durations are computed in UTC, because Python compares and
subtracts two datetimes that share a ``tzinfo`` by their wall clocks, ignoring
DST offsets.

>>> from subscription_rules.periods import MONTHLY, UTC, BillingCycle
>>> cycle = BillingCycle(datetime(2028, 1, 31, tzinfo=UTC), MONTHLY)
>>> [str(cycle.boundary(n).date()) for n in range(4)]
['2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']
>>> print(cycle.period_containing(datetime(2028, 3, 1, tzinfo=UTC)))
2028-02-29 → 2028-03-31
"""

from __future__ import annotations

import enum
import functools
import re
from datetime import UTC as _UTC
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._calendar import (
    MAX_ORDINAL,
    MAX_YEAR,
    UTC_NAMES,
    as_utc,
    days_between,
    in_zone,
    month_length,
    require_aware,
    seconds_between,
    utc_instant,
    zone,
    zone_name,
)
from subscription_rules._checks import shown, trusted, wrong_type
from subscription_rules.errors import InvalidIntervalError, InvalidPeriodError

__all__ = [
    "DAILY",
    "MONTHLY",
    "QUARTERLY",
    "UTC",
    "WEEKLY",
    "YEARLY",
    "BillingCycle",
    "BillingPeriod",
    "Interval",
    "IntervalUnit",
    "days_between",
    "require_aware",
    "seconds_between",
    "utc_instant",
    "zone",
]


#: The UTC time zone (``datetime.UTC``), re-exported for aware instants: ``tzinfo=UTC``.
UTC: Final = _UTC

_MAX_COUNT: Final = 1200


class IntervalUnit(enum.Enum):
    """The calendar unit an :class:`Interval` counts.

    >>> from subscription_rules.periods import IntervalUnit
    >>> IntervalUnit("month") is IntervalUnit.MONTH
    True
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


_ADJECTIVES: Final = {
    IntervalUnit.DAY: "daily",
    IntervalUnit.WEEK: "weekly",
    IntervalUnit.MONTH: "monthly",
    IntervalUnit.YEAR: "yearly",
}

_PARSE_WORDS: Final = {
    "day": (IntervalUnit.DAY, 1),
    "daily": (IntervalUnit.DAY, 1),
    "week": (IntervalUnit.WEEK, 1),
    "weekly": (IntervalUnit.WEEK, 1),
    "month": (IntervalUnit.MONTH, 1),
    "monthly": (IntervalUnit.MONTH, 1),
    "quarter": (IntervalUnit.MONTH, 3),
    "quarterly": (IntervalUnit.MONTH, 3),
    "year": (IntervalUnit.YEAR, 1),
    "yearly": (IntervalUnit.YEAR, 1),
    "annual": (IntervalUnit.YEAR, 1),
    "annually": (IntervalUnit.YEAR, 1),
}

_PARSE_COUNTED: Final = re.compile(r"(?:every\s+)?(\d+)\s*(day|week|month|year)s?", re.ASCII)


@attrs.frozen
class Interval:
    """A billing interval: ``count`` days, weeks, months or years.

    Attributes:
        unit: The calendar unit.
        count: How many units, an ``int`` from 1 to 1200.

    >>> from subscription_rules.periods import Interval, IntervalUnit
    >>> Interval(IntervalUnit.MONTH, 3).adjective
    'quarterly'
    >>> str(Interval(IntervalUnit.WEEK, 2))
    'every 2 weeks'
    >>> Interval(IntervalUnit.MONTH, 0)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidIntervalError: count: must be an int from 1 to 1200, got 0
    """

    unit: IntervalUnit
    count: int = 1

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.unit, IntervalUnit):
            raise InvalidIntervalError(
                f"must be an IntervalUnit, got {shown(self.unit)}",
                argument="unit",
                value=self.unit,
            )
        count: object = self.count
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= _MAX_COUNT:
            raise InvalidIntervalError(
                f"must be an int from 1 to {_MAX_COUNT}, got {shown(count)}",
                argument="count",
                value=count,
            )

    @property
    def adjective(self) -> str:
        """How the interval reads in prose: ``"monthly"``, ``"every 2 weeks"``, ...

        Three months read ``"quarterly"``; any other count above one reads
        ``"every N <unit>s"``.

        >>> from subscription_rules.periods import Interval, IntervalUnit, YEARLY
        >>> YEARLY.adjective, Interval(IntervalUnit.MONTH, 6).adjective
        ('yearly', 'every 6 months')
        """
        if self.count == 1:
            return _ADJECTIVES[self.unit]
        if self.unit is IntervalUnit.MONTH and self.count == 3:
            return "quarterly"
        return f"every {self.count} {self.unit.value}s"

    def __str__(self) -> str:
        return self.adjective

    @property
    def months(self) -> int | None:
        """The length in months for month and year units, else ``None``.

        >>> from subscription_rules.periods import QUARTERLY, YEARLY, WEEKLY
        >>> QUARTERLY.months, YEARLY.months, WEEKLY.months
        (3, 12, None)
        """
        if self.unit is IntervalUnit.MONTH:
            return self.count
        if self.unit is IntervalUnit.YEAR:
            return 12 * self.count
        return None

    @property
    def days(self) -> int | None:
        """The length in days for day and week units, else ``None``.

        >>> from subscription_rules.periods import DAILY, MONTHLY, WEEKLY
        >>> DAILY.days, WEEKLY.days, MONTHLY.days
        (1, 7, None)
        """
        if self.unit is IntervalUnit.DAY:
            return self.count
        if self.unit is IntervalUnit.WEEK:
            return 7 * self.count
        return None

    @classmethod
    def parse(cls, interval: str) -> Interval:
        """Read an interval from text, ignoring case and surrounding spaces.

        Accepted: ``day``/``daily``, ``week``/``weekly``, ``month``/``monthly``,
        ``quarter``/``quarterly`` (three months), ``year``/``yearly``/``annual``/
        ``annually``, and ``"N days"`` / ``"N weeks"`` / ``"N months"`` /
        ``"N years"`` (singular or plural, optionally after ``"every"``, so that
        ``Interval.parse(str(interval)) == interval``).

        Args:
            interval: The text to read.

        Returns:
            The interval.

        Raises:
            InvalidIntervalError: ``interval`` is not one of the accepted forms, or its
                count is not from 1 to 1200.

        >>> from subscription_rules.periods import Interval
        >>> Interval.parse(" Quarterly ")
        Interval(unit=<IntervalUnit.MONTH: 'month'>, count=3)
        >>> str(Interval.parse("2 weeks")), str(Interval.parse("annually"))
        ('every 2 weeks', 'yearly')
        >>> Interval.parse("fortnightly")
        Traceback (most recent call last):
        subscription_rules.errors.InvalidIntervalError: interval: cannot parse 'fortnightly'; expected e.g. 'monthly', 'quarterly', 'yearly' or '2 weeks'
        """
        if isinstance(interval, str):
            normalized = " ".join(interval.lower().split())
            word = _PARSE_WORDS.get(normalized)
            if word is not None:
                return cls(*word)
            match = _PARSE_COUNTED.fullmatch(normalized)
            if match is not None:
                digits = match.group(1).lstrip("0")
                # Not int() of thousands of digits: Python refuses (and it costs).
                count = int(digits) if 0 < len(digits) <= len(str(_MAX_COUNT)) else 0
                if not 1 <= count <= _MAX_COUNT:
                    raise InvalidIntervalError(
                        f"count in {shown(interval)} must be from 1 to {_MAX_COUNT}",
                        argument="interval",
                        value=interval,
                    )
                return cls(IntervalUnit(match.group(2)), count)
        raise InvalidIntervalError(
            f"cannot parse {shown(interval)}; expected e.g. 'monthly', 'quarterly', 'yearly' or '2 weeks'",
            argument="interval",
            value=interval,
        )


#: Every day.
DAILY: Final = Interval(IntervalUnit.DAY)
#: Every week.
WEEKLY: Final = Interval(IntervalUnit.WEEK)
#: Every calendar month, the day clamped to the month's length.
MONTHLY: Final = Interval(IntervalUnit.MONTH)
#: Every three calendar months.
QUARTERLY: Final = Interval(IntervalUnit.MONTH, 3)
#: Every calendar year (a Feb 29 anchor falls on Feb 28 in common years).
YEARLY: Final = Interval(IntervalUnit.YEAR)


@attrs.frozen
class BillingPeriod:
    """One billing period, the half-open span ``[start, end)``.

    ``start`` belongs to the period and ``end`` does not: it is the start of
    the next one. Comparisons are made in UTC.

    Attributes:
        start: The first instant of the period (aware).
        end: The first instant after the period (aware, later than ``start``).
        index: The period's number in its cycle, 0 for the first.

    >>> from subscription_rules.periods import UTC, BillingPeriod
    >>> period = BillingPeriod(datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC), 0)
    >>> print(period)
    2026-01-31 → 2026-02-28
    >>> datetime(2026, 1, 31, tzinfo=UTC) in period, datetime(2026, 2, 28, tzinfo=UTC) in period
    (True, False)
    >>> period.seconds  # 28 days * 86,400 s
    2419200
    """

    start: datetime
    end: datetime
    index: int

    def __attrs_post_init__(self) -> None:
        start_utc = as_utc(self.start, "start")
        end_utc = as_utc(self.end, "end")
        if end_utc <= start_utc:
            raise InvalidPeriodError(
                f"must be later than start {self.start}, got {self.end}",
                argument="end",
                value=self.end,
            )
        index: object = self.index
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise InvalidPeriodError(
                f"must be a non-negative int, got {shown(index)}", argument="index", value=index
            )

    def contains(self, at: datetime) -> bool:
        """Whether ``start <= at < end``, compared in UTC.

        Args:
            at: The instant to test (aware).

        Returns:
            ``True`` if the period holds ``at``.

        Raises:
            InvalidInstantError: ``at`` is naive or not a ``datetime``.

        >>> from subscription_rules.periods import UTC, BillingPeriod
        >>> jan = BillingPeriod(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC), 0)
        >>> jan.contains(datetime(2026, 1, 31, 23, 59, tzinfo=UTC))
        True
        """
        at_utc = as_utc(at, "at")
        return self.start <= at_utc < self.end

    def __contains__(self, at: object) -> bool:
        return self.contains(require_aware(at, "at"))

    @functools.cached_property
    def seconds(self) -> int:
        """The whole seconds elapsed from ``start`` to ``end`` (see :func:`seconds_between`), once.

        >>> from zoneinfo import ZoneInfo
        >>> from subscription_rules.periods import BillingPeriod
        >>> paris = ZoneInfo("Europe/Paris")
        >>> BillingPeriod(datetime(2026, 3, 1, tzinfo=paris), datetime(2026, 4, 1, tzinfo=paris), 0).seconds
        2674800
        """
        return seconds_between(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.start.date().isoformat()} → {self.end.date().isoformat()}"


@attrs.frozen
class BillingCycle:
    """A sequence of billing periods recurring every ``interval`` from ``anchor``.

    Period ``n`` is ``[boundary(n), boundary(n + 1))``. ``boundary(0)`` is the
    anchor itself; every later boundary is the anchor's wall-clock reading in
    ``time_zone`` moved ``n`` intervals along the calendar (see the module
    documentation for month-end clamping and the DST rule). If the anchor is
    given with the cycle's own ``ZoneInfo``, its wall-clock reading is taken as
    written, so an anchor at a non-existent 02:30 recurs at 02:30 wherever that
    exists.

    Attributes:
        anchor: The first instant of period 0 (aware, any time zone).
        interval: The length of each period.
        time_zone: The IANA zone whose calendar the cycle follows, by name
            (a ``ZoneInfo`` is accepted and stored by its name).

    >>> from subscription_rules.periods import UTC, YEARLY, BillingCycle
    >>> cycle = BillingCycle(datetime(2024, 2, 29, tzinfo=UTC), YEARLY)
    >>> [str(cycle.boundary(n).date()) for n in range(5)]
    ['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']
    """

    anchor: datetime
    interval: Interval = MONTHLY
    time_zone: str = attrs.field(default="UTC", converter=zone_name)
    _zone: ZoneInfo = attrs.field(init=False, eq=False, repr=False)
    # boundary(0): the anchor as an instant in the cycle's zone.
    _first: datetime = attrs.field(init=False, eq=False, repr=False)
    # The anchor's naive wall-clock reading in the cycle's zone (fold=0).
    _wall: datetime = attrs.field(init=False, eq=False, repr=False)
    _wall_time: time = attrs.field(init=False, eq=False, repr=False)
    _by_month: bool = attrs.field(init=False, eq=False, repr=False)
    # The zone is UTC under one of its names: wall-clock readings need no normalising.
    _fixed: bool = attrs.field(init=False, eq=False, repr=False)
    # The interval in months (month/year units) or days (day/week units).
    _step: int = attrs.field(init=False, eq=False, repr=False)
    # The anchor's month number (year * 12 + month - 1) or date ordinal.
    _base: int = attrs.field(init=False, eq=False, repr=False)
    # The last period computed: renewals and quotes ask for the same one again and again.
    _last: BillingPeriod | None = attrs.field(init=False, eq=False, repr=False, default=None)

    @property
    def zone(self) -> ZoneInfo:
        """The cycle's time zone as a ``ZoneInfo``.

        >>> from subscription_rules.periods import UTC, BillingCycle
        >>> BillingCycle(datetime(2026, 1, 1, tzinfo=UTC), time_zone="Asia/Tokyo").zone.key
        'Asia/Tokyo'
        """
        return self._zone

    def __attrs_post_init__(self) -> None:
        anchor = require_aware(self.anchor, "anchor")
        interval: object = self.interval
        if not isinstance(interval, Interval):
            wrong_type(interval, "interval", "an Interval", error=InvalidIntervalError)
        tz = zone(self.time_zone)
        first = in_zone(as_utc(anchor, "anchor"), tz, "anchor")
        # With the same tzinfo, astimezone keeps the wall-clock reading as written.
        wall = in_zone(anchor, tz, "anchor").replace(tzinfo=None, fold=0)
        months = interval.months
        by_month = months is not None
        set_ = object.__setattr__
        set_(self, "_zone", tz)
        set_(self, "_first", first)
        set_(self, "_wall", wall)
        set_(self, "_wall_time", wall.time())
        set_(self, "_by_month", by_month)
        set_(self, "_fixed", tz.key in UTC_NAMES)
        if months is not None:
            set_(self, "_step", months)
            set_(self, "_base", wall.year * 12 + wall.month - 1)
        else:
            set_(self, "_step", interval.days)
            set_(self, "_base", wall.toordinal())

    def _boundary(self, n: int) -> datetime | None:
        """Return boundary ``n`` (``n >= 0``), or ``None`` beyond year 9999."""
        if n == 0:
            return self._first
        wall = self._wall
        if self._by_month:
            year, month0 = divmod(self._base + n * self._step, 12)
            if year > MAX_YEAR:
                return None
            month = month0 + 1
            day = wall.day
            if day > 28:  # every month has at least 28 days: only then clamp
                day = min(day, month_length(year, month))
            local = wall.replace(year=year, month=month, day=day, tzinfo=self._zone)
        else:
            ordinal = self._base + n * self._step
            if ordinal > MAX_ORDINAL:
                return None
            local = datetime.combine(date.fromordinal(ordinal), self._wall_time, self._zone)
        if self._fixed:
            return local
        try:
            # fold=0, normalized through UTC: a time in a DST gap moves forward by
            # the gap; an ambiguous time stays its first occurrence.
            return local.astimezone(UTC).astimezone(self._zone)
        except OverflowError:  # within a few hours of datetime.max
            return None

    def boundary(self, n: int) -> datetime:
        """The start of period ``n``, in the cycle's time zone.

        Computed from the anchor and ``n`` directly, never from boundary ``n - 1``.

        Args:
            n: The period index, an ``int`` >= 0.

        Returns:
            An aware datetime whose ``tzinfo`` is the cycle's ``ZoneInfo``.

        Raises:
            InvalidPeriodError: ``n`` is negative or not an ``int``, or the
                boundary lies beyond year 9999.

        >>> from subscription_rules.periods import UTC, BillingCycle
        >>> cycle = BillingCycle(datetime(2027, 1, 31, tzinfo=UTC))
        >>> [str(cycle.boundary(n).date()) for n in range(4)]
        ['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']
        """
        result = self._boundary(_check_index(n))
        if result is None:
            raise _beyond(n)
        return result

    def period(self, n: int) -> BillingPeriod:
        """Period ``n``: ``[boundary(n), boundary(n + 1))``.

        Args:
            n: The period index, an ``int`` >= 0.

        Returns:
            The period, with ``index == n``.

        Raises:
            InvalidPeriodError: ``n`` is negative or not an ``int``, or the
                period reaches beyond year 9999.

        >>> from subscription_rules.periods import UTC, QUARTERLY, BillingCycle
        >>> print(BillingCycle(datetime(2026, 1, 31, tzinfo=UTC), QUARTERLY).period(1))
        2026-04-30 → 2026-07-31
        >>> BillingCycle(datetime(2026, 1, 31, tzinfo=UTC)).period(-1)
        Traceback (most recent call last):
        subscription_rules.errors.InvalidPeriodError: index: must be a non-negative int, got -1
        """
        last = self._last
        if last is not None and last.index == n and type(n) is int:
            return last
        start = self._boundary(_check_index(n))
        end = self._boundary(n + 1)
        if start is None or end is None:
            raise _beyond(n)
        if end.astimezone(UTC) <= start.astimezone(UTC):
            return BillingPeriod(start, end, n)  # refuses the empty period, naming it
        # Both boundaries come from this cycle and are checked above: skip re-validation.
        period = _trusted_period(start, end, n)
        object.__setattr__(self, "_last", period)  # a memo: the value it describes is unchanged
        return period

    def _locate(self, at: datetime) -> tuple[int, datetime, datetime]:
        at_utc = as_utc(at, "at")
        if at_utc < self._first:
            raise InvalidPeriodError(
                f"{at} is before the cycle's anchor {self.anchor}", argument="at", value=at
            )
        try:
            local = at_utc.astimezone(self._zone)
        except OverflowError:  # local year 10000: so is the end of its period
            raise _ends_beyond(at) from None
        # Estimate from the calendar distance of the local wall dates. The true
        # index is n or n - 1 (the anchor's day or time may not be reached yet
        # in the estimated month or day); both loops run at most a step or two.
        if self._by_month:
            distance = local.year * 12 + local.month - 1 - self._base
        else:
            distance = local.toordinal() - self._base
        n = max(distance // self._step, 0)
        start = self._boundary(n)
        end = None
        while start is not None and n > 0 and start > at_utc:
            n -= 1
            start, end = self._boundary(n), start
        if end is None:
            end = self._boundary(n + 1)
        while end is not None and end <= at_utc:
            n += 1
            start, end = end, self._boundary(n + 1)
        if start is None or end is None:
            raise _ends_beyond(at)
        return n, start, end

    def index_containing(self, at: datetime) -> int:
        """The index of the period holding ``at``, at constant cost.

        Args:
            at: An aware instant, not before the anchor.

        Returns:
            ``n`` such that ``boundary(n) <= at < boundary(n + 1)``.

        Raises:
            InvalidInstantError: ``at`` is naive or not a ``datetime``.
            InvalidPeriodError: ``at`` is before the anchor, or its period ends
                beyond year 9999.

        >>> from subscription_rules.periods import UTC, BillingCycle
        >>> cycle = BillingCycle(datetime(2026, 1, 31, tzinfo=UTC))
        >>> cycle.index_containing(datetime(2026, 2, 28, tzinfo=UTC))  # a boundary opens period 1
        1
        """
        return self._locate(at)[0]

    def period_containing(self, at: datetime) -> BillingPeriod:
        """The period holding ``at``, at the same cost in any period.

        An instant equal to a boundary belongs to the period that boundary opens.

        Args:
            at: An aware instant, not before the anchor.

        Returns:
            The period ``p`` with ``p.start <= at < p.end``.

        Raises:
            InvalidInstantError: ``at`` is naive or not a ``datetime``.
            InvalidPeriodError: ``at`` is before the anchor, or its period ends
                beyond year 9999.

        >>> from subscription_rules.periods import UTC, BillingCycle
        >>> cycle = BillingCycle(datetime(2026, 1, 31, tzinfo=UTC))
        >>> cycle.period_containing(datetime(2859, 6, 15, tzinfo=UTC)).index
        10000
        >>> cycle.period_containing(datetime(2026, 1, 1, tzinfo=UTC))
        Traceback (most recent call last):
        subscription_rules.errors.InvalidPeriodError: at: 2026-01-01 00:00:00+00:00 is before the cycle's anchor 2026-01-31 00:00:00+00:00
        """
        n, start, end = self._locate(at)
        # start <= at < end, both from this cycle: a valid, non-empty period.
        return _trusted_period(start, end, n)


# A period whose boundaries a cycle computed (and ordered): nothing to check again.
_trusted_period = trusted(BillingPeriod)


def _check_index(n: object) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise InvalidPeriodError(
            f"must be a non-negative int, got {shown(n)}", argument="index", value=n
        )
    return n


def _ends_beyond(at: datetime) -> InvalidPeriodError:
    return InvalidPeriodError(
        f"the period holding {at} ends beyond year {MAX_YEAR}", argument="at", value=at
    )


def _beyond(n: int) -> InvalidPeriodError:
    return InvalidPeriodError(
        f"period {shown(n)} lies beyond year {MAX_YEAR}", argument="index", value=n
    )
