"""Rendering for a terminal: aligned tables, labelled fields, amounts with their arithmetic."""

from __future__ import annotations

import textwrap
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, assert_never
from zoneinfo import ZoneInfo

from subscription_rules._text import format_date
from subscription_rules.catalog import Catalog, Price, TierTable
from subscription_rules.cli._account import _Account
from subscription_rules.invoices import Explanation, Line, tax_summaries
from subscription_rules.money import Money
from subscription_rules.notifications import Notice
from subscription_rules.periods import Interval
from subscription_rules.policy import (
    BillingPolicy,
    ProrationBilling,
)
from subscription_rules.proration import ChangeQuote, Timing
from subscription_rules.simulation import (
    TimelineEntry,
)
from subscription_rules.subscription import Status
from subscription_rules.summary import BillingSummary
from subscription_rules.taxes import TaxSummary
from subscription_rules.usage import Feasible, Infeasible

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TypeAlias, TypeVar

    _T = TypeVar("_T")

    _Field: TypeAlias = tuple[str, str | Sequence[str]]
    """A labelled value: one line, or a sequence of lines."""
    _Row: TypeAlias = tuple[str, Money, Explanation | None]
    """An amount, its words and its arithmetic."""


_TEXT_WIDTH = 90


def _year_fraction(interval: Interval) -> Fraction:
    """An interval's length as a fraction of a year, to order table columns."""
    if interval.months is not None:
        return Fraction(interval.months, 12)
    return Fraction(interval.days or 0, 365)


def _intervals(catalog: Catalog) -> tuple[Interval, ...]:
    """Every interval some plan is sold at, shortest first."""
    found: list[Interval] = []
    for plan in catalog:
        found.extend(interval for interval in plan.intervals if interval not in found)
    return tuple(sorted(found, key=_year_fraction))


def _amount(money: Money) -> str:
    """Major units with thousands separated by commas: ``1,500.00``."""
    exponent = money.currency.exponent
    sign = "-" if money.minor < 0 else ""
    whole, part = divmod(abs(money.minor), money.currency.unit)
    return f"{sign}{whole:,}.{part:0{exponent}d}" if exponent else f"{sign}{whole:,}"


def _limit(limit: int | None) -> str:
    return "unlimited" if limit is None else f"{limit:,}"


def _trial(days: int) -> str:
    if days == 0:
        return "none"
    return "1 day" if days == 1 else f"{days} days"


def _title(catalog: Catalog, path: str | None) -> str:
    where = "built-in example, prices are illustrative" if path is None else path
    codes = ", ".join(currency.code for currency in catalog.currencies)
    return f"Catalog ({codes}) \N{EM DASH} {where}"


def _price_cell(price: Price, catalog: Catalog) -> str:
    """A price in a table cell: ``50.00``, ``12.00/seat`` per unit, ``tiers`` when tiered."""
    if price.tiers is not None:
        return "tiers"
    amount = _amount(price.amount)
    if price.unit is None:
        return amount
    return f"{amount}/{catalog.metric(price.unit).singular}"


def _tiers_text(table: TierTable) -> str:
    """A tier table in a line: ``1–10 at 10.00; 11+ at 8.00 + 20.00 flat``."""
    parts = []
    low = 1
    for tier in table.tiers:
        span = f"{low:,}+" if tier.up_to is None else f"{low:,}\N{EN DASH}{tier.up_to:,}"
        flat = "" if tier.flat_amount is None else f" + {_amount(tier.flat_amount)} flat"
        parts.append(f"{span} at {_amount(tier.unit_amount)}{flat}")
        low = (tier.up_to or 0) + 1
    return "; ".join(parts)


def plans_table(catalog: Catalog, title: str) -> str:
    """Render a catalog as an aligned plain-text table under a title line.

    Columns: Plan (``(retired)`` after a plan no longer sold), Id, Currency
    (one row per currency a plan is sold in, the catalog's default first), one
    per interval any plan is sold at (shortest first; a per-unit price as
    ``12.00/seat``, a tiered one as ``tiers``, listed under the table), one per
    metric (``unlimited`` for no limit; ``as bought`` for the unit a plan is
    sold by: a subscription's quantity is its limit) and Trial. Numbers are right-aligned
    and thousands separated with commas.

    Args:
        catalog: The catalog to show.
        title: The first line.

    Returns:
        The table, lines separated by newlines, without a trailing newline.

    >>> from subscription_rules.catalog import default_catalog
    >>> print(plans_table(default_catalog(), "Plans (USD, EUR)"))
    Plans (USD, EUR)
    <BLANKLINE>
    Plan      Id        Currency  Monthly    Yearly  Properties  Integrations  Billable sessions  Trial
    --------  --------  --------  -------  --------  ----------  ------------  -----------------  -------
    Personal  personal  USD         50.00    500.00           3             3            100,000  14 days
                        EUR         45.00    450.00
    Advanced  advanced  USD        150.00  1,500.00          10            10            500,000  14 days
                        EUR        135.00  1,350.00
    Pro       pro       USD        300.00  3,000.00          25     unlimited          2,000,000  14 days
                        EUR        270.00  2,700.00
    """
    intervals = _intervals(catalog)
    headers = [
        "Plan",
        "Id",
        "Currency",
        *(str(interval).capitalize() for interval in intervals),
        *(metric.plural[:1].upper() + metric.plural[1:] for metric in catalog.metrics),
        "Trial",
    ]
    right = [False, False, False, *(True for _ in intervals)]
    right += [*(True for _ in catalog.metrics), False]
    rows = [headers]
    for plan in catalog:
        for currency in plan.currencies:
            prices = {
                price.interval: _price_cell(price, catalog)
                for price in plan.prices
                if price.currency == currency
            }
            first = currency == plan.currency
            rows.append(
                [
                    (plan.name + (" (retired)" if plan.retired else "")) if first else "",
                    plan.id if first else "",
                    currency.code,
                    *(prices.get(interval, "-") for interval in intervals),
                    *(
                        ("" if not first else "as bought")
                        if metric.name == plan.unit
                        else (_limit(plan.limit(metric.name)) if first else "")
                        for metric in catalog.metrics
                    ),
                    _trial(plan.trial_days) if first else "",
                ]
            )
    lines = [title, "", *_aligned(rows[0], rows[1:], right)]
    tiered = [(plan, price) for plan in catalog for price in plan.prices if price.tiers]
    if tiered:
        lines += ["", "Tiers (price per unit in each tier):"]
        for plan, price in tiered:
            assert price.tiers is not None  # noqa: S101 - filtered above
            head = f"{plan.name}, {price.interval}, {price.currency.code}, {price.tiers.mode.value}"
            lines.append(f"  {head}: {_tiers_text(price.tiers)}")
    return "\n".join(lines)


def _widths(rows: Sequence[Sequence[str]]) -> list[int]:
    return [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]


def _row(row: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    """One row of cells padded to ``widths`` (right-aligned where ``right``), two spaces apart."""
    cells = (
        cell.rjust(width) if is_right else cell.ljust(width)
        for cell, width, is_right in zip(row, widths, right, strict=True)
    )
    return "  ".join(cells).rstrip()


def _aligned(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> list[str]:
    """A plain-text table: headers, a rule of dashes, then the rows, columns aligned."""
    widths = _widths([headers, *rows])
    rule = ["-" * width for width in widths]
    return [_row(row, widths, right) for row in (headers, rule, *rows)]


def _when(at: datetime, tz: ZoneInfo) -> str:
    """A moment as the help page writes dates, with the local time unless it is midnight."""
    local = at.astimezone(tz)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return format_date(local)
    clock = f"{local:%H:%M}" if local.second == local.microsecond == 0 else f"{local:%H:%M:%S}"
    return f"{format_date(local)} {clock}"


def _fields(pairs: Sequence[_Field], labels: Sequence[_Field] = ()) -> list[str]:
    """Labelled values aligned, as wide as the widest of ``labels`` too; a sequence takes lines."""
    width = max(len(label) for label, _ in (*pairs, *labels)) + 3
    lines: list[str] = []
    for label, value in pairs:
        values = [value] if isinstance(value, str) else list(value) or ["none"]
        lines.append(f"{label + ':':<{width}}{values[0]}")
        lines.extend(f"{'':<{width}}{more}" for more in values[1:])
    return lines


def _priced(rows: Sequence[tuple[str, Money, Explanation | None]]) -> list[str]:
    """Amounts in a column, numbers right-aligned, each followed by what it is.

    An explanation of the arithmetic goes on the line below its description,
    indented under it.
    """
    width = max(len(amount.format_amount()) for _, amount, _ in rows)
    lines: list[str] = []
    for text, amount, explanation in rows:
        column = f"{amount.currency.code} {amount.format_amount():>{width}}"
        lines.append(f"{column}  {text}")
        if explanation is not None:
            lines.append(f"{'':{len(column)}}    {explanation}")
    return lines


def _line_rows(lines: Sequence[Line]) -> list[tuple[str, Money, Explanation | None]]:
    return [(line.description, line.amount, line.explanation) for line in lines]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _status(status: Status) -> str:
    return status.value.replace("_", " ")


_TIMELINE_HEADERS = ("Date", "What", "Status", "Charged", "Credited", "Refunded", "Notices")


_TIMELINE_RIGHT = (False, False, False, True, True, True, False)


_REFUNDED_COLUMN = 5


def _what(entry: TimelineEntry) -> str:
    """What happened; a charge time alone made, with no notice of its own, is a retry."""
    if entry.what == "time passes" and (entry.declined or entry.charged.is_positive()):
        return "payment retried"
    return entry.what


def _notice_names(notices: Sequence[Notice]) -> str:
    names = dict.fromkeys(notice.kind.value.replace("_", " ") for notice in notices)
    return ", ".join(names) or "-"


def _without_refunds(cells: Sequence[_T], *, refunds: bool) -> list[_T]:
    """The cells of a timeline row, without the refund column when nothing was refunded."""
    return list(cells) if refunds else [*cells[:_REFUNDED_COLUMN], *cells[_REFUNDED_COLUMN + 1 :]]


def _timeline_cells(entry: TimelineEntry, tz: ZoneInfo) -> list[str]:
    return [
        entry.at.astimezone(tz).date().isoformat(),
        _what(entry),
        _status(entry.status),
        entry.charged.format_amount(),
        entry.credited.format_amount(),
        entry.refunded.format_amount(),
        _notice_names(entry.notices),
    ]


def _timeline_table(entries: Sequence[TimelineEntry], tz: ZoneInfo) -> list[str]:
    """The timeline as an aligned table: date, what, status, money moved, notices sent.

    The refund column appears only when something was refunded.
    """
    refunds = any(entry.refunded.is_positive() for entry in entries)
    rows = [_without_refunds(_timeline_cells(entry, tz), refunds=refunds) for entry in entries]
    headers = _without_refunds(_TIMELINE_HEADERS, refunds=refunds)
    return _aligned(headers, rows, _without_refunds(_TIMELINE_RIGHT, refunds=refunds))


def _billed(quote: ChangeQuote, policy: BillingPolicy) -> str | None:
    """When a quote's lines are billed: ``now``, ``next_invoice``, or ``None`` without lines."""
    if not quote.lines:
        return None
    waiting = {ProrationBilling.NEXT_INVOICE, ProrationBilling.PENDING_ITEMS}
    new_cycle = quote.timing is Timing.IMMEDIATELY and quote.to_interval != quote.from_interval
    if new_cycle or policy.proration_billing not in waiting:
        return "now"  # an interval change bills its new cycle at once, whether or not it restarts
    return "next_invoice"


def _context(account: _Account) -> str:
    return f"time zone {account.time_zone.key}, policy {account.policy.name}"


def _plan_words(catalog: Catalog, plan_id: str, interval: Interval, quantity: int) -> str:
    """A plan, its interval and, when sold per unit, the units: ``Team, monthly, 5 seats``."""
    plan = catalog.plan(plan_id)
    if plan.unit is None:
        return f"{plan.name}, {interval}"
    return f"{plan.name}, {interval}, {catalog.metric(plan.unit).describe(quantity)}"


def _tax_rows(taxes: Sequence[TaxSummary], subtotal: Money, total: Money) -> list[_Row]:
    """Below a document's lines: its subtotal, each tax and its total (the total alone untaxed)."""
    if not taxes:
        return [("Total", total, None)]
    rows: list[_Row] = [("Subtotal", subtotal, None)]
    for row in taxes:
        label = f"{row.rate.name} on {row.taxable}"
        if row.rate.inclusive:
            label += " (included)"
        if row.reverse_charge:
            label += " (reverse charge)"
        rows.append((label, row.amount, None))
    rows.append(("Total", total, None))
    return rows


def _quote_totals(quote: ChangeQuote) -> tuple[tuple[TaxSummary, ...], Money]:
    """A quote's taxes per rate and its subtotal (its total less the tax)."""
    if quote.tax is None:
        return (), quote.total
    return tax_summaries(quote.lines), quote.total - quote.tax


def _quote_text(quote: ChangeQuote, account: _Account) -> str:
    """Render a quote for a terminal."""
    tz = account.time_zone
    catalog = account.catalog
    head = (
        f"{_plan_words(catalog, quote.from_plan_id, quote.from_interval, quote.from_quantity)}"
        f" \N{RIGHTWARDS ARROW} "
        f"{_plan_words(catalog, quote.to_plan_id, quote.to_interval, quote.to_quantity)},"
        f" at {_when(quote.at, tz)} ({_context(account)})"
    )
    effect = (
        f"immediately, {_when(quote.effective_at, tz)}"
        if quote.timing is Timing.IMMEDIATELY
        else f"at the end of the period, {_when(quote.effective_at, tz)}"
    )
    about: list[_Field] = [
        ("Kind", quote.kind.value.replace("_", " ")),
        ("Takes effect", effect),
    ]
    if quote.restarts_cycle:
        about.append(("Billing cycle", f"restarts on {_when(quote.effective_at, tz)}"))
    match quote.feasibility:
        case Feasible():
            about.append(("Feasible", "yes"))
        case Infeasible() as infeasible:
            allows = " and ".join(a.metric.describe(a.limit) for a in infeasible.actions)
            about.append(("Feasible", f"no, {infeasible.plan_name} allows {allows}"))
            about.append(("Actions required", infeasible.actions_text))
        case _:
            assert_never(quote.feasibility)
    if quote.feasibility.warnings:
        about.append(("Warnings", quote.feasibility.warnings))
    billed = _billed(quote, account.policy)
    if billed is not None:
        about.append(("Lines billed", "now" if billed == "now" else "on the next invoice"))
    if quote.lines:
        taxes, subtotal = _quote_totals(quote)
        lines = _priced([*_line_rows(quote.lines), *_tax_rows(taxes, subtotal, quote.total)])
    else:
        lines = ["No lines: nothing is charged or credited now."]
    money: list[_Field] = [
        ("Credit applied", str(quote.credit_applied)),
        ("Amount due now", str(quote.amount_due_now)),
    ]
    if quote.refund:
        money.append(("Refund", str(quote.refund)))
    money.append(("Credit after", str(quote.credit_after)))
    if quote.due_next_invoice:
        money.append(("Next invoice", str(quote.due_next_invoice)))
    return "\n".join([head, "", *_fields(about, money), "", *lines, "", *_fields(money, about)])


def _cancellation(summary: BillingSummary, tz: ZoneInfo) -> str:
    if summary.status is Status.ENDED and summary.ends_at is not None:
        return f"ended on {_when(summary.ends_at, tz)}"
    if summary.cancel_at_period_end and summary.ends_at is not None:
        return f"cancelled; access ends on {_when(summary.ends_at, tz)}"
    return "none"


def _pending(summary: BillingSummary, names: dict[str, str], tz: ZoneInfo) -> str:
    change = summary.pending_change
    if change is None:
        return "none"
    parts = [names.get(change.plan_id, change.plan_id), str(change.interval)]
    quantity = summary.quantity if change.quantity is None else change.quantity
    if change.price is not None:
        price = change.price.price
        if price.unit is not None:
            parts.append(f"{quantity:,} {price.unit}")
        parts.append(f"{price.total(quantity)} a period")
    return f"{', '.join(parts)}, on {_when(change.effective_at, tz)}"


def _summary_text(summary: BillingSummary, account: _Account) -> str:
    """Render a billing summary for a terminal."""
    tz = account.time_zone
    names = {plan.id: plan.name for plan in account.catalog}
    period = summary.current_period
    current = "none"
    if period is not None:
        current = (
            f"{_when(period.start, tz)} \N{RIGHTWARDS ARROW} {_when(period.end, tz)}, "
            f"{_plural(summary.days_left, 'day')} left"
        )
    fields: list[_Field] = [
        ("Status", summary.status.value.replace("_", " ")),
        (
            "Plan",
            _plan_words(account.catalog, summary.plan_id, summary.interval, summary.quantity),
        ),
        ("Current period", current),
        ("Usage", [line.describe() for line in summary.usage]),
        ("Credit balance", str(summary.credit_balance)),
        ("Pending change", _pending(summary, names, tz)),
        ("Cancellation", _cancellation(summary, tz)),
    ]
    text = [f"Billing summary at {_when(account.at, tz)} ({_context(account)})", ""]
    text.extend(_fields(fields))
    text.append("")
    invoice = summary.upcoming
    if invoice is None:
        text.append("Upcoming invoice: none")
    else:
        text.append(f"Upcoming invoice on {_when(invoice.issued_at, tz)}:")
        rows = _line_rows(invoice.lines)
        if invoice.taxes:
            rows.extend(_tax_rows(invoice.taxes, invoice.subtotal, invoice.total))
        if invoice.credit_applied:
            rows.append(("Credit applied", -invoice.credit_applied, None))
        rows.append(("Amount due", invoice.amount_due, None))
        text.extend(_priced(rows))
    return "\n".join(text)


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, _TEXT_WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )
