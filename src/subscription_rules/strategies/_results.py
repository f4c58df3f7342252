"""Strategies for the results of the rules: effects, documents, quotes, summaries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from hypothesis import strategies as st

from subscription_rules import (
    DEFAULT_METRICS,
    INTEGRATIONS,
    PROPERTIES,
    BillingCycle,
    BillingPeriod,
    BillingPolicy,
    BillingSummary,
    Catalog,
    CatalogVersion,
    Category,
    ChangeDay,
    ChangeQuote,
    ChargeInvoice,
    Coupon,
    CreditDestination,
    CreditGrant,
    CreditNote,
    Currency,
    CustomerTax,
    Decision,
    Discount,
    EndAccess,
    Explanation,
    Feasible,
    Handled,
    Infeasible,
    Interval,
    Invoice,
    InvoiceSequence,
    IssueCreditNote,
    Limits,
    Line,
    LineTax,
    Metric,
    MetricKind,
    MetricUsage,
    Money,
    Notice,
    OpenInvoice,
    OutstandingAttempt,
    Overage,
    PackagePrice,
    Payment,
    PendingChange,
    Plan,
    Preferences,
    Price,
    PriceMigration,
    ProrationBilling,
    RecordedPrice,
    RefundPayment,
    Refused,
    RequiredAction,
    RestoreAccess,
    Rulebook,
    SendNotice,
    Status,
    Stretch,
    Subscription,
    SuspendAccess,
    SuspensionReason,
    TaxRate,
    TaxSummary,
    Tier,
    TierTable,
    UpgradeTiming,
    Usage,
    UsageReport,
    billing_summary,
    cancel,
    change_plan,
    check_downgrade,
    quote_change,
    record_payment,
    reinstate,
    start_subscription,
    usage_report,
)
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    OverdueLadder,
    OverdueState,
    Pending,
    RetrySchedule,
    Succeeded,
)
from subscription_rules.notifications import BILLING, PRODUCT
from subscription_rules.strategies._base import (
    _LIFE_PLANS,
    _MAX_PRICE,
    _SMALL_COUNT,
    _T,
    _identifiers,
    _must,
    _utc,
)
from subscription_rules.strategies._commands import _command_strategies
from subscription_rules.strategies._coupons import coupons, discounts
from subscription_rules.strategies._lives import (
    _STATUS_ORDER,
    _applied,
    _ids,
    _later,
    _Life,
    _lives,
    _now,
    _with_trial,
    decisions,
    subscriptions,
)
from subscription_rules.strategies._policies import (
    overdue_ladders,
    overdue_states,
    policies,
    retry_schedules,
)
from subscription_rules.strategies._prices import catalog_versions, migrations, recorded_prices
from subscription_rules.strategies._taxes import (
    _line_taxes,
    _tax_summaries,
    customer_taxes,
    tax_rates,
)
from subscription_rules.strategies._values import (
    _plan_id,
    _plans,
    catalogs,
    credit_grants,
    currencies,
    cycles,
    instants,
    intervals,
    invoice_sequences,
    limits,
    metrics,
    money,
    overages,
    package_prices,
    periods,
    plans,
    prices,
    tier_tables,
    tiers,
    time_zones,
    usages,
)

# --------------------------------------------------------------------------- derived values
# Results of the rules (invoices, credit notes, quotes, summaries) are drawn by
# running the rules on drawn values, for `st.from_type`; see registered.


@st.composite
def _two_plans(draw: st.DrawFn) -> tuple[Catalog, Plan, Plan, Interval]:
    """A catalog of a smaller and a bigger plan, both sold at one interval for a positive price."""
    currency = draw(currencies())
    interval = draw(intervals())
    small_price = draw(st.integers(1, _MAX_PRICE))
    big_price = small_price + draw(st.integers(0, _MAX_PRICE))
    small, big = draw(
        st.lists(
            _plans(currency, DEFAULT_METRICS, ranked=False),
            min_size=2,
            max_size=2,
            unique_by=_plan_id,
        )
    )
    small = attrs.evolve(small, prices=(Price(Money(small_price, currency), interval),))
    big = attrs.evolve(big, prices=(Price(Money(big_price, currency), interval),))
    return Catalog((small, big)), small, big, interval


@st.composite
def _upgrades(draw: st.DrawFn, *, refund: bool, period_end: bool = False) -> Decision:
    """An upgrade at the very start of a paid period: a credit note for all of it, always."""
    catalog, small, big, interval = draw(_two_plans())
    drawn = draw(policies(catalog=catalog))
    policy = attrs.evolve(
        drawn,
        name=f"{drawn.name}, varied",
        upgrade_timing=UpgradeTiming.PERIOD_END if period_end else UpgradeTiming.IMMEDIATELY,
        change_day=ChangeDay.NEW_PLAN,
        fixed_denominator_days=None,
        proration_billing=draw(
            st.sampled_from((ProrationBilling.NOW, ProrationBilling.NEXT_INVOICE))
        ),
        credit_destination=CreditDestination.REFUND if refund else CreditDestination.BALANCE,
    )
    start = _utc(draw(instants(time_zone="UTC")))
    sub = start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        small.id,
        interval,
        start,
        catalog=catalog,
        time_zone=draw(time_zones()),
        trial=False,
        policy=policy,
    ).subscription
    if refund:  # only what was paid is refunded
        (first,) = sub.open_invoices
        assert first.attempt_key is not None  # noqa: S101 - just charged
        paid = record_payment(
            sub, first.attempt_key, Succeeded(), start, catalog=catalog, policy=policy
        )
        sub = _must(paid, Decision, "a payment was refused").subscription
    result = change_plan(
        sub, big.id, interval, start, catalog=catalog, usage=Usage(), policy=policy
    )
    return _applied(_Life(catalog, policy, Decision(sub)), result).decision


@st.composite
def _effects(draw: st.DrawFn, kind: type[_T], fallback: st.SearchStrategy[Decision]) -> _T:
    """An effect of ``kind`` from :func:`decisions`, or from ``fallback``, which always has one."""
    found = [effect for effect in draw(decisions()).effects if isinstance(effect, kind)]
    if not found:
        found = [effect for effect in draw(fallback).effects if isinstance(effect, kind)]
    return draw(st.sampled_from(found))


@st.composite
def _starts(draw: st.DrawFn, *, trial: bool | None) -> Decision:
    """A start: a first invoice and a notice, or (``trial``) a trial's notice."""
    if trial is None:
        trial = draw(st.booleans())
    catalog = _with_trial(draw, draw(catalogs(max_plans=_LIFE_PLANS)))
    plan = draw(st.sampled_from([p for p in catalog if p.trial_days > 0 or not trial]))
    return start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        plan.id,
        draw(st.sampled_from(plan.intervals)),
        _utc(draw(instants(time_zone="UTC"))),
        catalog=catalog,
        time_zone=draw(time_zones()),
        has_payment_method=draw(st.booleans()),
        trial=trial,
        policy=draw(policies(catalog=catalog)),
    )


def _charges() -> st.SearchStrategy[ChargeInvoice]:
    return _effects(ChargeInvoice, _starts(trial=False))


def _credit_notes() -> st.SearchStrategy[IssueCreditNote]:
    return _effects(IssueCreditNote, _upgrades(refund=False))


def _notices() -> st.SearchStrategy[SendNotice]:
    return _effects(SendNotice, _starts(trial=None))


@st.composite
def _explanations(draw: st.DrawFn) -> Explanation:
    note = draw(_credit_notes()).credit_note
    found = [line.explanation for line in note.lines if line.explanation is not None]
    return draw(st.sampled_from(found))


@st.composite
def _stretches(draw: st.DrawFn) -> Stretch:
    sub = draw(subscriptions(Status.ACTIVE))
    if not sub.stretches:
        sub = draw(_starts(trial=False)).subscription
    return draw(st.sampled_from(sub.stretches))


@st.composite
def _open_invoices(draw: st.DrawFn) -> OpenInvoice:
    sub = draw(subscriptions())
    if not sub.open_invoices:  # a start at a positive price leaves its invoice open
        sub = draw(_upgrades(refund=False)).subscription
    return draw(st.sampled_from(sub.open_invoices))


@st.composite
def _payments(draw: st.DrawFn) -> Payment:
    """A payment recorded in a life, or one made for a drawn charge (part of it refunded)."""
    sub = draw(subscriptions(Status.ACTIVE))
    if sub.payments:
        return draw(st.sampled_from(sub.payments))
    charge = draw(_charges())
    amount = charge.invoice.amount_due.with_minor(max(charge.invoice.amount_due.minor, 1))
    refunded = amount.with_minor(draw(st.integers(0, amount.minor)))
    return Payment(charge.idempotency_key, charge.invoice.id, amount, refunded)


@st.composite
def _outstanding_attempts(draw: st.DrawFn) -> OutstandingAttempt:
    """An attempt of a drawn charge's invoice, as if another attempt had paid it."""
    charge = draw(_charges())
    amount = charge.invoice.amount_due.with_minor(max(charge.invoice.amount_due.minor, 1))
    return OutstandingAttempt(charge.idempotency_key, charge.invoice.id, amount)


@st.composite
def _pending_changes(draw: st.DrawFn) -> PendingChange:
    pending = draw(_upgrades(refund=False, period_end=True)).subscription.pending_change
    if pending is None:
        raise AssertionError("subscription_rules.strategies: an upgrade at period end was applied")
    return pending


@st.composite
def _quotes(draw: st.DrawFn) -> ChangeQuote:
    life = draw(_lives((Status.ACTIVE, Status.TRIALING, Status.PAST_DUE), None, None))
    target = draw(st.sampled_from(life.catalog.plans))
    quote = quote_change(
        life.subscription,
        target.id,
        draw(st.sampled_from(target.intervals)),
        _now(draw, life.subscription),
        catalog=life.catalog,
        usage=draw(usages(life.catalog)),
        policy=life.policy,
    )
    return _must(quote, ChangeQuote, "a quote for a live subscription was refused")


def _over_limit(draw: st.DrawFn, plan: Plan) -> tuple[Plan, Usage]:
    """``plan`` with a finite limit on a stock metric, and usage over it."""
    metric = draw(st.sampled_from((PROPERTIES, INTEGRATIONS)))
    limit = draw(st.integers(0, _SMALL_COUNT))
    plan = attrs.evolve(plan, limits=Limits.of(dict(plan.limits.items()), **{metric.name: limit}))
    usage = draw(usages()).with_count(metric.name, limit + draw(st.integers(1, _SMALL_COUNT)))
    return plan, usage


@st.composite
def _infeasibles(draw: st.DrawFn) -> Infeasible:
    plan, usage = _over_limit(draw, draw(plans()))
    return _must(check_downgrade(usage, plan), Infeasible, "usage over a limit fitted")


@st.composite
def _feasibles(draw: st.DrawFn) -> Feasible:
    # Per-period usage never blocks a move; at most it warns of overage.
    stock = {metric.name for metric in DEFAULT_METRICS if metric.kind is MetricKind.STOCK}
    usage = draw(usages())
    usage = Usage(tuple((name, count) for name, count in usage.counts if name not in stock))
    return _must(check_downgrade(usage, draw(plans())), Feasible, "per-period usage blocked")


@st.composite
def _refusals(draw: st.DrawFn) -> Refused:
    how = draw(st.sampled_from(("reinstate", "cancel", "infeasible")))
    if how == "infeasible":  # a move to a plan the usage does not fit
        catalog, small, big, interval = draw(_two_plans())
        small, usage = _over_limit(draw, small)
        catalog = Catalog((small, big))
        policy = draw(policies(catalog=catalog))
        sub = start_subscription(
            draw(_ids("sub")),
            draw(_ids("cus")),
            big.id,
            interval,
            _utc(draw(instants(time_zone="UTC"))),
            catalog=catalog,
            trial=False,
            policy=policy,
        ).subscription
        result: Decision | Refused = change_plan(
            sub,
            small.id,
            interval,
            sub.processed_until,
            catalog=catalog,
            usage=usage,
            policy=policy,
        )
    elif how == "reinstate":
        life = draw(_lives((Status.ACTIVE, Status.TRIALING, Status.PAST_DUE), None, None))
        sub = life.subscription
        result = reinstate(sub, sub.processed_until, catalog=life.catalog, policy=life.policy)
    else:
        life = draw(_lives((Status.ENDED,), None, None))
        sub = life.subscription
        result = cancel(sub, sub.processed_until, policy=life.policy)
    return _must(result, Refused, f"{how} was not refused")


@st.composite
def _reports(draw: st.DrawFn, metric_list: Iterable[Metric] | None = None) -> UsageReport:
    catalog = draw(catalogs(metric_list=metric_list))
    plan = draw(st.sampled_from(catalog.plans))
    return usage_report(plan, draw(usages(catalog)), catalog.metrics)


@st.composite
def _summaries(draw: st.DrawFn) -> BillingSummary:
    life = draw(_lives(_STATUS_ORDER, None, None))
    sub = life.subscription
    return billing_summary(
        sub,
        draw(usages(life.catalog)),
        _later(draw, sub, 1),
        catalog=life.catalog,
        policy=life.policy,
    )


@st.composite
def _rulebooks(draw: st.DrawFn) -> Rulebook:
    catalog = draw(catalogs(max_plans=_LIFE_PLANS))
    return Rulebook(catalog, draw(policies(catalog=catalog)))


def _handled() -> st.SearchStrategy[Handled]:
    """A command applied (its merged decision), or refused (time's decision and the refusal)."""
    return st.builds(Handled, decisions()) | st.builds(Handled, decisions(), _refusals())


def _request_strategies() -> list[tuple[type[Any], st.SearchStrategy[Any]]]:
    """The commands, the rulebook and its results, and the payment outcomes, with strategies."""
    return [
        *_command_strategies().items(),
        (Rulebook, _rulebooks()),
        (Handled, _handled()),
        (Succeeded, st.just(Succeeded())),
        (Pending, st.just(Pending())),
        (Declined, st.builds(Declined, st.sampled_from(DeclineKind), st.text(max_size=20))),
        (GatewayError, st.builds(GatewayError, st.text(max_size=40))),
    ]


def registered() -> list[tuple[type[Any], st.SearchStrategy[Any]]]:
    """Every public value type with its strategy, for the plugin hook to register."""
    pairs: list[tuple[type[Any], st.SearchStrategy[Any]]] = []

    def register(kind: type[_T], strategy: st.SearchStrategy[_T]) -> None:
        pairs.append((kind, strategy))

    register(Currency, currencies())
    register(Money, money())
    register(Interval, intervals())
    register(BillingCycle, cycles())
    register(BillingPeriod, periods())
    register(Metric, metrics())
    register(Limits, limits())
    register(Price, prices())
    pairs.extend(
        [
            (RecordedPrice, recorded_prices()),
            (CatalogVersion, catalog_versions()),
            (PriceMigration, migrations()),
            (Overage, overages()),
            (Tier, tiers()),
            (TierTable, tier_tables()),
            (PackagePrice, package_prices()),
            (Coupon, coupons()),
            (Discount, discounts()),
            (TaxRate, tax_rates()),
            (CustomerTax, customer_taxes()),
            (LineTax, _line_taxes()),
            (TaxSummary, _tax_summaries()),
            (CreditGrant, credit_grants()),
            (InvoiceSequence, invoice_sequences()),
        ]
    )
    register(Plan, plans())
    register(Catalog, catalogs())
    register(Usage, usages())
    register(BillingPolicy, policies())
    register(RetrySchedule, retry_schedules())
    register(OverdueState, overdue_states())
    register(OverdueLadder, overdue_ladders())
    register(Subscription, subscriptions())
    register(Decision, decisions())
    register(Stretch, _stretches())
    register(PendingChange, _pending_changes())
    register(OpenInvoice, _open_invoices())
    register(Payment, _payments())
    register(OutstandingAttempt, _outstanding_attempts())
    register(ChargeInvoice, _charges())
    register(Invoice, _charges().map(lambda charge: charge.invoice))
    register(IssueCreditNote, _credit_notes())
    register(CreditNote, _credit_notes().map(lambda issue: issue.credit_note))
    register(RefundPayment, _effects(RefundPayment, _upgrades(refund=True)))
    register(SendNotice, _notices())
    register(Notice, _notices().map(lambda send: send.notice))
    register(SuspendAccess, st.builds(SuspendAccess, st.sampled_from(SuspensionReason)))
    register(RestoreAccess, st.just(RestoreAccess()))
    register(EndAccess, st.just(EndAccess()))
    register(
        Line,
        st.one_of(
            _charges().map(lambda charge: charge.invoice.lines),
            _credit_notes().map(lambda issue: issue.credit_note.lines),
        ).flatmap(st.sampled_from),
    )
    register(Explanation, _explanations())
    register(ChangeQuote, _quotes())
    register(Refused, _refusals())
    register(Feasible, _feasibles())
    register(Infeasible, _infeasibles())
    register(RequiredAction, _infeasibles().flatmap(lambda result: st.sampled_from(result.actions)))
    register(UsageReport, _reports())
    register(
        MetricUsage, _reports(DEFAULT_METRICS).flatmap(lambda report: st.sampled_from(report.lines))
    )
    register(BillingSummary, _summaries())
    pairs.extend(_request_strategies())
    register(Category, st.sampled_from((BILLING, PRODUCT)) | st.builds(Category, _identifiers()))
    register(
        Preferences,
        st.builds(
            Preferences,
            email_opt_out=st.booleans(),
            unsubscribed=st.frozensets(st.just(PRODUCT.name) | _identifiers(), max_size=3),
        ),
    )
    return pairs
