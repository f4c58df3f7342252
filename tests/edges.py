"""Edge-biased instants for the model-based tests: DST gaps and folds, month ends, mid-day anchors.

Everything here is computed with the standard library and ``zoneinfo`` alone (never with the
library under test), so a test can use these instants as independent reference points.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

#: Zones with DST in both hemispheres (and a half-hour shift), plus two without DST.
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Australia/Sydney",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]

FIRST_YEAR, LAST_YEAR = 2027, 2029

#: Local wall times that matter: midnight, mid-day anchors, the last second of a day, and the
#: small hours where DST changes happen.
WALL_TIMES = [
    time(0, 0),
    time(12, 12),
    time(23, 59, 59),
    time(0, 30),
    time(1, 30),
    time(2, 30),
    time(3, 0),
    time(23, 30),
]


@cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """Every UTC instant from 2027 to 2029 at which ``zone``'s UTC offset changes (to the second)."""
    tz = ZoneInfo(zone)
    found: list[datetime] = []
    step = timedelta(hours=6)
    t = datetime(FIRST_YEAR - 1, 12, 1, tzinfo=UTC)
    end = datetime(LAST_YEAR + 1, 3, 1, tzinfo=UTC)
    offset = t.astimezone(tz).utcoffset()
    while t < end:
        nxt = t + step
        new = nxt.astimezone(tz).utcoffset()
        if new != offset:
            lo, hi = t, nxt  # offset(lo) == offset, offset(hi) != offset
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(tz).utcoffset() == offset:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
            offset = new
        t = nxt
    return tuple(found)


def local(wall: datetime, zone: str, fold: int = 0) -> datetime:
    """The instant (UTC) of a naive local wall time; a gap moves forward by the gap (fold=0)."""
    return wall.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def express(at: datetime, zone: str, in_zone: bool) -> datetime:
    """``at`` as a host may pass it: in UTC, or in the billing zone (fold set on the repeat hour)."""
    return at.astimezone(ZoneInfo(zone)) if in_zone else at.astimezone(UTC)


def _month_end_days() -> list[date]:
    days = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            for day in (28, 29, 30, 31):
                with suppress(ValueError):
                    days.append(date(year, month, day))
    return days


MONTH_END_DAYS = _month_end_days()


@st.composite
def start_instants(draw: st.DrawFn, zone: str) -> datetime:
    """A start instant (UTC) biased to DST changes, month ends, Feb 29 and mid-day wall times."""
    kind = draw(st.integers(0, 4))
    if kind == 0 and transitions(zone):
        base = draw(st.sampled_from(transitions(zone)))
        jitter = draw(st.sampled_from([0, 1, -1, 1800, -1800, 3600, -3600, 86_400, -86_400]))
        return base + timedelta(seconds=jitter)
    if kind == 1:
        day = draw(st.sampled_from([*MONTH_END_DAYS, date(2028, 2, 29)]))
    else:
        day = draw(st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31)))
    if kind <= 3:
        wall = draw(st.sampled_from(WALL_TIMES))
    else:
        seconds = draw(st.integers(0, 86_399))
        wall = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    fold = draw(st.integers(0, 1))
    return local(datetime.combine(day, wall), zone, fold)
