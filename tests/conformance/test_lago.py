"""Lago's published examples under ``LAGO_LIKE``.

Sources: the repository getlago/lago-api (snapshot 1b1c24a6a6, August 2026).
Amounts are in cents. Where a spec's figure includes tax, the test here
asserts the amount before tax and the docstring shows the spec's figure as
that amount × the rate; ``test_lago_taxes.py`` runs the same examples with the
customer taxed at the spec's rate and asserts the spec's own totals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conformance._engines import LAGO_TERMINATIONS, begun, catalog_of, changed, charged, credited
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    QUARTERLY,
    WEEKLY,
    YEARLY,
    Catalog,
    Decision,
    Interval,
    Limits,
    MoveKind,
    Plan,
    Price,
    Subscription,
    Usage,
    advance,
    annualised,
    change_plan,
    classify_move,
    start_subscription,
    terminate,
    upcoming_invoice,
)

#: spec/scenarios/subscriptions/multiple_upgrade_spec.rb: plan1 1000, plan2 1500, plan3 1900.
MULTIPLE = catalog_of({"plan1": "10.00", "plan2": "15.00", "plan3": "19.00"})


def test_anniversary_start_bills_a_whole_period() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/multiple_upgrade_spec.rb,
    "with anniversary billing" / "upgrades and bill subscriptions".

    Published: plan1 (1000, in advance) created 2024-03-05T12:12 with
    anniversary billing: the first invoice's fees are 1000.
    """
    start = begun(MULTIPLE, "plan1", datetime(2024, 3, 5, 12, 12, tzinfo=UTC), LAGO_LIKE)
    assert charged(start) == [1000]


def test_anniversary_upgrade_credits_and_charges_the_upgrade_day_onwards() -> None:
    """Same spec and example: upgrade to plan2 (1500) at 2024-03-12T12:12.

    Published: the new fee 1161 (1500 / 31 × 24: 12 Mar … 4 Apr of the period
    5 Mar … 4 Apr, the upgrade day included) and a credit note of 968
    (1000 / 31 × 24 × 1.25 tax). Before tax: 1000 × 24/31 = 774.19 → 774.
    """
    sub = begun(MULTIPLE, "plan1", datetime(2024, 3, 5, 12, 12, tzinfo=UTC), LAGO_LIKE).subscription
    up = changed(sub, MULTIPLE, "plan2", datetime(2024, 3, 12, 12, 12, tzinfo=UTC), LAGO_LIKE)
    assert (credited(up), charged(up)) == ([-774], [1161])


def test_a_second_upgrade_the_same_day_credits_what_was_billed() -> None:
    """Same spec and example: a second upgrade, to plan3 (1900), at 2024-03-12T13:12.

    Published: new fee 1471 (1900 / 31 × 24) and a credit note of 1451. Lago
    credits the 1161 billed an hour earlier, all 24 days of it: 1161 × 1.25 =
    1451.25 → 1451 (crediting the list price, 1500 × 24/31 × 1.25 = 1451.6,
    would give 1452). Before tax: 1161.
    """
    sub = begun(MULTIPLE, "plan1", datetime(2024, 3, 5, 12, 12, tzinfo=UTC), LAGO_LIKE).subscription
    sub = changed(
        sub, MULTIPLE, "plan2", datetime(2024, 3, 12, 12, 12, tzinfo=UTC), LAGO_LIKE
    ).subscription
    again = changed(sub, MULTIPLE, "plan3", datetime(2024, 3, 12, 13, 12, tzinfo=UTC), LAGO_LIKE)
    assert (credited(again), charged(again)) == ([-1161], [1471])


#: spec/scenarios/invoices/invoices_spec.rb, "when pay in advance subscription is upgraded".
ADVANCE = catalog_of({"plan": "29.00", "plan_new": "290.00"})


def test_pay_in_advance_upgrade_in_a_leap_february() -> None:
    """getlago/lago-api, spec/scenarios/invoices/invoices_spec.rb,
    "when pay in advance subscription is upgraded" / "bills fees correctly" (tax 0).

    Published: plan 2900 in advance, calendar billing, from 2024-01-01;
    upgraded to plan_new (29 000) at 2024-02-12T06:00: credit note 1800 (2900 ×
    18/29: 12 … 29 Feb) and the new plan's fee 18 000 (29 000 × 18/29). A
    subscription started on the 1st bills calendar months by its anniversary.
    """
    sub = begun(ADVANCE, "plan", datetime(2024, 1, 1, tzinfo=UTC), LAGO_LIKE).subscription
    sub = advance(
        sub, datetime(2024, 2, 1, tzinfo=UTC), catalog=ADVANCE, policy=LAGO_LIKE
    ).subscription
    up = changed(sub, ADVANCE, "plan_new", datetime(2024, 2, 12, 6, tzinfo=UTC), LAGO_LIKE)
    assert (credited(up), charged(up)) == ([-1800], [18000])


def test_pay_in_advance_upgrade_then_the_new_plan_renews_in_full() -> None:
    """Same spec and example: on 2024-03-01 the new plan's fee is 29 000 in full."""
    sub = begun(ADVANCE, "plan", datetime(2024, 1, 1, tzinfo=UTC), LAGO_LIKE).subscription
    sub = advance(
        sub, datetime(2024, 2, 1, tzinfo=UTC), catalog=ADVANCE, policy=LAGO_LIKE
    ).subscription
    sub = changed(
        sub, ADVANCE, "plan_new", datetime(2024, 2, 12, 6, tzinfo=UTC), LAGO_LIKE
    ).subscription
    renewed = advance(
        sub, datetime(2024, 3, 1, 12, 12, tzinfo=UTC), catalog=ADVANCE, policy=LAGO_LIKE
    )
    assert charged(renewed) == [29000]


def test_upgrade_credit_counts_the_upgrade_day_as_unused() -> None:
    """getlago/lago-api, spec/services/credit_notes/create_from_termination_spec.rb,
    the upgrade case of "#call" (monthly 3100 in advance, tax 20%).

    Published: started 2022-09-01 10:00, terminated by an upgrade on
    2022-10-15 10:00; the day price is 3100/31 = 100 and the 17 days 15 … 31
    Oct are credited: 1700 + 340 tax = 2040. Before tax: 1700.
    """
    catalog = catalog_of({"plan": "31.00", "bigger": "62.00"})
    sub = begun(catalog, "plan", datetime(2022, 9, 1, 10, tzinfo=UTC), LAGO_LIKE).subscription
    sub = advance(
        sub, datetime(2022, 10, 1, 10, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    ).subscription
    up = changed(sub, catalog, "bigger", datetime(2022, 10, 15, 10, tzinfo=UTC), LAGO_LIKE)
    assert credited(up) == [-1700]


def test_new_plan_fee_after_a_mid_month_upgrade() -> None:
    """getlago/lago-api, spec/services/fees/subscription_service_spec.rb,
    "when billing a new upgraded subscription" / "creates a subscription fee".

    Published: the new plan (100) started by an upgrade on 2022-03-15 00:00,
    billed for 15 … 31 Mar: amount_cents 55 (precise 54.8387…, 100 × 17/31).
    The previous plan (80) was billed in arrears there; its own fee does not
    enter the figure.
    """
    catalog = catalog_of({"previous": "0.80", "plan": "1.00"})
    sub = begun(catalog, "previous", datetime(2022, 3, 1, tzinfo=UTC), LAGO_LIKE).subscription
    up = changed(sub, catalog, "plan", datetime(2022, 3, 15, tzinfo=UTC), LAGO_LIKE)
    assert charged(up) == [55]


@pytest.mark.parametrize(
    ("previous", "interval", "expected"),
    [
        ("1.00", MONTHLY, MoveKind.UPGRADE),  # "with next subscription": equal fees
        ("1.10", MONTHLY, MoveKind.DOWNGRADE),  # "when previous plan was more expensive"
        ("1.00", YEARLY, MoveKind.DOWNGRADE),  # "when plans have different intervals"
    ],
)
def test_upgraded_compares_yearly_amounts_and_a_tie_is_an_upgrade(
    previous: str, interval: Interval, expected: MoveKind
) -> None:
    """getlago/lago-api, spec/models/subscription_spec.rb, describe "#upgraded?".

    Published: a move between plans of equal amounts is an upgrade; from a plan
    10 cents dearer it is not; from a monthly plan to a yearly one of the same
    amount it is not (the yearly amounts compared are 12 × the monthly fee
    against the yearly fee). Here the previous plan is monthly, the new one
    costs 100 cents per ``interval``.
    """
    old = Plan("previous", "Previous", (Price.of(previous, "EUR", MONTHLY),), Limits())
    new = Plan("plan", "Plan", (Price.of("1.00", "EUR", interval),), Limits())
    move = classify_move(old, MONTHLY, new, interval, by=LAGO_LIKE.classify_by)
    assert move is expected


def _calendar(
    catalog: Catalog, plan_id: str, at: datetime, first_of_month: datetime, time_zone: str = "UTC"
) -> Decision:
    """Lago's calendar billing: ``plan_id`` started at ``at``, anchored on ``first_of_month``."""
    return start_subscription(
        "sub_1", "cus_1", plan_id, MONTHLY, at, catalog=catalog, trial=False,
        time_zone=time_zone, policy=LAGO_LIKE, billing_anchor=first_of_month,
    )  # fmt: skip


def _ended(sub_decision: Decision, at: datetime, catalog: Catalog) -> Decision:
    """``terminate`` of the decision's subscription at ``at`` under ``LAGO_LIKE``."""
    result = terminate(sub_decision.subscription, at, catalog=catalog, policy=LAGO_LIKE)
    assert isinstance(result, Decision), result
    return result


def test_calendar_billing_upgrades_credit_and_charge_to_the_month_end() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/multiple_upgrade_spec.rb,
    "with calendar billing" / "upgrades and bill subscriptions" (tax 25%).

    Published: plan1 (1000) from 2024-03-05T12:12, calendar billing: fees 871
    (1000 / 31 × 27: 5 … 31 Mar). Upgrade to plan2 (1500) at 03-12T12:12:
    fees 968 (1500 / 31 × 20: 12 … 31 Mar), credit note 806 (1000 / 31 × 20 ×
    1.25; before tax 645.16 → 645, the stub's 871 × 20/27 = 645.19 → 645
    likewise). Upgrade to plan3 (1900) at 13:12: fees 1226 (1900 / 31 × 20),
    credit note 1210 (the 968 billed an hour earlier × 1.25). Before tax: 968.
    Here: calendar billing is a billing anchor on 2024-04-01.
    """
    start = _calendar(
        MULTIPLE,
        "plan1",
        datetime(2024, 3, 5, 12, 12, tzinfo=UTC),
        datetime(2024, 4, 1, tzinfo=UTC),
    )
    assert charged(start) == [871]
    up = changed(
        start.subscription, MULTIPLE, "plan2", datetime(2024, 3, 12, 12, 12, tzinfo=UTC), LAGO_LIKE
    )
    assert (credited(up), charged(up)) == ([-645], [968])
    again = changed(
        up.subscription, MULTIPLE, "plan3", datetime(2024, 3, 12, 13, 12, tzinfo=UTC), LAGO_LIKE
    )
    assert (credited(again), charged(again)) == ([-968], [1226])


#: spec/scenarios/subscriptions/free_trial_billing_spec.rb: 5 000 000 with a 10-day
#: trial; the upgrade plan 10 000 000 with a 13-day trial (both in advance).
TRIALS = Catalog(
    (
        Plan("plan", "Plan", (Price.of("50000.00", "EUR"),), Limits(), trial_days=10),
        Plan("upgrade", "Upgrade", (Price.of("100000.00", "EUR"),), Limits(), trial_days=13),
    )
)


def test_calendar_billing_after_a_free_trial_bills_the_trial_end_to_the_month_end() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/free_trial_billing_spec.rb,
    "with free trial" / "bills the customer at the end of the free trial".

    Published: 5 000 000 a month (calendar billing, the default) from
    2024-03-05T12:12 with a 10-day trial: nothing billed until the trial ends
    at 03-15T12:12; then the subscription fee 2 741 935 ((31 − 4 − 10) / 31 ×
    5 000 000: 15 … 31 Mar, 17 days; 2 741 935.48 → 2 741 935).
    """
    start = start_subscription(
        "sub_1", "cus_1", "plan", MONTHLY, datetime(2024, 3, 5, 12, 12, tzinfo=UTC),
        catalog=TRIALS, policy=LAGO_LIKE, billing_anchor=datetime(2024, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    assert charged(start) == []
    converted = advance(
        start.subscription,
        datetime(2024, 3, 15, 13, 2, tzinfo=UTC),
        catalog=TRIALS,
        policy=LAGO_LIKE,
    )
    assert [i.issued_at for i in converted.invoices] == [datetime(2024, 3, 15, 12, 12, tzinfo=UTC)]
    assert charged(converted) == [2_741_935]


def test_an_upgrade_during_the_trial_counts_the_new_trial_from_the_start() -> None:
    """Same spec, "with a plan upgrade during the trial" (calendar billing).

    Published: upgraded at 2024-03-10T12:12 to a plan of 10 000 000 with a
    13-day trial: nothing billed on 03-15; the trial ends 13 days after the
    first start (03-18T12:12), billed 4 516 129 ((31 − 4 − 13) / 31 ×
    10 000 000: 18 … 31 Mar, 14 days); on 2024-04-01 the fee is 10 000 000.
    The usage charges of the spec (1000, 1200) are metered, not plan fees,
    and are left out.
    """
    start = start_subscription(
        "sub_1", "cus_1", "plan", MONTHLY, datetime(2024, 3, 5, 12, 12, tzinfo=UTC),
        catalog=TRIALS, policy=LAGO_LIKE, billing_anchor=datetime(2024, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    up = changed(
        start.subscription, TRIALS, "upgrade", datetime(2024, 3, 10, 12, 12, tzinfo=UTC), LAGO_LIKE
    )
    assert (credited(up), charged(up)) == ([], [])
    quiet = advance(
        up.subscription, datetime(2024, 3, 15, 13, tzinfo=UTC), catalog=TRIALS, policy=LAGO_LIKE
    )
    assert charged(quiet) == []
    converted = advance(
        quiet.subscription, datetime(2024, 3, 18, 13, tzinfo=UTC), catalog=TRIALS, policy=LAGO_LIKE
    )
    assert charged(converted) == [4_516_129]
    renewed = advance(
        converted.subscription, datetime(2024, 4, 1, 12, 12, tzinfo=UTC), catalog=TRIALS,
        policy=LAGO_LIKE,
    )  # fmt: skip
    assert charged(renewed) == [10_000_000]


#: spec/services/credit_notes/create_from_termination_spec.rb: 3100 in advance, calendar.
THIRTY_ONE = catalog_of({"plan": "31.00"}, "EUR")


@pytest.mark.parametrize(
    ("time_zone", "started", "terminated", "credit"),
    [(zone, started, ended, days * 100) for zone, started, ended, days in LAGO_TERMINATIONS],
)
def test_termination_credits_the_days_after_the_termination_day(
    time_zone: str, started: datetime, terminated: datetime, credit: int
) -> None:
    """getlago/lago-api, spec/services/credit_notes/create_from_termination_spec.rb,
    "creates a credit note" and "with a different timezone" (tax 20%).

    Published: 3100 a month in advance, calendar billing, from 2022-09-01
    10:00, terminated 2022-10-15 10:00: unused 16 days (16 … 31 Oct; the
    termination day is used) = 1600, + 320 tax = 1920. From 09-01 12:00,
    terminated 10-15 01:00 UTC: in Los Angeles that is still 14 Oct, 17 days
    unused = 1700 (+ 340 = 2040); in Paris 15 Oct, 1600 (+ 320 = 1920).
    Before tax: 1600, 1700, 1600. Here: calendar billing is a billing anchor
    on 1 Oct, midnight in the customer's zone (September's stub is whole).
    """
    anchor = datetime(2022, 10, 1, tzinfo=ZoneInfo(time_zone))
    start = _calendar(THIRTY_ONE, "plan", started, anchor, time_zone)
    october = advance(start.subscription, anchor, catalog=THIRTY_ONE, policy=LAGO_LIKE)
    assert charged(start) + charged(october) == [3100, 3100]
    assert credited(_ended(october, terminated, THIRTY_ONE)) == [-credit]


def test_termination_credit_of_half_a_cent_rounds_half_up() -> None:
    """Same spec, "with rounding at max precision" (999, anniversary billing, tax 0).

    Published: from 2023-01-30 10:00, terminated 2023-03-14 10:00: the unused
    15 days of the 30-day period (15/30 × 999 = 499.5) give Lago's
    precise_item_amount_cents 499.49999 and a credit of 499 (its float
    arithmetic falls just short of the half). Ours: exactly 999 × 15/30 =
    499.5 → 500, half up as every other figure: a deliberate difference (see
    docs/policies.md, "Where the presets differ from the engines, and why").
    The period: 28 Feb (30 Jan + 1 month, clamped) … 30 Mar, 30 days.
    """
    catalog = catalog_of({"plan": "9.99"}, "EUR")
    start = begun(catalog, "plan", datetime(2023, 1, 30, 10, tzinfo=UTC), LAGO_LIKE)
    renewed = advance(
        start.subscription, datetime(2023, 2, 28, 10, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    )
    assert charged(renewed) == [999]
    assert credited(_ended(renewed, datetime(2023, 3, 14, 10, tzinfo=UTC), catalog)) == [-500]


def test_manual_termination_credits_the_unconsumed_fee() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/terminate_manually_spec.rb,
    "with pay-in-advance subscription" / "when terminating with default
    behaviors" (tax 20%, UTC).

    Published: 10 000 in advance, calendar billing, from 2025-02-08: the first
    invoice is 9000 (21 of February's 28 days = 7500, + 1500 tax); terminated
    2025-02-21: a credit note of 3000 (7 unused days: 7/28 × 10 000 = 2500,
    + 500 tax) to the customer's credit. Before tax: 7500 and 2500. The
    metered charge of the spec (5000) is left out.
    """
    catalog = catalog_of({"plan": "100.00"}, "EUR")
    start = _calendar(
        catalog, "plan", datetime(2025, 2, 8, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)
    )
    assert charged(start) == [7500]
    ended = _ended(start, datetime(2025, 2, 21, tzinfo=UTC), catalog)
    assert credited(ended) == [-2500]
    assert ended.subscription.credit_balance.minor == 2500


@pytest.mark.parametrize(
    ("time_zone", "anchored", "billed", "credit"),
    [
        ("UTC", True, 3750, 3571),
        ("Asia/Tokyo", True, 3750, 3571),
        ("America/Los_Angeles", True, 3929, 3750),
        ("UTC", False, 5000, 4821),
    ],
)
def test_terminated_on_the_day_it_started(
    time_zone: str, anchored: bool, billed: int, credit: int
) -> None:
    """getlago/lago-api, spec/scenarios/terminate_pay_in_advance_spec.rb (tax 20%).

    Published: 5000 in advance, created and terminated at 2023-02-08 00:00 UTC.
    Calendar billing, UTC (and Asia/Tokyo): invoice 4500 (21 of 28 days:
    3750 + 20%), credit note 4285 (20 days: 3571.43 → 3571, + 714 tax). In
    Los Angeles it is still 7 Feb: invoice 4715 (22 days: 3928.57 → 3929, +
    786), credit note 4500 (21 days: 3750 + 750). Anniversary billing: 6000
    (the whole 28-day period), credit note 5785 (27 days: 4821.43 → 4821, +
    964). Before tax: 3750/3571, 3929/3750, 5000/4821 (ours credits the
    stub as billed: 3929 × 21/22 = 3750.3 → 3750, 3750 × 20/21 → 3571).
    """
    at = datetime(2023, 2, 8, tzinfo=UTC)
    first = datetime(2023, 3, 1, tzinfo=ZoneInfo(time_zone)) if anchored else None
    catalog = catalog_of({"plan": "50.00"}, "EUR")
    start = start_subscription(
        "sub_1", "cus_1", "plan", MONTHLY, at, catalog=catalog, trial=False,
        time_zone=time_zone, policy=LAGO_LIKE, billing_anchor=first,
    )  # fmt: skip
    assert charged(start) == [billed]
    ended = _ended(start, at, catalog)
    assert (credited(ended), charged(ended)) == ([-credit], [])


@pytest.mark.parametrize(
    ("interval", "yearly"), [(YEARLY, 100), (MONTHLY, 1200), (WEEKLY, 5200), (QUARTERLY, 400)]
)
def test_yearly_amount_counts_52_weeks(interval: Interval, yearly: int) -> None:
    """getlago/lago-api, spec/models/plan_spec.rb, describe "#yearly_amount_cents".

    Published: a plan of 100 cents gives 100 a year when yearly, 1200 monthly,
    5200 weekly (52 weeks) and 400 quarterly. ``LAGO_LIKE.weeks_per_year``
    is 52, so a weekly 100 is 5200 (by days it would be 100 × 365/7 = 5214.29).
    """
    price = Price.of("1.00", "EUR", interval)
    assert annualised(price, weeks_per_year=LAGO_LIKE.weeks_per_year) * 100 == yearly


def test_a_weekly_plan_tied_with_a_yearly_one_is_an_upgrade() -> None:
    """getlago/lago-api, app/models/plan.rb ``yearly_amount_cents`` (weekly × 52, as
    spec/models/plan_spec.rb publishes) and spec/models/subscription_spec.rb
    "#upgraded?" (equal yearly amounts are an upgrade).

    EUR 10.00 a week → EUR 520.00 a year: 10 × 52 = 520 = 520, a tie, so an
    upgrade under ``LAGO_LIKE`` (by 365/7 weeks the weekly plan would cost
    521.43 and the move would be a downgrade).
    """
    weekly = Plan("weekly", "Weekly", (Price.of("10.00", "EUR", WEEKLY),), Limits())
    yearly = Plan("yearly", "Yearly", (Price.of("520.00", "EUR", YEARLY),), Limits())
    move = classify_move(
        weekly, WEEKLY, yearly, YEARLY, by=LAGO_LIKE.classify_by,
        weeks_per_year=LAGO_LIKE.weeks_per_year,
    )  # fmt: skip
    assert move is MoveKind.UPGRADE


#: spec/scenarios/subscriptions/upgrade_spec.rb: monthly 1000 and yearly 12 000, in advance.
UPGRADE_YEARLY = Catalog(
    (
        Plan("monthly", "Monthly", (Price.of("10.00", "USD", MONTHLY),), Limits()),
        Plan("yearly", "Yearly", (Price.of("120.00", "USD", YEARLY),), Limits()),
    )
)


def _to_yearly(sub: Subscription, catalog: Catalog, at: datetime) -> Decision:
    result = change_plan(
        sub, "yearly", YEARLY, at, catalog=catalog, usage=Usage(), policy=LAGO_LIKE
    )
    assert isinstance(result, Decision), result
    return result


def _monthly_since_june() -> Subscription:
    """Monthly from 2023-06-29T12:12 (anniversary), renewed on 29 Jul and 29 Aug."""
    sub = begun(
        UPGRADE_YEARLY, "monthly", datetime(2023, 6, 29, 12, 12, tzinfo=UTC), LAGO_LIKE
    ).subscription
    return advance(
        sub, datetime(2023, 8, 29, 12, 12, tzinfo=UTC), catalog=UPGRADE_YEARLY, policy=LAGO_LIKE
    ).subscription


def test_monthly_to_yearly_upgrade_keeps_the_anniversary() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/upgrade_spec.rb,
    "upgrades and bill subscriptions on a regular basis".

    Published: monthly 1000 (anniversary) from 2023-06-29T12:12, upgraded to
    yearly 12 000 at 2023-09-28T05:00: credit note 32 ("1000 / 31": the day
    28 Sep of the period 29 Aug … 28 Sep); the yearly fee
    ``(2024-06-29 − 2023-09-28) days × 12 000 / 366`` = 275 × 32.786… =
    9016.39 → 9016: the yearly period holding the change keeps the anchor,
    29 Jun 2023 … 28 Jun 2024 (366 days, both ends counted).
    """
    sub = _monthly_since_june()
    up = _to_yearly(sub, UPGRADE_YEARLY, datetime(2023, 9, 28, 5, tzinfo=UTC))
    assert (credited(up), charged(up)) == ([-32], [9016])
    moved = up.subscription
    assert moved.current_period.end == datetime(2024, 6, 29, 12, 12, tzinfo=UTC)
    stretch = moved.stretches[-1]
    assert (stretch.billed.minor, stretch.units, stretch.denominator) == (9016, 275, 366)


def test_monthly_to_yearly_upgrade_then_renews_the_year_in_full_on_the_anniversary() -> None:
    """Same spec and catalog: the yearly plan's next fee, on 2024-06-29T12:12,
    is 12 000 in full (a whole year from the kept anchor).
    """
    sub = _monthly_since_june()
    sub = _to_yearly(sub, UPGRADE_YEARLY, datetime(2023, 9, 28, 5, tzinfo=UTC)).subscription
    renewed = advance(
        sub, datetime(2024, 6, 29, 12, 12, tzinfo=UTC), catalog=UPGRADE_YEARLY, policy=LAGO_LIKE
    )
    assert charged(renewed) == [12000]


#: spec/scenarios/subscriptions/downgrade_spec.rb: monthly 12 900 and yearly 118 800, in advance.
DOWNGRADE_YEARLY = Catalog(
    (
        Plan("monthly", "Monthly", (Price.of("129.00", "USD", MONTHLY),), Limits()),
        Plan("yearly", "Yearly", (Price.of("1188.00", "USD", YEARLY),), Limits()),
    )
)


def _downgraded_at_period_end() -> Subscription:
    """Monthly from 2023-07-19T12:12, renewed to 2023-10-19, yearly asked for on 2023-11-09."""
    sub = begun(
        DOWNGRADE_YEARLY, "monthly", datetime(2023, 7, 19, 12, 12, tzinfo=UTC), LAGO_LIKE
    ).subscription
    sub = advance(
        sub, datetime(2023, 11, 9, tzinfo=UTC), catalog=DOWNGRADE_YEARLY, policy=LAGO_LIKE
    ).subscription
    return _to_yearly(sub, DOWNGRADE_YEARLY, datetime(2023, 11, 9, tzinfo=UTC)).subscription


def test_monthly_to_yearly_downgrade_at_period_end_bills_to_the_next_anniversary() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/downgrade_spec.rb (first example).

    Published: monthly 12 900 (anniversary) from 2023-07-19T12:12; a downgrade
    to yearly 118 800 asked for on 2023-11-09 takes effect at the period end,
    2023-11-19: the new subscription's invoice is ``118 800 / 366 × 243``
    (19 Nov 2023 … 18 Jul 2024, both ends) = 78 875.4… → 78 875.
    """
    sub = _downgraded_at_period_end()
    assert sub.pending_change is not None
    renewed = advance(
        sub, datetime(2023, 11, 19, 12, 12, tzinfo=UTC), catalog=DOWNGRADE_YEARLY, policy=LAGO_LIKE
    )
    assert charged(renewed) == [78875]
    after = renewed.subscription
    assert after.current_period.end == datetime(2024, 7, 19, 12, 12, tzinfo=UTC)
    stretch = after.stretches[-1]
    assert (stretch.units, stretch.denominator) == (243, 366)


def test_the_upcoming_invoice_of_a_period_end_interval_change_is_what_advance_bills() -> None:
    """Same example: the preview before 2023-11-19 shows the prorated 78 875, then the whole
    year 118 800 is billed on the anniversary 2024-07-19T12:12.
    """
    sub = _downgraded_at_period_end()
    preview = upcoming_invoice(
        sub, datetime(2023, 11, 10, tzinfo=UTC), catalog=DOWNGRADE_YEARLY, policy=LAGO_LIKE
    )
    assert preview is not None
    assert [line.amount.minor for line in preview.lines] == [78875]
    assert preview.period_start == datetime(2023, 11, 19, 12, 12, tzinfo=UTC)
    renewed = advance(
        sub, datetime(2024, 7, 19, 12, 12, tzinfo=UTC), catalog=DOWNGRADE_YEARLY, policy=LAGO_LIKE
    )
    assert charged(renewed) == [78875, 118800]
