"""Failed payments: retries, declines, gateway errors, exhaustion, recovery, the overdue ladder.

Personal costs USD 50.00 a month; the default schedule (SMART_RETRIES_LIKE) retries 1, 3, 5,
7, 9, 11 and 14 days after the first failure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpers import decided, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    Channel,
    ChargeInvoice,
    Decision,
    MissingPaymentMethod,
    Money,
    PastDueAccess,
    Preferences,
    RefusalReason,
    Refused,
    RestoreAccess,
    RetriesExhausted,
    Status,
    Subscription,
    SuspendAccess,
    SuspensionReason,
    Usage,
    advance,
    cancel,
    change_plan,
    channels_for,
    default_catalog,
    has_access,
    marked_unpaid,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    update_payment_method,
)
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    Declined,
    DeclineKind,
    GatewayError,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    PaymentOutcome,
    RetrySchedule,
    Succeeded,
    UnpaidInvoice,
    overdue_state,
)
from subscription_rules.errors import InvalidArgumentError, InvalidPolicyError

CATALOG = default_catalog()
SOFT = Declined(DeclineKind.SOFT, "insufficient_funds")
HARD = Declined(DeclineKind.HARD, "stolen_card")


def kinds(decision: Decision) -> list[str]:
    return [n.kind.value for n in decision.notices]


def renewal_due(
    policy: BillingPolicy = SEED_POLICY, plan_id: str = "personal"
) -> tuple[Subscription, str]:
    """``plan_id`` (Personal) from 1 Nov 2026, first invoice paid; advanced to the 1 Dec renewal."""
    sub = start_subscription(
        "sub_1",
        "cus_1",
        plan_id,
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    paid = decided(
        record_payment(
            sub,
            attempt_of(sub, "sub_1-INV-0001"),
            Succeeded(),
            utc(2026, 11, 1),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    renewed = advance(paid.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=policy)
    (invoice,) = renewed.invoices
    return renewed.subscription, invoice.id


def attempt_of(sub: Subscription, invoice_id: str) -> str:
    """The idempotency key of the charge attempt of ``invoice_id`` awaiting its outcome."""
    item = sub.open_invoice(invoice_id)
    assert item is not None, invoice_id
    assert item.attempt_key is not None, item
    return item.attempt_key


def outcome(
    sub: Subscription,
    invoice_id: str,
    result: PaymentOutcome,
    at: datetime,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    """Record ``result`` as the outcome of the attempt of ``invoice_id`` awaiting one."""
    key = attempt_of(sub, invoice_id)
    return decided(record_payment(sub, key, result, at, catalog=CATALOG, policy=policy))


def all_three_retries_declined(policy: BillingPolicy) -> tuple[Decision, str]:
    """The 1 Dec renewal declined, then each of a three-retry schedule's retries declined."""
    sub, invoice = renewal_due(policy)
    decision = outcome(sub, invoice, SOFT, utc(2026, 12, 1), policy)
    for _ in range(3):
        wake = decision.next_wakeup
        assert wake is not None
        retried = advance(decision.subscription, wake, catalog=CATALOG, policy=policy)
        decision = outcome(retried.subscription, invoice, SOFT, wake, policy)
    return decision, invoice


def charges(decision: Decision) -> list[str]:
    return [e.idempotency_key for e in decision.effects if isinstance(e, ChargeInvoice)]


# --- recovery ---------------------------------------------------------------------------------


def test_renewal_declined_once_then_paid_on_the_second_retry() -> None:
    # Declined 1 Dec → past due, retry 2 Dec (+1 day); declined again → retry 4 Dec (+3 days
    # from the first failure); paid then → active, receipt, anchor still the 1st.
    sub, invoice = renewal_due()
    first = outcome(sub, invoice, SOFT, utc(2026, 12, 1))
    assert first.subscription.status is Status.PAST_DUE
    assert kinds(first) == ["payment_failed"]
    assert first.notices[0].fact("next_retry") == utc(2026, 12, 2)
    assert first.next_wakeup == utc(2026, 12, 2)
    retry1 = advance(first.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY)
    assert charges(retry1) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    second = outcome(retry1.subscription, invoice, SOFT, utc(2026, 12, 2))
    assert second.next_wakeup == utc(2026, 12, 4)
    retry2 = advance(second.subscription, utc(2026, 12, 4), catalog=CATALOG, policy=SEED_POLICY)
    assert charges(retry2) == [f"sub_1:charge:{invoice}:due-5000:attempt-3"]
    paid = outcome(retry2.subscription, invoice, Succeeded(), utc(2026, 12, 4))
    assert paid.subscription.status is Status.ACTIVE
    assert kinds(paid) == ["payment_succeeded", "payment_recovered"]
    assert paid.notices[0].fact("amount") == Money.of("50", "USD")
    assert paid.subscription.cycle.anchor == utc(2026, 11, 1)
    assert paid.next_wakeup == utc(2027, 1, 1)


def test_all_retries_declined_suspends_on_the_date_the_schedule_gives() -> None:
    # Seven retries 1…14 days after 1 Dec; the last on 15 Dec fails → suspended that day.
    sub, invoice = renewal_due()
    decision = outcome(sub, invoice, SOFT, utc(2026, 12, 1))
    notices = list(decision.notices)
    retry_days = []
    while decision.subscription.status is Status.PAST_DUE:
        wake = decision.next_wakeup
        assert wake is not None
        retried = advance(decision.subscription, wake, catalog=CATALOG, policy=SEED_POLICY)
        assert len(charges(retried)) == 1
        retry_days.append(wake.day)
        decision = outcome(retried.subscription, invoice, SOFT, wake)
        notices.extend(decision.notices)
    assert retry_days == [2, 4, 6, 8, 10, 12, 15]
    assert decision.subscription.status is Status.SUSPENDED
    assert decision.subscription.suspension_reason is SuspensionReason.PAYMENT_FAILED
    assert decision.subscription.suspended_at == utc(2026, 12, 15)
    assert SuspendAccess(SuspensionReason.PAYMENT_FAILED) in decision.effects
    assert kinds(decision) == ["final_attempt_failed", "account_suspended"]
    unsubscribed = Preferences(email_opt_out=True)
    for notice in notices:
        channels = channels_for(notice, unsubscribed)
        assert Channel.EMAIL in channels
        assert Channel.DASHBOARD in channels
    # Nothing more is charged while suspended.
    assert (
        charges(
            advance(decision.subscription, utc(2027, 3, 1), catalog=CATALOG, policy=SEED_POLICY)
        )
        == []
    )


def test_hard_decline_waits_for_a_new_payment_method_then_retries_at_once() -> None:
    sub, invoice = renewal_due()
    declined = outcome(sub, invoice, HARD, utc(2026, 12, 1))
    assert kinds(declined) == ["payment_failed", "payment_method_needed"]
    assert declined.notices[1].fact("deadline") == utc(2026, 12, 15)
    waited = advance(declined.subscription, utc(2026, 12, 10), catalog=CATALOG, policy=SEED_POLICY)
    assert charges(waited) == []
    updated = update_payment_method(
        waited.subscription, utc(2026, 12, 10), catalog=CATALOG, policy=SEED_POLICY
    )
    assert charges(updated) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    assert kinds(updated) == ["retry_scheduled"]
    paid = outcome(updated.subscription, invoice, Succeeded(), utc(2026, 12, 10))
    assert paid.subscription.status is Status.ACTIVE


def test_hard_decline_without_a_new_card_suspends_at_the_deadline_and_paying_reinstates() -> None:
    # No new card by 15 Dec (14 days after the failure): suspended. A card on 20 Dec is
    # charged at once; success reinstates. The 1 Dec invoice paid for December, so the anchor
    # stays and nothing more is billed until 1 Jan.
    sub, invoice = renewal_due()
    declined = outcome(sub, invoice, HARD, utc(2026, 12, 1))
    suspended = advance(
        declined.subscription, utc(2026, 12, 15), catalog=CATALOG, policy=SEED_POLICY
    )
    assert suspended.subscription.status is Status.SUSPENDED
    assert kinds(suspended) == ["final_attempt_failed", "account_suspended"]
    updated = update_payment_method(
        suspended.subscription, utc(2026, 12, 20), catalog=CATALOG, policy=SEED_POLICY
    )
    assert charges(updated) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    back = outcome(updated.subscription, invoice, Succeeded(), utc(2026, 12, 20))
    assert back.subscription.status is Status.ACTIVE
    assert RestoreAccess() in back.effects
    assert kinds(back) == ["payment_succeeded", "payment_recovered", "account_reinstated"]
    assert back.invoices == ()
    assert back.next_wakeup == utc(2027, 1, 1)


def test_gateway_error_is_retried_within_minutes_without_using_an_attempt() -> None:
    sub, invoice = renewal_due()
    errored = outcome(sub, invoice, GatewayError("timeout"), utc(2026, 12, 1))
    assert errored.subscription.status is Status.ACTIVE
    assert errored.notices == ()
    assert errored.next_wakeup == utc(2026, 12, 1, 0, 5)
    retried = advance(
        errored.subscription, utc(2026, 12, 1, 0, 5), catalog=CATALOG, policy=SEED_POLICY
    )
    # The unanswered attempt is sent again with its own key: if it went through, the gateway
    # answers it rather than charging twice.
    assert charges(retried) == ["sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000"]
    (open_invoice,) = retried.subscription.open_invoices
    assert (open_invoice.declines, open_invoice.attempts) == (0, 1)
    # A soft decline afterwards starts the schedule with its first retry.
    declined = outcome(retried.subscription, invoice, SOFT, utc(2026, 12, 1, 0, 6))
    assert declined.next_wakeup == utc(2026, 12, 2, 0, 6)


def test_kill_bill_documented_retry_timeline() -> None:
    # Kill Bill's example: the payment fails on 2021-08-06; retries 1, 8, 4 and 7 days apart
    # fall on 08-07, 08-15, 08-19 and 08-26.
    policy = KILL_BILL_LIKE
    sub = start_subscription(
        "kb",
        "c",
        "personal",
        MONTHLY,
        utc(2021, 7, 6),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    paid = outcome(sub, "kb-INV-0001", Succeeded(), utc(2021, 7, 6))
    renewed = advance(paid.subscription, utc(2021, 8, 6), catalog=CATALOG, policy=policy)
    invoice = renewed.invoices[0].id
    decision = outcome(renewed.subscription, invoice, SOFT, utc(2021, 8, 6), policy)
    wakes = []
    while decision.next_wakeup is not None and decision.next_wakeup < utc(2021, 9, 1):
        wake = decision.next_wakeup
        wakes.append(wake.date().isoformat())
        retried = advance(decision.subscription, wake, catalog=CATALOG, policy=policy)
        decision = outcome(retried.subscription, invoice, SOFT, wake, policy)
    assert wakes == ["2021-08-07", "2021-08-15", "2021-08-19", "2021-08-26"]
    assert decision.subscription.status is Status.PAST_DUE  # Kill Bill-like: stays past due


def test_success_recorded_twice_is_counted_once() -> None:
    sub, invoice = renewal_due()
    key = attempt_of(sub, invoice)
    paid = outcome(sub, invoice, Succeeded(), utc(2026, 12, 1))
    again = record_payment(
        paid.subscription, key, Succeeded(), utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.ALREADY_PAID
    unknown = record_payment(
        paid.subscription, "other:charge:other-INV-9:due-5000:attempt-1", SOFT, utc(2026, 12, 1),
        catalog=CATALOG, policy=SEED_POLICY,
    )  # fmt: skip
    assert isinstance(unknown, Refused)
    assert unknown.reason is RefusalReason.UNKNOWN_ATTEMPT


def test_outcome_must_be_a_payment_outcome() -> None:
    sub, invoice = renewal_due()
    key = attempt_of(sub, invoice)
    with pytest.raises(InvalidArgumentError, match="outcome: expected Succeeded"):
        record_payment(sub, key, "paid", utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "status", "effect"),
    [
        (RetriesExhausted.CANCEL, Status.ENDED, "EndAccess"),
        (RetriesExhausted.MARK_UNPAID, Status.PAST_DUE, "SuspendAccess"),
        (RetriesExhausted.STAY_PAST_DUE, Status.PAST_DUE, None),
    ],
)
def test_exhausted_retries_follow_the_policy(
    action: RetriesExhausted, status: Status, effect: str | None
) -> None:
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", retry_schedule=THREE_RETRIES, retries_exhausted=action
    )
    decision, _invoice = all_three_retries_declined(policy)
    assert decision.subscription.status is status
    names = [type(e).__name__ for e in decision.effects]
    assert (effect in names) if effect else ("SuspendAccess" not in names)


def test_restricted_access_while_past_due_is_restored_on_payment() -> None:
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", past_due_access=PastDueAccess.RESTRICT)
    sub, invoice = renewal_due(policy)
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), policy)
    assert SuspendAccess(SuspensionReason.PAYMENT_FAILED) in declined.effects
    retried = advance(declined.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=policy)
    paid = outcome(retried.subscription, invoice, Succeeded(), utc(2026, 12, 2), policy)
    assert RestoreAccess() in paid.effects


def test_a_decline_reported_late_charges_the_due_retry_at_once() -> None:
    # Declined on 1 Dec but reported on 3 Dec: the 2 Dec retry is due already.
    sub, invoice = renewal_due()
    first = outcome(sub, invoice, SOFT, utc(2026, 12, 1))
    late = advance(first.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY)
    second = outcome(late.subscription, invoice, SOFT, utc(2026, 12, 5))
    # After two declines the next retry is 1 Dec + 3 days = 4 Dec, already past on 5 Dec.
    assert charges(second) == [f"sub_1:charge:{invoice}:due-5000:attempt-3"]


def test_no_retry_after_the_subscription_ended() -> None:
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", retries_exhausted=RetriesExhausted.CANCEL
    )
    sub, invoice = renewal_due(policy)
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), policy)
    cancelled = decided(cancel(declined.subscription, utc(2026, 12, 1, 1), policy=policy))
    ended = advance(cancelled.subscription, utc(2027, 1, 1), catalog=CATALOG, policy=policy)
    # Retries run until the period ends (the invoice is for time already used): the 2 Dec
    # retry is charged; its outcome is not reported, so nothing else is tried before 1 Jan.
    assert charges(ended) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    assert ended.subscription.status is Status.ENDED
    # A decline reported after the end schedules nothing, and nothing is charged later.
    late = outcome(ended.subscription, invoice, SOFT, utc(2027, 1, 2), policy)
    assert late.next_wakeup is None
    assert (
        charges(advance(late.subscription, utc(2027, 6, 1), catalog=CATALOG, policy=SEED_POLICY))
        == []
    )


# --- access: one function of the subscription and its policy --------------------------------

RESTRICT = attrs.evolve(SEED_POLICY, name="seed, changed", past_due_access=PastDueAccess.RESTRICT)
MARK_UNPAID = attrs.evolve(
    SEED_POLICY,
    name="seed, changed",
    retry_schedule=THREE_RETRIES,
    retries_exhausted=RetriesExhausted.MARK_UNPAID,
)


def test_past_due_access_follows_the_policy() -> None:
    # Past due after a declined renewal: access is kept under KEEP (the seed), withdrawn under
    # RESTRICT, and withdrawn under MARK_UNPAID once the retries have run out.
    for policy, expected in ((SEED_POLICY, True), (RESTRICT, False)):
        sub, invoice = renewal_due(policy)
        declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), policy).subscription
        assert declined.status is Status.PAST_DUE
        assert has_access(declined, policy) is expected
    unpaid, _invoice = all_three_retries_declined(MARK_UNPAID)
    assert unpaid.subscription.status is Status.PAST_DUE
    assert has_access(unpaid.subscription, MARK_UNPAID) is False
    assert has_access(unpaid.subscription, SEED_POLICY) is True  # not marked unpaid there


def test_past_due_without_a_failure_keeps_access_even_under_restrict() -> None:
    # A trial ending without a card under MissingPaymentMethod.INVOICE: past due, but no
    # payment has failed yet, so RESTRICT ("at the first failure") has not withdrawn access.
    policy = attrs.evolve(RESTRICT, missing_payment_method=MissingPaymentMethod.INVOICE)
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG,
        has_payment_method=False, policy=policy,
    ).subscription  # fmt: skip
    ended = advance(sub, utc(2026, 11, 15), catalog=CATALOG, policy=policy)
    assert ended.subscription.status is Status.PAST_DUE
    assert has_access(ended.subscription, policy) is True
    assert not any(isinstance(e, SuspendAccess) for e in ended.effects)
    # Its first decline is the first failure: access is withdrawn then.
    declined = outcome(ended.subscription, "s-INV-0001", SOFT, utc(2026, 11, 15), policy)
    assert SuspendAccess(SuspensionReason.PAYMENT_FAILED) in declined.effects
    assert has_access(declined.subscription, policy) is False


def test_suspending_a_restricted_past_due_account_withdraws_nothing_twice() -> None:
    # RESTRICT withdrew access at the decline; suspending for a policy violation then, and
    # the retries running out (SUSPEND), change nothing more about access.
    sub, invoice = renewal_due(RESTRICT)
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), RESTRICT)
    assert SuspendAccess(SuspensionReason.PAYMENT_FAILED) in declined.effects
    suspended = decided(suspend(declined.subscription, utc(2026, 12, 1, 1), policy=RESTRICT))
    assert not any(isinstance(e, SuspendAccess) for e in suspended.effects)
    assert kinds(suspended) == ["account_suspended"]


def test_reinstating_a_restricted_past_due_account_does_not_restore_access() -> None:
    # Suspended by support while past due under RESTRICT, then reinstated: the account goes
    # back to past due, where this policy gives no access, so no RestoreAccess.
    sub, invoice = renewal_due(RESTRICT)
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), RESTRICT)
    suspended = decided(suspend(declined.subscription, utc(2026, 12, 1, 1), policy=RESTRICT))
    back = decided(
        reinstate(suspended.subscription, utc(2026, 12, 1, 2), catalog=CATALOG, policy=RESTRICT)
    )
    assert back.subscription.status is Status.PAST_DUE
    assert not any(isinstance(e, RestoreAccess) for e in back.effects)
    assert has_access(back.subscription, RESTRICT) is False


def test_paying_before_mark_unpaid_applies_restores_nothing() -> None:
    # MARK_UNPAID with access kept while retries run: the decline did not withdraw access,
    # so paying the first retry must not "restore" it (a RestoreAccess was emitted).
    sub, invoice = renewal_due(MARK_UNPAID)
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1), MARK_UNPAID)
    assert has_access(declined.subscription, MARK_UNPAID) is True
    retried = advance(declined.subscription, utc(2026, 12, 4), catalog=CATALOG, policy=MARK_UNPAID)
    paid = outcome(retried.subscription, invoice, Succeeded(), utc(2026, 12, 4), MARK_UNPAID)
    assert not any(isinstance(e, RestoreAccess) for e in paid.effects)


def test_status_has_no_access_property_of_its_own() -> None:
    # Access depends on the policy as well as the status: one function, has_access.
    assert not hasattr(Status.PAST_DUE, "has_access")


def _marked_unpaid_until(until: datetime) -> tuple[Decision, str]:
    """MARK_UNPAID, THREE_RETRIES: the 1 Dec renewal (sub_1-INV-0002) declined four times, the
    last on 8 Dec (1 Dec + 7 days); then time passes to ``until``."""
    decision, invoice = all_three_retries_declined(MARK_UNPAID)
    assert marked_unpaid(decision.subscription, MARK_UNPAID)
    later = advance(decision.subscription, until, catalog=CATALOG, policy=MARK_UNPAID)
    return later, invoice


def test_marked_unpaid_renewals_are_issued_but_not_attempted() -> None:
    # Marked unpaid on 8 Dec (Stripe's `unpaid`). The renewals of 1 Jan and 1 Feb are
    # issued (open, with their renewal notices) but not charged, and not in dunning: no
    # ChargeInvoice and no retry for them, and access stays withdrawn.
    later, _invoice = _marked_unpaid_until(utc(2027, 2, 15))
    assert charges(later) == []
    assert kinds(later) == ["renewed", "renewed"]
    sub = later.subscription
    assert [o.id for o in sub.open_invoices] == [
        "sub_1-INV-0002",
        "sub_1-INV-0003",
        "sub_1-INV-0004",
    ]
    held = sub.open_invoices[1:]
    assert [(o.attempts, o.attempt_key, o.in_dunning) for o in held] == [(0, None, False)] * 2
    assert (sub.status, has_access(sub, MARK_UNPAID)) == (Status.PAST_DUE, False)
    assert later.next_wakeup == utc(2027, 3, 1)  # only the next renewal


def test_paying_the_oldest_unpaid_invoice_restores_access_and_charges_what_was_held() -> None:
    # On 15 Feb a new card retries sub_1-INV-0002 at once (still unpaid, no access yet). Its
    # success restores access and charges the two held renewals at once, each as its first
    # attempt; the account is active while they are collected.
    later, invoice = _marked_unpaid_until(utc(2027, 2, 15))
    card = update_payment_method(
        later.subscription, utc(2027, 2, 15), catalog=CATALOG, policy=MARK_UNPAID
    )
    assert charges(card) == [f"sub_1:charge:{invoice}:due-5000:attempt-5"]
    assert not any(isinstance(e, RestoreAccess) for e in card.effects)
    assert has_access(card.subscription, MARK_UNPAID) is False
    paid = outcome(card.subscription, invoice, Succeeded(), utc(2027, 2, 15), MARK_UNPAID)
    assert RestoreAccess() in paid.effects
    assert charges(paid) == [
        "sub_1:charge:sub_1-INV-0003:due-5000:attempt-1",
        "sub_1:charge:sub_1-INV-0004:due-5000:attempt-1",
    ]
    assert (paid.subscription.status, has_access(paid.subscription, MARK_UNPAID)) == (
        Status.ACTIVE,
        True,
    )
    assert not marked_unpaid(paid.subscription, MARK_UNPAID)
    # The held invoices are collected normally from here: a decline starts their dunning.
    declined = outcome(paid.subscription, "sub_1-INV-0003", SOFT, utc(2027, 2, 15), MARK_UNPAID)
    assert declined.subscription.status is Status.PAST_DUE
    assert declined.next_wakeup == utc(2027, 2, 18)  # THREE_RETRIES: 3 days after


# --- a retry that fell due is made, never dropped ---------------------------------------------


def test_a_retry_that_fell_due_while_suspended_is_made_on_reinstatement() -> None:
    # The renewal is declined on 1 Dec (retry due 2 Dec); support suspends the account on
    # 1 Dec 12:00 and reinstates it on 5 Dec, past due again. The 2 Dec retry was not made
    # while suspended; reinstating makes it at once (it was filtered out for good, as due
    # before the time already processed, and the invoice was never collected).
    sub, invoice = renewal_due()
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1))
    suspended = decided(suspend(declined.subscription, utc(2026, 12, 1, 12), policy=SEED_POLICY))
    back = decided(
        reinstate(suspended.subscription, utc(2026, 12, 5), catalog=CATALOG, policy=SEED_POLICY)
    )
    assert back.subscription.status is Status.PAST_DUE
    assert charges(back) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    # Declined too: the next retry (1 Dec + 3 days = 4 Dec) has passed as well, so it is
    # made at once, and the one after falls on 1 Dec + 5 days.
    again = outcome(back.subscription, invoice, SOFT, utc(2026, 12, 5, 1))
    assert charges(again) == [f"sub_1:charge:{invoice}:due-5000:attempt-3"]
    third = outcome(again.subscription, invoice, SOFT, utc(2026, 12, 5, 2))
    assert third.next_wakeup == utc(2026, 12, 6)


def test_a_retry_that_fell_due_before_another_outcome_is_made_at_once() -> None:
    # Advanced: the 1 Dec renewal (sub_1-INV-0002) is declined, its retry due 2 Dec; an
    # upgrade to Pro on 1 Dec 1:00 (sub_1-INV-0003) is charged, and its success is reported
    # late, on 3 Dec, before anything advanced the subscription. That outcome makes the
    # 2 Dec retry of INV-0002 at once instead of passing over it.
    renewed, renewal = renewal_due(plan_id="advanced")
    declined = outcome(renewed, renewal, SOFT, utc(2026, 12, 1))
    upgraded = decided(
        change_plan(
            declined.subscription, "pro", MONTHLY, utc(2026, 12, 1, 1), catalog=CATALOG,
            usage=Usage(), policy=SEED_POLICY,
        )
    )  # fmt: skip
    (upgrade,) = upgraded.invoices
    paid = outcome(upgraded.subscription, upgrade.id, Succeeded(), utc(2026, 12, 3))
    assert charges(paid) == [f"sub_1:charge:{renewal}:due-15000:attempt-2"]


def test_a_retry_passed_over_by_a_command_is_made_at_the_next_advance() -> None:
    # Declined on 1 Dec (retry due 2 Dec); the customer cancels on 3 Dec without the
    # subscription having been advanced. The retry is due at once (next_wakeup 3 Dec), and
    # the next advance makes it; it used to be dropped (next_wakeup 1 Jan, never charged).
    sub, invoice = renewal_due()
    declined = outcome(sub, invoice, SOFT, utc(2026, 12, 1))
    cancelled = decided(cancel(declined.subscription, utc(2026, 12, 3), policy=SEED_POLICY))
    assert cancelled.next_wakeup == utc(2026, 12, 3)
    moved = advance(cancelled.subscription, utc(2026, 12, 3), catalog=CATALOG, policy=SEED_POLICY)
    assert charges(moved) == [f"sub_1:charge:{invoice}:due-5000:attempt-2"]
    assert (
        advance(moved.subscription, utc(2026, 12, 3), catalog=CATALOG, policy=SEED_POLICY).effects
        == ()
    )


# --- schedules --------------------------------------------------------------------------------


def test_preset_schedules() -> None:
    assert SMART_RETRIES_LIKE.retries == 7  # 8 tries with the first attempt
    assert SMART_RETRIES_LIKE.window == timedelta(days=14)
    assert [o.days for o in THREE_RETRIES.offsets] == [3, 5, 7]
    assert [o.days for o in KILL_BILL_EXAMPLE.offsets] == [1, 9, 13, 20]


@pytest.mark.parametrize(
    "offsets",
    [
        (),
        (timedelta(days=0),),
        (timedelta(days=2), timedelta(days=2)),
        (timedelta(days=400),),
        tuple(timedelta(hours=h) for h in range(1, 60)),
    ],
)
def test_invalid_retry_schedules_are_refused(offsets: tuple[timedelta, ...]) -> None:
    with pytest.raises(InvalidPolicyError, match="offsets: "):
        RetrySchedule("bad", offsets)


def test_retries_aligned_to_a_local_hour_land_on_it() -> None:
    # Failure 1 Mar 2026 15:00 UTC; retries +1 and +3 days at 00:00 Paris time (UTC+1):
    # 2 Mar 15:00 UTC → 3 Mar 00:00 Paris; 4 Mar 15:00 UTC → 5 Mar 00:00 Paris.
    schedule = RetrySchedule("midnight", (timedelta(days=1), timedelta(days=3)), local_hour=0)
    times = schedule.retry_times(utc(2026, 3, 1, 15), "Europe/Paris")
    assert [t.isoformat() for t in times] == [
        "2026-03-03T00:00:00+01:00",
        "2026-03-05T00:00:00+01:00",
    ]
    with pytest.raises(InvalidPolicyError, match="at least a day apart"):
        RetrySchedule("tight", (timedelta(hours=1), timedelta(hours=2)), local_hour=0)


def test_retries_at_a_local_hour_across_paris_dst_changes() -> None:
    # Paris skips 02:00–03:00 on 26 Mar 2023 and repeats 02:00–03:00 on 29 Oct 2023. A retry
    # due at 02:00 local on those days:
    # - 26 Mar: 02:00 does not exist and moves forward by the gap, to 03:00 CEST (01:00 UTC);
    # - 29 Oct: 02:00 occurs twice; the retry comes at the first, 02:00 CEST (00:00 UTC).
    schedule = RetrySchedule("two", (timedelta(days=1),), local_hour=2)
    (spring,) = schedule.retry_times(datetime(2023, 3, 25, 0, 30, tzinfo=UTC), "Europe/Paris")
    assert spring.isoformat() == "2023-03-26T03:00:00+02:00"
    # Failure 27 Oct 23:30 UTC; + 1 day = 29 Oct 01:30 CEST, before the first 02:00.
    (autumn,) = schedule.retry_times(datetime(2023, 10, 27, 23, 30, tzinfo=UTC), "Europe/Paris")
    assert autumn.astimezone(UTC) == datetime(2023, 10, 29, 0, 0, tzinfo=UTC)
    assert autumn.isoformat() == "2023-10-29T02:00:00+02:00"


def test_retry_times_strictly_increase_across_dst() -> None:
    # Retries at midnight, Paris, 1 and 2 days after a failure on 23 Oct 2026 22:30 UTC.
    # Paris sets its clocks back on 25 Oct (03:00 CEST → 02:00 CET), so that day lasts 25 h:
    # its midnight is 24 Oct 22:00 UTC and the next is 25 Oct 23:00 UTC.
    # - +1 day = 24 Oct 22:30 UTC (25 Oct 00:30 CEST): the next midnight is 26 Oct 00:00 CET
    #   = 25 Oct 23:00 UTC;
    # - +2 days = 25 Oct 22:30 UTC (25 Oct 23:30 CET): the next midnight is the same instant.
    # Two retries cannot be one: the second waits for the midnight after, 26 Oct 23:00 UTC.
    schedule = RetrySchedule("midnight", (timedelta(days=1), timedelta(days=2)), local_hour=0)
    first, second = schedule.retry_times(utc(2026, 10, 23, 22, 30), "Europe/Paris")
    assert first.astimezone(UTC) == utc(2026, 10, 25, 23)
    assert second.astimezone(UTC) == utc(2026, 10, 26, 23)
    assert second.isoformat() == "2026-10-27T00:00:00+01:00"


def test_retry_times_stay_within_the_window_across_dst() -> None:
    # One retry a day after 23 Oct 2026 22:30 UTC, at midnight in Paris: 24 Oct 22:30 UTC is
    # 00:30 CEST on the 25-hour day, whose next midnight (25 Oct 23:00 UTC) is 24.5 h later.
    # The window allows a local day of up to 26 hours after the last offset, and the
    # deadline of a hard decline is the end of that window.
    schedule = RetrySchedule("midnight", (timedelta(days=1),), local_hour=0)
    failure = utc(2026, 10, 23, 22, 30)
    (retry,) = schedule.retry_times(failure, "Europe/Paris")
    assert retry.astimezone(UTC) == utc(2026, 10, 25, 23)
    assert schedule.window == timedelta(days=1, hours=26)
    assert retry <= failure + schedule.window
    assert schedule.deadline(failure) == utc(2026, 10, 26, 0, 30)


def test_retry_times_depend_on_the_instant_not_the_zone_it_is_written_in() -> None:
    # 7 Mar 2026 12:00 UTC is 07:00 EST in New York, which moves to EDT on 8 Mar. A day later
    # is 8 Mar 12:00 UTC whichever way the failure is written (adding a day to the New York
    # wall clock gave 07:00 EDT = 11:00 UTC, an hour early). The result is in the billing
    # time zone.
    failure = utc(2026, 3, 7, 12)
    in_new_york = failure.astimezone(ZoneInfo("America/New_York"))
    for schedule in (KILL_BILL_EXAMPLE, RetrySchedule("hour", (timedelta(days=1),), local_hour=9)):
        assert schedule.retry_times(in_new_york, "Europe/Paris") == schedule.retry_times(
            failure, "Europe/Paris"
        )
    (retry,) = RetrySchedule("day", (timedelta(days=1),)).retry_times(in_new_york)
    assert (retry, retry.utcoffset()) == (utc(2026, 3, 8, 12), timedelta(0))
    assert KILL_BILL_EXAMPLE.deadline(in_new_york) == utc(2026, 3, 27, 12)


def test_gateway_backoff_is_counted_in_elapsed_minutes_across_dst() -> None:
    # New York sets its clocks back at 02:00 EDT on 1 Nov 2026 (06:00 UTC). A gateway error
    # at 01:58 EDT (05:58 UTC), written in New York time, is retried 5 minutes later at
    # 06:03 UTC (01:03 EST), not at 02:03 EST (07:03 UTC, 65 minutes later).
    new_york = ZoneInfo("America/New_York")
    sub = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2026, 10, 31),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    at = utc(2026, 11, 1, 5, 58).astimezone(new_york)
    errored = outcome(sub, sub.open_invoices[0].id, GatewayError(), at)
    assert errored.next_wakeup == utc(2026, 11, 1, 6, 3)


def test_overdue_next_change_is_counted_in_elapsed_days_across_dst() -> None:
    # An invoice issued on 20 Mar 2026 at 00:00 Paris time (19 Mar 23:00 UTC), unpaid: the
    # 10-day warning comes 10 × 24 h later, 29 Mar 23:00 UTC (30 Mar 01:00 CEST), when ten
    # whole days have passed, not at 30 Mar 00:00 CEST (29 Mar 22:00 UTC), when only 9 had.
    paris = ZoneInfo("Europe/Paris")
    issued = datetime(2026, 3, 20, tzinfo=paris)
    unpaid = [UnpaidInvoice(issued, Money.of("50", "USD"))]
    status = overdue_state(unpaid, issued, LADDER)
    assert status.next_change == utc(2026, 3, 29, 23)
    assert status.next_change is not None
    assert overdue_state(unpaid, status.next_change, LADDER).state == LADDER.states[0]


# --- the overdue ladder -----------------------------------------------------------------------

LADDER = OverdueLadder(
    (
        OverdueState("warning", days=10, actions=frozenset({OverdueAction.NOTICE})),
        OverdueState(
            "blocked",
            days=20,
            actions=frozenset({OverdueAction.NOTICE, OverdueAction.BLOCK_CHANGES}),
        ),
        OverdueState("suspended", days=30, actions=frozenset({OverdueAction.SUSPEND})),
    )
)


def bill(day: int, amount: str = "50") -> UnpaidInvoice:
    return UnpaidInvoice(utc(2027, 1, day), Money.of(amount, "USD"))


def test_paying_the_oldest_invoice_mid_way_cannot_skip_the_warning() -> None:
    # Unpaid invoices of 1 Jan and 5 Jan. On 8 Jan the warning is due on 11 Jan (1 Jan + 10).
    # The 1 Jan invoice is paid on 9 Jan: counted from the 5 Jan invoice, the warning is now
    # due on 15 Jan — and is entered on that day. (A timer kept from before would have looked
    # on 11 Jan, found nothing, and could next look after 15 Jan.)
    before = overdue_state([bill(1), bill(5)], utc(2027, 1, 8), LADDER)
    assert (before.state, before.next_change) == (None, utc(2027, 1, 11))
    after_payment = overdue_state([bill(5)], utc(2027, 1, 9), LADDER)
    assert (after_payment.state, after_payment.next_change) == (None, utc(2027, 1, 15))
    on_the_day = overdue_state([bill(5)], utc(2027, 1, 15), LADDER)
    assert on_the_day.state is not None
    assert [s.name for s in on_the_day.entered] == ["warning"]


def test_every_state_entered_is_reported_even_when_looked_at_late() -> None:
    late = overdue_state([bill(1)], utc(2027, 2, 5), LADDER)
    assert [s.name for s in late.entered] == ["warning", "blocked", "suspended"]
    from_warning = overdue_state([bill(1)], utc(2027, 2, 5), LADDER, previous=LADDER.states[0])
    assert [s.name for s in from_warning.entered] == ["blocked", "suspended"]


def test_balance_and_count_conditions() -> None:
    ladder = OverdueLadder(
        (
            OverdueState("large", balance=Money.of("100", "USD")),
            OverdueState("many", invoices=3),
        )
    )
    assert overdue_state([bill(1), bill(2)], utc(2027, 1, 3), ladder).state == ladder.states[0]
    reached = overdue_state([bill(1), bill(2), bill(3)], utc(2027, 1, 3), ladder).state
    assert reached == ladder.states[1]
    assert overdue_state([bill(1)], utc(2027, 1, 3), ladder).state is None


def test_the_ladder_in_a_subscriptions_life_blocks_changes_and_suspends() -> None:
    # Renewal of 1 Dec declined (hard, no new card): warning on 11 Dec, plan changes blocked
    # from 21 Dec; the retry deadline (15 Dec) comes first under this schedule, so use one
    # that waits 40 days for a card.
    schedule = RetrySchedule("patient", (timedelta(days=40),))
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", retry_schedule=schedule, overdue_ladder=LADDER
    )
    sub, invoice = renewal_due(policy)
    declined = outcome(sub, invoice, HARD, utc(2026, 12, 1), policy)
    assert declined.next_wakeup == utc(2026, 12, 11)
    warned = advance(declined.subscription, utc(2026, 12, 11), catalog=CATALOG, policy=policy)
    assert kinds(warned) == ["overdue_state_entered"]
    assert warned.notices[0].fact("state") == "warning"
    blocked = advance(warned.subscription, utc(2026, 12, 21), catalog=CATALOG, policy=policy)
    on = blocked.subscription.overdue_state
    assert on is not None
    assert (on.name, on) == ("blocked", LADDER.states[1])
    refused = change_plan(
        blocked.subscription, "pro", MONTHLY, utc(2026, 12, 22), catalog=CATALOG, usage=Usage(),
        policy=policy,
    )  # fmt: skip
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.BLOCKED_WHILE_OVERDUE
    suspended = advance(blocked.subscription, utc(2026, 12, 31), catalog=CATALOG, policy=policy)
    assert suspended.subscription.status is Status.SUSPENDED


# --- building schedules from gaps (Kill Bill's style) ---------------------------------------


def test_from_gaps_keeps_the_name_and_sums_the_gaps() -> None:
    schedule = RetrySchedule.from_gaps("kb", [1, 8, 4, 7])
    assert schedule.name == "kb"
    assert [o.days for o in schedule.offsets] == [1, 9, 13, 20]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ((0,), "^days: gaps must be positive ints of days, got 0$"),
        ((2, -1), "^days: gaps must be positive ints of days, got -1$"),
        ((1.5,), "^days: gaps must be positive ints of days, got 1.5$"),
        ((True,), "^days: gaps must be positive ints of days, got True$"),
        # 51 gaps of a day: more than MAX_RETRIES (50).
        ((1,) * 51, "^days: must hold 1 to 50 retries, got 51$"),
        # 300 + 67 = 367 days: beyond the 366-day window.
        (
            (300, 67),
            "^days: the last retry must come within 366 days of the first failure, got 367 days$",
        ),
        ("1, 2", "^days: must be a tuple or list of day gaps, got str '1, 2'$"),
    ],
)
def test_from_gaps_refuses_bad_gaps_naming_them(days: object, message: str) -> None:
    with pytest.raises(InvalidPolicyError, match=message) as caught:
        RetrySchedule.from_gaps("bad", days)  # type: ignore[arg-type]
    assert caught.value.value == days


def test_from_gaps_accepts_the_limits_exactly() -> None:
    # 50 gaps (MAX_RETRIES) and a last retry at exactly 366 days are allowed.
    assert RetrySchedule.from_gaps("many", (1,) * 50).retries == 50
    assert RetrySchedule.from_gaps("long", (300, 66)).window == timedelta(days=366)


def test_cancelling_when_retries_run_out_ends_now_with_its_notice() -> None:
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        retry_schedule=THREE_RETRIES,
        retries_exhausted=RetriesExhausted.CANCEL,
    )
    decision, invoice = all_three_retries_declined(policy)
    # The third retry (1 Dec + 7 days = 8 Dec) is declined: the subscription ends then.
    ended = decision.subscription
    assert (ended.status, ended.ended_at, ended.cancel_at_period_end, ended.pending_change) == (
        Status.ENDED,
        utc(2026, 12, 8),
        False,
        None,
    )
    assert kinds(decision) == ["final_attempt_failed", "subscription_ended"]
    notice = decision.notices[1]
    assert (notice.fact("plan"), notice.fact("ended_at"), notice.key) == (
        "Personal",
        utc(2026, 12, 8),
        "sub_1:subscription_ended:end",
    )
    # Suspending when retries run out records the invoice and the reason.
    suspend_policy = attrs.evolve(
        policy, name=f"{policy.name}, varied", retries_exhausted=RetriesExhausted.SUSPEND
    )
    decision, invoice = all_three_retries_declined(suspend_policy)
    suspended = decision.subscription
    assert (suspended.suspended_at, suspended.suspended_from) == (utc(2026, 12, 8), Status.ACTIVE)
    assert decision.notices[1].facts == (("reason", "payment_failed"), ("invoice", invoice))
    (item,) = suspended.open_invoices
    assert (item.exhausted, item.next_retry_at, item.awaiting_payment_method) == (True, None, False)


def test_gateway_errors_back_off_5_10_20_40_80_minutes_then_count_as_a_soft_decline() -> None:
    # GATEWAY_BACKOFF is 5 minutes doubled four times: 5, 10, 20, 40, 80. Each error is
    # reported when its retry comes; the sixth error in a row is a soft decline, whose first
    # retry (SMART_RETRIES_LIKE) is a day after that failure.
    sub, invoice = renewal_due()
    at = utc(2026, 12, 1)
    waits = []
    for _ in range(5):
        decision = outcome(sub, invoice, GatewayError("timeout"), at)
        assert decision.notices == ()
        assert decision.subscription.status is Status.ACTIVE
        wake = decision.next_wakeup
        assert wake is not None
        waits.append(int((wake - at).total_seconds()) // 60)
        sub = advance(decision.subscription, wake, catalog=CATALOG, policy=SEED_POLICY).subscription
        at = wake
    assert waits == [5, 10, 20, 40, 80]
    assert at == utc(2026, 12, 1, 2, 35)  # 5 + 10 + 20 + 40 + 80 = 155 minutes
    sixth = outcome(sub, invoice, GatewayError("timeout"), at)
    assert sixth.subscription.status is Status.PAST_DUE
    assert kinds(sixth) == ["payment_failed"]
    assert sixth.next_wakeup == utc(2026, 12, 2, 2, 35)
    (item,) = sixth.subscription.open_invoices
    assert (item.declines, item.gateway_errors) == (1, 0)


def test_duplicate_declines_use_no_retry_and_an_exhausted_invoice_is_not_retried_after() -> None:
    # THREE_RETRIES: retries 3, 5 and 7 days after the first failure. The renewal's decline
    # delivered four times is counted once: the next retry stays on 4 Dec. When the three
    # retries are declined, staying past due, the invoice is not charged again by a retry
    # left scheduled: until the next renewal (1 Jan) nothing is due.
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        retry_schedule=THREE_RETRIES,
        retries_exhausted=RetriesExhausted.STAY_PAST_DUE,
    )
    sub, invoice = renewal_due(policy)
    key = attempt_of(sub, invoice)
    decision = outcome(sub, invoice, SOFT, utc(2026, 12, 1), policy)
    for _ in range(3):
        repeated = record_payment(
            decision.subscription, key, SOFT, utc(2026, 12, 1), catalog=CATALOG, policy=policy
        )
        assert isinstance(repeated, Refused)
        assert repeated.reason is RefusalReason.DUPLICATE_OUTCOME
    (item,) = decision.subscription.open_invoices
    assert (item.declines, item.next_retry_at) == (1, utc(2026, 12, 4))
    decision, invoice = all_three_retries_declined(policy)
    assert kinds(decision) == ["final_attempt_failed"]
    (item,) = decision.subscription.open_invoices
    assert (item.exhausted, item.next_retry_at, item.declines) == (True, None, 4)
    assert decision.next_wakeup == utc(2027, 1, 1)
    later = advance(decision.subscription, utc(2027, 1, 1), catalog=CATALOG, policy=policy)
    assert charges(later) == ["sub_1:renewal:2027-01-01T00:00:00+00:00:due-5000"]


def test_a_hard_decline_past_its_deadline_is_exhausted_once() -> None:
    # A hard decline waits for a new card for the schedule's window (THREE_RETRIES: 7 days).
    # Staying past due when it runs out, the invoice stops waiting: no second final notice.
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        retry_schedule=THREE_RETRIES,
        retries_exhausted=RetriesExhausted.STAY_PAST_DUE,
    )
    sub, invoice = renewal_due(policy)
    declined = outcome(sub, invoice, HARD, utc(2026, 12, 1), policy)
    assert declined.next_wakeup == utc(2026, 12, 8)
    deadline = advance(declined.subscription, utc(2026, 12, 20), catalog=CATALOG, policy=policy)
    assert kinds(deadline) == ["final_attempt_failed"]
    (item,) = deadline.subscription.open_invoices
    assert (item.exhausted, item.awaiting_payment_method, item.next_retry_at) == (True, False, None)
    assert deadline.subscription.status is Status.PAST_DUE
    assert deadline.next_wakeup == utc(2027, 1, 1)


def test_two_invoices_past_one_deadline_suspend_once() -> None:
    # Advanced (150.00) from 1 Nov; its 1 Dec renewal is hard-declined, then an upgrade to
    # Pro on 1 Dec is invoiced and hard-declined at the same instant: both wait for a card
    # until 1 Dec + 7 days. At that deadline the first suspends the account; the second,
    # already suspended, only gets its final notice.
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        retry_schedule=THREE_RETRIES,
        retries_exhausted=RetriesExhausted.SUSPEND,
    )
    renewed, renewal = renewal_due(policy, "advanced")
    declined = outcome(renewed, renewal, HARD, utc(2026, 12, 1), policy)
    upgraded = decided(
        change_plan(
            declined.subscription,
            "pro",
            MONTHLY,
            utc(2026, 12, 1),
            catalog=CATALOG,
            usage=Usage(),
            policy=policy,
        )
    )
    upgrade = upgraded.invoices[0].id
    both = outcome(upgraded.subscription, upgrade, HARD, utc(2026, 12, 1), policy)
    assert [i.awaiting_payment_method for i in both.subscription.open_invoices] == [True, True]
    deadline = advance(both.subscription, utc(2026, 12, 8), catalog=CATALOG, policy=policy)
    assert kinds(deadline) == ["final_attempt_failed", "account_suspended", "final_attempt_failed"]
    assert [type(e).__name__ for e in deadline.effects].count("SuspendAccess") == 1
    assert deadline.subscription.status is Status.SUSPENDED
    assert [i.exhausted for i in deadline.subscription.open_invoices] == [True, True]


@pytest.mark.parametrize("scheduled", ["downgrade", "cancellation"])
def test_ending_when_retries_run_out_drops_what_was_scheduled(scheduled: str) -> None:
    # Advanced, renewal declined on 1 Dec; then a downgrade to Personal (or a cancellation) is
    # scheduled for the period end. When THREE_RETRIES runs out (8 Dec) the subscription
    # ends at once: nothing remains scheduled.
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        retry_schedule=THREE_RETRIES,
        retries_exhausted=RetriesExhausted.CANCEL,
    )
    renewed, invoice = renewal_due(policy, "advanced")
    decision = outcome(renewed, invoice, SOFT, utc(2026, 12, 1), policy)
    if scheduled == "downgrade":
        decision = decided(
            change_plan(
                decision.subscription,
                "personal",
                MONTHLY,
                utc(2026, 12, 1, 1),
                catalog=CATALOG,
                usage=Usage(),
                policy=policy,
            )
        )
        assert decision.subscription.pending_change is not None
    else:
        decision = decided(cancel(decision.subscription, utc(2026, 12, 1, 1), policy=policy))
        assert decision.subscription.cancel_at_period_end
    for _ in range(3):
        wake = decision.next_wakeup
        assert wake is not None
        retried = advance(decision.subscription, wake, catalog=CATALOG, policy=policy)
        decision = outcome(retried.subscription, invoice, SOFT, wake, policy)
    ended = decision.subscription
    assert (ended.status, ended.ended_at) == (Status.ENDED, utc(2026, 12, 8))
    assert (ended.pending_change, ended.cancel_at_period_end) == (None, False)
