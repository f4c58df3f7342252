"""Periods: intervals, anchor-based boundaries, DST, half-open lookup, exact durations.

Calendar facts used below (worked out by hand):

* 2026-01-01 is a Thursday, so 2026-03-01 (59 days later, 59 % 7 == 3) is a
  Sunday and 2026-11-01 (304 days later, 304 % 7 == 3) is a Sunday.
* America/New_York springs forward on the second Sunday of March, 2026-03-08
  (02:00 EST -> 03:00 EDT), and falls back on the first Sunday of November,
  2026-11-01 (02:00 EDT -> 01:00 EST). EST is -05:00, EDT -04:00.
* Europe/Paris springs forward on the last Sunday of March, 2026-03-29, and
  falls back on the last Sunday of October, 2026-10-25. CET +01:00, CEST +02:00.
* A day is 86,400 s; 28 days 2,419,200 s; 30 days 2,592,000 s; 31 days 2,678,400 s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import partial
from zoneinfo import ZoneInfo

import attrs
import pytest

from subscription_rules.errors import (
    InvalidInstantError,
    InvalidIntervalError,
    InvalidPeriodError,
    InvalidTimeZoneError,
    NaiveDatetimeError,
    NotAnInstantError,
    SubscriptionRulesError,
)
from subscription_rules.periods import (
    DAILY,
    MONTHLY,
    QUARTERLY,
    WEEKLY,
    YEARLY,
    BillingCycle,
    BillingPeriod,
    Interval,
    IntervalUnit,
    days_between,
    require_aware,
    seconds_between,
    zone,
)

NY = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")


utc = partial(datetime, tzinfo=UTC)


def naive(year: int, month: int, day: int) -> datetime:
    return utc(year, month, day).replace(tzinfo=None)


def dates(cycle: BillingCycle, count: int) -> list[str]:
    return [cycle.boundary(n).date().isoformat() for n in range(count)]


# --- require_aware and zone ---------------------------------------------------------------


def test_require_aware_returns_an_aware_datetime_unchanged() -> None:
    at = datetime(2026, 1, 31, 9, 30, tzinfo=NY)
    assert require_aware(at, "at") is at


def test_naive_datetime_is_refused_with_exact_message() -> None:
    value = naive(2026, 1, 31)
    with pytest.raises(NaiveDatetimeError) as info:
        require_aware(value, "at")
    assert str(info.value) == (
        "at: naive datetime 2026-01-31 00:00:00 refused; attach a time zone (e.g. tzinfo=UTC)"
    )
    assert info.value.argument == "at"
    assert info.value.value is value
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidInstantError)


def test_non_datetime_is_refused_with_exact_message() -> None:
    with pytest.raises(NotAnInstantError) as info:
        require_aware("2026-01-31", "at")
    assert str(info.value) == "at: expected an aware datetime, got str '2026-01-31'"
    assert info.value.argument == "at"
    assert info.value.value == "2026-01-31"
    assert isinstance(info.value, TypeError)


def test_a_date_is_not_an_instant() -> None:
    with pytest.raises(NotAnInstantError, match=r"got date datetime\.date\(2026, 1, 31\)"):
        require_aware(date(2026, 1, 31), "at")


def test_tzinfo_without_an_offset_counts_as_naive() -> None:
    class NoOffset(tzinfo):
        def utcoffset(self, _dt: datetime | None) -> None:
            return None

        def dst(self, _dt: datetime | None) -> None:
            return None

        def tzname(self, _dt: datetime | None) -> str:
            return "nowhere"

    with pytest.raises(NaiveDatetimeError):
        require_aware(datetime(2026, 1, 31, tzinfo=NoOffset()), "at")


def test_zone_returns_the_iana_zone() -> None:
    assert zone("America/New_York") is NY


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "utc"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(InvalidTimeZoneError) as info:
        zone(name)
    assert str(info.value) == f"time_zone: unknown IANA time zone {name!r}"
    assert info.value.value == name


def test_non_string_time_zone_is_refused() -> None:
    with pytest.raises(InvalidTimeZoneError, match="unknown IANA time zone 42"):
        zone(42)  # type: ignore[arg-type]


def test_billing_cycle_with_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidTimeZoneError, match="'Nowhere/Town'"):
        BillingCycle(utc(2026, 1, 1), MONTHLY, "Nowhere/Town")


# --- Interval -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1, 1201])
def test_interval_count_outside_1_to_1200_is_refused(count: int) -> None:
    with pytest.raises(InvalidIntervalError) as info:
        Interval(IntervalUnit.MONTH, count)
    assert str(info.value) == f"count: must be an int from 1 to 1200, got {count}"
    assert info.value.argument == "count"


def test_interval_count_bool_is_refused() -> None:
    with pytest.raises(InvalidIntervalError, match="got True"):
        Interval(IntervalUnit.MONTH, count=True)


def test_interval_count_str_is_refused() -> None:
    with pytest.raises(InvalidIntervalError, match="got '3'"):
        Interval(IntervalUnit.MONTH, "3")  # type: ignore[arg-type]


def test_interval_unit_must_be_an_interval_unit() -> None:
    with pytest.raises(InvalidIntervalError) as info:
        Interval("month")  # type: ignore[arg-type]
    assert info.value.argument == "unit"


def test_interval_count_1200_is_the_largest_accepted() -> None:
    assert Interval(IntervalUnit.DAY, 1200).days == 1200


@pytest.mark.parametrize(
    ("interval", "adjective"),
    [
        (DAILY, "daily"),
        (WEEKLY, "weekly"),
        (MONTHLY, "monthly"),
        (QUARTERLY, "quarterly"),
        (YEARLY, "yearly"),
        (Interval(IntervalUnit.WEEK, 2), "every 2 weeks"),
        (Interval(IntervalUnit.MONTH, 6), "every 6 months"),
        (Interval(IntervalUnit.DAY, 10), "every 10 days"),
        (Interval(IntervalUnit.YEAR, 2), "every 2 years"),
    ],
)
def test_interval_adjective_and_str(interval: Interval, adjective: str) -> None:
    assert interval.adjective == adjective
    assert str(interval) == adjective


def test_interval_months_and_days() -> None:
    # MONTH counts months; YEAR is 12 months per count; WEEK is 7 days per count.
    assert (MONTHLY.months, QUARTERLY.months, Interval(IntervalUnit.YEAR, 2).months) == (1, 3, 24)
    assert (MONTHLY.days, YEARLY.days) == (None, None)
    assert (DAILY.days, Interval(IntervalUnit.WEEK, 2).days) == (1, 14)
    assert (DAILY.months, WEEKLY.months) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("day", DAILY),
        ("Daily", DAILY),
        ("week", WEEKLY),
        ("WEEKLY", WEEKLY),
        ("month", MONTHLY),
        ("  monthly  ", MONTHLY),
        ("quarter", QUARTERLY),
        ("quarterly", QUARTERLY),
        ("year", YEARLY),
        ("yearly", YEARLY),
        ("annual", YEARLY),
        ("Annually", YEARLY),
        ("1 day", DAILY),
        ("2 weeks", Interval(IntervalUnit.WEEK, 2)),
        ("6 Months", Interval(IntervalUnit.MONTH, 6)),
        ("3 years", Interval(IntervalUnit.YEAR, 3)),
        ("1 month", MONTHLY),
        ("every 2 weeks", Interval(IntervalUnit.WEEK, 2)),
        ("1200 days", Interval(IntervalUnit.DAY, 1200)),
    ],
)
def test_interval_parse_accepts(text: str, expected: Interval) -> None:
    assert Interval.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["fortnightly", "", "0 months", "-1 months", "1201 days", "2.5 months", "bimonthly"]
)
def test_interval_parse_refuses(text: str) -> None:
    with pytest.raises(InvalidIntervalError) as info:
        Interval.parse(text)
    assert info.value.argument == "interval"
    assert info.value.value == text
    assert repr(text) in str(info.value)


def test_interval_parse_refuses_non_string() -> None:
    with pytest.raises(InvalidIntervalError) as info:
        Interval.parse(3)  # type: ignore[arg-type]
    assert info.value.argument == "interval"


@pytest.mark.parametrize(
    "interval", [DAILY, WEEKLY, MONTHLY, QUARTERLY, YEARLY, Interval(IntervalUnit.MONTH, 12)]
)
def test_interval_parse_reads_back_its_own_str(interval: Interval) -> None:
    assert Interval.parse(str(interval)) == interval


# --- Month-end clamping, computed from the anchor -----------------------------------------


def test_jan31_monthly_anchor_returns_to_31st_through_leap_february() -> None:
    # 2028 is a leap year (divisible by 4, not by 100): Feb has 29 days.
    cycle = BillingCycle(utc(2028, 1, 31), MONTHLY)
    assert dates(cycle, 5) == ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"]


def test_jan31_monthly_anchor_returns_to_31st_through_common_february() -> None:
    # 2027 is a common year: Feb has 28 days; Mar 31 comes back, Apr clamps to 30.
    cycle = BillingCycle(utc(2027, 1, 31), MONTHLY)
    assert dates(cycle, 4) == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]


def test_jan31_monthly_periods_are_28_29_31_30_days_long() -> None:
    cycle = BillingCycle(utc(2028, 1, 31), MONTHLY)
    # Jan 31 -> Feb 29: 29 days; Feb 29 -> Mar 31: 31 days; Mar 31 -> Apr 30: 30 days.
    assert [cycle.period(n).seconds // 86400 for n in range(3)] == [29, 31, 30]


def test_dec31_monthly_anchor_crosses_the_year_into_a_leap_february() -> None:
    # Dec 2027 + 2 months = Feb 2028, clamped to 29.
    assert dates(BillingCycle(utc(2027, 12, 31)), 3) == ["2027-12-31", "2028-01-31", "2028-02-29"]


def test_feb29_yearly_anchor_falls_on_feb28_in_common_years_for_eight_years() -> None:
    # Leap years in 2024..2032: 2024, 2028, 2032.
    cycle = BillingCycle(utc(2024, 2, 29), YEARLY)
    assert dates(cycle, 9) == [
        "2024-02-29",
        "2025-02-28",
        "2026-02-28",
        "2027-02-28",
        "2028-02-29",
        "2029-02-28",
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    ]


def test_feb29_yearly_anchor_follows_the_century_rule() -> None:
    # 2100 is divisible by 100 but not 400: common. 2000 is divisible by 400: leap.
    assert BillingCycle(utc(2096, 2, 29), YEARLY).boundary(4).date() == date(2100, 2, 28)
    assert BillingCycle(utc(2096, 2, 29), YEARLY).boundary(8).date() == date(2104, 2, 29)
    assert BillingCycle(utc(1996, 2, 29), YEARLY).boundary(1).date() == date(1997, 2, 28)
    assert BillingCycle(utc(1996, 2, 29), YEARLY).boundary(4).date() == date(2000, 2, 29)


def test_quarterly_anchor_on_31st_clamps_only_in_short_quarter_months() -> None:
    # Jan 31 + 3 = Apr (30 days) -> Apr 30; + 6 = Jul 31; + 9 = Oct 31; + 12 = Jan 31.
    cycle = BillingCycle(utc(2026, 1, 31), QUARTERLY)
    assert dates(cycle, 5) == ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31", "2027-01-31"]


def test_quarterly_anchor_on_30th_clamps_to_feb28_then_returns_to_30th() -> None:
    # Nov 30 2025 + 3 = Feb 2026 (28 days) -> Feb 28; + 6 = May 30; + 9 = Aug 30.
    cycle = BillingCycle(utc(2025, 11, 30), QUARTERLY)
    assert dates(cycle, 4) == ["2025-11-30", "2026-02-28", "2026-05-30", "2026-08-30"]


def test_every_six_months_from_aug31() -> None:
    # Aug 31 2027 + 6 = Feb 2028 (leap) -> Feb 29; + 12 = Aug 31 2028.
    cycle = BillingCycle(utc(2027, 8, 31), Interval(IntervalUnit.MONTH, 6))
    assert dates(cycle, 3) == ["2027-08-31", "2028-02-29", "2028-08-31"]


def test_weekly_cycle_steps_seven_days_across_month_end() -> None:
    # 2026-01-29 (a Thursday) + 7 = Feb 5, + 14 = Feb 12, + 28 = Feb 26, + 35 = Mar 5 (Feb has 28).
    cycle = BillingCycle(utc(2026, 1, 29), WEEKLY)
    assert dates(cycle, 6) == [
        "2026-01-29",
        "2026-02-05",
        "2026-02-12",
        "2026-02-19",
        "2026-02-26",
        "2026-03-05",
    ]
    assert all(cycle.boundary(n).weekday() == 3 for n in range(6))  # all Thursdays
    assert cycle.period(3).seconds == 7 * 86400  # 604800


def test_every_two_weeks_cycle_steps_fourteen_days() -> None:
    # Jan 29 + 42 days: 2 days to Jan 31, 28 more to Feb 28, 12 more -> Mar 12.
    cycle = BillingCycle(utc(2026, 1, 29), Interval(IntervalUnit.WEEK, 2))
    assert cycle.boundary(3).date() == date(2026, 3, 12)


def test_anchor_time_of_day_recurs() -> None:
    cycle = BillingCycle(utc(2026, 1, 31, 13, 45, 7), MONTHLY)
    assert cycle.boundary(1).isoformat() == "2026-02-28T13:45:07+00:00"


def test_boundaries_are_in_the_cycle_zone() -> None:
    cycle = BillingCycle(utc(2026, 1, 1, 5), MONTHLY, "America/New_York")
    # 05:00 UTC = 00:00 EST: the wall reading in New York is local midnight.
    assert cycle.boundary(0).tzinfo is NY
    assert cycle.boundary(0).isoformat() == "2026-01-01T00:00:00-05:00"
    assert cycle.boundary(0) == cycle.anchor
    assert cycle.boundary(1).isoformat() == "2026-02-01T00:00:00-05:00"


def test_anchor_wall_clock_in_the_cycle_zone_decides_the_day() -> None:
    # 2026-01-31 03:00 UTC is 2026-01-30 22:00 in New York: a New York cycle is
    # anchored on the 30th, so Feb -> 28 and Mar -> 30 (not 31).
    cycle = BillingCycle(utc(2026, 1, 31, 3), MONTHLY, "America/New_York")
    assert dates(cycle, 3) == ["2026-01-30", "2026-02-28", "2026-03-30"]


# --- Daylight-saving time ----------------------------------------------------------------


def test_monthly_new_york_local_midnight_stays_local_midnight_across_dst() -> None:
    cycle = BillingCycle(datetime(2026, 1, 1, tzinfo=NY), MONTHLY, "America/New_York")
    boundaries = [cycle.boundary(n) for n in range(13)]
    assert all(b.time() == datetime.min.time() and b.day == 1 for b in boundaries)
    offsets = [b.utcoffset() for b in boundaries]
    est, edt = timedelta(hours=-5), timedelta(hours=-4)
    # Jan..Mar 1 are EST; Apr 1..Nov 1 00:00 are EDT (the change is at 02:00 on
    # Nov 1, after midnight); Dec 1 and Jan 1 are EST.
    assert offsets == [est, est, est] + [edt] * 8 + [est, est]
    seconds = [cycle.period(n).seconds for n in range(12)]
    assert seconds[0] == 2678400  # January: 31 days
    assert seconds[1] == 2419200  # February: 28 days
    assert seconds[2] == 2678400 - 3600  # March: 31 days less the skipped hour = 2674800
    assert seconds[3] == 2592000  # April: 30 days
    assert seconds[9] == 2678400  # October: Oct 1 EDT -> Nov 1 00:00 EDT, no change inside
    assert seconds[10] == 2592000 + 3600  # November: 30 days plus the repeated hour = 2595600
    assert seconds[11] == 2678400  # December: 31 days


def test_monthly_paris_local_midnight_stays_local_midnight_across_dst() -> None:
    cycle = BillingCycle(datetime(2026, 1, 1, tzinfo=PARIS), MONTHLY, "Europe/Paris")
    cet, cest = timedelta(hours=1), timedelta(hours=2)
    assert cycle.boundary(2).isoformat() == "2026-03-01T00:00:00+01:00"
    assert cycle.boundary(3).isoformat() == "2026-04-01T00:00:00+02:00"
    assert cycle.boundary(9).isoformat() == "2026-10-01T00:00:00+02:00"
    assert cycle.boundary(10).isoformat() == "2026-11-01T00:00:00+01:00"
    assert [cycle.boundary(n).utcoffset() for n in (0, 2, 3, 9, 10, 11)] == [
        cet,
        cet,
        cest,
        cest,
        cet,
        cet,
    ]
    # March loses an hour on the 29th; October gains one on the 25th.
    assert cycle.period(2).seconds == 2678400 - 3600  # 2674800
    assert cycle.period(9).seconds == 2678400 + 3600  # 2682000
    assert cycle.period(2).seconds - cycle.period(0).seconds == -3600  # both 31-day months
    assert cycle.period(9).seconds - cycle.period(0).seconds == 3600


def test_daily_cycle_across_spring_forward_has_a_23_hour_day() -> None:
    cycle = BillingCycle(datetime(2026, 3, 7, tzinfo=NY), DAILY, "America/New_York")
    assert cycle.boundary(1).isoformat() == "2026-03-08T00:00:00-05:00"
    assert cycle.boundary(2).isoformat() == "2026-03-09T00:00:00-04:00"
    assert cycle.period(0).seconds == 86400
    assert cycle.period(1).seconds == 82800  # 24 h - 1 h
    assert cycle.period(2).seconds == 86400


def test_daily_cycle_across_fall_back_has_a_25_hour_day() -> None:
    cycle = BillingCycle(datetime(2026, 10, 31, tzinfo=NY), DAILY, "America/New_York")
    assert cycle.boundary(1).isoformat() == "2026-11-01T00:00:00-04:00"
    assert cycle.boundary(2).isoformat() == "2026-11-02T00:00:00-05:00"
    assert cycle.period(1).seconds == 90000  # 24 h + 1 h


def test_wall_time_in_dst_gap_shifts_forward_by_the_gap() -> None:
    # 02:30 does not exist in New York on 2026-03-08 (02:00 -> 03:00): it becomes 03:30 EDT.
    cycle = BillingCycle(datetime(2026, 3, 7, 2, 30, tzinfo=NY), DAILY, "America/New_York")
    assert cycle.boundary(1).isoformat() == "2026-03-08T03:30:00-04:00"
    # The next day the wall time exists again and is kept.
    assert cycle.boundary(2).isoformat() == "2026-03-09T02:30:00-04:00"
    # Mar 7 02:30 EST = 07:30 UTC; Mar 8 03:30 EDT = 07:30 UTC: exactly 24 h.
    assert cycle.period(0).seconds == 86400
    # Mar 8 03:30 EDT -> Mar 9 02:30 EDT: 23 h = 82800 s.
    assert cycle.period(1).seconds == 82800


def test_monthly_wall_time_in_dst_gap_shifts_forward_only_that_month() -> None:
    cycle = BillingCycle(datetime(2026, 2, 8, 2, 30, tzinfo=NY), MONTHLY, "America/New_York")
    assert [cycle.boundary(n).isoformat() for n in range(3)] == [
        "2026-02-08T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-04-08T02:30:00-04:00",
    ]


def test_anchor_given_at_a_nonexistent_wall_time_keeps_that_wall_time() -> None:
    # The anchor instant is 02:30 EST = 07:30 UTC = 03:30 EDT; later months recur at 02:30.
    anchor = datetime(2026, 3, 8, 2, 30, tzinfo=NY)
    cycle = BillingCycle(anchor, MONTHLY, "America/New_York")
    assert cycle.boundary(0).isoformat() == "2026-03-08T03:30:00-04:00"
    # Same tzinfo: Python's == compares wall clocks, so compare in UTC.
    assert cycle.boundary(0).astimezone(UTC) == anchor.astimezone(UTC) == utc(2026, 3, 8, 7, 30)
    assert cycle.boundary(1).isoformat() == "2026-04-08T02:30:00-04:00"


def test_ambiguous_wall_time_takes_the_first_occurrence() -> None:
    # 01:30 happens twice in New York on 2026-11-01: first at EDT (05:30 UTC).
    cycle = BillingCycle(datetime(2026, 10, 31, 1, 30, tzinfo=NY), DAILY, "America/New_York")
    boundary = cycle.boundary(1)
    assert boundary.isoformat() == "2026-11-01T01:30:00-04:00"
    assert boundary.astimezone(UTC) == utc(2026, 11, 1, 5, 30)
    # Nov 1 01:30 EDT -> Nov 2 01:30 EST: 25 h = 90000 s.
    assert cycle.period(1).seconds == 90000


def test_anchor_at_the_second_occurrence_of_an_ambiguous_time_is_boundary_zero() -> None:
    # fold=1: 01:30 EST on 2026-11-01 = 06:30 UTC. Period 0 starts exactly at the anchor.
    anchor = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    cycle = BillingCycle(anchor, DAILY, "America/New_York")
    assert cycle.boundary(0).astimezone(UTC) == utc(2026, 11, 1, 6, 30)
    assert cycle.period_containing(anchor).index == 0
    # Nov 1 01:30 EST -> Nov 2 01:30 EST: 24 h.
    assert cycle.period(0).seconds == 86400


def test_lookup_in_the_repeated_hour_compares_instants_not_wall_clocks() -> None:
    # Boundary 1 is Nov 1 01:30 EDT (05:30 UTC). 01:10 EST (fold=1) is 06:10 UTC, later,
    # although its wall clock reads earlier: it belongs to period 1.
    cycle = BillingCycle(datetime(2026, 10, 31, 1, 30, tzinfo=NY), DAILY, "America/New_York")
    at = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NY)
    assert cycle.index_containing(at) == 1
    assert at not in cycle.period(0)
    assert at in cycle.period(1)


def test_cycle_zone_differs_from_the_anchor_zone() -> None:
    # Anchor 2026-01-31 23:00 UTC = 2026-02-01 00:00 in Paris: a Paris cycle is on the 1st.
    cycle = BillingCycle(utc(2026, 1, 31, 23), MONTHLY, "Europe/Paris")
    assert cycle.boundary(1).isoformat() == "2026-03-01T00:00:00+01:00"
    assert cycle.boundary(2).isoformat() == "2026-04-01T00:00:00+02:00"


# --- Period lookup ------------------------------------------------------------------------


def test_period_containing_at_exact_boundary_belongs_to_the_new_period() -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    assert cycle.period_containing(utc(2026, 2, 28)).index == 1
    assert cycle.period_containing(utc(2026, 2, 28) - timedelta(microseconds=1)).index == 0
    assert cycle.period_containing(utc(2026, 1, 31)) == cycle.period(0)
    assert cycle.period_containing(utc(2026, 3, 31)) == cycle.period(2)


def test_period_containing_in_another_zone_than_the_cycle() -> None:
    cycle = BillingCycle(datetime(2026, 1, 1, tzinfo=NY), MONTHLY, "America/New_York")
    # 2026-02-01 04:59 UTC = Jan 31 23:59 EST: still January.
    assert cycle.index_containing(utc(2026, 2, 1, 4, 59)) == 0
    # 2026-02-01 05:00 UTC = Feb 1 00:00 EST: February opens.
    assert cycle.index_containing(utc(2026, 2, 1, 5)) == 1


def test_period_containing_before_anchor_is_refused() -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    with pytest.raises(InvalidPeriodError) as info:
        cycle.period_containing(utc(2026, 1, 30, 23, 59, 59))
    assert str(info.value) == (
        "at: 2026-01-30 23:59:59+00:00 is before the cycle's anchor 2026-01-31 00:00:00+00:00"
    )
    assert info.value.argument == "at"


def test_period_containing_refuses_naive_instants() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^at: naive datetime"):
        BillingCycle(utc(2026, 1, 31)).period_containing(naive(2026, 3, 1))


def test_period_in_the_10000th_month_agrees_with_period_index() -> None:
    # 10,000 months = 833 years 4 months: Jan 2026 -> May 2859, day 31 (May has 31).
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    period = cycle.period(10_000)
    assert period.start == utc(2859, 5, 31)
    assert period.end == utc(2859, 6, 30)  # June has 30 days
    at = utc(2859, 6, 15, 12)
    assert cycle.period_containing(at) == period
    assert cycle.index_containing(at) == 10_000


def test_period_containing_does_the_same_work_in_any_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    calls: list[int] = []
    original = BillingCycle._boundary

    def counting(self: BillingCycle, n: int) -> datetime | None:
        calls.append(n)
        return original(self, n)

    monkeypatch.setattr(BillingCycle, "_boundary", counting)
    for at in (utc(2026, 2, 15), utc(2859, 6, 15), utc(9000, 1, 30), utc(9000, 1, 31)):
        calls.clear()
        cycle.period_containing(at)
        assert len(calls) <= 2, calls


def test_daily_period_containing_far_in_the_future() -> None:
    # 2026-01-01 + 1,000,000 days is well past 4700; count from the date ordinals.
    cycle = BillingCycle(utc(2026, 1, 1, 12), DAILY)
    start = date(2026, 1, 1).toordinal()
    at = datetime.combine(date.fromordinal(start + 1_000_000), datetime.min.time(), UTC)
    # At 00:00 the day's 12:00 boundary is not reached yet: period 999,999.
    assert cycle.index_containing(at) == 999_999
    assert cycle.index_containing(at + timedelta(hours=12)) == 1_000_000


def test_period_contains_start_but_not_end() -> None:
    period = BillingCycle(utc(2026, 1, 31)).period(0)
    assert period.contains(utc(2026, 1, 31))
    assert period.contains(utc(2026, 2, 27, 23, 59, 59, 999999))
    assert not period.contains(utc(2026, 2, 28))
    assert utc(2026, 2, 28) not in period
    assert utc(2026, 1, 30) not in period


def test_period_contains_refuses_non_datetimes() -> None:
    period = BillingCycle(utc(2026, 1, 31)).period(0)
    with pytest.raises(NotAnInstantError):
        _ = "2026-02-01" in period


def test_period_str_shows_local_dates() -> None:
    cycle = BillingCycle(datetime(2026, 1, 31, tzinfo=NY), MONTHLY, "America/New_York")
    assert str(cycle.period(0)) == "2026-01-31 → 2026-02-28"
    assert str(cycle.period(1)) == "2026-02-28 → 2026-03-31"


def test_consecutive_periods_tile_time() -> None:
    cycle = BillingCycle(datetime(2024, 2, 29, 23, 30, tzinfo=PARIS), MONTHLY, "Europe/Paris")
    for n in range(30):
        assert cycle.period(n).end == cycle.period(n + 1).start


# --- Index validation and the year 9999 limit --------------------------------------------


def test_negative_period_index_is_refused_with_exact_message() -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    with pytest.raises(InvalidPeriodError) as info:
        cycle.period(-1)
    assert str(info.value) == "index: must be a non-negative int, got -1"
    with pytest.raises(InvalidPeriodError, match="got -1"):
        cycle.boundary(-1)


@pytest.mark.parametrize("index", [True, 1.0, "1", None])
def test_non_int_period_index_is_refused(index: object) -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    with pytest.raises(InvalidPeriodError, match="must be a non-negative int"):
        cycle.period(index)  # type: ignore[arg-type]


def test_period_beyond_year_9999_is_refused() -> None:
    # Month numbers (year * 12 + month - 1): Jan 2026 = 24,312, Dec 9999 = 119,999.
    # 119,999 - 24,312 = 95,687 months (7,973 years 11 months); one more is year 10000.
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    assert cycle.boundary(95_687).date() == date(9999, 12, 31)
    with pytest.raises(InvalidPeriodError, match="period 95688 lies beyond year 9999"):
        cycle.boundary(95_688)
    with pytest.raises(InvalidPeriodError, match="period 95687 lies beyond year 9999"):
        cycle.period(95_687)  # its end would be in year 10000
    with pytest.raises(InvalidPeriodError, match="beyond year 9999"):
        cycle.period(10**30)
    with pytest.raises(InvalidPeriodError, match="ends beyond year 9999"):
        cycle.period_containing(utc(9999, 12, 31, 12))


def test_beyond_year_9999_errors_name_their_argument_and_value() -> None:
    # A cycle anchored on 1 Dec 9999: boundary 1 would be 1 Jan 10000.
    cycle = BillingCycle(utc(9999, 12, 1), MONTHLY)
    with pytest.raises(InvalidPeriodError) as by_index:
        cycle.period(0)
    assert str(by_index.value) == "index: period 0 lies beyond year 9999"
    assert (by_index.value.argument, by_index.value.value) == ("index", 0)
    at = utc(9999, 12, 15)
    for lookup in (cycle.period_containing, cycle.index_containing):
        with pytest.raises(InvalidPeriodError) as by_instant:
            lookup(at)
        assert str(by_instant.value) == (
            "at: the period holding 9999-12-15 00:00:00+00:00 ends beyond year 9999"
        )
        assert by_instant.value.argument == "at"
        assert by_instant.value.value is at


def test_daily_boundary_beyond_year_9999_is_refused() -> None:
    cycle = BillingCycle(utc(9999, 12, 30), DAILY)
    assert cycle.boundary(1).date() == date(9999, 12, 31)
    with pytest.raises(InvalidPeriodError, match="period 2 lies beyond year 9999"):
        cycle.boundary(2)


def test_boundary_that_cannot_be_expressed_in_utc_is_refused() -> None:
    # Boundary 2 is 9999-12-31 22:00 EST in New York, which is 10000-01-01 03:00 UTC.
    cycle = BillingCycle(datetime(9999, 10, 31, 22, tzinfo=NY), MONTHLY, "America/New_York")
    assert cycle.boundary(1).isoformat() == "9999-11-30T22:00:00-05:00"
    with pytest.raises(InvalidPeriodError, match="period 2 lies beyond year 9999"):
        cycle.boundary(2)


def test_instant_whose_local_date_is_beyond_year_9999_is_refused() -> None:
    # 9999-12-31 23:30 UTC is 10000-01-01 00:30 in Paris.
    cycle = BillingCycle(utc(2026, 1, 1), MONTHLY, "Europe/Paris")
    with pytest.raises(InvalidPeriodError, match="ends beyond year 9999"):
        cycle.period_containing(utc(9999, 12, 31, 23, 30))
    with pytest.raises(InvalidInstantError, match=r"^end: .* cannot be expressed in Europe/Paris"):
        days_between(utc(2026, 1, 1), utc(9999, 12, 31, 23, 30), "Europe/Paris")


def test_instant_that_cannot_be_expressed_in_utc_is_refused() -> None:
    # 0001-01-01 00:00 at +01:00 is 0000-12-31 23:00 UTC, before datetime.min.
    early = datetime(1, 1, 1, tzinfo=PARIS)
    with pytest.raises(InvalidInstantError, match=r"^anchor: .* cannot be expressed in UTC"):
        BillingCycle(early)
    with pytest.raises(InvalidInstantError, match=r"^start:"):
        seconds_between(early, utc(2026, 1, 1))


# --- BillingCycle and BillingPeriod validation -------------------------------------------


def test_billing_cycle_refuses_naive_anchor() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^anchor: naive datetime"):
        BillingCycle(naive(2026, 1, 31), MONTHLY)


def test_billing_cycle_refuses_non_interval() -> None:
    with pytest.raises(InvalidIntervalError) as info:
        BillingCycle(utc(2026, 1, 31), "monthly")  # type: ignore[arg-type]
    assert info.value.argument == "interval"


def test_billing_cycle_defaults_to_monthly_in_utc() -> None:
    cycle = BillingCycle(utc(2026, 1, 31))
    assert cycle.interval == MONTHLY
    assert cycle.time_zone == "UTC"
    assert cycle.boundary(1).utcoffset() == timedelta(0)


def test_billing_cycle_is_a_hashable_value_and_evolves() -> None:
    a = BillingCycle(utc(2026, 1, 31), MONTHLY, "Europe/Paris")
    b = BillingCycle(utc(2026, 1, 31), MONTHLY, "Europe/Paris")
    assert a == b
    assert hash(a) == hash(b)
    c = attrs.evolve(a, time_zone="UTC")
    assert c != a
    assert c.boundary(1) == utc(2026, 2, 28)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.time_zone = "UTC"  # type: ignore[misc]


def test_billing_period_refuses_end_not_after_start() -> None:
    with pytest.raises(InvalidPeriodError) as info:
        BillingPeriod(utc(2026, 1, 31), utc(2026, 1, 31), 0)
    assert info.value.argument == "end"


def test_billing_period_compares_start_and_end_as_instants() -> None:
    # 01:50 EDT (05:50 UTC) to 01:10 EST (06:10 UTC): 20 minutes, though the wall clock goes back.
    start = datetime(2026, 11, 1, 1, 50, tzinfo=NY)
    end = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NY)
    assert BillingPeriod(start, end, 0).seconds == 1200
    with pytest.raises(InvalidPeriodError):
        BillingPeriod(end, start, 0)


def test_billing_period_refuses_naive_start() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^start:"):
        BillingPeriod(naive(2026, 1, 1), utc(2026, 2, 1), 0)


@pytest.mark.parametrize("index", [-1, True])
def test_billing_period_refuses_bad_index(index: int) -> None:
    with pytest.raises(InvalidPeriodError, match=r"^index:"):
        BillingPeriod(utc(2026, 1, 1), utc(2026, 2, 1), index)


# --- seconds_between and days_between -----------------------------------------------------


def test_seconds_between_a_new_york_spring_forward_day_is_82800() -> None:
    # Mar 8 00:00 EST (05:00 UTC) -> Mar 9 00:00 EDT (04:00 UTC): 23 h = 82800 s.
    # Subtracting the two NY datetimes directly would wrongly give 86400.
    start, end = datetime(2026, 3, 8, tzinfo=NY), datetime(2026, 3, 9, tzinfo=NY)
    assert (end - start).total_seconds() == 86400  # the trap seconds_between avoids
    assert seconds_between(start, end) == 82800


def test_seconds_between_a_new_york_fall_back_day_is_90000() -> None:
    start, end = datetime(2026, 11, 1, tzinfo=NY), datetime(2026, 11, 2, tzinfo=NY)
    assert seconds_between(start, end) == 90000  # 25 h


def test_seconds_between_mixed_zones() -> None:
    # 2026-01-01 00:00 Paris = 2025-12-31 23:00 UTC: one hour before UTC midnight.
    assert seconds_between(datetime(2026, 1, 1, tzinfo=PARIS), utc(2026, 1, 1)) == 3600


def test_seconds_between_floors_fractions_of_a_second() -> None:
    start = utc(2026, 1, 1)
    assert seconds_between(start, start + timedelta(seconds=1, microseconds=999_999)) == 1
    assert seconds_between(start, start + timedelta(microseconds=999_999)) == 0
    assert seconds_between(start, start) == 0


def test_seconds_between_refuses_end_before_start() -> None:
    with pytest.raises(InvalidPeriodError) as info:
        seconds_between(utc(2026, 1, 2), utc(2026, 1, 1))
    assert info.value.argument == "end"


def test_seconds_between_refuses_naive() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^end:"):
        seconds_between(utc(2026, 1, 1), naive(2026, 1, 2))


def test_days_between_is_half_open_unless_both_ends() -> None:
    # Jan 1 -> Jan 31: 30 days half-open; 31 counting both the first and last day.
    start, end = utc(2026, 1, 1), utc(2026, 1, 31)
    assert days_between(start, end) == 30
    assert days_between(start, end, both_ends=True) == 31
    assert days_between(start, start) == 0
    assert days_between(start, start, both_ends=True) == 1


def test_days_between_counts_local_dates_of_the_zone() -> None:
    # 02:00 UTC and 20:00 UTC on Jan 1 are the same UTC date (0 days), but in New York
    # they are Dec 31 21:00 and Jan 1 15:00: 1 day (2 counting both ends).
    start, end = utc(2026, 1, 1, 2), utc(2026, 1, 1, 20)
    assert days_between(start, end) == 0
    assert days_between(start, end, "America/New_York") == 1
    assert days_between(start, end, NY, both_ends=True) == 2
    # In Asia/Kolkata (+05:30) they are Jan 1 07:30 and Jan 2 01:30: also 1 day.
    assert days_between(start, end, "Asia/Kolkata") == 1


def test_days_between_ignores_time_of_day() -> None:
    # Jan 1 23:59 -> Jan 2 00:01 is two minutes but crosses one date line.
    assert days_between(utc(2026, 1, 1, 23, 59), utc(2026, 1, 2, 0, 1)) == 1


def test_days_between_across_dst_counts_calendar_days() -> None:
    # March 2026 in New York has 31 calendar days though it is 743 hours long.
    start, end = datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY)
    assert days_between(start, end, "America/New_York") == 31


def test_days_between_refuses_end_before_start_and_unknown_zone() -> None:
    with pytest.raises(InvalidPeriodError, match=r"^end:"):
        days_between(utc(2026, 1, 2), utc(2026, 1, 1))
    with pytest.raises(InvalidTimeZoneError):
        days_between(utc(2026, 1, 1), utc(2026, 1, 2), "Atlantis/Capital")


def test_every_error_is_a_subscription_rules_error() -> None:
    with pytest.raises(SubscriptionRulesError):
        Interval.parse("fortnightly")


def test_skipped_calendar_day_gives_an_empty_period_that_is_refused() -> None:
    # Pacific/Apia jumped from 2011-12-29 23:59:59 (-10:00) to 2011-12-31 00:00 (+14:00).
    # Daily boundary 2 (Dec 30 10:00) does not exist and moves forward onto Dec 31 10:00,
    # which is also boundary 3; period 2 would be empty.
    apia = ZoneInfo("Pacific/Apia")
    cycle = BillingCycle(datetime(2011, 12, 28, 10, tzinfo=apia), DAILY, "Pacific/Apia")
    assert cycle.boundary(2).isoformat() == "2011-12-31T10:00:00+14:00"
    assert cycle.boundary(3).isoformat() == "2011-12-31T10:00:00+14:00"
    with pytest.raises(InvalidPeriodError, match=r"^end: must be later than start"):
        cycle.period(2)
    # Lookup skips the empty period: Dec 29 10:00 -10:00 -> Dec 31 10:00 +14:00 is
    # period 1 (24 h of elapsed time), and Dec 31 12:00 falls in period 3.
    assert cycle.period(1).seconds == 86400
    assert cycle.index_containing(datetime(2011, 12, 31, 9, tzinfo=apia)) == 1
    assert cycle.index_containing(datetime(2011, 12, 31, 12, tzinfo=apia)) == 3


def test_a_bad_index_is_named_with_its_value() -> None:
    cycle = BillingCycle(utc(2026, 1, 31), MONTHLY)
    for bad in (-1, True, "1"):
        with pytest.raises(InvalidPeriodError) as refused:
            cycle.period(bad)  # type: ignore[arg-type]
        assert (refused.value.argument, refused.value.value) == ("index", bad)
