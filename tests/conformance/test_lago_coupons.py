"""Lago's published coupon examples under ``LAGO_LIKE``.

Sources: the repository getlago/lago-api, spec/scenarios/coupons_billing_period_spec.rb
and spec/scenarios/coupons_breakdown_spec.rb (snapshot of November 2026). Amounts are in
cents. Lago takes a fixed amount off what a billing period costs; a ``forever`` or
recurring amount is capped at each period's fees and never carried, and a ``once``
amount carries what an invoice could not take to the next invoices
(``CouponExcess.CARRY``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from conformance._engines import catalog_of
from helpers import decided
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    Coupon,
    CouponDuration,
    Decision,
    LineKind,
    Money,
    advance,
    start_subscription,
)

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)


def _discounted(decision: Decision) -> list[tuple[int, int]]:
    """Each invoice's (fees, coupon) in cents: its charge lines, and its discount lines (positive)."""
    return [
        (
            sum(line.amount.minor for line in invoice.lines if line.kind is not LineKind.DISCOUNT),
            -sum(line.amount.minor for line in invoice.lines if line.kind is LineKind.DISCOUNT),
        )
        for invoice in decision.invoices
    ]


def test_a_forever_amount_off_is_capped_at_each_month_and_never_carried() -> None:
    """coupons_billing_period_spec.rb, "with a subscription fee only" / "when the
    subscription is paid in advance" / "caps the coupon on each billed month".

    Published: a plan of 1000 a month in advance from 2025-01-01 and a ``forever``
    fixed-amount coupon of 1500: the invoices of 1 January, 1 February and 1 March each
    bill the fee 1000 with a coupon of 1000 (the 500 beyond the fee is not carried).
    """
    catalog = catalog_of({"plan": "10.00"}, "EUR")
    coupon = Coupon("forever", amount_off=Money.of("15.00", "EUR"), duration=CouponDuration.FOREVER)
    start = decided(
        start_subscription(
            "sub", "cust", "plan", MONTHLY, JAN_1, catalog=catalog, trial=False,
            policy=LAGO_LIKE, coupon=coupon,
        )
    )  # fmt: skip
    february = advance(
        start.subscription, datetime(2025, 2, 1, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    )
    march = advance(
        february.subscription, datetime(2025, 3, 1, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    )
    assert _discounted(start) + _discounted(february) + _discounted(march) == [(1000, 1000)] * 3
    assert all(invoice.total.is_zero() for invoice in (*start.invoices, *february.invoices))


def test_a_once_amount_off_carries_what_an_invoice_cannot_take() -> None:
    """coupons_breakdown_spec.rb, "when coupon is single use" / "applies the coupon,
    calculating the remaining amount".

    Published: a ``once`` fixed-amount coupon of 10 000 and a first invoice of fees 500:
    the coupon takes 500 and the invoice totals 0; the rest is applied to the next
    invoices. Here a plan of 500 a month: the first invoice is discounted by 500 and
    9500 is left, which pays the next month's 500 too (9000 left).
    """
    catalog = catalog_of({"plan": "5.00"}, "EUR")
    coupon = Coupon("single_use_coupon", amount_off=Money.of("100.00", "EUR"))
    start = decided(
        start_subscription(
            "sub", "cust", "plan", MONTHLY, JAN_1, catalog=catalog, trial=False,
            policy=LAGO_LIKE, coupon=coupon,
        )
    )  # fmt: skip
    assert _discounted(start) == [(500, 500)]
    discount = start.subscription.discount
    assert discount is not None
    assert discount.amount_left == Money.of("95.00", "EUR")
    february = advance(
        start.subscription, datetime(2025, 2, 1, tzinfo=UTC), catalog=catalog, policy=LAGO_LIKE
    )
    assert _discounted(february) == [(500, 500)]
    assert february.subscription.discount is not None
    assert february.subscription.discount.amount_left == Money.of("90.00", "EUR")
