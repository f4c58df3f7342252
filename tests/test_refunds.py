"""Refunds name the payments they refund (Stripe refunds a charge, not a credit note).

Stripe creates a refund against a ``payment_intent`` or ``charge``, for at most
its amount not yet refunded (https://docs.stripe.com/refunds). The subscription
records the payments of its current period (``Subscription.payments``); a
credit note's refunded part is split across them, newest first, each part at
most what is left of its payment, and keyed by the credit note and the payment.

The default catalog's November is 30 days: Personal USD 50, Advanced USD 150,
Pro USD 300 a month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import CATALOG, decided, started, usd, utc
from subscription_rules import (
    SEED_POLICY,
    BillingPolicy,
    CreditDestination,
    Decision,
    DowngradeTiming,
    Payment,
    RefundPayment,
    Refused,
    Subscription,
    Succeeded,
    Usage,
    adjust,
    advance,
    change_plan,
    record_payment,
    terminate,
)
from subscription_rules.errors import IdempotencyConflictError
from subscription_rules.ports import ChargeRequest, RefundRequest
from subscription_rules.testing import ScriptedGateway

REFUNDS = attrs.evolve(
    SEED_POLICY,
    name="seed, refunds",
    credit_destination=CreditDestination.REFUND,
    downgrade_timing=DowngradeTiming.IMMEDIATELY,
)
FEW = Usage.of(properties=2)


def _pay(sub: Subscription, at: datetime) -> Subscription:
    """``sub`` with every open invoice's attempt paid at ``at``."""
    for item in sub.open_invoices:
        assert item.attempt_key is not None
        sub = decided(
            record_payment(sub, item.attempt_key, Succeeded(), at, catalog=CATALOG, policy=REFUNDS)
        ).subscription
    return sub


def _refunds(decision: Decision) -> list[RefundPayment]:
    return [e for e in decision.effects if isinstance(e, RefundPayment)]


def _key(invoice: str, due: int) -> str:
    return f"sub_1:charge:sub_1-{invoice}:due-{due}:attempt-1"


def test_a_payment_records_its_attempt_invoice_and_amount() -> None:
    """Advanced paid on 1 Nov: one payment of USD 150.00, nothing refunded yet."""
    sub = _pay(started("advanced", policy=REFUNDS), utc(2026, 11, 1, 1))
    assert sub.payments == (
        Payment(_key("INV-0001", 15000), "sub_1-INV-0001", usd("150.00"), usd("0.00")),
    )
    assert sub.payments[0].refundable == usd("150.00")


def _downgraded_on_16_november(policy: BillingPolicy) -> Decision:
    """Advanced, started and paid on 1 Nov, downgraded to Personal on 16 Nov."""
    sub = _pay(started("advanced", policy=policy), utc(2026, 11, 1, 1))
    return decided(
        change_plan(
            sub,
            "personal",
            sub.interval,
            utc(2026, 11, 16),
            catalog=CATALOG,
            usage=FEW,
            policy=policy,
        )
    )


def test_an_invoice_paid_by_credit_only_is_not_a_payment() -> None:
    """Seed (credit to the balance), Advanced paid, downgraded to Personal on 16 Nov.

    Credit: 15000 × 15/30 = 7500 to the balance; charge 5000 × 15/30 = 2500,
    paid from the balance (amount due 0): no payment, but its attempt is paid.
    """
    policy = attrs.evolve(
        REFUNDS, name="seed, balance", credit_destination=SEED_POLICY.credit_destination
    )
    d = _downgraded_on_16_november(policy)
    (invoice,) = d.invoices
    assert invoice.amount_due == usd("0.00")
    assert [p.invoice_id for p in d.subscription.payments] == ["sub_1-INV-0001"]
    assert invoice.id in [i for _, i in d.subscription.paid_attempts]


def test_an_immediate_downgrade_refunds_the_payment_in_one_part() -> None:
    """Advanced paid USD 150.00 on 1 Nov; downgraded to Personal on 16 Nov.

    Credit: 15000 × 15/30 = 7500, refunded (≤ 15000 paid): one part against the
    first invoice's payment, keyed by the credit note and the payment's attempt;
    the payment then has 150.00 − 75.00 = 75.00 left to refund.
    """
    d = _downgraded_on_16_november(REFUNDS)
    (note,) = d.credit_notes
    attempt = _key("INV-0001", 15000)
    assert _refunds(d) == [
        RefundPayment(
            usd("75.00"),
            note.number,
            attempt,
            "sub_1-INV-0001",
            f"sub_1:refund:{note.number}:{attempt}",
        )
    ]
    (payment,) = d.subscription.payments
    assert (payment.refunded, payment.refundable) == (usd("75.00"), usd("75.00"))


def _upgraded_then_adjusted() -> tuple[Subscription, str, str]:
    """Advanced paid on 1 Nov (A: 150.00); Pro from 11 Nov, paid (B); INV-0001 adjusted.

    11 Nov: Advanced's unused 20 days, 15000 × 20/30 = 10000, refunded from A
    (the only payment): A has 5000 left. Pro's 20 days: 30000 × 20/30 = 20000,
    invoiced (INV-0003, after the credit note CN-0002) and paid: B = 20000.
    11 Nov 12:00: INV-0001 adjusted by its 5000 left creditable (15000 − 10000),
    refundable min(5000, 15000 paid − 10000 credited) = 5000, from the newest
    payment, B: B has 15000 left.
    """
    sub = _pay(started("advanced", policy=REFUNDS), utc(2026, 11, 1, 1))
    up = decided(
        change_plan(
            sub, "pro", sub.interval, utc(2026, 11, 11), catalog=CATALOG, usage=FEW, policy=REFUNDS
        )
    )
    a, b = _key("INV-0001", 15000), _key("INV-0003", 20000)
    assert [(r.amount, r.attempt_key) for r in _refunds(up)] == [(usd("100.00"), a)]
    sub = _pay(up.subscription, utc(2026, 11, 11, 1))
    adjusted = decided(
        adjust(
            sub,
            "sub_1-INV-0001",
            usd("50.00"),
            utc(2026, 11, 11, 12),
            reason="goodwill",
            catalog=CATALOG,
            policy=REFUNDS,
        )
    )
    assert [(r.amount, r.attempt_key, r.invoice_id) for r in _refunds(adjusted)] == [
        (usd("50.00"), b, "sub_1-INV-0003")
    ]
    return adjusted.subscription, a, b


def test_a_refund_larger_than_the_last_payment_spans_two_payments_newest_first() -> None:
    """Then terminated on 12 Nov: Pro's unused 19 of its 20 days, 20000 × 19/20 = 19000.

    Refundable: min(19000, 20000 paid − 0 credited) = 19000. Newest first: B has
    15000 left → 15000 from B, the other 4000 from A (5000 left → 1000).
    Together 19000, the credit note's refunded part; B is refunded in full
    (5000 + 15000 = 20000), A partly twice (10000 + 4000 of 15000).
    """
    sub, a, b = _upgraded_then_adjusted()
    d = decided(terminate(sub, utc(2026, 11, 12), catalog=CATALOG, policy=REFUNDS))
    (note,) = d.credit_notes
    assert note.refunded == usd("190.00")
    assert [(r.amount, r.attempt_key, r.invoice_id, r.credit_note_number) for r in _refunds(d)] == [
        (usd("150.00"), b, "sub_1-INV-0003", note.number),
        (usd("40.00"), a, "sub_1-INV-0001", note.number),
    ]
    assert [r.idempotency_key for r in _refunds(d)] == [
        f"sub_1:refund:{note.number}:{b}",
        f"sub_1:refund:{note.number}:{a}",
    ]


def test_two_refunds_against_one_payment_never_exceed_it() -> None:
    """Payments as in the spanning case, just before the termination.

    A: 15000 paid, 10000 refunded (the upgrade); B: 20000 paid, 5000 refunded
    (the adjustment) — each refunded at most what it paid.
    """
    sub, a, b = _upgraded_then_adjusted()
    assert [(p.attempt_key, p.amount, p.refunded) for p in sub.payments] == [
        (a, usd("150.00"), usd("100.00")),
        (b, usd("200.00"), usd("50.00")),
    ]
    ended = decided(terminate(sub, utc(2026, 11, 12), catalog=CATALOG, policy=REFUNDS)).subscription
    assert ended.payments == ()  # an ended subscription has no stretch left to refund


def test_a_refund_is_never_more_than_the_payments_recorded() -> None:
    """A paid stretch whose payment is not recorded (a hand-made value): nothing refunded.

    Advanced paid, its payment removed, terminated on 16 Nov: credit 7500, refunded
    min(7500 credit, 15000 stretch paid, 0 payments left) = 0, all to the balance.
    """
    sub = _pay(started("advanced", policy=REFUNDS), utc(2026, 11, 1, 1)).evolve(payments=())
    d = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=REFUNDS))
    assert _refunds(d) == []
    assert d.subscription.credit_balance == usd("75.00")


def test_a_renewal_keeps_only_the_payments_of_the_new_period() -> None:
    """Advanced paid in November; renewed on 1 Dec and paid: only December's payment is kept."""
    sub = _pay(started("advanced", policy=REFUNDS), utc(2026, 11, 1, 1))
    renewed = decided(advance(sub, utc(2026, 12, 1), catalog=CATALOG, policy=REFUNDS)).subscription
    assert renewed.payments == ()
    paid = _pay(renewed, utc(2026, 12, 1, 1))
    assert [p.invoice_id for p in paid.payments] == [renewed.stretches[0].invoice_id]


def test_the_scripted_gateway_refuses_a_refund_beyond_the_payment() -> None:
    """B paid USD 200.00: refunds of 150.00 and 50.00 pass, one cent more is refused."""
    gateway = ScriptedGateway()
    b = _key("INV-0003", 20000)
    gateway.charge(ChargeRequest("sub_1", "cus_1", "sub_1-INV-0003", usd("200.00"), b))

    def refund(amount: str, key: str) -> RefundRequest:
        return RefundRequest(
            "sub_1", "cus_1", "sub_1-CN-0009", usd(amount), b, "sub_1-INV-0003", key
        )

    gateway.refund(refund("150.00", "r1"))
    gateway.refund(refund("50.00", "r2"))
    assert gateway.refunded(b) == usd("200.00")
    with pytest.raises(AssertionError, match="beyond"):
        gateway.refund(refund("0.01", "r3"))
    with pytest.raises(AssertionError, match="no successful charge"):
        gateway.refund(RefundRequest("sub_1", "cus_1", "CN", usd("1.00"), "unknown", "INV", "r4"))
    with pytest.raises(IdempotencyConflictError):
        gateway.refund(refund("10.00", "r1"))


# --------------------------------------------------------------------------- property


_STEP = st.tuples(
    st.sampled_from(["change", "adjust", "adjust", "pay", "pay", "terminate"]),
    st.sampled_from(["personal", "advanced", "pro"]),
    st.integers(0, 4 * 86_400),
    st.integers(1, 20_000),
)


class _Ledger:
    """What a provider knows: the minor units each attempt collected and had refunded."""

    def __init__(self) -> None:
        self.collected: dict[str, int] = {}
        self.refunded: dict[str, int] = {}

    def take(self, decision: Decision) -> None:
        refunds = _refunds(decision)
        for refund in refunds:
            total = self.refunded.get(refund.attempt_key, 0) + refund.amount.minor
            assert refund.amount.is_positive()
            assert total <= self.collected[refund.attempt_key], refund
            self.refunded[refund.attempt_key] = total
        for note in decision.credit_notes:
            parts = sum(r.amount.minor for r in refunds if r.credit_note_number == note.number)
            assert parts == (0 if note.refunded is None else note.refunded.minor)
        assert len({r.idempotency_key for r in refunds}) == len(refunds)
        for payment in decision.subscription.payments:
            assert payment.amount.minor == self.collected[payment.attempt_key]
            assert payment.refunded.minor == self.refunded.get(payment.attempt_key, 0)
            assert payment.refunded <= payment.amount


@settings(max_examples=60, deadline=None)
@given(
    destination=st.sampled_from([CreditDestination.REFUND, CreditDestination.NET_THEN_REFUND]),
    first=st.sampled_from(["personal", "advanced", "pro"]),
    steps=st.lists(_STEP, max_size=10),
)
def test_no_payment_is_ever_refunded_beyond_what_it_collected(
    destination: CreditDestination, first: str, steps: list[tuple[str, str, int, int]]
) -> None:
    """Random changes, adjustments, payments and a termination within November, paid as billed.

    Each refund names a payment collected, every payment's refunds stay within
    its amount across decisions, and a decision's refunds sum to its credit
    notes' refunded parts.
    """
    policy = attrs.evolve(REFUNDS, name="seed, refunds drawn", credit_destination=destination)
    ledger = _Ledger()
    sub = started(first, policy=policy)
    at = utc(2026, 11, 1)
    for action, plan, seconds, minor in [("pay", first, 0, 1), *steps]:
        at += timedelta(seconds=seconds)
        if at >= utc(2026, 12, 1) or sub.ended_at is not None:
            break
        result: Decision | Refused
        if action == "pay":
            for item in sub.open_invoices:
                assert item.attempt_key is not None
                ledger.collected[item.attempt_key] = item.invoice.amount_due.minor
                result = record_payment(
                    sub, item.attempt_key, Succeeded(), at, catalog=CATALOG, policy=policy
                )
                ledger.take(decided(result))
                sub = decided(result).subscription
            continue
        if action == "change":
            result = change_plan(
                sub, plan, sub.interval, at, catalog=CATALOG, usage=FEW, policy=policy
            )
        elif action == "adjust" and sub.stretches:
            # Any stretch's invoice: crediting an older one refunds the newest payment first.
            invoice_id = sub.stretches[minor % len(sub.stretches)].invoice_id
            if invoice_id is None:
                continue
            amount = usd("0.01") * minor
            result = adjust(sub, invoice_id, amount, at, reason="r", catalog=CATALOG, policy=policy)
        else:
            result = terminate(sub, at, catalog=CATALOG, policy=policy)
        if isinstance(result, Decision):
            ledger.take(result)
            sub = result.subscription
