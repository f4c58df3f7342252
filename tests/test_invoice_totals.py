"""Invoice totals where discounts, taxes and the credit balance meet (issue 18).

The order, on every invoice: the coupon comes off each line first, the tax is
on what is left of the line (a ``DISCOUNT`` line follows the line it
discounts, and that line's tax is on its amount net of them), then the credit
balance (a top-up or a grant) pays the total, tax included. Lago's changelog
says so in two steps: "New calculation method for invoices" (getlago.com/
changelog/nvoice-calculation-method: prepaid credits are deducted after tax,
and a purchase of credits is an advance, untaxed) and "Coupons applied before
tax" (getlago.com/changelog/coupons-before-tax: coupons are deducted from the
invoice amount before tax). Figures are worked by hand on the built-in catalog
(Personal USD 50 a month, Advanced 150, Pro 300; overage of billable sessions
on Personal USD 5 per 1,000 over 100,000).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance._engines import changed
from helpers import CATALOG, MWST_DE, NOV_1, NY, VAT_FR, decided, paid_up, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    BillingPolicy,
    ChargeInvoice,
    Coupon,
    CouponDuration,
    CreditReason,
    CustomerTax,
    Decision,
    Invoice,
    InvoiceReason,
    IssueCreditNote,
    LineKind,
    Money,
    RefusalReason,
    Refused,
    Rulebook,
    Subscription,
    TaxRate,
    Usage,
    advance,
    change_plan,
    grant_credit,
    start_subscription,
    top_up,
)

TWENTY_OFF = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
DEC_1 = utc(2026, 12, 1)


def _start(
    plan: str,
    coupon: Coupon | None,
    rate: TaxRate | None,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    result = start_subscription(
        "sub_1", "cus_1", plan, MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=policy,
        coupon=coupon, tax=None if rate is None else CustomerTax(rate),
    )  # fmt: skip
    return decided(result)


def _totals(invoice: Invoice) -> tuple[Money, Money, Money]:
    return invoice.subtotal, invoice.tax, invoice.total


def test_a_coupon_comes_off_before_an_exclusive_tax() -> None:
    """Advanced 150.00, 20 % off, VAT 20 % exclusive: discount 150.00 × 20 % = 30.00; the tax is
    on the 120.00 left, 24.00; total 144.00 (Lago: coupons before tax)."""
    (invoice,) = _start("advanced", TWENTY_OFF, VAT_FR).invoices
    line, discount = invoice.lines
    assert (line.amount, discount.kind, discount.amount) == (
        usd("150.00"),
        LineKind.DISCOUNT,
        usd("-30.00"),
    )
    assert line.tax is not None
    assert (line.tax.taxable, line.tax.amount) == (usd("120.00"), usd("24.00"))
    assert discount.tax is None
    assert _totals(invoice) == (usd("120.00"), usd("24.00"), usd("144.00"))
    assert invoice.amount_due == usd("144.00")


def test_a_coupon_comes_off_before_an_inclusive_tax() -> None:
    """The same with MwSt. 19 % inclusive: the 120.00 left holds the tax, 12000 × 19/119 =
    1915.97 cents → 19.16 (half up); subtotal 120.00 − 19.16 = 100.84; total 120.00."""
    (invoice,) = _start("advanced", TWENTY_OFF, MWST_DE).invoices
    line, _discount = invoice.lines
    assert line.tax is not None
    assert (line.tax.taxable, line.tax.amount) == (usd("100.84"), usd("19.16"))
    assert _totals(invoice) == (usd("100.84"), usd("19.16"), usd("120.00"))


def test_an_amount_off_shared_over_two_lines_then_taxed_once_per_invoice() -> None:
    """Personal (50.00) under LAGO_LIKE (tax rounded per invoice), USD 10.00 off forever,
    sales tax 8.875 %. November's usage is 103,000 billable sessions: 3,000 over the limit at
    5.00 per 1,000 = 15.00 of overage, billed with December's 50.00 on 1 Dec.

    The 10.00 is shared over 50.00 and 15.00 by largest remainder: 1000 × 50/65 = 769.23 and
    1000 × 15/65 = 230.77 cents; floors 769 + 230, the cent left to .77: 7.69 and 2.31. Lines
    net 42.31 and 12.69. Exact taxes 4231 × 71/800 = 375.50125 and 1269 × 71/800 = 112.62375
    cents; their sum 488.125 → 4.88 once, shared: floors 375 + 112, the cent to .62375:
    3.75 + 1.13 (per line it would be 3.76 + 1.13 = 4.89). Subtotal 55.00, total 59.88.
    """
    coupon = Coupon("TEN", amount_off=usd("10"), duration=CouponDuration.FOREVER)
    started = _start("personal", coupon, NY, LAGO_LIKE)
    sub = paid_up(started.subscription, NOV_1, LAGO_LIKE)
    usage = Usage.of(billable_sessions=103_000)
    renewed = advance(sub, DEC_1, catalog=CATALOG, usage=usage, policy=LAGO_LIKE)
    invoice = renewed.invoices[-1]
    assert [(line.kind, line.amount) for line in invoice.lines] == [
        (LineKind.SUBSCRIPTION, usd("50.00")),
        (LineKind.DISCOUNT, usd("-7.69")),
        (LineKind.OVERAGE, usd("15.00")),
        (LineKind.DISCOUNT, usd("-2.31")),
    ]
    assert [line.tax.amount for line in invoice.lines if line.tax] == [usd("3.75"), usd("1.13")]
    assert _totals(invoice) == (usd("55.00"), usd("4.88"), usd("59.88"))


def test_coupon_then_tax_then_the_balance_pays_the_total() -> None:
    """Advanced, 20 % off, VAT 20 %: every invoice is 150.00 − 30.00 = 120.00 + 24.00 = 144.00.

    A goodwill grant of 50.00 on 10 Nov (a credit note, untaxed: money on account) pays the
    1 Dec renewal after tax: 144.00 − 50.00 = 94.00 due. A top-up of 100.00 on 10 Dec (an
    untaxed invoice of 100.00, an advance; paid: balance 100.00) pays the 1 Jan renewal:
    144.00 − 100.00 = 44.00 due. The coupon never touches the balance, nor the balance the tax.
    """
    sub = paid_up(_start("advanced", TWENTY_OFF, VAT_FR).subscription, NOV_1, SEED_POLICY)
    granted = decided(
        grant_credit(sub, usd("50"), utc(2026, 11, 10), reason="outage", policy=SEED_POLICY)
    )
    (note,) = granted.credit_notes
    assert (note.reason, note.tax, note.amount) == (
        CreditReason.GOODWILL,
        usd("0.00"),
        usd("50.00"),
    )
    december = advance(granted.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    invoice = december.invoices[-1]
    assert _totals(invoice) == (usd("120.00"), usd("24.00"), usd("144.00"))
    assert (invoice.credit_applied, invoice.amount_due) == (usd("50.00"), usd("94.00"))
    sub = paid_up(december.subscription, DEC_1, SEED_POLICY)
    assert sub.credit_balance == usd("0.00")
    bought = decided(top_up(sub, usd("100"), utc(2026, 12, 10), policy=SEED_POLICY))
    (purchase,) = bought.invoices
    assert (purchase.reason, purchase.tax, purchase.total) == (
        InvoiceReason.TOP_UP,
        usd("0.00"),
        usd("100.00"),
    )
    sub = paid_up(bought.subscription, utc(2026, 12, 10), SEED_POLICY)
    assert sub.credit_balance == usd("100.00")
    january = advance(sub, utc(2027, 1, 1), catalog=CATALOG, policy=SEED_POLICY)
    invoice = january.invoices[-1]
    assert _totals(invoice) == (usd("120.00"), usd("24.00"), usd("144.00"))
    assert (invoice.credit_applied, invoice.amount_due) == (usd("100.00"), usd("44.00"))
    assert january.subscription.credit_balance == usd("0.00")


def test_an_upgrade_with_a_coupon_and_tax_credits_what_was_paid_for_that_time() -> None:
    """Advanced, 20 % off forever, VAT 20 %: 144.00 paid on 1 Nov. Pro from 16 Nov (15 of 30
    days left): the credit is 120.00 × 15/30 = 60.00 and 24.00 × 60/120 = 12.00 of tax, 72.00:
    half of the 144.00 paid, not half the list price with its tax (90.00). The charge is
    300.00 × 15/30 = 150.00, less 20 % = 120.00, + 24.00 = 144.00; the balance pays 72.00 of
    it: 72.00 due."""
    sub = paid_up(_start("advanced", TWENTY_OFF, VAT_FR).subscription, NOV_1, SEED_POLICY)
    moved = changed(sub, CATALOG, "pro", utc(2026, 11, 16), SEED_POLICY)
    (note,) = moved.credit_notes
    assert (note.subtotal, note.tax, note.amount) == (usd("60.00"), usd("12.00"), usd("72.00"))
    (invoice,) = moved.invoices
    assert _totals(invoice) == (usd("120.00"), usd("24.00"), usd("144.00"))
    assert (invoice.credit_applied, invoice.amount_due) == (usd("72.00"), usd("72.00"))


def test_the_rulebook_starts_with_a_coupon_a_tax_and_a_currency() -> None:
    """``Rulebook.start`` takes what ``start_subscription`` takes: Advanced in EUR (135.00),
    20 % off (27.00), VAT 20 % on the 108.00 left (21.60): 129.60. A coupon for another plan
    only is refused, as ``start_subscription`` refuses it."""
    rules = Rulebook(CATALOG, SEED_POLICY)
    started = rules.start(
        "sub_1", "cus_1", "advanced", MONTHLY, NOV_1, trial=False, currency="EUR",
        coupon=TWENTY_OFF, times_redeemed=0, tax=CustomerTax(VAT_FR),
    )  # fmt: skip
    assert isinstance(started, Decision)
    (invoice,) = started.invoices
    eur = [Money.of(text, "EUR") for text in ("108.00", "21.60", "129.60")]
    assert _totals(invoice) == tuple(eur)
    pro_only = Coupon("PRO", percent_off=10, plans=("pro",))
    refused = rules.start("sub_2", "cus_2", "advanced", MONTHLY, NOV_1, coupon=pro_only)
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.COUPON_NOT_FOR_PLAN


def test_a_discount_the_renewal_adds_never_takes_it_below_zero() -> None:
    """STRIPE_LIKE (both proration lines wait), Advanced with 10 % off forever: 135.00 paid on
    1 Nov. Down to Personal on 15 Nov, 16 of 30 days left: pending credit 135.00 × 16/30 =
    72.00; pending charge 50.00 × 16/30 = 26.666… → 26.67, less 10 % (2.667 → 2.67) = 24.00.
    The 1 Dec renewal bills Personal 50.00 less 5.00 with them: 45.00 − 72.00 + 24.00 = −3.00.
    Before its discount the lines net +2.00, but the invoice is the discounted one: it would go
    negative, so the 72.00 credit goes on a credit note to the balance, and the invoice of
    45.00 + 24.00 = 69.00 is paid from it, 3.00 left in the balance.
    """
    policy = STRIPE_LIKE
    ten = Coupon("TEN", percent_off=10, duration=CouponDuration.FOREVER)
    sub = paid_up(_start("advanced", ten, None, policy).subscription, NOV_1, policy)
    down = changed(sub, CATALOG, "personal", utc(2026, 11, 15), policy)
    assert [line.amount for line in down.subscription.pending_lines] == [
        usd("-72.00"),
        usd("26.67"),
        usd("-2.67"),
    ]
    renewed = advance(down.subscription, DEC_1, catalog=CATALOG, policy=policy)
    (note,) = renewed.credit_notes
    assert note.amount == usd("72.00")
    (invoice,) = renewed.invoices
    assert [line.amount for line in invoice.lines] == [
        usd("50.00"),
        usd("-5.00"),
        usd("26.67"),
        usd("-2.67"),
    ]
    assert (invoice.total, invoice.credit_applied, invoice.amount_due) == (
        usd("69.00"),
        usd("69.00"),
        usd("0.00"),
    )
    assert renewed.subscription.credit_balance == usd("3.00")


# -- properties ------------------------------------------------------------------------------

PLANS = ("personal", "advanced", "pro")
PRESETS = (SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE)


@st.composite
def _coupons(draw: st.DrawFn) -> Coupon | None:
    if draw(st.booleans()):
        return None
    duration = draw(st.sampled_from(CouponDuration))
    periods = draw(st.integers(1, 3)) if duration is CouponDuration.REPEATING else None
    if draw(st.booleans()):
        percent = Decimal(draw(st.integers(1, 10_000))).scaleb(-2)
        return Coupon("P", percent_off=percent, duration=duration, periods=periods)
    cents = draw(st.integers(1, 40_000))
    return Coupon(
        "A", amount_off=Money.from_minor(cents, "USD"), duration=duration, periods=periods
    )


_taxes = st.none() | st.builds(
    lambda percent, inclusive: TaxRate("Tax", "FR", percent, inclusive=inclusive),
    st.decimals(min_value=0, max_value=30, places=3).map(str),
    st.booleans(),
)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("change"), st.integers(1, 20), st.sampled_from(PLANS)),
        st.tuples(st.just("renew"), st.integers(1, 40), st.just("")),
        st.tuples(st.just("top_up"), st.integers(1, 20_000), st.just("")),
        st.tuples(st.just("grant"), st.integers(1, 20_000), st.just("")),
    ),
    max_size=7,
)


def _check_document_totals(decision: Decision) -> None:
    for effect in decision.effects:
        if isinstance(effect, ChargeInvoice):
            invoice = effect.invoice
            assert invoice.subtotal + invoice.tax == invoice.total, invoice
            # The totals from the lines alone (an invoice the rules draft skips its checks).
            taxes = [line.tax for line in invoice.lines if line.tax is not None]
            lines_total = sum(line.amount.minor for line in invoice.lines)
            on_top = sum(tax.amount.minor for tax in taxes if not tax.rate.inclusive)
            assert invoice.lines_total.minor == lines_total, invoice
            assert invoice.tax.minor == sum(tax.amount.minor for tax in taxes), invoice
            assert invoice.total.minor == lines_total + on_top, invoice
            assert invoice.amount_due.minor == lines_total + on_top - invoice.credit_applied.minor
            assert attrs.evolve(invoice) == invoice  # its own checks pass on it
            assert not invoice.total.is_negative(), invoice
            assert not invoice.amount_due.is_negative(), invoice
            nets: list[Money] = []  # each charge, less the discount lines after it
            for line in invoice.lines:
                if line.kind is LineKind.DISCOUNT:
                    nets[-1] += line.amount
                elif line.amount.is_positive():
                    nets.append(line.amount)
                    assert line.tax is None or not line.tax.amount.is_negative(), line
            assert not any(net.is_negative() for net in nets), (nets, invoice)
        elif isinstance(effect, IssueCreditNote):
            note = effect.credit_note
            assert note.subtotal + note.tax == note.amount, note
            assert not note.amount.is_negative(), note


def _check_stretches(sub: Subscription) -> None:
    """No stretch is credited beyond what it billed, nor its tax beyond the tax billed."""
    for stretch in sub.stretches:
        assert stretch.credited <= stretch.billed, stretch
        assert stretch.paid <= stretch.billed + (
            stretch.tax.amount
            if stretch.tax is not None and not stretch.tax.rate.inclusive
            else stretch.billed.with_minor(0)
        ), stretch
        if stretch.tax is not None and stretch.tax_credited is not None:
            assert abs(stretch.tax_credited.minor) <= abs(stretch.tax.amount.minor), stretch


def _step(
    sub: Subscription, at: datetime, step: tuple[str, int, str], policy: BillingPolicy
) -> tuple[list[Decision], Subscription, datetime]:
    """The decisions of ``step`` from ``sub`` at ``at`` (time passes first), each paid."""
    kind, number, plan = step
    decisions: list[Decision] = []
    if kind in {"change", "renew"}:
        at += timedelta(days=number)
        decisions.append(advance(sub, at, catalog=CATALOG, policy=policy))
        sub = paid_up(decisions[-1].subscription, at, policy)
    result: Decision | Refused | None = None
    if kind == "change":
        result = change_plan(
            sub, plan, MONTHLY, at, catalog=CATALOG, usage=Usage.of(), policy=policy
        )
    elif kind == "top_up":
        result = top_up(sub, Money.from_minor(number, "USD"), at, policy=policy)
    elif kind == "grant":
        result = grant_credit(sub, Money.from_minor(number, "USD"), at, reason="p", policy=policy)
    if isinstance(result, Decision):
        decisions.append(result)
        sub = paid_up(result.subscription, at, policy)
    return decisions, sub, at


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    coupon=_coupons(),
    rate=_taxes,
    policy=st.sampled_from(PRESETS),
    first=st.sampled_from(PLANS),
    steps=_steps,
)
def test_coupons_taxes_and_the_balance_keep_every_total_whole_and_every_credit_within_it(
    coupon: Coupon | None,
    rate: TaxRate | None,
    policy: BillingPolicy,
    first: str,
    steps: list[tuple[str, int, str]],
) -> None:
    """Random coupons, taxes, top-ups, grants, plan changes and renewals under the four presets.

    On every invoice and credit note subtotal + tax = total; no invoice, no charge net of its
    discount and no credit note is negative; no stretch is credited beyond what it billed nor
    its tax beyond the tax billed; the credit notes for time (plan changes, terminations) never
    return more than the invoices billed, tax included; the balance never goes negative.
    """
    first_decision = start_subscription(
        "sub_1", "cus_1", first, MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=policy,
        coupon=coupon, tax=None if rate is None else CustomerTax(rate),
    )  # fmt: skip
    assert isinstance(first_decision, Decision)
    decisions = [first_decision]
    sub = paid_up(first_decision.subscription, NOV_1, policy)
    at = NOV_1
    for step in steps:
        done, sub, at = _step(sub, at, step, policy)
        decisions.extend(done)
        assert not sub.credit_balance.is_negative()
        _check_stretches(sub)
    billed = credited = usd("0")
    for decision in decisions:
        _check_document_totals(decision)
        for effect in decision.effects:
            if (
                isinstance(effect, ChargeInvoice)
                and effect.invoice.reason is not InvoiceReason.TOP_UP
            ):
                billed += effect.invoice.total
            elif (
                isinstance(effect, IssueCreditNote)
                and effect.credit_note.reason is not CreditReason.GOODWILL
            ):
                credited += effect.credit_note.amount
    assert credited <= billed, (credited, billed)
