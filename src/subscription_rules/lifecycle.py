"""The subscription over time: starting one, and letting time pass with :func:`advance`.

>>> from datetime import UTC, datetime
>>> from subscription_rules import MONTHLY, default_catalog
>>> decision = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog())
>>> sub = decision.subscription
>>> sub.status.value, sub.trial_end.date().isoformat()
('trialing', '2026-11-15')
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from subscription_rules._billing import issue_invoice
from subscription_rules.catalog import Catalog, MoveKind, Plan, classify_move
from subscription_rules.effects import Decision, Effect, SendNotice
from subscription_rules.invoices import InvoiceReason, Line, LineKind, format_date
from subscription_rules.money import Money
from subscription_rules.notifications import Fact, Notice, NoticeKind
from subscription_rules.periods import BillingCycle, BillingPeriod, Interval, require_aware, zone
from subscription_rules.subscription import Status, Stretch, Subscription
from subscription_rules.usage import Feasible, Infeasible, Usage, check_downgrade

__all__ = ["advance", "start_subscription"]


def _local_days_later(at: datetime, days: int, time_zone: str) -> datetime:
    """``days`` calendar days after ``at`` at the same local wall-clock time."""
    tz = zone(time_zone)
    local = at.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(tz)


def _period_line(plan: Plan, interval: Interval, period: BillingPeriod, time_zone: str) -> Line:
    """The line billing a whole period of ``plan`` at its ``interval`` price."""
    tz = zone(time_zone)
    return Line(
        LineKind.SUBSCRIPTION,
        f"{plan.name}, {interval}, from {format_date(period.start.astimezone(tz))} "
        f"to {format_date(period.end.astimezone(tz))}",
        plan.price(interval).amount,
        period.start,
        period.end,
        plan.id,
    )


def start_subscription(
    subscription_id: str,
    customer_id: str,
    plan_id: str,
    interval: Interval,
    at: datetime,
    *,
    catalog: Catalog,
    time_zone: str = "UTC",
    has_payment_method: bool = True,
    trial: bool = True,
    had_trial: bool = False,
) -> Decision:
    """Start a subscription at ``at``: a trial of the plan's length, or the first invoice now.

    The trial is given when ``trial`` is true, the plan has one, and the
    customer has not ``had_trial`` before (one trial per customer). Without a
    trial the billing cycle is anchored at ``at`` and the first period is
    invoiced at once; with one, the cycle is anchored at the trial's end.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> d = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 1, 31, tzinfo=UTC), catalog=default_catalog(), had_trial=True)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    >>> d.subscription.current_period.end.date().isoformat()
    '2026-02-28'
    """
    require_aware(at, "at")
    plan = catalog.plan(plan_id)
    price = plan.price(interval)
    zero = Money(0, price.amount.currency)
    trialing = trial and plan.trial_days > 0 and not had_trial
    trial_end = _local_days_later(at, plan.trial_days, time_zone) if trialing else None
    sub = Subscription(
        id=subscription_id,
        customer_id=customer_id,
        plan_id=plan_id,
        interval=interval,
        cycle=BillingCycle(trial_end or at, interval, time_zone),
        currency=price.amount.currency,
        status=Status.TRIALING if trialing else Status.ACTIVE,
        started_at=at,
        processed_until=at,
        credit_balance=zero,
        trial_end=trial_end,
        has_payment_method=has_payment_method,
    )
    if trial_end is not None:
        notice = Notice(
            NoticeKind.TRIAL_STARTED,
            sub.id,
            sub.customer_id,
            at,
            (("plan", plan.name), ("trial_end", trial_end), ("trial_days", plan.trial_days)),
            "trial",
        )
        return Decision(sub, (SendNotice(notice),))
    period = sub.current_period
    line = _period_line(plan, interval, period, time_zone)
    sub, invoice, charge = issue_invoice(
        sub, InvoiceReason.SUBSCRIPTION_START, (line,), at, period.start, period.end
    )
    stretch = Stretch(
        plan.id, interval, period.start, period.end, price.amount, zero, invoice.amount_due
    )
    sub = attrs.evolve(sub, stretches=(stretch,))
    notice = Notice(
        NoticeKind.SUBSCRIPTION_STARTED,
        sub.id,
        sub.customer_id,
        at,
        (("plan", plan.name), ("interval", str(interval)), ("amount", invoice.amount_due)),
        "start",
    )
    return Decision(sub, (charge, SendNotice(notice)))


def _notice(
    sub: Subscription, kind: NoticeKind, at: datetime, facts: tuple[Fact, ...], occasion: str
) -> SendNotice:
    return SendNotice(Notice(kind, sub.id, sub.customer_id, at, facts, occasion))


def _period_end(
    sub: Subscription, catalog: Catalog, usage: Usage | None
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Everything due at the end of the current period: end, switch plan, or renew."""
    period = sub.current_period
    at = period.end
    occasion = at.isoformat()
    if sub.cancel_at_period_end:
        sub = attrs.evolve(
            sub,
            status=Status.ENDED,
            ended_at=at,
            processed_until=at,
            stretches=(),
            pending_change=None,
        )
        plan = catalog.plan(sub.plan_id)
        return sub, (
            _notice(
                sub,
                NoticeKind.SUBSCRIPTION_ENDED,
                at,
                (("plan", plan.name), ("ended_at", at)),
                occasion,
            ),
        )
    effects: list[Effect] = []
    plan_id, interval, cycle, index = sub.plan_id, sub.interval, sub.cycle, sub.period_index + 1
    pending = sub.pending_change
    if pending is not None:
        target = catalog.plan(pending.plan_id)
        current = catalog.plan(sub.plan_id)
        fits = check_downgrade(usage, target, catalog.metrics) if usage is not None else Feasible()
        if isinstance(fits, Infeasible):
            effects.append(
                _notice(
                    sub,
                    NoticeKind.DOWNGRADE_BLOCKED,
                    at,
                    (
                        ("from_plan", current.name),
                        ("to_plan", target.name),
                        ("actions", "; ".join(fits.actions_text)),
                    ),
                    occasion,
                )
            )
        else:
            plan_id, interval = target.id, pending.interval
            if interval != sub.interval:
                cycle, index = BillingCycle(at, interval, sub.cycle.time_zone), 0
            kind = (
                NoticeKind.DOWNGRADED
                if classify_move(current, sub.interval, target, interval) is MoveKind.DOWNGRADE
                else NoticeKind.UPGRADED
            )
            effects.append(
                _notice(
                    sub,
                    kind,
                    at,
                    (
                        ("from_plan", current.name),
                        ("to_plan", target.name),
                        ("to_interval", str(interval)),
                        ("effective_at", at),
                    ),
                    occasion,
                )
            )
    plan = catalog.plan(plan_id)
    next_period = cycle.period(index)
    lines = (_period_line(plan, interval, next_period, cycle.time_zone), *sub.pending_lines)
    sub = attrs.evolve(
        sub,
        plan_id=plan_id,
        interval=interval,
        cycle=cycle,
        period_index=index,
        pending_change=None,
        pending_lines=(),
        processed_until=at,
    )
    sub, invoice, charge = issue_invoice(
        sub,
        InvoiceReason.RENEWAL,
        lines,
        at,
        next_period.start,
        next_period.end,
        key=f"{sub.id}:renewal:{next_period.start.isoformat()}",
    )
    price = plan.price(interval).amount
    stretch = Stretch(
        plan.id,
        interval,
        next_period.start,
        next_period.end,
        price,
        sub.zero,
        invoice.amount_due.min(price),
    )
    sub = attrs.evolve(sub, stretches=(stretch,))
    effects.append(charge)
    effects.append(
        _notice(
            sub,
            NoticeKind.RENEWED,
            at,
            (
                ("plan", plan.name),
                ("period_end", next_period.end),
                ("amount", invoice.amount_due),
                ("credit_applied", invoice.credit_applied),
            ),
            occasion,
        )
    )
    return sub, tuple(effects)


def advance(
    subscription: Subscription,
    until: datetime,
    *,
    catalog: Catalog,
    usage: Usage | None = None,
) -> Decision:
    """Perform every period end due in ``(processed_until, until]``, in time order.

    Each period end either ends the subscription (``cancel_at_period_end``),
    applies a pending change (checked again against ``usage`` when given: if
    it no longer fits, the current plan is kept and a notice says why), and
    renews: a new invoice with the credit balance applied, charged with an
    idempotency key of subscription and period. The anchor never moves on
    renewal. Advancing twice to the same instant produces no new effects.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2027, 1, 31, tzinfo=UTC), catalog=catalog, trial=False).subscription
    >>> d = advance(sub, datetime(2027, 4, 30, tzinfo=UTC), catalog=catalog)
    >>> [inv.period_start.date().isoformat() for inv in d.invoices]
    ['2027-02-28', '2027-03-31', '2027-04-30']
    >>> advance(d.subscription, datetime(2027, 4, 30, tzinfo=UTC), catalog=catalog).effects
    ()
    """
    sub = subscription
    until = require_aware(until, "until")
    effects: list[Effect] = []
    if until <= sub.processed_until:
        return Decision(sub, (), _next_wakeup(sub))
    while sub.status in {Status.ACTIVE, Status.PAST_DUE} and sub.current_period.end <= until:
        sub, done = _period_end(sub, catalog, usage)
        effects.extend(done)
    sub = attrs.evolve(sub, processed_until=until)
    return Decision(sub, tuple(effects), _next_wakeup(sub))


def _next_wakeup(sub: Subscription) -> datetime | None:
    if sub.status in {Status.ACTIVE, Status.PAST_DUE}:
        return sub.current_period.end
    return None
