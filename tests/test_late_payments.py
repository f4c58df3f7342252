"""Late payment outcomes: a webhook delivered after time was processed further (issue 16, item 3).

Personal costs USD 50.00 a month, started 1 Nov 2026 without a trial; the 1 Dec renewal
is charged with key ``sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000``. The policy is the
seed's: SMART_RETRIES_LIKE retries 1, 3, 5, 7, 9, 11 and 14 days after the first failure.
The nightly run (``advance``) has processed time to 3 Dec when the webhook arrives.
"""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import RENEWAL_KEY, recorded, renewal_due, utc
from subscription_rules import (
    SEED_POLICY,
    ChargeInvoice,
    Decision,
    NoticeKind,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    advance,
    default_catalog,
    record_payment,
)
from subscription_rules.dunning import Declined, DeclineKind, Succeeded
from subscription_rules.notifications import FactName

CATALOG = default_catalog()
POLICY = SEED_POLICY
START = datetime(2026, 11, 1, tzinfo=UTC)


def renewal_run_past() -> Subscription:
    """The 1 Dec renewal charged, its outcome not yet in, and the nightly run at 3 Dec."""
    renewed, _ = renewal_due(POLICY)
    nightly = advance(renewed, utc(2026, 12, 3), catalog=CATALOG, policy=POLICY)
    assert nightly.effects == ()
    return nightly.subscription


def keys(decision: Decision) -> list[str]:
    return [e.idempotency_key for e in decision.effects if isinstance(e, ChargeInvoice)]


def test_a_success_delivered_after_the_nightly_run_is_recorded_at_the_processing_time() -> None:
    # The 1 Dec charge succeeded on 1 Dec at 10:00; the webhook comes after the run to 3 Dec.
    sub = renewal_run_past()
    result = recorded(sub, RENEWAL_KEY, Succeeded(), utc(2026, 12, 1, 10))
    assert result.subscription.open_invoices == ()
    assert result.subscription.processed_until == utc(2026, 12, 3)  # never moved back
    (notice,) = result.notices
    assert notice.kind is NoticeKind.PAYMENT_SUCCEEDED
    assert notice.at == utc(2026, 12, 3)  # effects at the processing time
    assert notice.fact(FactName.OCCURRED_AT) == utc(2026, 12, 1, 10)  # when it happened


def test_a_late_soft_decline_makes_the_retries_already_due_at_once() -> None:
    # Declined on 1 Dec at 00:00, delivered after the run to 3 Dec: the first retry (+1 day,
    # 2 Dec) is already past, so it is made at once (attempt 2), at 3 Dec; the schedule still
    # counts from the failure (1 Dec), so after that retry's decline the next is +3 days, 4 Dec.
    sub = renewal_run_past()
    late = recorded(sub, RENEWAL_KEY, Declined(DeclineKind.SOFT), utc(2026, 12, 1))
    assert late.subscription.status is Status.PAST_DUE
    assert keys(late) == ["sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"]
    (item,) = late.subscription.open_invoices
    assert item.first_failed_at == utc(2026, 12, 1)
    failed = late.notices[0]
    assert failed.kind is NoticeKind.PAYMENT_FAILED
    assert failed.at == utc(2026, 12, 3)
    assert failed.fact(FactName.OCCURRED_AT) == utc(2026, 12, 1)
    assert failed.fact(FactName.NEXT_RETRY) == utc(2026, 12, 2)
    second = recorded(
        late.subscription,
        "sub_1:charge:sub_1-INV-0002:due-5000:attempt-2",
        Declined(DeclineKind.SOFT),
        utc(2026, 12, 3),
    )
    (item,) = second.subscription.open_invoices
    assert item.next_retry_at == utc(2026, 12, 4)


def test_a_late_hard_decline_past_its_deadline_exhausts_the_invoice_at_once() -> None:
    # Hard-declined on 1 Dec; the seed's deadline is 14 days later (15 Dec). Delivered after a
    # run to 16 Dec, the deadline is past: the final-attempt notice comes at once, at 16 Dec.
    sub = renewal_run_past()
    sub = advance(sub, utc(2026, 12, 16), catalog=CATALOG, policy=POLICY).subscription
    late = recorded(sub, RENEWAL_KEY, Declined(DeclineKind.HARD), utc(2026, 12, 1))
    (item,) = late.subscription.open_invoices
    assert item.exhausted
    kinds = [n.kind for n in late.notices]
    assert NoticeKind.FINAL_ATTEMPT_FAILED in kinds
    assert all(n.at == utc(2026, 12, 16) for n in late.notices)


def test_a_success_delivered_twice_the_second_after_the_nightly_run_is_already_paid() -> None:
    sub = renewal_run_past()
    first = recorded(sub, RENEWAL_KEY, Succeeded(), utc(2026, 12, 1))
    later = advance(first.subscription, utc(2026, 12, 5), catalog=CATALOG, policy=POLICY)
    again = record_payment(
        later.subscription,
        RENEWAL_KEY,
        Succeeded(),
        utc(2026, 12, 1),
        catalog=CATALOG,
        policy=POLICY,
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.ALREADY_PAID


def test_a_late_decline_of_attempt_1_after_attempt_2_succeeded_is_already_paid() -> None:
    sub = renewal_run_past()
    declined = recorded(sub, RENEWAL_KEY, Declined(DeclineKind.SOFT), utc(2026, 12, 3))
    retried = advance(declined.subscription, utc(2026, 12, 4), catalog=CATALOG, policy=POLICY)
    (second,) = keys(retried)
    paid = recorded(retried.subscription, second, Succeeded(), utc(2026, 12, 4))
    stale = record_payment(
        paid.subscription,
        RENEWAL_KEY,
        Declined(DeclineKind.SOFT),
        utc(2026, 12, 1),
        catalog=CATALOG,
        policy=POLICY,
    )
    assert isinstance(stale, Refused)
    assert stale.reason is RefusalReason.ALREADY_PAID
