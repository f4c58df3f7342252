"""Properties of billing cycles for random anchors, zones, intervals and indices.

Anchors are drawn as aware datetimes in a handful of zones chosen for their
quirks (America/New_York and Europe/Paris have DST on different dates,
Australia/Lord_Howe shifts by 30 minutes, Asia/Kolkata has a +05:30 offset and
no DST) and may fall on non-existent or repeated wall times; the cycle's zone is
drawn independently of the anchor's.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import strategies as sr
from subscription_rules._calendar import UTC_NAMES
from subscription_rules.periods import BillingCycle, Interval

ZONE_NAMES = ("America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")
ZONES = tuple(ZoneInfo(name) for name in ZONE_NAMES)
MAX_INDEX = 5000
# Anchors end in 2100; keep every boundary tested (index + 2) within year 9000.
LAST_YEAR = 9000
ANCHOR_LAST_YEAR = 2100

# The shipped strategies: anchors in ten zones of every kind of offset, any of whose wall
# times a daylight saving change skips or repeats; intervals of any unit up to 1,200.
anchors = sr.instants(1970, ANCHOR_LAST_YEAR)
intervals = sr.intervals()


def max_index(interval: Interval) -> int:
    """The largest index whose period n + 1 still starts before LAST_YEAR."""
    years = LAST_YEAR - ANCHOR_LAST_YEAR - 1
    months = interval.months
    if months is not None:
        limit = years * 12 // months
    else:
        days = interval.days
        assert days is not None
        limit = years * 365 // days
    return min(MAX_INDEX, limit - 2)


@st.composite
def cycles_and_indices(draw: st.DrawFn) -> tuple[BillingCycle, int]:
    interval = draw(intervals)
    cycle = BillingCycle(draw(anchors), interval, draw(st.sampled_from(ZONE_NAMES)))
    return cycle, draw(st.integers(0, max_index(interval)))


@given(cycles_and_indices())
def test_consecutive_periods_tile_time(case: tuple[BillingCycle, int]) -> None:
    cycle, n = case
    this, following = cycle.period(n), cycle.period(n + 1)
    assert this.end.astimezone(UTC) == following.start.astimezone(UTC)
    assert this.start.astimezone(UTC) < this.end.astimezone(UTC)
    assert (this.index, following.index) == (n, n + 1)


@given(cycles_and_indices())
def test_boundaries_strictly_increase(case: tuple[BillingCycle, int]) -> None:
    cycle, n = case
    first, second, third = (cycle.boundary(k).astimezone(UTC) for k in (n, n + 1, n + 2))
    assert first < second < third


@given(cycles_and_indices())
def test_boundary_zero_is_the_anchor(case: tuple[BillingCycle, int]) -> None:
    cycle, _ = case
    assert cycle.boundary(0).astimezone(UTC) == cycle.anchor.astimezone(UTC)


@given(cycles_and_indices(), st.integers(0, 10**6 - 1), st.sampled_from(ZONES))
def test_period_containing_holds_the_instant_and_equals_period_of_its_index(
    case: tuple[BillingCycle, int], parts_per_million: int, at_zone: ZoneInfo
) -> None:
    cycle, n = case
    # An instant anywhere from the start of period n to the end of period n + 1,
    # expressed in a random zone.
    start = cycle.boundary(n).astimezone(UTC)
    span = cycle.boundary(n + 2).astimezone(UTC) - start
    at = (start + span // 10**6 * parts_per_million).astimezone(at_zone)
    period = cycle.period_containing(at)
    assert period.contains(at)
    assert at in period
    assert period.index in {n, n + 1}
    assert period == cycle.period(period.index)
    assert cycle.index_containing(at) == period.index


@given(cycles_and_indices(), st.sampled_from(ZONES))
def test_an_instant_on_a_boundary_opens_its_period(
    case: tuple[BillingCycle, int], at_zone: ZoneInfo
) -> None:
    cycle, n = case
    at = cycle.boundary(n).astimezone(at_zone)
    assert cycle.index_containing(at) == n
    if n > 0:
        assert cycle.index_containing(at - timedelta(microseconds=1)) == n - 1


@given(cycles_and_indices())
def test_month_and_year_boundaries_keep_the_anchor_day_clamped_to_the_month(
    case: tuple[BillingCycle, int],
) -> None:
    cycle, n = case
    if cycle.interval.months is None:
        return
    anchor_day = cycle.anchor.astimezone(ZoneInfo(cycle.time_zone)).day
    boundary = cycle.boundary(n)
    assert boundary.day == min(anchor_day, monthrange(boundary.year, boundary.month)[1])


@given(cycles_and_indices())
def test_day_and_week_boundaries_are_whole_days_apart_in_local_dates(
    case: tuple[BillingCycle, int],
) -> None:
    cycle, n = case
    days = cycle.interval.days
    if days is None:
        return
    gap = cycle.boundary(n + 1).date() - cycle.boundary(n).date()
    assert gap == timedelta(days=days)


@given(cycles_and_indices())
def test_boundaries_are_in_the_cycle_zone_at_the_anchor_wall_time_or_just_after(
    case: tuple[BillingCycle, int],
) -> None:
    cycle, n = case
    tz = ZoneInfo(cycle.time_zone)
    boundary = cycle.boundary(n)
    assert boundary.tzinfo is tz
    wall = cycle.anchor.astimezone(tz).replace(tzinfo=None)
    reading = boundary.replace(tzinfo=None)
    # Same wall time of day, unless it fell in a DST gap (at most one hour forward)
    # or n == 0 with the anchor given at a repeated or non-existent time.
    shift = datetime.combine(reading.date(), reading.time()) - datetime.combine(
        reading.date(), wall.time()
    )
    assert timedelta(hours=-1) <= shift <= timedelta(hours=1)


@given(anchors, intervals, st.sampled_from(sorted(UTC_NAMES)), st.data())
def test_utc_names_skip_normalising_and_give_the_same_boundaries(
    anchor: datetime, interval: Interval, name: str, data: st.DataObject
) -> None:
    n = data.draw(st.integers(0, max_index(interval)))
    # The shortcut for UTC's names returns the wall-clock reading as it is; the general
    # path converts it to UTC and back. With no offset and no DST the two must agree.
    fast = BillingCycle(anchor, interval, name)
    general = BillingCycle(anchor, interval, name)
    object.__setattr__(general, "_fixed", False)
    assert fast._fixed
    assert fast.boundary(n) == general.boundary(n)
    assert fast.boundary(n).utcoffset() == timedelta(0)


def test_only_zero_offset_names_take_the_utc_shortcut() -> None:
    # Each name is UTC under another spelling: zero offset and no DST in every era checked
    # (year 1, the epoch, today and year 9999); a zone with DST does not take the shortcut.
    for name in UTC_NAMES:
        tz = ZoneInfo(name)
        for year in (1, 1970, 2026, 9999):
            for month in (1, 7):
                assert tz.utcoffset(datetime(year, month, 1)) == timedelta(0), name  # noqa: DTZ001
    assert not BillingCycle(datetime(2026, 1, 1, tzinfo=UTC), time_zone="Europe/London")._fixed
