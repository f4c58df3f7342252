"""The trial's end and the period's end: end, apply a pending change, renew."""

from __future__ import annotations

from datetime import datetime

from subscription_rules._billing import (
    issue_invoice,
)
from subscription_rules.catalog import (
    Catalog,
    MoveKind,
    Plan,
    classify_move,
)
from subscription_rules.effects import (
    Effect,
    EndAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.invoices import InvoiceReason, Line
from subscription_rules.lifecycle._bill import _bill_period
from subscription_rules.lifecycle._collection import _collect
from subscription_rules.lifecycle._common import _notice
from subscription_rules.notifications import Fact, NoticeKind
from subscription_rules.periods import (
    BillingCycle,
)
from subscription_rules.policy import (
    BillingPolicy,
    MissingPaymentMethod,
)
from subscription_rules.subscription import (
    Status,
    Subscription,
    SuspensionReason,
)
from subscription_rules.usage import (
    Feasible,
    Infeasible,
    Usage,
    check_downgrade,
    overage_lines,
)


def _trial_reminder(sub: Subscription, plan: Plan, at: datetime) -> SendNotice:
    assert sub.trial_end is not None  # noqa: S101 - only called for trials
    return _notice(
        sub,
        NoticeKind.TRIAL_ENDING,
        at,
        (
            ("plan", plan.name),
            ("trial_end", sub.trial_end),
            ("has_payment_method", "yes" if sub.has_payment_method else "no"),
        ),
        "trial",
    )


def _trial_end(
    sub: Subscription, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """The trial's end: convert, end, suspend or invoice, as the policy and the facts say."""
    assert sub.trial_end is not None  # noqa: S101 - only called for trials
    at = sub.trial_end
    plan = catalog.plan(sub.plan_id)
    sub = sub.evolve(processed_until=at)
    if sub.cancel_at_period_end or (
        not sub.has_payment_method and policy.missing_payment_method is MissingPaymentMethod.CANCEL
    ):
        sub = sub.evolve(status=Status.ENDED, ended_at=at, cancel_at_period_end=False)
        facts: tuple[Fact, ...] = (("plan", plan.name), ("ended_at", at))
        return sub, (EndAccess(), _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, "end"))
    if not sub.has_payment_method and policy.missing_payment_method is MissingPaymentMethod.SUSPEND:
        reason = SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD
        sub = sub.evolve(status=Status.SUSPENDED, suspension_reason=reason, suspended_at=at)
        facts = (("plan", plan.name), ("reason", reason.value))
        return sub, (
            SuspendAccess(reason),
            _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}"),
        )
    sub = sub.evolve(status=Status.ACTIVE)
    sub, charge = _bill_period(
        sub, plan, sub.current_period, at, InvoiceReason.TRIAL_CONVERSION, policy=policy
    )
    effects: list[Effect] = [
        charge,
        _notice(sub, NoticeKind.TRIAL_CONVERTED, at, (("plan", plan.name),), "trial"),
    ]
    owed = (
        sub.open_invoices and sub.open_invoices[-1].invoice.reason is InvoiceReason.TRIAL_CONVERSION
    )
    if not sub.has_payment_method and owed:  # MissingPaymentMethod.INVOICE: billed, unpayable
        sub = sub.evolve(status=Status.PAST_DUE)
        effects.append(
            _notice(sub, NoticeKind.PAYMENT_METHOD_NEEDED, at, (("plan", plan.name),), "trial")
        )
    return sub, tuple(effects)


def _period_end(
    sub: Subscription, catalog: Catalog, usage: Usage | None, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Everything due at the end of the current period: end, switch plan, or renew."""
    period = sub.current_period
    at = period.end
    occasion = at.isoformat()
    plan = catalog.plan(sub.plan_id)
    overage: tuple[Line, ...] = ()
    if usage is not None:
        # Per-period usage is billed in arrears, on the invoice that opens the next period
        # (or, when the subscription ends, on a final invoice).
        overage = overage_lines(
            plan,
            usage,
            start=period.start,
            end=period.end,
            rounding=policy.rounding,
            metrics=catalog.metrics,
        )
    effects: list[Effect] = []
    if sub.cancel_at_period_end:
        waiting = (*sub.pending_lines, *overage)
        sub = sub.evolve(
            status=Status.ENDED,
            ended_at=at,
            processed_until=at,
            stretches=(),
            pending_change=None,
            pending_lines=(),
            cancel_at_period_end=False,
        )
        if waiting:
            sub, _invoice, final = issue_invoice(
                sub, InvoiceReason.FINAL, waiting, at, period.start, period.end
            )
            effects.append(final)
        facts: tuple[Fact, ...] = (("plan", plan.name), ("ended_at", at))
        effects.append(EndAccess())
        effects.append(_notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, occasion))
        return sub, tuple(effects)
    interval, cycle, index = sub.interval, sub.cycle, sub.period_index + 1
    pending = sub.pending_change
    if pending is not None:
        target = catalog.plan(pending.plan_id)
        fits = check_downgrade(usage, target, catalog.metrics) if usage is not None else Feasible()
        facts = (("from_plan", plan.name), ("to_plan", target.name))
        if isinstance(fits, Infeasible):
            actions = "; ".join(fits.actions_text)
            effects.append(
                _notice(
                    sub,
                    NoticeKind.DOWNGRADE_BLOCKED,
                    at,
                    (*facts, ("actions", actions)),
                    occasion,
                )
            )
        else:
            kind = (
                NoticeKind.DOWNGRADED
                if classify_move(plan, interval, target, pending.interval, by=policy.classify_by)
                is MoveKind.DOWNGRADE
                else NoticeKind.UPGRADED
            )
            if pending.interval != interval:
                interval, cycle, index = (
                    pending.interval,
                    BillingCycle(at, pending.interval, sub.cycle.time_zone),
                    0,
                )
            plan = target
            effects.append(
                _notice(
                    sub,
                    kind,
                    at,
                    (*facts, ("to_interval", str(interval)), ("effective_at", at)),
                    occasion,
                )
            )
    next_period = cycle.period(index)
    sub, charge = _bill_period(
        sub,
        plan,
        next_period,
        at,
        InvoiceReason.RENEWAL,
        (*sub.pending_lines, *overage),
        policy=policy,
        renewal=True,
        interval=interval,
        cycle=cycle,
        plan_id=plan.id,
        period_index=index,
        pending_change=None,
        pending_lines=(),
        processed_until=at,
    )
    sub, collected = _collect(sub, charge, policy)
    effects.extend(collected)
    effects.append(
        _notice(
            sub,
            NoticeKind.RENEWED,
            at,
            (("plan", plan.name), ("period_end", next_period.end)),
            occasion,
        )
    )
    return sub, tuple(effects)
