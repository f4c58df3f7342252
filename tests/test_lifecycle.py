"""The help page's story over time: trials, cancellation, renewals, suspension and notices.

Dates are worked out by hand in the comments: the built-in catalog's plans have 14-day
trials; Personal costs USD 50.00 a month, Advanced USD 150.00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpers import decided, started, utc
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingPolicy,
    Catalog,
    Channel,
    ChargeInvoice,
    Decision,
    EndAccess,
    Limits,
    MissingPaymentMethod,
    NoticeKind,
    Plan,
    Preferences,
    Price,
    RefusalReason,
    Refused,
    RestoreAccess,
    Status,
    Subscription,
    SuspendAccess,
    SuspendedTime,
    SuspensionReason,
    TrialCancellation,
    Usage,
    advance,
    cancel,
    change_plan,
    channels_for,
    default_catalog,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
)
from subscription_rules.errors import InvalidPeriodError, NaiveDatetimeError

CATALOG = default_catalog()


def trial(plan_id: str = "personal", *, has_payment_method: bool = True) -> Subscription:
    return start_subscription(
        "sub_1",
        "cus_1",
        plan_id,
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        has_payment_method=has_payment_method,
        policy=SEED_POLICY,
    ).subscription


def kinds(decision: Decision) -> list[str]:
    return [n.kind.value for n in decision.notices]


# --- trials -----------------------------------------------------------------------------------


def test_fourteen_day_trial_sends_its_reminder_three_days_before_the_end() -> None:
    # Started 1 Nov 00:00 UTC: the trial ends 15 Nov; the reminder goes out 12 Nov.
    started = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    assert kinds(started) == ["trial_started"]
    assert started.invoices == ()
    assert started.next_wakeup == utc(2026, 11, 12)
    before = advance(
        started.subscription, utc(2026, 11, 11, 23), catalog=CATALOG, policy=SEED_POLICY
    )
    assert before.effects == ()
    reminded = advance(before.subscription, utc(2026, 11, 12), catalog=CATALOG, policy=SEED_POLICY)
    assert kinds(reminded) == ["trial_ending"]
    assert reminded.notices[0].fact("trial_end") == utc(2026, 11, 15)
    assert reminded.next_wakeup == utc(2026, 11, 15)


def test_cancel_on_trial_day_five_suspends_at_once_and_charges_nothing() -> None:
    # Day 1 is 1 Nov, so day 5 is 5 Nov.
    cancelled = decided(cancel(trial(), utc(2026, 11, 5), policy=SEED_POLICY))
    assert cancelled.subscription.status is Status.SUSPENDED
    assert cancelled.subscription.suspension_reason is SuspensionReason.TRIAL_CANCELLED
    assert cancelled.effects[0] == SuspendAccess(SuspensionReason.TRIAL_CANCELLED)
    assert kinds(cancelled) == ["trial_cancelled"]
    later = advance(cancelled.subscription, utc(2027, 6, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert later.effects == ()
    assert later.next_wakeup is None


def test_cancel_in_trial_keeping_access_ends_at_the_trial_end_without_charge() -> None:
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", trial_cancellation=TrialCancellation.KEEP_ACCESS
    )
    cancelled = decided(cancel(trial(), utc(2026, 11, 5), policy=policy))
    assert cancelled.subscription.status is Status.TRIALING
    assert kinds(cancelled) == ["cancellation_scheduled"]
    ended = advance(cancelled.subscription, utc(2026, 12, 31), catalog=CATALOG, policy=policy)
    assert ended.subscription.status is Status.ENDED
    assert ended.subscription.ended_at == utc(2026, 11, 15)
    assert ended.invoices == ()
    assert kinds(ended) == ["subscription_ended"]  # no trial-ending reminder once cancelled


def test_trial_with_a_payment_method_converts_with_the_first_invoice() -> None:
    # Converts on 15 Nov: Personal for 15 Nov – 15 Dec, USD 50.00; the cycle is anchored there.
    converted = advance(trial(), utc(2026, 11, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert kinds(converted) == ["trial_ending", "trial_converted"]
    assert converted.subscription.status is Status.ACTIVE
    (invoice,) = converted.invoices
    assert (invoice.period_start, invoice.period_end) == (utc(2026, 11, 15), utc(2026, 12, 15))
    assert invoice.amount_due.minor == 5000
    assert converted.subscription.cycle.anchor == utc(2026, 11, 15)


def test_trial_ending_without_a_payment_method_suspends_by_default() -> None:
    ended = advance(
        trial(has_payment_method=False), utc(2026, 11, 15), catalog=CATALOG, policy=SEED_POLICY
    )
    assert ended.subscription.status is Status.SUSPENDED
    assert (
        ended.subscription.suspension_reason is SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD
    )
    assert ended.invoices == ()
    assert kinds(ended) == ["trial_ending", "account_suspended"]
    assert SuspendAccess(SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD) in ended.effects


def test_adding_a_payment_method_after_a_suspended_trial_starts_billing_then() -> None:
    # Suspended on 15 Nov; a card added on 20 Nov: a cycle anchored on 20 Nov, first invoice.
    suspended = advance(
        trial(has_payment_method=False), utc(2026, 11, 15), catalog=CATALOG, policy=SEED_POLICY
    )
    resumed = update_payment_method(
        suspended.subscription, utc(2026, 11, 20), catalog=CATALOG, policy=SEED_POLICY
    )
    assert resumed.subscription.status is Status.ACTIVE
    assert resumed.effects[0] == RestoreAccess()
    (invoice,) = resumed.invoices
    assert (invoice.period_start, invoice.period_end) == (utc(2026, 11, 20), utc(2026, 12, 20))


@pytest.mark.parametrize(
    ("policy", "status", "invoices"),
    [
        (
            attrs.evolve(
                SEED_POLICY,
                name="seed, changed",
                missing_payment_method=MissingPaymentMethod.CANCEL,
            ),
            "ended",
            0,
        ),
        (STRIPE_LIKE, "past_due", 1),  # Stripe's create_invoice: billed, past due
    ],
)
def test_trial_end_without_payment_method_follows_the_policy(
    policy: BillingPolicy, status: str, invoices: int
) -> None:
    ended = advance(
        trial(has_payment_method=False), utc(2026, 11, 15), catalog=CATALOG, policy=policy
    )
    assert ended.subscription.status.value == status
    assert len(ended.invoices) == invoices


def test_a_trial_shorter_than_the_reminder_lead_gets_its_reminder_at_once() -> None:
    catalog = Catalog((Plan("mini", "Mini", (Price.of("5", "USD", MONTHLY),), Limits(), 2),))
    started = start_subscription(
        "s", "c", "mini", MONTHLY, utc(2026, 11, 1), catalog=catalog, policy=SEED_POLICY
    )
    assert kinds(started) == ["trial_started", "trial_ending"]
    assert started.next_wakeup == utc(2026, 11, 3)


def test_one_trial_per_customer() -> None:
    again = start_subscription(
        "s2",
        "cus_1",
        "personal",
        MONTHLY,
        utc(2027, 1, 1),
        catalog=CATALOG,
        had_trial=True,
        policy=SEED_POLICY,
    )
    assert again.subscription.status is Status.ACTIVE
    assert [i.amount_due.minor for i in again.invoices] == [5000]


def test_trial_in_a_time_zone_ends_at_local_time_across_dst() -> None:
    # New York, 25 Oct 2026 09:00 EDT (UTC−4) + 14 days = 8 Nov 09:00 EST (UTC−5): the
    # clocks fell back on 1 Nov, so the trial is 14 × 24 + 1 hours long.
    ny = ZoneInfo("America/New_York")
    started = start_subscription(
        "s", "c", "personal", MONTHLY, datetime(2026, 10, 25, 9, tzinfo=ny),
        catalog=CATALOG, time_zone="America/New_York", policy=SEED_POLICY,
    )  # fmt: skip
    trial_end = started.subscription.trial_end
    assert trial_end is not None
    assert trial_end == datetime(2026, 11, 8, 9, tzinfo=ny)
    assert trial_end.astimezone(UTC) == utc(2026, 11, 8, 14)


# --- cancellation -----------------------------------------------------------------------------


def test_cancel_mid_period_keeps_service_to_the_end_then_ends_without_another_invoice() -> None:
    cancelled = decided(cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY))
    assert cancelled.subscription.status is Status.ACTIVE
    assert cancelled.subscription.cancel_at_period_end
    assert cancelled.notices[0].fact("ends_at") == utc(2026, 12, 1)
    ended = advance(cancelled.subscription, utc(2027, 3, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert ended.invoices == ()
    assert ended.subscription.status is Status.ENDED
    assert ended.subscription.ended_at == utc(2026, 12, 1)
    assert EndAccess() in ended.effects
    assert kinds(ended) == ["subscription_ended"]
    assert ended.next_wakeup is None


def test_undo_cancel_before_the_end_keeps_renewing() -> None:
    cancelled = decided(cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY))
    undone = decided(undo_cancel(cancelled.subscription, utc(2026, 11, 20), policy=SEED_POLICY))
    assert kinds(undone) == ["cancellation_undone"]
    renewed = advance(undone.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [i.amount_due.minor for i in renewed.invoices] == [5000]


def test_commands_that_do_not_apply_are_refused_as_values() -> None:
    sub = started()
    cancelled = decided(cancel(sub, utc(2026, 11, 10), policy=SEED_POLICY))
    twice = cancel(cancelled.subscription, utc(2026, 11, 11), policy=SEED_POLICY)
    assert isinstance(twice, Refused)
    assert twice.reason is RefusalReason.ALREADY_DONE
    nothing = undo_cancel(sub, utc(2026, 11, 10), policy=SEED_POLICY)
    assert isinstance(nothing, Refused)
    assert nothing.reason is RefusalReason.NOTHING_PENDING
    ended = advance(
        cancelled.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    for refused in (
        change_plan(
            ended,
            "pro",
            MONTHLY,
            utc(2026, 12, 2),
            catalog=CATALOG,
            usage=Usage(),
            policy=SEED_POLICY,
        ),
        cancel(ended, utc(2026, 12, 2), policy=SEED_POLICY),
        suspend(ended, utc(2026, 12, 2), policy=SEED_POLICY),
        reinstate(ended, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY),
    ):
        assert isinstance(refused, Refused)
        assert refused.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


def test_a_command_after_an_unprocessed_period_end_must_advance_first() -> None:
    with pytest.raises(InvalidPeriodError, match="advance the subscription first"):
        cancel(started(), utc(2026, 12, 1), policy=SEED_POLICY)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="at: naive datetime"):
        cancel(started(), datetime(2026, 11, 10), policy=SEED_POLICY)  # noqa: DTZ001
    with pytest.raises(NaiveDatetimeError, match="until: naive datetime"):
        advance(started(), datetime(2026, 12, 10), catalog=CATALOG, policy=SEED_POLICY)  # noqa: DTZ001


# --- renewals ---------------------------------------------------------------------------------


def test_advancing_thirteen_months_in_one_call_renews_thirteen_times_in_order() -> None:
    # Active from 1 Nov 2026: renewals on 1 Dec 2026 … 1 Dec 2027, one invoice each.
    renewed = advance(started(), utc(2027, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    starts = [i.period_start for i in renewed.invoices]
    assert starts == [utc(2026 + (10 + k) // 12, (10 + k) % 12 + 1, 1) for k in range(1, 14)]
    keys = [e.idempotency_key for e in renewed.effects if isinstance(e, ChargeInvoice)]
    assert len(set(keys)) == 13
    assert keys[0] == "sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000"
    assert renewed.subscription.cycle.anchor == utc(2026, 11, 1)
    assert renewed.subscription.period_index == 13


def test_advance_is_idempotent_and_split_invariant() -> None:
    at_once = advance(started(), utc(2027, 2, 15), catalog=CATALOG, policy=SEED_POLICY)
    first = advance(started(), utc(2026, 12, 20), catalog=CATALOG, policy=SEED_POLICY)
    second = advance(first.subscription, utc(2027, 2, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert first.effects + second.effects == at_once.effects
    assert second.subscription == at_once.subscription
    again = advance(at_once.subscription, utc(2027, 2, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert again.effects == ()


def test_yearly_plans_get_a_renewal_reminder_seven_days_before() -> None:
    # Yearly from 1 Nov 2026: the reminder goes out 25 Oct 2027, the renewal 1 Nov 2027.
    sub = started(interval=YEARLY)
    reminded = advance(sub, utc(2027, 10, 25), catalog=CATALOG, policy=SEED_POLICY)
    assert kinds(reminded) == ["renewal_upcoming"]
    assert reminded.notices[0].fact("renews_at") == utc(2027, 11, 1)
    renewed = advance(reminded.subscription, utc(2027, 11, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert kinds(renewed) == ["renewed"]
    assert (
        advance(started(), utc(2026, 11, 28), catalog=CATALOG, policy=SEED_POLICY).effects == ()
    )  # monthly: none


def test_scheduled_downgrade_is_blocked_at_renewal_when_properties_grew_back() -> None:
    # Advanced → Personal scheduled on 16 Nov with 3 properties; by 1 Dec there are 5 again.
    scheduled = decided(
        change_plan(
            started("advanced"),
            "personal",
            MONTHLY,
            utc(2026, 11, 16),
            catalog=CATALOG,
            usage=Usage.of(properties=3),
            policy=SEED_POLICY,
        )
    )
    renewed = advance(
        scheduled.subscription,
        utc(2026, 12, 1),
        catalog=CATALOG,
        usage=Usage.of(properties=5),
        policy=SEED_POLICY,
    )
    assert kinds(renewed) == ["downgrade_blocked", "renewed"]
    assert renewed.notices[0].fact("actions") == "delete 2 properties"
    assert renewed.subscription.plan_id == "advanced"
    assert [i.amount_due.minor for i in renewed.invoices] == [15000]


def test_overage_of_the_ending_period_is_billed_on_the_renewal_invoice() -> None:
    # Personal allows 100,000 billable sessions; 120,000 used → 20,000 × USD 5.00 / 1,000
    # = USD 100.00 on the 1 Dec invoice, after the USD 50.00 subscription line.
    renewed = advance(
        started(),
        utc(2026, 12, 1),
        catalog=CATALOG,
        usage=Usage.of(billable_sessions=120_000),
        policy=SEED_POLICY,
    )
    (invoice,) = renewed.invoices
    assert [line.amount.minor for line in invoice.lines] == [5000, 10000]
    assert invoice.amount_due.minor == 15000


def test_lago_like_trial_in_the_customers_time_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    started = start_subscription(
        "s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=tokyo),
        catalog=CATALOG, time_zone="Asia/Tokyo", policy=LAGO_LIKE,
    )  # fmt: skip
    converted = advance(
        started.subscription,
        datetime(2026, 11, 15, tzinfo=tokyo),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    (invoice,) = converted.invoices
    assert invoice.period_end == datetime(2026, 12, 15, tzinfo=tokyo)


# --- suspension -------------------------------------------------------------------------------


def test_suspension_for_a_policy_violation_withdraws_access_and_stops_billing() -> None:
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY))
    assert suspended.effects[0] == SuspendAccess(SuspensionReason.POLICY_VIOLATION)
    assert kinds(suspended) == ["account_suspended"]
    later = advance(suspended.subscription, utc(2027, 1, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert later.effects == ()
    again = suspend(suspended.subscription, utc(2026, 11, 11), policy=SEED_POLICY)
    assert isinstance(again, Refused)


def test_reinstatement_in_the_same_period_charges_nothing_more() -> None:
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    back = decided(reinstate(suspended, utc(2026, 11, 12), catalog=CATALOG, policy=SEED_POLICY))
    assert back.subscription.status is Status.ACTIVE
    assert back.effects[0] == RestoreAccess()
    assert back.invoices == ()
    assert kinds(back) == ["account_reinstated"]
    renewed = advance(back.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [i.amount_due.minor for i in renewed.invoices] == [5000]


def test_reinstatement_can_credit_the_suspended_days() -> None:
    # Suspended 10 Nov – 16 Nov: 6 of November's 30 days; credit 5000 × 6/30 = 1000.
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    back = decided(reinstate(suspended, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    (note,) = back.credit_notes
    assert note.amount.minor == 1000
    assert back.subscription.credit_balance.minor == 1000
    renewed = advance(back.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.credit_applied.minor, i.amount_due.minor) for i in renewed.invoices] == [
        (1000, 4000)
    ]


def test_reinstatement_after_period_ends_bills_the_rest_of_the_current_period() -> None:
    # Suspended 10 Nov, reinstated 16 Dec 00:00: December (31 days) was not billed; 16 days
    # remain: 5000 × 16/31 = 2580.6… → 2581. The anchor stays on the 1st.
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    back = decided(reinstate(suspended, utc(2026, 12, 16), catalog=CATALOG, policy=SEED_POLICY))
    (invoice,) = back.invoices
    assert invoice.amount_due.minor == 2581
    assert back.subscription.current_period.start == utc(2026, 12, 1)
    renewed = advance(back.subscription, utc(2027, 1, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.period_start, i.amount_due.minor) for i in renewed.invoices] == [
        (utc(2027, 1, 1), 5000)
    ]


def test_payment_and_trial_suspensions_are_not_reinstated_by_support() -> None:
    suspended = decided(cancel(trial(), utc(2026, 11, 5), policy=SEED_POLICY)).subscription
    refused = reinstate(suspended, utc(2026, 11, 6), catalog=CATALOG, policy=SEED_POLICY)
    assert isinstance(refused, Refused)
    assert "not by reinstatement" in refused.message


def test_cancelling_a_suspended_subscription_ends_it_at_once() -> None:
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    ended = decided(cancel(suspended, utc(2026, 11, 12), policy=SEED_POLICY))
    assert ended.subscription.status is Status.ENDED
    assert kinds(ended) == ["subscription_ended"]


def test_cancelling_a_suspended_subscription_leaves_nothing_scheduled() -> None:
    """An ended subscription keeps no scheduled change and no cancellation at a period end.

    Advanced from 1 Nov: Personal scheduled for 1 Dec on 5 Nov (a downgrade waits for the
    period end), suspended on 10 Nov, cancelled on 12 Nov: it ends then, and the downgrade
    of 1 Dec is gone with it (as at every other ending). Found by the model-based lives.
    """
    sub = started("advanced")
    scheduled = decided(
        change_plan(
            sub,
            "personal",
            MONTHLY,
            utc(2026, 11, 5),
            catalog=CATALOG,
            usage=Usage.of(properties=1),
            policy=SEED_POLICY,
        )
    ).subscription
    assert scheduled.pending_change is not None
    suspended = decided(suspend(scheduled, utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    ended = decided(cancel(suspended, utc(2026, 11, 12), policy=SEED_POLICY)).subscription
    assert (ended.status, ended.pending_change) == (Status.ENDED, None)
    # Cancelled for the period end first, then suspended and cancelled again: ended now.
    cancelled = decided(cancel(sub, utc(2026, 11, 5), policy=SEED_POLICY)).subscription
    suspended = decided(suspend(cancelled, utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    ended = decided(cancel(suspended, utc(2026, 11, 12), policy=SEED_POLICY)).subscription
    assert (ended.status, ended.cancel_at_period_end) == (Status.ENDED, False)


# --- notices ----------------------------------------------------------------------------------


def test_an_unsubscribed_customer_still_receives_billing_email() -> None:
    renewed = advance(started(), utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    (notice,) = renewed.notices
    channels = channels_for(notice, Preferences(email_opt_out=True, unsubscribed=frozenset()))
    assert Channel.EMAIL in channels
    assert Channel.AUDIT_LOG in channels


def test_notices_have_deterministic_keys_and_one_line_summaries() -> None:
    renewed = advance(started(), utc(2027, 1, 1), catalog=CATALOG, policy=SEED_POLICY)
    keys = [n.key for n in renewed.notices]
    assert keys == [
        "sub_1:renewed:2026-12-01T00:00:00+00:00",
        "sub_1:renewed:2027-01-01T00:00:00+00:00",
    ]
    assert (
        renewed.notices[0].summary() == "2026-12-01 renewed: plan=Personal, period_end=2027-01-01"
    )
    assert renewed.notices[0].kind is NoticeKind.RENEWED


def test_the_last_periods_overage_is_billed_on_a_final_invoice() -> None:
    # Cancelled on 10 Nov; 120,000 billable sessions by 1 Dec on Personal (100,000 included):
    # 20,000 × USD 5.00 / 1,000 = USD 100.00 on a final invoice, then the end.
    cancelled = decided(cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY))
    ended = advance(
        cancelled.subscription,
        utc(2026, 12, 1),
        catalog=CATALOG,
        usage=Usage.of(billable_sessions=120_000),
        policy=SEED_POLICY,
    )
    (invoice,) = ended.invoices
    assert invoice.reason.value == "final"
    assert invoice.amount_due.minor == 10000
    assert ended.subscription.status is Status.ENDED


def test_a_cancelled_subscription_suspended_before_its_end_still_ends_then() -> None:
    cancelled = decided(cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY))
    suspended = decided(suspend(cancelled.subscription, utc(2026, 11, 12), policy=SEED_POLICY))
    assert suspended.next_wakeup == utc(2026, 12, 1)
    ended = advance(suspended.subscription, utc(2027, 1, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert ended.subscription.status is Status.ENDED
    assert ended.subscription.ended_at == utc(2026, 12, 1)
    assert ended.invoices == ()


def test_a_free_plan_invoiced_at_the_trial_end_without_a_card_owes_nothing_and_stays_active() -> (
    None
):
    catalog = Catalog((Plan("free", "Free", (Price.of("0", "USD", MONTHLY),), Limits(), 7),))
    started = start_subscription(
        "s",
        "c",
        "free",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=catalog,
        has_payment_method=False,
        policy=SEED_POLICY,
    )
    ended = advance(started.subscription, utc(2026, 11, 8), catalog=catalog, policy=STRIPE_LIKE)
    assert ended.subscription.status is Status.ACTIVE
    assert ended.subscription.open_invoices == ()


def test_a_new_payment_method_after_an_unprocessed_period_end_must_advance_first() -> None:
    with pytest.raises(InvalidPeriodError, match="advance the subscription first"):
        update_payment_method(started(), utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY)


def test_suspended_time_on_a_stretch_begun_mid_period_is_credited_from_what_it_billed() -> None:
    # Personal from 1 Nov 2026; upgrade to Advanced on 11 Nov: the stretch [11 Nov, 1 Dec)
    # billed 15000 × 20/30 = 10000. Suspended 16 Nov, reinstated 21 Nov with suspended time
    # credited: 10000 × 5 days (432,000 s) / 20 days (1,728,000 s) = 2500.
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    upgraded = decided(
        change_plan(
            started(),
            "advanced",
            MONTHLY,
            utc(2026, 11, 11),
            catalog=CATALOG,
            usage=Usage(),
            policy=SEED_POLICY,
        )
    )
    suspended = decided(suspend(upgraded.subscription, utc(2026, 11, 16), policy=policy))
    back = decided(
        reinstate(suspended.subscription, utc(2026, 11, 21), catalog=CATALOG, policy=policy)
    )
    (note,) = back.credit_notes
    (line,) = note.lines
    assert line.kind.value == "suspension_credit"
    assert line.amount.minor == -2500
    assert line.description == "Suspended time on advanced from 16 Nov 2026 to 21 Nov 2026"
    assert (line.start, line.end, line.plan_id) == (
        utc(2026, 11, 16),
        utc(2026, 11, 21),
        "advanced",
    )
    assert line.explanation is not None
    assert (line.explanation.units, line.explanation.denominator) == (432_000, 1_728_000)
    assert line.explanation.unit == "seconds"
    assert back.subscription.stretches[-1].credited.minor == 2500
    assert back.subscription.credit_balance.minor == 2500


def test_no_suspension_credit_for_a_reinstatement_at_the_moment_of_suspension() -> None:
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    suspended = decided(suspend(started(), utc(2026, 11, 10), policy=policy))
    back = decided(
        reinstate(suspended.subscription, utc(2026, 11, 10), catalog=CATALOG, policy=policy)
    )
    assert back.credit_notes == ()


def test_a_trial_cancelled_then_suspended_still_ends_when_the_trial_does() -> None:
    # Found by the soak campaign. Stripe-like: cancelling in a trial keeps access until the
    # trial ends (1 Jan 2024 + 14 days = 15 Jan). Suspended a second later, the subscription
    # must still end on 15 Jan — and a reinstatement afterwards must not bill it again.
    start = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2024, 1, 1),
        catalog=CATALOG,
        has_payment_method=False,
        policy=STRIPE_LIKE,
    )
    cancelled = cancel(
        start.subscription, datetime(2024, 1, 1, 0, 0, 1, tzinfo=UTC), policy=STRIPE_LIKE
    )
    assert isinstance(cancelled, Decision)
    assert cancelled.subscription.cancel_at_period_end
    suspended = suspend(
        cancelled.subscription, datetime(2024, 1, 1, 0, 0, 2, tzinfo=UTC), policy=STRIPE_LIKE
    )
    assert isinstance(suspended, Decision)
    assert suspended.next_wakeup == utc(2024, 1, 15)
    later = advance(suspended.subscription, utc(2024, 2, 15), catalog=CATALOG, policy=STRIPE_LIKE)
    assert later.subscription.status is Status.ENDED
    assert later.subscription.ended_at == utc(2024, 1, 15)
    assert [n.kind for n in later.notices] == [NoticeKind.SUBSCRIPTION_ENDED]
    assert later.invoices == ()
    refused = reinstate(later.subscription, utc(2024, 2, 15), catalog=CATALOG, policy=STRIPE_LIKE)
    assert isinstance(refused, Refused)
