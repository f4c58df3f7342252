"""Performing, in time order, everything time makes due: :func:`advance`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from subscription_rules._checks import described, expect, names_what_was_passed
from subscription_rules._pricing import billed_on
from subscription_rules.catalog import Catalog, MetricKind
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.effects import (
    Decision,
    Effect,
)
from subscription_rules.errors import InvalidArgumentError, InvalidPeriodError
from subscription_rules.lifecycle._collection import (
    _apply_overdue,
    _exhaust,
    _pending_timeouts,
    _retry_due,
)
from subscription_rules.lifecycle._common import _notice
from subscription_rules.lifecycle._prepaid import expire_grants
from subscription_rules.lifecycle._renewal import (
    _period_end,
    _renewal_terms,
    _trial_end,
    _trial_reminder,
)
from subscription_rules.lifecycle._scheduling import _Due, _next_due
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import (
    BillingPeriod,
)
from subscription_rules.policy import (
    BillingPolicy,
)
from subscription_rules.subscription import (
    Subscription,
)
from subscription_rules.usage import (
    Usage,
    checked_usage,
)

#: The most period ends one call to :func:`advance` performs (a century of monthly
#: renewals). A longer span is refused rather than looped over: call again.
MAX_PERIODS_PER_ADVANCE = 1200


def _perform(  # noqa: C901, PLR0911 - one return per kind of due event
    sub: Subscription,
    at: datetime,
    what: _Due,
    catalog: Catalog,
    policy: BillingPolicy,
    usage: Usage | None,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Do the one thing due at ``at``."""
    if what is _Due.TRIAL_REMINDER:
        reminder = _trial_reminder(sub, catalog.plan(sub.plan_id), at)
        return sub.evolve(processed_until=at), (reminder,)
    if what is _Due.RENEWAL_REMINDER:
        # The plan and price the period end renews on: a change due then included.
        plan = _renewal_terms(sub, billed_on(sub, catalog), catalog, None, policy)[0].plan
        facts: tuple[FactPair, ...] = (
            (FactName.PLAN, plan.name),
            (FactName.RENEWS_AT, sub.current_period.end),
            (FactName.AMOUNT, plan.amount),
        )
        notice = _notice(
            sub, NoticeKind.RENEWAL_UPCOMING, at, facts, sub.current_period.end.isoformat()
        )
        return sub.evolve(processed_until=at), (notice,)
    if what is _Due.TRIAL_END:
        return _trial_end(sub, catalog, policy)
    if what is _Due.PENDING_TIMEOUT:
        return _pending_timeouts(sub, at, catalog, policy)
    if what is _Due.RETRY:
        return _retry_due(sub, at)
    if what is _Due.DUNNING_DEADLINE:
        sub = sub.evolve(processed_until=at)
        effects: list[Effect] = []
        for item in sub.open_invoices:
            if (
                item.awaiting_payment_method
                and item.first_failed_at is not None
                and policy.retry_schedule.deadline(item.first_failed_at) <= at
            ):
                sub, done = _exhaust(sub, item, at, catalog, policy)
                effects.extend(done)
        return sub, tuple(effects)
    if what is _Due.CREDIT_EXPIRY:
        return expire_grants(sub, at)
    if what is _Due.OVERDUE:
        return _apply_overdue(sub.evolve(processed_until=at), at, catalog, policy)
    return _period_end(sub, catalog, usage, policy)


@names_what_was_passed("until", amounts="usage")
def advance(
    subscription: Subscription,
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
    usage: Usage | Callable[[BillingPeriod], Usage] | None = None,
) -> Decision:
    """Perform everything time makes due in ``(processed_until, until]``, in time order.

    The trial-ending reminder; a pending charge's timeout (a soft decline);
    the trial's end (a payment method on file:
    active and the first invoice; none: the policy's rule, suspension by
    default); renewal reminders; and each period end, which ends the
    subscription (``cancel_at_period_end``), applies a pending change (checked
    again against ``usage`` when given: if it no longer fits, the current plan
    is kept and a notice says why) and renews: a new invoice with the credit
    balance applied, charged with an idempotency key of subscription, period
    and amount. The anchor never moves on renewal. ``usage`` bills each ending
    period's overage: a callable is asked for the usage of every period that
    ends (it receives the ``BillingPeriod``); a single ``Usage`` serves every
    period end when it counts stock metrics only (what exists now), and when it
    counts a per-period metric it describes the first period that ends: a
    second period end whose plan bills usage is then refused with an
    ``InvalidArgumentError`` rather than billed without it.

    Advancing twice to the same instant produces no new effects, and
    advancing to ``t1`` then ``t2`` gives the same effects as advancing to
    ``t2`` at once. At most :data:`MAX_PERIODS_PER_ADVANCE` period ends are
    performed per call.

    >>> from subscription_rules import MONTHLY, advance, default_catalog, start_subscription
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2027, 1, 31, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> d = advance(sub, datetime(2027, 4, 30, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> [inv.period_start.date().isoformat() for inv in d.invoices]
    ['2027-02-28', '2027-03-31', '2027-04-30']
    >>> advance(d.subscription, datetime(2027, 4, 30, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).effects
    ()
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    until = sub.check_instant(until, "until")  # never back before what was processed
    if isinstance(usage, Usage):
        checked_usage(usage, catalog.metrics)
    elif not (usage is None or callable(usage)):
        raise InvalidArgumentError(
            f"expected a Usage, a callable taking a BillingPeriod, or None, got {described(usage)}",
            argument="usage",
            value=usage,
        )
    effects: list[Effect] = []
    period_ends = 0
    while (due := _next_due(sub, policy)) is not None and due[0] <= until:
        at, what = due
        if what is _Due.PERIOD_END:
            period_ends += 1
            if period_ends > MAX_PERIODS_PER_ADVANCE:
                raise InvalidPeriodError(
                    f"{until.isoformat()} lies more than {MAX_PERIODS_PER_ADVANCE} periods "
                    "ahead; advance in steps",
                    argument="until",
                    value=until,
                )
        period_usage = (
            _usage_of(sub, usage, period_ends, catalog) if what is _Due.PERIOD_END else None
        )
        sub, done = _perform(sub, at, what, catalog, policy, period_usage)
        effects.extend(done)
    if until > sub.processed_until:
        sub = sub.evolve(processed_until=until)
    # What stopped the loop is the next thing due: later than `until`, so still due after it.
    return Decision(sub, tuple(effects), due[0] if due is not None else None)


def _usage_of(
    sub: Subscription,
    usage: Usage | Callable[[BillingPeriod], Usage] | None,
    crossed: int,
    catalog: Catalog,
) -> Usage | None:
    """The usage of the period ending now, the ``crossed``-th period end of this call.

    One ``Usage`` counting a per-period metric describes one period: a second
    period end whose plan bills usage is refused rather than billed without
    it. Counts of stock metrics only (what exists now) hold for every period.
    """
    if usage is None:
        return None
    if isinstance(usage, Usage):
        if crossed == 1:
            return usage
        per_period = {m.name for m in catalog.metrics if m.kind is MetricKind.PER_PERIOD}
        if billed_on(sub, catalog).overage and any(name in per_period for name, _ in usage.counts):
            raise InvalidArgumentError(
                f"one Usage describes one period, and this call crosses {crossed} period ends "
                "whose plan bills usage; pass usage per period (a callable taking the "
                "BillingPeriod) or advance one period end at a time",
                argument="usage",
                value=usage,
            )
        return usage
    found: object = usage(sub.current_period)
    if not isinstance(found, Usage):
        raise InvalidArgumentError(
            f"the usage callable must return a Usage, got {described(found)} "
            f"for {sub.current_period}",
            argument="usage",
            value=found,
        )
    return found
