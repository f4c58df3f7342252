"""Immediate termination (``terminate``): access ends now and the unused paid time is credited.

Figures are worked by hand from the instants and the policy, or copied from the
engines' published tests (the source named in each docstring).
"""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest

from helpers import CATALOG, decided, started, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    Catalog,
    CreditDestination,
    CreditReason,
    EndAccess,
    Limits,
    LineKind,
    Plan,
    Price,
    ProrationBilling,
    RefundPayment,
    Refused,
    Status,
    Subscription,
    Succeeded,
    Usage,
    advance,
    change_plan,
    record_payment,
    start_subscription,
    terminate,
)

#: The charge waits for the next invoice; the credit is a credit note at once.
CHARGE_WAITS = attrs.evolve(
    STRIPE_LIKE, name="stripe, changed", proration_billing=ProrationBilling.NEXT_INVOICE
)


def _paid(sub: Subscription, at: datetime) -> Subscription:
    """``sub`` with its open invoice paid at ``at``."""
    (item,) = sub.open_invoices
    assert item.attempt_key is not None
    return decided(
        record_payment(sub, item.attempt_key, Succeeded(), at, catalog=CATALOG, policy=SEED_POLICY)
    ).subscription


def test_terminating_credits_the_unused_seconds_of_the_period_to_the_balance() -> None:
    """Advanced, USD 150.00 for November (30 days), terminated on 16 Nov 00:00.

    Unused: 16 Nov → 1 Dec = 15 days of 30 → 15000 × 15/30 = 7500 → USD -75.00,
    to the balance; access ends now; nothing else to bill.
    """
    sub = started("advanced")
    d = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY))
    assert d.subscription.status is Status.ENDED
    assert d.subscription.ended_at == utc(2026, 11, 16)
    (note,) = d.credit_notes
    assert note.reason is CreditReason.TERMINATION
    (line,) = note.lines
    assert line.kind is LineKind.UNUSED_TIME
    assert line.amount == usd("-75.00")
    assert line.description == "Unused time on advanced from 16 Nov 2026 to 1 Dec 2026"
    assert d.subscription.credit_balance == usd("75.00")
    assert d.invoices == ()
    assert any(isinstance(e, EndAccess) for e in d.effects)
    assert d.next_wakeup is None


def test_a_refund_is_capped_at_what_was_paid_and_an_unpaid_period_refunds_nothing() -> None:
    """REFUND: USD 75.00 back to the card once the invoice is paid; none while it is open.

    Paid: refund = min(75.00 credit, 150.00 paid) = 75.00, balance stays 0.
    Unpaid (the first invoice still in flight): refund 0, the 75.00 goes to the balance,
    and the open invoice is left as it is.
    """
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", credit_destination=CreditDestination.REFUND
    )
    sub = started("advanced", policy=policy)
    paid = _paid(sub, utc(2026, 11, 1, 1))
    d = decided(terminate(paid, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    (refund,) = [e for e in d.effects if isinstance(e, RefundPayment)]
    assert refund.amount == usd("75.00")
    assert d.subscription.credit_balance == usd("0.00")

    unpaid = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    assert not [e for e in unpaid.effects if isinstance(e, RefundPayment)]
    assert unpaid.subscription.credit_balance == usd("75.00")
    assert [o.id for o in unpaid.subscription.open_invoices] == ["sub_1-INV-0001"]


def test_pending_proration_lines_are_billed_on_a_final_invoice_the_credit_paying_them() -> None:
    """NEXT_INVOICE (the charge waits, the credit is a note at once): Advanced 150 → Pro 300 on 16 Nov, end 21 Nov.

    16 Nov: credit 150 × 15/30 = 75.00 to the balance; pending line 300 × 15/30 = 150.00,
    which is Pro's stretch (15 days billed 150.00).
    21 Nov: unused Pro time 21 Nov → 1 Dec = 10 of its 15 days: 150 × 10/15 = 100.00.
    Final invoice: the pending 150.00, balance 75 + 100 = 175 pays it: due 0, 25.00 left
    (= 150 paid − 15 days of Advanced 75.00 − 5 days of Pro 50.00).
    """
    sub = started("advanced", policy=CHARGE_WAITS)
    sub = decided(
        change_plan(
            sub,
            "pro",
            MONTHLY,
            utc(2026, 11, 16),
            catalog=CATALOG,
            usage=Usage.of(properties=1),
            policy=CHARGE_WAITS,
        )
    ).subscription
    d = decided(terminate(sub, utc(2026, 11, 21), catalog=CATALOG, policy=CHARGE_WAITS))
    (note,) = d.credit_notes
    assert [line.amount for line in note.lines] == [usd("-100.00")]
    (final,) = d.invoices
    assert [line.amount for line in final.lines] == [usd("150.00")]
    assert final.amount_due == usd("0.00")
    assert d.subscription.credit_balance == usd("25.00")
    assert d.subscription.pending_lines == ()


def test_pending_credit_and_charge_are_netted_on_the_final_invoice() -> None:
    """STRIPE_LIKE (``PENDING_ITEMS``): Advanced 150 → Pro 300 on 16 Nov, end 21 Nov.

    16 Nov: both lines pending, nothing credited: −150 × 15/30 = −75.00 and
    300 × 15/30 = 150.00 (Pro's stretch: 15 days billed 150.00).
    21 Nov: unused Pro time, 10 of its 15 days: 150 × 10/15 = 100.00 to the balance.
    Final invoice: −75.00 + 150.00 = 75.00, the balance of 100.00 pays it: due 0,
    25.00 left — the same as when the credit was given at once.
    """
    sub = started("advanced", policy=STRIPE_LIKE)
    sub = decided(
        change_plan(
            sub, "pro", MONTHLY, utc(2026, 11, 16),
            catalog=CATALOG, usage=Usage.of(properties=1), policy=STRIPE_LIKE,
        )
    ).subscription  # fmt: skip
    assert sub.credit_balance == usd("0.00")
    d = decided(terminate(sub, utc(2026, 11, 21), catalog=CATALOG, policy=STRIPE_LIKE))
    (note,) = d.credit_notes
    assert [line.amount for line in note.lines] == [usd("-100.00")]
    (final,) = d.invoices
    assert [line.amount for line in final.lines] == [usd("-75.00"), usd("150.00")]
    assert final.amount_due == usd("0.00")
    assert d.subscription.credit_balance == usd("25.00")


def test_a_trial_ends_at_once_with_nothing_billed_or_credited() -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    d = decided(terminate(sub.subscription, utc(2026, 11, 5), catalog=CATALOG, policy=SEED_POLICY))
    assert d.subscription.status is Status.ENDED
    assert d.credit_notes == ()
    assert d.invoices == ()
    assert any(isinstance(e, EndAccess) for e in d.effects)


def test_an_ended_subscription_cannot_be_terminated() -> None:
    sub = started("advanced")
    ended = decided(
        terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY)
    ).subscription
    refused = terminate(ended, utc(2026, 11, 17), catalog=CATALOG, policy=SEED_POLICY)
    assert isinstance(refused, Refused)
    assert refused.message == "the subscription has already ended"


# --- Kill Bill --------------------------------------------------------------------------------

PISTOL = Catalog((Plan("pistol", "Pistol", (Price.of("19.95", "USD", MONTHLY),), Limits()),))
KILL_BILL_FIXED_30 = attrs.evolve(
    KILL_BILL_LIKE, name="killbill, changed", fixed_denominator_days=30
)


@pytest.mark.parametrize(
    ("start", "cancel", "credit"),
    [
        (utc(2023, 4, 23), utc(2023, 5, 15), "-5.32"),
        (utc(2023, 5, 23), utc(2023, 6, 15), "-5.32"),
        (utc(2023, 5, 15), utc(2023, 5, 23), "-14.63"),
        (utc(2023, 6, 15), utc(2023, 6, 23), "-14.63"),
    ],
)
def test_kill_bill_fixed_30_days_repairs_the_unused_days_on_cancellation(
    start: datetime, cancel: datetime, credit: str
) -> None:
    """Kill Bill's published figures, fixed.days = 30, pistol-monthly-notrial at 19.95.

    Source: killbill/killbill
    beatrix/src/test/java/org/killbill/billing/beatrix/integration/TestInvoiceFixedProration.java,
    testInvoiceTrailingProration1 (BCD 23; cancel 05-15 and 06-15: REPAIR_ADJ -5.32 =
    19.95 × 8/30) and testInvoiceTrailingProration2 (BCD 15; cancel 05-23 and 06-23:
    REPAIR_ADJ -14.63 = 19.95 × 22/30), both cancelled with an immediate policy.
    """
    sub = started("pistol", start, catalog=PISTOL, policy=KILL_BILL_FIXED_30)
    d = decided(terminate(sub, cancel, catalog=PISTOL, policy=KILL_BILL_FIXED_30))
    (line,) = d.credit_notes[0].lines
    assert line.amount == usd(credit)
    assert d.subscription.credit_balance == usd(credit[1:])  # Kill Bill's CBA_ADJ


def test_kill_bill_actual_days_credit_the_cancellation_day() -> None:
    """KILL_BILL_LIKE (actual days, half-open): 19.95 from 23 May, cancelled 15 Jun.

    Period 23 May → 23 Jun = 31 days; unused 15 Jun → 23 Jun = 8 days (the cancel day
    credited, as Kill Bill's REPAIR_ADJ 06-15 → 06-23): 1995 × 8/31 = 514.84 → 5.15.
    """
    sub = started("pistol", utc(2023, 5, 23), catalog=PISTOL, policy=KILL_BILL_LIKE)
    d = decided(terminate(sub, utc(2023, 6, 15), catalog=PISTOL, policy=KILL_BILL_LIKE))
    (line,) = d.credit_notes[0].lines
    assert line.amount == usd("-5.15")


# --- Lago -------------------------------------------------------------------------------------

LAGO_PLAN = Catalog((Plan("monthly", "Monthly", (Price.of("31.00", "USD", MONTHLY),), Limits()),))


@pytest.mark.parametrize(
    ("time_zone", "terminated", "credit"),
    [
        ("UTC", utc(2022, 10, 15, 10), "-16.00"),
        ("America/Los_Angeles", utc(2022, 10, 15, 1), "-17.00"),
        ("Europe/Paris", utc(2022, 10, 15, 1), "-16.00"),
    ],
)
def test_lago_counts_the_termination_day_as_used(
    time_zone: str, terminated: datetime, credit: str
) -> None:
    """Lago's published credit note on termination, pay in advance, 3100 a month.

    Source: getlago/lago-api spec/services/credit_notes/create_from_termination_spec.rb
    (started 2022-09-01 10:00, terminated 2022-10-15 10:00; day price 3100/31 = 100;
    16 unused days, Oct 16-31: 1600 before its 20% tax, 1920 with it; "with a different
    timezone", terminated 01:00 UTC: Los Angeles (local 14 Oct) 17 days = 1700, Paris
    16 days = 1600). We bill no tax, so the pre-tax amounts are compared.
    """
    sub = start_subscription(
        "s",
        "c",
        "monthly",
        MONTHLY,
        utc(2022, 9, 1, 10),
        catalog=LAGO_PLAN,
        trial=False,
        time_zone=time_zone,
        policy=LAGO_LIKE,
    ).subscription
    sub = advance(sub, utc(2022, 10, 2), catalog=LAGO_PLAN, policy=LAGO_LIKE).subscription
    d = decided(terminate(sub, terminated, catalog=LAGO_PLAN, policy=LAGO_LIKE))
    (line,) = d.credit_notes[0].lines
    assert line.amount == usd(credit)
