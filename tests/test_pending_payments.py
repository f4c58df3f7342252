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

from helpers import decided, utc
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    ChargeInvoice,
    Decision,
    NoticeKind,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    advance,
    default_catalog,
    has_access,
    next_wakeup,
    record_payment,
    start_subscription,
)
from subscription_rules.dunning import Declined, DeclineKind, GatewayError, Pending, Succeeded
from subscription_rules.errors import InvalidPolicyError

CATALOG = default_catalog()
POLICY = SEED_POLICY
START = datetime(2026, 11, 1, tzinfo=UTC)
RENEWAL_KEY = "sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000"


def renewal_pending(policy: BillingPolicy = POLICY) -> Subscription:
    """The 1 Dec renewal charged and answered ``Pending`` at 1 Dec 00:00."""
    started = start_subscription(
        "sub_1", "cus_1", "personal", MONTHLY, START, catalog=CATALOG, policy=POLICY, trial=False
    )
    (first,) = [e for e in started.effects if isinstance(e, ChargeInvoice)]
    paid = decided(
        record_payment(
            started.subscription,
            first.idempotency_key,
            Succeeded(),
            START,
            catalog=CATALOG,
            policy=policy,
        )
    )
    renewed = advance(paid.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=policy)
    pending = decided(
        record_payment(
            renewed.subscription,
            RENEWAL_KEY,
            Pending(),
            utc(2026, 12, 1),
            catalog=CATALOG,
            policy=policy,
        )
    )
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
    paid = decided(
        record_payment(
            sub, RENEWAL_KEY, Succeeded(), utc(2026, 12, 6), catalog=CATALOG, policy=POLICY
        )
    )
    assert paid.subscription.open_invoices == ()
    assert [n.kind for n in paid.notices] == [NoticeKind.PAYMENT_SUCCEEDED]


def test_a_decline_after_pending_starts_dunning_from_the_decline() -> None:
    # Declined on 6 Dec: past due, first retry a day later (7 Dec).
    sub = renewal_pending()
    failed = decided(
        record_payment(
            sub,
            RENEWAL_KEY,
            Declined(DeclineKind.SOFT),
            utc(2026, 12, 6),
            catalog=CATALOG,
            policy=POLICY,
        )
    )
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


def test_the_money_of_a_timed_out_attempt_that_arrives_is_recorded() -> None:
    # The bank's answer comes after the timeout (on 23 Dec, before the retry is answered):
    # the money arrived, so the invoice is paid; the retry's outcome is then already paid.
    sub = advance(renewal_pending(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY)
    (retry,) = keys(sub)
    paid = decided(
        record_payment(
            sub.subscription,
            RENEWAL_KEY,
            Succeeded(),
            utc(2026, 12, 23),
            catalog=CATALOG,
            policy=POLICY,
        )
    )
    assert paid.subscription.open_invoices == ()
    assert paid.subscription.status is Status.ACTIVE
    late = record_payment(
        paid.subscription, retry, Succeeded(), utc(2026, 12, 23), catalog=CATALOG, policy=POLICY
    )
    assert isinstance(late, Refused)
    assert late.reason is RefusalReason.ALREADY_PAID
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


@pytest.mark.parametrize("value", [timedelta(0), timedelta(days=-1), timedelta(days=367), 14])
def test_the_pending_timeout_must_be_a_positive_timedelta_within_a_year(value: Any) -> None:
    with pytest.raises(InvalidPolicyError, match=r"^pending_timeout: ") as caught:
        attrs.evolve(SEED_POLICY, name="mine", pending_timeout=value)
    assert caught.value.argument == "pending_timeout"
