"""Strategies for coupons and the discounts they become, each field drawn valid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st

from subscription_rules import Coupon, CouponDuration, Discount
from subscription_rules.strategies._base import _MAX_PRICE, _identifiers, _memo
from subscription_rules.strategies._values import _money, _plan_ids, instants


@st.composite
def _coupon(draw: st.DrawFn) -> Coupon:
    duration = draw(st.sampled_from(CouponDuration))
    periods = draw(st.integers(1, 36)) if duration is CouponDuration.REPEATING else None
    plans = draw(st.none() | st.lists(_plan_ids(), min_size=1, max_size=3).map(tuple))
    limits = {
        "max_redemptions": draw(st.none() | st.integers(1, 10_000)),
        "redeem_by": draw(st.none() | instants()),
        "name": draw(st.none() | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789", min_size=1)),
    }
    if limits["name"] is not None and not str(limits["name"]).strip():
        limits["name"] = None
    if draw(st.booleans()):
        percent = Decimal(draw(st.integers(1, 10_000))).scaleb(-2)
        return Coupon(
            draw(_identifiers()),
            percent_off=percent,
            duration=duration,
            periods=periods,
            plans=plans,
            **limits,  # type: ignore[arg-type]
        )
    return Coupon(
        draw(_identifiers()),
        amount_off=draw(_money(None, 1, _MAX_PRICE)),
        duration=duration,
        periods=periods,
        plans=plans,
        **limits,  # type: ignore[arg-type]
    )


@_memo
def coupons() -> st.SearchStrategy[Coupon]:
    """Coupons: a percentage in hundredths or an amount off, any duration, plans and limits.

    >>> from hypothesis import find
    >>> find(coupons(), lambda coupon: coupon.percent_off is not None).percent_off
    Decimal('0.01')
    """
    return _coupon()


@st.composite
def _discount(draw: st.DrawFn) -> Discount:
    coupon = draw(coupons())
    start = draw(instants())
    end = None
    if coupon.duration is not CouponDuration.FOREVER:
        end = start + timedelta(days=draw(st.integers(1, 3 * 366)))
    left = None
    if coupon.amount_off is not None and coupon.duration is CouponDuration.ONCE:
        off = coupon.amount_off
        left = off.with_minor(draw(st.integers(0, off.minor)))
    return Discount(coupon, start, end, left)


@_memo
def discounts() -> st.SearchStrategy[Discount]:
    """Discounts: a coupon of :func:`coupons` with a window and, for a once-only amount, what is left."""
    return _discount()
