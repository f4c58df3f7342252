"""Random lives: subscriptions and decisions made by the library's own commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final, Literal

import attrs
from hypothesis import strategies as st

from subscription_rules import (
    MAX_PERIODS_PER_ADVANCE,
    BillingPeriod,
    BillingPolicy,
    Catalog,
    Decision,
    MissingPaymentMethod,
    Plan,
    Price,
    Refused,
    Status,
    Subscription,
    TrialCancellation,
    Usage,
    advance,
    cancel,
    change_plan,
    change_quantity,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
)
from subscription_rules.errors import (
    CatalogError,
    InvalidArgumentError,
    InvalidPolicyError,
)
from subscription_rules.strategies._base import (
    _HORIZON,
    _LIFE_PLANS,
    _LIVE,
    _MAX_TRIAL_DAYS,
    _MICROSECOND,
    _memo,
    _must,
    _utc,
)
from subscription_rules.strategies._policies import (
    policies,
)
from subscription_rules.strategies._values import (
    _maybe_usages,
    catalogs,
    instants,
    time_zones,
    usages,
)

# --------------------------------------------------------------------------- subscriptions

_Leg = Literal["convert", "invoice", "lapse", "suspend", "cancel"]
_NO_PAYMENT_METHOD_LEGS: Final = frozenset({"invoice", "lapse"})


@attrs.frozen
class _Route:
    """How to reach a status: start (with a trial or not), then legs, under some policy rules.

    Between legs the subscription wanders: random commands at later instants,
    each kept only if the status stays the same.
    """

    trial: bool
    legs: tuple[_Leg, ...] = ()
    missing_payment_method: MissingPaymentMethod | None = None
    trial_cancellation: TrialCancellation | None = None

    def allows(self, policy: BillingPolicy) -> bool:
        """Whether ``policy`` follows the rules this route depends on."""
        return self.missing_payment_method in {None, policy.missing_payment_method} and (
            self.trial_cancellation in {None, policy.trial_cancellation}
        )

    def fit(self, policy: BillingPolicy) -> BillingPolicy:
        """``policy`` with the rules this route depends on."""
        if self.missing_payment_method is not None:
            policy = attrs.evolve(
                policy,
                name=f"{policy.name}, varied",
                missing_payment_method=self.missing_payment_method,
            )
        if self.trial_cancellation is not None:
            policy = attrs.evolve(
                policy, name=f"{policy.name}, varied", trial_cancellation=self.trial_cancellation
            )
        return policy


_INVOICE: Final = MissingPaymentMethod.INVOICE
_ROUTES: Final[dict[Status, tuple[_Route, ...]]] = {
    Status.ACTIVE: (_Route(trial=False), _Route(trial=True, legs=("convert",))),
    Status.TRIALING: (_Route(trial=True),),
    Status.PAST_DUE: (_Route(trial=True, legs=("invoice",), missing_payment_method=_INVOICE),),
    Status.SUSPENDED: (
        _Route(trial=False, legs=("suspend",)),
        _Route(trial=True, legs=("suspend",)),
        _Route(trial=True, legs=("convert", "suspend")),
        _Route(trial=True, legs=("invoice", "suspend"), missing_payment_method=_INVOICE),
        # A trial cancelled is suspended at once.
        _Route(trial=True, legs=("cancel",), trial_cancellation=TrialCancellation.SUSPEND_NOW),
        _Route(trial=True, legs=("lapse",), missing_payment_method=MissingPaymentMethod.SUSPEND),
    ),
    Status.ENDED: (
        _Route(trial=False, legs=("cancel",)),
        _Route(trial=False, legs=("suspend", "cancel")),
        _Route(trial=True, legs=("cancel",), trial_cancellation=TrialCancellation.KEEP_ACCESS),
        _Route(trial=True, legs=("convert", "cancel")),
        _Route(trial=True, legs=("invoice", "cancel"), missing_payment_method=_INVOICE),
        _Route(
            trial=True,
            legs=("cancel", "cancel"),
            trial_cancellation=TrialCancellation.SUSPEND_NOW,
        ),
        _Route(trial=True, legs=("lapse",), missing_payment_method=MissingPaymentMethod.CANCEL),
    ),
}
# Simplest first, so that a failing example shrinks toward a plainly active subscription.
_STATUS_ORDER: Final = (
    Status.ACTIVE,
    Status.TRIALING,
    Status.PAST_DUE,
    Status.SUSPENDED,
    Status.ENDED,
)


@attrs.frozen
class _Life:
    """A subscription, the catalog and policy it lives under, and the decision that made it."""

    catalog: Catalog
    policy: BillingPolicy
    decision: Decision

    @property
    def subscription(self) -> Subscription:
        return self.decision.subscription


def _routes(
    status: Status, catalog: Catalog | None, policy: BillingPolicy | None
) -> tuple[_Route, ...]:
    """The routes to ``status`` open under a given catalog and policy (``None``: drawn later).

    A drawn catalog is given a trial, and a price on it, where a route needs them; a given
    one opens a route with a trial only if a plan has a trial, and one through a trial
    invoiced without a payment method only if such a plan also costs something.
    """
    has_trial = catalog is None or any(plan.trial_days > 0 for plan in catalog)
    paid_trial = catalog is None or any(_invoiceable(plan) for plan in catalog)
    return tuple(
        route
        for route in _ROUTES[status]
        if (has_trial or not route.trial)
        and (paid_trial or "invoice" not in route.legs)
        and (policy is None or route.allows(policy))
    )


def _invoiceable(plan: Plan) -> bool:
    """Whether a trial of ``plan`` that ends without a payment method leaves something owed."""
    return plan.trial_days > 0 and any(price.total(1).minor for price in plan.prices)


def _live_end(sub: Subscription) -> datetime:
    """Where the current live stretch ends: the trial's end, or the current period's."""
    if sub.status is Status.TRIALING and sub.trial_end is not None:
        return sub.trial_end
    return sub.current_period.end


def _length(period: BillingPeriod) -> timedelta:
    return _utc(period.end) - _utc(period.start)


def _now(draw: st.DrawFn, sub: Subscription) -> datetime:
    """A moment for a command: from ``processed_until`` to just before the live stretch ends."""
    start = _utc(sub.processed_until)
    room = (_utc(_live_end(sub)) - start) // _MICROSECOND
    return start + _MICROSECOND * draw(st.integers(0, max(room - 1, 0)))


def _later(draw: st.DrawFn, sub: Subscription, periods_ahead: int) -> datetime:
    """A moment up to ``periods_ahead`` current-period lengths on (not past the horizon)."""
    start = _utc(sub.processed_until)
    if start >= _HORIZON:
        return start
    room = min(_length(sub.current_period) * periods_ahead, _HORIZON - start)
    return start + _MICROSECOND * draw(st.integers(0, room // _MICROSECOND))


def _past(draw: st.DrawFn, sub: Subscription) -> datetime:
    """A moment at or after the live stretch's end, within a period of it."""
    end = _utc(_live_end(sub))
    room = _length(sub.current_period) // _MICROSECOND
    return end + _MICROSECOND * draw(st.integers(0, max(room - 1, 0)))


def _applied(life: _Life, result: Decision | Refused) -> _Life:
    return attrs.evolve(life, decision=_must(result, Decision, "a command was refused"))


def _every_period(usage: Usage) -> Callable[[BillingPeriod], Usage]:
    def counts(_period: BillingPeriod) -> Usage:
        return usage

    return counts


_LIVE_STEPS: Final = ("advance", "change", "seats", "cancel", "undo", "suspend", "payment method")
_OTHER_STEPS: Final = ("advance", "payment method")


def _step(  # noqa: PLR0911 - one return per command
    draw: st.DrawFn, life: _Life, *, allow_payment_method: bool
) -> Decision | Refused:
    """One random command at a later instant."""
    sub, catalog, policy = life.subscription, life.catalog, life.policy
    kinds: tuple[str, ...] = _LIVE_STEPS if sub.status in _LIVE else _OTHER_STEPS
    if not allow_payment_method:
        kinds = tuple(kind for kind in kinds if kind != "payment method")
    kind = draw(st.sampled_from(kinds))
    if kind == "advance":
        until = _now(draw, sub) if sub.status is Status.TRIALING else _later(draw, sub, 3)
        # Three of the current periods may hold more than advance's limit of period ends
        # once a pending change shortens the interval (ten years, then weekly).
        start, room = _utc(sub.processed_until), _advance_room(catalog, sub)
        if until - start > room:  # compared as spans: start + room may pass year 9999
            until = start + room
        usage = draw(_maybe_usages(catalog))
        # One Usage describes one period: the same counts for every period that ends.
        per_period = None if usage is None else _every_period(usage)
        return advance(sub, until, catalog=catalog, policy=policy, usage=per_period)
    if kind == "payment method":
        # Not past the live stretch: update_payment_method itself does not refuse that.
        at = _now(draw, sub) if sub.status in _LIVE else _later(draw, sub, 1)
        return update_payment_method(sub, at, catalog=catalog, policy=policy)
    at = _now(draw, sub)
    if kind == "seats" and catalog.plan(sub.plan_id).unit is not None:
        quantity = draw(st.integers(1, 12))
        return change_quantity(
            sub, quantity, at, catalog=catalog, usage=draw(usages(catalog)), policy=policy
        )
    if kind in {"change", "seats"}:  # a flat plan has no seats to change: change plan instead
        target = draw(st.sampled_from(catalog.plans))
        interval = draw(st.sampled_from(target.intervals))
        usage = draw(usages(catalog))
        return change_plan(
            sub, target.id, interval, at, catalog=catalog, usage=usage, policy=policy
        )
    if kind == "cancel":
        return cancel(sub, at, policy=policy)
    if kind == "undo":
        return undo_cancel(sub, at, policy=policy)
    # suspend, and reinstate later
    suspended = suspend(sub, at, policy=policy)
    if isinstance(suspended, Refused):
        return suspended
    later = _later(draw, suspended.subscription, 2)
    return reinstate(suspended.subscription, later, catalog=catalog, policy=policy)


def _advance_room(catalog: Catalog, sub: Subscription) -> timedelta:
    """A span holding at most half of ``advance``'s limit of period ends, whatever the interval.

    An interval is at least its days, or 28 days a month; every interval the life can
    move to is the subscription's or one of the catalog's.
    """
    intervals = [sub.interval, *(interval for plan in catalog for interval in plan.intervals)]
    shortest = min(
        timedelta(days=interval.days if interval.days is not None else 28 * (interval.months or 1))
        for interval in intervals
    )
    return shortest * (MAX_PERIODS_PER_ADVANCE // 2)


def _owes(catalog: Catalog, sub: Subscription) -> bool:
    """Whether the subscription's plan costs something at its interval and quantity."""
    price = (
        sub.price.price if sub.price is not None else catalog.plan(sub.plan_id).price(sub.interval)
    )
    return price.total(sub.quantity).minor > 0


def _wander(
    draw: st.DrawFn, life: _Life, *, allow_payment_method: bool, keep_paid: bool = False
) -> _Life:
    """Up to three random commands, each kept only if it leaves the status as it was."""
    status = life.subscription.status
    for _ in range(draw(st.integers(0, 3))):
        result = _step(draw, life, allow_payment_method=allow_payment_method)
        if (
            isinstance(result, Decision)
            and result.subscription.status is status
            and (not keep_paid or _owes(life.catalog, result.subscription))
        ):
            life = attrs.evolve(life, decision=result)
    return life


def _leg(draw: st.DrawFn, life: _Life, leg: _Leg) -> _Life:
    sub, catalog, policy = life.subscription, life.catalog, life.policy
    if leg == "suspend":
        return _applied(life, suspend(sub, _now(draw, sub), policy=policy))
    if leg == "cancel":
        at = _now(draw, sub) if sub.status in _LIVE else _later(draw, sub, 2)
        result = cancel(sub, at, policy=policy)
        if isinstance(result, Decision):  # else already scheduled
            life = _applied(life, result)
        sub = life.subscription
        if sub.status in _LIVE and sub.cancel_at_period_end:
            life = _applied(life, advance(sub, _past(draw, sub), catalog=catalog, policy=policy))
        return life
    # convert, invoice or lapse: through the trial's end.
    if sub.cancel_at_period_end:
        life = _applied(life, undo_cancel(sub, sub.processed_until, policy=policy))
    if leg == "convert" and not life.subscription.has_payment_method:
        at = life.subscription.processed_until
        life = _applied(
            life, update_payment_method(life.subscription, at, catalog=catalog, policy=policy)
        )
    sub = life.subscription
    return _applied(life, advance(sub, _past(draw, sub), catalog=catalog, policy=policy))


def _with_trial(draw: st.DrawFn, catalog: Catalog) -> Catalog:
    """The catalog, with a trial on its first plan if no plan has one."""
    if any(plan.trial_days > 0 for plan in catalog):
        return catalog
    first = attrs.evolve(catalog.plans[0], trial_days=draw(st.integers(1, _MAX_TRIAL_DAYS)))
    return attrs.evolve(catalog, plans=(first, *catalog.plans[1:]))


def _with_a_price(catalog: Catalog) -> Catalog:
    """The catalog, with a price above zero on its first trial plan if its trial plans are free.

    A trial that ends invoiced without a payment method is past due only if it owes something.
    """
    trials = [plan for plan in catalog if plan.trial_days > 0]
    if any(price.total(1).minor for plan in trials for price in plan.prices):
        return catalog
    first = trials[0]
    # Per unit when it was, tiered or not: a price of 100 minor units (a unit).
    paid = tuple(
        Price(price.amount.with_minor(100), price.interval, unit=price.unit)
        for price in first.prices
    )
    plans = tuple(attrs.evolve(p, prices=paid) if p is first else p for p in catalog.plans)
    return attrs.evolve(catalog, plans=plans)


@_memo
def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.just(f"{prefix}_1") | st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)


@st.composite
def _lives(
    draw: st.DrawFn,
    statuses: tuple[Status, ...],
    catalog: Catalog | None,
    policy: BillingPolicy | None,
) -> _Life:
    status = draw(st.sampled_from(statuses))
    route = draw(st.sampled_from(_routes(status, catalog, policy)))
    cat = draw(catalogs(max_plans=_LIFE_PLANS)) if catalog is None else catalog
    if route.trial:
        cat = _with_trial(draw, cat)
        if catalog is None and "invoice" in route.legs:
            cat = _with_a_price(cat)
    if policy is None:
        policy = route.fit(draw(policies(catalog=cat)))
    no_payment_method = route.trial and not _NO_PAYMENT_METHOD_LEGS.isdisjoint(route.legs)
    candidates = [plan for plan in cat if plan.trial_days > 0] if route.trial else list(cat)
    if "invoice" in route.legs:
        # A trial invoiced without a payment method is past due only if something is owed.
        candidates = [plan for plan in cat if _invoiceable(plan)]
    # `_routes` opened only routes some plan of the catalog can take.
    plan = draw(st.sampled_from(candidates))
    quantity = draw(st.integers(1, 12)) if plan.unit is not None else 1
    owed = [p.interval for p in plan.prices if p.total(quantity).minor]
    if "invoice" in route.legs and not owed:  # a volume price may cost nothing at more units
        quantity = 1
        owed = [p.interval for p in plan.prices if p.total(1).minor]
    owed = owed or list(plan.intervals)
    decision = start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        plan.id,
        draw(st.sampled_from(owed if "invoice" in route.legs else plan.intervals)),
        _utc(draw(instants(time_zone="UTC"))),
        catalog=cat,
        time_zone=draw(time_zones()),
        has_payment_method=not (no_payment_method or draw(st.booleans())),
        trial=route.trial,
        policy=policy,
        quantity=quantity,
    )
    life = _Life(cat, policy, decision)
    for index, leg in enumerate(route.legs):
        allow = _NO_PAYMENT_METHOD_LEGS.isdisjoint(route.legs[index:])
        life = _wander(
            draw, life, allow_payment_method=allow, keep_paid="invoice" in route.legs[index:]
        )
        life = _leg(draw, life, leg)
    life = _wander(draw, life, allow_payment_method=True)
    if life.subscription.status is not status:
        raise AssertionError(
            f"subscription_rules.strategies: {route} reached {life.subscription.status}, "
            f"not {status}"
        )
    return life


def _reachable(
    status: Status | None, catalog: Catalog | None, policy: BillingPolicy | None
) -> tuple[Status, ...]:
    """The statuses to draw from, refusing one that the catalog or the policy rules out."""
    if catalog is not None and not isinstance(catalog, Catalog):
        raise InvalidArgumentError(
            f"expected a Catalog, got {type(catalog).__name__}", argument="catalog", value=catalog
        )
    if policy is not None and not isinstance(policy, BillingPolicy):
        raise InvalidArgumentError(
            f"expected a BillingPolicy, got {type(policy).__name__}",
            argument="policy",
            value=policy,
        )
    if status is None:
        return tuple(s for s in _STATUS_ORDER if _routes(s, catalog, policy))
    if not isinstance(status, Status):
        raise InvalidArgumentError(
            f"expected a Status, got {status!r}", argument="status", value=status
        )
    if not _routes(status, catalog, None):
        reason = (
            "no plan with a trial has a price above zero"
            if any(plan.trial_days > 0 for plan in catalog or ())
            else "no plan has a trial"
        )
        raise CatalogError(
            f"{reason}, so no subscription can be {status.value}", key="plans", value=status
        )
    if not _routes(status, catalog, policy) and policy is not None:
        raise InvalidPolicyError(
            "a subscription is past due only when a trial ends without a payment method "
            f"under MissingPaymentMethod.INVOICE; this policy says {policy.missing_payment_method}",
            argument="missing_payment_method",
            value=policy.missing_payment_method,
        )
    return (status,)


def subscriptions(
    status: Status | None = None,
    *,
    catalog: Catalog | None = None,
    policy: BillingPolicy | None = None,
) -> st.SearchStrategy[Subscription]:
    """Subscriptions in ``status``, built by the library's own commands, valid by construction.

    Each is started with ``start_subscription`` (with or without a trial and a
    payment method), then taken to ``status`` along a route chosen at random:
    a trial converted or invoiced, a suspension, a cancellation at the end of
    a period or trial, a trial lapsing without a payment method. Along the way
    it wanders: ``advance``, ``change_plan``, ``change_quantity`` (on a plan
    sold per seat), ``cancel`` and ``undo_cancel``,
    ``suspend`` then ``reinstate``, ``update_payment_method``, at later and
    later instants, each kept only if it leaves the status as it was. Shrinks
    toward a freshly started subscription with no history.

    Args:
        status: The status of every subscription; any status the catalog and
            policy allow when omitted.
        catalog: The catalog the subscriptions use; drawn from
            ``catalogs(max_plans=3)`` when omitted (given a trial where the route
            needs one).
        policy: The policy the commands follow; drawn from :func:`policies`
            when omitted (with the field the route needs, such as
            ``MissingPaymentMethod.INVOICE`` to be past due).

    Returns:
        A strategy for :class:`Subscription`.

    Raises:
        CatalogError: A trialing or past-due subscription asked of a catalog
            without a trial, or a past-due one of a catalog whose every plan
            with a trial is free (a trial that ends owing nothing is not
            past due). Without ``status``, such statuses are not drawn.
        InvalidPolicyError: A past-due subscription asked under a policy whose
            ``missing_payment_method`` is not ``INVOICE``.

    >>> from hypothesis import given, settings
    >>> from subscription_rules import Status, default_catalog, has_access
    >>> @settings(max_examples=10)
    ... @given(subscriptions(Status.PAST_DUE, catalog=default_catalog()))
    ... def test_past_due_keeps_access(sub: Subscription) -> None:
    ...     assert has_access(sub, SEED_POLICY) and sub.current_period.start <= sub.processed_until
    >>> test_past_due_keeps_access()
    >>> subscriptions(Status.PAST_DUE, policy=SEED_POLICY)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: missing_payment_method: a subscription is past due only when a trial ends without a payment method under MissingPaymentMethod.INVOICE; this policy says MissingPaymentMethod.SUSPEND
    """
    statuses = _reachable(status, catalog, policy)
    return _lives(statuses, catalog, policy).map(lambda life: life.subscription)


def decisions(
    *, catalog: Catalog | None = None, policy: BillingPolicy | None = None
) -> st.SearchStrategy[Decision]:
    """Decisions as the commands make them: the last one of a subscription from :func:`subscriptions`.

    A fresh start's (a first invoice and a notice, or a trial's notice), an
    ``advance`` (renewals, reminders, a trial's end), a plan change (credit
    notes, refunds, invoices), a cancellation, a suspension or a
    reinstatement: every effect a host's adapters must carry out.

    Args:
        catalog: The catalog; ``catalogs(max_plans=3)`` when omitted.
        policy: The policy; drawn from :func:`policies` when omitted.

    Returns:
        A strategy for :class:`Decision`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(decisions())
    ... def test_charges_are_never_negative(decision: Decision) -> None:
    ...     assert all(not invoice.amount_due.is_negative() for invoice in decision.invoices)
    >>> test_charges_are_never_negative()
    """
    statuses = _reachable(None, catalog, policy)
    return _lives(statuses, catalog, policy).map(lambda life: life.decision)
