"""A hand-written codec for ``Subscription`` only: the yardstick for the cattrs converter.

Not shipped (issue 16 asked to use cattrs unless a hand-written codec is clearly
better; benchmarks/storage.py compares the two). It writes the same documents as
``serialization.dump`` and loads them as strictly (exact keys, exact JSON types, the
same leaf parsers, every value through its own constructor), but names no path in
its errors: a production version would need that too, so the figures here are the
best a hand-written codec could do, not what it would cost once finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from subscription_rules import (
    BillingCycle,
    Explanation,
    Interval,
    Invoice,
    Line,
    OpenInvoice,
    OutstandingAttempt,
    OverdueState,
    PackagePrice,
    Payment,
    PendingChange,
    Price,
    RecordedPrice,
    Stretch,
    Subscription,
    Tier,
    TierMode,
    TierTable,
)
from subscription_rules.catalog import Overage
from subscription_rules.dunning import OverdueAction
from subscription_rules.invoices import InvoiceReason, LineKind
from subscription_rules.money import Money, RoundingMode
from subscription_rules.periods import IntervalUnit
from subscription_rules.policy import ProrationUnit
from subscription_rules.serialization._codec import (
    dump_currency,
    dump_instant,
    dump_money,
    load_currency,
    load_enum,
    load_instant,
    load_money,
)
from subscription_rules.subscription import Status, SuspensionReason

Doc = dict[str, Any]


def _keys(doc: object, keys: frozenset[str]) -> Doc:
    if type(doc) is not dict or doc.keys() != keys:
        raise ValueError(f"expected an object with keys {sorted(keys)}, got {doc!r}")
    return doc


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError(value)
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError(value)
    return value


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError(value)
    return value


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise TypeError(value)
    return value


def _opt_instant(value: object) -> datetime | None:
    return None if value is None else load_instant(value)


def _opt_dump_instant(value: datetime | None) -> str | None:
    return None if value is None else dump_instant(value)


def _interval(doc: object) -> Interval:
    d = _keys(doc, _INTERVAL)
    return Interval(load_enum(IntervalUnit, d["unit"]), _int(d["count"]))  # type: ignore[arg-type]


def _dump_interval(value: Interval) -> Doc:
    return {"unit": value.unit.value, "count": value.count}


def _stretch(doc: object) -> Stretch:
    d = _keys(doc, _STRETCH)
    invoice_id = d["invoice_id"]
    return Stretch(
        plan_id=_str(d["plan_id"]),
        interval=_interval(d["interval"]),
        start=load_instant(d["start"]),
        end=load_instant(d["end"]),
        billed=load_money(d["billed"]),
        units=_int(d["units"]),
        denominator=_int(d["denominator"]),
        credited=load_money(d["credited"]),
        paid=load_money(d["paid"]),
        invoice_id=None if invoice_id is None else _str(invoice_id),
        credited_units=_int(d["credited_units"]),
        unit=load_enum(ProrationUnit, d["unit"]),  # type: ignore[arg-type]
        quantity=_int(d["quantity"]),
    )


def _dump_stretch(s: Stretch) -> Doc:
    return {
        "plan_id": s.plan_id,
        "interval": _dump_interval(s.interval),
        "start": dump_instant(s.start),
        "end": dump_instant(s.end),
        "billed": dump_money(s.billed),
        "units": s.units,
        "denominator": s.denominator,
        "credited": dump_money(s.credited),
        "paid": dump_money(s.paid),
        "invoice_id": s.invoice_id,
        "credited_units": s.credited_units,
        "unit": s.unit.value,
        "quantity": s.quantity,
    }


def _explanation(doc: object) -> Explanation | None:
    if doc is None:
        return None
    d = _keys(doc, _EXPLANATION)
    return Explanation(
        base=load_money(d["base"]),
        units=_int(d["units"]),
        denominator=_int(d["denominator"]),
        unit=_str(d["unit"]),
        rounding=load_enum(RoundingMode, d["rounding"]),  # type: ignore[arg-type]
        rounded=load_money(d["rounded"]),
        cap=None if d["cap"] is None else load_money(d["cap"]),
    )


def _dump_explanation(e: Explanation | None) -> Doc | None:
    if e is None:
        return None
    return {
        "base": dump_money(e.base),
        "units": e.units,
        "denominator": e.denominator,
        "unit": e.unit,
        "rounding": e.rounding.value,
        "rounded": dump_money(e.rounded),
        "cap": None if e.cap is None else dump_money(e.cap),
    }


def _line(doc: object) -> Line:
    d = _keys(doc, _LINE)
    plan_id = d["plan_id"]
    return Line(
        kind=load_enum(LineKind, d["kind"]),  # type: ignore[arg-type]
        description=_str(d["description"]),
        amount=load_money(d["amount"]),
        start=load_instant(d["start"]),
        end=load_instant(d["end"]),
        plan_id=None if plan_id is None else _str(plan_id),
        explanation=_explanation(d["explanation"]),
    )


def _dump_line(line: Line) -> Doc:
    return {
        "kind": line.kind.value,
        "description": line.description,
        "amount": dump_money(line.amount),
        "start": dump_instant(line.start),
        "end": dump_instant(line.end),
        "plan_id": line.plan_id,
        "explanation": _dump_explanation(line.explanation),
    }


def _invoice(doc: object) -> Invoice:
    d = _keys(doc, _INVOICE)
    return Invoice(
        id=_str(d["id"]),
        subscription_id=_str(d["subscription_id"]),
        reason=load_enum(InvoiceReason, d["reason"]),  # type: ignore[arg-type]
        issued_at=load_instant(d["issued_at"]),
        period_start=load_instant(d["period_start"]),
        period_end=load_instant(d["period_end"]),
        lines=tuple(_line(line) for line in _list(d["lines"])),
        credit_applied=load_money(d["credit_applied"]),
    )


def _dump_invoice(i: Invoice) -> Doc:
    return {
        "id": i.id,
        "subscription_id": i.subscription_id,
        "reason": i.reason.value,
        "issued_at": dump_instant(i.issued_at),
        "period_start": dump_instant(i.period_start),
        "period_end": dump_instant(i.period_end),
        "lines": [_dump_line(line) for line in i.lines],
        "credit_applied": dump_money(i.credit_applied),
    }


def _open_invoice(doc: object) -> OpenInvoice:
    d = _keys(doc, _OPEN_INVOICE)
    key = d["attempt_key"]
    return OpenInvoice(
        invoice=_invoice(d["invoice"]),
        attempts=_int(d["attempts"]),
        declines=_int(d["declines"]),
        first_failed_at=_opt_instant(d["first_failed_at"]),
        next_retry_at=_opt_instant(d["next_retry_at"]),
        awaiting_payment_method=_bool(d["awaiting_payment_method"]),
        gateway_errors=_int(d["gateway_errors"]),
        exhausted=_bool(d["exhausted"]),
        attempt_key=None if key is None else _str(key),
        in_flight=_bool(d["in_flight"]),
        answered=tuple(_str(one) for one in _list(d["answered"])),
        pending_since=_opt_instant(d["pending_since"]),
        timed_out=tuple(_str(one) for one in _list(d["timed_out"])),
    )


def _dump_open_invoice(o: OpenInvoice) -> Doc:
    return {
        "invoice": _dump_invoice(o.invoice),
        "attempts": o.attempts,
        "declines": o.declines,
        "first_failed_at": _opt_dump_instant(o.first_failed_at),
        "next_retry_at": _opt_dump_instant(o.next_retry_at),
        "awaiting_payment_method": o.awaiting_payment_method,
        "gateway_errors": o.gateway_errors,
        "exhausted": o.exhausted,
        "attempt_key": o.attempt_key,
        "in_flight": o.in_flight,
        "answered": list(o.answered),
        "pending_since": _opt_dump_instant(o.pending_since),
        "timed_out": list(o.timed_out),
    }


def _overdue(doc: object) -> OverdueState | None:
    if doc is None:
        return None
    d = _keys(doc, _OVERDUE)
    actions = [load_enum(OverdueAction, one) for one in _list(d["actions"])]
    if len(set(actions)) != len(actions):
        raise ValueError(actions)
    days, invoices = d["days"], d["invoices"]
    return OverdueState(
        name=_str(d["name"]),
        days=None if days is None else _int(days),
        balance=None if d["balance"] is None else load_money(d["balance"]),
        invoices=None if invoices is None else _int(invoices),
        actions=frozenset(actions),  # type: ignore[arg-type]
    )


def _dump_overdue(o: OverdueState | None) -> Doc | None:
    if o is None:
        return None
    return {
        "name": o.name,
        "days": o.days,
        "balance": None if o.balance is None else dump_money(o.balance),
        "invoices": o.invoices,
        "actions": sorted((action.value for action in o.actions), key=repr),
    }


def _pending(doc: object) -> PendingChange | None:
    if doc is None:
        return None
    d = _keys(doc, _PENDING)
    return PendingChange(
        plan_id=_str(d["plan_id"]),
        interval=_interval(d["interval"]),
        effective_at=load_instant(d["effective_at"]),
        scheduled_at=load_instant(d["scheduled_at"]),
        quantity=None if d["quantity"] is None else _int(d["quantity"]),
        price=_recorded(d["price"]),
    )


def _dump_pending(p: PendingChange | None) -> Doc | None:
    if p is None:
        return None
    return {
        "plan_id": p.plan_id,
        "interval": _dump_interval(p.interval),
        "effective_at": dump_instant(p.effective_at),
        "scheduled_at": dump_instant(p.scheduled_at),
        "quantity": p.quantity,
        "price": _dump_recorded(p.price),
    }


def _opt_money(value: object) -> Money | None:
    return None if value is None else load_money(value)


def _tier_table(doc: object) -> TierTable | None:
    if doc is None:
        return None
    d = _keys(doc, _TIER_TABLE)
    tiers = []
    for one in _list(d["tiers"]):
        t = _keys(one, _TIER)
        up_to = t["up_to"]
        tiers.append(
            Tier(
                None if up_to is None else _int(up_to),
                load_money(t["unit_amount"]),
                _opt_money(t["flat_amount"]),
            )
        )
    return TierTable(load_enum(TierMode, d["mode"]), tuple(tiers))  # type: ignore[arg-type]


def _dump_tier_table(table: TierTable | None) -> Doc | None:
    if table is None:
        return None
    return {
        "mode": table.mode.value,
        "tiers": [
            {
                "up_to": tier.up_to,
                "unit_amount": dump_money(tier.unit_amount),
                "flat_amount": None if tier.flat_amount is None else dump_money(tier.flat_amount),
            }
            for tier in table.tiers
        ],
    }


def _price(doc: object) -> Price:
    d = _keys(doc, _PRICE)
    unit = d["unit"]
    return Price(
        load_money(d["amount"]),
        _interval(d["interval"]),
        unit=None if unit is None else _str(unit),
        tiers=_tier_table(d["tiers"]),
    )


def _dump_price(p: Price) -> Doc:
    return {
        "amount": dump_money(p.amount),
        "interval": _dump_interval(p.interval),
        "unit": p.unit,
        "tiers": _dump_tier_table(p.tiers),
    }


def _overage(doc: object) -> Overage:
    d = _keys(doc, _OVERAGE)
    package = d["package"]
    if package is not None:
        q = _keys(package, _PACKAGE)
        package = PackagePrice(
            load_money(q["package_amount"]), _int(q["size"]), _int(q["free_units"])
        )
    return Overage(
        _str(d["metric"]),
        load_money(d["unit_price"]),
        _int(d["per"]),
        tiers=_tier_table(d["tiers"]),
        package=package,
    )


def _dump_overage(o: Overage) -> Doc:
    package = o.package
    return {
        "metric": o.metric,
        "unit_price": dump_money(o.unit_price),
        "per": o.per,
        "tiers": _dump_tier_table(o.tiers),
        "package": None
        if package is None
        else {
            "package_amount": dump_money(package.package_amount),
            "size": package.size,
            "free_units": package.free_units,
        },
    }


def _recorded(doc: object) -> RecordedPrice | None:
    if doc is None:
        return None
    d = _keys(doc, _RECORDED)
    version = d["version"]
    return RecordedPrice(
        _price(d["price"]),
        tuple(_overage(one) for one in _list(d["overage"])),
        None if version is None else _str(version),
    )


def _dump_recorded(r: RecordedPrice | None) -> Doc | None:
    if r is None:
        return None
    return {
        "price": _dump_price(r.price),
        "overage": [_dump_overage(one) for one in r.overage],
        "version": r.version,
    }


def _pair(value: object) -> tuple[str, str]:
    items = _list(value)
    if len(items) != 2:
        raise ValueError(items)
    return (_str(items[0]), _str(items[1]))


def load_subscription(doc: object) -> Subscription:
    """The subscription a ``"subscription"`` document holds (version 2 only)."""
    d = _keys(doc, _SUBSCRIPTION)
    if d["schema_version"] != 2 or d["type"] != "subscription":
        raise ValueError(d["type"])
    cycle = _keys(d["cycle"], _CYCLE)
    reason, suspended_from = d["suspension_reason"], d["suspended_from"]
    return Subscription(
        id=_str(d["id"]),
        customer_id=_str(d["customer_id"]),
        plan_id=_str(d["plan_id"]),
        interval=_interval(d["interval"]),
        cycle=BillingCycle(
            load_instant(cycle["anchor"]), _interval(cycle["interval"]), _str(cycle["time_zone"])
        ),
        currency=load_currency(d["currency"]),
        status=load_enum(Status, d["status"]),  # type: ignore[arg-type]
        started_at=load_instant(d["started_at"]),
        processed_until=load_instant(d["processed_until"]),
        credit_balance=load_money(d["credit_balance"]),
        period_index=_int(d["period_index"]),
        trial_end=_opt_instant(d["trial_end"]),
        has_payment_method=_bool(d["has_payment_method"]),
        pending_change=_pending(d["pending_change"]),
        cancel_at_period_end=_bool(d["cancel_at_period_end"]),
        stretches=tuple(_stretch(one) for one in _list(d["stretches"])),
        pending_lines=tuple(_line(one) for one in _list(d["pending_lines"])),
        open_invoices=tuple(_open_invoice(one) for one in _list(d["open_invoices"])),
        overdue_state=_overdue(d["overdue_state"]),
        documents_issued=_int(d["documents_issued"]),
        suspension_reason=None if reason is None else load_enum(SuspensionReason, reason),  # type: ignore[arg-type]
        suspended_at=_opt_instant(d["suspended_at"]),
        suspended_from=None  # type: ignore[arg-type]
        if suspended_from is None
        else load_enum(Status, suspended_from),
        ended_at=_opt_instant(d["ended_at"]),
        paid_attempts=tuple(_pair(one) for one in _list(d["paid_attempts"])),
        payments=tuple(_payment(one) for one in _list(d["payments"])),
        outstanding_attempts=tuple(_outstanding(one) for one in _list(d["outstanding_attempts"])),
        quantity=_int(d["quantity"]),
        price=_recorded(d["price"]),
    )


_PAYMENT: Final = frozenset({"attempt_key", "invoice_id", "amount", "refunded"})


def _payment(doc: object) -> Payment:
    d = _keys(doc, _PAYMENT)
    return Payment(
        _str(d["attempt_key"]),
        _str(d["invoice_id"]),
        load_money(d["amount"]),
        load_money(d["refunded"]),
    )


_OUTSTANDING: Final = frozenset({"attempt_key", "invoice_id", "amount"})


def _outstanding(doc: object) -> OutstandingAttempt:
    d = _keys(doc, _OUTSTANDING)
    return OutstandingAttempt(
        _str(d["attempt_key"]), _str(d["invoice_id"]), load_money(d["amount"])
    )


def _dump_outstanding(o: OutstandingAttempt) -> Doc:
    return {
        "attempt_key": o.attempt_key,
        "invoice_id": o.invoice_id,
        "amount": dump_money(o.amount),
    }


def _dump_payment(p: Payment) -> Doc:
    return {
        "attempt_key": p.attempt_key,
        "invoice_id": p.invoice_id,
        "amount": dump_money(p.amount),
        "refunded": dump_money(p.refunded),
    }


def dump_subscription(s: Subscription) -> Doc:
    """The ``"subscription"`` document of ``s``, as ``serialization.dump`` writes it."""
    return {
        "schema_version": 2,
        "type": "subscription",
        "id": s.id,
        "customer_id": s.customer_id,
        "plan_id": s.plan_id,
        "interval": _dump_interval(s.interval),
        "cycle": {
            "anchor": dump_instant(s.cycle.anchor),
            "interval": _dump_interval(s.cycle.interval),
            "time_zone": s.cycle.time_zone,
        },
        "currency": dump_currency(s.currency),
        "status": s.status.value,
        "started_at": dump_instant(s.started_at),
        "processed_until": dump_instant(s.processed_until),
        "credit_balance": dump_money(s.credit_balance),
        "period_index": s.period_index,
        "trial_end": _opt_dump_instant(s.trial_end),
        "has_payment_method": s.has_payment_method,
        "pending_change": _dump_pending(s.pending_change),
        "cancel_at_period_end": s.cancel_at_period_end,
        "stretches": [_dump_stretch(one) for one in s.stretches],
        "pending_lines": [_dump_line(one) for one in s.pending_lines],
        "open_invoices": [_dump_open_invoice(one) for one in s.open_invoices],
        "overdue_state": _dump_overdue(s.overdue_state),
        "documents_issued": s.documents_issued,
        "suspension_reason": None if s.suspension_reason is None else s.suspension_reason.value,
        "suspended_at": _opt_dump_instant(s.suspended_at),
        "suspended_from": None if s.suspended_from is None else s.suspended_from.value,
        "ended_at": _opt_dump_instant(s.ended_at),
        "paid_attempts": [list(pair) for pair in s.paid_attempts],
        "payments": [_dump_payment(one) for one in s.payments],
        "outstanding_attempts": [_dump_outstanding(one) for one in s.outstanding_attempts],
        "quantity": s.quantity,
        "price": _dump_recorded(s.price),
    }


_INTERVAL: Final = frozenset({"unit", "count"})
_CYCLE: Final = frozenset({"anchor", "interval", "time_zone"})
_STRETCH: Final = frozenset(
    {
        "plan_id",
        "interval",
        "start",
        "end",
        "billed",
        "units",
        "denominator",
        "credited",
        "paid",
        "invoice_id",
        "credited_units",
        "unit",
        "quantity",
    }
)
_EXPLANATION: Final = frozenset(
    {"base", "units", "denominator", "unit", "rounding", "rounded", "cap"}
)
_LINE: Final = frozenset(
    {"kind", "description", "amount", "start", "end", "plan_id", "explanation"}
)
_INVOICE: Final = frozenset(
    {
        "id",
        "subscription_id",
        "reason",
        "issued_at",
        "period_start",
        "period_end",
        "lines",
        "credit_applied",
    }
)
_OPEN_INVOICE: Final = frozenset(
    {
        "invoice",
        "attempts",
        "declines",
        "first_failed_at",
        "next_retry_at",
        "awaiting_payment_method",
        "gateway_errors",
        "exhausted",
        "attempt_key",
        "in_flight",
        "answered",
        "pending_since",
        "timed_out",
    }
)
_OVERDUE: Final = frozenset({"name", "days", "balance", "invoices", "actions"})
_PENDING: Final = frozenset(
    {"plan_id", "interval", "effective_at", "scheduled_at", "quantity", "price"}
)
_TIER: Final = frozenset({"up_to", "unit_amount", "flat_amount"})
_TIER_TABLE: Final = frozenset({"mode", "tiers"})
_PRICE: Final = frozenset({"amount", "interval", "unit", "tiers"})
_PACKAGE: Final = frozenset({"package_amount", "size", "free_units"})
_OVERAGE: Final = frozenset({"metric", "unit_price", "per", "tiers", "package"})
_RECORDED: Final = frozenset({"price", "overage", "version"})
_SUBSCRIPTION: Final = frozenset(
    {
        "schema_version",
        "type",
        "id",
        "customer_id",
        "plan_id",
        "interval",
        "cycle",
        "currency",
        "status",
        "started_at",
        "processed_until",
        "credit_balance",
        "period_index",
        "trial_end",
        "has_payment_method",
        "pending_change",
        "cancel_at_period_end",
        "stretches",
        "pending_lines",
        "open_invoices",
        "overdue_state",
        "documents_issued",
        "suspension_reason",
        "suspended_at",
        "suspended_from",
        "ended_at",
        "paid_attempts",
        "payments",
        "outstanding_attempts",
        "quantity",
        "price",
    }
)
