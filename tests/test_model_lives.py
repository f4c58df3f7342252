"""Model-based test of whole subscription lives, checked against an independent ledger.

Hypothesis drives random lives — start with or without a trial and a payment method, plan
and interval changes (fitting or not), cancel, undo, suspend, reinstate, payment outcomes
of every kind, new payment methods, and time passing by minutes to months across month
ends, leap days and DST changes — on random catalogs (USD, JPY, KWD), time zones and every
policy preset. After every step:

(a) conservation: everything invoiced minus everything credited equals what the time billed
    on each plan cost at list price, within one minor unit per line — recomputed here from
    the catalog's prices and this file's own count of seconds and days;
(b) a credit never exceeds what was billed for its stretch; the balance never goes negative;
(c) no charge while trialing, suspended or ended, or after a cancellation took effect;
(d) no idempotency key is reused for a different charge;
(e) the status moves only along the state diagram drawn in docs/lifecycle.md;
(f) every status change has its notice;
(g) the same inputs replayed give the same outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingPolicy,
    Catalog,
    ChargeInvoice,
    DayCount,
    Decision,
    Interval,
    InvoiceReason,
    Limits,
    Line,
    LineKind,
    Plan,
    Price,
    ProrationUnit,
    Refused,
    RoundingMode,
    Status,
    Subscription,
    Usage,
    advance,
    cancel,
    change_plan,
    next_wakeup,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
)
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    Succeeded,
)

ZONES = ["UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata"]
PRESETS = [SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE]
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

#: How many lives and steps were checked in this process (printed by `make soak`).
CHECKED = {"lives": 0, "steps": 0}


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


# --- the independent ledger -------------------------------------------------------------------


def _units(start: datetime, end: datetime, zone: str, policy: BillingPolicy) -> int:
    """Time in the policy's unit, counted here without the library's helpers."""
    if policy.proration_unit is ProrationUnit.SECOND:
        delta = end.astimezone(UTC) - start.astimezone(UTC)
        return delta.days * 86_400 + delta.seconds
    tz = ZoneInfo(zone)
    first: date = start.astimezone(tz).date()
    if end <= start:
        return 0
    if policy.day_count is DayCount.BOTH_ENDS:
        return ((end - timedelta(microseconds=1)).astimezone(tz).date() - first).days + 1
    return (end.astimezone(tz).date() - first).days


def _half(q: Fraction, *, away: bool) -> int:
    """Round to the nearest integer; a tie goes away from zero (``away``) or toward it."""
    sign = -1 if q < 0 else 1
    whole, rest = divmod(abs(q), 1)
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and away):
        whole += 1
    return sign * int(whole)


def _round(q: Fraction, mode: RoundingMode) -> int:  # noqa: PLR0911 - one return per mode
    """Round an exact value by ``mode`` with Fraction arithmetic (independent of the library)."""
    floor = q.numerator // q.denominator
    if q == floor:
        return floor
    if mode is RoundingMode.FLOOR:
        return floor
    if mode is RoundingMode.CEILING:
        return floor + 1
    if mode is RoundingMode.DOWN:
        return floor + 1 if q < 0 else floor
    if mode is RoundingMode.UP:
        return floor if q < 0 else floor + 1
    if mode is RoundingMode.HALF_EVEN:
        low, high = floor, floor + 1
        if q - low < high - q:
            return low
        if q - low > high - q:
            return high
        return low if low % 2 == 0 else high
    return _half(q, away=mode is RoundingMode.HALF_UP)


@attrs.define
class Ledger:
    """What the test saw invoiced and credited, line by line, and what that time cost."""

    charges: list[Line] = attrs.Factory(list)
    credits: list[Line] = attrs.Factory(list)

    def add(self, decision: Decision) -> None:
        for invoice in decision.invoices:
            self.charges.extend(invoice.lines)
        for note in decision.credit_notes:
            self.credits.extend(note.lines)


# --- the machine ------------------------------------------------------------------------------


class Lives(RuleBasedStateMachine):
    """Random lives of one subscription each."""

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog
        self.policy: BillingPolicy
        self.sub: Subscription
        self.ledger = Ledger()
        self.keys: dict[str, tuple[str, int]] = {}
        self.in_flight: list[str] = []

    # -- set-up --

    @initialize(
        currency=st.sampled_from(["USD", "JPY", "KWD"]),
        prices=st.lists(st.integers(1, 500_000), min_size=2, max_size=4, unique=True),
        property_limits=st.lists(st.integers(1, 20), min_size=4, max_size=4),
        trial_days=st.sampled_from([0, 7, 14]),
        preset=st.sampled_from(PRESETS),
        rounding=st.sampled_from(list(RoundingMode)),
        zone=st.sampled_from(ZONES),
        day=st.dates(min_value=date(2027, 1, 1), max_value=date(2029, 12, 31)),
        seconds=st.integers(0, 86_399),
        with_trial=st.booleans(),
        card=st.booleans(),
        yearly=st.booleans(),
    )
    def start(
        self,
        currency: str,
        prices: list[int],
        property_limits: list[int],
        trial_days: int,
        preset: BillingPolicy,
        rounding: RoundingMode,
        zone: str,
        day: date,
        seconds: int,
        with_trial: bool,
        card: bool,
        yearly: bool,
    ) -> None:
        plans = []
        for i, price in enumerate(sorted(prices)):
            monthly = Price.of(str(price), currency, MONTHLY)
            annual = Price.of(str(price * 10), currency, YEARLY)
            plans.append(
                Plan(
                    f"p{i}",
                    f"Plan {i}",
                    (monthly, annual),
                    Limits.of(properties=property_limits[i] * (i + 1)),
                    trial_days,
                )
            )
        CHECKED["lives"] += 1
        self.catalog = Catalog(tuple(plans))
        self.policy = attrs.evolve(preset, rounding=rounding)
        at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
        decision = start_subscription(
            "sub",
            "cus",
            "p0",
            YEARLY if yearly else MONTHLY,
            at,
            catalog=self.catalog,
            time_zone=zone,
            trial=with_trial,
            has_payment_method=card,
            policy=self.policy,
        )
        self._take(None, decision, "start")

    # -- the core of every step --

    def _take(self, before: Subscription | None, decision: Decision, cause: str) -> None:
        for effect in decision.effects:
            if isinstance(effect, ChargeInvoice):
                # (c) charges only from billing states, conversions and returns from
                # suspension — and the final invoice settling what was billed in arrears
                # (overage, deferred proration) when the subscription ends.
                final = effect.invoice.reason is InvoiceReason.FINAL
                if before is not None and not final:
                    assert before.status is not Status.ENDED, cause
                    if before.status is Status.SUSPENDED:
                        # Only a way out of suspension charges: reinstatement, or paying
                        # the overdue invoice (a new card retries it; success resumes).
                        assert cause in {"reinstate", "card", "payment"}, cause
                        assert decision.subscription.status is not Status.SUSPENDED or (
                            cause == "card"
                        ), cause
                    if before.status is Status.TRIALING and cause != "advance":
                        raise AssertionError(f"{cause} charged during a trial")
                # (d) a key always names the same invoice and amount
                seen = self.keys.setdefault(
                    effect.idempotency_key, (effect.invoice.id, effect.amount.minor)
                )
                assert seen == (effect.invoice.id, effect.amount.minor), effect.idempotency_key
                if effect.amount.is_positive() and effect.idempotency_key not in self.in_flight:
                    self.in_flight.append(effect.idempotency_key)
        if before is not None:
            # (e) only along the diagram; (f) with its notice
            after = decision.subscription.status
            if after is not before.status:
                assert _reachable(before.status.value, after.value), (before.status, after)
                kinds = {n.kind.value for n in decision.notices}
                assert kinds & NOTICE_FOR_STATUS[after], (before.status, after, kinds)
        # (h) the decision names the next instant time alone changes something
        assert decision.next_wakeup == next_wakeup(decision.subscription, policy=self.policy), cause
        self.ledger.add(decision)
        self.sub = decision.subscription

    def _replayed(self, call: Callable[[], Decision | Refused], cause: str) -> Decision | Refused:
        CHECKED["steps"] += 1
        before = self.sub
        result = call()
        assert call() == result  # (g) same inputs, same outputs
        if isinstance(result, Decision):
            self._take(before, result, cause)
        return result

    # -- rules --

    @rule(minutes=st.integers(1, 60 * 24 * 95))
    def time_passes(self, minutes: int) -> None:
        until = self.sub.processed_until + timedelta(minutes=minutes)
        self._replayed(
            lambda: advance(self.sub, until, catalog=self.catalog, policy=self.policy), "advance"
        )

    def _at(self, minutes: int) -> datetime:
        """An instant a command can use: processed, and before the next thing due."""
        moved = advance(
            self.sub,
            self.sub.processed_until + timedelta(minutes=minutes),
            catalog=self.catalog,
            policy=self.policy,
        )
        self._take(self.sub, moved, "advance")
        return self.sub.processed_until

    @rule(
        plan=st.integers(0, 3),
        yearly=st.booleans(),
        properties=st.integers(0, 60),
        minutes=st.integers(0, 60 * 24 * 20),
    )
    def change(self, plan: int, yearly: bool, properties: int, minutes: int) -> None:
        at = self._at(minutes)
        plan_id = self.catalog.ids[plan % len(self.catalog.ids)]
        interval: Interval = YEARLY if yearly else MONTHLY
        usage = Usage.of(properties=properties)
        self._replayed(
            lambda: change_plan(
                self.sub,
                plan_id,
                interval,
                at,
                catalog=self.catalog,
                usage=usage,
                policy=self.policy,
            ),
            "change",
        )

    @rule(minutes=st.integers(0, 60 * 24 * 20))
    def cancel(self, minutes: int) -> None:
        at = self._at(minutes)
        self._replayed(lambda: cancel(self.sub, at, policy=self.policy), "cancel")

    @rule(minutes=st.integers(0, 60 * 24 * 20))
    def undo(self, minutes: int) -> None:
        at = self._at(minutes)
        self._replayed(lambda: undo_cancel(self.sub, at, policy=self.policy), "undo")

    @rule(minutes=st.integers(0, 60 * 24 * 20))
    def suspend(self, minutes: int) -> None:
        at = self._at(minutes)
        self._replayed(lambda: suspend(self.sub, at, policy=self.policy), "suspend")

    @rule(minutes=st.integers(0, 60 * 24 * 40))
    def reinstate(self, minutes: int) -> None:
        at = self._at(minutes)
        self._replayed(
            lambda: reinstate(self.sub, at, catalog=self.catalog, policy=self.policy), "reinstate"
        )

    @rule(minutes=st.integers(0, 60 * 24 * 20))
    def new_card(self, minutes: int) -> None:
        at = self._at(minutes)
        self._replayed(
            lambda: update_payment_method(self.sub, at, catalog=self.catalog, policy=self.policy),
            "card",
        )

    @rule(
        pick=st.integers(0, 10), outcome=st.sampled_from(OUTCOMES), minutes=st.integers(0, 60 * 6)
    )
    def payment(self, pick: int, outcome: PaymentOutcome, minutes: int) -> None:
        if not self.in_flight:
            return
        attempt = self.in_flight.pop(pick % len(self.in_flight))
        at = self._at(minutes)
        self._replayed(
            lambda: record_payment(
                self.sub,
                attempt,
                outcome,
                at,
                catalog=self.catalog,
                policy=self.policy,
            ),
            "payment",
        )

    # -- invariants --

    @invariant()
    def money_is_conserved(self) -> None:
        """(a) invoiced − credited = list-price cost of the time billed, ± one unit a line."""
        if not hasattr(self, "sub"):
            return
        zone = self.sub.cycle.time_zone
        charges = [*self.ledger.charges, *self.sub.pending_lines]
        periods: dict[tuple[str, datetime], tuple[Interval, int]] = {}
        exact = Fraction(0)
        money = 0
        for line in charges:
            money += line.amount.minor
            if line.kind is LineKind.OVERAGE or line.plan_id is None:
                exact += line.amount.minor
                continue
            plan = self.catalog.plan(line.plan_id)
            if line.kind is LineKind.SUBSCRIPTION:
                interval = next(p.interval for p in plan.prices if p.amount == line.amount)
                periods[(line.plan_id, line.end)] = (
                    interval,
                    _units(line.start, line.end, zone, self.policy),
                )
                exact += line.amount.minor
                continue
            explanation = line.explanation
            assert explanation is not None
            assert explanation.units == _units(line.start, line.end, zone, self.policy)
            assert line.amount.minor == _round(
                Fraction(explanation.base.minor * explanation.units, explanation.denominator),
                self.policy.rounding,
            )
            interval = next(p.interval for p in plan.prices if p.amount == explanation.base)
            periods[(line.plan_id, line.end)] = (interval, explanation.denominator)
            exact += Fraction(explanation.base.minor * explanation.units, explanation.denominator)
        for line in self.ledger.credits:
            money += line.amount.minor
            assert line.plan_id is not None
            if line.kind is LineKind.UNUSED_TIME:
                # Unused time runs to the end of the period it was billed for.
                interval, denominator = periods[(line.plan_id, line.end)]
            else:  # suspended time: part of the period billed last for this plan
                key = min(k for k in periods if k[0] == line.plan_id and k[1] >= line.end)
                interval, denominator = periods[key]
            price = self.catalog.plan(line.plan_id).price(interval).amount.minor
            exact -= Fraction(price * _units(line.start, line.end, zone, self.policy), denominator)
        # One unit per line for its own rounding; a credit worked out from a rounded charge
        # also carries up to one unit of that charge's rounding.
        tolerance = len(charges) + 2 * len(self.ledger.credits)
        assert abs(money - exact) <= tolerance, (money, float(exact), tolerance)

    @invariant()
    def credits_never_exceed_what_was_billed(self) -> None:
        """(b) per stretch credited ≤ billed; the credit balance never negative."""
        if not hasattr(self, "sub"):
            return
        assert not self.sub.credit_balance.is_negative()
        for stretch in self.sub.stretches:
            assert stretch.credited <= stretch.billed


TestLives = Lives.TestCase
