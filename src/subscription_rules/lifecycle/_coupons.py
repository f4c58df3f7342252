"""Redeeming a coupon on a subscription (``redeem_coupon``), and the end of its discount.

The discount's window counts billing periods of the subscription's cycle at
redemption. Redeemed at a period's start (at the start of the subscription,
or during a trial: the first period after it), that period is the first
counted; redeemed part way through a period, the first counted is the next
one (what was billed already is not discounted again), while charges made
later in the current period (an upgrade's proration) are discounted too.
``ONCE`` counts one period, ``REPEATING`` ``periods``; the discount ends at
the end of the last counted period (``Discount.end``). ``FOREVER`` has no
end, nor has a ``ONCE`` amount off under ``CouponExcess.CARRY``, which lasts
until it is spent (Lago).
"""

from __future__ import annotations

from datetime import datetime

from subscription_rules._checks import count, expect, names_what_was_passed
from subscription_rules.catalog import Catalog
from subscription_rules.discounts import Coupon, CouponDuration, Discount
from subscription_rules.effects import Decision, Effect, RefusalReason, Refused, SendNotice
from subscription_rules.errors import InvalidCouponError
from subscription_rules.lifecycle._common import _notice
from subscription_rules.lifecycle._scheduling import next_wakeup
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.policy import BillingPolicy, CouponExcess
from subscription_rules.subscription import Status, Subscription


def _window_end(
    sub: Subscription, coupon: Coupon, at: datetime, policy: BillingPolicy
) -> datetime | None:
    """The end of the last billing period the coupon counts, redeemed at ``at``."""
    if coupon.duration is CouponDuration.FOREVER:
        return None
    if (
        coupon.amount_off is not None
        and coupon.duration is CouponDuration.ONCE
        and policy.coupon_excess is CouponExcess.CARRY
    ):
        return None  # carried until spent
    counted = coupon.periods if coupon.periods is not None else 1
    period = sub.current_period
    if sub.status is not Status.TRIALING and at >= period.end:
        # Periods passed unbilled (suspended): count from the cycle's period holding ``at``.
        period = sub.cycle.period_containing(at)
    first = (
        period.index if sub.status is Status.TRIALING or at <= period.start else period.index + 1
    )
    return sub.cycle.boundary(first + counted)


def redeemed(
    sub: Subscription,
    coupon: Coupon,
    at: datetime,
    times_redeemed: int,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, SendNotice] | Refused:
    """``sub`` with ``coupon`` redeemed at ``at`` (its discount replaces any other), and the notice.

    Raises:
        InvalidCouponError: For an amount off in another currency than the subscription's.
    """
    off = coupon.amount_off
    if off is not None and off.currency != sub.currency:
        raise InvalidCouponError(
            f"takes {off} off, but the subscription is billed in {sub.currency.code}",
            argument="coupon",
            value=coupon,
        )
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has ended")
    if coupon.max_redemptions is not None and times_redeemed >= coupon.max_redemptions:
        return Refused(
            RefusalReason.REDEMPTION_LIMIT_REACHED,
            f"{coupon.id} was redeemed {times_redeemed} times, its limit is "
            f"{coupon.max_redemptions}",
        )
    if coupon.redeem_by is not None and at > coupon.redeem_by:
        return Refused(
            RefusalReason.COUPON_EXPIRED,
            f"{coupon.id} could be redeemed until {coupon.redeem_by.isoformat()}",
        )
    if not coupon.applies_to(sub.plan_id):
        plan = catalog.plan(sub.plan_id) if sub.plan_id in catalog else None
        name = sub.plan_id if plan is None else plan.name
        return Refused(RefusalReason.COUPON_NOT_FOR_PLAN, f"{coupon.id} is not for {name}")
    end = _window_end(sub, coupon, at, policy)
    left = off if off is not None and coupon.duration is CouponDuration.ONCE else None
    sub = sub.evolve(discount=Discount(coupon, at, end, left))
    facts: tuple[FactPair, ...] = (
        (FactName.COUPON, coupon.label),
        (FactName.DISCOUNT, coupon.describe()),
    )
    if end is not None:
        facts += ((FactName.ENDS_AT, end),)
    notice = _notice(sub, NoticeKind.DISCOUNT_APPLIED, at, facts, f"coupon-{at.isoformat()}")
    return sub, notice


@names_what_was_passed("at")
def redeem_coupon(
    subscription: Subscription,
    coupon: Coupon,
    at: datetime,
    *,
    times_redeemed: int,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Redeem ``coupon`` on ``subscription`` at ``at``: its discount from now on, with a notice.

    ``times_redeemed`` is how many times the coupon was redeemed so far (the
    host counts: the library keeps no global state). A new coupon replaces the
    subscription's current discount (Stripe keeps one coupon per subscription).
    The window is counted as the module says: redeemed part way through a
    period, the next period is the first of its periods. Nothing is billed
    now; the invoices from now on carry the discount lines.

    Returns Refused for an ended subscription (``NOT_ALLOWED_IN_STATUS``), a
    coupon redeemed ``max_redemptions`` times already
    (``REDEMPTION_LIMIT_REACHED``), after its ``redeem_by``
    (``COUPON_EXPIRED``) or restricted to other plans (``COUPON_NOT_FOR_PLAN``).

    Raises:
        InvalidCouponError: For an amount off in another currency than the
            subscription's (the coupon cannot be, for this subscription).

    >>> from subscription_rules.discounts import Coupon, CouponDuration
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> coupon = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.REPEATING, periods=3)
    >>> decision = redeem_coupon(sub, coupon, datetime(2026, 11, 10, tzinfo=UTC),
    ...     times_redeemed=0, catalog=catalog, policy=SEED_POLICY)
    >>> decision.subscription.discount.end.date().isoformat()  # December, January, February
    '2027-03-01'
    >>> redeem_coupon(sub, Coupon("FULL", percent_off=10, max_redemptions=5),
    ...     datetime(2026, 11, 10, tzinfo=UTC), times_redeemed=5, catalog=catalog,
    ...     policy=SEED_POLICY).message
    'FULL was redeemed 5 times, its limit is 5'
    """
    expect(subscription, Subscription, "subscription")
    expect(coupon, Coupon, "coupon", error=InvalidCouponError)
    count(times_redeemed, "times_redeemed")
    expect(catalog, Catalog, "catalog")
    expect(policy, BillingPolicy, "policy")
    at = subscription.check_instant(at)
    result = redeemed(subscription, coupon, at, times_redeemed, catalog, policy)
    if isinstance(result, Refused):
        return result
    sub, notice = result
    sub = sub.evolve(processed_until=at)
    return Decision(sub, (notice,), next_wakeup(sub, policy=policy))


def end_of_discount(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """At a renewal at ``at``: drop a discount it no longer gets, with ``DISCOUNT_ENDED``.

    A discount whose window ended by ``at`` (the renewal's period is not
    discounted), or a once-only amount off spent by an invoice since.
    """
    discount = sub.discount
    if discount is None or not (
        discount.spent or (discount.end is not None and discount.end <= at)
    ):
        return sub, ()
    sub = sub.evolve(discount=None)
    facts: tuple[FactPair, ...] = (
        (FactName.COUPON, discount.coupon.label),
        (FactName.ENDED_AT, at),
    )
    return sub, (
        _notice(sub, NoticeKind.DISCOUNT_ENDED, at, facts, f"coupon-end-{at.isoformat()}"),
    )
