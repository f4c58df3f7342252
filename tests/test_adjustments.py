"""``adjust``: an item adjustment (goodwill credit) against what an invoice billed for the
current period's stretch, with its credit note, recorded on the stretch.

Figures by hand: Advanced is USD 150.00 for 1 Nov -> 1 Dec 2026 (30 days); the first
invoice is ``sub_1-INV-0001``.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest

from helpers import CATALOG, decided, started, usd, utc
from subscription_rules import (
    SEED_POLICY,
    BillingPolicy,
    CreditCap,
    CreditDestination,
    CreditReason,
    Decision,
    LineKind,
    Money,
    RefundPayment,
    RefusalReason,
    Refused,
    Subscription,
    Succeeded,
    adjust,
    record_payment,
    terminate,
)
from subscription_rules.errors import CurrencyMismatchError, InvalidAmountError

INVOICE = "sub_1-INV-0001"
NOV_2 = utc(2026, 11, 2)
CAPPED = attrs.evolve(
    SEED_POLICY, name="seed, changed", credit_cap=CreditCap.BILLED_MINUS_ADJUSTMENTS
)
REFUND = attrs.evolve(
    SEED_POLICY, name="seed, changed", credit_destination=CreditDestination.REFUND
)


def _adjusted(
    sub: Subscription, amount: str, at: datetime = NOV_2, policy: BillingPolicy = SEED_POLICY
) -> Decision | Refused:
    return adjust(sub, INVOICE, usd(amount), at, reason="goodwill", catalog=CATALOG, policy=policy)


def _paid(sub: Subscription) -> Subscription:
    (item,) = sub.open_invoices
    assert item.attempt_key is not None
    return decided(
        record_payment(
            sub,
            item.attempt_key,
            Succeeded(),
            utc(2026, 11, 1),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    ).subscription


def test_an_adjustment_issues_a_credit_note_and_is_recorded_on_the_stretch() -> None:
    """USD 10.00 against the 150.00 billed: one ADJUSTMENT line of -10.00 to the balance;
    the stretch has 150.00 - 10.00 = 140.00 left creditable and no time credited."""
    d = decided(_adjusted(started("advanced"), "10.00"))
    (note,) = d.credit_notes
    (line,) = note.lines
    assert (note.reason, line.kind, line.amount) == (
        CreditReason.ADJUSTMENT,
        LineKind.ADJUSTMENT,
        usd("-10.00"),
    )
    assert "goodwill" in line.description
    (stretch,) = d.subscription.stretches
    assert (stretch.credited, stretch.credited_units, stretch.creditable) == (
        usd("10.00"),
        0,
        usd("140.00"),
    )
    assert d.subscription.credit_balance == usd("10.00")


def test_an_adjustment_of_a_paid_stretch_is_refunded_when_the_policy_refunds() -> None:
    """Paid 150.00, REFUND: the 10.00 goes back to the card, nothing to the balance."""
    d = decided(_adjusted(_paid(started("advanced")), "10.00", policy=REFUND))
    refunds = [e.amount for e in d.effects if isinstance(e, RefundPayment)]
    assert refunds == [usd("10.00")]
    assert d.subscription.credit_balance == usd("0.00")


def test_an_adjustment_of_an_unpaid_stretch_goes_to_the_balance_even_when_refunding() -> None:
    """The first invoice is still open: nothing was paid, so nothing is refunded."""
    d = decided(_adjusted(started("advanced"), "10.00", policy=REFUND))
    assert not [e for e in d.effects if isinstance(e, RefundPayment)]
    assert d.subscription.credit_balance == usd("10.00")


def test_an_adjustment_above_what_is_left_creditable_is_refused() -> None:
    """150.01 > 150.00 is refused; 150.00 is accepted; then 0.01 more is refused."""
    sub = started("advanced")
    refused = _adjusted(sub, "150.01")
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.EXCEEDS_CREDITABLE
    whole = decided(_adjusted(sub, "150.00")).subscription
    again = _adjusted(whole, "0.01")
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.EXCEEDS_CREDITABLE


def test_an_invoice_that_billed_no_stretch_of_the_period_is_refused() -> None:
    sub = started("advanced")
    result = adjust(
        sub,
        "sub_1-INV-0099",
        usd("1.00"),
        NOV_2,
        reason="goodwill",
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(result, Refused)
    assert result.reason is RefusalReason.NOT_ADJUSTABLE


def test_an_ended_subscription_is_refused() -> None:
    sub = started("advanced")
    ended = decided(terminate(sub, NOV_2, catalog=CATALOG, policy=SEED_POLICY)).subscription
    result = _adjusted(ended, "1.00", at=NOV_2)
    assert isinstance(result, Refused)
    assert result.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_a_non_positive_amount_raises_naming_amount(amount: str) -> None:
    with pytest.raises(InvalidAmountError, match=r"^amount: an adjustment must be positive"):
        _adjusted(started("advanced"), amount)


def test_an_amount_in_another_currency_raises_naming_amount() -> None:
    with pytest.raises(CurrencyMismatchError, match=r"^amount: expected currency 'USD'"):
        adjust(
            started("advanced"), INVOICE, Money.of("1", "EUR"), NOV_2,
            reason="goodwill", catalog=CATALOG, policy=SEED_POLICY,
        )  # fmt: skip


@pytest.mark.parametrize(("policy", "credit"), [(SEED_POLICY, "25.00"), (CAPPED, "50.00")])
def test_an_adjustment_and_later_credits_never_exceed_what_was_billed(
    policy: BillingPolicy, credit: str
) -> None:
    """100.00 adjusted, then terminated on 16 Nov (15 of 30 days unused):
    REMAINING (150.00 - 100.00) × 15/30 = 25.00; BILLED_MINUS_ADJUSTMENTS
    150.00 × 15/30 = 75.00, capped at 150.00 - 100.00 = 50.00. Adjustment plus
    credit: 125.00 or 150.00, never more than the 150.00 billed."""
    sub = decided(_adjusted(started("advanced"), "100.00", policy=policy)).subscription
    d = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    (note,) = d.credit_notes
    assert note.amount == usd(credit)
    (stretch,) = sub.stretches
    assert stretch.credited + note.amount <= stretch.billed
