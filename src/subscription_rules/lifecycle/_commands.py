"""The commands a customer or support gives: start, cancel, undo, suspend, reinstate, pay by a new method."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from subscription_rules._access import unchecked_has_access
from subscription_rules._calendar import month_length
from subscription_rules._checks import count, expect, identifier, names_what_was_passed, wrong_type
from subscription_rules._pricing import billed_on, offered
from subscription_rules._taxing import tax_waiting
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.discounts import Coupon
from subscription_rules.effects import (
    Decision,
    Effect,
    EndAccess,
    RefusalReason,
    Refused,
    RestoreAccess,
    SuspendAccess,
)
from subscription_rules.errors import InvalidCouponError, InvalidPeriodError
from subscription_rules.invoices import InvoiceReason
from subscription_rules.lifecycle._bill import _bill_from, _bill_period, _resume_billing
from subscription_rules.lifecycle._collection import _charge_due, _collect, _retry_now
from subscription_rules.lifecycle._common import (
    _LIVE,
    _access_change,
    _check_command_time,
    _live_until,
    _local_days_later,
    _notice,
    _settle_pending,
)
from subscription_rules.lifecycle._coupons import redeemed
from subscription_rules.lifecycle._renewal import _trial_reminder
from subscription_rules.lifecycle._scheduling import _next_wakeup, _trial_reminder_at
from subscription_rules.money import Currency, Money
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import (
    BillingCycle,
    Interval,
    require_aware,
    utc_instant,
    zone,
)
from subscription_rules.policy import (
    BillingPolicy,
    TrialCancellation,
)
from subscription_rules.subscription import (
    Status,
    Subscription,
    SuspensionReason,
)
from subscription_rules.taxes import CustomerTax


@overload
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
    policy: BillingPolicy,
    billing_anchor: datetime | None = None,
    quantity: int = 1,
    currency: str | Currency | None = None,
    coupon: None = None,
    times_redeemed: int = 0,
    tax: CustomerTax | None = None,
) -> Decision: ...


@overload
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
    policy: BillingPolicy,
    billing_anchor: datetime | None = None,
    quantity: int = 1,
    currency: str | Currency | None = None,
    coupon: Coupon,
    times_redeemed: int = 0,
    tax: CustomerTax | None = None,
) -> Decision | Refused: ...


@overload
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
    policy: BillingPolicy,
    billing_anchor: datetime | None = None,
    quantity: int = 1,
    currency: str | Currency | None = None,
    coupon: Coupon | None = None,
    times_redeemed: int = 0,
    tax: CustomerTax | None = None,
) -> Decision | Refused: ...


@names_what_was_passed("at")
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
    policy: BillingPolicy,
    billing_anchor: datetime | None = None,
    quantity: int = 1,
    currency: str | Currency | None = None,
    coupon: Coupon | None = None,
    times_redeemed: int = 0,
    tax: CustomerTax | None = None,
) -> Decision | Refused:
    """Start a subscription at ``at``: a trial of the plan's length, or the first invoice now.

    ``quantity`` is the units (seats) of a plan sold per unit (1 for a flat
    plan); ``currency`` the currency the subscription is billed in, fixed for
    its life (``None``: the plan's first currency). The price it starts on is
    recorded on the subscription (``price``), so a later catalog version
    changes nothing until ``migrate_price``. ``tax`` is how the customer is
    taxed (``None``: untaxed; see :func:`update_tax` to change it later).

    The trial is given when ``trial`` is true, the plan has one, and the
    customer has not ``had_trial`` before (one trial per customer). Without a
    trial the billing cycle is anchored at ``at`` and the first period is
    invoiced at once; with one, the cycle is anchored at the trial's end, so
    the first invoice comes when the trial converts. A trial shorter than the
    policy's reminder lead time gets its trial-ending notice at once.

    A ``billing_anchor`` (Stripe's ``billing_cycle_anchor``, Kill Bill's bill-cycle
    day, Lago's calendar billing) anchors the cycle there instead: billing begins
    (at ``at``, or at the trial's end) with a stub invoice up to the anchor,
    prorated by the policy's unit over the period that ends at the anchor, then
    whole periods from the anchor. The anchor may not precede the start of
    billing, nor lie more than one period after it (the stub is at most that
    period: a later anchor would leave time unbilled, Stripe refuses it too).

    A ``coupon`` is redeemed at the start, before the first invoice, as
    ``redeem_coupon`` redeems it (``times_redeemed``: its redemptions so far,
    counted by the host): the first invoice carries its discount, and a coupon
    that does not apply (its limit reached, expired, for other plans) returns
    the ``Refused`` value ``redeem_coupon`` gives, and nothing starts.

    >>> d = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 1, 22, tzinfo=UTC), catalog=default_catalog(), had_trial=True,
    ...     billing_anchor=datetime(2026, 2, 1, tzinfo=UTC), policy=SEED_POLICY)
    >>> str(d.invoices[0].amount_due), d.subscription.current_period.end.date().isoformat()
    ('USD 16.13', '2026-02-01')

    >>> d = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 1, 31, tzinfo=UTC), catalog=default_catalog(), had_trial=True, policy=SEED_POLICY)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    >>> d.subscription.current_period.end.date().isoformat()
    '2026-02-28'
    """
    identifier(subscription_id, "subscription_id")
    identifier(customer_id, "customer_id")
    expect(plan_id, str, "plan_id")
    expect(catalog, Catalog, "catalog")
    expect(interval, Interval, "interval")
    expect(policy, BillingPolicy, "policy")
    expect(has_payment_method, bool, "has_payment_method")
    expect(trial, bool, "trial")
    expect(had_trial, bool, "had_trial")
    if tax is not None:
        expect(tax, CustomerTax, "tax")
    time_zone = zone(time_zone).key  # a name or a ZoneInfo; "localtime" refused
    # The anchor keeps the wall clock as written (see BillingCycle); instants are kept in UTC.
    written, at = require_aware(at, "at"), utc_instant(at, "at")
    chosen = _currency(currency, catalog.plan(plan_id).currency)
    priced = offered(catalog, plan_id, interval, chosen, quantity)
    plan = priced.plan
    zero = Money(0, chosen)
    trialing = trial and plan.trial_days > 0 and not had_trial
    trial_end = _local_days_later(at, plan.trial_days, time_zone) if trialing else None
    if billing_anchor is None:
        cycle, index = BillingCycle(trial_end or written, interval, time_zone), 0
    else:
        cycle, index = _anchored_cycle(trial_end or at, billing_anchor, interval, time_zone)
    sub = Subscription(
        id=subscription_id,
        customer_id=customer_id,
        plan_id=plan_id,
        interval=interval,
        cycle=cycle,
        period_index=index,
        currency=chosen,
        status=Status.TRIALING if trialing else Status.ACTIVE,
        started_at=at,
        processed_until=at,
        credit_balance=zero,
        trial_end=trial_end,
        has_payment_method=has_payment_method,
        quantity=priced.quantity,
        price=priced.record(),
        tax=tax,
    )
    applied: tuple[Effect, ...] = ()
    count(times_redeemed, "times_redeemed")
    if coupon is not None:
        expect(coupon, Coupon, "coupon", error=InvalidCouponError)
        result = redeemed(sub, coupon, at, times_redeemed, catalog, policy)
        if isinstance(result, Refused):
            return result
        sub, notice = result
        applied = (notice,)
    if trial_end is not None:
        effects: list[Effect] = [
            _notice(
                sub,
                NoticeKind.TRIAL_STARTED,
                at,
                (
                    (FactName.PLAN, plan.name),
                    (FactName.TRIAL_END, trial_end),
                    (FactName.TRIAL_DAYS, plan.trial_days),
                ),
                "trial",
            )
        ]
        if _trial_reminder_at(sub, policy) is None and policy.trial_reminder_days:
            effects.append(_trial_reminder(sub, plan, at))
        return Decision(sub, (*effects, *applied), _next_wakeup(sub, policy))
    sub, charge = _bill_from(sub, priced, at, InvoiceReason.SUBSCRIPTION_START, policy)
    started = _notice(
        sub,
        NoticeKind.SUBSCRIPTION_STARTED,
        at,
        ((FactName.PLAN, plan.name), (FactName.INTERVAL, str(interval))),
        "start",
    )
    return Decision(sub, (charge, started, *applied), _next_wakeup(sub, policy))


def _currency(currency: object, default: Currency) -> Currency:
    """The currency a subscription starts in: ``currency`` (a code or a Currency) or ``default``."""
    if currency is None:
        return default
    if isinstance(currency, Currency):
        return currency
    if not isinstance(currency, str):
        wrong_type(currency, "currency", "an ISO 4217 code, a Currency or None")
    return Currency.of(currency)


def _anchored_cycle(
    first: datetime, anchor: object, interval: Interval, time_zone: str
) -> tuple[BillingCycle, int]:
    """A cycle with a boundary at ``anchor``, and the index of the period ending there.

    The cycle is anchored at the latest wall-clock reading one or more intervals
    before the anchor that needs no month-end clamping (the 31st of January for
    an anchor on the 31st of March), so every later boundary is the anchor's own;
    billing begins at ``first``, inside the period that ends at the anchor.
    """
    written = require_aware(anchor, "billing_anchor")
    instant = utc_instant(anchor, "billing_anchor")
    if instant < first:
        raise InvalidPeriodError(
            f"is before billing begins at {first.isoformat()}",
            argument="billing_anchor",
            value=anchor,
        )
    if instant == first:
        return BillingCycle(written, interval, time_zone), 0
    tz = zone(time_zone)
    wall = written.astimezone(tz).replace(tzinfo=None)
    months = interval.months
    for k in range(1, 13):
        if months is not None:
            year, month0 = divmod(wall.year * 12 + wall.month - 1 - k * months, 12)
            if year < 1 or wall.day > month_length(year, month0 + 1):
                continue
            lead = wall.replace(year=year, month=month0 + 1)
        else:
            lead = wall - timedelta(days=k * (interval.days or 0))
        cycle = BillingCycle(lead.replace(tzinfo=tz), interval, time_zone)
        if cycle.boundary(k) != instant:
            continue
        if first < cycle.boundary(k - 1):
            raise InvalidPeriodError(
                f"is more than one period ({interval}) after billing begins at {first.isoformat()}",
                argument="billing_anchor",
                value=anchor,
            )
        return cycle, k - 1
    raise InvalidPeriodError(  # pragma: no cover - an anchor no wall clock reaches again
        "is not a wall-clock reading the cycle can recur on",
        argument="billing_anchor",
        value=anchor,
    )


@names_what_was_passed("at")
def cancel(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy
) -> Decision | Refused:
    """Cancel: in a trial per the policy (suspended at once by default); after it, at period end.

    After the trial the service continues to the end of the current period,
    with no further charge, and the cancellation can be undone until then. A
    suspended subscription ends at once.

    >>> from subscription_rules import MONTHLY, cancel, default_catalog, start_subscription
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> d = cancel(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY)
    >>> d.subscription.cancel_at_period_end, d.notices[0].fact("ends_at").date().isoformat()
    (True, '2026-12-01')
    >>> cancel(d.subscription, datetime(2026, 11, 11, tzinfo=UTC), policy=SEED_POLICY).message
    'cancellation is already scheduled for 2026-12-01T00:00:00+00:00'
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has already ended")
    if sub.status is Status.SUSPENDED:
        sub, settled = _settle_pending(sub, at, policy)
        sub = sub.evolve(
            status=Status.ENDED,
            ended_at=at,
            processed_until=at,
            pending_change=None,
            cancel_at_period_end=False,
        )
        facts: tuple[FactPair, ...] = ((FactName.ENDED_AT, at),)
        notice = _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, "end")
        return Decision(sub, (*settled, EndAccess(), notice), _next_wakeup(sub, policy))
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
                _notice(
                    sub, NoticeKind.TRIAL_CANCELLED, at, ((FactName.CANCELLED_AT, at),), "trial"
                ),
            ),
            _next_wakeup(sub, policy),
        )
    sub = sub.evolve(cancel_at_period_end=True, pending_change=None)
    notice = _notice(
        sub, NoticeKind.CANCELLATION_SCHEDULED, at, ((FactName.ENDS_AT, end),), at.isoformat()
    )
    return Decision(sub, (notice,), _next_wakeup(sub, policy))


@names_what_was_passed("at")
def undo_cancel(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy
) -> Decision | Refused:
    """Undo a scheduled cancellation before the period (or trial) ends.

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription, undo_cancel
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> undo_cancel(sub, datetime(2026, 11, 2, tzinfo=UTC), policy=SEED_POLICY).message
    'no cancellation is scheduled'
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
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
        ((FactName.RENEWS_AT, end),),
        f"undo-{at.isoformat()}",
    )
    return Decision(sub, (notice,), _next_wakeup(sub, policy))


@names_what_was_passed("at")
def suspend(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy
) -> Decision | Refused:
    """Suspend for a policy violation, at once: access is withdrawn and nothing is charged.

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription, suspend
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> d = suspend(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY)
    >>> d.subscription.status.value, d.subscription.suspension_reason.value
    ('suspended', 'policy_violation')
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status not in _LIVE:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"{sub.status.phrase} subscription cannot be suspended",
        )
    reason = SuspensionReason.POLICY_VIOLATION
    had_access = unchecked_has_access(sub, policy)
    sub = sub.evolve(
        status=Status.SUSPENDED,
        suspension_reason=reason,
        suspended_at=at,
        processed_until=at,
        suspended_from=sub.status,
    )
    facts: tuple[FactPair, ...] = ((FactName.REASON, reason.value),)
    return Decision(
        sub,
        (
            *_access_change(had_access, sub, policy, reason),
            _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}"),
        ),
        _next_wakeup(sub, policy),
    )


@names_what_was_passed("at")
def reinstate(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Reinstate, by support, an account suspended for a policy violation.

    The billing anchor does not move. If the suspension stayed within one
    period, nothing more is charged (the period was paid). If period ends
    passed while suspended, those periods were not billed, and the rest of the
    current period is billed pro rata from ``at``. With
    ``SuspendedTime.CREDITED`` the suspended part of the paid period is
    credited. Suspensions for payment or a missing payment method are resolved
    by paying or adding a payment method, not here.

    >>> from subscription_rules import (
    ...     MONTHLY, default_catalog, reinstate, start_subscription, suspend,
    ... )
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> sub = suspend(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY).subscription
    >>> d = reinstate(sub, datetime(2026, 11, 12, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> d.subscription.status.value, [type(e).__name__ for e in d.effects]
    ('active', ['RestoreAccess', 'SendNotice'])
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
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
        plan = billed_on(sub, catalog)
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
    facts: tuple[FactPair, ...] = (
        (FactName.SUSPENDED_AT, suspended_at),
        (FactName.REINSTATED_AT, at),
    )
    effects.append(
        _notice(sub, NoticeKind.ACCOUNT_REINSTATED, at, facts, f"reinstated-{at.isoformat()}")
    )
    # Back to past due under RESTRICT (or marked unpaid), access stays withdrawn.
    access = _access_change(False, sub, policy)  # noqa: FBT003 - suspended: no access
    # Retries whose time came while suspended are made now.
    sub, due = _charge_due(sub, at, policy)
    return Decision(sub, (*access, *effects, *due), _next_wakeup(sub, policy))


@names_what_was_passed("at")
def update_payment_method(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision:
    """Record that a payment method is now on file, and retry what it can pay at once.

    Every invoice whose payment failed (soft or hard decline, or retries run
    out) is retried immediately with a new attempt key; a success then
    returns the account to active. An account suspended because its trial
    ended without a payment method starts billing at once: a cycle anchored at
    ``at`` and its first invoice.

    >>> from subscription_rules import (
    ...     MONTHLY, advance, default_catalog, start_subscription, update_payment_method,
    ... )
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=catalog, has_payment_method=False, policy=SEED_POLICY).subscription
    >>> sub = advance(sub, datetime(2026, 11, 15, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> sub.status.value
    'suspended'
    >>> d = update_payment_method(sub, datetime(2026, 11, 20, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    at = _check_command_time(subscription, at)
    sub = subscription.evolve(has_payment_method=True, processed_until=at)
    if (
        sub.status is not Status.SUSPENDED
        or sub.suspension_reason is not SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD
    ):
        sub, retries = _retry_now(sub, at)
        return Decision(sub, retries, _next_wakeup(sub, policy))
    plan = billed_on(sub, catalog)
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
    facts: tuple[FactPair, ...] = ((FactName.PLAN, plan.name), (FactName.REINSTATED_AT, at))
    return Decision(
        sub,
        (
            RestoreAccess(),
            charge,
            _notice(sub, NoticeKind.ACCOUNT_REINSTATED, at, facts, f"reinstated-{at.isoformat()}"),
        ),
        _next_wakeup(sub, policy),
    )


@names_what_was_passed("at")
def update_tax(
    subscription: Subscription,
    tax: CustomerTax | None,
    at: datetime,
    *,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Tax the customer with ``tax`` from ``at`` on (``None``: no tax), as the host's rates say.

    Rates are law and change, and a customer moves or gives a tax id: the
    invoices issued from ``at`` on are taxed with ``tax``, and so are the
    proration charges waiting for the next invoice that were made pending
    untaxed (taxed now, their stretches recording it, so a credit for that
    time before the invoice returns its share), while what was billed or made
    pending taxed before keeps the tax it was given: a later credit for that
    time returns that tax, not the new one. Resolve a jurisdiction's rate through a
    :class:`~subscription_rules.ports.TaxRates` port with
    :func:`~subscription_rules.ports.customer_tax`. Issues nothing. An ended
    subscription is refused.

    >>> from subscription_rules import MONTHLY, CustomerTax, TaxRate, default_catalog
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> vat = CustomerTax(TaxRate("VAT 20 %", "FR", "20"))
    >>> d = update_tax(sub, vat, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY)
    >>> d.subscription.tax.rate.name, d.effects, d.subscription.stretches[0].tax is None
    ('VAT 20 %', (), True)
    """
    expect(subscription, Subscription, "subscription")
    if tax is not None:
        expect(tax, CustomerTax, "tax")
    expect(policy, BillingPolicy, "policy")
    at = _check_command_time(subscription, at)
    if subscription.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has ended")
    sub = subscription.evolve(tax=tax, processed_until=at)
    if tax is not None and sub.pending_lines:
        lines, stretches = tax_waiting(sub, policy)
        sub = sub.evolve(pending_lines=lines, stretches=stretches, payments=sub.payments)
    return Decision(sub, (), _next_wakeup(sub, policy))
