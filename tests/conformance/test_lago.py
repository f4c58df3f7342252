"""Lago's published examples under ``LAGO_LIKE``.

Sources: the repository getlago/lago-api (snapshot 1b1c24a6a6, August 2026).
Amounts are in cents. Lago adds taxes to its credit notes; taxes are the
host's, so where a spec's credit includes tax the test asserts the amount
before tax and the docstring shows the spec's figure as that amount × the rate.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance._engines import begun, catalog_of, changed, charged, credited
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
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
    change_plan,
    classify_move,
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
