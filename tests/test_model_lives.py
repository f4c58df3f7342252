"""Model-based test of whole subscription lives, checked against an independent cost oracle.

Hypothesis drives random lives — a start with or without a trial and a payment method, plan
and interval changes (fitting or not, immediate or at the period end), seat changes on plans
sold per seat (flat, per unit or graduated tiers: more seats, fewer seats, fitting the
seats in use or not, immediate or at the period end), cancel, undo,
suspend, reinstate, payment outcomes of every kind (and duplicates of them), new payment
methods, usage, new catalog versions (the same plans, prices up or down, a plan retired),
price migrations (``migrate_price``, at the next period end or a later one, in time for the
notice or not), and time passing — on random catalogs (in USD, JPY or KWD, or in USD and
EUR or JPY, a life starting in either), every field of ``BillingPolicy`` drawn
independently, and instants biased to the edges (period starts and ends, trial ends, one
second either side, DST gaps and folds, month ends, Feb 29, mid-day anchors; passed in UTC
or in the billing zone with ``fold`` set). See ``tests/edges.py``.

The cost oracle (the spec)
==========================

The oracle never reads what the library recorded about money (``stretches``, explanations,
denominators, units, ``Stretch.billed/credited``, balances): it works out what the customer's
time cost from the instants, the prices the catalog offered and the policy, knowing which
plan was in effect from when to when from the commands this test issued (and the status it
observes).

Prices (grandfathering). The oracle keeps the price the subscription is on: the catalog's
``Price`` (and overage price) of its plan and interval in the life's currency, taken at the
start and at each change to another plan or interval from the catalog current at the command
(a change at the period end takes it when scheduled). A seat change keeps the price it is on.
Publishing a new version (every later call passes the newest catalog) changes nothing until
the subscription is migrated: renewals, prorations and overage bill the price it is on, and a
subscription on a retired plan keeps renewing at it. A change to a retired plan (other than
its own plan and interval) raises ``RetiredPlanError`` and changes nothing, unless the status
allows no change at all (that refusal comes first, as a value).

Migrations. ``migrate_price`` at ``at`` (with ``effective_at`` = one of the next period ends,
or without) is, in this order: refused ``NOT_ALLOWED_IN_STATUS`` when ended, suspended or
cancelled; ``CHANGE_PENDING`` with a change to another plan or interval pending;
``NO_CURRENT_PRICE`` on a retired plan; ``NO_CHANGE`` when the price it will be on (the
pending change's, else its own) is the catalog's current one (``ALREADY_DONE`` when only
the pending change's is); then the end ``E`` is the pending change's period end (another
``effective_at`` is ``CHANGE_PENDING``), else ``effective_at``, else the next period end (of
the trial's cycle, anchored at its end, during a trial); refused ``NOT_YET_EFFECTIVE`` when
``E`` is before the version's ``effective_at``, and ``NOTICE_PERIOD`` when ``at`` is after
``E`` less ``price_change_notice_days``: ``E``'s local wall time that many calendar days
earlier, back to an instant as a boundary is. Otherwise the new price is pending for ``E``
(with the pending seats, if any), announced now (``PRICE_CHANGE_SCHEDULED``: ``E``, and both
amounts at the quantity). A pending change takes effect at the first period end on or after
its ``effective_at`` (a new price alone is not checked against usage, and its renewal sends
``PRICE_CHANGED``), or, billing resuming after that end, at the resumption. An immediate seat
change keeps a new price pending; a seat change at the period end takes it when it is due
then, and is refused (``CHANGE_PENDING``) while it is due later; undoing a scheduled seat
change keeps it; a change to another plan or interval, a cancellation or the end drops it.

Periods. A cycle has an anchor, an interval and the billing zone. Boundary ``n`` is the
anchor's local wall time plus ``n`` intervals (``dateutil.relativedelta``: month ends clamp
and return, always from the ORIGINAL anchor), converted back to an instant (a wall time in a
DST gap moves forward by the gap; an ambiguous one takes its first occurrence; boundary 0 is
the anchor itself). The anchor is the start, or the trial's end; an immediate interval change
restarts the cycle at the change; a period-end interval change restarts it at that period
end (``IntervalChange.KEEP_ANNIVERSARY``: either keeps the anchor in the new interval, and
the period holding the change costs from the change on, as billing resumed there does);
billing that starts afresh (a trial reinstated after its end, a payment method added after
a trial that ended without one) anchors a new cycle at that instant.

Units. Every period ``[s, e)`` has ``D`` units: its seconds in UTC (``SECOND``), or its local
calendar days ``date(e) − date(s)`` (``DAY``; with ``BOTH_ENDS`` too: like Lago, a period runs
from local midnight of its first day to 23:59:59 of its last, so a mid-day anchor changes
nothing — a 31-day month has 31 days). A point ``t`` in the period sits at ``F(t)`` units from
its start: the seconds, or the local days ``date(t) − date(s)``, plus one with
``ChangeDay.OLD_PLAN`` when ``t`` is a plan change (the old plan pays the day of the change —
also at the period's first instant), capped at ``D``. With ``fixed_denominator_days = N``
(Kill Bill's 30-day months; drawn only for monthly-only catalogs) ``D = N`` days and
``F(t)`` is Kill Bill's fixed-days count (its TestInvoiceDateUtilsWithFixedProration): the
actual units, with the month's difference from ``N`` taken where a span reaches the next
month (a long month's extra days count nothing just before that turn, a short month's
missing days are added at it), so a whole period costs exactly its price, the parts of a
split period add up to the whole (the numerator is adjusted, not just the denominator) and
an unused February credits all of it. Resuming billing after a
suspension is not a plan change: the customer pays the day access comes back.

Cost. The cost of a period is the sum over the plans in effect: ``price × (F(b) − F(a)) / D``
for each stretch ``[a, b)`` billed on it, at the price the subscription was on then (see
Prices) for the quantity in effect: ``Price.total(quantity)`` (a flat plan is always 1; a move to another plan sold per seat keeps the seats, to a flat one or from a flat one
starts at 1). A seat change is a plan change to the same plan at another quantity: it
splits the period like one (more seats by ``upgrade_timing``, fewer by ``downgrade_timing``),
or, scheduled, applies at the period end when the seats in use fit the new quantity.

- Trials are free; a plan or interval change in a trial changes what the conversion bills
  (the cycle anchored at the trial's end, in the interval in effect then).
- Full proration (``NOW``, ``NEXT_INVOICE``, ``PENDING_ITEMS``): every immediate plan change
  splits the period; pending proration lines (credits too) count as charged (or credited).
- ``ProrationBilling.NONE``: a plan change prorates nothing: the period costs the price of
  the plan billed at its start (or at the resumption), and the next renewal bills the new
  plan. An interval change always restarts the cycle: the old period costs its paid price
  for the time used (the unused PAID time is credited — Stripe credits unused time on an
  interval change even with ``proration_behavior=none`` would leave the old period charged in
  full, so this is the only reading that never bills two periods for one stretch of time),
  and the new interval's period is billed in full.
- Suspension for a policy violation: the time still costs, unless ``SuspendedTime.CREDITED``,
  in which case the suspended part of the paid period (up to its end) is free — granted at
  reinstatement; a suspension that ends in cancellation keeps what was billed (Stripe does not
  prorate a cancellation by default).
- Marked unpaid (``RetriesExhausted.MARK_UNPAID``, Stripe's ``unpaid``): periods go on being
  billed and cost as usual; their invoices are issued but held (not attempted) until the
  invoice whose retries ran out is paid, and plan changes are refused meanwhile. A held
  invoice counts as charged when it is issued (it is open on the subscription).
- Periods that end while suspended (for a policy violation or for payment) are not billed:
  free. On resumption (reinstatement, or the overdue invoice paid)
  the rest of the period holding that instant is billed pro rata from it; a pending change
  whose time came meanwhile applies then (restarting the cycle there if its interval
  differs).
- Cancellation after the trial: the period is paid and the subscription ends at its end; an
  end for failed payment or a cancellation while suspended ends it at once with the period as
  billed. Ended subscriptions are free.
- A pending change applies at a period end only if the usage given fits it: the properties
  within the target plan's limit and, for a plan sold per seat, the seats in use within the
  quantity it moves to.
- Usage overage: each period that ends in a call of ``advance`` given ``usage`` costs, on top,
  ``unit_price × excess / per`` (the overage price the subscription is on) for every
  per-period metric over the limit of the plan in effect at that period end (every period,
  not only the first of the call).

After every step: everything charged (invoice lines, plus pending proration lines) minus
everything credited (credit-note lines, refunded or to the balance) equals the oracle's cost
within one minor unit per charge line and two per credit line (its own rounding and that of
the charge it is worked out from) under full proration, and NEVER exceeds it (with the same
tolerance) under any policy. Besides:

(b) a credit never exceeds what was billed for its stretch; the balance never goes negative;
(c) no charge while trialing, suspended, ended or marked unpaid;
(d) no idempotency key is reused for a different charge (also across a re-run of the
    nightly ``advance`` with different usage);
(e) the status moves only along the state diagram drawn in docs/lifecycle.md, and it, the
    plan, the interval, the quantity and the pending change (plan, interval, quantity and
    ``effective_at``) are the ones the oracle predicts;
(f) every status change has its notice;
(g) the same inputs replayed give the same outputs; a duplicate payment outcome for an
    attempt already answered changes nothing;
(h) the decision names the next instant time alone changes something;
(i) every refund names a payment collected (an attempt whose success was recorded), refunds
    each payment at most what it collected across all decisions, and the refunds of a decision
    sum to its credit notes' refunded parts; the subscription's record of each payment
    (``Subscription.payments``) agrees with what was collected and refunded;
(j) every ``Money`` in every decision (effects, notices, the subscription) is in the life's
    currency;
(k) a migration's outcome is the one predicted above, its notice names ``E`` and both
    amounts; ``PRICE_CHANGED`` is sent exactly at the renewals where the oracle takes a new
    price alone, and by no other call.

Issue 18's money (taxes, coupons, prepaid credit; checks in ``tests/lives_money.py``)
=====================================================================================

Taxes. A life starts with no tax or a ``CustomerTax`` at one of a few exact percentages
(0, 5.5, 8.875, 19, 20, 25), exclusive or inclusive, sometimes reverse charged; ``update_tax``
changes it mid-life; ``tax_rounding`` is drawn like every policy field. The cost check
above stays on the line amounts (exclusive: the lines are net; inclusive: gross, as the
prices are), so tax never enters it. Instead, with ``r`` the rate (``r / (1 + r)`` for an
inclusive one) and a line's base its amount net of the discount lines after it:

(l) on every invoice ``total = lines + exclusive line taxes``, ``tax`` = the lines' taxes,
    ``subtotal + tax = total``; on every credit note ``amount = -(lines + exclusive
    taxes)``, ``subtotal + tax = amount``;
(m) every charge (period, proration, overage) is taxed at the customer's tax of the moment
    it is invoiced (a proration charge waiting for the next invoice: at a tax the life
    had), ``taxable`` = the base (less the tax, inclusive) and, under ``PER_LINE``,
    ``|tax − base × r| < 1`` minor unit; under ``PER_INVOICE`` the invoice's charges at one
    rate are rounded once, ``|Σ tax − Σ base × r| < 1`` (charges taxed while they waited
    counted in: the new lines absorb their rounding, so one line alone may be further off);
    every credit carries a tax the life had, or none;
    prepaid and granted credit carry none;
(n) a reverse charge bills zero tax, and an invoice with such a charge under the customer's
    reverse charge carries the mention (with the customer's tax id) — not one whose customer
    is no longer reverse charged: a charge taxed while it waited for that invoice keeps its
    reverse-charge tax, and the invoice carries no mention (a gap: the mention is written
    from the customer's tax of the day, and the line does not carry the tax id);
(o) per rate, over the life (the lines waiting for the next invoice counted in): tax
    credited ≤ tax billed, and the net tax (billed − credited)
    is within ``n`` minor units of ``r ×`` the net bases (billed − credited), ``n`` the
    number of lines at that rate. Derivation: each charge's tax is rounded once (error
    ``e₀``, below one unit). A credit of ``c`` against a stretch with ``L`` tax and ``C``
    base left returns ``round(L × c / C)``; writing ``L = r × C + d``, its error is
    ``d × c / C + ρ`` (``|ρ| < 1``), and what is left carries ``d × (1 − c / C) − ρ``: each
    credit adds at most one unit to what the stretch's tax is off by, and crediting all
    that is left returns all the tax left. So the net error is at most one unit per line.

Discounts. A life may redeem a coupon at the start or mid-life (percent, or amount off;
once, repeating or forever; for every plan or some). The oracle predicts a percentage off:
its window runs from the redemption to the end of the last counted period (redeemed at a
period's start or in a trial, that period — the first after the trial — is the first;
part way, the next one is; docs/discounts.md), and every charge billed after the
redemption whose start lies in it, of a plan it applies to, costs ``(100 − p) / 100`` of
the price: the segments of the cost formula above carry that factor, decided when the
oracle bills them, as does overage (its line starts at the period's start); credits for
unused time follow, since they credit what was paid. A discount line is one more rounding
(one more charge line in the tolerance). At the renewal that starts at or after the
window's end the discount is dropped with ``DISCOUNT_ENDED`` (checked, and the
subscription's discount window equals the oracle's). An amount off, or a percentage
redeemed where the oracle does not work out the window (suspended, ended), leaves the
cost only bounded: never more than the oracle's, never below zero; so does a coupon redeemed
at the instant of a proration charge waiting for the next invoice (that invoice discounts
it unless it was taxed while waiting: the order within one instant is not on record). Always: a discount line
follows a charge and never takes more than it; no invoice total is negative.

Prepaid credit. ``top_up`` and ``grant_credit`` (with or without an expiry: given, by
``granted_credit_days``, or none). The test keeps the balance itself: credit notes'
``to_balance``, top-ups paid (``CREDIT_ADDED`` for a top-up of this life, after its
payment succeeded), minus what each invoice applied (``Invoice.credit_applied``: a
document), grants spent soonest expiry first and expiring (at one instant before an
invoice); the subscription's balance and grants equal it, the grants' left never exceeds
it, and each ``CREDIT_EXPIRED`` names the amount it predicts. Top-up invoices and grant
credit notes are not charges for time: left out of the cost check; a top-up may be
charged in any status but ended (c). A conversion from a trial without a card is past due
only when it owes something (a discount or the balance may pay it all).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from edges import FIRST_YEAR, LAST_YEAR, ZONES, express, transitions
from lives_money import CHECKED, CouponSpec, CreditBook, TaxBook, coupons, customer_taxes
from subscription_rules import (
    MONTHLY,
    YEARLY,
    BillingPeriod,
    BillingPolicy,
    Catalog,
    CatalogVersion,
    ChangeDay,
    ChargeInvoice,
    CouponExcess,
    CreditBasis,
    CreditCap,
    CreditDestination,
    Currency,
    CustomerTax,
    DayCount,
    Decision,
    DowngradeTiming,
    Interval,
    IntervalChange,
    Invoice,
    InvoiceReason,
    Limits,
    MissingPaymentMethod,
    Money,
    PastDueAccess,
    Plan,
    Price,
    ProrationBilling,
    ProrationUnit,
    RefundPayment,
    RefusalReason,
    Refused,
    RetriesExhausted,
    RoundingMode,
    Status,
    Subscription,
    SuspendedTime,
    TaxRounding,
    TrialCancellation,
    TrialPlanChange,
    UpgradeTiming,
    Usage,
    WeeksPerYear,
    advance,
    cancel,
    change_plan,
    change_quantity,
    check_new_version,
    grant_credit,
    marked_unpaid,
    migrate_price,
    next_wakeup,
    record_payment,
    redeem_coupon,
    reinstate,
    start_subscription,
    suspend,
    top_up,
    undo_cancel,
    update_payment_method,
    update_tax,
)
from subscription_rules.catalog import (
    DEFAULT_METRICS,
    Comparison,
    Metric,
    MetricKind,
    Overage,
    Tier,
    TierMode,
    TierTable,
)
from subscription_rules.discounts import Coupon, CouponDuration
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    Succeeded,
)
from subscription_rules.errors import RetiredPlanError
from subscription_rules.invoices import LineKind
from subscription_rules.notifications import FactName, Notice, NoticeKind
from subscription_rules.strategies import instants
from subscription_rules.subscription import SuspensionReason

# `Pending` is left out of the drawn outcomes: the oracle below models an answered charge
# only (paid, declined, or lost to a gateway error); a pending one is covered by
# tests/test_pending_payments.py and by the outbox test.
OUTCOMES: list[PaymentOutcome] = [
    Succeeded(),
    Declined(DeclineKind.SOFT),
    Declined(DeclineKind.HARD),
    GatewayError(),
]
NOTICE_FOR_STATUS = {
    Status.ACTIVE: {"trial_converted", "account_reinstated", "payment_recovered"},
    Status.PAST_DUE: {"payment_method_needed", "payment_failed", "account_reinstated"},
    Status.SUSPENDED: {"account_suspended", "trial_cancelled"},
    Status.ENDED: {"subscription_ended"},
    Status.TRIALING: {"account_reinstated"},
}
BILLING = frozenset({Status.ACTIVE, Status.PAST_DUE})
STATUS_REFUSALS = {RefusalReason.NOT_ALLOWED_IN_STATUS, RefusalReason.BLOCKED_WHILE_OVERDUE}
SESSIONS = "billable_sessions"
SEATS = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")


def _diagram() -> dict[str, set[str]]:
    text = (Path(__file__).parent.parent / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    edges: dict[str, set[str]] = {}
    for line in block.splitlines():
        match = re.match(r"^\s*(\w+) --> (\w+) : ", line)
        if match:
            edges.setdefault(match[1], set()).add(match[2])
    return edges


EDGES = _diagram()

#: How many lives and steps were checked in this process (printed by `make soak`), and how
#: many of them met catalog versions: migrations scheduled, applied and refused (by reason).
CHECKED.update({"lives": 0, "steps": 0, "refunds": 0})  # shared with lives_money


def _reachable(source: str, target: str) -> bool:
    seen, todo = {source}, [source]
    while todo:
        for nxt in EDGES.get(todo.pop(), set()):
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def pay(
    sub: Subscription,
    attempt: str,
    invoice_id: str,
    outcome: PaymentOutcome,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Record the outcome of one charge attempt: the only call of ``record_payment`` here.

    ``attempt`` is the ``ChargeInvoice``'s idempotency key, which the payment API names.
    """
    del invoice_id  # the attempt's key names its invoice
    return record_payment(sub, attempt, outcome, at, catalog=catalog, policy=policy)


# --- the independent cost oracle --------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


@attrs.frozen
class Cycle:
    """Period boundaries from the original anchor, computed here with relativedelta."""

    anchor: datetime  # UTC
    months: int
    zone: str

    def boundary(self, n: int) -> datetime:
        if n == 0:
            return self.anchor
        tz = ZoneInfo(self.zone)
        wall = self.anchor.astimezone(tz).replace(tzinfo=None, fold=0)
        shifted = wall + relativedelta(months=n * self.months)
        return shifted.replace(tzinfo=tz, fold=0).astimezone(UTC)

    def index_containing(self, at: datetime) -> int:
        tz = ZoneInfo(self.zone)
        a, t = self.anchor.astimezone(tz), at.astimezone(tz)
        n = max(((t.year - a.year) * 12 + t.month - a.month) // self.months - 1, 0)
        while self.boundary(n + 1) <= at:
            n += 1
        while n > 0 and self.boundary(n) > at:
            n -= 1
        return n


@attrs.define
class Segment:
    start: datetime
    price: int
    change: bool  # a plan change at ``start`` (ChangeDay applies)
    factor: Fraction = Fraction(1)  # what is left of the price after a percentage off


@attrs.frozen
class Window:
    """A percentage off, redeemed at ``start``: charges starting in ``[start, end)`` discounted."""

    start: datetime
    end: datetime | None
    factor: Fraction  # (100 − percent) / 100
    plans: tuple[str, ...] | None

    def factor_at(self, t: datetime, plan: str) -> Fraction:
        covered = self.start <= t and (self.end is None or t < self.end)
        return (
            self.factor if covered and (self.plans is None or plan in self.plans) else Fraction(1)
        )


@attrs.define
class Period:
    cycle: Cycle
    index: int
    start: datetime
    end: datetime
    segments: list[Segment] = attrs.Factory(list)
    credits: list[tuple[datetime, datetime]] = attrs.Factory(list)  # suspended spans credited


@attrs.define
class Suspension:
    reason: SuspensionReason
    at: datetime
    was: Status


@attrs.frozen
class Rate:
    """A price the subscription is on: the catalog's, taken when it started or changed plan."""

    price: Price
    overage: Overage | None  # billable sessions over the limit, in the life's currency

    def cost(self, quantity: int) -> int:
        return self.price.total(quantity).minor


@attrs.frozen
class Pending:
    """A change waiting for the first period end on or after ``effective_at``."""

    plan: str
    interval: Interval
    quantity: int | None  # None: a new price alone, at the quantity of the day
    rate: Rate
    effective_at: datetime


class Oracle:
    """What the customer's time cost, from the instants, the prices and the policy alone."""

    def __init__(self, policy: BillingPolicy, catalog: Catalog, zone: str, currency: str) -> None:
        self.policy = policy
        self.catalog = catalog  # the newest version: the current prices
        self.currency = Currency.of(currency)
        self.zone = zone
        self.tz = ZoneInfo(zone)
        self.closed = Fraction(0)
        self.period: Period | None = None
        self.status = Status.ACTIVE
        self.plan = ""
        self.interval: Interval = MONTHLY
        self.quantity = 1
        self.rate: Rate
        self.pending: Pending | None = None
        self.price_changes: list[datetime] = []  # PRICE_CHANGED notices due, not yet seen
        self.cancel_pending = False
        self.trial_end: datetime | None = None
        self.card = True
        self.suspension: Suspension | None = None
        self.unpaid = False
        self.log: list[str] = []
        self.discount: Window | None = None  # a percentage off the oracle prices
        self.window_known = True  # False once a discount it does not predict was redeemed
        self.loose = False  # an amount off was redeemed: the cost is only bounded
        self.discounts_ended = 0  # DISCOUNT_ENDED notices due, not yet seen

    # -- arithmetic --

    def factor(self, t: datetime) -> Fraction:
        """What is left of a charge of the plan in effect starting at ``t``, billed now."""
        return Fraction(1) if self.discount is None else self.discount.factor_at(t, self.plan)

    def window_end(self, at: datetime, periods: int | None) -> datetime | None:
        """The end of a coupon's window redeemed at ``at`` (docs/discounts.md).

        Counted in billing periods: redeemed at a period's start (or in a trial: the first
        period after it), that period is the first; part way through, the next one is.
        """
        if periods is None:
            return None
        if self.status is Status.TRIALING:
            assert self.trial_end is not None
            return Cycle(self.trial_end, _months(self.interval), self.zone).boundary(periods)
        p = self.period
        if p is None:  # at the start, before the first period is opened
            return Cycle(at, _months(self.interval), self.zone).boundary(periods)
        first = p.index if at <= p.start else p.index + 1
        return p.cycle.boundary(first + periods)

    def offered(self, plan: str, interval: Interval) -> Rate:
        """The catalog's current price of ``plan`` at ``interval``, in the life's currency."""
        sold = self.catalog.plan(plan)
        return Rate(sold.price(interval, self.currency), sold.overage_for(SESSIONS, self.currency))

    def migration(self) -> Pending | None:
        """The pending move of the plan it is on to a new price (with seats or alone), alone."""
        q = self.pending
        if q is None or (q.plan, q.interval) != (self.plan, self.interval) or q.rate == self.rate:
            return None
        return attrs.evolve(q, quantity=None)

    def period_ends(self) -> list[datetime]:
        """The next period ends (the trial's cycle during a trial); none when none is known."""
        if self.period is not None:
            cycle, first = self.period.cycle, self.period.index + 1
        elif self.status is Status.TRIALING and self.trial_end is not None:
            cycle, first = Cycle(self.trial_end, _months(self.interval), self.zone), 1
        else:
            return []
        return [cycle.boundary(first + k) for k in (0, 1, 2, 12)]

    def notice_by(self, end: datetime) -> datetime:
        """The last instant a price change at ``end`` may be announced: N local days before."""
        days = self.policy.price_change_notice_days
        wall = end.astimezone(self.tz).replace(tzinfo=None, fold=0) - timedelta(days=days)
        return wall.replace(tzinfo=self.tz, fold=0).astimezone(UTC)

    def migration_outcome(  # noqa: PLR0911 - one return per outcome, in the spec's order
        self, at: datetime, wanted: datetime | None
    ) -> Pending | RefusalReason:
        """What ``migrate_price`` at ``at`` (to the period end ``wanted``) does: the spec's order."""
        if self.status in {Status.ENDED, Status.SUSPENDED} or self.cancel_pending:
            return RefusalReason.NOT_ALLOWED_IN_STATUS
        q = self.pending
        if q is not None and (q.plan, q.interval) != (self.plan, self.interval):
            return RefusalReason.CHANGE_PENDING
        if self.catalog.plan(self.plan).retired:
            return RefusalReason.NO_CURRENT_PRICE
        before, after = (self.rate if q is None else q.rate), self.offered(self.plan, self.interval)
        if after == before:
            if q is None or self.rate == after:
                return RefusalReason.NO_CHANGE
            return RefusalReason.ALREADY_DONE
        if q is not None:
            if wanted is not None and wanted != q.effective_at:
                return RefusalReason.CHANGE_PENDING
            end = q.effective_at
        else:
            end = wanted if wanted is not None else self.period_ends()[0]
        version = self.catalog.version
        if version is not None and end < version.effective_at:
            return RefusalReason.NOT_YET_EFFECTIVE
        if at > self.notice_by(end):
            return RefusalReason.NOTICE_PERIOD
        return Pending(self.plan, self.interval, None if q is None else q.quantity, after, end)

    def quantity_after(self, plan: str) -> int:
        """The seats a move to ``plan`` keeps: the current ones between plans sold per seat."""
        per_seat = self.catalog.plan(plan).unit is not None
        return self.quantity if per_seat and self.catalog.plan(self.plan).unit else 1

    def fits(self, usage: Usage | None, plan: str, quantity: int) -> bool:
        """Whether ``usage`` fits ``plan`` at ``quantity`` (properties, and seats if per seat)."""
        if usage is None:
            return True
        limit = self.catalog.plan(plan).limits.get("properties")
        seats = quantity if self.catalog.plan(plan).unit is not None else None
        return (limit is None or usage.get("properties") <= limit) and (
            seats is None or usage.get("seats") <= seats
        )

    def _days(self, a: datetime, b: datetime) -> int:
        return (b.astimezone(self.tz).date() - a.astimezone(self.tz).date()).days

    def denominator(self, p: Period) -> int:
        fixed = self.policy.fixed_denominator_days
        if self.policy.proration_unit is ProrationUnit.SECOND:
            if fixed is not None:
                return fixed * 86_400
            return int((p.end - p.start).total_seconds())
        return fixed if fixed is not None else self._days(p.start, p.end)

    def _raw(self, a: datetime, b: datetime) -> int:
        if self.policy.proration_unit is ProrationUnit.SECOND:
            return int((b - a).total_seconds())
        return self._days(a, b)

    def _fixed(self, p: Period, t: datetime, fixed: int) -> int:
        """Kill Bill's fixed-days count from the period's start to ``t``.

        Actual units; where a span reaches the next month (the first local midnight of
        a 1st after the start, or the period's end if sooner) the month's difference from
        ``fixed`` days is taken: a long month's extra days count nothing just before that
        turn, a short month's missing days are added at it (Kill Bill's
        TestInvoiceDateUtilsWithFixedProration: 23 May → 15 Jun and 23 Feb → 15 Mar are
        both 22 days of 30).
        """
        unit = 86_400 if self.policy.proration_unit is ProrationUnit.SECOND else 1
        first = p.start.astimezone(self.tz).date()
        month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        turn = min(datetime.combine(month, datetime.min.time(), self.tz).astimezone(UTC), p.end)
        raw, whole, reach = (
            self._raw(p.start, t),
            self._raw(p.start, p.end),
            self._raw(p.start, turn),
        )
        if whole <= fixed * unit:
            return raw + (fixed * unit - whole if raw >= reach else 0)
        excess = whole - fixed * unit
        free_from = max(reach - excess, 0)
        return raw - min(max(raw - free_from, 0), excess)

    def units(self, p: Period, t: datetime, *, change: bool) -> int:
        """F(t): the units from the period's start to ``t``."""
        d = self.denominator(p)
        if t >= p.end:
            return d
        fixed = self.policy.fixed_denominator_days
        raw = self._raw(p.start, t) if fixed is None else self._fixed(p, t, fixed)
        if (
            change
            and self.policy.proration_unit is ProrationUnit.DAY
            and self.policy.change_day is ChangeDay.OLD_PLAN
        ):
            raw += 1
        return max(0, min(raw, d))

    def period_cost(self, p: Period, upto: datetime | None = None) -> Fraction:
        d = self.denominator(p)
        stop = d if upto is None else self.units(p, upto, change=True)
        marks = [(self.units(p, s.start, change=s.change), s.price * s.factor) for s in p.segments]
        total = Fraction(0)
        for i, (a, price) in enumerate(marks):
            b = marks[i + 1][0] if i + 1 < len(marks) else stop
            total += price * max(min(b, stop) - min(a, stop), 0)
        for x, y in p.credits:
            if y <= x:  # suspended and reinstated at one instant: nothing to credit
                continue
            # Each plan's share of the suspended units, at its own price (with
            # ChangeDay.OLD_PLAN the day of a change is the old plan's).
            low, high = self.units(p, x, change=False), self.units(p, y, change=False)
            for i, (a, price) in enumerate(marks):
                b = marks[i + 1][0] if i + 1 < len(marks) else d
                total -= price * max(min(b, high) - max(a, low), 0)
        return total / d

    def total(self) -> Fraction:
        return self.closed + (self.period_cost(self.period) if self.period else Fraction(0))

    def open(self, cycle: Cycle, index: int, start: datetime | None = None) -> None:
        p = Period(cycle, index, cycle.boundary(index), cycle.boundary(index + 1))
        first = start or p.start
        p.segments.append(
            Segment(first, self.rate.cost(self.quantity), change=False, factor=self.factor(first))
        )
        self.period = p
        self.log.append(
            f"bill {self.plan}/{self.interval}×{self.quantity} [{start or p.start}, {p.end})"
        )

    def close(self, upto: datetime | None = None) -> None:
        if self.period is not None:
            self.closed += self.period_cost(self.period, upto)
        self.period = None

    def start_billing(self, at: datetime) -> None:
        self.open(Cycle(at, _months(self.interval), self.zone), 0)

    def new_interval(self, at: datetime, old: Cycle, *, change: bool) -> None:
        """Bill the new interval from ``at``, as ``interval_change`` says.

        ``RESTART``: a cycle anchored at ``at``, its first period in full.
        ``KEEP_ANNIVERSARY``: the old anchor's wall time recurring every new interval;
        its period holding ``at`` costs from ``at`` on (the whole period when ``at`` is
        its start; ``change`` marks an immediate change, where ``ChangeDay`` applies, on
        the period's first instant too: the old plan paid that day).
        """
        if self.policy.interval_change is IntervalChange.RESTART:
            self.start_billing(at)
            return
        cycle = Cycle(old.anchor, _months(self.interval), self.zone)
        n = cycle.index_containing(at)
        p = Period(cycle, n, cycle.boundary(n), cycle.boundary(n + 1))
        price = self.rate.cost(self.quantity)
        p.segments.append(Segment(at, price, change=change, factor=self.factor(at)))
        self.period = p
        self.log.append(f"bill {self.plan}/{self.interval} [{at}, {p.end}) kept anniversary")

    def end(self, at: datetime) -> None:
        self.close()
        self.status = Status.ENDED
        self.cancel_pending = False
        self.pending = None
        self.suspension = None
        self.unpaid = False
        self.log.append(f"end {at}")

    def change(
        self, at: datetime, plan: str, interval: Interval, quantity: int, rate: Rate
    ) -> None:
        """An immediate change; a seat change keeps a new price pending for the plan."""
        self.log.append(f"change {plan}/{interval}×{quantity} at {at}")
        old_interval = self.interval
        kept = self.migration() if (plan, interval) == (self.plan, self.interval) else None
        self.plan, self.interval, self.quantity, self.rate = plan, interval, quantity, rate
        self.pending = kept
        if self.status is Status.TRIALING:
            return
        p = self.period
        if p is None:
            return
        if at >= p.end:  # a period the oracle has not closed yet: the current one is unbilled
            self.close()
            n = p.cycle.index_containing(at)
            p = Period(p.cycle, n, p.cycle.boundary(n), p.cycle.boundary(n + 1))
            self.period = p
        if interval != old_interval:
            self.close(upto=at)
            self.new_interval(at, p.cycle, change=True)
        elif self.policy.proration_billing is not ProrationBilling.NONE:
            p.segments.append(Segment(at, rate.cost(quantity), change=True, factor=self.factor(at)))

    def resume(self, at: datetime, *, credit: bool) -> None:
        """Billing resumes at ``at`` after a suspension from a billing status (or unpaid)."""
        p = self.period
        assert p is not None
        if credit and self.suspension is not None and self.suspension.at < p.end:
            x = self.suspension.at
            p.credits.append((x, min(at, p.end)))
        self.suspension = None
        self.unpaid = False
        if at < p.end:
            return
        self.close()
        q = self.pending
        if q is not None and _first_end(p.cycle, q.effective_at) <= at:  # its time came
            self.pending = None
            self.count_migration(q)
            self.plan, self.rate = q.plan, q.rate
            self.quantity = self.quantity if q.quantity is None else q.quantity
            if q.interval != self.interval:
                self.interval = q.interval
                self.new_interval(at, p.cycle, change=False)
                return
        n = p.cycle.index_containing(at)
        self.open(p.cycle, n, at)

    def trial_end_event(self) -> None:
        at = self.trial_end
        assert at is not None
        if self.cancel_pending or (
            not self.card and self.policy.missing_payment_method is MissingPaymentMethod.CANCEL
        ):
            self.end(at)
        elif not self.card and self.policy.missing_payment_method is MissingPaymentMethod.SUSPEND:
            self.status = Status.SUSPENDED
            self.suspension = Suspension(
                SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD, at, Status.TRIALING
            )
        else:
            # Past due without a card when the conversion is owed: seen on its invoice
            # (a discount or the credit balance may pay it all), see Lives._advance.
            self.status = Status.ACTIVE if self.card else Status.PAST_DUE
            self.open(Cycle(at, _months(self.interval), self.zone), 0)

    def period_end_event(self, usage: Usage | None) -> None:
        p = self.period
        assert p is not None
        self.closed += self.period_cost(p)
        if usage is not None:  # billed in arrears: the line starts at the period's start
            self.closed += self.overage(usage) * self.factor(p.start)
        if self.cancel_pending:
            self.period = None
            self.end(p.end)
            return
        cycle, index = p.cycle, p.index + 1
        start = None
        q = self.pending
        if q is not None and q.effective_at <= p.end:
            self.pending = None
            quantity = self.quantity if q.quantity is None else q.quantity
            if (q.plan, q.interval, quantity) == (self.plan, self.interval, self.quantity):
                # A new price alone: not checked against usage, and announced, unless a later
                # version brought back the price billed now (nothing changed to announce).
                self.count_migration(q)
                if q.rate != self.rate:
                    self.rate = q.rate
                    self.price_changes.append(p.end)
                    self.log.append(f"price {q.rate.price} from {p.end}")
            elif self.fits(usage, q.plan, quantity):
                self.count_migration(q)
                self.plan, self.quantity, self.rate = q.plan, quantity, q.rate
                if q.interval != self.interval:
                    self.interval = q.interval
                    cycle, index = Cycle(p.end, _months(q.interval), self.zone), 0
                    if self.policy.interval_change is IntervalChange.KEEP_ANNIVERSARY:
                        cycle = Cycle(p.cycle.anchor, _months(q.interval), self.zone)
                        index, start = cycle.index_containing(p.end), p.end
        self.open(cycle, index, start)
        w = self.discount
        if w is not None and w.end is not None and w.end <= p.end:  # the renewal drops it
            self.discount = None
            self.discounts_ended += 1
            self.log.append(f"discount ended {p.end}")

    def count_migration(self, q: Pending) -> None:
        """Count a new price of the plan it is on taking effect (alone or with seats)."""
        if (q.plan, q.interval) == (self.plan, self.interval) and q.rate != self.rate:
            CHECKED["migrations applied"] += 1

    def overage(self, usage: Usage) -> Fraction:
        limit = self.catalog.plan(self.plan).limits.get(SESSIONS)
        over = self.rate.overage
        if limit is None or over is None or usage.get(SESSIONS) <= limit:
            return Fraction(0)
        return Fraction(over.unit_price.minor * (usage.get(SESSIONS) - limit), over.per)

    def next_event(self) -> tuple[datetime, str] | None:
        """The next thing time alone does here: a trial's end or a period's end."""
        s = self.suspension
        if self.status is Status.TRIALING or (
            self.status is Status.SUSPENDED
            and self.cancel_pending
            and s is not None
            and s.was is Status.TRIALING
        ):
            assert self.trial_end is not None
            return self.trial_end, "trial_end"
        if self.period is None:
            return None
        if self.status in BILLING or (
            self.cancel_pending and self.status in {*BILLING, Status.SUSPENDED}
        ):
            return self.period.end, "period_end"
        return None

    def ends_or_suspends_at(self, at: datetime) -> bool:
        """Whether the oracle's own next event at ``at`` ends or suspends the subscription."""
        nxt = self.next_event()
        if nxt is None or nxt[0] != at:
            return False
        if nxt[1] == "period_end":
            return self.cancel_pending
        return self.cancel_pending or not self.card

    def run_until(self, until: datetime, usage: Usage | None, *, inclusive: bool) -> None:
        while (nxt := self.next_event()) is not None and (
            nxt[0] < until or (inclusive and nxt[0] == until)
        ):
            if nxt[1] == "trial_end":
                self.trial_end_event()
            else:
                self.period_end_event(usage)


def _moneys(value: object) -> Iterator[Money]:
    """Every ``Money`` in a value: its attrs fields, tuples and dicts, all the way down."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, Money):
            yield item
        elif isinstance(item, tuple | list | frozenset):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif attrs.has(type(item)):
            todo.extend(getattr(item, name) for name in _FIELDS(type(item)))


_NAMES: dict[type, tuple[str, ...]] = {}


def _FIELDS(kind: type) -> tuple[str, ...]:  # noqa: N802 - a table, filled as it is read
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in attrs.fields(kind))
    return names


def _notices(decision: Decision, kind: NoticeKind) -> list[Notice]:
    return [n for n in decision.notices if n.kind is kind]


def _fact(notice: Notice, name: FactName) -> object:
    (value,) = [f.value for f in notice.facts if f.name is name]
    return value


def held(before: Subscription, charge: ChargeInvoice) -> bool:
    """Whether ``charge`` is the first attempt of an invoice held while marked unpaid."""
    item = before.open_invoice(charge.invoice.id)
    return item is not None and item.attempts == 0


def _months(interval: Interval) -> int:
    return 12 * interval.count if interval.unit.value == "year" else interval.count


def _first_end(cycle: Cycle, at: datetime) -> datetime:
    """The first boundary of ``cycle`` on or after ``at``."""
    n = cycle.index_containing(at)
    return cycle.boundary(n) if cycle.boundary(n) >= at else cycle.boundary(n + 1)


# --- the machine ------------------------------------------------------------------------------


def _policy(**fields: Any) -> BillingPolicy:
    # Pending proration items credit the balance only: BillingPolicy refuses a refund with them.
    if fields["proration_billing"] is ProrationBilling.PENDING_ITEMS:
        fields["credit_destination"] = CreditDestination.BALANCE
    return BillingPolicy(**fields)


def _policies(monthly_only: bool) -> st.SearchStrategy[BillingPolicy]:
    return st.builds(
        _policy,
        proration_unit=st.sampled_from(ProrationUnit),
        day_count=st.sampled_from(DayCount),
        change_day=st.sampled_from(ChangeDay),
        fixed_denominator_days=st.sampled_from([None, 30]) if monthly_only else st.none(),
        rounding=st.sampled_from(RoundingMode),
        credit_basis=st.sampled_from(CreditBasis),
        proration_billing=st.sampled_from(ProrationBilling),
        upgrade_timing=st.sampled_from(UpgradeTiming),
        downgrade_timing=st.sampled_from(DowngradeTiming),
        classify_by=st.sampled_from(Comparison),
        credit_destination=st.sampled_from(CreditDestination),
        trial_cancellation=st.sampled_from(TrialCancellation),
        missing_payment_method=st.sampled_from(MissingPaymentMethod),
        trial_reminder_days=st.sampled_from([0, 3, 7]),
        suspended_time=st.sampled_from(SuspendedTime),
        retry_schedule=st.sampled_from([SMART_RETRIES_LIKE, THREE_RETRIES, KILL_BILL_EXAMPLE]),
        retries_exhausted=st.sampled_from(RetriesExhausted),
        past_due_access=st.sampled_from(PastDueAccess),
        # Only monthly and yearly prices here: no effect, drawn so every field varies.
        weeks_per_year=st.sampled_from(WeeksPerYear),
        # No adjustments here: the two caps differ only by a credit's rounding (within tolerance).
        credit_cap=st.sampled_from(CreditCap),
        interval_change=st.sampled_from(IntervalChange),
        trial_plan_change=st.sampled_from(TrialPlanChange),
        price_change_notice_days=st.sampled_from([30, 7, 0, 45, 1]),
        tax_rounding=st.sampled_from(TaxRounding),
        coupon_excess=st.sampled_from(CouponExcess),
        granted_credit_days=st.sampled_from([None, 1, 30]),
    )


def _price(sold: str, amount: int, currency: str, interval: Interval) -> Price:
    """A price of ``amount`` major units: flat, per seat, or tiers from ``amount`` a seat.

    The tiers: seats 1-3 at ``amount``, 4-6 at half of it (at least 1), 7 and up at a third
    plus a flat fee of ``amount`` (so a volume price may fall when a quantity grows).
    """
    if sold == "flat":
        return Price.of(str(amount), currency, interval)
    one = Price.of(str(amount), currency, interval).amount
    if sold == "per seat":
        return Price(one, interval, unit="seats")
    half, third = one.with_minor(max(one.minor // 2, 1)), one.with_minor(max(one.minor // 3, 1))
    mode = TierMode.GRADUATED if sold == "graduated" else TierMode.VOLUME
    table = TierTable(mode, (Tier(3, one), Tier(6, half), Tier(None, third, one)))
    return Price.tiered(table, interval, unit="seats")


@attrs.frozen
class PlanSpec:
    """One plan as drawn: its shape, amounts and overage, from which every version is built."""

    sold: str  # "flat", "per seat", "graduated" or "volume"
    amounts: tuple[tuple[int, int], ...]  # major units, per currency: (monthly, yearly)
    sessions: int | None  # the limit of billable sessions (None: unlimited)
    overage: tuple[int, ...] | None  # major units per 1,000 sessions over it, per currency
    retired: bool = False


@attrs.frozen
class Shop:
    """What a life is sold from: plans, currencies, trial days and the catalog's version."""

    plans: tuple[PlanSpec, ...]
    currencies: tuple[str, ...]
    monthly_only: bool
    trial_days: int
    version: CatalogVersion | None

    def catalog(self) -> Catalog:
        plans = []
        for i, spec in enumerate(self.plans):
            prices = [
                _price(spec.sold, amount, currency, interval)
                for currency, (monthly, yearly) in zip(self.currencies, spec.amounts, strict=True)
                for interval, amount in ((MONTHLY, monthly), (YEARLY, yearly))
                if interval == MONTHLY or not self.monthly_only
            ]
            overage = tuple(
                Overage.of(SESSIONS, str(amount), currency, per=1000)
                for currency, amount in zip(self.currencies, spec.overage or (), strict=False)
            )
            sessions = {} if spec.sessions is None else {SESSIONS: spec.sessions}
            limits = Limits.of(properties=(i + 1) * 3, **sessions)
            plans.append(
                Plan(
                    f"p{i}",
                    f"Plan {i}",
                    tuple(prices),
                    limits,
                    self.trial_days,
                    rank=i,
                    overage=overage,
                    retired=spec.retired,
                )
            )
        return Catalog(tuple(plans), (*DEFAULT_METRICS, SEATS), version=self.version)


#: How a new version moves a plan's prices: unchanged (most often), up or down.
FACTORS = [(11, 10), (1, 1), (3, 2), (9, 10), (2, 1), (1, 1), (1, 2), (1, 3)]


def _scaled(amount: int, factor: tuple[int, int]) -> int:
    return max(amount * factor[0] // factor[1], 1)


#: The currencies a catalog sells in: one, or USD and a second one the life may start in.
CURRENCIES = [("USD",), ("JPY",), ("KWD",), ("USD", "EUR"), ("USD", "JPY")]


@st.composite
def _setups(draw: st.DrawFn) -> tuple[Shop, BillingPolicy, str, datetime]:
    currencies = draw(st.sampled_from(CURRENCIES))
    monthly_only = draw(st.booleans())
    count = draw(st.integers(2, 4))
    amount = st.one_of(st.integers(1, 500_000), st.sampled_from([1, 7, 99, 2999, 100_000]))
    prices = [
        sorted(draw(st.lists(amount, min_size=count, max_size=count, unique=True)))
        for _ in currencies
    ]
    trial_days = draw(st.sampled_from([0, 1, 7, 14, 30]))
    plans = []
    for i in range(count):
        amounts = []
        for first in prices:
            price = first[i]
            amounts.append(
                (price, draw(st.sampled_from([price * 10, price * 12, price * 12 + 1, price])))
            )
        sessions = draw(st.sampled_from([None, 0, 1000]))
        overage = None
        if sessions is not None and draw(st.booleans()):
            overage = tuple(draw(st.integers(1, 5000)) for _ in currencies)
        sold = draw(st.sampled_from(["flat", "per seat", "graduated", "volume"]))
        plans.append(PlanSpec(sold, tuple(amounts), sessions, overage))
    policy = draw(_policies(monthly_only))
    zone = draw(st.sampled_from(ZONES))
    at = draw(instants(FIRST_YEAR, LAST_YEAR, zone, edges=True)).astimezone(UTC)
    version = draw(
        st.none()
        | st.builds(
            lambda days: CatalogVersion("v1", at - timedelta(days=days)),
            st.sampled_from([0, 1, 400]),
        )
    )
    return Shop(tuple(plans), currencies, monthly_only, trial_days, version), policy, zone, at


class Lives(RuleBasedStateMachine):
    """Random lives of one subscription each."""

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog
        self.shop: Shop
        self.policy: BillingPolicy
        self.sub: Subscription
        self.oracle: Oracle
        self.zone = "UTC"
        self.currency = "USD"
        self.published = 0  # catalog versions published in this life
        self.monthly_only = False
        self.charges: list[int] = []
        self.credits: list[int] = []
        self.invoiced: set[str] = set()
        self.keys: dict[str, tuple[str, int]] = {}
        self.in_flight: list[tuple[str, str]] = []  # (attempt key, invoice id)
        self.answered: list[tuple[str, str, PaymentOutcome, datetime]] = []
        self.steps: list[str] = []
        self.collected: dict[str, int] = {}  # attempt key → minor units it collected
        self.refunded: dict[str, int] = {}  # attempt key → minor units refunded of it
        self.tax: CustomerTax | None = None  # the customer's tax, as this test set it
        self.taxes: TaxBook
        self.book = CreditBook()
        self.redeemed = 0  # coupons redeemed in this life

    # -- set-up --

    @initialize(
        setup=_setups(),
        plan=st.integers(0, 3),
        yearly=st.booleans(),
        with_trial=st.booleans(),
        card=st.booleans(),
        in_zone=st.booleans(),
        seats=st.integers(1, 12),
        second=st.booleans(),
        tax=customer_taxes(),
        coupon=st.none() | coupons(),
    )
    def start(
        self,
        setup: tuple[Shop, BillingPolicy, str, datetime],
        plan: int,
        yearly: bool,
        with_trial: bool,
        card: bool,
        in_zone: bool,
        seats: int,
        second: bool,
        tax: CustomerTax | None,
        coupon: CouponSpec | None,
    ) -> None:
        self.shop, self.policy, self.zone, at = setup
        self.catalog = self.shop.catalog()
        self.monthly_only = self.shop.monthly_only
        # A catalog in two currencies: half the lives start in the second (EUR or JPY).
        self.currency = self.shop.currencies[-1 if second else 0]
        CHECKED["lives"] += 1
        CHECKED[f"lives in {self.currency}"] += 1
        plan_id = self.catalog.ids[plan % len(self.catalog.ids)]
        interval = YEARLY if yearly and not self.monthly_only else MONTHLY
        o = self.oracle = Oracle(self.policy, self.catalog, self.zone, self.currency)
        o.plan, o.interval, o.card = plan_id, interval, card
        o.rate = o.offered(plan_id, interval)
        o.quantity = seats if self.catalog.plan(plan_id).unit is not None else 1
        given = express(at, self.zone, in_zone)
        self.tax = tax
        self.taxes = TaxBook(
            per_invoice=self.policy.tax_rounding is TaxRounding.PER_INVOICE,
            pending_charges=self.policy.proration_billing
            in {ProrationBilling.PENDING_ITEMS, ProrationBilling.NEXT_INVOICE},
        )
        self.taxes.had(tax)
        drawn = None if coupon is None else self._coupon(coupon, plan_id)
        self.steps.append(
            f"start {plan_id} {interval}×{o.quantity} {self.currency} at {given.isoformat()}"
            f" trial={with_trial} tax={tax} coupon={drawn}"
        )
        decision = start_subscription(
            "sub",
            "cus",
            plan_id,
            interval,
            given,
            catalog=self.catalog,
            time_zone=self.zone,
            trial=with_trial,
            has_payment_method=card,
            policy=self.policy,
            quantity=o.quantity,
            currency=self.currency,
            tax=tax,
            coupon=drawn,
        )
        assert isinstance(decision, Decision), decision
        trial_days = self.catalog.plan(plan_id).trial_days
        if with_trial and trial_days > 0:
            o.status = Status.TRIALING
            wall = at.astimezone(o.tz).replace(tzinfo=None, fold=0) + timedelta(days=trial_days)
            o.trial_end = wall.replace(tzinfo=o.tz, fold=0).astimezone(UTC)
        if drawn is not None:
            self._redeemed(drawn, at)
        if o.status is not Status.TRIALING:
            o.status = Status.ACTIVE
            o.start_billing(at)
        self._take(None, decision, "start")
        self._check_model()

    # -- the core of every step --

    def _take(self, before: Subscription | None, decision: Decision, cause: str) -> None:  # noqa: C901, PLR0912 - one check per invariant
        unpaid = self._unpaid_since(before, decision)
        for effect in decision.effects:
            if isinstance(effect, ChargeInvoice):
                # (c) charges only from billing states, conversions and returns from
                # suspension — and the final invoice settling what was billed in arrears.
                # A top-up is bought, not billed for time: in any status but ended.
                final = effect.invoice.reason in {InvoiceReason.FINAL, InvoiceReason.TOP_UP}
                if before is not None and not final:
                    assert before.status is not Status.ENDED, cause
                    if before.status is Status.SUSPENDED:
                        assert cause in {"reinstate", "card", "payment"}, cause
                        assert decision.subscription.status is not Status.SUSPENDED or (
                            cause == "card"
                        ), cause
                    if before.status is Status.TRIALING and cause != "advance":
                        raise AssertionError(f"{cause} charged during a trial")
                    if (
                        unpaid is not None
                        and _utc(effect.invoice.issued_at) >= unpaid
                        and marked_unpaid(decision.subscription, self.policy)
                        and effect.invoice.reason is InvoiceReason.RENEWAL
                        and effect.amount.is_positive()  # paid by credit: nothing collected
                        and (before.open_invoice(effect.invoice.id) is None or held(before, effect))
                    ):
                        raise AssertionError(f"{cause}: a renewal charged while marked unpaid")
                # (d) a key always names the same invoice and amount
                self._key(effect)
                if effect.amount.is_positive() and all(
                    k != effect.idempotency_key for k, _ in self.in_flight
                ):
                    self.in_flight.append((effect.idempotency_key, effect.invoice.id))
        if before is not None:
            # (e) only along the diagram; (f) with its notice
            after = decision.subscription.status
            if after is not before.status:
                assert _reachable(before.status.value, after.value), (before.status, after)
                kinds = {n.kind.value for n in decision.notices}
                assert kinds & NOTICE_FOR_STATUS[after], (before.status, after, kinds)
        # (h) the decision names the next instant time alone changes something
        assert decision.next_wakeup == next_wakeup(decision.subscription, policy=self.policy), cause
        self._currency_and_prices(decision, cause)
        issued = [
            *decision.invoices,
            # Issued but held while marked unpaid: charged later, billed now.
            *(item.invoice for item in decision.subscription.open_invoices if item.attempts == 0),
        ]
        new = []
        for invoice in issued:
            if invoice.id not in self.invoiced:  # a retry charges the same invoice again
                self.invoiced.add(invoice.id)
                new.append(invoice)
                self.taxes.invoice(invoice, self.tax)
                if invoice.reason is not InvoiceReason.TOP_UP:  # credit bought: not time
                    self.charges.extend(line.amount.minor for line in invoice.lines)
        for note in decision.credit_notes:
            self.taxes.note(note)
            self.book.balance += note.to_balance.minor
            self.credits.extend(
                line.amount.minor for line in note.lines if line.kind is not LineKind.GRANTED_CREDIT
            )
        self._credit(decision, new, cause)
        self._refunds(decision, cause)
        self.sub = decision.subscription

    def _credit(self, decision: Decision, new: list[Invoice], cause: str) -> None:
        """The balance kept here: top-ups paid, invoices paid from it, grants expired."""
        book = self.book
        for notice in _notices(decision, NoticeKind.CREDIT_ADDED):
            invoice_id = _fact(notice, FactName.INVOICE)
            assert isinstance(invoice_id, str)
            assert cause == "payment", (cause, notice)
            assert invoice_id in book.top_ups, notice
            amount = _fact(notice, FactName.AMOUNT)
            assert isinstance(amount, Money)
            assert amount.minor == book.top_ups.pop(invoice_id), notice
            book.balance += amount.minor
            CHECKED["top-ups paid"] += 1
        book.events(new, _utc(decision.subscription.processed_until))
        expired = [_fact(n, FactName.AMOUNT) for n in _notices(decision, NoticeKind.CREDIT_EXPIRED)]
        assert sorted(m.minor for m in expired if isinstance(m, Money)) == sorted(book.expired), (
            f"{cause}: expired {expired}, expected {book.expired}"
        )
        CHECKED["grants expired"] += len(book.expired)
        book.expired.clear()

    def _currency_and_prices(self, decision: Decision, cause: str) -> None:
        """(j) one currency per life; (k) a new price takes effect at a renewal only."""
        strays = {str(m) for m in _moneys(decision) if m.currency.code != self.currency}
        assert not strays, f"{cause}: money in another currency than {self.currency}: {strays}"
        if cause != "advance":
            assert not _notices(decision, NoticeKind.PRICE_CHANGED), cause

    def _refunds(self, decision: Decision, cause: str) -> None:
        """(i) refunds name collected payments and never exceed them; they sum to the notes'."""
        refunds = [e for e in decision.effects if isinstance(e, RefundPayment)]
        for refund in refunds:
            collected = self.collected.get(refund.attempt_key)
            assert collected is not None, f"{cause}: refund of {refund.attempt_key}, never paid"
            assert self.keys[refund.attempt_key][0] == refund.invoice_id, cause
            assert refund.amount.is_positive(), cause
            total = self.refunded.get(refund.attempt_key, 0) + refund.amount.minor
            assert total <= collected, (
                f"{cause}: {refund.attempt_key} refunded {total} > {collected}"
            )
            self.refunded[refund.attempt_key] = total
            CHECKED["refunds"] += 1
        for note in decision.credit_notes:
            parts = sum(r.amount.minor for r in refunds if r.credit_note_number == note.number)
            assert parts == (0 if note.refunded is None else note.refunded.minor), (
                f"{cause}: refunds {parts} for {note.number}, refunded {note.refunded}"
            )

    def _unpaid_since(self, before: Subscription | None, decision: Decision) -> datetime | None:
        """Since when, in this step, the subscription is marked unpaid (None: not at all)."""
        if before is not None and self.oracle.unpaid:
            return datetime.min.replace(tzinfo=UTC)
        if self.policy.retries_exhausted is not RetriesExhausted.MARK_UNPAID:
            return None
        ran_out = [
            _utc(n.at) for n in decision.notices if n.kind is NoticeKind.FINAL_ATTEMPT_FAILED
        ]
        return min(ran_out, default=None)

    def _key(self, effect: ChargeInvoice) -> None:
        seen = self.keys.setdefault(
            effect.idempotency_key, (effect.invoice.id, effect.amount.minor)
        )
        assert seen == (effect.invoice.id, effect.amount.minor), (
            f"key {effect.idempotency_key} names {seen}, now "
            f"{(effect.invoice.id, effect.amount.minor)}"
        )

    def _replayed(self, call: Callable[[], Decision | Refused], cause: str) -> Decision | Refused:
        CHECKED["steps"] += 1
        before = self.sub
        try:
            result = call()
        except Exception as error:
            error.add_note(self._story())
            raise
        assert call() == result  # (g) same inputs, same outputs
        if isinstance(result, Decision):
            self._take(before, result, cause)
        return result

    def _instant(self, edge: int, jitter: int, spread: int) -> datetime:
        """An instant at or after processed_until, biased to the edges the oracle knows."""
        now = _utc(self.sub.processed_until)
        o = self.oracle
        marks: list[datetime] = []
        if o.period is not None:
            marks += [o.period.end, o.period.cycle.boundary(o.period.index + 2)]
        if o.trial_end is not None:
            marks.append(o.trial_end)
        marks += [t for t in transitions(self.zone) if t > now][:2]
        offsets = [0, 1, -1, 3600, -3600, 86_400, -86_400]
        if edge < len(marks):
            at = marks[edge] + timedelta(seconds=offsets[jitter % len(offsets)])
        elif edge == len(marks):
            at = now + timedelta(seconds=offsets[jitter % 2])  # now, or one second later
        else:
            at = now + timedelta(seconds=spread)
        return max(at, now)

    def _advance_to(self, at: datetime, usage: Usage | None = None) -> None:
        """Advance (as a step of its own) to ``at``."""
        self._advance(at, usage, in_zone=False)

    def _advance(self, until: datetime, usage: Usage | None, *, in_zone: bool) -> None:
        given = express(until, self.zone, in_zone)
        sub = self.sub

        def each_period(usage: Usage | None) -> Callable[[BillingPeriod], Usage] | None:
            # The same counts for every period that ends: one Usage describes one period.
            return None if usage is None else lambda _period: usage

        def call() -> Decision | Refused:
            return advance(
                sub, given, catalog=self.catalog, policy=self.policy, usage=each_period(usage)
            )

        self.steps.append(f"advance to {given.isoformat()} usage={usage}")
        result = self._replayed(call, "advance")
        assert isinstance(result, Decision)
        if usage is not None:
            # The nightly job re-run with different usage must not reuse a key for another amount.
            other = Usage.of(
                properties=usage.get("properties"), **{SESSIONS: usage.get(SESSIONS) + 500}
            )
            for effect in advance(
                sub, given, catalog=self.catalog, policy=self.policy, usage=each_period(other)
            ).effects:
                if isinstance(effect, ChargeInvoice):
                    self._key(effect)
        o = self.oracle
        for notice in result.notices:
            t = _utc(notice.at)
            kind = notice.kind
            if kind not in {
                NoticeKind.ACCOUNT_SUSPENDED,
                NoticeKind.SUBSCRIPTION_ENDED,
                NoticeKind.FINAL_ATTEMPT_FAILED,
            }:
                continue
            o.run_until(t, usage, inclusive=False)
            if o.ends_or_suspends_at(t):
                continue
            self._dunning(kind, t)
        o.run_until(_utc(until), usage, inclusive=True)
        self._converted(result)
        # (k) each new price taken at a renewal is announced there
        announced = [_utc(n.at) for n in _notices(result, NoticeKind.PRICE_CHANGED)]
        assert announced == o.price_changes, f"PRICE_CHANGED at {announced}, {o.price_changes}"
        o.price_changes.clear()
        ended = len(_notices(result, NoticeKind.DISCOUNT_ENDED))
        assert not o.window_known or ended == o.discounts_ended, (
            f"DISCOUNT_ENDED {ended} times, expected {o.discounts_ended}\n{self._story()}"
        )
        o.discounts_ended = 0

    def _converted(self, result: Decision) -> None:
        """A conversion without a card that owes nothing leaves it active, not past due."""
        o = self.oracle
        for invoice in result.invoices:
            if (
                invoice.reason is InvoiceReason.TRIAL_CONVERSION
                and not invoice.amount_due.is_positive()
                and o.status is Status.PAST_DUE
                and not o.card
            ):
                o.status = Status.ACTIVE
                o.log.append(f"conversion owes nothing {invoice.issued_at}")

    def _dunning(self, kind: NoticeKind, t: datetime) -> None:
        """A status change time made because payment failed (seen in a notice)."""
        o = self.oracle
        if o.status not in BILLING:
            return
        if kind is NoticeKind.ACCOUNT_SUSPENDED:
            o.status = Status.SUSPENDED
            o.suspension = Suspension(SuspensionReason.PAYMENT_FAILED, t, Status.ACTIVE)
            o.log.append(f"suspended for payment {t}")
        elif kind is NoticeKind.SUBSCRIPTION_ENDED:
            o.end(t)
        elif self.policy.retries_exhausted is RetriesExhausted.MARK_UNPAID:
            o.unpaid = True
            o.log.append(f"unpaid {t}")

    def _command_at(self, edge: int, jitter: int, spread: int) -> datetime:
        at = self._instant(edge, jitter, spread)
        self._advance_to(at)
        return at

    def _observe(self, before: Status, at: datetime, result: Decision | Refused) -> None:
        """Status changes a payment or a new card made at ``at``."""
        if not isinstance(result, Decision):
            return
        o = self.oracle
        after = result.subscription.status
        kinds = {n.kind for n in result.notices}
        if before is Status.SUSPENDED and after is not Status.SUSPENDED:
            s = o.suspension
            if s is not None and s.reason is SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD:
                o.status = Status.ACTIVE
                o.suspension = None
                o.start_billing(at)
            elif after is Status.ENDED:
                o.end(at)
            else:
                o.resume(at, credit=False)
                o.status = after
        elif before in BILLING:
            if after is Status.SUSPENDED:
                o.status = Status.SUSPENDED
                o.suspension = Suspension(SuspensionReason.PAYMENT_FAILED, at, Status.ACTIVE)
            elif after is Status.ENDED:
                o.end(at)
            else:
                if o.unpaid and not marked_unpaid(result.subscription, self.policy):
                    # The invoice whose retries ran out was paid (other invoices may still be
                    # overdue); billing went on while unpaid: nothing to resume.
                    o.unpaid = False
                if (
                    NoticeKind.FINAL_ATTEMPT_FAILED in kinds
                    and self.policy.retries_exhausted is RetriesExhausted.MARK_UNPAID
                ):
                    o.unpaid = True
                o.status = after

    # -- rules --

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 400),
        sessions=st.none() | st.sampled_from([0, 999, 1000, 1001, 250_000]),
        properties=st.integers(0, 12),
        in_zone=st.booleans(),
        seats=st.integers(0, 12),
    )
    def time_passes(
        self,
        edge: int,
        jitter: int,
        spread: int,
        sessions: int | None,
        properties: int,
        in_zone: bool,
        seats: int,
    ) -> None:
        until = self._instant(edge, jitter, spread)
        usage = (
            None
            if sessions is None
            else Usage.of(properties=properties, seats=seats, **{SESSIONS: sessions})
        )
        self._advance(until, usage, in_zone=in_zone)

    @rule(
        plan=st.integers(0, 3),
        yearly=st.booleans(),
        properties=st.integers(0, 12),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def change(
        self,
        plan: int,
        yearly: bool,
        properties: int,
        edge: int,
        jitter: int,
        spread: int,
        in_zone: bool,
    ) -> None:
        at = self._command_at(edge, jitter, spread)
        self._change(
            plan,
            YEARLY if yearly and not self.monthly_only else MONTHLY,
            properties,
            at,
            in_zone=in_zone,
        )

    def _change(
        self, plan: int, interval: Interval, properties: int, at: datetime, *, in_zone: bool
    ) -> None:
        plan_id = self.catalog.ids[plan % len(self.catalog.ids)]
        usage = Usage.of(properties=properties)
        given = express(at, self.zone, in_zone)
        sub, o = self.sub, self.oracle
        self.steps.append(f"change_plan {plan_id} {interval} at {given.isoformat()} {usage}")
        own = (plan_id, interval) == (o.plan, o.interval)  # a quantity change, at its own price
        retired = self.catalog.plan(plan_id).retired and not own
        try:
            result = self._replayed(
                lambda: change_plan(
                    sub,
                    plan_id,
                    interval,
                    given,
                    catalog=self.catalog,
                    usage=usage,
                    policy=self.policy,
                ),
                "change",
            )
        except RetiredPlanError:
            assert retired, f"RetiredPlanError for {plan_id}, which is for sale"
            CHECKED["changes to a retired plan refused"] += 1
            return
        # A status that allows no change is refused first, as a value.
        assert not retired or (isinstance(result, Refused) and result.reason in STATUS_REFUSALS), (
            f"a change to the retired plan {plan_id} was not refused: {result}"
        )
        rate = o.rate if own else o.offered(plan_id, interval)
        self._changed(at, result, plan_id, interval, o.quantity_after(plan_id), rate)

    def _changed(
        self,
        at: datetime,
        result: Decision | Refused,
        plan_id: str,
        interval: Interval,
        quantity: int,
        rate: Rate,
    ) -> None:
        """A change to ``quantity`` of ``plan_id`` at ``interval`` decided: now, later or undone."""
        o = self.oracle
        if isinstance(result, Refused):
            if result.reason is RefusalReason.CHANGE_PENDING:  # seats wait for a later new price
                migration = o.migration()
                assert migration is not None, result
                assert migration.effective_at > o.period_ends()[0], result
            return
        kinds = {n.kind for n in result.notices}
        if kinds & {NoticeKind.UPGRADE_SCHEDULED, NoticeKind.DOWNGRADE_SCHEDULED}:
            migration = o.migration()
            if migration is not None and (plan_id, interval) == (o.plan, o.interval):
                rate = migration.rate  # the seats at the new price due at that period end
            o.pending = Pending(plan_id, interval, quantity, rate, o.period_ends()[0])
        elif NoticeKind.DOWNGRADE_CANCELLED in kinds:
            o.pending = o.migration()  # the scheduled change undone; a new price stays
        else:
            o.change(at, plan_id, interval, quantity, rate)

    @rule(
        quantity=st.integers(1, 12),
        seats=st.just(0) | st.integers(0, 12),  # half the time no seat in use: fewer fits
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def change_seats(
        self, quantity: int, seats: int, edge: int, jitter: int, spread: int, in_zone: bool
    ) -> None:
        """More or fewer seats (any quantity on a plan sold per seat, 1 on a flat one)."""
        at = self._command_at(edge, jitter, spread)
        o = self.oracle
        if self.catalog.plan(o.plan).unit is None:
            quantity = 1
        usage = Usage.of(seats=seats)
        given = express(at, self.zone, in_zone)
        sub = self.sub
        self.steps.append(f"change_quantity {quantity} at {given.isoformat()} {usage}")
        result = self._replayed(
            lambda: change_quantity(
                sub, quantity, given, catalog=self.catalog, usage=usage, policy=self.policy
            ),
            "change_quantity",
        )
        self._changed(at, result, o.plan, o.interval, quantity, o.rate)

    @rule(
        factors=st.lists(st.sampled_from(FACTORS), min_size=4, max_size=4),
        overage=st.lists(st.sampled_from(FACTORS), min_size=4, max_size=4),
        retire=st.lists(st.integers(0, 5), min_size=4, max_size=4),
        days=st.sampled_from([-40, 0, 10, 45, 120]),
    )
    def publish(
        self,
        factors: list[tuple[int, int]],
        overage: list[tuple[int, int]],
        retire: list[int],
        days: int,
    ) -> None:
        """A new catalog version: the same plans, some prices up or down, a plan maybe retired."""
        shop, now = self.shop, _utc(self.sub.processed_until)
        effective = now + timedelta(days=days)
        if shop.version is not None:
            effective = max(effective, shop.version.effective_at)
        plans = tuple(
            attrs.evolve(
                spec,
                amounts=tuple((_scaled(m, f), _scaled(y, f)) for m, y in spec.amounts),
                overage=spec.overage and tuple(_scaled(a, g) for a in spec.overage),
                retired=spec.retired or r == 0,
            )
            for spec, f, g, r in zip(shop.plans, factors, overage, retire, strict=False)
        )
        self.shop = attrs.evolve(
            shop,
            plans=plans,
            version=CatalogVersion(f"v{self.published + 2}", effective),
        )
        catalog = self.shop.catalog()
        if self.catalog.version is not None:  # a catalog without one is replaced as it stands
            check_new_version(self.catalog, catalog)
        self.catalog = self.oracle.catalog = catalog
        self.steps.append(f"publish {self.shop.version} {plans}")
        self.published += 1
        CHECKED["versions published"] += 1

    @precondition(lambda self: getattr(self, "published", 0) > 0)
    @rule(
        when=st.none() | st.integers(0, 3),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 60),
        in_zone=st.booleans(),
    )
    def migrate(self, when: int | None, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        """``migrate_price`` to the next period end, or to one of the next ones."""
        at = self._command_at(edge, jitter, spread)
        o, sub = self.oracle, self.sub
        ends = o.period_ends()
        wanted = ends[when] if when is not None and ends else None
        given = express(at, self.zone, in_zone)
        effective_at = None if wanted is None else express(wanted, self.zone, not in_zone)
        self.steps.append(f"migrate_price at {given.isoformat()} effective_at={effective_at}")
        expected = o.migration_outcome(at, wanted)
        result = self._replayed(
            lambda: migrate_price(
                sub, given, catalog=self.catalog, policy=self.policy, effective_at=effective_at
            ),
            "migrate",
        )
        if isinstance(result, Refused):
            assert result.reason is expected, f"{result}, expected {expected}"
            CHECKED[f"migrations refused ({result.reason.value})"] += 1
            return
        assert isinstance(expected, Pending), f"migrated, expected {expected}"
        # The notice goes out now, naming the period end and both amounts at the quantity.
        (notice,) = _notices(result, NoticeKind.PRICE_CHANGE_SCHEDULED)
        quantity = o.quantity if expected.quantity is None else expected.quantity
        before = o.rate if o.pending is None else o.pending.rate
        end = _fact(notice, FactName.EFFECTIVE_AT)
        assert isinstance(end, datetime)
        assert (_utc(notice.at), _utc(end)) == (
            at,
            expected.effective_at,
        ), notice
        amounts = (_fact(notice, FactName.OLD_AMOUNT), _fact(notice, FactName.NEW_AMOUNT))
        assert [a.minor for a in amounts if isinstance(a, Money)] == [
            before.cost(quantity),
            expected.rate.cost(quantity),
        ], notice
        o.pending = expected
        o.log.append(f"migrate to {expected.rate.price} at {expected.effective_at}")
        CHECKED["migrations scheduled"] += 1

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def cancel(self, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        at = self._command_at(edge, jitter, spread)
        self._cancel(at, in_zone=in_zone)

    def _cancel(self, at: datetime, *, in_zone: bool) -> None:
        given = express(at, self.zone, in_zone)
        sub = self.sub
        self.steps.append(f"cancel at {given.isoformat()}")
        result = self._replayed(lambda: cancel(sub, given, policy=self.policy), "cancel")
        if not isinstance(result, Decision):
            return
        o = self.oracle
        if (
            o.status is Status.TRIALING
            and self.policy.trial_cancellation is TrialCancellation.SUSPEND_NOW
        ):
            o.status = Status.SUSPENDED
            o.suspension = Suspension(SuspensionReason.TRIAL_CANCELLED, at, Status.TRIALING)
        elif o.status is Status.SUSPENDED:
            o.end(at)
        else:
            o.cancel_pending = True
            o.pending = None

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def undo(self, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        at = self._command_at(edge, jitter, spread)
        given = express(at, self.zone, in_zone)
        sub = self.sub
        self.steps.append(f"undo_cancel at {given.isoformat()}")
        result = self._replayed(lambda: undo_cancel(sub, given, policy=self.policy), "undo")
        if isinstance(result, Decision):
            self.oracle.cancel_pending = False

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def suspend(self, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        at = self._command_at(edge, jitter, spread)
        self._suspend(at, in_zone=in_zone)

    def _suspend(self, at: datetime, *, in_zone: bool) -> None:
        given = express(at, self.zone, in_zone)
        sub = self.sub
        self.steps.append(f"suspend at {given.isoformat()}")
        result = self._replayed(lambda: suspend(sub, given, policy=self.policy), "suspend")
        if isinstance(result, Decision):
            o = self.oracle
            o.suspension = Suspension(SuspensionReason.POLICY_VIOLATION, at, o.status)
            o.status = Status.SUSPENDED

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 80),
        in_zone=st.booleans(),
    )
    def reinstate(self, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        at = self._command_at(edge, jitter, spread)
        given = express(at, self.zone, in_zone)
        sub = self.sub
        self.steps.append(f"reinstate at {given.isoformat()}")
        result = self._replayed(
            lambda: reinstate(sub, given, catalog=self.catalog, policy=self.policy), "reinstate"
        )
        if not isinstance(result, Decision):
            return
        o = self.oracle
        s = o.suspension
        assert s is not None, "reinstated without a suspension the oracle knows of"
        if s.was is Status.TRIALING:
            o.suspension = None
            assert o.trial_end is not None
            if at < o.trial_end:
                o.status = Status.TRIALING
            else:
                o.status = Status.ACTIVE
                o.start_billing(at)
        else:
            o.resume(at, credit=self.policy.suspended_time is SuspendedTime.CREDITED)
            o.status = s.was

    @rule(
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 20),
        in_zone=st.booleans(),
    )
    def new_card(self, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        at = self._command_at(edge, jitter, spread)
        given = express(at, self.zone, in_zone)
        sub = self.sub
        before = sub.status
        self.steps.append(f"update_payment_method at {given.isoformat()}")
        result = self._replayed(
            lambda: update_payment_method(sub, given, catalog=self.catalog, policy=self.policy),
            "card",
        )
        self.oracle.card = True
        self._observe(before, at, result)

    @rule(
        pick=st.integers(0, 10),
        outcome=st.sampled_from(OUTCOMES),
        seconds=st.sampled_from([0, 1, 60, 3600, 86_400 * 3]),
        in_zone=st.booleans(),
    )
    def payment(self, pick: int, outcome: PaymentOutcome, seconds: int, in_zone: bool) -> None:
        if not self.in_flight:
            return
        key, invoice_id = self.in_flight.pop(pick % len(self.in_flight))
        at = _utc(self.sub.processed_until) + timedelta(seconds=seconds)
        self._advance_to(at)
        self._pay(key, invoice_id, outcome, at, in_zone=in_zone)

    def _pay(
        self, key: str, invoice_id: str, outcome: PaymentOutcome, at: datetime, *, in_zone: bool
    ) -> None:
        given = express(at, self.zone, in_zone)
        sub = self.sub
        before = sub.status
        self.steps.append(f"record_payment {invoice_id} ({key}) {outcome} at {given.isoformat()}")
        result = self._replayed(
            lambda: pay(sub, key, invoice_id, outcome, given, self.catalog, self.policy), "payment"
        )
        self.answered.append((key, invoice_id, outcome, at))
        if isinstance(outcome, Succeeded) and isinstance(result, Decision):
            self.collected[key] = self.keys[key][1]
        self._observe(before, at, result)

    @precondition(lambda self: bool(getattr(self, "answered", None)))
    @rule(pick=st.integers(0, 10))
    def duplicate_outcome(self, pick: int) -> None:
        """A webhook delivered twice: the second changes nothing (counts nothing twice)."""
        key, invoice_id, outcome, _ = self.answered[pick % len(self.answered)]
        if any(k == key for k, _ in self.in_flight):
            return
        at = _utc(self.sub.processed_until)
        sub = self.sub
        self.steps.append(
            f"duplicate record_payment {invoice_id} ({key}) {outcome} at {at.isoformat()}"
        )
        result = pay(sub, key, invoice_id, outcome, at, self.catalog, self.policy)
        if isinstance(result, Decision):
            assert result.effects == (), f"duplicate outcome of {key} had effects {result.effects}"
            assert result.subscription.evolve(processed_until=sub.processed_until) == sub, (
                f"duplicate outcome of {key} changed the subscription"
            )

    @rule(
        goal=st.sampled_from(
            ["past_due", "suspended", "cancel_pending", "pending_change", "exhausted"]
        )
    )
    def steer(self, goal: str) -> None:
        """Drive the life into a state commands must also be tried in."""
        now = _utc(self.sub.processed_until)
        if goal == "past_due" and self.in_flight:
            key, invoice_id = self.in_flight.pop()
            self._pay(key, invoice_id, Declined(DeclineKind.SOFT), now, in_zone=False)
        elif goal == "exhausted" and self.in_flight:
            key, invoice_id = self.in_flight.pop()
            self._pay(key, invoice_id, Declined(DeclineKind.HARD), now, in_zone=True)
            self._advance_to(now + timedelta(days=22))
        elif goal == "suspended":
            self._suspend(now, in_zone=True)
        elif goal == "cancel_pending":
            self._cancel(now, in_zone=False)
        elif goal == "pending_change":
            self._change(0, self.sub.interval, 0, now, in_zone=False)

    # -- issue 18's money: coupons, taxes, prepaid credit --

    def _coupon(self, spec: CouponSpec, own: str) -> Coupon:
        self.redeemed += 1
        return spec.coupon(self.redeemed, self.currency, self.catalog.ids, own)

    def _redeemed(self, coupon: Coupon, at: datetime, *, waiting: bool = False) -> None:
        """The oracle takes ``coupon`` redeemed at ``at``: a window it predicts, or a bound.

        ``waiting``: a proration charge made at ``at`` waits for the next invoice, which
        discounts it unless it was taxed meanwhile (the order within an instant is not
        on record): bounded only.
        """
        o = self.oracle
        CHECKED[f"coupons redeemed ({coupon.duration.value})"] += 1
        predicted = not waiting and (
            o.status is Status.TRIALING
            or (o.status in BILLING and (o.period is None or at < o.period.end))
        )
        if coupon.percent_off is None or not predicted:
            # An amount off, or a window the oracle does not work out: only bounded.
            o.discount, o.loose, o.window_known = None, True, False
            o.log.append(f"coupon {coupon.describe()} at {at}: bounded only")
            return
        periods = None
        if coupon.duration is not CouponDuration.FOREVER:
            periods = coupon.periods if coupon.periods is not None else 1
        factor = 1 - Fraction(coupon.percent_off) / 100
        o.discount = Window(at, o.window_end(at, periods), factor, coupon.plans)
        o.window_known = True
        CHECKED["percentages off predicted"] += 1
        o.log.append(f"coupon {o.discount}")

    def _decided(self, result: Decision | Refused) -> bool:
        """Whether ``result`` decided: refused on an ended subscription, decided otherwise."""
        if self.oracle.status is Status.ENDED:
            assert isinstance(result, Refused), result
            return False
        assert isinstance(result, Decision), result
        return True

    @rule(
        spec=coupons(),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        in_zone=st.booleans(),
    )
    def redeem(self, spec: CouponSpec, edge: int, jitter: int, spread: int, in_zone: bool) -> None:
        """A coupon redeemed mid-life: refused when ended or not for the plan."""
        at = self._command_at(edge, jitter, spread)
        coupon = self._coupon(spec, self.catalog.ids[-1])
        given = express(at, self.zone, in_zone)
        sub, o = self.sub, self.oracle
        self.steps.append(f"redeem_coupon {coupon} at {given.isoformat()}")
        result = self._replayed(
            lambda: redeem_coupon(
                sub, coupon, given, times_redeemed=0, catalog=self.catalog, policy=self.policy
            ),
            "redeem",
        )
        if o.status is Status.ENDED:
            assert isinstance(result, Refused), result
            assert result.reason is RefusalReason.NOT_ALLOWED_IN_STATUS, result
        elif not coupon.applies_to(o.plan):
            assert isinstance(result, Refused), result
            assert result.reason is RefusalReason.COUPON_NOT_FOR_PLAN, result
        else:
            assert isinstance(result, Decision), result
            assert [n.kind for n in result.notices] == [NoticeKind.DISCOUNT_APPLIED], result
            waiting = any(
                line.kind is LineKind.PRORATION_CHARGE and _utc(line.start) == at
                for line in sub.pending_lines
            )
            self._redeemed(coupon, at, waiting=waiting)

    @rule(
        tax=customer_taxes(),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
    )
    def new_tax(self, tax: CustomerTax | None, edge: int, jitter: int, spread: int) -> None:
        """The customer's tax changes: invoices issued from now on; billed time keeps its tax."""
        at = self._command_at(edge, jitter, spread)
        sub = self.sub
        self.steps.append(f"update_tax {tax} at {at.isoformat()}")
        result = self._replayed(lambda: update_tax(sub, tax, at, policy=self.policy), "tax")
        if not self._decided(result):
            return
        assert isinstance(result, Decision)
        assert result.effects == (), result
        self.tax = tax
        self.taxes.had(tax)
        CHECKED["taxes updated"] += 1

    @rule(
        amount=st.sampled_from(["1", "20", "1000"]),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
        outcome=st.none() | st.sampled_from(OUTCOMES),
    )
    def buy_credit(
        self, amount: str, edge: int, jitter: int, spread: int, outcome: PaymentOutcome | None
    ) -> None:
        """A top-up: an invoice charged now (not taxed, not from the balance), credit once paid.

        Its payment is answered at once (``outcome``), or later by ``payment``.
        """
        at = self._command_at(edge, jitter, spread)
        sub, money = self.sub, Money.of(amount, self.currency)
        self.steps.append(f"top_up {money} at {at.isoformat()}")
        result = self._replayed(lambda: top_up(sub, money, at, policy=self.policy), "top_up")
        if not self._decided(result):
            return
        assert isinstance(result, Decision)
        (invoice,) = result.invoices
        assert invoice.reason is InvoiceReason.TOP_UP, invoice
        assert invoice.total == money, invoice
        self.book.top_ups[invoice.id] = money.minor
        CHECKED["top-ups"] += 1
        (charge,) = [e for e in result.effects if isinstance(e, ChargeInvoice)]
        if outcome is not None:
            self.in_flight.remove((charge.idempotency_key, invoice.id))
            self._pay(charge.idempotency_key, invoice.id, outcome, at, in_zone=False)

    @rule(
        amount=st.sampled_from(["1", "20", "1000"]),
        expiry=st.sampled_from([None, 3600, 86_400 * 10, 86_400 * 60]),
        edge=st.integers(0, 6),
        jitter=st.integers(0, 6),
        spread=st.integers(0, 86_400 * 40),
    )
    def give_credit(
        self, amount: str, expiry: int | None, edge: int, jitter: int, spread: int
    ) -> None:
        """A grant to the balance, expiring when given, by policy, or never."""
        at = self._command_at(edge, jitter, spread)
        sub, money = self.sub, Money.of(amount, self.currency)
        expires_at = None if expiry is None else at + timedelta(seconds=expiry)
        self.steps.append(f"grant_credit {money} at {at.isoformat()} expires {expires_at}")
        result = self._replayed(
            lambda: grant_credit(
                sub, money, at, reason="goodwill", expires_at=expires_at, policy=self.policy
            ),
            "grant",
        )
        if not self._decided(result):
            return
        assert isinstance(result, Decision)
        (note,) = result.credit_notes
        days = self.policy.granted_credit_days
        if expires_at is None and days is not None:  # the policy's local days later
            tz = self.oracle.tz
            wall = at.astimezone(tz).replace(tzinfo=None, fold=0) + timedelta(days=days)
            expires_at = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
        self.book.grant(note.number, money.minor, expires_at)
        CHECKED["grants"] += 1

    # -- invariants --

    def _story(self) -> str:
        """The last steps and what the oracle made of them, for a failure's message."""
        return "\n".join(self.steps[-12:]) + "\noracle: " + "\n  ".join(self.oracle.log[-12:])

    def _check_model(self) -> None:
        o, sub = self.oracle, self.sub
        story = self._story()
        assert (o.status, o.plan, o.interval, o.quantity) == (
            sub.status,
            sub.plan_id,
            sub.interval,
            sub.quantity,
        ), (
            f"state: expected {(o.status, o.plan, str(o.interval), o.quantity)}, got "
            f"{(sub.status, sub.plan_id, str(sub.interval), sub.quantity)}\n{story}"
        )
        q, want = sub.pending_change, o.pending
        assert (q and (q.plan_id, q.interval, q.quantity, _utc(q.effective_at))) == (
            want and (want.plan, want.interval, want.quantity, want.effective_at)
        ), f"pending: expected {want}, got {q}\n{story}"
        pending = [*(line.amount.minor for line in sub.pending_lines)]
        net = sum(self.charges) + sum(pending) + sum(self.credits)
        expected = o.total()
        tolerance = len(self.charges) + len(pending) + 2 * len(self.credits)
        message = (
            f"charged − credited = {net}, the time cost {float(expected):.3f} "
            f"(± {tolerance})\n{story}"
        )
        assert net <= expected + tolerance, "overcharged: " + message
        assert net >= -tolerance, "credited more than charged: " + message
        if self.policy.proration_billing is not ProrationBilling.NONE and not o.loose:
            assert abs(net - expected) <= tolerance, message
        if o.window_known:
            got, w = sub.discount, o.discount
            assert (got and (_utc(got.start), got.end and _utc(got.end))) == (
                w and (w.start, w.end)
            ), f"discount: expected {w}, got {got}\n{story}"
        book = self.book
        assert sub.credit_balance.minor == book.balance, (
            f"balance {sub.credit_balance}, expected {book.balance}\n{story}"
        )
        grants = sorted((g.id, g.left.minor, _utc(g.expires_at)) for g in sub.credit_grants)
        assert grants == sorted((g.id, g.left, g.expires_at) for g in book.grants), (
            f"grants {grants}, expected {book.grants}\n{story}"
        )
        assert sum(g.left for g in book.grants) <= book.balance

    @invariant()
    def money_matches_the_oracle(self) -> None:
        """(a) charged − credited = the time's cost (full proration), never more (any policy)."""
        if hasattr(self, "sub"):
            self._check_model()

    @invariant()
    def tax_credited_never_exceeds_tax_billed(self) -> None:
        """Per rate: credited ≤ billed, and net tax within tolerance of rate × net lines."""
        if hasattr(self, "sub"):
            self.taxes.check(self.sub.pending_lines)

    @invariant()
    def credits_never_exceed_what_was_billed(self) -> None:
        """(b) per stretch credited ≤ billed; the credit balance never negative."""
        if not hasattr(self, "sub"):
            return
        assert not self.sub.credit_balance.is_negative()
        for stretch in self.sub.stretches:
            assert stretch.credited <= stretch.billed

    @invariant()
    def payments_agree_with_what_was_collected_and_refunded(self) -> None:
        """(i) each payment recorded: its amount collected, its refunds, never beyond it."""
        if not hasattr(self, "sub"):
            return
        for payment in self.sub.payments:
            key = payment.attempt_key
            assert payment.amount.minor == self.collected.get(key), (key, self.collected)
            assert payment.refunded.minor == self.refunded.get(key, 0), (key, self.refunded)
            assert 0 <= payment.refunded.minor <= payment.amount.minor, payment


TestLives = Lives.TestCase
TestLives.settings = settings(stateful_step_count=25)
