"""The subscription over time: trials, cancellation, renewals and suspension, as decisions.

Commands (:func:`start_subscription`, :func:`cancel`, :func:`undo_cancel`,
:func:`suspend`, :func:`reinstate`, :func:`update_payment_method`) answer a
customer's or support's action at the moment ``at``; :func:`advance` performs
everything time alone makes due in ``(processed_until, until]``, in time order:
the trial-ending reminder, the trial's end, renewal reminders and each period
end. Every decision says when to call again (``next_wakeup``). A command that
does not apply to the current status returns a
:class:`~subscription_rules.effects.Refused` value saying why.

The help page's trial: 14 days, a reminder 3 days before it ends, and a
cancellation during it suspends the account at once, with nothing charged.

>>> from datetime import UTC, datetime
>>> from subscription_rules import MONTHLY, default_catalog
>>> catalog = default_catalog()
>>> decision = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog)
>>> sub = decision.subscription
>>> sub.status.value, sub.trial_end.date().isoformat(), decision.next_wakeup.date().isoformat()
('trialing', '2026-11-15', '2026-11-12')
>>> cancelled = cancel(sub, datetime(2026, 11, 6, tzinfo=UTC))
>>> cancelled.subscription.status.value, [type(e).__name__ for e in cancelled.effects]
('suspended', ['SuspendAccess', 'SendNotice'])
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._billing import (
    draft_invoice,
    invoice_key,
    issue_credit_note,
    issue_invoice,
)
from subscription_rules._units import (
    check_same_unit,
    local_date,
    period_units,
    remaining_line,
    span_text,
    unit_name,
    units,
)
from subscription_rules.access import _has_access, _marked_unpaid
from subscription_rules.catalog import (
    Catalog,
    MetricKind,
    MoveKind,
    Plan,
    classify_move,
)
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.credits import CreditReason
from subscription_rules.dunning import (
    GATEWAY_BACKOFF,
    Declined,
    DeclineKind,
    GatewayError,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    PaymentOutcome,
    Succeeded,
    UnpaidInvoice,
    overdue_state,
)
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    Effect,
    EndAccess,
    RefusalReason,
    Refused,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import (
    InvalidArgumentError,
    InvalidPeriodError,
    _expect,
    _names_what_was_passed,
    _shown,
)
from subscription_rules.invoices import InvoiceReason, Line, LineKind, prorated_line
from subscription_rules.money import Money
from subscription_rules.notifications import Fact, Notice, NoticeKind
from subscription_rules.periods import (
    BillingCycle,
    BillingPeriod,
    Interval,
    require_aware,
    utc_instant,
    zone,
)
from subscription_rules.policy import (
    SEED_POLICY,
    BillingPolicy,
    ChangeDay,
    MissingPaymentMethod,
    ProrationUnit,
    RetriesExhausted,
    SuspendedTime,
    TrialCancellation,
)
from subscription_rules.subscription import (
    OpenInvoice,
    Status,
    Stretch,
    Subscription,
    SuspensionReason,
    _require_id,
)
from subscription_rules.usage import (
    Feasible,
    Infeasible,
    Usage,
    _check_usage,
    check_downgrade,
    overage_lines,
)

__all__ = [
    "MAX_PERIODS_PER_ADVANCE",
    "advance",
    "cancel",
    "changes_blocked",
    "next_wakeup",
    "record_payment",
    "reinstate",
    "start_subscription",
    "suspend",
    "undo_cancel",
    "update_payment_method",
]

#: The most period ends one call to :func:`advance` performs (a century of monthly
#: renewals). A longer span is refused rather than looped over: call again.
MAX_PERIODS_PER_ADVANCE = 1200

_LIVE = frozenset({Status.TRIALING, Status.ACTIVE, Status.PAST_DUE})
_BILLING = frozenset({Status.ACTIVE, Status.PAST_DUE})


def _local_days_later(at: datetime, days: int, time_zone: str) -> datetime:
    """``days`` calendar days after ``at`` (or before, if negative), same local wall time.

    A wall time that falls in a DST gap moves forward by the gap (normalised
    through UTC), as period boundaries do.
    """
    tz = zone(time_zone)
    try:
        local = at.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
        return local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    except OverflowError:
        raise InvalidPeriodError(
            f"{days} days after {at.isoformat()} lies beyond the supported calendar",
            argument="at",
            value=at,
        ) from None


def _notice(
    sub: Subscription, kind: NoticeKind, at: datetime, facts: tuple[Fact, ...], occasion: str
) -> SendNotice:
    return SendNotice(Notice(kind, sub.id, sub.customer_id, at, facts, occasion))


def _period_line(
    plan: Plan, interval: Interval, period: BillingPeriod, cycle: BillingCycle
) -> Line:
    """The line billing a whole period of ``plan`` at its ``interval`` price."""
    return Line(
        LineKind.SUBSCRIPTION,
        f"{plan.name}, {interval}, {span_text(period.start, period.end, cycle)}",
        plan.price(interval).amount,
        period.start,
        period.end,
        plan.id,
    )


def _bill_period(
    sub: Subscription,
    plan: Plan,
    period: BillingPeriod,
    at: datetime,
    reason: InvoiceReason,
    extra: tuple[Line, ...] = (),
    *,
    policy: BillingPolicy,
    renewal: bool = False,
    interval: Interval | None = None,
    cycle: BillingCycle | None = None,
    **changes: Any,  # noqa: ANN401 - further fields of the new subscription value
) -> tuple[Subscription, Effect]:
    """Invoice a whole period of ``plan`` (plus ``extra`` lines) and record its stretch.

    ``interval`` and ``cycle`` default to the subscription's; when given they
    (and ``changes``) are recorded in the same copy of the subscription. A
    ``renewal``'s charge is keyed by subscription, period and amount.
    """
    if interval is None:
        interval = sub.interval
    if cycle is None:
        cycle = sub.cycle
    lines = (_period_line(plan, interval, period, cycle), *extra)
    invoice, charge, recorded = draft_invoice(
        sub, reason, lines, at, period.start, period.end, renewal=renewal
    )
    price = plan.price(interval).amount
    whole = period_units(period, cycle, policy)
    stretch = Stretch(
        plan.id,
        interval,
        period.start,
        period.end,
        price,
        whole,
        whole,
        sub.zero,
        invoice.amount_due.min(price),
        invoice.id,
        unit=policy.proration_unit,
    )
    sub = sub.evolve(**recorded, **changes, interval=interval, cycle=cycle, stretches=(stretch,))
    return sub, charge


# --- starting ----------------------------------------------------------------------------------


@_names_what_was_passed("at")
def start_subscription(
    subscription_id: str,
    customer_id: str,
    plan_id: str,
    interval: Interval,
    at: datetime,
    *,
    catalog: Catalog,
    time_zone: str | ZoneInfo = "UTC",
    has_payment_method: bool = True,
    trial: bool = True,
    had_trial: bool = False,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    """Start a subscription at ``at``: a trial of the plan's length, or the first invoice now.

    The trial is given when ``trial`` is true, the plan has one, and the
    customer has not ``had_trial`` before (one trial per customer). Without a
    trial the billing cycle is anchored at ``at`` and the first period is
    invoiced at once; with one, the cycle is anchored at the trial's end, so
    the first invoice comes when the trial converts. A trial shorter than the
    policy's reminder lead time gets its trial-ending notice at once.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> d = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 1, 31, tzinfo=UTC), catalog=default_catalog(), had_trial=True)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    >>> d.subscription.current_period.end.date().isoformat()
    '2026-02-28'
    """
    _require_id(subscription_id, "subscription_id")
    _require_id(customer_id, "customer_id")
    _expect(plan_id, str, "plan_id")
    _expect(catalog, Catalog, "catalog")
    _expect(interval, Interval, "interval")
    _expect(policy, BillingPolicy, "policy")
    _expect(has_payment_method, bool, "has_payment_method")
    _expect(trial, bool, "trial")
    _expect(had_trial, bool, "had_trial")
    time_zone = zone(time_zone).key  # a name or a ZoneInfo; "localtime" refused
    # The anchor keeps the wall clock as written (see BillingCycle); instants are kept in UTC.
    written, at = require_aware(at, "at"), utc_instant(at, "at")
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
        cycle=BillingCycle(trial_end or written, interval, time_zone),
        currency=price.amount.currency,
        status=Status.TRIALING if trialing else Status.ACTIVE,
        started_at=at,
        processed_until=at,
        credit_balance=zero,
        trial_end=trial_end,
        has_payment_method=has_payment_method,
    )
    if trial_end is not None:
        effects: list[Effect] = [
            _notice(
                sub,
                NoticeKind.TRIAL_STARTED,
                at,
                (("plan", plan.name), ("trial_end", trial_end), ("trial_days", plan.trial_days)),
                "trial",
            )
        ]
        if _trial_reminder_at(sub, policy) is None and policy.trial_reminder_days:
            effects.append(_trial_reminder(sub, plan, at))
        return Decision(sub, tuple(effects), _next_wakeup(sub, policy))
    sub, charge = _bill_period(
        sub, plan, sub.current_period, at, InvoiceReason.SUBSCRIPTION_START, policy=policy
    )
    notice = _notice(
        sub,
        NoticeKind.SUBSCRIPTION_STARTED,
        at,
        (("plan", plan.name), ("interval", str(interval))),
        "start",
    )
    return Decision(sub, (charge, notice), _next_wakeup(sub, policy))


# --- what time makes due ----------------------------------------------------------------------


class _Due(enum.IntEnum):
    """Things time makes due, in the order they happen at one instant."""

    TRIAL_REMINDER = 0
    RENEWAL_REMINDER = 1
    TRIAL_END = 2
    RETRY = 3
    DUNNING_DEADLINE = 4
    OVERDUE = 5
    PERIOD_END = 6


def _trial_reminder_at(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    if sub.trial_end is None or not policy.trial_reminder_days or sub.cancel_at_period_end:
        return None
    at = _local_days_later(sub.trial_end, -policy.trial_reminder_days, sub.cycle.time_zone)
    return at if at > sub.started_at else None


def _renewal_reminder_at(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    days = policy.renewal_reminder(sub.interval.unit)
    if days is None or sub.cancel_at_period_end:
        return None
    period = sub.current_period
    at = _local_days_later(period.end, -days, sub.cycle.time_zone)
    return at if at > period.start else None


def _next_due(sub: Subscription, policy: BillingPolicy) -> tuple[datetime, _Due] | None:
    """The next thing time makes due strictly after ``processed_until``.

    Or at it: a retry or a deadline overdue already (see ``_dunning_due``).
    """
    after = sub.processed_until
    due: list[tuple[datetime, _Due]] = []
    if sub.status is Status.TRIALING and sub.trial_end is not None:
        reminder = _trial_reminder_at(sub, policy)
        if reminder is not None and reminder > after:
            due.append((reminder, _Due.TRIAL_REMINDER))
        due.append((sub.trial_end, _Due.TRIAL_END))
    elif sub.status in _BILLING:
        reminder = _renewal_reminder_at(sub, policy)
        if reminder is not None and reminder > after:
            due.append((reminder, _Due.RENEWAL_REMINDER))
        due.append((sub.current_period.end, _Due.PERIOD_END))
        due.extend(_dunning_due(sub, policy))
    elif sub.status is Status.SUSPENDED and sub.cancel_at_period_end:
        # Cancelled, then suspended: it still ends when the paid period (or the trial) does.
        if sub.stretches:
            due.append((sub.current_period.end, _Due.PERIOD_END))
        elif sub.suspended_from is Status.TRIALING and sub.trial_end is not None:
            due.append((sub.trial_end, _Due.TRIAL_END))
    return min(due) if due else None


def _dunning_due(sub: Subscription, policy: BillingPolicy) -> list[tuple[datetime, _Due]]:
    """Retries, deadlines of hard declines, and the overdue ladder's next step.

    A retry or a deadline whose time came while it could not be acted on (the
    account was suspended, or a command processed time past it) is due at
    ``processed_until``, never dropped: the next ``advance`` performs it.
    Recording an outcome or reinstating performs a due retry at once.
    """
    due: list[tuple[datetime, _Due]] = []
    held = _marked_unpaid(sub, policy)  # nothing is charged by itself while unpaid
    for item in sub.open_invoices:
        if item.next_retry_at is not None:
            if not held:
                due.append((item.next_retry_at, _Due.RETRY))
        elif item.awaiting_payment_method and item.first_failed_at is not None:
            due.append(
                (policy.retry_schedule.deadline(item.first_failed_at), _Due.DUNNING_DEADLINE)
            )
    ladder = policy.overdue_ladder
    if ladder is not None:
        status = overdue_state(
            _unpaid(sub), sub.processed_until, ladder, _ladder_state(sub, ladder)
        )
        if status.next_change is not None:
            due.append((status.next_change, _Due.OVERDUE))
    # Computed at processed_until, the ladder's next change is always later than it.
    return [(max(at, sub.processed_until), what) for at, what in due]


def next_wakeup(
    subscription: Subscription, *, policy: BillingPolicy = SEED_POLICY
) -> datetime | None:
    """When time alone would next change something for ``subscription`` (``None``: never).

    The same instant a decision reports as ``next_wakeup``; handy after
    recording a payment outside ``advance``.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False).subscription
    >>> next_wakeup(sub).date().isoformat()
    '2026-12-01'
    """
    _expect(subscription, Subscription, "subscription")
    _expect(policy, BillingPolicy, "policy")
    return _next_wakeup(subscription, policy)


def _next_wakeup(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    due = _next_due(sub, policy)
    return due[0] if due is not None else None


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


def _perform(  # noqa: PLR0911 - one return per kind of due event
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
        plan = catalog.plan(sub.plan_id)
        facts: tuple[Fact, ...] = (
            ("plan", plan.name),
            ("renews_at", sub.current_period.end),
            ("amount", plan.price(sub.interval).amount),
        )
        notice = _notice(
            sub, NoticeKind.RENEWAL_UPCOMING, at, facts, sub.current_period.end.isoformat()
        )
        return sub.evolve(processed_until=at), (notice,)
    if what is _Due.TRIAL_END:
        return _trial_end(sub, catalog, policy)
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
    if what is _Due.OVERDUE:
        return _apply_overdue(sub.evolve(processed_until=at), at, catalog, policy)
    return _period_end(sub, catalog, usage, policy)


@_names_what_was_passed("until", amounts="usage")
def advance(
    subscription: Subscription,
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy = SEED_POLICY,
    usage: Usage | Callable[[BillingPeriod], Usage] | None = None,
) -> Decision:
    """Perform everything time makes due in ``(processed_until, until]``, in time order.

    The trial-ending reminder; the trial's end (a payment method on file:
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
    _expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    until = sub.check_instant(until, "until")  # never back before what was processed
    if isinstance(usage, Usage):
        _check_usage(usage, catalog.metrics)
    elif not (usage is None or callable(usage)):
        raise InvalidArgumentError(
            f"expected a Usage, a callable taking a BillingPeriod, or None, got "
            f"{type(usage).__name__} {_shown(usage)}",
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
        if catalog.plan(sub.plan_id).overage and any(
            name in per_period for name, _ in usage.counts
        ):
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
            f"the usage callable must return a Usage, got {type(found).__name__} {_shown(found)} "
            f"for {sub.current_period}",
            argument="usage",
            value=found,
        )
    return found


# --- commands ---------------------------------------------------------------------------------


def _live_until(sub: Subscription) -> datetime | None:
    """Where the current stretch of time ends: the trial's end or the period's end."""
    if sub.status is Status.TRIALING:
        return sub.trial_end
    if sub.status in _BILLING:
        return sub.current_period.end
    return None


def _check_command_time(sub: Subscription, at: object) -> datetime:
    instant = sub.check_instant(at)
    end = _live_until(sub)
    if end is not None and instant >= end:
        raise InvalidPeriodError(
            f"{instant.isoformat()} is at or after {end.isoformat()}, which is not processed "
            "yet; advance the subscription first",
            argument="at",
            value=at,
        )
    return instant


@_names_what_was_passed("at")
def cancel(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy = SEED_POLICY
) -> Decision | Refused:
    """Cancel: in a trial per the policy (suspended at once by default); after it, at period end.

    After the trial the service continues to the end of the current period,
    with no further charge, and the cancellation can be undone until then. A
    suspended subscription ends at once.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False).subscription
    >>> d = cancel(sub, datetime(2026, 11, 10, tzinfo=UTC))
    >>> d.subscription.cancel_at_period_end, d.notices[0].fact("ends_at").date().isoformat()
    (True, '2026-12-01')
    >>> cancel(d.subscription, datetime(2026, 11, 11, tzinfo=UTC)).message
    'cancellation is already scheduled for 2026-12-01T00:00:00+00:00'
    """
    _expect(subscription, Subscription, "subscription")
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has already ended")
    if sub.status is Status.SUSPENDED:
        sub = sub.evolve(status=Status.ENDED, ended_at=at, processed_until=at)
        return Decision(
            sub,
            (
                EndAccess(),
                _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, (("ended_at", at),), "end"),
            ),
            None,
        )
    end = _live_until(sub)
    assert end is not None  # noqa: S101 - live statuses have one
    if sub.cancel_at_period_end:
        return Refused(
            RefusalReason.ALREADY_DONE, f"cancellation is already scheduled for {end.isoformat()}"
        )
    sub = sub.evolve(processed_until=at)
    if sub.status is Status.TRIALING and policy.trial_cancellation is TrialCancellation.SUSPEND_NOW:
        reason = SuspensionReason.TRIAL_CANCELLED
        sub = sub.evolve(status=Status.SUSPENDED, suspension_reason=reason, suspended_at=at)
        return Decision(
            sub,
            (
                SuspendAccess(reason),
                _notice(sub, NoticeKind.TRIAL_CANCELLED, at, (("cancelled_at", at),), "trial"),
            ),
            None,
        )
    sub = sub.evolve(cancel_at_period_end=True, pending_change=None)
    notice = _notice(
        sub, NoticeKind.CANCELLATION_SCHEDULED, at, (("ends_at", end),), at.isoformat()
    )
    return Decision(sub, (notice,), _next_wakeup(sub, policy))


@_names_what_was_passed("at")
def undo_cancel(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy = SEED_POLICY
) -> Decision | Refused:
    """Undo a scheduled cancellation before the period (or trial) ends.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False).subscription
    >>> undo_cancel(sub, datetime(2026, 11, 2, tzinfo=UTC)).message
    'no cancellation is scheduled'
    """
    _expect(subscription, Subscription, "subscription")
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status not in _LIVE or not sub.cancel_at_period_end:
        return Refused(RefusalReason.NOTHING_PENDING, "no cancellation is scheduled")
    sub = sub.evolve(cancel_at_period_end=False, processed_until=at)
    end = _live_until(sub)
    assert end is not None  # noqa: S101 - live statuses have one
    notice = _notice(
        sub,
        NoticeKind.CANCELLATION_UNDONE,
        at,
        (("renews_at", end),),
        f"undo-{at.isoformat()}",
    )
    return Decision(sub, (notice,), _next_wakeup(sub, policy))


@_names_what_was_passed("at")
def suspend(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy = SEED_POLICY
) -> Decision | Refused:
    """Suspend for a policy violation, at once: access is withdrawn and nothing is charged.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False).subscription
    >>> d = suspend(sub, datetime(2026, 11, 10, tzinfo=UTC))
    >>> d.subscription.status.value, d.subscription.suspension_reason.value
    ('suspended', 'policy_violation')
    """
    _expect(subscription, Subscription, "subscription")
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status not in _LIVE:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"{sub.status.phrase} subscription cannot be suspended",
        )
    reason = SuspensionReason.POLICY_VIOLATION
    had_access = _has_access(sub, policy)
    sub = sub.evolve(
        status=Status.SUSPENDED,
        suspension_reason=reason,
        suspended_at=at,
        processed_until=at,
        suspended_from=sub.status,
    )
    facts: tuple[Fact, ...] = (("reason", reason.value),)
    return Decision(
        sub,
        (
            *_access_change(had_access, sub, policy, reason),
            _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}"),
        ),
        _next_wakeup(sub, policy),
    )


def _stretch_credit(
    sub: Subscription,
    stretch: Stretch,
    used: int,
    start: datetime,
    end: datetime,
    policy: BillingPolicy,
) -> Line | None:
    """A credit for ``used`` units of ``stretch``, at the rate it was billed, capped at what is left.

    What is left of the stretch's billing over the units it still pays for, as
    recorded when it was billed.
    """
    remaining = stretch.creditable_units
    if not stretch.creditable.is_positive() or remaining <= 0:
        return None
    check_same_unit(stretch.unit, policy)
    used = min(used, remaining)
    if used <= 0:
        return None
    plan_id = stretch.plan_id
    line = prorated_line(
        LineKind.SUSPENSION_CREDIT,
        f"Suspended time on {plan_id} {span_text(start, end, sub.cycle)}",
        stretch.creditable,
        units=used,
        denominator=remaining,
        unit=unit_name(policy),
        rounding=policy.rounding,
        start=start,
        end=end,
        plan_id=plan_id,
        cap=stretch.creditable,
        sign=-1,
    )
    return line if line.amount.is_negative() else None  # a credit that rounds to nothing


def _suspension_credits(
    sub: Subscription, start: datetime, end: datetime, period: BillingPeriod, policy: BillingPolicy
) -> tuple[Subscription, tuple[Line, ...]]:
    """Credit ``[start, end)`` of the period's stretches, each at the rate it was billed.

    The suspension began after the last change, so it lies on the last stretch
    — except the day of that change when ``ChangeDay.OLD_PLAN`` gave it to the
    stretch before: a suspension that began that day credits it there, at the
    old plan's rate, and the last stretch's share starts the day after.
    """
    if not sub.stretches or end <= start:
        return sub, ()
    stretches = list(sub.stretches)
    cycle = sub.cycle
    change_day = (
        len(stretches) > 1
        and policy.proration_unit is ProrationUnit.DAY
        and policy.change_day is ChangeDay.OLD_PLAN
        and local_date(start, cycle) == local_date(stretches[-1].start, cycle)
        and local_date(end, cycle) > local_date(start, cycle)
    )
    plan: list[tuple[int, int]] = [
        (len(stretches) - 1, units(start, end, period, cycle, policy, change=change_day))
    ]
    if change_day:
        plan.insert(0, (len(stretches) - 2, 1))
    lines: list[Line] = []
    for index, used in plan:
        stretch = stretches[index]
        line = _stretch_credit(sub, stretch, used, start, end, policy)
        if line is None or line.explanation is None:
            continue
        lines.append(line)
        stretches[index] = attrs.evolve(
            stretch,
            credited=stretch.credited - line.amount,
            credited_units=stretch.credited_units + line.explanation.units,
        )
    return sub.evolve(stretches=tuple(stretches)), tuple(lines)


@_names_what_was_passed("at")
def reinstate(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision | Refused:
    """Reinstate, by support, an account suspended for a policy violation.

    The billing anchor does not move. If the suspension stayed within one
    period, nothing more is charged (the period was paid). If period ends
    passed while suspended, those periods were not billed, and the rest of the
    current period is billed pro rata from ``at``. With
    ``SuspendedTime.CREDITED`` the suspended part of the paid period is
    credited. Suspensions for payment or a missing payment method are resolved
    by paying or adding a payment method, not here.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False).subscription
    >>> sub = suspend(sub, datetime(2026, 11, 10, tzinfo=UTC)).subscription
    >>> d = reinstate(sub, datetime(2026, 11, 12, tzinfo=UTC), catalog=catalog)
    >>> d.subscription.status.value, [type(e).__name__ for e in d.effects]
    ('active', ['RestoreAccess', 'SendNotice'])
    """
    _expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = sub.check_instant(at)
    if sub.status is not Status.SUSPENDED or sub.suspended_at is None:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"only a suspended subscription can be reinstated; this one is {sub.status.value}",
        )
    if sub.suspension_reason is not SuspensionReason.POLICY_VIOLATION:
        reason = sub.suspension_reason.value if sub.suspension_reason else "unknown"
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"suspended for {reason}: resolved by the customer (pay, add a payment method or "
            "start again), not by reinstatement",
        )
    suspended_at = sub.suspended_at
    effects: list[Effect] = []
    was = sub.suspended_from or Status.ACTIVE
    sub = sub.evolve(
        suspension_reason=None, suspended_at=None, suspended_from=None, processed_until=at
    )
    if was is Status.TRIALING and sub.trial_end is not None and at < sub.trial_end:
        sub = sub.evolve(status=Status.TRIALING)
    elif was is Status.TRIALING:
        # The trial ended while suspended: billing starts now, on a cycle anchored here.
        plan = catalog.plan(sub.plan_id)
        cycle = BillingCycle(at, sub.interval, sub.cycle.time_zone)
        sub = sub.evolve(status=Status.ACTIVE, cycle=cycle, period_index=0)
        sub, charge = _bill_period(
            sub, plan, sub.current_period, at, InvoiceReason.RENEWAL, policy=policy
        )
        effects.append(charge)
    else:
        sub, done = _resume_billing(sub, suspended_at, at, catalog, policy)
        sub = sub.evolve(status=was)
        for effect in done:
            # Back to being marked unpaid: the invoice for the rest of the period is held.
            sub, collected = _collect(sub, effect, policy)
            effects.extend(collected)
    facts: tuple[Fact, ...] = (("suspended_at", suspended_at), ("reinstated_at", at))
    effects.append(
        _notice(sub, NoticeKind.ACCOUNT_REINSTATED, at, facts, f"reinstated-{at.isoformat()}")
    )
    # Back to past due under RESTRICT (or marked unpaid), access stays withdrawn.
    access = _access_change(False, sub, policy)  # noqa: FBT003 - suspended: no access
    # Retries whose time came while suspended are made now.
    sub, due = _charge_due(sub, at, policy)
    return Decision(sub, (*access, *effects, *due), _next_wakeup(sub, policy))


def _resume_billing(
    sub: Subscription,
    suspended_at: datetime,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Credit suspended time (by policy) and bill the rest of the current period if unbilled."""
    effects: list[Effect] = []
    paid_period = sub.current_period
    now = sub.cycle.index_containing(at)
    if policy.suspended_time is SuspendedTime.CREDITED:
        sub, lines = _suspension_credits(
            sub, suspended_at, min(at, paid_period.end), paid_period, policy
        )
        if lines:
            sub, _note, done = issue_credit_note(sub, CreditReason.SUSPENSION, lines, at)
            effects.extend(done)
    if now == sub.period_index:
        return sub, tuple(effects)
    # Period ends passed while suspended: they were not billed. A pending change whose
    # time came meanwhile applies now; the rest of the current period is billed pro rata.
    plan_id, interval = sub.plan_id, sub.interval
    if sub.pending_change is not None:
        plan_id, interval = sub.pending_change.plan_id, sub.pending_change.interval
    plan = catalog.plan(plan_id)
    cycle = (
        sub.cycle if interval == sub.interval else BillingCycle(at, interval, sub.cycle.time_zone)
    )
    index = now if interval == sub.interval else 0
    sub = sub.evolve(
        plan_id=plan_id,
        interval=interval,
        cycle=cycle,
        period_index=index,
        pending_change=None,
        stretches=(),
    )
    period = sub.current_period
    if period.start == at:
        sub, charge = _bill_period(sub, plan, period, at, InvoiceReason.RENEWAL, policy=policy)
        effects.append(charge)
        return sub, tuple(effects)
    line = remaining_line(plan, interval, at, period, cycle, policy, change=False)
    sub, invoice, charge = issue_invoice(sub, InvoiceReason.RENEWAL, (line,), at, at, period.end)
    assert line.explanation is not None  # noqa: S101 - a prorated line explains itself
    stretch = Stretch(
        plan.id,
        interval,
        at,
        period.end,
        line.amount,
        line.explanation.units,
        line.explanation.denominator,
        sub.zero,
        invoice.amount_due.min(line.amount),
        invoice.id,
        unit=policy.proration_unit,
    )
    effects.append(charge)
    return sub.evolve(stretches=(stretch,)), tuple(effects)


@_names_what_was_passed("at")
def update_payment_method(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    """Record that a payment method is now on file, and retry what it can pay at once.

    Every invoice whose payment failed (soft or hard decline, or retries run
    out) is retried immediately with a new attempt key; a success then
    returns the account to active. An account suspended because its trial
    ended without a payment method starts billing at once: a cycle anchored at
    ``at`` and its first invoice.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=catalog, has_payment_method=False).subscription
    >>> sub = advance(sub, datetime(2026, 11, 15, tzinfo=UTC), catalog=catalog).subscription
    >>> sub.status.value
    'suspended'
    >>> d = update_payment_method(sub, datetime(2026, 11, 20, tzinfo=UTC), catalog=catalog)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    """
    _expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    _expect(policy, BillingPolicy, "policy")
    at = _check_command_time(subscription, at)
    sub = subscription.evolve(has_payment_method=True, processed_until=at)
    if (
        sub.status is not Status.SUSPENDED
        or sub.suspension_reason is not SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD
    ):
        sub, retries = _retry_now(sub, at)
        return Decision(sub, retries, _next_wakeup(sub, policy))
    plan = catalog.plan(sub.plan_id)
    sub = sub.evolve(
        status=Status.ACTIVE,
        cycle=BillingCycle(at, sub.interval, sub.cycle.time_zone),
        period_index=0,
        suspension_reason=None,
        suspended_at=None,
    )
    sub, charge = _bill_period(
        sub, plan, sub.current_period, at, InvoiceReason.TRIAL_CONVERSION, policy=policy
    )
    facts: tuple[Fact, ...] = (("plan", plan.name), ("reinstated_at", at))
    return Decision(
        sub,
        (
            RestoreAccess(),
            charge,
            _notice(sub, NoticeKind.ACCOUNT_REINSTATED, at, facts, f"reinstated-{at.isoformat()}"),
        ),
        _next_wakeup(sub, policy),
    )


# --- payments and dunning ---------------------------------------------------------------------


def _unpaid(sub: Subscription) -> tuple[UnpaidInvoice, ...]:
    """The overdue invoices the ladder counts: those a payment of has failed."""
    return tuple(
        UnpaidInvoice(item.invoice.issued_at, item.invoice.amount_due)
        for item in sub.open_invoices
        if item.in_dunning
    )


def _ladder_state(sub: Subscription, ladder: OverdueLadder) -> OverdueState | None:
    for state in ladder.states:
        if state.name == sub.overdue_state:
            return state
    return None


def _with_invoice(sub: Subscription, item: OpenInvoice) -> Subscription:
    return sub.evolve(
        open_invoices=tuple(item if o.id == item.id else o for o in sub.open_invoices)
    )


def _without_invoice(sub: Subscription, invoice_id: str) -> Subscription:
    return sub.evolve(open_invoices=tuple(o for o in sub.open_invoices if o.id != invoice_id))


def _retry_charge(sub: Subscription, item: OpenInvoice) -> tuple[Subscription, Effect]:
    """Charge ``item`` again: a new attempt with its own key, or the unanswered one resent.

    An attempt lost to a gateway error may have gone through: until an outcome
    answers it, it is sent again with the same idempotency key, so the gateway
    answers it instead of charging twice.
    """
    if item.attempt_key is not None:
        resent = attrs.evolve(item, next_retry_at=None, in_flight=True)
        return _with_invoice(sub, resent), ChargeInvoice(item.invoice, item.attempt_key)
    attempts = item.attempts + 1
    key = invoice_key(sub.id, item.id, item.invoice.amount_due, attempts)
    item = attrs.evolve(
        item, attempts=attempts, attempt_key=key, next_retry_at=None, in_flight=True
    )
    return _with_invoice(sub, item), ChargeInvoice(item.invoice, key)


def _retry_now(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """Retry at once every invoice whose payment failed (a new payment method is on file)."""
    if sub.status is Status.ENDED:
        return sub, ()
    effects: list[Effect] = []
    for item in sub.open_invoices:
        # An attempt whose outcome is still awaited is left alone: no second charge in flight.
        if item.in_dunning and not item.in_flight:
            # `exhausted` stays until the invoice is paid: a new card's charge is not a
            # payment, so a subscription marked unpaid stays so (and without access).
            waiting = attrs.evolve(item, awaiting_payment_method=False)
            sub, charge = _retry_charge(_with_invoice(sub, waiting), waiting)
            effects.append(charge)
            retried = sub.open_invoice(item.id)
            assert retried is not None  # noqa: S101 - just recorded
            effects.append(
                _payment_notice(sub, NoticeKind.RETRY_SCHEDULED, at, retried, ("retry_at", at))
            )
    return sub, tuple(effects)


def _retry_due(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every retry due at ``at``, in invoice order."""
    sub = sub.evolve(processed_until=at)
    effects: list[Effect] = []
    for item in sub.open_invoices:
        if item.next_retry_at is not None and item.next_retry_at <= at:
            sub, charge = _retry_charge(sub, item)
            effects.append(charge)
    return sub, tuple(effects)


def _collect(
    sub: Subscription, charge: Effect, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Charge a new invoice, or, while the subscription is marked unpaid, hold it.

    A held invoice is issued and open but not attempted (no ``ChargeInvoice``)
    and not in dunning; it is charged when the subscription stops being unpaid.
    """
    item = sub.open_invoice(charge.invoice.id) if isinstance(charge, ChargeInvoice) else None
    if item is None or not _marked_unpaid(sub, policy):
        return sub, (charge,)
    held = attrs.evolve(item, attempts=0, attempt_key=None, in_flight=False)
    return _with_invoice(sub, held), ()


def _charge_due(
    sub: Subscription, at: datetime, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Charge at once every retry whose time has come by ``at``, and what was held.

    A retry is never dropped for having fallen due while it could not be made;
    the invoices issued while the subscription was marked unpaid are charged
    (each its first attempt) once it is not. Nothing while it is still unpaid or
    not billing.
    """
    if sub.status not in _BILLING or _marked_unpaid(sub, policy):
        return sub, ()
    effects: list[Effect] = []
    for item in sub.open_invoices:
        due = item.next_retry_at is not None and item.next_retry_at <= at
        if item.attempts == 0 or due:
            sub, charge = _retry_charge(sub, item)
            effects.append(charge)
    return sub, tuple(effects)


def _payment_notice(
    sub: Subscription, kind: NoticeKind, at: datetime, item: OpenInvoice, *extra: Fact
) -> SendNotice:
    facts: tuple[Fact, ...] = (
        ("invoice", item.id),
        ("amount", item.invoice.amount_due),
        ("attempt", item.attempts),
        *extra,
    )
    return _notice(sub, kind, at, facts, f"{item.id}:{item.attempts}")


def _access_change(
    had_access: bool,
    sub: Subscription,
    policy: BillingPolicy,
    reason: SuspensionReason = SuspensionReason.PAYMENT_FAILED,
) -> tuple[Effect, ...]:
    """The access effect, if any, that takes a customer from ``had_access`` to ``sub``'s access.

    Access is one function of the subscription and the policy (``has_access``); an
    effect is emitted exactly when it changes (``EndAccess`` is the ending's own).
    """
    now = _has_access(sub, policy)
    if had_access and not now:
        return (SuspendAccess(reason),)
    if now and not had_access:
        return (RestoreAccess(),)
    return ()


def _end_now(
    sub: Subscription, at: datetime, catalog: Catalog
) -> tuple[Subscription, tuple[Effect, ...]]:
    """End the subscription at ``at`` because payment failed for good."""
    plan = catalog.plan(sub.plan_id)
    sub = sub.evolve(
        status=Status.ENDED, ended_at=at, cancel_at_period_end=False, pending_change=None
    )
    facts: tuple[Fact, ...] = (("plan", plan.name), ("ended_at", at))
    return sub, (EndAccess(), _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, "end"))


def _suspend_for_payment(
    sub: Subscription, at: datetime, why: Fact, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Suspend at ``at`` because payment failed (``why`` says which invoice or ladder state)."""
    had_access = _has_access(sub, policy)
    reason = SuspensionReason.PAYMENT_FAILED
    sub = sub.evolve(
        status=Status.SUSPENDED,
        suspension_reason=reason,
        suspended_at=at,
        suspended_from=Status.ACTIVE,
    )
    facts: tuple[Fact, ...] = (("reason", reason.value), why)
    notice = _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}")
    return sub, (*_access_change(had_access, sub, policy, reason), notice)


def _exhaust(
    sub: Subscription,
    item: OpenInvoice,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every retry of ``item`` failed: stop retrying and apply the policy's action."""
    had_access = _has_access(sub, policy)
    item = attrs.evolve(item, next_retry_at=None, awaiting_payment_method=False, exhausted=True)
    sub = _with_invoice(sub, item)
    effects: list[Effect] = [_payment_notice(sub, NoticeKind.FINAL_ATTEMPT_FAILED, at, item)]
    action = policy.retries_exhausted
    if sub.status not in _BILLING:
        return sub, tuple(effects)
    if action is RetriesExhausted.SUSPEND:
        sub, done = _suspend_for_payment(sub, at, ("invoice", item.id), policy)
        effects.extend(done)
    elif action is RetriesExhausted.CANCEL:
        sub, done = _end_now(sub, at, catalog)
        effects.extend(done)
    else:  # MARK_UNPAID withdraws access (unless RESTRICT did already); STAY_PAST_DUE keeps it
        effects.extend(_access_change(had_access, sub, policy))
    return sub, tuple(effects)


def _apply_overdue(
    sub: Subscription, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Move the subscription on the overdue ladder, reporting every state entered."""
    ladder = policy.overdue_ladder
    if ladder is None:
        return sub, ()
    status = overdue_state(_unpaid(sub), at, ladder, _ladder_state(sub, ladder))
    sub = sub.evolve(overdue_state=status.state.name if status.state else None)
    effects: list[Effect] = []
    for state in status.entered:
        facts: tuple[Fact, ...] = (
            ("state", state.name),
            ("actions", ", ".join(sorted(a.value for a in state.actions))),
        )
        if OverdueAction.NOTICE in state.actions:
            effects.append(
                _notice(
                    sub,
                    NoticeKind.OVERDUE_STATE_ENTERED,
                    at,
                    facts,
                    f"overdue-{state.name}-{at.isoformat()}",
                )
            )
        if OverdueAction.CANCEL in state.actions and sub.status in _BILLING:
            sub, done = _end_now(sub, at, catalog)
            effects.extend(done)
        elif OverdueAction.SUSPEND in state.actions and sub.status in _BILLING:
            sub, done = _suspend_for_payment(sub, at, ("overdue_state", state.name), policy)
            effects.extend(done)
    return sub, tuple(effects)


def changes_blocked(subscription: Subscription, policy: BillingPolicy) -> bool:
    """Whether the overdue ladder's current state blocks plan changes.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False).subscription
    >>> changes_blocked(sub, SEED_POLICY)
    False
    """
    _expect(subscription, Subscription, "subscription")
    _expect(policy, BillingPolicy, "policy")
    ladder = policy.overdue_ladder
    if ladder is None:
        return False
    state = _ladder_state(subscription, ladder)
    return state is not None and OverdueAction.BLOCK_CHANGES in state.actions


def _record_success(
    sub: Subscription,
    item: OpenInvoice,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    paid = tuple((key, item.id) for key in item.keys)
    had_access = _has_access(sub, policy)
    sub = _without_invoice(sub, item.id).evolve(paid_attempts=(*sub.paid_attempts, *paid))
    effects: list[Effect] = [_payment_notice(sub, NoticeKind.PAYMENT_SUCCEEDED, at, item)]
    if item.in_dunning:
        effects.append(_payment_notice(sub, NoticeKind.PAYMENT_RECOVERED, at, item))
    if any(o.in_dunning for o in sub.open_invoices):
        # Still overdue; but paying the invoice whose retries ran out ends "unpaid".
        effects.extend(_access_change(had_access, sub, policy))
    elif sub.status is Status.PAST_DUE:
        sub = sub.evolve(status=Status.ACTIVE)
        if not item.in_dunning:  # past due without a failure (invoiced at a trial's end)
            effects.append(_payment_notice(sub, NoticeKind.PAYMENT_RECOVERED, at, item))
        effects.extend(_access_change(had_access, sub, policy))
    elif (
        sub.status is Status.SUSPENDED
        and sub.suspension_reason is SuspensionReason.PAYMENT_FAILED
        and sub.suspended_at is not None
    ):
        suspended_at = sub.suspended_at
        no_credit = attrs.evolve(policy, suspended_time=SuspendedTime.NOT_CREDITED)
        sub, done = _resume_billing(sub, suspended_at, at, catalog, no_credit)
        sub = sub.evolve(
            status=Status.ACTIVE,
            suspension_reason=None,
            suspended_at=None,
            suspended_from=None,
        )
        effects.extend(_access_change(had_access, sub, policy))
        effects.extend(done)
        effects.append(
            _notice(
                sub,
                NoticeKind.ACCOUNT_REINSTATED,
                at,
                (("suspended_at", suspended_at), ("reinstated_at", at)),
                f"reinstated-{at.isoformat()}",
            )
        )
    return sub, tuple(effects)


def _record_decline(
    sub: Subscription,
    item: OpenInvoice,
    outcome: Declined,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
    *,
    answered: bool = True,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Count a decline of ``item``: a dunning attempt used, and what follows.

    ``answered``: the gateway declined the attempt (otherwise gateway errors
    outlasted the backoff, and the attempt stays unanswered, to be sent again).
    """
    had_access = _has_access(sub, policy)
    first = not item.in_dunning
    first_failed_at = item.first_failed_at or at.astimezone(UTC)
    item = attrs.evolve(
        item,
        declines=item.declines + 1,
        first_failed_at=first_failed_at,
        gateway_errors=0,
        in_flight=False,
    )
    if answered and item.attempt_key is not None:
        item = attrs.evolve(item, attempt_key=None, answered=(*item.answered, item.attempt_key))
    if first and sub.status is Status.ACTIVE:
        sub = sub.evolve(status=Status.PAST_DUE)
    # RESTRICT withdraws access at the first failure (also of an invoice already past due).
    effects: list[Effect] = list(_access_change(had_access, _with_invoice(sub, item), policy))
    schedule = policy.retry_schedule
    if sub.status is Status.ENDED:
        # Recorded, never retried (no charge once ended).
        item = attrs.evolve(item, next_retry_at=None)
        return _with_invoice(sub, item), (
            _payment_notice(sub, NoticeKind.PAYMENT_FAILED, at, item),
        )
    # Suspended: the schedule still runs, so the retry is made once billing resumes; nothing
    # is charged meanwhile (see _charge_due).
    if outcome.kind is DeclineKind.HARD:
        item = attrs.evolve(item, next_retry_at=None, awaiting_payment_method=True)
        sub = _with_invoice(sub, item)
        effects.append(_payment_notice(sub, NoticeKind.PAYMENT_FAILED, at, item))
        effects.append(
            _payment_notice(
                sub,
                NoticeKind.PAYMENT_METHOD_NEEDED,
                at,
                item,
                ("deadline", schedule.deadline(first_failed_at)),
            )
        )
        if schedule.deadline(first_failed_at) <= at:
            sub, done = _exhaust(sub, item, at, catalog, policy)
            effects.extend(done)
        return sub, tuple(effects)
    index = item.declines - 1  # the retry that follows this many declines
    if index >= schedule.retries:
        sub, done = _exhaust(_with_invoice(sub, item), item, at, catalog, policy)
        return sub, (*effects, *done)
    # The notice shows the retry in the billing zone; the subscription keeps the instant in
    # UTC, since Python compares two times of one zone by their wall clocks, fold ignored.
    local_retry = schedule.retry_time(first_failed_at, index, sub.cycle.time_zone)
    retry_at = local_retry.astimezone(UTC)
    item = attrs.evolve(item, next_retry_at=retry_at, awaiting_payment_method=False)
    sub = _with_invoice(sub, item)
    effects.append(
        _payment_notice(sub, NoticeKind.PAYMENT_FAILED, at, item, ("next_retry", local_retry))
    )
    if retry_at <= at and sub.status in _BILLING:  # reported late: its time has come
        sub, charge = _retry_charge(sub, item)
        effects.append(charge)
    return sub, tuple(effects)


def _record_gateway_error(
    sub: Subscription, item: OpenInvoice, at: datetime
) -> tuple[Subscription, tuple[Effect, ...]] | None:
    """Retry soon after a gateway error; ``None`` when the backoff is used up."""
    errors = item.gateway_errors + 1
    if errors > len(GATEWAY_BACKOFF) or sub.status not in _BILLING:
        return None
    # Minutes of elapsed time, in UTC: a wall clock would wait an extra hour across DST.
    retry_at = at.astimezone(UTC) + GATEWAY_BACKOFF[errors - 1]
    item = attrs.evolve(item, gateway_errors=errors, next_retry_at=retry_at, in_flight=False)
    return _with_invoice(sub, item), ()


@_names_what_was_passed("at")
def record_payment(
    subscription: Subscription,
    attempt: str,
    outcome: PaymentOutcome,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision | Refused:
    """Record the outcome of charge attempt ``attempt`` at ``at``, and decide what follows.

    ``attempt`` is the ``idempotency_key`` of the ``ChargeInvoice`` being
    answered, compared exactly. A success marks its invoice paid with a receipt
    notice, returns a past-due or payment-suspended subscription to active (the
    anchor unchanged). A first decline makes the subscription past due, with a
    payment-failed notice giving the next retry. Soft declines follow the
    policy's retry schedule; a hard decline waits for a new payment method (the
    attempt still counts); a gateway error is retried within minutes without
    using an attempt, and with the same key until an answer comes (the charge
    may have gone through). When the schedule runs out, the policy's action
    applies.

    An outcome that cannot be counted is refused as a value and changes
    nothing: for an attempt already answered (``DUPLICATE_OUTCOME``: a webhook
    delivered twice, or a late one for an earlier attempt), for an attempt of
    an invoice already paid (``ALREADY_PAID``), or for a key no attempt has
    (``UNKNOWN_ATTEMPT``).

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> from subscription_rules.dunning import Declined, DeclineKind, Succeeded
    >>> catalog = default_catalog()
    >>> start = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False)
    >>> first = start.effects[0].idempotency_key
    >>> first
    's:charge:s-INV-0001:due-5000:attempt-1'
    >>> d = record_payment(start.subscription, first, Declined(DeclineKind.SOFT),
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog)
    >>> d.subscription.status.value, d.notices[0].fact("next_retry").date().isoformat()
    ('past_due', '2026-11-02')
    >>> record_payment(d.subscription, first, Declined(DeclineKind.SOFT),
    ...     datetime(2026, 11, 1, 1, tzinfo=UTC), catalog=catalog).reason.value
    'duplicate_outcome'
    >>> retry = advance(d.subscription, datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog)
    >>> second = retry.effects[0].idempotency_key
    >>> second
    's:charge:s-INV-0001:due-5000:attempt-2'
    >>> paid = record_payment(retry.subscription, second, Succeeded(),
    ...     datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog)
    >>> paid.subscription.status.value, [n.kind.value for n in paid.notices]
    ('active', ['payment_succeeded', 'payment_recovered'])
    >>> record_payment(paid.subscription, second, Succeeded(),
    ...     datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog).message
    "charge attempt 's:charge:s-INV-0001:due-5000:attempt-2' was for s-INV-0001, already paid"
    """
    _expect(subscription, Subscription, "subscription")
    _expect(attempt, str, "attempt")
    _check_catalog(catalog, subscription.currency)
    _expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = sub.check_instant(at)
    if not isinstance(outcome, (Succeeded, Declined, GatewayError)):
        raise InvalidArgumentError(
            f"expected Succeeded, Declined or GatewayError, got {_shown(outcome)}",
            argument="outcome",
            value=outcome,
        )
    item = next((o for o in sub.open_invoices if o.attempt_key == attempt), None)
    if item is None:
        return _not_awaited(sub, attempt)
    if isinstance(outcome, GatewayError) and not item.in_flight:
        # Already reported as a gateway error, and not sent again since.
        return Refused(
            RefusalReason.DUPLICATE_OUTCOME,
            f"charge attempt {attempt!r} of {item.id} already failed at the gateway and "
            "has not been sent again since",
        )
    sub = sub.evolve(processed_until=at)
    if isinstance(outcome, Succeeded):
        sub, effects = _record_success(sub, item, at, catalog, policy)
    elif isinstance(outcome, GatewayError):
        retried = _record_gateway_error(sub, item, at)
        if retried is None:  # technical failures that persist count as a soft decline
            sub, effects = _record_decline(
                sub,
                item,
                Declined(DeclineKind.SOFT, "gateway_error"),
                at,
                catalog,
                policy,
                answered=False,
            )
        else:
            sub, effects = retried
    else:
        sub, effects = _record_decline(sub, item, outcome, at, catalog, policy)
    sub, overdue = _apply_overdue(sub, at, catalog, policy)
    # Retries that fell due before `at` (and, once no longer unpaid, what was held).
    sub, due = _charge_due(sub, at, policy)
    return Decision(sub, effects + overdue + due, _next_wakeup(sub, policy))


def _not_awaited(sub: Subscription, attempt: str) -> Refused:
    """Why no open invoice awaits an outcome of ``attempt``, as a refusal naming it."""
    for item in sub.open_invoices:
        if attempt in item.answered:
            return Refused(
                RefusalReason.DUPLICATE_OUTCOME,
                f"charge attempt {attempt!r} of {item.id} was already answered",
            )
    for key, invoice_id in sub.paid_attempts:
        if key == attempt:
            return Refused(
                RefusalReason.ALREADY_PAID,
                f"charge attempt {attempt!r} was for {invoice_id}, already paid",
            )
    return Refused(
        RefusalReason.UNKNOWN_ATTEMPT,
        f"no charge attempt {_shown(attempt)} awaits an outcome on {sub.id}",
    )
