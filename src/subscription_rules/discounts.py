"""Coupons and the discount a subscription holds (skeleton: the discounts work fills it in).

A :class:`Coupon` takes a percentage or an amount off for a duration (once,
for a number of periods, forever), optionally only on some plans. Redeemed on
a subscription it becomes its :class:`Discount`, which the rules apply to the
lines they bill from ``start`` until ``end``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from subscription_rules.money import Money

__all__ = ["Coupon", "CouponDuration", "Discount"]


class CouponDuration(enum.Enum):
    """How long a coupon's discount lasts once redeemed."""

    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


@attrs.frozen
class Coupon:
    """A coupon: ``percent_off`` or ``amount_off``, for ``duration`` (``periods`` if repeating)."""

    id: str
    percent_off: Decimal | None = attrs.field(default=None, kw_only=True)
    amount_off: Money | None = attrs.field(default=None, kw_only=True)
    duration: CouponDuration = attrs.field(default=CouponDuration.ONCE, kw_only=True)
    periods: int | None = attrs.field(default=None, kw_only=True)
    plans: tuple[str, ...] | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Discount:
    """A coupon redeemed on a subscription: it discounts what is billed from ``start`` to ``end``.

    ``end`` is ``None`` for a coupon that lasts forever; ``amount_left`` is what
    is left of an amount off carried to later invoices (``CouponExcess.CARRY``).
    """

    coupon: Coupon
    start: datetime
    end: datetime | None
    amount_left: Money | None = None
