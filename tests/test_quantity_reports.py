"""Reports that know quantities and currencies: the usage report, the upcoming invoice, the summary.

A plan sold per seat limits the seats by the subscription's quantity (the seats
bought), so ``usage_report`` takes it; ``billing_summary`` carries the quantity
and the currency, and the upcoming invoice prices the quantity in the
subscription's currency. The catalog is ``docs/examples/catalog-seats.toml``:
Team is USD 12.00 / EUR 11.00 per seat a month, Scale graduated (1–10 at
USD 10.00, 11–50 at 8.00, 51+ at 6.00 plus a USD 20.00 flat fee).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import utc
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    Currency,
    Money,
    Usage,
    billing_summary,
    default_catalog,
    load_catalog,
    start_subscription,
    upcoming_invoice,
    usage_report,
)
from subscription_rules.errors import InvalidQuantityError
from subscription_rules.serialization import load
from subscription_rules.summary import BillingSummary

ROOT = Path(__file__).resolve().parent.parent
SEATS = load_catalog(ROOT / "docs" / "examples" / "catalog-seats.toml")
JAN_1, JAN_10 = utc(2027, 1, 1), utc(2027, 1, 10)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_a_per_seat_plans_seats_are_limited_by_the_quantity_bought() -> None:
    """5 seats bought, 4 in use: 80% (4/5), 1 left; 7 in use: over by 2."""
    team = SEATS.plan("team")
    line = usage_report(team, Usage.of(seats=4), SEATS.metrics, quantity=5).line("seats")
    assert (line.used, line.limit, line.remaining, line.percent, line.excess) == (4, 5, 1, 80, 0)
    over = usage_report(team, Usage.of(seats=7), SEATS.metrics, quantity=5).line("seats")
    assert over.describe() == "seats: 7 of 5 (140%), over the limit by 2"


def test_without_a_quantity_the_seats_line_shows_the_plans_own_limit() -> None:
    team = SEATS.plan("team")
    line = usage_report(team, Usage.of(seats=4), SEATS.metrics).line("seats")
    assert line.limit is None
    assert line.describe() == "seats: 4 (unlimited)"


def test_the_quantity_limits_only_the_plans_unit() -> None:
    """Team's API calls keep their limit of 100,000 whatever the seats."""
    team = SEATS.plan("team")
    report = usage_report(team, Usage.of(api_calls=50_000), SEATS.metrics, quantity=3)
    assert report.line("api_calls").limit == 100_000


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0"),
        (True, "quantity: must be an int from 1 to 1,000,000,000,000,000, got bool True"),
        (2, "quantity: plan 'personal' is priced flat, not per unit; must be 1, got 2"),
    ],
)
def test_a_quantity_that_is_not_a_count_of_units_is_refused(quantity: int, message: str) -> None:
    personal = default_catalog().plan("personal")
    with pytest.raises(InvalidQuantityError) as info:
        usage_report(personal, Usage(), quantity=quantity)
    assert str(info.value) == message


def test_a_flat_plan_accepts_a_quantity_of_one() -> None:
    personal = default_catalog().plan("personal")
    assert usage_report(personal, Usage(), quantity=1) == usage_report(personal, Usage())


def test_the_summary_of_a_per_seat_eur_subscription_shows_its_quantity_and_currency() -> None:
    """3 Team seats in EUR: the renewal on 1 Feb bills 3 × EUR 11.00 = EUR 33.00."""
    sub = start_subscription(
        "s",
        "c",
        "team",
        MONTHLY,
        JAN_1,
        catalog=SEATS,
        trial=False,
        quantity=3,
        currency="EUR",
        policy=SEED_POLICY,
    ).subscription
    summary = billing_summary(sub, Usage.of(seats=3), JAN_10, catalog=SEATS, policy=SEED_POLICY)
    assert (summary.quantity, summary.currency) == (3, Currency.of("EUR"))
    assert summary.usage.line("seats").describe() == "seats: 3 of 3 (100%), 0 remaining"
    assert summary.upcoming is not None
    (line,) = summary.upcoming.lines
    assert line.description == "Team (3 seats × EUR 11.00), monthly, from 1 Feb 2027 to 1 Mar 2027"
    assert (line.amount, summary.upcoming.amount_due) == (eur("33.00"), eur("33.00"))
    assert summary.credit_balance == eur("0")


def test_the_upcoming_invoice_of_a_tiered_plan_prices_the_quantity_by_its_tiers() -> None:
    """12 Scale seats, graduated: 10 × 10.00 + 2 × 8.00 = USD 116.00 a month."""
    sub = start_subscription(
        "s",
        "c",
        "scale",
        MONTHLY,
        JAN_1,
        catalog=SEATS,
        trial=False,
        quantity=12,
        policy=SEED_POLICY,
    ).subscription
    invoice = upcoming_invoice(sub, JAN_10, catalog=SEATS, policy=SEED_POLICY)
    assert invoice is not None
    (line,) = invoice.lines
    assert line.amount == Money.of("116.00", "USD")
    assert "1–10: 10 × USD 10.00 = USD 100.00; 11–12: 2 × USD 8.00 = USD 16.00" in line.description


def test_a_flat_subscriptions_summary_has_quantity_one_in_its_currency() -> None:
    catalog = default_catalog()
    sub = start_subscription(
        "s", "c", "pro", MONTHLY, JAN_1, catalog=catalog, trial=False, policy=SEED_POLICY
    ).subscription
    summary = billing_summary(sub, Usage(), JAN_10, catalog=catalog, policy=SEED_POLICY)
    assert (summary.quantity, summary.currency) == (1, Currency.of("USD"))


def test_a_summary_stored_before_quantities_loads_with_one_unit_in_its_balances_currency() -> None:
    """The version-1 golden summary has neither key: quantity 1, the credit balance's currency."""
    path = ROOT / "tests" / "golden" / "v1" / "billing_summary.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "quantity" not in document
    assert "currency" not in document
    summary = load(document, BillingSummary)
    assert (summary.quantity, summary.currency) == (1, Currency.of("USD"))
