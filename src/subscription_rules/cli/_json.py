"""Rendering as JSON: the storage format's documents, in the command's wrappers.

Every value of a stored type (a catalog, a policy, a quote, a summary, a
subscription, a notice...) is printed as its storage document
(:func:`subscription_rules.serialization.dump`), so a host can load what the
command prints with :func:`~subscription_rules.serialization.load`. The keys
around the documents are the command's own: what was asked (in local time) and
a few words for people.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from subscription_rules._input import bad
from subscription_rules.cli._account import _Account
from subscription_rules.cli._options import _DEFAULT_SOURCE
from subscription_rules.cli._text import _billed, _quote_totals, _what

if TYPE_CHECKING:
    from collections.abc import Sequence

    from subscription_rules.catalog import Catalog
    from subscription_rules.effects import Refused
    from subscription_rules.money import Money
    from subscription_rules.proration import ChangeQuote
    from subscription_rules.simulation import TimelineEntry
    from subscription_rules.summary import BillingSummary
    from subscription_rules.taxes import TaxSummary

_NO_CODEC = "storage documents need the storage extra: pip install 'subscription-rules[storage]'"


def _document(value: object) -> dict[str, Any]:
    """``value``'s storage document; the codec (and cattrs) is imported here, on first use."""
    try:
        from subscription_rules.serialization import dump  # noqa: PLC0415 - lazily

        return dump(value)
    except ImportError as err:  # cattrs is the `storage` extra
        raise bad("--json", f"{_NO_CODEC} ({err})", value=None) from None


def _amount(money: Money) -> dict[str, Any]:
    """An amount as the storage format writes it: ``{"amount": "12.34", "currency": "USD"}``."""
    from subscription_rules.serialization._codec import dump_money  # noqa: PLC0415 - lazily

    return dump_money(money)


def _time_json(at: datetime | None, tz: ZoneInfo) -> str | None:
    """An instant in ISO 8601 with the offset of ``tz``: the command's wrappers show local time."""
    return None if at is None else at.astimezone(tz).isoformat()


def _dump(document: dict[str, object]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def plans_json(catalog: Catalog, source: str) -> str:
    """Render a catalog as JSON: its storage document, with where it came from.

    Args:
        catalog: The catalog to show.
        source: Where it came from (a file path, or ``"built-in example"``).

    Returns:
        Indented JSON text: ``source``, ``illustrative`` (``true`` for the
        built-in example) and ``catalog``, the catalog's storage document.

    >>> import json
    >>> from subscription_rules.catalog import default_catalog
    >>> from subscription_rules.serialization import load
    >>> data = json.loads(plans_json(default_catalog(), "built-in example"))
    >>> data["catalog"]["plans"][2]["prices"][1]
    {'amount': {'amount': '3000.00', 'currency': 'USD'}, 'interval': {'unit': 'year', 'count': 1}, 'unit': None, 'tiers': None}
    >>> load(data["catalog"]) == default_catalog()
    True
    """
    return _dump(
        {
            "source": source,
            "illustrative": source == _DEFAULT_SOURCE,
            "catalog": _document(catalog),
        }
    )


def _account_json(account: _Account) -> dict[str, object]:
    """The account as described on the command line, instants in ``--time-zone``."""
    tz = account.time_zone
    return {
        "catalog": account.source,
        "time_zone": tz.key,
        "plan": account.plan_id,
        "interval": str(account.interval),
        "quantity": account.quantity,
        "currency": account.currency.code,
        "since": _time_json(account.since, tz),
        "at": _time_json(account.at, tz),
        "cancelled_at": _time_json(account.cancelled_at, tz),
        "status": account.subscription.status.value,
    }


def _with_account(account: _Account) -> dict[str, object]:
    """The keys every account's JSON starts with: its description and its documents."""
    return {
        "account": _account_json(account),
        "policy": _document(account.policy),
        "subscription": _document(account.subscription),
        "usage": _document(account.usage),
    }


def _totals_json(taxes: Sequence[TaxSummary], subtotal: Money, total: Money) -> dict[str, object]:
    """What a document shows below its lines: subtotal, each tax (per rate) and total."""
    return {
        "subtotal": _amount(subtotal),
        "taxes": [
            {
                "name": row.rate.name,
                "jurisdiction": row.rate.jurisdiction,
                "percent": str(row.rate.percent),
                "inclusive": row.rate.inclusive,
                "reverse_charge": row.reverse_charge,
                "taxable": _amount(row.taxable),
                "amount": _amount(row.amount),
            }
            for row in taxes
        ],
        "total": _amount(total),
    }


def _quote_json(quote: ChangeQuote, account: _Account) -> str:
    """A quote: the account's documents and the quote's; when its lines are billed; its totals."""
    taxes, subtotal = _quote_totals(quote)
    return _dump(
        {
            **_with_account(account),
            "quote": _document(quote),
            "lines_billed": _billed(quote, account.policy),
            "totals": _totals_json(taxes, subtotal, quote.total),
            "refused": None,
        }
    )


def _refused_json(refused: Refused, account: _Account) -> str:
    """A refused quote: the same keys, ``quote`` null and ``refused`` the refusal's document."""
    return _dump(
        {
            **_with_account(account),
            "quote": None,
            "lines_billed": None,
            "totals": None,
            "refused": _document(refused),
        }
    )


def _summary_json(summary: BillingSummary, account: _Account) -> str:
    """A billing summary: the account's documents, the summary's, the upcoming invoice's totals."""
    upcoming = summary.upcoming
    totals = (
        None
        if upcoming is None
        else _totals_json(upcoming.taxes, upcoming.subtotal, upcoming.total)
    )
    return _dump(
        {**_with_account(account), "summary": _document(summary), "upcoming_totals": totals}
    )


def _entry_json(entry: TimelineEntry, tz: ZoneInfo) -> dict[str, object]:
    """A timeline entry: its fields in local time and amounts, its notices as documents."""
    return {
        "at": _time_json(entry.at, tz),
        "what": _what(entry),
        "status": entry.status.value,
        "charged": _amount(entry.charged),
        "credited": _amount(entry.credited),
        "refunded": _amount(entry.refunded),
        "declined": entry.declined,
        "notices": [_document(notice) for notice in entry.notices],
    }
