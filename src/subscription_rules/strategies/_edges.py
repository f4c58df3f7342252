"""Edge-biased instants: daylight saving changes, month ends, Feb 29 and telling wall times."""

from __future__ import annotations

import functools
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from subscription_rules.periods import zone as _zone

#: Wall times that matter: midnight, a mid-day anchor, the last second of a day, and
#: the small hours where daylight saving changes happen.
_WALL_TIMES = (
    time(0, 0),
    time(12, 12),
    time(23, 59, 59),
    time(0, 30),
    time(1, 30),
    time(2, 30),
    time(3, 0),
    time(23, 30),
)
#: Seconds either side of a change: on it, one second, half an hour, an hour, a day.
_JITTER = (0, 1, -1, 1800, -1800, 3600, -3600, 86_400, -86_400)
_STEP = timedelta(hours=6)
# A day inside datetime's range, so that every local reading of an instant exists.
_FIRST = datetime(1, 1, 2, tzinfo=UTC)
_LAST = datetime(9999, 12, 30, tzinfo=UTC)


@functools.cache
def transitions(time_zone: str, min_year: int, max_year: int) -> tuple[datetime, ...]:
    """Every UTC instant of ``min_year`` to ``max_year`` at which the zone's offset changes.

    Found to the second by bisection between samples six hours apart (no zone
    changes its offset twice within six hours).
    """
    tz = _zone(time_zone)
    found: list[datetime] = []
    at = max(datetime(min_year, 1, 1, tzinfo=UTC), _FIRST)
    end = min(datetime(max_year, 12, 31, 18, tzinfo=UTC), _LAST)
    offset = at.astimezone(tz).utcoffset()
    while at < end:
        later = at + _STEP
        new = later.astimezone(tz).utcoffset()
        if new != offset:
            low, high = at, later  # the offset is still the old one at low, the new at high
            while high - low > timedelta(seconds=1):
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append(high)
            offset = new
        at = later
    return tuple(found)


@functools.cache
def _month_ends(min_year: int, max_year: int) -> tuple[date, ...]:
    """The 28th to the last of every month, then every Feb 29 again (twice as likely)."""
    days = []
    for year in range(min_year, max_year + 1):
        for month in range(1, 13):
            for day in (28, 29, 30, 31):
                with suppress(ValueError):
                    days.append(date(year, month, day))
    return (*days, *(day for day in days if (day.month, day.day) == (2, 29)))


@st.composite
def edge_instants(
    draw: st.DrawFn, min_year: int, max_year: int, zones: st.SearchStrategy[str]
) -> datetime:
    """An instant in a drawn zone, at an edge: near an offset change, a month end or a wall time."""
    name = draw(zones)
    tz = _zone(name)
    kind = draw(st.integers(0, 4))
    changes = transitions(name, min_year, max_year) if kind == 0 else ()
    if changes:
        base = draw(st.sampled_from(changes))
        at = (base + timedelta(seconds=draw(st.sampled_from(_JITTER)))).astimezone(tz)
        return at if min_year <= at.year <= max_year else base.astimezone(tz)
    if kind == 1:
        day = draw(st.sampled_from(_month_ends(min_year, max_year)))
    else:
        day = draw(st.dates(min_value=date(min_year, 1, 1), max_value=date(max_year, 12, 31)))
    if kind <= 3:
        wall = draw(st.sampled_from(_WALL_TIMES))
    else:
        seconds = draw(st.integers(0, 86_399))
        wall = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return datetime.combine(day, wall).replace(tzinfo=tz, fold=draw(st.integers(0, 1)))
