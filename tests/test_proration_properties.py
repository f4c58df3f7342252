"""Properties of plan changes: no cent created or lost, credits capped, quotes match decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    BillingPolicy,
    Catalog,
    ChangeQuote,
    CreditBasis,
    CreditDestination,
    Decision,
    DowngradeTiming,
    ProrationBilling,
    ProrationUnit,
    RefundPayment,
    RoundingMode,
    Subscription,
    Usage,
    change_plan,
    quote_change,
    start_subscription,
)
from subscription_rules import strategies as sr

NO_USAGE = Usage()


def _immediate(policy: BillingPolicy) -> BillingPolicy:
    return attrs.evolve(
        policy,
        name=f"{policy.name}, varied",
        downgrade_timing=DowngradeTiming.IMMEDIATELY,
        proration_billing=ProrationBilling.NOW,
    )


def _distinct_prices(catalog: Catalog) -> bool:
    amounts = [plan.price(MONTHLY).total(1) for plan in catalog]  # one seat if per seat
    return len(set(amounts)) == len(amounts)


# Day-based presets are checked with the change day paid by the new plan and half-open days
# (Kill Bill); Lago's both-ends count agrees with it for cycles anchored at local midnight.
POLICIES = sr.policies(presets_only=True).map(_immediate)
# Every plan sold monthly (the changes are monthly), at prices that differ, so that every
# change is an upgrade or a downgrade.
CATALOGS = sr.catalogs(min_plans=2, max_plans=4, interval=MONTHLY).filter(_distinct_prices)


# Kept local, built from the shipped strategies: the properties need a fresh subscription
# (its first invoice and nothing since) and changes within its first period, which
# `strategies.subscriptions`, whose subscriptions have lived a while, does not give.
@st.composite
def lives(
    draw: st.DrawFn,
) -> tuple[Catalog, BillingPolicy, Subscription, list[tuple[datetime, str]]]:
    """A catalog, a policy, a fresh subscription and changes within its first period."""
    catalog = draw(CATALOGS)
    policy = draw(POLICIES)
    policy = attrs.evolve(
        policy,
        name=f"{policy.name}, varied",
        rounding=draw(st.sampled_from(RoundingMode)),
        credit_basis=draw(st.sampled_from(CreditBasis)),
        credit_destination=draw(st.sampled_from(CreditDestination)),
    )
    zone = draw(sr.time_zones())
    # Near a DST change, at a month end, at a telling wall time, or anywhere.
    at = draw(sr.instants(2024, 2030, zone, edges=True))
    if policy.proration_unit is ProrationUnit.DAY:
        start = datetime(at.year, at.month, at.day, tzinfo=ZoneInfo(zone))  # local midnight
    else:
        start = at.astimezone(UTC)
    first = draw(st.sampled_from(catalog.ids))
    sub = start_subscription(
        "s",
        "c",
        first,
        MONTHLY,
        start,
        catalog=catalog,
        trial=False,
        time_zone=zone,
        policy=policy,
    ).subscription
    period = sub.current_period
    # Elapsed seconds, in UTC: subtracting two datetimes of one zone gives wall-clock time.
    period_seconds = int(
        (period.end.astimezone(UTC) - period.start.astimezone(UTC)).total_seconds()
    )
    offsets = sorted(draw(st.lists(st.integers(0, period_seconds - 1), max_size=6)))
    changes = [
        # In UTC: adding to a zone's datetime is wall-clock arithmetic, and would turn a
        # start in the repeated hour of a DST change (fold=1) into an instant before it.
        (
            sub.current_period.start.astimezone(UTC) + timedelta(seconds=o),
            draw(st.sampled_from(catalog.ids)),
        )
        for o in offsets
    ]
    return catalog, policy, sub, changes


def _units(start: datetime, end: datetime, zone: str, policy: BillingPolicy) -> int:
    """The independent ledger's measure of time: seconds, or local calendar days."""
    if policy.proration_unit is ProrationUnit.SECOND:
        delta = end.astimezone(UTC) - start.astimezone(UTC)
        return delta.days * 86_400 + delta.seconds
    tz = ZoneInfo(zone)
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days


def _run(
    catalog: Catalog, policy: BillingPolicy, sub: Subscription, changes: list[tuple[datetime, str]]
) -> tuple[Subscription, list[Decision]]:
    decisions = []
    for at, plan_id in changes:
        result = change_plan(
            sub, plan_id, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy
        )
        if isinstance(result, Decision):
            decisions.append(result)
            sub = result.subscription
    return sub, decisions


@given(lives())
def test_charges_minus_credits_equal_the_cost_of_time_on_each_plan(
    life: tuple[Catalog, BillingPolicy, Subscription, list[tuple[datetime, str]]],
) -> None:
    """Σ charged − Σ credited = Σ price × time on the plan / period, within one unit per line."""
    catalog, policy, sub, changes = life
    period = sub.current_period
    start_invoice_lines = 1
    final, decisions = _run(catalog, policy, sub, changes)
    charged = sub.stretches[0].billed.minor + sum(
        i.subtotal.minor for d in decisions for i in d.invoices
    )
    credited = sum(n.amount.minor for d in decisions for n in d.credit_notes)
    lines = (
        start_invoice_lines
        + sum(len(i.lines) for d in decisions for i in d.invoices)
        + sum(len(n.lines) for d in decisions for n in d.credit_notes)
    )
    zone = sub.cycle.time_zone
    denominator = _units(period.start, period.end, zone, policy)
    exact = sum(
        Fraction(
            catalog.plan(s.plan_id).price(MONTHLY).total(s.quantity).minor
            * _units(s.start, s.end, zone, policy),
            denominator,
        )
        for s in final.stretches
    )
    assert abs(Fraction(charged - credited) - exact) <= lines


@given(lives())
def test_a_credit_never_exceeds_what_was_billed_and_balances_stay_non_negative(
    life: tuple[Catalog, BillingPolicy, Subscription, list[tuple[datetime, str]]],
) -> None:
    """For every stretch, credited ≤ billed; every invoice and balance is ≥ 0."""
    catalog, policy, sub, changes = life
    for at, plan_id in changes:
        result = change_plan(
            sub, plan_id, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy
        )
        if not isinstance(result, Decision):
            continue
        sub = result.subscription
        assert all(s.credited <= s.billed for s in sub.stretches)
        assert not sub.credit_balance.is_negative()
        for invoice in result.invoices:
            assert not invoice.amount_due.is_negative()
            assert invoice.credit_applied <= invoice.subtotal


@given(lives())
def test_quote_total_is_the_sum_of_its_lines_and_matches_the_decision(
    life: tuple[Catalog, BillingPolicy, Subscription, list[tuple[datetime, str]]],
) -> None:
    """quote.total = Σ lines; amount due now and credit after agree with change_plan's result."""
    catalog, policy, sub, changes = life
    for at, plan_id in changes:
        quote = quote_change(
            sub, plan_id, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy
        )
        assert isinstance(quote, ChangeQuote)
        assert quote.total.minor == sum(line.amount.minor for line in quote.lines)
        result = change_plan(
            sub, plan_id, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy
        )
        if not isinstance(result, Decision):
            continue
        assert sum(i.amount_due.minor for i in result.invoices) == quote.amount_due_now.minor
        assert result.subscription.credit_balance == quote.credit_after
        refunds = [e.amount.minor for e in result.effects if isinstance(e, RefundPayment)]
        assert sum(refunds) == quote.refund.minor
        sub = result.subscription


@given(lives())
def test_upgrade_then_downgrade_back_at_the_same_instant_costs_nothing_more(
    life: tuple[Catalog, BillingPolicy, Subscription, list[tuple[datetime, str]]],
) -> None:
    """Moving away and straight back at one instant nets to zero or less for the customer."""
    catalog, policy, sub, changes = life
    policy = attrs.evolve(policy, name=f"{policy.name}, varied", credit_basis=CreditBasis.BILLED)
    if not changes:
        return
    at, target = changes[0]
    if target == sub.plan_id:
        return
    there = change_plan(sub, target, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy)
    assert isinstance(there, Decision)
    back = change_plan(
        there.subscription, sub.plan_id, MONTHLY, at, catalog=catalog, usage=NO_USAGE, policy=policy
    )
    assert isinstance(back, Decision)
    charged = sum(i.subtotal.minor for d in (there, back) for i in d.invoices)
    credited = sum(n.amount.minor for d in (there, back) for n in d.credit_notes)
    assert charged - credited <= 0
