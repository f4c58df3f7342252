"""Conventions of a plan change that the engines disagree on.

How a weekly price is annualised (``weeks_per_year``). Every figure is worked
out by hand in the test's docstring, or copied from the cited source.
"""

from __future__ import annotations

import attrs
import pytest

from helpers import decided, started, utc
from subscription_rules import (
    LAGO_LIKE,
    SEED_POLICY,
    WEEKLY,
    YEARLY,
    Catalog,
    ChangeQuote,
    MoveKind,
    Plan,
    Price,
    Timing,
    Usage,
    WeeksPerYear,
    annualised,
    change_plan,
    classify_move,
    quote_change,
)
from subscription_rules.errors import InvalidArgumentError, InvalidPolicyError

NO_USAGE = Usage.of()

# --- weeks_per_year ---------------------------------------------------------------------------

WEEKLY_10 = Plan("weekly10", "Weekly", (Price.of("10.00", "EUR", WEEKLY),))
YEARLY_520 = Plan("yearly520", "Yearly", (Price.of("520.00", "EUR", YEARLY),))
WEEKS_CATALOG = Catalog((WEEKLY_10, YEARLY_520))


def test_a_weekly_price_annualises_to_365_over_7_weeks_or_to_52_weeks() -> None:
    """EUR 10.00 a week: 10 × 365/7 = 3650/7 (521.43) a year exactly; 10 × 52 = 520 under Lago's count."""
    price = WEEKLY_10.price(WEEKLY)
    assert annualised(price) == pytest.approx(3650 / 7)
    assert annualised(price) * 7 == 3650
    assert annualised(price, weeks_per_year=WeeksPerYear.FIFTY_TWO) == 520


def test_every_two_weeks_counts_26_periods_under_fifty_two_weeks() -> None:
    """EUR 20.00 every 2 weeks: 20 × 52/2 = 520; by days 20 × 365/14 = 3650/7."""
    price = Price.of("20.00", "EUR", "2 weeks")
    assert annualised(price, weeks_per_year=WeeksPerYear.FIFTY_TWO) == 520
    assert annualised(price) * 7 == 3650


def test_fifty_two_weeks_leaves_days_and_months_alone() -> None:
    """A day is 1/365 of a year and a month 1/12 whichever way weeks are counted."""
    for price in (Price.of("1.00", "EUR", "daily"), Price.of("50.00", "EUR", "monthly")):
        assert annualised(price, weeks_per_year=WeeksPerYear.FIFTY_TWO) == annualised(price)


def test_weekly_against_yearly_is_a_downgrade_by_days_and_a_tied_upgrade_by_52_weeks() -> None:
    """EUR 10.00 a week → EUR 520.00 a year.

    By 365/7 weeks the weekly plan costs 521.43 a year, so 520 is cheaper: a
    downgrade. By 52 weeks it costs 520: a tie, which counts as an upgrade
    (Lago: getlago/lago-api ``app/models/plan.rb``, ``yearly_amount_cents``
    is ``amount_cents * 52`` for a weekly plan, and ``Subscription#upgraded?``
    is ``plan.yearly_amount_cents <= next_plan.yearly_amount_cents``).
    """
    assert classify_move(WEEKLY_10, WEEKLY, YEARLY_520, YEARLY) is MoveKind.DOWNGRADE
    assert (
        classify_move(WEEKLY_10, WEEKLY, YEARLY_520, YEARLY, weeks_per_year=WeeksPerYear.FIFTY_TWO)
        is MoveKind.UPGRADE
    )
    # And back: 520 → 521.43 is an upgrade either way (a tie under 52 weeks).
    assert classify_move(YEARLY_520, YEARLY, WEEKLY_10, WEEKLY) is MoveKind.UPGRADE
    assert (
        WEEKS_CATALOG.classify(
            "yearly520", YEARLY, "weekly10", WEEKLY, weeks_per_year=WeeksPerYear.FIFTY_TWO
        )
        is MoveKind.UPGRADE
    )


def test_lago_like_counts_52_weeks_so_the_tied_move_is_an_immediate_upgrade() -> None:
    """Under the seed policy the move is a downgrade, at the period end; under LAGO_LIKE an upgrade, now."""
    sub = started("weekly10", utc(2027, 1, 4), interval=WEEKLY, catalog=WEEKS_CATALOG)
    lago_sub = started(
        "weekly10", utc(2027, 1, 4), interval=WEEKLY, catalog=WEEKS_CATALOG, policy=LAGO_LIKE
    )
    at = utc(2027, 1, 6)
    seed = quote_change(
        sub, "yearly520", YEARLY, at, catalog=WEEKS_CATALOG, usage=NO_USAGE, policy=SEED_POLICY
    )
    lago = quote_change(
        lago_sub, "yearly520", YEARLY, at, catalog=WEEKS_CATALOG, usage=NO_USAGE, policy=LAGO_LIKE
    )
    assert isinstance(seed, ChangeQuote)
    assert isinstance(lago, ChangeQuote)
    assert (seed.kind, seed.timing) == (MoveKind.DOWNGRADE, Timing.PERIOD_END)
    assert (lago.kind, lago.timing) == (MoveKind.UPGRADE, Timing.IMMEDIATELY)
    assert LAGO_LIKE.weeks_per_year is WeeksPerYear.FIFTY_TWO
    assert SEED_POLICY.weeks_per_year is WeeksPerYear.EXACT
    decision = decided(
        change_plan(
            lago_sub,
            "yearly520",
            YEARLY,
            at,
            catalog=WEEKS_CATALOG,
            usage=NO_USAGE,
            policy=LAGO_LIKE,
        )
    )
    assert decision.subscription.plan_id == "yearly520"


def test_weeks_per_year_must_be_a_choice() -> None:
    with pytest.raises(InvalidPolicyError, match=r"^weeks_per_year: expected a WeeksPerYear"):
        attrs.evolve(SEED_POLICY, weeks_per_year=52)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^weeks_per_year: expected a WeeksPerYear"):
        classify_move(WEEKLY_10, WEEKLY, YEARLY_520, YEARLY, weeks_per_year=52)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^weeks_per_year: expected a WeeksPerYear"):
        annualised(WEEKLY_10.price(WEEKLY), weeks_per_year="52")  # type: ignore[arg-type]
