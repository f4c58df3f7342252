"""Lago's published examples with their tax, under ``LAGO_LIKE`` and a customer taxed by the host.

Sources: the repository getlago/lago-api (snapshot 1b1c24a6a6, August 2026),
the same specs as ``test_lago.py``, whose figures there are asserted before
tax. Here the customer carries the spec's tax rate (20 % or 25 %, exclusive),
so the totals are the spec's own: the invoice's fees plus their tax, and the
credit note's amount tax included. Lago taxes a credit note as its items:
the credited amount times the rate; ours takes the tax of the credited
stretch in proportion to the credit (a credit never returns more tax than was
billed), which gives Lago's figure in every example below. Amounts are in
cents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conformance._engines import LAGO_TERMINATIONS, catalog_of
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    Catalog,
    CustomerTax,
    Decision,
    Subscription,
    TaxRate,
    Usage,
    advance,
    change_plan,
    start_subscription,
    terminate,
)

#: spec/scenarios/subscriptions/multiple_upgrade_spec.rb: plan1 1000, plan2 1500, plan3 1900.
MULTIPLE = catalog_of({"plan1": "10.00", "plan2": "15.00", "plan3": "19.00"})


def _tax(percent: str) -> CustomerTax:
    return CustomerTax(TaxRate(f"VAT {percent} %", "FR", percent))


def _started(
    catalog: Catalog,
    plan_id: str,
    at: datetime,
    percent: str,
    *,
    first_of_month: datetime | None = None,
    time_zone: str = "UTC",
) -> Decision:
    return start_subscription(
        "sub_1", "cus_1", plan_id, MONTHLY, at, catalog=catalog, trial=False,
        time_zone=time_zone, policy=LAGO_LIKE, billing_anchor=first_of_month,
        tax=_tax(percent),
    )  # fmt: skip


def _changed(sub: Subscription, catalog: Catalog, plan_id: str, at: datetime) -> Decision:
    result = change_plan(
        sub, plan_id, sub.interval, at, catalog=catalog, usage=Usage(), policy=LAGO_LIKE
    )
    assert isinstance(result, Decision), result
    return result


def _ended(decision: Decision, at: datetime, catalog: Catalog) -> Decision:
    result = terminate(decision.subscription, at, catalog=catalog, policy=LAGO_LIKE)
    assert isinstance(result, Decision), result
    return result


def _invoiced(decision: Decision) -> list[tuple[int, int, int]]:
    """Each invoice's (subtotal, tax, total) in cents."""
    return [(i.subtotal.minor, i.tax.minor, i.total.minor) for i in decision.invoices]


def _credited(decision: Decision) -> list[tuple[int, int, int]]:
    """Each credit note's (subtotal, tax, amount) in cents, positive."""
    return [(n.subtotal.minor, n.tax.minor, n.amount.minor) for n in decision.credit_notes]


def test_anniversary_upgrades_with_25_percent_tax() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/multiple_upgrade_spec.rb,
    "with anniversary billing" (tax 25 %).

    Published: plan1 (1000) from 2024-03-05T12:12; upgraded to plan2 (1500) at
    03-12T12:12: credit note 968 (1000 / 31 × 24 × 1.25 = 967.74); upgraded
    to plan3 (1900) at 13:12: credit note 1451 (1161 × 1.25 = 1451.25).
    Ours: the first invoice 1000 + 250 = 1250. The first credit is 774 of the
    1000 billed (24/31: 774.19 → 774) with 250 × 774/1000 = 193.5 → 194 of
    its tax: 968. The upgrade bills 1161 + 290.25 → 290 = 1451; the second
    upgrade credits all of it, 1161 and its 290 of tax: 1451.
    """
    start = _started(MULTIPLE, "plan1", datetime(2024, 3, 5, 12, 12, tzinfo=UTC), "25")
    assert _invoiced(start) == [(1000, 250, 1250)]
    up = _changed(start.subscription, MULTIPLE, "plan2", datetime(2024, 3, 12, 12, 12, tzinfo=UTC))
    assert _credited(up) == [(774, 194, 968)]
    assert _invoiced(up) == [(1161, 290, 1451)]
    again = _changed(up.subscription, MULTIPLE, "plan3", datetime(2024, 3, 12, 13, 12, tzinfo=UTC))
    assert _credited(again) == [(1161, 290, 1451)]


def test_calendar_upgrades_with_25_percent_tax() -> None:
    """Same spec, "with calendar billing" (tax 25 %).

    Published: credit note 806 at the first upgrade (1000 / 31 × 20 × 1.25 =
    806.45) and 1210 at the second (the 968 billed an hour earlier × 1.25).
    Ours: the stub 871 (27/31) + 217.75 → 218; the first credit 645 of it
    (871 × 20/27 = 645.19) with 218 × 645/871 = 161.43 → 161: 806. The upgrade
    bills 968 + 242 = 1210, all of it credited at the second: 1210.
    """
    start = _started(
        MULTIPLE, "plan1", datetime(2024, 3, 5, 12, 12, tzinfo=UTC), "25",
        first_of_month=datetime(2024, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    assert _invoiced(start) == [(871, 218, 1089)]
    up = _changed(start.subscription, MULTIPLE, "plan2", datetime(2024, 3, 12, 12, 12, tzinfo=UTC))
    assert _credited(up) == [(645, 161, 806)]
    assert _invoiced(up) == [(968, 242, 1210)]
    again = _changed(up.subscription, MULTIPLE, "plan3", datetime(2024, 3, 12, 13, 12, tzinfo=UTC))
    assert _credited(again) == [(968, 242, 1210)]


def test_upgrade_credit_note_with_20_percent_tax() -> None:
    """getlago/lago-api, spec/services/credit_notes/create_from_termination_spec.rb,
    the upgrade case of "#call" (monthly 3100 in advance, tax 20 %).

    Published: the 17 days 15 … 31 Oct credited: 1700 + 340 tax = 2040.
    Ours: October's 3100 + 620; 620 × 1700/3100 = 340.
    """
    catalog = catalog_of({"plan": "31.00", "bigger": "62.00"})
    start = _started(catalog, "plan", datetime(2022, 9, 1, 10, tzinfo=UTC), "20")
    october = advance(
        start.subscription, datetime(2022, 10, 1, 10, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    )
    assert _invoiced(october) == [(3100, 620, 3720)]
    up = _changed(october.subscription, catalog, "bigger", datetime(2022, 10, 15, 10, tzinfo=UTC))
    assert _credited(up) == [(1700, 340, 2040)]


@pytest.mark.parametrize(
    ("time_zone", "started", "terminated", "credit"),
    [(zone, started, ended, days * 120) for zone, started, ended, days in LAGO_TERMINATIONS],
)
def test_termination_credit_note_with_20_percent_tax(
    time_zone: str, started: datetime, terminated: datetime, credit: int
) -> None:
    """getlago/lago-api, spec/services/credit_notes/create_from_termination_spec.rb,
    "creates a credit note" and "with a different timezone" (tax 20 %).

    Published: 1600 + 320 tax = 1920 (UTC, Paris); 1700 + 340 = 2040 (Los
    Angeles, still 14 Oct). Ours: 620 of tax on October's 3100, 620 × 16/31 =
    320 and 620 × 17/31 = 340.
    """
    anchor = datetime(2022, 10, 1, tzinfo=ZoneInfo(time_zone))
    catalog = catalog_of({"plan": "31.00"}, "EUR")
    start = _started(catalog, "plan", started, "20", first_of_month=anchor, time_zone=time_zone)
    october = advance(start.subscription, anchor, catalog=catalog, policy=LAGO_LIKE)
    (note,) = _ended(october, terminated, catalog).credit_notes
    assert note.amount.minor == credit
    assert note.tax.minor * 5 == note.subtotal.minor  # exactly 20 % of what it credits


def test_manual_termination_with_20_percent_tax() -> None:
    """getlago/lago-api, spec/scenarios/subscriptions/terminate_manually_spec.rb,
    "with pay-in-advance subscription" / "when terminating with default behaviors".

    Published: the first invoice 9000 (7500 + 1500 tax); terminated 2025-02-21:
    a credit note of 3000 (2500 + 500 tax) to the customer's credit.
    """
    catalog = catalog_of({"plan": "100.00"}, "EUR")
    start = _started(
        catalog, "plan", datetime(2025, 2, 8, tzinfo=UTC), "20",
        first_of_month=datetime(2025, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    assert _invoiced(start) == [(7500, 1500, 9000)]
    ended = _ended(start, datetime(2025, 2, 21, tzinfo=UTC), catalog)
    assert _credited(ended) == [(2500, 500, 3000)]
    assert ended.subscription.credit_balance.minor == 3000


@pytest.mark.parametrize(
    ("time_zone", "anchored", "invoice", "credit"),
    [
        ("UTC", True, (3750, 750, 4500), (3571, 714, 4285)),
        ("Asia/Tokyo", True, (3750, 750, 4500), (3571, 714, 4285)),
        ("America/Los_Angeles", True, (3929, 786, 4715), (3750, 750, 4500)),
        ("UTC", False, (5000, 1000, 6000), (4821, 964, 5785)),
    ],
)
def test_terminated_on_the_day_it_started_with_20_percent_tax(
    time_zone: str,
    anchored: bool,
    invoice: tuple[int, int, int],
    credit: tuple[int, int, int],
) -> None:
    """getlago/lago-api, spec/scenarios/terminate_pay_in_advance_spec.rb (tax 20 %).

    Published: invoice 4500 and credit note 4285 (UTC, Tokyo); 4715 and 4500
    (Los Angeles); 6000 and 5785 (anniversary billing). Ours: the tax of the
    stub in proportion to the credit: 750 × 3571/3750 = 714.2 → 714;
    786 × 3750/3929 = 750.19 → 750; 1000 × 4821/5000 = 964.2 → 964.
    """
    at = datetime(2023, 2, 8, tzinfo=UTC)
    first = datetime(2023, 3, 1, tzinfo=ZoneInfo(time_zone)) if anchored else None
    catalog = catalog_of({"plan": "50.00"}, "EUR")
    start = _started(catalog, "plan", at, "20", first_of_month=first, time_zone=time_zone)
    assert _invoiced(start) == [invoice]
    ended = _ended(start, at, catalog)
    assert (_credited(ended), _invoiced(ended)) == ([credit], [])
