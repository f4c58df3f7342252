"""Rendering as JSON: money as major-unit strings and minor-unit ints, instants in ISO 8601."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, assert_never
from zoneinfo import ZoneInfo

from subscription_rules.catalog import Catalog
from subscription_rules.cli._account import _Account
from subscription_rules.cli._options import _DEFAULT_SOURCE
from subscription_rules.cli._text import _billed, _what
from subscription_rules.effects import Refused
from subscription_rules.invoices import Explanation, Invoice, Line
from subscription_rules.money import Money
from subscription_rules.notifications import FactValue, Notice
from subscription_rules.periods import BillingPeriod
from subscription_rules.proration import ChangeQuote
from subscription_rules.simulation import (
    TimelineEntry,
)
from subscription_rules.summary import BillingSummary
from subscription_rules.usage import Infeasible

if TYPE_CHECKING:
    from collections.abc import Sequence


def plans_json(catalog: Catalog, source: str) -> str:
    """Render a catalog as JSON: prices as major-unit strings and minor-unit ints.

    Args:
        catalog: The catalog to show.
        source: Where it came from (a file path, or ``"built-in example"``).

    Returns:
        Indented JSON text. Limits list every metric; ``null`` is unlimited.

    >>> import json
    >>> from subscription_rules.catalog import default_catalog
    >>> data = json.loads(plans_json(default_catalog(), "built-in example"))
    >>> data["plans"][2]["prices"][1]
    {'interval': 'yearly', 'unit': 'year', 'count': 1, 'amount': '3000.00', 'minor': 300000, 'currency': 'USD'}
    >>> data["plans"][2]["limits"]
    {'properties': 25, 'integrations': None, 'billable_sessions': 2000000}
    """
    document = {
        "source": source,
        "illustrative": source == _DEFAULT_SOURCE,
        "currency": catalog.currency.code,
        "metrics": [
            {
                "name": metric.name,
                "kind": metric.kind.value,
                "singular": metric.singular,
                "plural": metric.plural,
                "verb": metric.verb,
            }
            for metric in catalog.metrics
        ],
        "plans": [
            {
                "id": plan.id,
                "name": plan.name,
                "rank": plan.rank,
                "trial_days": plan.trial_days,
                "prices": [
                    {
                        "interval": str(price.interval),
                        "unit": price.interval.unit.value,
                        "count": price.interval.count,
                        "amount": price.amount.format_amount(),
                        "minor": price.amount.minor,
                        "currency": price.amount.currency.code,
                    }
                    for price in plan.prices
                ],
                "limits": {metric.name: plan.limit(metric.name) for metric in catalog.metrics},
            }
            for plan in catalog
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _money_json(money: Money) -> dict[str, object]:
    return {
        "amount": money.format_amount(),
        "minor": money.minor,
        "currency": money.currency.code,
    }


def _time_json(at: datetime | None, tz: ZoneInfo) -> str | None:
    return None if at is None else at.astimezone(tz).isoformat()


def _period_json(period: BillingPeriod | None, tz: ZoneInfo) -> dict[str, object] | None:
    if period is None:
        return None
    return {"start": _time_json(period.start, tz), "end": _time_json(period.end, tz)}


def _explanation_json(explanation: Explanation | None) -> dict[str, object] | None:
    if explanation is None:
        return None
    return {
        "text": str(explanation),
        "base": _money_json(explanation.base),
        "units": explanation.units,
        "denominator": explanation.denominator,
        "unit": explanation.unit,
        "rounding": explanation.rounding.value,
        "rounded": _money_json(explanation.rounded),
        "cap": None if explanation.cap is None else _money_json(explanation.cap),
    }


def _lines_json(lines: Sequence[Line], tz: ZoneInfo) -> list[dict[str, object]]:
    return [
        {
            "kind": line.kind.value,
            "description": line.description,
            "amount": _money_json(line.amount),
            "start": _time_json(line.start, tz),
            "end": _time_json(line.end, tz),
            "plan": line.plan_id,
            "explanation": _explanation_json(line.explanation),
        }
        for line in lines
    ]


def _account_json(account: _Account) -> dict[str, object]:
    tz = account.time_zone
    return {
        "catalog": account.source,
        "policy": account.policy.name,
        "time_zone": tz.key,
        "plan": account.plan_id,
        "interval": str(account.interval),
        "since": _time_json(account.since, tz),
        "at": _time_json(account.at, tz),
        "cancelled_at": _time_json(account.cancelled_at, tz),
        "usage": dict(account.usage.counts),
        "status": account.subscription.status.value,
    }


def _dump(document: dict[str, object]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _quote_json(quote: ChangeQuote, account: _Account) -> str:
    """Render a quote as JSON: money as major-unit strings and minor-unit ints, ISO 8601 dates."""
    tz = account.time_zone
    feasibility = quote.feasibility
    actions = [
        {
            "metric": action.metric.name,
            "verb": action.metric.verb,
            "amount": action.amount,
            "limit": action.limit,
            "text": str(action),
        }
        for action in (feasibility.actions if isinstance(feasibility, Infeasible) else ())
    ]
    return _dump(
        {
            "account": _account_json(account),
            "refused": None,
            "kind": quote.kind.value,
            "from": {"plan": quote.from_plan_id, "interval": str(quote.from_interval)},
            "to": {"plan": quote.to_plan_id, "interval": str(quote.to_interval)},
            "at": _time_json(quote.at, tz),
            "timing": quote.timing.value,
            "effective_at": _time_json(quote.effective_at, tz),
            "restarts_cycle": quote.restarts_cycle,
            "feasible": quote.feasible,
            "reason": feasibility.reason if isinstance(feasibility, Infeasible) else None,
            "actions": actions,
            "warnings": list(feasibility.warnings),
            "lines_billed": _billed(quote, account.policy),
            "lines": _lines_json(quote.lines, tz),
            "total": _money_json(quote.total),
            "credit_applied": _money_json(quote.credit_applied),
            "amount_due_now": _money_json(quote.amount_due_now),
            "refund": _money_json(quote.refund),
            "credit_after": _money_json(quote.credit_after),
            "due_next_invoice": _money_json(quote.due_next_invoice),
        }
    )


def _refused_json(refused: Refused, account: _Account) -> str:
    return _dump(
        {
            "account": _account_json(account),
            "refused": {"reason": refused.reason.value, "message": refused.message},
        }
    )


def _invoice_json(invoice: Invoice | None, tz: ZoneInfo) -> dict[str, object] | None:
    if invoice is None:
        return None
    return {
        "date": _time_json(invoice.issued_at, tz),
        "reason": invoice.reason.value,
        "period": {
            "start": _time_json(invoice.period_start, tz),
            "end": _time_json(invoice.period_end, tz),
        },
        "lines": _lines_json(invoice.lines, tz),
        "subtotal": _money_json(invoice.subtotal),
        "credit_applied": _money_json(invoice.credit_applied),
        "amount_due": _money_json(invoice.amount_due),
    }


def _summary_json(summary: BillingSummary, account: _Account) -> str:
    """Render a billing summary as JSON, in the same conventions as :func:`_quote_json`."""
    tz = account.time_zone
    change = summary.pending_change
    return _dump(
        {
            "account": _account_json(account),
            "status": summary.status.value,
            "plan": {"id": summary.plan_id, "name": summary.plan_name},
            "interval": str(summary.interval),
            "current_period": _period_json(summary.current_period, tz),
            "days_left": summary.days_left,
            "usage": [
                {
                    "metric": line.metric.name,
                    "used": line.used,
                    "limit": line.limit,
                    "remaining": line.remaining,
                    "percent": line.percent,
                    "excess": line.excess,
                    "text": line.describe(),
                }
                for line in summary.usage
            ],
            "upcoming_invoice": _invoice_json(summary.upcoming, tz),
            "credit_balance": _money_json(summary.credit_balance),
            "pending_change": None
            if change is None
            else {
                "plan": change.plan_id,
                "interval": str(change.interval),
                "effective_at": _time_json(change.effective_at, tz),
                "scheduled_at": _time_json(change.scheduled_at, tz),
            },
            "cancel_at_period_end": summary.cancel_at_period_end,
            "ends_at": _time_json(summary.ends_at, tz),
            "trial_end": _time_json(summary.trial_end, tz),
        }
    )


def _fact_json(value: FactValue, tz: ZoneInfo) -> object:
    match value:
        case Money():
            return _money_json(value)
        case datetime():
            return _time_json(value, tz)
        case str() | int():
            return value
        case _:
            assert_never(value)


def _notice_json(notice: Notice, tz: ZoneInfo) -> dict[str, object]:
    return {
        "kind": notice.kind.value,
        "key": notice.key,
        "at": _time_json(notice.at, tz),
        "facts": {name: _fact_json(value, tz) for name, value in notice.facts},
    }


def _entry_json(entry: TimelineEntry, tz: ZoneInfo) -> dict[str, object]:
    return {
        "at": _time_json(entry.at, tz),
        "what": _what(entry),
        "status": entry.status.value,
        "charged": _money_json(entry.charged),
        "credited": _money_json(entry.credited),
        "refunded": _money_json(entry.refunded),
        "declined": entry.declined,
        "notices": [_notice_json(notice, tz) for notice in entry.notices],
    }
