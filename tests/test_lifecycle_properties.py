"""Properties of a subscription's life: advance is idempotent and split-invariant, no charge
while trialing, suspended or ended, every status change has its notice, one renewal a period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    BillingPolicy,
    ChargeInvoice,
    Decision,
    InvoiceReason,
    Refused,
    Status,
    Subscription,
    SuspendedTime,
    TrialCancellation,
    Usage,
    advance,
    cancel,
    change_plan,
    default_catalog,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
)
from subscription_rules import strategies as sr

CATALOG = default_catalog()
USAGE = Usage.of(properties=2, integrations=1)
Action = Literal["advance", "cancel", "undo", "suspend", "reinstate", "change", "card"]

# The policies these properties are stated for: the four presets, and the seed's with a
# cancelled trial keeping access and suspended time credited.
POLICIES = sr.policies(catalog=CATALOG, presets_only=True) | st.just(
    attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        trial_cancellation=TrialCancellation.KEEP_ACCESS,
        suspended_time=SuspendedTime.CREDITED,
    )
)

NOTICE_FOR_STATUS = {
    Status.ACTIVE: {"trial_converted", "account_reinstated", "payment_recovered"},
    Status.PAST_DUE: {"payment_method_needed", "payment_failed", "account_reinstated"},
    Status.SUSPENDED: {"account_suspended", "trial_cancelled"},
    Status.ENDED: {"subscription_ended"},
    Status.TRIALING: {"account_reinstated"},
}


# Kept local, built from the shipped strategies: the properties replay a life of their own
# steps from its start decision, which `strategies.subscriptions` (the end of a life) does
# not give.
@st.composite
def lives(
    draw: st.DrawFn,
) -> tuple[BillingPolicy, Decision, list[tuple[timedelta, Action, str]]]:
    policy = draw(POLICIES)
    zone = draw(sr.time_zones())
    # Near a DST change of the billing zone, at a month end, at a telling wall time, or anywhere.
    start = draw(sr.instants(2024, 2030, zone, edges=True)).astimezone(UTC)
    started = start_subscription(
        "s",
        "c",
        draw(st.sampled_from(CATALOG.ids)),
        draw(st.sampled_from([MONTHLY, YEARLY])),
        start,
        catalog=CATALOG,
        time_zone=zone,
        trial=draw(st.booleans()),
        has_payment_method=draw(st.booleans()),
        policy=policy,
    )
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(1, 70 * 86_400).map(lambda s: timedelta(seconds=s)),
                st.sampled_from(
                    ["advance", "cancel", "undo", "suspend", "reinstate", "change", "card"]
                ),
                st.sampled_from(CATALOG.ids),
            ),
            max_size=8,
        )
    )
    return policy, started, steps  # type: ignore[return-value]


def _command(
    sub: Subscription, action: Action, plan_id: str, at: datetime, policy: BillingPolicy
) -> Decision | Refused:
    if action == "cancel":
        return cancel(sub, at, policy=policy)
    if action == "undo":
        return undo_cancel(sub, at, policy=policy)
    if action == "suspend":
        return suspend(sub, at, policy=policy)
    if action == "reinstate":
        return reinstate(sub, at, catalog=CATALOG, policy=policy)
    if action == "card":
        return update_payment_method(sub, at, catalog=CATALOG, policy=policy)
    return change_plan(sub, plan_id, sub.interval, at, catalog=CATALOG, usage=USAGE, policy=policy)


def _live(
    policy: BillingPolicy, started: Decision, steps: list[tuple[timedelta, Action, str]]
) -> list[tuple[Subscription, Decision, str]]:
    """Every decision of the life, with the subscription before it and what caused it."""
    sub = started.subscription
    at = sub.processed_until
    history = []
    for delta, action, plan_id in steps:
        at += delta
        moved = advance(sub, at, catalog=CATALOG, policy=policy, usage=USAGE)
        history.append((sub, moved, "advance"))
        sub = moved.subscription
        if action == "advance":
            continue
        result = _command(sub, action, plan_id, at, policy)
        if isinstance(result, Decision):
            history.append((sub, result, action))
            sub = result.subscription
    return history


@given(lives(), st.data())
def test_advance_is_idempotent_and_split_invariant(
    life: tuple[BillingPolicy, Decision, list[tuple[timedelta, Action, str]]], data: st.DataObject
) -> None:
    """advance(t) twice adds nothing; advance(t1) then advance(t2) equals advance(t2)."""
    policy, started, steps = life
    for before, decision, cause in _live(policy, started, steps):
        if cause != "advance":
            continue
        until = decision.subscription.processed_until
        again = advance(decision.subscription, until, catalog=CATALOG, policy=policy, usage=USAGE)
        assert again.effects == ()
        assert again.subscription == decision.subscription
        span = int((until - before.processed_until).total_seconds())
        middle = before.processed_until + timedelta(seconds=data.draw(st.integers(0, span)))
        first = advance(before, middle, catalog=CATALOG, policy=policy)
        second = advance(first.subscription, until, catalog=CATALOG, policy=policy)
        whole = advance(before, until, catalog=CATALOG, policy=policy)
        assert first.effects + second.effects == whole.effects
        assert second.subscription == whole.subscription
        assert second.next_wakeup == whole.next_wakeup


@given(lives())
def test_no_charge_while_trialing_suspended_or_ended(
    life: tuple[BillingPolicy, Decision, list[tuple[timedelta, Action, str]]],
) -> None:
    """Charges come only from billing states, a trial's conversion, or a return from suspension."""
    policy, started, steps = life
    for before, decision, cause in _live(policy, started, steps):
        # The final invoice settles what was billed in arrears when a subscription ends.
        charges = [
            e
            for e in decision.effects
            if isinstance(e, ChargeInvoice) and e.invoice.reason is not InvoiceReason.FINAL
        ]
        if not charges:
            continue
        assert before.status is not Status.ENDED
        if before.status is Status.SUSPENDED:
            assert cause in {"reinstate", "card"}
        if before.status is Status.TRIALING and cause == "advance":
            assert before.trial_end is not None
            assert charges[0].invoice.issued_at == before.trial_end
            assert charges[0].invoice.reason is InvoiceReason.TRIAL_CONVERSION
            assert not before.cancel_at_period_end
        if before.status is Status.TRIALING and cause != "advance":
            raise AssertionError(f"{cause} charged during a trial")
        if before.cancel_at_period_end and before.status is not Status.TRIALING:
            # Only the final invoice (usage in arrears) may come at the end itself.
            end = before.current_period.end
            assert all(
                c.invoice.issued_at < end or c.invoice.reason is InvoiceReason.FINAL
                for c in charges
            )


@given(lives())
def test_every_status_change_emits_its_notice(
    life: tuple[BillingPolicy, Decision, list[tuple[timedelta, Action, str]]],
) -> None:
    """A decision that changes the status carries the notice of the status it ends in."""
    policy, started, steps = life
    for before, decision, _cause in _live(policy, started, steps):
        after = decision.subscription.status
        if after is before.status:
            continue
        kinds = {n.kind.value for n in decision.notices}
        assert kinds & NOTICE_FOR_STATUS[after], (before.status, after, kinds)


@given(lives())
def test_at_most_one_renewal_invoice_per_period_and_no_reused_key(
    life: tuple[BillingPolicy, Decision, list[tuple[timedelta, Action, str]]],
) -> None:
    """Renewal invoices have distinct periods; idempotency and notice keys are never reused."""
    policy, started, steps = life
    decisions = [started] + [d for _, d, _ in _live(policy, started, steps)]
    charges = [e for d in decisions for e in d.effects if isinstance(e, ChargeInvoice)]
    keys = [c.idempotency_key for c in charges]
    assert len(keys) == len(set(keys))
    renewals = [
        c.invoice.period_start for c in charges if c.invoice.reason is InvoiceReason.RENEWAL
    ]
    assert len(renewals) == len(set(renewals))
    notice_keys = [n.key for d in decisions for n in d.notices]
    assert len(notice_keys) == len(set(notice_keys)), notice_keys
