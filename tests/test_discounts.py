"""Discounts (issue 18, item 1): coupons redeemed on subscriptions, discount lines, their end.

Every figure is worked out by hand beside the test, on the built-in catalog
(Personal USD 50 a month, Advanced 150, Pro 300). The conventions come from
Stripe (a coupon's ``percent_off`` / ``amount_off`` and ``duration`` once /
repeating / forever, https://docs.stripe.com/api/coupons/object; an amount off
greater than the invoice does not credit the customer's balance,
https://docs.stripe.com/changelog/2013-10-29/coupons-apply-invoice-total-balance)
and Lago (a fixed-amount coupon applied ``once`` keeps its remaining amount for
the next invoices, a recurring or forever one is capped at each invoice:
lago-api ``app/services/applied_coupons/amount_service.rb`` and
``app/services/credits/applied_coupon_service.rb``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import NOV_1, decided, started, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    BillingPolicy,
    ChangeQuote,
    ChargeInvoice,
    Coupon,
    CouponDuration,
    CouponExcess,
    CreditBasis,
    CustomerTax,
    Decision,
    DowngradeTiming,
    Invoice,
    IssueCreditNote,
    LineKind,
    NoticeKind,
    ProrationBilling,
    RedeemCoupon,
    RefusalReason,
    Refused,
    Rulebook,
    SendNotice,
    Status,
    Subscription,
    TaxRate,
    Usage,
    advance,
    cancel,
    change_plan,
    default_catalog,
    quote_change,
    record_payment,
    redeem_coupon,
    reinstate,
    start_subscription,
    suspend,
    upcoming_invoice,
    update_tax,
)
from subscription_rules.dunning import Succeeded
from subscription_rules.errors import SubscriptionRulesError
from subscription_rules.simulation import parse_scenario

CATALOG = default_catalog()
SMALL = Usage.of(properties=3, integrations=1)
CARRY = attrs.evolve(SEED_POLICY, name="seed, carry", coupon_excess=CouponExcess.CARRY)
PENDING = attrs.evolve(
    SEED_POLICY, name="seed, pending items", proration_billing=ProrationBilling.PENDING_ITEMS
)
LAUNCH20 = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.REPEATING, periods=3)


def attempt(
    plan_id: str,
    coupon: Coupon | None,
    at: datetime = NOV_1,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision | Refused:
    """``start_subscription`` without a trial, with ``coupon`` redeemed at the start."""
    return start_subscription(
        "sub_1", "cus_1", plan_id, MONTHLY, at,
        catalog=CATALOG, trial=False, policy=policy, coupon=coupon,
    )  # fmt: skip


def start(
    plan_id: str, coupon: Coupon, at: datetime = NOV_1, policy: BillingPolicy = SEED_POLICY
) -> Decision:
    return decided(attempt(plan_id, coupon, at, policy))


def changed(
    sub: Subscription, plan_id: str, at: datetime, policy: BillingPolicy = SEED_POLICY
) -> Decision:
    """``change_plan`` to ``plan_id`` monthly at ``at``, which the test expects to decide."""
    return decided(
        change_plan(sub, plan_id, MONTHLY, at, catalog=CATALOG, usage=SMALL, policy=policy)
    )


def paid(sub: Subscription, at: datetime, policy: BillingPolicy = SEED_POLICY) -> Subscription:
    """``sub`` with every open invoice paid at ``at``."""
    for open_invoice in sub.open_invoices:
        sub = decided(
            record_payment(
                sub,
                open_invoice.attempt_key or "",
                Succeeded(),
                at,
                catalog=CATALOG,
                policy=policy,
            )
        ).subscription
    return sub


def renewed(
    sub: Subscription, at: datetime, policy: BillingPolicy = SEED_POLICY
) -> tuple[Subscription, Invoice, tuple[NoticeKind, ...]]:
    """``sub`` paid up and advanced to the renewal at ``at``: its invoice and notice kinds."""
    decision = advance(paid(sub, at, policy), at, catalog=CATALOG, policy=policy)
    (invoice,) = decision.invoices
    kinds = tuple(e.notice.kind for e in decision.effects if isinstance(e, SendNotice))
    return decision.subscription, invoice, kinds


def amounts(invoice: Invoice) -> list[tuple[str, str]]:
    return [(line.kind.value, str(line.amount)) for line in invoice.lines]


def notices(decision: Decision) -> list[NoticeKind]:
    return [e.notice.kind for e in decision.effects if isinstance(e, SendNotice)]


# --- a percentage for three periods, then the full price -----------------------------------------


def test_a_20_percent_coupon_for_three_months_discounts_three_invoices_then_full_price() -> None:
    """Advanced USD 150.00 a month with 20 % off for 3 months (Stripe's ``duration=repeating``,
    ``duration_in_months=3``), redeemed at the start on 1 Nov 2026: November, December and
    January are discounted, 150.00 × 20/100 = 30.00 off each, 120.00 due; February is billed
    in full, 150.00, and its renewal sends DISCOUNT_ENDED.
    """
    decision = start("advanced", LAUNCH20)
    assert notices(decision) == [NoticeKind.SUBSCRIPTION_STARTED, NoticeKind.DISCOUNT_APPLIED]
    (first,) = decision.invoices
    assert amounts(first) == [("subscription", "USD 150.00"), ("discount", "USD -30.00")]
    assert first.lines[1].description == (
        "Coupon LAUNCH20: -20 % of Advanced, monthly, from 1 Nov 2026 to 1 Dec 2026"
    )
    assert str(first.lines[1].explanation) == (
        "USD 150.00 × 20/100 percent = USD 30.00 exactly; no rounding needed"
    )
    assert str(first.amount_due) == "USD 120.00"
    sub = decision.subscription
    assert sub.discount is not None
    assert sub.discount.end == utc(2027, 2, 1)  # the end of the third counted period
    for at in (utc(2026, 12, 1), utc(2027, 1, 1)):
        sub, invoice, kinds = renewed(sub, at)
        assert str(invoice.amount_due) == "USD 120.00"
        assert NoticeKind.DISCOUNT_ENDED not in kinds
    sub, fourth, kinds = renewed(sub, utc(2027, 2, 1))
    assert amounts(fourth) == [("subscription", "USD 150.00")]
    assert kinds[-1] is NoticeKind.DISCOUNT_ENDED
    assert sub.discount is None
    sub, fifth, kinds = renewed(sub, utc(2027, 3, 1))
    assert str(fifth.amount_due) == "USD 150.00"
    assert NoticeKind.DISCOUNT_ENDED not in kinds


def test_a_coupon_redeemed_mid_period_counts_from_the_next_period() -> None:
    """Redeemed on 10 Nov on a subscription billed 1 Nov (USD 150.00 paid in full): November
    is not discounted again; December, January and February are (120.00 each); the 1 Mar
    renewal, the fourth, is billed 150.00 with DISCOUNT_ENDED. ``Discount.end`` is 1 Mar 2027.
    """
    sub = started("advanced")
    redeemed = decided(
        redeem_coupon(
            sub, LAUNCH20, utc(2026, 11, 10), times_redeemed=0, catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert notices(redeemed) == [NoticeKind.DISCOUNT_APPLIED]
    assert redeemed.effects[0].notice.fact("ends_at") == utc(2027, 3, 1)  # type: ignore[union-attr]
    sub = redeemed.subscription
    assert sub.discount is not None
    assert (sub.discount.start, sub.discount.end) == (utc(2026, 11, 10), utc(2027, 3, 1))
    dues = []
    for at in (utc(2026, 12, 1), utc(2027, 1, 1), utc(2027, 2, 1), utc(2027, 3, 1)):
        sub, invoice, kinds = renewed(sub, at)
        dues.append(str(invoice.amount_due))
    assert dues == ["USD 120.00", "USD 120.00", "USD 120.00", "USD 150.00"]
    assert kinds[-1] is NoticeKind.DISCOUNT_ENDED


def test_a_percentage_is_rounded_once_per_line_with_the_policys_mode() -> None:
    """12.5 % of Personal USD 50.00 = 625/100 = 6.25 exactly; 33.33 % of 50.00 =
    5000 × 3333/10000 = 1666.5 cents, rounded half-up (SEED) to 16.67, down to 16.66.
    """
    eighth = start("personal", Coupon("EIGHTH", percent_off="12.5")).invoices[0]
    assert amounts(eighth)[1] == ("discount", "USD -6.25")
    third = Coupon("THIRD", percent_off="33.33")
    assert amounts(start("personal", third).invoices[0])[1] == ("discount", "USD -16.67")
    down = attrs.evolve(SEED_POLICY, name="seed, down", rounding=SEED_POLICY.rounding.DOWN)
    assert amounts(start("personal", third, policy=down).invoices[0])[1] == (
        "discount",
        "USD -16.66",
    )


# --- an amount off larger than the invoice -------------------------------------------------------


def test_an_amount_off_larger_than_the_invoice_stops_at_zero_and_forfeits_the_rest() -> None:
    """USD 80.00 off once on Personal USD 50.00 (FORFEIT, Stripe): the first invoice is
    50.00 - 50.00 = 0.00, nothing is added to the credit balance and the other 30.00 is lost:
    the 1 Dec renewal is 50.00, with DISCOUNT_ENDED.
    """
    decision = start("personal", Coupon("WELCOME", amount_off=usd("80")))
    (first,) = decision.invoices
    assert amounts(first) == [("subscription", "USD 50.00"), ("discount", "USD -50.00")]
    assert str(first.total) == "USD 0.00"
    sub = decision.subscription
    assert str(sub.credit_balance) == "USD 0.00"
    assert sub.discount is not None
    assert str(sub.discount.amount_left) == "USD 0.00"
    sub, december, kinds = renewed(sub, utc(2026, 12, 1))
    assert amounts(december) == [("subscription", "USD 50.00")]
    assert kinds[-1] is NoticeKind.DISCOUNT_ENDED
    assert sub.discount is None


def test_an_amount_off_larger_than_the_invoice_carries_the_rest_under_carry() -> None:
    """USD 80.00 off once on Personal USD 50.00 under CARRY (Lago's ``once`` fixed amount):
    1 Nov: 50.00 - 50.00 = 0.00, 30.00 left; 1 Dec: 50.00 - 30.00 = 20.00, nothing left, and
    the renewal sends DISCOUNT_ENDED; 1 Jan: 50.00.
    """
    decision = start("personal", Coupon("WELCOME", amount_off=usd("80")), policy=CARRY)
    assert str(decision.invoices[0].total) == "USD 0.00"
    sub = decision.subscription
    assert sub.discount is not None
    assert sub.discount.end is None  # carried until spent
    assert str(sub.discount.amount_left) == "USD 30.00"
    sub, december, kinds = renewed(sub, utc(2026, 12, 1), CARRY)
    assert amounts(december) == [("subscription", "USD 50.00"), ("discount", "USD -30.00")]
    assert str(december.amount_due) == "USD 20.00"
    assert kinds[-1] is NoticeKind.DISCOUNT_ENDED
    sub, january, _kinds = renewed(sub, utc(2027, 1, 1), CARRY)
    assert str(january.amount_due) == "USD 50.00"


def test_an_amount_off_is_shared_over_the_lines_by_largest_remainder() -> None:
    """USD 100.00 off forever; an upgrade Advanced → Pro on 16 Nov (half of November left):
    the charge is Pro 300.00 × 15/30 = 150.00, the credit 1 Nov's invoice paid for the
    unused half, (150.00 - 100.00) × 15/30 = 25.00. The charge alone is eligible: 100.00 off
    it, so 150.00 - 100.00 - 25.00 = 25.00 due. A repeating or forever amount off is taken off
    each invoice anew, up to its eligible lines (Lago ``AmountService``).
    """
    coupon = Coupon("HUNDRED", amount_off=usd("100"), duration=CouponDuration.FOREVER)
    sub = start("advanced", coupon).subscription
    assert str(sub.stretches[0].billed) == "USD 50.00"
    change = changed(paid(sub, utc(2026, 11, 1)), "pro", utc(2026, 11, 16))
    (note,) = change.credit_notes
    assert str(note.amount) == "USD 25.00"
    (invoice,) = change.invoices
    assert amounts(invoice) == [("proration_charge", "USD 150.00"), ("discount", "USD -100.00")]
    assert str(invoice.amount_due) == "USD 25.00"


# --- proration and credits use what was billed after the discount --------------------------------


def test_an_upgrade_mid_period_credits_what_was_paid_after_the_discount() -> None:
    """Advanced with 20 % off forever from 1 Nov: 150.00 - 30.00 = 120.00 paid. Upgrading to
    Pro on 16 Nov (15 of 30 days left) credits 120.00 × 15/30 = 60.00, not the list price's
    75.00; the charge is 300.00 × 15/30 = 150.00, less 20 % = 30.00: 120.00; 60.00 due.
    Then a downgrade back to Advanced on 24 Nov (7 days left, immediately) credits what the
    Pro stretch billed, 120.00 over 15 days × 7 = 56.00, not 300.00 × 7/30 = 70.00.
    """
    forever = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
    sub = paid(start("advanced", forever).subscription, utc(2026, 11, 1))
    upgrade = changed(sub, "pro", utc(2026, 11, 16))
    (note,) = upgrade.credit_notes
    assert str(note.amount) == "USD 60.00"
    (invoice,) = upgrade.invoices
    assert amounts(invoice) == [("proration_charge", "USD 150.00"), ("discount", "USD -30.00")]
    assert str(invoice.amount_due) == "USD 60.00"  # 120.00 less the 60.00 credit
    assert str(upgrade.subscription.stretches[-1].billed) == "USD 120.00"
    now = attrs.evolve(
        SEED_POLICY, name="seed, immediate", downgrade_timing=DowngradeTiming.IMMEDIATELY
    )
    downgrade = changed(
        paid(upgrade.subscription, utc(2026, 11, 16)), "advanced", utc(2026, 11, 24), now
    )
    credit = [ln for note in downgrade.credit_notes for ln in note.lines]
    assert [str(line.amount) for line in credit] == ["USD -56.00"]


def test_pending_proration_charges_are_discounted_when_made_pending() -> None:
    """PENDING_ITEMS: the 16 Nov upgrade Advanced → Pro (20 % forever) waits for the 1 Dec
    invoice as -60.00 (unused Advanced), 150.00 (Pro's rest) and its -30.00 discount; the
    Pro stretch records 120.00, what that invoice bills for it. On 1 Dec the waiting lines
    are billed as they are (not discounted twice) with Pro's December, 300.00 - 60.00:
    240.00 + 150.00 - 30.00 - 60.00 = 300.00.
    """
    forever = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
    sub = paid(start("advanced", forever, policy=PENDING).subscription, utc(2026, 11, 1), PENDING)
    upgrade = decided(
        change_plan(
            sub, "pro", MONTHLY, utc(2026, 11, 16), catalog=CATALOG, usage=SMALL, policy=PENDING
        )
    )
    waiting = upgrade.subscription.pending_lines
    assert [(ln.kind.value, str(ln.amount)) for ln in waiting] == [
        ("unused_time", "USD -60.00"),
        ("proration_charge", "USD 150.00"),
        ("discount", "USD -30.00"),
    ]
    assert str(upgrade.subscription.stretches[-1].billed) == "USD 120.00"
    preview = upcoming_invoice(
        upgrade.subscription, utc(2026, 11, 16), catalog=CATALOG, policy=PENDING
    )
    assert preview is not None
    _sub, december, _kinds = renewed(upgrade.subscription, utc(2026, 12, 1), PENDING)
    assert amounts(december) == [
        ("subscription", "USD 300.00"),
        ("discount", "USD -60.00"),
        ("unused_time", "USD -60.00"),
        ("proration_charge", "USD 150.00"),
        ("discount", "USD -30.00"),
    ]
    assert str(december.total) == "USD 300.00"
    assert amounts(preview) == amounts(december)


# --- plans, limits, refusals ---------------------------------------------------------------------


def test_a_coupon_restricted_to_plans_discounts_only_their_lines() -> None:
    """PRO50 (50 % off forever, Pro only): refused on Personal; on Pro, 300.00 - 150.00 =
    150.00; after a downgrade to Advanced at the period end, the 1 Dec renewal (Advanced
    150.00) is not discounted.
    """
    pro50 = Coupon("PRO50", percent_off=50, duration=CouponDuration.FOREVER, plans=("pro",))
    refused = attempt("personal", pro50)
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.COUPON_NOT_FOR_PLAN
    assert refused.message == "PRO50 is not for Personal"
    decision = start("pro", pro50)
    assert str(decision.invoices[0].amount_due) == "USD 150.00"
    down = changed(decision.subscription, "advanced", utc(2026, 11, 20))
    _sub, december, _kinds = renewed(down.subscription, utc(2026, 12, 1))
    assert amounts(december) == [("subscription", "USD 150.00")]


def test_redemptions_beyond_the_limit_or_after_redeem_by_are_refused() -> None:
    """max_redemptions=100 redeemed 100 times: refused; 99: redeemed. redeem_by 15 Nov:
    accepted on 15 Nov itself (Stripe: the date after which it can no longer be redeemed),
    refused on the 16th. An ended subscription redeems nothing.
    """
    sub = start("advanced", Coupon("X", percent_off=1)).subscription
    limited = Coupon("LIMITED", percent_off=10, max_redemptions=100)
    at = utc(2026, 11, 10)

    def redeem(coupon: Coupon, when: datetime, times: int = 0) -> Decision | Refused:
        return redeem_coupon(
            sub, coupon, when, times_redeemed=times, catalog=CATALOG, policy=SEED_POLICY
        )

    over = redeem(limited, at, 100)
    assert isinstance(over, Refused)
    assert over.reason is RefusalReason.REDEMPTION_LIMIT_REACHED
    assert decided(redeem(limited, at, 99)).subscription.discount is not None
    dated = Coupon("NOVEMBER", percent_off=10, redeem_by=utc(2026, 11, 15))
    assert decided(redeem(dated, utc(2026, 11, 15))).subscription.discount is not None
    late = redeem(dated, utc(2026, 11, 16))
    assert isinstance(late, Refused)
    assert late.reason is RefusalReason.COUPON_EXPIRED
    ended = decided(cancel(sub, at, policy=SEED_POLICY))
    ended = advance(ended.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert ended.subscription.status is Status.ENDED
    refused = redeem_coupon(
        ended.subscription,
        limited,
        utc(2026, 12, 2),
        times_redeemed=0,
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


def test_a_new_coupon_replaces_the_current_discount() -> None:
    """Stripe keeps one coupon on a subscription: FIVE (5 % forever) replaces LAUNCH20; the
    1 Dec renewal is 150.00 - 7.50 = 142.50.
    """
    sub = start("advanced", LAUNCH20).subscription
    five = Coupon("FIVE", percent_off=5, duration=CouponDuration.FOREVER)
    sub = decided(
        redeem_coupon(
            sub, five, utc(2026, 11, 20), times_redeemed=0, catalog=CATALOG, policy=SEED_POLICY
        )
    ).subscription
    _sub, december, _kinds = renewed(sub, utc(2026, 12, 1))
    assert amounts(december) == [("subscription", "USD 150.00"), ("discount", "USD -7.50")]


def test_the_redeem_coupon_command_goes_through_handle() -> None:
    """``Rulebook.handle`` catches up to 1 Dec (the renewal, undiscounted), then redeems:
    the 1 Jan renewal is 150.00 - 30.00 = 120.00.
    """
    rules = Rulebook(CATALOG, SEED_POLICY)
    sub = started("advanced")
    handled = rules.handle(paid(sub, utc(2026, 11, 1)), RedeemCoupon(LAUNCH20), utc(2026, 12, 1))
    assert handled.refused is None
    charges = [e for e in handled.decision.effects if isinstance(e, ChargeInvoice)]
    assert [str(c.invoice.amount_due) for c in charges] == ["USD 150.00"]
    _sub, january, _kinds = renewed(handled.decision.subscription, utc(2027, 1, 1))
    assert str(january.amount_due) == "USD 120.00"


# --- the quote and the upcoming invoice show the discount ----------------------------------------


def test_the_quote_and_the_upcoming_invoice_show_the_discount_lines() -> None:
    """The 16 Nov upgrade quote (20 % forever) shows -60.00, 150.00 and its -30.00 discount,
    60.00 due, as the change then bills; the upcoming 1 Dec invoice shows Advanced 150.00
    and -30.00.
    """
    forever = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
    sub = paid(start("advanced", forever).subscription, utc(2026, 11, 1))
    quote = quote_change(
        sub, "pro", MONTHLY, utc(2026, 11, 16), catalog=CATALOG, usage=SMALL, policy=SEED_POLICY
    )
    assert isinstance(quote, ChangeQuote)
    assert [str(line.amount) for line in quote.lines] == ["USD -60.00", "USD 150.00", "USD -30.00"]
    assert [str(line.amount) for line in quote.discount_lines] == ["USD -30.00"]
    assert [str(line.amount) for line in quote.credit_lines] == ["USD -60.00"]
    assert str(quote.amount_due_now) == "USD 60.00"
    change = changed(sub, "pro", utc(2026, 11, 16))
    assert change.invoices[0].amount_due == quote.amount_due_now
    upcoming = upcoming_invoice(sub, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY)
    assert upcoming is not None
    assert amounts(upcoming) == [("subscription", "USD 150.00"), ("discount", "USD -30.00")]


# --- properties ----------------------------------------------------------------------------------

PLANS = ("personal", "advanced", "pro")


@st.composite
def coupons(draw: st.DrawFn) -> Coupon:
    """Any coupon on the example catalog's plans: a percentage in hundredths, or an amount off."""
    duration = draw(st.sampled_from(CouponDuration))
    periods = draw(st.integers(1, 4)) if duration is CouponDuration.REPEATING else None
    plans = draw(st.none() | st.sets(st.sampled_from(PLANS), min_size=1).map(sorted).map(tuple))
    if draw(st.booleans()):
        hundredths = draw(st.integers(1, 10_000))
        percent = Decimal(hundredths).scaleb(-2)
        return Coupon("P", percent_off=percent, duration=duration, periods=periods, plans=plans)
    cents = draw(st.integers(1, 40_000))
    return Coupon(
        "A",
        amount_off=usd(f"{cents // 100}.{cents % 100:02d}"),
        duration=duration,
        periods=periods,
        plans=plans,
    )


POLICIES = (SEED_POLICY, CARRY, PENDING, STRIPE_LIKE, LAGO_LIKE, KILL_BILL_LIKE)


def _check_discount_lines(invoice: Invoice) -> None:
    """No discount line is positive, none makes its line negative, no invoice goes negative."""
    assert not invoice.total.is_negative(), invoice
    lines = invoice.lines
    for index, line in enumerate(lines):
        if line.kind is LineKind.DISCOUNT:
            assert line.amount.is_negative(), line
            continue
        net = line.amount
        for after in lines[index + 1 :]:
            if after.kind is not LineKind.DISCOUNT:
                break
            net += after.amount
        if line.amount.is_positive():
            assert not net.is_negative(), (line, net)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    coupon=coupons(),
    policy=st.sampled_from(POLICIES),
    first=st.sampled_from(PLANS),
    steps=st.lists(
        st.tuples(st.integers(1, 45), st.integers(0, 23), st.sampled_from(PLANS)), max_size=6
    ),
    redeem_later=st.booleans(),
)
def test_discounts_never_go_negative_and_credits_never_exceed_what_was_paid(
    coupon: Coupon,
    policy: BillingPolicy,
    first: str,
    steps: list[tuple[int, int, str]],
    redeem_later: bool,
) -> None:
    """Random coupons (at the start or redeemed later), plan changes and renewals, under
    each preset: every invoice and every discounted line stays at zero or more, and the
    credit notes for unused time never add up to more than the invoices billed, after their
    discounts.
    """
    at = utc(2026, 11, 1)
    result = attempt(first, None if redeem_later else coupon, at, policy)
    if isinstance(result, Refused):
        assert result.reason is RefusalReason.COUPON_NOT_FOR_PLAN
        return
    decisions: list[Decision] = [result]
    sub = result.subscription
    if redeem_later:
        redeemed = redeem_coupon(
            sub, coupon, utc(2026, 11, 1, 12), times_redeemed=0, catalog=CATALOG, policy=policy
        )
        if isinstance(redeemed, Decision):
            decisions.append(redeemed)
            sub = redeemed.subscription
    for days, hour, plan_id in steps:
        at = at + timedelta(days=days, hours=hour)
        advanced = advance(sub, at, catalog=CATALOG, policy=policy)
        decisions.append(advanced)
        sub = paid(advanced.subscription, at, policy)
        moved = change_plan(sub, plan_id, MONTHLY, at, catalog=CATALOG, usage=SMALL, policy=policy)
        if isinstance(moved, Decision):
            decisions.append(moved)
            sub = moved.subscription
    billed = credited = usd("0")
    for decision in decisions:
        for effect in decision.effects:
            if isinstance(effect, ChargeInvoice):
                _check_discount_lines(effect.invoice)
                billed += effect.invoice.total
            elif isinstance(effect, IssueCreditNote):
                credited += effect.credit_note.amount
    assert credited <= billed, (credited, billed)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(POLICIES),
    first=st.sampled_from(PLANS),
    steps=st.lists(
        st.tuples(st.integers(1, 45), st.integers(0, 23), st.sampled_from(PLANS)),
        min_size=1,
        max_size=6,
    ),
)
def test_time_a_full_discount_paid_nothing_for_is_never_credited(
    policy: BillingPolicy, first: str, steps: list[tuple[int, int, str]]
) -> None:
    """100 % off forever: every charge nets to zero, so whatever the plan changes and renewals,
    no credit for unused time is ever given (a credit at the list price would be money the
    customer never paid).
    """
    free = Coupon("FREE", percent_off=100, duration=CouponDuration.FOREVER)
    at = utc(2026, 11, 1)
    sub = start(first, free, at, policy).subscription
    for days, hour, plan_id in steps:
        at = at + timedelta(days=days, hours=hour)
        advanced = advance(sub, at, catalog=CATALOG, policy=policy)
        assert all(invoice.total.is_zero() for invoice in advanced.invoices)
        sub = paid(advanced.subscription, at, policy)
        moved = change_plan(sub, plan_id, MONTHLY, at, catalog=CATALOG, usage=SMALL, policy=policy)
        if isinstance(moved, Decision):
            assert all(note.amount.is_zero() for note in moved.credit_notes), moved
            assert all(invoice.total.is_zero() for invoice in moved.invoices)
            sub = moved.subscription
        assert str(sub.credit_balance) == "USD 0.00"


def test_a_scenario_step_redeems_a_coupon() -> None:
    """The scenario file's ``redeem_coupon`` step, 10 Nov on Advanced (USD 150.00 billed on
    1 Nov): USD 40.00 off repeating for 2 periods, December and January at 110.00, then
    February at 150.00 with the discount's end in the timeline.
    """
    scenario = parse_scenario(
        "until = 2027-02-15\n"
        '[subscription]\nplan = "advanced"\nstart = 2026-11-01\ntrial = false\n'
        '[[steps]]\nat = 2026-11-10\ncommand = "redeem_coupon"\ncoupon = "FORTY"\n'
        'amount_off = "40.00"\nduration = "repeating"\nperiods = 2\n'
    )
    table = scenario.play().table().splitlines()
    assert [line.split()[-1] for line in table] == [
        "150.00",
        "0.00",
        "110.00",
        "110.00",
        "150.00",
    ]
    assert "discount ended" in table[-1]
    with pytest.raises(
        SubscriptionRulesError, match=r"steps\[0\]\.percent_off: must be a percentage above 0"
    ):
        parse_scenario(
            'until = 2027-02-15\n[subscription]\nplan = "advanced"\nstart = 2026-11-01\n'
            '[[steps]]\nat = 2026-11-10\ncommand = "redeem_coupon"\ncoupon = "X"\n'
            "percent_off = 120\n"
        )


def test_a_coupon_redeemed_while_suspended_counts_from_the_period_holding_the_redemption() -> None:
    """Found by the model-based lives: a subscription suspended on 2 Nov 2026 is still in
    its November period (no renewal while suspended) on 15 Jan 2027, when a ONCE coupon is
    redeemed. The window counted from November (first counted period December, ending 1
    Jan) would end before it starts, and redeeming raised InvalidCouponError. Counted, as
    docs/discounts.md says, from the period of the cycle holding 15 Jan ([1 Jan, 1 Feb),
    part way through): the first counted period is February, the window ends 1 Mar. The
    reinstatement on 20 Jan bills 20 Jan to 1 Feb, a charge made later in the current
    period: discounted (Personal 50.00 × 12/31 = 19.354… → 19.35; 10 % off 1.935 → 1.94).
    """
    sub = decided(suspend(started(), utc(2026, 11, 2), policy=SEED_POLICY)).subscription
    sub = advance(sub, utc(2027, 1, 15), catalog=CATALOG, policy=SEED_POLICY).subscription
    once = Coupon("ONCE10", percent_off=10)
    redeemed = decided(
        redeem_coupon(
            sub, once, utc(2027, 1, 15), times_redeemed=0, catalog=CATALOG, policy=SEED_POLICY
        )
    )
    discount = redeemed.subscription.discount
    assert discount is not None
    assert discount.end == utc(2027, 3, 1)
    back = decided(
        reinstate(redeemed.subscription, utc(2027, 1, 20), catalog=CATALOG, policy=SEED_POLICY)
    )
    (invoice,) = back.invoices
    assert [line.amount for line in invoice.lines] == [usd("19.35"), usd("-1.94")]


def test_a_renewal_discounted_below_its_waiting_credits_puts_them_on_a_credit_note() -> None:
    """Found by the model-based lives: no invoice goes negative, even when the discount is
    what takes it below zero. PENDING_ITEMS, downgrade timing immediate: Advanced (150.00,
    paid) → Personal on 16 Nov waits as -75.00 (unused Advanced, 15/30) and 25.00
    (Personal's rest); 100 % off forever is redeemed on 20 Nov, after them. The 1 Dec
    renewal lines are Personal 50.00, its discount -50.00 and the waiting -75.00 and 25.00:
    0.00 before the discount, -50.00 after it. The credit goes on a credit note to the
    balance (75.00), and the invoice bills 50.00 - 50.00 + 25.00 = 25.00, paid from it
    (50.00 left)."""
    policy = attrs.evolve(
        PENDING, name="seed, pending, downgrade now", downgrade_timing=DowngradeTiming.IMMEDIATELY
    )
    sub = paid(started("advanced", policy=policy), NOV_1, policy)
    down = changed(sub, "personal", utc(2026, 11, 16), policy).subscription
    assert [str(line.amount) for line in down.pending_lines] == ["USD -75.00", "USD 25.00"]
    free = Coupon("FREE", percent_off=100, duration=CouponDuration.FOREVER)
    sub = decided(
        redeem_coupon(
            down, free, utc(2026, 11, 20), times_redeemed=0, catalog=CATALOG, policy=policy
        )
    ).subscription
    december = advance(sub, utc(2026, 12, 1), catalog=CATALOG, policy=policy)
    (invoice,) = december.invoices
    (note,) = december.credit_notes
    assert [str(line.amount) for line in note.lines] == ["USD -75.00"]
    assert amounts(invoice) == [
        ("subscription", "USD 50.00"),
        ("discount", "USD -50.00"),
        ("proration_charge", "USD 25.00"),
    ]
    assert (str(invoice.total), str(invoice.amount_due)) == ("USD 25.00", "USD 0.00")
    assert str(december.subscription.credit_balance) == "USD 50.00"


def test_a_list_price_credit_of_discounted_time_is_what_was_paid_for_it() -> None:
    """Found by the model-based lives: under ``CreditBasis.LIST_PRICE`` the credit for
    unused time was the list price prorated, capped only at the whole stretch, so a
    discounted stretch credited more than the customer paid for that time. Advanced at
    USD 150.00 with 20 % off forever, paid 120.00 for November; an upgrade on 16 Nov
    credits 120.00 × 15/30 = 60.00, not the list price's 150.00 × 15/30 = 75.00 (the
    issue: "a credit for unused time never exceeds what the customer paid for it")."""
    policy = attrs.evolve(SEED_POLICY, name="seed, list price", credit_basis=CreditBasis.LIST_PRICE)
    forever = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
    sub = paid(start("advanced", forever, policy=policy).subscription, NOV_1, policy)
    upgrade = changed(sub, "pro", utc(2026, 11, 16), policy)
    (note,) = upgrade.credit_notes
    assert [str(line.amount) for line in note.lines] == ["USD -60.00"]


def test_a_list_price_credit_of_time_a_replaced_coupon_discounted_is_what_was_paid() -> None:
    """The same stretch (Advanced, 20 % off, 120.00 paid for November), then on 10 Nov a
    new coupon, 5 % off once, replaces the discount (redeemed part way, its first period
    is December's). The upgrade on 16 Nov still credits what November's stretch was paid:
    120.00 × 15/30 = 60.00, not the list price's 75.00, though the subscription's discount
    no longer is the one that billed it (``CreditBasis.LIST_PRICE``)."""
    policy = attrs.evolve(SEED_POLICY, name="seed, list price", credit_basis=CreditBasis.LIST_PRICE)
    forever = Coupon("LAUNCH20", percent_off=20, duration=CouponDuration.FOREVER)
    sub = paid(start("advanced", forever, policy=policy).subscription, NOV_1, policy)
    once = Coupon("FIVE", percent_off=5)
    sub = decided(
        redeem_coupon(sub, once, utc(2026, 11, 10), times_redeemed=0, catalog=CATALOG,
                      policy=policy)
    ).subscription  # fmt: skip
    upgrade = changed(sub, "pro", utc(2026, 11, 16), policy)
    (note,) = upgrade.credit_notes
    assert [str(line.amount) for line in note.lines] == ["USD -60.00"]


def test_a_charge_waiting_taxed_before_the_coupon_is_not_discounted_under_its_tax() -> None:
    """Found by the model-based lives: PENDING_ITEMS, an upgrade Advanced → Pro on 16 Nov
    waits as -75.00 and 150.00 (Pro's rest); 10 % off forever is redeemed at that same
    instant, after the upgrade, so the waiting charge carries no discount line; VAT 20 %
    from 17 Nov taxes it as it waits: 150.00 × 20 % = 30.00. The 1 Dec invoice billed it
    with a discount line added under that tax (30.00 on a line worth 135.00). A charge
    already taxed is billed as it is: 150.00 and 30.00, the period's 300.00 less 10 %."""
    forever = Coupon("TEN", percent_off=10, duration=CouponDuration.FOREVER)
    sub = paid(started("advanced", policy=PENDING), NOV_1, PENDING)
    nov_16 = utc(2026, 11, 16)
    sub = changed(sub, "pro", nov_16, PENDING).subscription
    sub = decided(
        redeem_coupon(sub, forever, nov_16, times_redeemed=0, catalog=CATALOG, policy=PENDING)
    ).subscription
    vat = CustomerTax(TaxRate("VAT 20 %", "FR", "20"))
    sub = decided(update_tax(sub, vat, utc(2026, 11, 17), policy=PENDING)).subscription
    (invoice,) = advance(sub, utc(2026, 12, 1), catalog=CATALOG, policy=PENDING).invoices
    assert [
        (line.kind.value, str(line.amount), line.tax and str(line.tax.amount))
        for line in invoice.lines
    ] == [
        ("subscription", "USD 300.00", "USD 54.00"),
        ("discount", "USD -30.00", None),
        ("unused_time", "USD -75.00", None),
        ("proration_charge", "USD 150.00", "USD 30.00"),
    ]
