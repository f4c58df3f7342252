"""Pending payment outcomes: a charge accepted by the gateway, its result later (issue 16, item 3).

SEPA Direct Debit "can take up to 14 business days to receive notification on the
success or failure of a payment" (docs.stripe.com/payments/sepa-debit): 14 business days
span at least 18 calendar days, so the default ``pending_timeout`` is 21 days.

Personal costs USD 50.00 a month, started 1 Nov 2026 without a trial (paid); the 1 Dec
renewal is charged with key ``RENEWAL_KEY``. The seed's retry schedule retries 1, 3, 5, 7,
9, 11 and 14 days after the first failure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from helpers import RENEWAL_KEY, recorded, renewal_due, usd, utc
from subscription_rules import (
    SEED_POLICY,
    BillingPolicy,
    ChargeInvoice,
    Decision,
    Money,
    NoticeKind,
    RefundPayment,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    advance,
    default_catalog,
    has_access,
    next_wakeup,
    record_payment,
)
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    Pending,
    Succeeded,
)
from subscription_rules.errors import InvalidPolicyError

CATALOG = default_catalog()
POLICY = SEED_POLICY
START = datetime(2026, 11, 1, tzinfo=UTC)


def renewal_pending(policy: BillingPolicy = POLICY) -> Subscription:
    """The 1 Dec renewal charged and answered ``Pending`` at 1 Dec 00:00."""
    renewed, _ = renewal_due(policy)
    pending = recorded(renewed, RENEWAL_KEY, Pending(), utc(2026, 12, 1), policy)
    assert pending.effects == ()
    return pending.subscription


def keys(decision: Decision) -> list[str]:
    return [e.idempotency_key for e in decision.effects if isinstance(e, ChargeInvoice)]


def test_a_pending_charge_keeps_the_subscription_active_with_access_and_in_flight() -> None:
    sub = renewal_pending()
    assert sub.status is Status.ACTIVE
    assert has_access(sub, policy=POLICY)
    (item,) = sub.open_invoices
    assert (item.attempt_key, item.in_flight, item.pending_since) == (
        RENEWAL_KEY,
        True,
        utc(2026, 12, 1),
    )
    assert not item.in_dunning
    # Nothing is retried while it is pending: 10 days later, no charge.
    assert keys(advance(sub, utc(2026, 12, 11), catalog=CATALOG, policy=POLICY)) == []


def test_a_success_after_pending_pays_the_invoice() -> None:
    sub = renewal_pending()
    paid = recorded(sub, RENEWAL_KEY, Succeeded(), utc(2026, 12, 6))
    assert paid.subscription.open_invoices == ()
    assert [n.kind for n in paid.notices] == [NoticeKind.PAYMENT_SUCCEEDED]


def test_a_decline_after_pending_starts_dunning_from_the_decline() -> None:
    # Declined on 6 Dec: past due, first retry a day later (7 Dec).
    sub = renewal_pending()
    failed = recorded(sub, RENEWAL_KEY, Declined(DeclineKind.SOFT), utc(2026, 12, 6))
    assert failed.subscription.status is Status.PAST_DUE
    (item,) = failed.subscription.open_invoices
    assert (item.pending_since, item.first_failed_at, item.next_retry_at) == (
        None,
        utc(2026, 12, 6),
        utc(2026, 12, 7),
    )


def test_a_repeated_pending_is_a_duplicate() -> None:
    sub = renewal_pending()
    again = record_payment(
        sub, RENEWAL_KEY, Pending(), utc(2026, 12, 2), catalog=CATALOG, policy=POLICY
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.DUPLICATE_OUTCOME


def test_a_gateway_error_for_a_pending_attempt_is_a_duplicate() -> None:
    sub = renewal_pending()
    stale = record_payment(
        sub, RENEWAL_KEY, GatewayError(), utc(2026, 12, 2), catalog=CATALOG, policy=POLICY
    )
    assert isinstance(stale, Refused)
    assert stale.reason is RefusalReason.DUPLICATE_OUTCOME


def test_a_pending_charge_times_out_as_a_soft_decline_after_the_policys_timeout() -> None:
    # Pending since 1 Dec 00:00; the default timeout is 21 days: 22 Dec 00:00. Then it
    # counts as a soft decline at 22 Dec: past due, first retry +1 day (23 Dec).
    sub = renewal_pending()
    assert POLICY.pending_timeout == timedelta(days=21)
    assert next_wakeup(sub, policy=POLICY) == utc(2026, 12, 22)
    assert advance(sub, utc(2026, 12, 21, 23), catalog=CATALOG, policy=POLICY).effects == ()
    timed_out = advance(sub, utc(2026, 12, 22), catalog=CATALOG, policy=POLICY)
    assert timed_out.subscription.status is Status.PAST_DUE
    (item,) = timed_out.subscription.open_invoices
    assert (item.pending_since, item.first_failed_at, item.next_retry_at) == (
        None,
        utc(2026, 12, 22),
        utc(2026, 12, 23),
    )
    assert item.timed_out == (RENEWAL_KEY,)
    (failed,) = timed_out.notices
    assert failed.kind is NoticeKind.PAYMENT_FAILED
    retried = advance(timed_out.subscription, utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    assert keys(retried) == ["sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"]


def test_the_timeout_is_the_policys() -> None:
    # A 5-day timeout: pending since 1 Dec, timed out on 6 Dec.
    policy = attrs.evolve(SEED_POLICY, name="bank_debits", pending_timeout=timedelta(days=5))
    sub = renewal_pending(policy)
    assert next_wakeup(sub, policy=policy) == utc(2026, 12, 6)


def test_the_money_of_a_timed_out_attempt_that_arrives_pays_the_invoice() -> None:
    # The bank's answer comes after the timeout (on 23 Dec, before the retry is answered):
    # the money arrived, so the invoice is paid.
    sub = advance(renewal_pending(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    paid = recorded(sub.subscription, RENEWAL_KEY, Succeeded(), utc(2026, 12, 23))
    assert paid.subscription.open_invoices == ()
    assert paid.subscription.status is Status.ACTIVE
    # A decline of the timed-out attempt was already counted (as the timeout).
    declined = record_payment(
        sub.subscription,
        RENEWAL_KEY,
        Declined(DeclineKind.SOFT),
        utc(2026, 12, 23),
        catalog=CATALOG,
        policy=POLICY,
    )
    assert isinstance(declined, Refused)
    assert declined.reason is RefusalReason.DUPLICATE_OUTCOME


def _refunds(decision: Decision) -> list[tuple[Money, str, str, str | None]]:
    return [
        (e.amount, e.attempt_key, e.invoice_id, e.credit_note_number)
        for e in decision.effects
        if isinstance(e, RefundPayment)
    ]


def test_a_second_collection_of_a_paid_invoice_is_refunded_in_full() -> None:
    """Timed out on 22 Dec, retried on 23 Dec (attempt 2); the bank's money for the 1 Dec
    attempt arrives on 23 Dec and pays sub_1-INV-0002 (USD 50.00); then the retry succeeds
    too, on 24 Dec: USD 50.00 collected a second time for one invoice of USD 50.00. That
    payment is refunded in full, naming it; no credit note (no invoice is credited), the
    balance and the status unchanged, and the customer is told."""
    retried = advance(renewal_pending(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    (retry,) = keys(retried)
    paid = recorded(retried.subscription, RENEWAL_KEY, Succeeded(), utc(2026, 12, 23))
    twice = recorded(paid.subscription, retry, Succeeded(), utc(2026, 12, 24))
    assert _refunds(twice) == [(usd("50.00"), retry, "sub_1-INV-0002", None)]
    (refund,) = [e for e in twice.effects if isinstance(e, RefundPayment)]
    assert refund.idempotency_key == f"sub_1:refund:duplicate:{retry}"
    assert [n.kind for n in twice.notices] == [NoticeKind.DUPLICATE_PAYMENT_REFUNDED]
    after = twice.subscription
    assert (after.status, after.open_invoices, after.credit_balance) == (
        Status.ACTIVE,
        (),
        usd("0.00"),
    )
    # Delivered again: refused; the payment is refunded once.
    again = record_payment(
        after, retry, Succeeded(), utc(2026, 12, 25), catalog=CATALOG, policy=POLICY
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.ALREADY_PAID


def test_the_timed_out_attempts_money_after_the_retry_paid_is_refunded_in_full() -> None:
    """The other order: the retry (attempt 2) succeeds on 23 Dec and pays the invoice; the
    bank's money for the timed-out 1 Dec attempt arrives on 28 Dec: refunded in full."""
    retried = advance(renewal_pending(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    (retry,) = keys(retried)
    paid = recorded(retried.subscription, retry, Succeeded(), utc(2026, 12, 23))
    late = recorded(paid.subscription, RENEWAL_KEY, Succeeded(), utc(2026, 12, 28))
    assert _refunds(late) == [(usd("50.00"), RENEWAL_KEY, "sub_1-INV-0002", None)]
    assert late.subscription.status is Status.ACTIVE


def test_a_decline_of_an_attempt_outstanding_after_its_invoice_was_paid_settles_it() -> None:
    """The retry is declined after the timed-out attempt's money paid the invoice: nothing
    was collected twice, nothing is refunded, and a Succeeded for it afterwards is stale."""
    retried = advance(renewal_pending(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    (retry,) = keys(retried)
    paid = recorded(retried.subscription, RENEWAL_KEY, Succeeded(), utc(2026, 12, 23))
    settled = recorded(paid.subscription, retry, Declined(DeclineKind.SOFT), utc(2026, 12, 24))
    assert settled.effects == ()
    assert settled.subscription.outstanding_attempts == ()
    stale = record_payment(
        settled.subscription, retry, Succeeded(), utc(2026, 12, 25), catalog=CATALOG, policy=POLICY
    )
    assert isinstance(stale, Refused)


@pytest.mark.parametrize("value", [timedelta(0), timedelta(days=-1), timedelta(days=367), 14])
def test_the_pending_timeout_must_be_a_positive_timedelta_within_a_year(value: Any) -> None:
    with pytest.raises(InvalidPolicyError, match=r"^pending_timeout: ") as caught:
        attrs.evolve(SEED_POLICY, name="mine", pending_timeout=value)
    assert caught.value.argument == "pending_timeout"
