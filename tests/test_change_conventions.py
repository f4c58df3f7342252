"""Conventions of a plan change that the engines disagree on.

How a weekly price is annualised (``weeks_per_year``) and whether a refund is
netted against the change's charge (``CreditDestination.NET_THEN_REFUND``).
Every figure is worked out by hand in the test's docstring, or copied from the
cited source.
"""

from __future__ import annotations

import attrs
import pytest

from helpers import decided, started, utc
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    WEEKLY,
    YEARLY,
    BillingPolicy,
    Catalog,
    ChangeQuote,
    CreditDestination,
    Decision,
    DowngradeTiming,
    MoveKind,
    Plan,
    Price,
    ProrationBilling,
    RefundPayment,
    Subscription,
    Succeeded,
    Timing,
    Usage,
    WeeksPerYear,
    annualised,
    change_plan,
    classify_move,
    default_catalog,
    quote_change,
    record_payment,
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
        attrs.evolve(SEED_POLICY, name="seed, changed", weeks_per_year=52)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^weeks_per_year: expected a WeeksPerYear"):
        classify_move(WEEKLY_10, WEEKLY, YEARLY_520, YEARLY, weeks_per_year=52)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^weeks_per_year: expected a WeeksPerYear"):
        annualised(WEEKLY_10.price(WEEKLY), weeks_per_year="52")  # type: ignore[arg-type]


# --- credit_destination: NET_THEN_REFUND ------------------------------------------------------

CATALOG = default_catalog()
SMALL = Usage.of(properties=3, integrations=1)
NET = attrs.evolve(
    SEED_POLICY, name="seed, changed", credit_destination=CreditDestination.NET_THEN_REFUND
)
REFUND = attrs.evolve(
    SEED_POLICY, name="seed, changed", credit_destination=CreditDestination.REFUND
)
NET_DOWNGRADES_NOW = attrs.evolve(NET, downgrade_timing=DowngradeTiming.IMMEDIATELY)


def _paid(sub: Subscription) -> Subscription:
    """``sub`` with every open invoice paid by card."""
    for item in sub.open_invoices:
        assert item.attempt_key is not None
        result = record_payment(
            sub,
            item.attempt_key,
            Succeeded(),
            item.invoice.issued_at,
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
        assert isinstance(result, Decision)
        sub = result.subscription
    return sub


def _refunds(decision: Decision) -> list[int]:
    return [e.amount.minor for e in decision.effects if isinstance(e, RefundPayment)]


def _change(sub: Subscription, plan_id: str, day: int, policy: BillingPolicy) -> Decision:
    return decided(
        change_plan(
            sub, plan_id, MONTHLY, utc(2026, 11, day), catalog=CATALOG, usage=SMALL, policy=policy
        )
    )


def _quote(sub: Subscription, plan_id: str, day: int, policy: BillingPolicy) -> ChangeQuote:
    result = quote_change(
        sub, plan_id, MONTHLY, utc(2026, 11, day), catalog=CATALOG, usage=SMALL, policy=policy
    )
    assert isinstance(result, ChangeQuote)
    return result


def test_net_then_refund_upgrade_refunds_nothing_and_charges_the_rest() -> None:
    """Advanced (150.00, paid) → Pro (300.00) on 16 Nov, halfway through a 30-day November.

    Credit 150.00 × 15/30 = 75.00; charge 300.00 × 15/30 = 150.00. ``REFUND``
    refunds the 75.00 and charges the 150.00 in full: two card transactions.
    ``NET_THEN_REFUND``: the 75.00 credit pays 75.00 of the charge, nothing is
    refunded, and the card is charged 150.00 − 75.00 = 75.00 once.
    """
    sub = _paid(started("advanced"))
    refunded = _change(sub, "pro", 16, REFUND)
    assert _refunds(refunded) == [7500]
    assert [i.amount_due.minor for i in refunded.invoices] == [15000]
    netted = _change(sub, "pro", 16, NET)
    assert _refunds(netted) == []
    (invoice,) = netted.invoices
    assert (invoice.subtotal.minor, invoice.credit_applied.minor, invoice.amount_due.minor) == (
        15000,
        7500,
        7500,
    )
    assert [note.amount.minor for note in netted.credit_notes] == [7500]
    assert netted.subscription.credit_balance.minor == 0
    quote = _quote(sub, "pro", 16, NET)
    assert (quote.refund.minor, quote.amount_due_now.minor, quote.credit_after.minor) == (
        0,
        7500,
        0,
    )


def test_net_then_refund_downgrade_now_refunds_what_the_charge_leaves() -> None:
    """Pro (300.00, paid) → Personal (50.00) at once on 16 Nov (30-day November).

    Credit 300.00 × 15/30 = 150.00; charge 50.00 × 15/30 = 25.00. The credit
    pays the 25.00 charge (invoice due 0.00) and 150.00 − 25.00 = 125.00 is
    refunded (≤ 300.00 paid): one card transaction. The balance is back to 0.
    """
    sub = _paid(started("pro"))
    decision = _change(sub, "personal", 16, NET_DOWNGRADES_NOW)
    assert _refunds(decision) == [12500]
    (invoice,) = decision.invoices
    assert (invoice.subtotal.minor, invoice.credit_applied.minor, invoice.amount_due.minor) == (
        2500,
        2500,
        0,
    )
    (note,) = decision.credit_notes
    assert (note.amount.minor, note.to_balance.minor) == (15000, 2500)
    assert decision.subscription.credit_balance.minor == 0
    quote = _quote(sub, "personal", 16, NET_DOWNGRADES_NOW)
    assert (quote.refund.minor, quote.amount_due_now.minor, quote.credit_after.minor) == (
        12500,
        0,
        0,
    )


def test_net_then_refund_never_refunds_an_unpaid_stretch() -> None:
    """Pro (300.00, invoice still open) → Personal at once on 16 Nov: nothing was paid.

    Credit 150.00 and charge 25.00 as above; nothing is refundable, so the
    150.00 joins the balance, pays the 25.00 and leaves 125.00.
    """
    decision = _change(started("pro"), "personal", 16, NET_DOWNGRADES_NOW)
    assert _refunds(decision) == []
    assert decision.subscription.credit_balance.minor == 12500


def test_net_then_refund_refunds_no_more_than_the_card_paid_for_the_stretch() -> None:
    """Advanced (150.00, paid) → Pro on 16 Nov (card pays 75.00), → Personal at once on 17 Nov.

    The Pro stretch [16 Nov, 1 Dec) was billed 150.00 over 15 days, of which the
    card paid 75.00 (the credit paid the rest). On 17 Nov 14 of its 15 days are
    unused: credit 150.00 × 14/15 = 140.00; Personal's charge 50.00 × 14/30 =
    23.333… → 23.33 (half-up). The remainder 140.00 − 23.33 = 116.67 is capped
    at the 75.00 paid by card: refund 75.00; the balance gets 140.00 − 75.00 =
    65.00, pays the 23.33 and keeps 41.67.
    """
    policy = NET_DOWNGRADES_NOW
    upgraded = _change(_paid(started("advanced")), "pro", 16, policy)
    sub = _paid(upgraded.subscription)
    decision = _change(sub, "personal", 17, policy)
    assert [note.amount.minor for note in decision.credit_notes] == [14000]
    assert _refunds(decision) == [7500]
    (invoice,) = decision.invoices
    assert (invoice.subtotal.minor, invoice.amount_due.minor) == (2333, 0)
    assert decision.subscription.credit_balance.minor == 4167


@pytest.mark.parametrize(
    "destination", [CreditDestination.REFUND, CreditDestination.NET_THEN_REFUND]
)
def test_pending_proration_items_with_a_refund_are_refused(destination: CreditDestination) -> None:
    """Under ``PENDING_ITEMS`` the credit waits on the next invoice (Stripe's
    ``create_prorations``): nothing is credited at the change, so there is nothing to
    refund then, and a refund policy would be silently ignored. The combination is
    refused, naming ``credit_destination``."""
    with pytest.raises(InvalidPolicyError, match=r"^credit_destination: .*PENDING_ITEMS"):
        attrs.evolve(
            SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.PENDING_ITEMS,
            credit_destination=destination,
        )  # fmt: skip
