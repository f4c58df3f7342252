"""Discounts on what an invoice bills: the subscription's coupon, line by line.

:func:`discounted` returns the lines with a ``DISCOUNT`` line after each line
the discount reaches, and the discount as it stands after this invoice. A
line is reached when it is a positive charge (the period, a proration charge,
overage) of a plan the coupon applies to, starting inside the discount's
window, and not already followed by its discount lines nor taxed (pending
proration charges are discounted when they are made pending, and one taxed
while it waits is billed with that tax, as it is).

A percentage is rounded once per line with the policy's mode; an amount off
is shared over the lines reached in proportion to them (largest remainder) and
never exceeds them, so no line and no invoice goes negative.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from subscription_rules.discounts import Coupon, Discount
from subscription_rules.invoices import Explanation, Line, LineKind
from subscription_rules.money import Money, allocate
from subscription_rules.policy import BillingPolicy, CouponExcess
from subscription_rules.subscription import Subscription

#: The lines a coupon discounts: charges, never credits, adjustments or other discounts.
DISCOUNTED_KINDS = frozenset({LineKind.SUBSCRIPTION, LineKind.PRORATION_CHARGE, LineKind.OVERAGE})


def _reached(discount: Discount, lines: tuple[Line, ...]) -> list[int]:
    """The indices of the lines ``discount`` reaches."""
    coupon = discount.coupon
    reached = []
    for index, line in enumerate(lines):
        if (
            line.kind in DISCOUNTED_KINDS
            and line.amount.is_positive()
            and coupon.applies_to(line.plan_id)
            and discount.covers(line.start)
            and line.tax is None  # taxed while waiting, before the coupon: billed as it is
            and not (index + 1 < len(lines) and lines[index + 1].kind is LineKind.DISCOUNT)
        ):
            reached.append(index)
    return reached


def _percent_line(coupon: Coupon, line: Line, policy: BillingPolicy) -> Line:
    percent = coupon.percent_off
    assert percent is not None  # noqa: S101 - a percentage coupon
    scale = 1
    while percent * scale != int(percent * scale):
        scale *= 10
    units, denominator = int(percent * scale), 100 * scale
    off = line.amount.ratio(units, denominator, policy.rounding)
    explanation = Explanation(line.amount, units, denominator, "percent", policy.rounding, off)
    return Line(
        LineKind.DISCOUNT,
        f"Coupon {coupon.label}: -{coupon.off_text()} of {line.description}",
        -off,
        line.start,
        line.end,
        line.plan_id,
        explanation,
    )


def _amount_line(coupon: Coupon, line: Line, share: Money) -> Line:
    return Line(
        LineKind.DISCOUNT,
        f"Coupon {coupon.label}: {share} of {coupon.off_text()} off {line.description}",
        -share,
        line.start,
        line.end,
        line.plan_id,
    )


def _available(discount: Discount) -> Money:
    """What an amount off may take off this invoice: what is left of it, or all of it."""
    off = discount.coupon.amount_off
    assert off is not None  # noqa: S101 - an amount-off coupon
    return off if discount.amount_left is None else discount.amount_left


def _share_amount(
    sub: Subscription,
    discount: Discount,
    lines: tuple[Line, ...],
    reached: list[int],
    added: dict[int, Line],
    policy: BillingPolicy,
) -> Discount:
    """Share an amount off over the ``reached`` lines into ``added``; the discount after it."""
    coupon = discount.coupon
    eligible = sub.zero.with_minor(sum(lines[index].amount.minor for index in reached))
    used = _available(discount).min(eligible)
    if used.is_positive():
        weights = tuple(lines[index].amount.minor for index in reached)
        for index, share in zip(reached, allocate(used, weights), strict=True):
            if share.is_positive():
                added[index] = _amount_line(coupon, lines[index], share)
    if discount.amount_left is not None:
        left = (
            discount.amount_left - used if policy.coupon_excess is CouponExcess.CARRY else sub.zero
        )
        discount = attrs.evolve(discount, amount_left=left)
    return discount


def discounted(
    sub: Subscription, lines: tuple[Line, ...], at: datetime, policy: BillingPolicy
) -> tuple[tuple[Line, ...], Discount | None]:
    """``lines`` with their discount lines, and ``sub``'s discount after them.

    The discount changes only for a ``ONCE`` amount off: what this invoice
    took is subtracted from ``amount_left`` (``CouponExcess.CARRY``), or the
    rest is forfeited (``FORFEIT``: nothing is left once an invoice used it).
    """
    del at  # the lines' own starts decide, not the moment of the invoice
    discount = sub.discount
    if discount is None or discount.spent:
        return lines, discount
    reached = _reached(discount, lines)
    if not reached:
        return lines, discount
    coupon = discount.coupon
    added: dict[int, Line] = {}
    if coupon.percent_off is not None:
        for index in reached:
            added[index] = _percent_line(coupon, lines[index], policy)
    else:
        discount = _share_amount(sub, discount, lines, reached, added, policy)
    out: list[Line] = []
    for index, line in enumerate(lines):
        out.append(line)
        extra = added.get(index)
        if extra is not None and extra.amount.is_negative():
            out.append(extra)
    return tuple(out), discount
