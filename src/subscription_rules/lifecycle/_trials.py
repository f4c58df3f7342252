"""Moving a running trial's end: set, extend, shorten or end it now (Stripe's ``trial_end``)."""

from __future__ import annotations

from datetime import datetime

from subscription_rules._checks import expect, names_what_was_passed
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.effects import Decision, Effect, RefusalReason, Refused
from subscription_rules.errors import InvalidPeriodError
from subscription_rules.lifecycle._common import _local_days_later, _notice
from subscription_rules.lifecycle._renewal import _trial_end, _trial_reminder
from subscription_rules.lifecycle._scheduling import _next_wakeup, _trial_reminder_at
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import BillingCycle, require_aware, utc_instant
from subscription_rules.policy import BillingPolicy, TrialPlanChange
from subscription_rules.subscription import Status, Subscription


def _follows_trial(sub: Subscription) -> bool:
    """Whether the cycle is anchored at the trial's end (no separate billing anchor)."""
    return sub.period_index == 0 and sub.current_period.start == sub.trial_end


def _retimed(sub: Subscription, trial_end: datetime, written: datetime) -> Subscription | Refused:
    """``sub`` with its trial ending at ``trial_end`` and its cycle to match.

    A cycle anchored at the trial's end moves with it (to ``written``, the wall
    clock as given). A separate billing anchor stays: billing then begins in the
    period holding the new end, with a stub up to the next boundary; a trial end
    before the cycle's first boundary (a stub longer than one period) is refused.
    """
    if _follows_trial(sub):
        cycle = BillingCycle(written, sub.interval, sub.cycle.time_zone)
        return sub.evolve(trial_end=trial_end, cycle=cycle, period_index=0)
    first = sub.cycle.boundary(0)
    if trial_end < first:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"the trial cannot end before {first.isoformat()}: billing would begin more than "
            f"one period ({sub.interval}) before the billing anchor",
        )
    index = sub.cycle.index_containing(trial_end)
    return sub.evolve(trial_end=trial_end, period_index=index)


def _move_trial_end(
    sub: Subscription,
    trial_end: datetime,
    written: datetime,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]] | Refused:
    """Move a trialing ``sub``'s end to ``trial_end`` (not before ``at``), with its notices.

    At ``at`` the trial ends at once, exactly as at its end (``_trial_end``);
    later, the cycle follows, a ``TRIAL_END_CHANGED`` notice goes out and the
    trial-ending reminder is rescheduled (sent now if its time has passed and it
    was not sent for the old end).
    """
    before = sub.trial_end
    assert before is not None  # noqa: S101 - only called for trials
    retimed = _retimed(sub.evolve(processed_until=at), trial_end, written)
    if isinstance(retimed, Refused):
        return retimed
    if trial_end == at:
        return _trial_end(retimed, catalog, policy)
    plan = catalog.plan(sub.plan_id)
    facts: tuple[FactPair, ...] = (
        (FactName.PLAN, plan.name),
        (FactName.TRIAL_END, trial_end),
        (FactName.PREVIOUS_TRIAL_END, before),
    )
    occasion = f"trial-end-{at.isoformat()}-{trial_end.isoformat()}"
    effects: list[Effect] = [_notice(retimed, NoticeKind.TRIAL_END_CHANGED, at, facts, occasion)]
    if policy.trial_reminder_days and not sub.cancel_at_period_end:
        old, new = _trial_reminder_at(sub, policy), _trial_reminder_at(retimed, policy)
        sent = old is None or old <= sub.processed_until
        if not sent and (new is None or new <= at):
            effects.append(_trial_reminder(retimed, plan, at))
    return retimed, tuple(effects)


def _trial_after_change(
    sub: Subscription, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> datetime | None:
    """Where a plan change at ``at`` moves a trialing ``sub``'s end (``None``: it stays).

    ``sub`` is already on the new plan. Under ``TrialPlanChange.FROM_START`` the
    trial counts the new plan's ``trial_days`` from the first start, ending at
    the change at the latest.
    """
    if sub.status is not Status.TRIALING or policy.trial_plan_change is (
        TrialPlanChange.KEEP_TRIAL_END
    ):
        return None
    days = catalog.plan(sub.plan_id).trial_days
    end = max(_local_days_later(sub.started_at, days, sub.cycle.time_zone), at)
    return None if end == sub.trial_end else end


@names_what_was_passed("at")
def set_trial_end(
    subscription: Subscription,
    trial_end: datetime,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Set, extend or shorten a running trial, or end it now (``trial_end == at``).

    Stripe's ``trial_end`` on a trialing subscription. The billing cycle is
    anchored at the trial's end, so it moves with it, and so does the first
    charge; the trial-ending reminder is rescheduled. Ending it now converts at
    once, exactly as the trial's end would (the first invoice, or the policy's
    rule for a missing payment method). With a separate billing anchor
    (``start_subscription(billing_anchor=...)``) the anchor stays and the stub up
    to it is worked out again from the new end. Refused unless the subscription
    is trialing; a ``trial_end`` before ``at`` is an error.

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> d = set_trial_end(sub, datetime(2026, 11, 22, tzinfo=UTC),
    ...     datetime(2026, 11, 3, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> d.subscription.trial_end.date().isoformat(), d.subscription.current_period.end.date()
    ('2026-11-22', datetime.date(2026, 12, 22))
    >>> d.notices[0].kind.value
    'trial_end_changed'
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = sub.check_instant(at)
    written = require_aware(trial_end, "trial_end")
    end = utc_instant(trial_end, "trial_end")
    if end < at:
        raise InvalidPeriodError(
            f"is before the command's time {at.isoformat()}", argument="trial_end", value=trial_end
        )
    if sub.status is not Status.TRIALING or sub.trial_end is None:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"only a trialing subscription has a trial to move; this one is {sub.status.value}",
        )
    if at >= sub.trial_end:
        raise InvalidPeriodError(
            f"{at.isoformat()} is at or after the trial's end {sub.trial_end.isoformat()}, "
            "which is not processed yet; advance the subscription first",
            argument="at",
            value=at,
        )
    if end == sub.trial_end:
        return Refused(RefusalReason.ALREADY_DONE, f"the trial already ends at {end.isoformat()}")
    moved = _move_trial_end(sub, end, written, at, catalog, policy)
    if isinstance(moved, Refused):
        return moved
    sub, effects = moved
    return Decision(sub, effects, _next_wakeup(sub, policy))
