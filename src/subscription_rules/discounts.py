"""Coupons and the discount a subscription holds.

A :class:`Coupon` takes a percentage or an amount off for a duration (once,
for a number of periods, forever), optionally only on some plans. Redeemed on
a subscription (``redeem_coupon``) it becomes its :class:`Discount`, which the
rules apply to the lines they bill from ``start`` until ``end``.

>>> coupon = Coupon("LAUNCH20", percent_off="20", duration=CouponDuration.REPEATING, periods=3)
>>> coupon.percent_off, coupon.describe()
(Decimal('20'), '20 % off for 3 periods')
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from subscription_rules._checks import (
    exact_percent,
    field_check,
    identifier,
    instance_of,
    optional,
    shown,
)
from subscription_rules._text import format_date
from subscription_rules.errors import InvalidCouponError
from subscription_rules.money import Money
from subscription_rules.periods import require_aware

__all__ = ["Coupon", "CouponDuration", "Discount"]

#: At most two decimal places in a percentage off (Stripe's ``percent_off``: 12.5, 33.33).
_MAX_PLACES: Final = 2


class CouponDuration(enum.Enum):
    """How long a coupon's discount lasts once redeemed.

    ``ONCE``: one billing period; ``REPEATING``: ``periods`` billing periods;
    ``FOREVER``: as long as the subscription lives (Stripe's ``duration``,
    Lago's ``frequency`` once / recurring / forever).
    """

    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


def _percent(value: object) -> Decimal | None:
    """``value`` (a str, int or Decimal; never a float or bool) as a percentage above 0 up to 100."""
    if value is None:
        return None
    return exact_percent(
        value,
        "percent_off",
        error=InvalidCouponError,
        places=_MAX_PLACES,
        zero_allowed=False,
        range_text="above 0 and at most 100",
        type_note=" (a float is not exact)",
    )


def _amount(value: object, argument: str) -> None:
    if not isinstance(value, Money) or not value.is_positive():
        raise InvalidCouponError(
            f"must be a positive Money, got {shown(value)}", argument=argument, value=value
        )


def _positive_count(value: object, argument: str) -> None:
    if type(value) is not int or value < 1:
        raise InvalidCouponError(
            f"must be an int from 1, got {shown(value)}", argument=argument, value=value
        )


def _plans(value: object) -> tuple[str, ...] | None:
    """The plan ids a coupon is restricted to (a list or tuple of ids, at least one), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, tuple | list) or not value:
        raise InvalidCouponError(
            f"must be None (every plan) or a non-empty tuple of plan ids, got {shown(value)}",
            argument="plans",
            value=value,
        )
    for plan_id in value:
        identifier(plan_id, "plans")
    return tuple(value)


def _aware(value: object, argument: str) -> None:
    require_aware(value, argument)


def _name(value: object, argument: str) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidCouponError(
            f"must be None or a non-empty str of at most 200 characters, got {shown(value)}",
            argument=argument,
            value=value,
        )


def _percent_text(percent: Decimal) -> str:
    return f"{percent:f}"


@attrs.frozen
class Coupon:
    """A coupon: ``percent_off`` or ``amount_off``, for ``duration`` (``periods`` if repeating).

    ``percent_off`` is exact (a str, int or Decimal above 0 and at most 100,
    at most two decimal places: Stripe's limits; a float is refused);
    ``amount_off`` a positive amount, in the currency of the subscriptions it
    is redeemed on. ``periods`` counts the billing periods of a ``REPEATING``
    coupon (Stripe's ``duration_in_months``, in the subscription's own
    periods here). ``plans``: the plan ids whose lines it discounts (``None``:
    every plan). ``max_redemptions`` and ``redeem_by`` limit its redemptions
    (``redeem_coupon`` checks them against the count the host passes);
    ``name`` is what invoices may show (the id otherwise).

    >>> Coupon("WELCOME", amount_off=Money.of("50", "USD")).describe()
    'USD 50.00 off once'
    >>> Coupon("BAD", percent_off="120")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidCouponError: percent_off: must be a percentage above 0 and at most 100 with at most 2 decimal places, got '120'
    """

    id: str = attrs.field(validator=field_check(identifier))
    percent_off: Decimal | None = attrs.field(default=None, kw_only=True, converter=_percent)
    amount_off: Money | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_amount))
    )
    duration: CouponDuration = attrs.field(
        default=CouponDuration.ONCE,
        kw_only=True,
        validator=instance_of(CouponDuration, what="a CouponDuration", error=InvalidCouponError),
    )
    periods: int | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_positive_count))
    )
    plans: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_plans)
    max_redemptions: int | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_positive_count))
    )
    redeem_by: datetime | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_aware))
    )
    name: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_name))
    )

    def __attrs_post_init__(self) -> None:
        if (self.percent_off is None) == (self.amount_off is None):
            raise InvalidCouponError(
                "a coupon takes exactly one of percent_off and amount_off, got "
                f"percent_off={shown(self.percent_off)}, amount_off={shown(self.amount_off)}",
                argument="percent_off",
                value=self.percent_off,
            )
        if self.duration is CouponDuration.REPEATING and self.periods is None:
            raise InvalidCouponError(
                "a repeating coupon needs its number of periods (an int from 1), got None",
                argument="periods",
                value=None,
            )
        if self.duration is not CouponDuration.REPEATING and self.periods is not None:
            raise InvalidCouponError(
                f"only a repeating coupon counts periods ({self.duration.value} does not), "
                f"got {self.periods!r}",
                argument="periods",
                value=self.periods,
            )

    @property
    def label(self) -> str:
        """What invoices call it: its name, or its id."""
        return self.name or self.id

    def off_text(self) -> str:
        """What it takes off: ``'20 %'`` or ``'USD 50.00'``."""
        if self.percent_off is not None:
            return f"{_percent_text(self.percent_off)} %"
        return str(self.amount_off)

    def describe(self) -> str:
        """The coupon in words: what it takes off and for how long."""
        match self.duration:
            case CouponDuration.ONCE:
                lasting = "once"
            case CouponDuration.REPEATING:
                lasting = f"for {self.periods} period{'s' if self.periods != 1 else ''}"
            case CouponDuration.FOREVER:
                lasting = "forever"
        return f"{self.off_text()} off {lasting}"

    def applies_to(self, plan_id: str | None) -> bool:
        """Whether it discounts lines of ``plan_id`` (every plan when not restricted)."""
        return self.plans is None or plan_id in self.plans


def _discount_end(instance: Discount, _attribute: object, value: datetime | None) -> None:
    if value is None:
        return
    require_aware(value, "end")
    if value <= instance.start:
        raise InvalidCouponError(
            f"must come after the start {format_date(instance.start)}, got {shown(value)}",
            argument="end",
            value=value,
        )


def _amount_left(instance: Discount, _attribute: object, value: Money | None) -> None:
    if value is None:
        return
    off = instance.coupon.amount_off
    if off is None or value.currency != off.currency:
        raise InvalidCouponError(
            "must be None, or the Money left of an amount-off coupon in its currency, got "
            f"{shown(value)}",
            argument="amount_left",
            value=value,
        )
    if value.is_negative() or value > off:
        raise InvalidCouponError(
            f"must lie between zero and the amount off {off}, got {value}",
            argument="amount_left",
            value=value,
        )


@attrs.frozen
class Discount:
    """A coupon redeemed on a subscription: it discounts what is billed from ``start`` to ``end``.

    A line is discounted when its ``start`` lies in ``[start, end)``; ``end``
    is ``None`` for a coupon that lasts forever (or an amount off carried
    until spent). ``amount_left`` is what is left of a ``ONCE`` amount off:
    the first invoice spends it, and ``CouponExcess.CARRY`` carries what that
    invoice could not take to the next ones (``FORFEIT`` loses it); ``None``
    for a percentage or a repeating amount off, which each invoice gets anew.

    >>> from datetime import UTC
    >>> d = Discount(Coupon("LAUNCH20", percent_off=20), datetime(2026, 11, 1, tzinfo=UTC),
    ...     datetime(2027, 2, 1, tzinfo=UTC))
    >>> d.covers(datetime(2027, 1, 1, tzinfo=UTC)), d.covers(datetime(2027, 2, 1, tzinfo=UTC))
    (True, False)
    """

    coupon: Coupon = attrs.field(
        validator=instance_of(Coupon, what="a Coupon", error=InvalidCouponError)
    )
    start: datetime = attrs.field(validator=field_check(_aware))
    end: datetime | None = attrs.field(validator=_discount_end)
    amount_left: Money | None = attrs.field(default=None, validator=_amount_left)

    def covers(self, instant: datetime) -> bool:
        """Whether a line starting at ``instant`` lies in the discount's window."""
        return self.start <= instant and (self.end is None or instant < self.end)

    @property
    def spent(self) -> bool:
        """Whether nothing is left of a once-only amount off."""
        return self.amount_left is not None and not self.amount_left.is_positive()
