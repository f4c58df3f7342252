"""The ``subscription-rules`` command: a catalog, a plan-change quote or a billing summary.

Run ``subscription-rules --help`` (or ``python -m subscription_rules --help``).
Subcommands:

``plans [--catalog FILE] [--json]``
    The catalog as a table (or JSON): each plan's prices per interval, its
    limit per metric and its trial. Without ``--catalog`` it shows the
    built-in example catalog, whose prices are illustrative.
``quote --plan ID --since DATE --at DATE --to ID [...]``
    What a plan change at ``--at`` would do for an account described on the
    command line: its kind and timing, whether it fits the usage (and what to
    delete first if not), each line with its arithmetic, the amount due now
    and the credit left.
``summary --plan ID --since DATE --at DATE [...]``
    The billing section of the described account at ``--at``: status, plan,
    current period, usage, upcoming invoice, credit and cancellation.
``demo [--catalog FILE]``
    A short tour; for now, an introduction and the plans table.

An account is a subscription to ``--plan`` at ``--interval`` started at
``--since`` without a trial and processed up to ``--at``; ``--usage`` gives
its counts and ``--cancelled-at`` a cancellation. Dates are ISO 8601; one
without an offset is read in ``--time-zone``. ``--policy`` picks a preset.

Bad input (a missing file, a broken catalog, an unknown plan, a malformed
date, an unknown subcommand) prints one line starting with
``subscription-rules: error:`` to stderr and exits with status 2, without a
traceback. A quote the subscription's status refuses exits with status 1.

>>> main(["plans", "--json"]) == 0  # doctest: +ELLIPSIS
{
  "source": "built-in example",
  "illustrative": true,
  "currency": "USD",
...
True
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from datetime import UTC, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, NoReturn, assert_never
from zoneinfo import ZoneInfo

import attrs
from dateutil.parser import isoparse

from subscription_rules.catalog import Catalog, default_catalog, load_catalog
from subscription_rules.dunning import Succeeded
from subscription_rules.effects import Decision, Refused
from subscription_rules.errors import CatalogError, SubscriptionRulesError
from subscription_rules.invoices import Explanation, Invoice, Line, format_date
from subscription_rules.lifecycle import advance, cancel, record_payment, start_subscription
from subscription_rules.money import Money
from subscription_rules.periods import BillingPeriod, Interval, zone
from subscription_rules.policy import PRESETS, BillingPolicy, ProrationBilling, preset
from subscription_rules.proration import ChangeQuote, Timing, quote_change
from subscription_rules.subscription import Status, Subscription
from subscription_rules.summary import BillingSummary, billing_summary
from subscription_rules.usage import Feasible, Infeasible, Usage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import TypeAlias

    _Field: TypeAlias = tuple[str, str | Sequence[str]]
    """A labelled value: one line, or a sequence of lines."""

__all__ = ["PROG", "main", "plans_json", "plans_table"]

PROG = "subscription-rules"
"""The command's name, which starts every error line."""

_USAGE_STATUS = 2
_REFUSED_STATUS = 1
_DEFAULT_SOURCE = "built-in example"


class _ParserExitError(Exception):
    """Raised instead of ``SystemExit`` so that :func:`main` returns a status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a usage error on one line and never exits."""

    def error(self, message: str) -> NoReturn:
        _print_error(f"{message}; run '{self.prog} --help' for usage")
        raise _ParserExitError(_USAGE_STATUS)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _ParserExitError(status)


def _print_error(message: str) -> None:
    """Write one ``subscription-rules: error: ...`` line to stderr."""
    one_line = " ".join(message.split())
    sys.stderr.write(f"{PROG}: error: {one_line}\n")


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")


# --------------------------------------------------------------------------- loading


def _load(path: str | None) -> Catalog:
    """Return the catalog in ``path``, or the built-in example when ``None``."""
    if path is None:
        return default_catalog()
    try:
        return load_catalog(path)
    except CatalogError as err:
        if err.key == "path" and err.value == os.fspath(path):
            raise  # already names the file
        raise CatalogError(f"{path}: {err}") from err


def _source(path: str | None) -> str:
    return _DEFAULT_SOURCE if path is None else path


# --------------------------------------------------------------------------- formatting


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
    return f"Catalog ({catalog.currency.code}) \N{EM DASH} {where}"


def plans_table(catalog: Catalog, title: str) -> str:
    """Render a catalog as an aligned plain-text table under a title line.

    Columns: Plan, Id, one per interval any plan is sold at (shortest first),
    one per metric (``unlimited`` for no limit) and Trial. Numbers are
    right-aligned and thousands separated with commas.

    Args:
        catalog: The catalog to show.
        title: The first line.

    Returns:
        The table, lines separated by newlines, without a trailing newline.

    >>> print(plans_table(default_catalog(), "Plans (USD)"))
    Plans (USD)
    <BLANKLINE>
    Plan      Id        Monthly    Yearly  Properties  Integrations  Billable sessions  Trial
    --------  --------  -------  --------  ----------  ------------  -----------------  -------
    Personal  personal    50.00    500.00           3             3            100,000  14 days
    Advanced  advanced   150.00  1,500.00          10            10            500,000  14 days
    Pro       pro        300.00  3,000.00          25     unlimited          2,000,000  14 days
    """
    intervals = _intervals(catalog)
    headers = [
        "Plan",
        "Id",
        *(str(interval).capitalize() for interval in intervals),
        *(metric.plural.capitalize() for metric in catalog.metrics),
        "Trial",
    ]
    right = [False, False, *(True for _ in intervals), *(True for _ in catalog.metrics), False]
    rows = [headers]
    for plan in catalog:
        prices = {price.interval: _amount(price.amount) for price in plan.prices}
        rows.append(
            [
                plan.name,
                plan.id,
                *(prices.get(interval, "-") for interval in intervals),
                *(_limit(plan.limit(metric.name)) for metric in catalog.metrics),
                _trial(plan.trial_days),
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    rows.insert(1, ["-" * width for width in widths])
    lines = [title, ""]
    for row in rows:
        cells = (
            cell.rjust(width) if is_right else cell.ljust(width)
            for cell, width, is_right in zip(row, widths, right, strict=True)
        )
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def plans_json(catalog: Catalog, source: str) -> str:
    """Render a catalog as JSON: prices as major-unit strings and minor-unit ints.

    Args:
        catalog: The catalog to show.
        source: Where it came from (a file path, or ``"built-in example"``).

    Returns:
        Indented JSON text. Limits list every metric; ``null`` is unlimited.

    >>> import json
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


# --------------------------------------------------------------------------- describing an account

_DATE_EXAMPLES = "2027-01-16, 2027-01-16T12:00 or 2027-01-16T12:00+01:00"
_USAGE_ITEM = re.compile(r"\s*([^=\s]+)\s*=\s*([0-9]+(?:_[0-9]+)*)\s*")
_SUBSCRIPTION_ID = "sub_cli"
_CUSTOMER_ID = "cus_cli"


def _bad(option: str, message: str, value: object) -> SubscriptionRulesError:
    """An error about one command-line option; its message starts with the option."""
    return SubscriptionRulesError(message, argument=option, value=value)


@contextlib.contextmanager
def _about(option: str) -> Iterator[None]:
    """Report a library error raised inside the block as an error about ``option``."""
    try:
        yield
    except SubscriptionRulesError as err:
        message = str(err)
        prefix = f"{err.argument}: "
        if err.argument and message.startswith(prefix):
            message = message[len(prefix) :]
        raise _bad(option, message, err.value) from err


def _moment(option: str, text: str, tz: ZoneInfo) -> datetime:
    """Read an ISO 8601 date or date-time; one without an offset is local time in ``tz``.

    A local time in a DST gap moves forward by the gap and an ambiguous one is
    its first occurrence, as period boundaries do.
    """
    try:
        parsed = isoparse(text)
    except (ValueError, OverflowError):
        message = f"malformed date {text!r}; expected ISO 8601, such as {_DATE_EXAMPLES}"
        raise _bad(option, message, text) from None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        return parsed.astimezone(tz)
    except OverflowError:
        raise _bad(option, f"{text!r} lies too close to year 1 or year 9999", text) from None


def _usage(items: Sequence[str], catalog: Catalog) -> Usage:
    """Read ``METRIC=COUNT`` items into a usage, refusing metrics the catalog lacks."""
    known = [metric.name for metric in catalog.metrics]
    counts: dict[str, int] = {}
    for item in items:
        match = _USAGE_ITEM.fullmatch(item)
        if match is None:
            message = (
                f"expected METRIC=COUNT with a whole number, such as properties=10, got {item!r}"
            )
            raise _bad("--usage", message, item)
        name, count = match.group(1), int(match.group(2))
        if name not in known:
            message = f"unknown metric {name!r}; known metrics: {', '.join(known)}"
            raise _bad("--usage", message, item)
        if name in counts:
            raise _bad("--usage", f"metric {name!r} given twice", item)
        counts[name] = count
    return Usage.of(counts)


@attrs.frozen
class _Account:
    """An account described on the command line, its subscription processed up to ``at``."""

    catalog: Catalog
    source: str
    policy: BillingPolicy
    time_zone: ZoneInfo
    plan_id: str
    interval: Interval
    since: datetime
    at: datetime
    cancelled_at: datetime | None
    usage: Usage
    subscription: Subscription


def _paid(
    decision: Decision, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> Subscription:
    """The decision's subscription with every invoice it charged paid at ``at``.

    The account described on the command line is in good standing: each
    charge succeeds when it is made.
    """
    sub = decision.subscription
    for invoice in decision.invoices:
        if sub.open_invoice(invoice.id) is not None:
            paid = record_payment(sub, invoice.id, Succeeded(), at, catalog=catalog, policy=policy)
            if not isinstance(paid, Refused):
                sub = paid.subscription
    return sub


def _advance(
    sub: Subscription, until: datetime, catalog: Catalog, policy: BillingPolicy
) -> Subscription:
    """Process ``sub`` up to ``until`` one period end at a time, paying each renewal."""
    while sub.processed_until < until:
        step = until
        if sub.status in {Status.ACTIVE, Status.PAST_DUE}:
            step = min(until, sub.current_period.end)
        sub = _paid(advance(sub, step, catalog=catalog, policy=policy), step, catalog, policy)
    return sub


def _account(args: argparse.Namespace) -> _Account:
    """Check the account options, in the order a reader meets them, and build the account."""
    path: str | None = args.catalog
    catalog = _load(path)
    with _about("--policy"):
        policy = preset(args.policy)
    with _about("--time-zone"):
        tz = zone(args.time_zone)
    with _about("--plan"):
        plan = catalog.plan(args.plan)
    with _about("--interval"):
        interval = Interval.parse(args.interval)
        plan.price(interval)
    since = _moment("--since", args.since, tz)
    at = _moment("--at", args.at, tz)
    if at < since:
        message = f"{at.isoformat()} is before --since {since.isoformat()}"
        raise _bad("--at", message, args.at)
    cancelled_at = None
    if args.cancelled_at is not None:
        cancelled_at = _moment("--cancelled-at", args.cancelled_at, tz)
        if not since <= cancelled_at <= at:
            message = (
                f"{cancelled_at.isoformat()} must lie between --since {since.isoformat()} "
                f"and --at {at.isoformat()}"
            )
            raise _bad("--cancelled-at", message, args.cancelled_at)
    usage = _usage(args.usage or (), catalog)
    # Past validation, what can still go wrong is a period beyond year 9999.
    with _about("--since"):
        started = start_subscription(
            _SUBSCRIPTION_ID,
            _CUSTOMER_ID,
            plan.id,
            interval,
            since,
            catalog=catalog,
            time_zone=tz.key,
            trial=False,
            policy=policy,
        )
    sub = _paid(started, since, catalog, policy)
    if cancelled_at is not None:
        with _about("--cancelled-at"):
            sub = _advance(sub, cancelled_at, catalog, policy)
            cancelled = cancel(sub, cancelled_at, policy=policy)
        if isinstance(cancelled, Refused):
            raise _bad("--cancelled-at", cancelled.message, args.cancelled_at)
        sub = cancelled.subscription
    with _about("--at"):
        sub = _advance(sub, at, catalog, policy)
    return _Account(
        catalog, _source(path), policy, tz, plan.id, interval, since, at, cancelled_at, usage, sub
    )


# --------------------------------------------------------------------------- quotes and summaries


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


def _billed(quote: ChangeQuote, policy: BillingPolicy) -> str | None:
    """When a quote's lines are billed: ``now``, ``next_invoice``, or ``None`` without lines."""
    if not quote.lines:
        return None
    if quote.restarts_cycle or policy.proration_billing is not ProrationBilling.NEXT_INVOICE:
        return "now"
    return "next_invoice"


def _context(account: _Account) -> str:
    return f"time zone {account.time_zone.key}, policy {account.policy.name}"


def _quote_text(quote: ChangeQuote, account: _Account) -> str:
    """Render a quote for a terminal."""
    tz = account.time_zone
    names = {plan.id: plan.name for plan in account.catalog}
    head = (
        f"{names[quote.from_plan_id]}, {quote.from_interval} \N{RIGHTWARDS ARROW} "
        f"{names[quote.to_plan_id]}, {quote.to_interval}, at {_when(quote.at, tz)} "
        f"({_context(account)})"
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
        lines = _priced([*_line_rows(quote.lines), ("Total", quote.total, None)])
    else:
        lines = ["No lines: nothing is charged or credited now."]
    money: list[_Field] = [
        ("Credit applied", str(quote.credit_applied)),
        ("Amount due now", str(quote.amount_due_now)),
    ]
    if quote.refund:
        money.append(("Refund", str(quote.refund)))
    money.append(("Credit after", str(quote.credit_after)))
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
    return f"{names[change.plan_id]}, {change.interval}, on {_when(change.effective_at, tz)}"


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
        ("Plan", f"{summary.plan_name}, {summary.interval}"),
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
        if invoice.credit_applied:
            rows.append(("Credit applied", -invoice.credit_applied, None))
        rows.append(("Amount due", invoice.amount_due, None))
        text.extend(_priced(rows))
    return "\n".join(text)


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


# --------------------------------------------------------------------------- commands


def _cmd_plans(args: argparse.Namespace) -> int:
    path: str | None = args.catalog
    catalog = _load(path)
    if args.json:
        _write(plans_json(catalog, _source(path)))
    else:
        _write(plans_table(catalog, _title(catalog, path)))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    path: str | None = args.catalog
    catalog = _load(path)
    on = "the built-in example catalog, whose prices are illustrative" if path is None else path
    _write(
        "subscription_rules is the rulebook of a SaaS subscription as a pure Python library."
        f"\nIts rules work on a catalog of plans; here is {on}.\n"
    )
    _write(plans_table(catalog, _title(catalog, path)))
    return 0


def _cmd_quote(args: argparse.Namespace) -> int:
    account = _account(args)
    with _about("--to"):
        target = account.catalog.plan(args.to)
    with _about("--to-interval"):
        interval = (
            account.interval if args.to_interval is None else Interval.parse(args.to_interval)
        )
        target.price(interval)
    with _about("--at"):  # a period the change needs may lie beyond year 9999
        quote = quote_change(
            account.subscription,
            target.id,
            interval,
            account.at,
            catalog=account.catalog,
            usage=account.usage,
            policy=account.policy,
        )
    if isinstance(quote, Refused):
        _write(_refused_json(quote, account) if args.json else f"Refused: {quote.message}")
        return _REFUSED_STATUS
    _write(_quote_json(quote, account) if args.json else _quote_text(quote, account))
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    account = _account(args)
    with _about("--at"):  # the next period may lie beyond year 9999
        summary = billing_summary(
            account.subscription,
            account.usage,
            account.at,
            catalog=account.catalog,
            policy=account.policy,
        )
    _write(_summary_json(summary, account) if args.json else _summary_text(summary, account))
    return 0


def _add_account_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe an account, shared by ``quote`` and ``summary``."""
    account = parser.add_argument_group("the account")
    account.add_argument("--plan", metavar="ID", required=True, help="its current plan")
    account.add_argument(
        "--interval",
        default="monthly",
        help="its billing interval: monthly, yearly, quarterly, '2 weeks', ... (default: monthly)",
    )
    account.add_argument(
        "--since",
        metavar="DATE",
        required=True,
        help="when the subscription started, without a trial; its billing cycle is anchored there",
    )
    account.add_argument(
        "--at", metavar="DATE", required=True, help="the moment to look at, not before --since"
    )
    account.add_argument(
        "--usage",
        metavar="METRIC=COUNT",
        action="append",
        help="what the account uses, e.g. properties=10; repeat for each metric (default: none)",
    )
    account.add_argument(
        "--cancelled-at",
        metavar="DATE",
        help="when the customer cancelled (service runs to the period end); from --since to --at",
    )
    account.add_argument(
        "--time-zone",
        metavar="ZONE",
        default="UTC",
        help="IANA time zone of the billing calendar and of dates without an offset (default: UTC)",
    )


def _add_rules_options(parser: argparse.ArgumentParser, catalog_help: str) -> None:
    """The policy, the catalog and the output format, shared by ``quote`` and ``summary``."""
    rules = parser.add_argument_group("rules and output")
    rules.add_argument(
        "--policy",
        metavar="PRESET",
        default="seed",
        help=f"billing conventions: {', '.join(PRESETS)} (default: seed)",
    )
    rules.add_argument("--catalog", metavar="FILE", help=catalog_help)
    rules.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Preview the rules of a SaaS subscription: plans, prices and limits, "
        "what a plan change costs, and the billing section of an account.",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    catalog_help = "a TOML catalog file (default: the built-in example catalog)"
    plans = commands.add_parser(
        "plans", help="show the catalog's plans", description="Show the catalog's plans."
    )
    plans.add_argument("--catalog", metavar="FILE", help=catalog_help)
    plans.add_argument("--json", action="store_true", help="print machine-readable JSON")
    quote = commands.add_parser(
        "quote",
        help="what a plan change would cost",
        description="Preview a plan change for an account: its kind and timing, whether it\n"
        "fits the usage (and what to do first if not), each line with its arithmetic,\n"
        "the amount due now and the credit left. Nothing is changed.",
        epilog=f"example:\n  {PROG} quote --plan advanced --since 2027-01-01 --at 2027-01-16 "
        "--to pro",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_account_options(quote)
    change = quote.add_argument_group("the change")
    change.add_argument("--to", metavar="ID", required=True, help="the plan to move to")
    change.add_argument(
        "--to-interval",
        metavar="INTERVAL",
        help="the interval to move to (default: the account's --interval)",
    )
    _add_rules_options(quote, catalog_help)
    summary = commands.add_parser(
        "summary",
        help="the billing section of an account",
        description="Show the billing section of an account at a moment: status, plan,\n"
        "current period, usage, the upcoming invoice, credit and cancellation.",
        epilog=f"example:\n  {PROG} summary --plan advanced --since 2026-11-01 --at 2026-11-20 "
        "--usage properties=4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_account_options(summary)
    _add_rules_options(summary, catalog_help)
    demo = commands.add_parser(
        "demo", help="a short tour of the library", description="A short tour of the library."
    )
    demo.add_argument("--catalog", metavar="FILE", help=catalog_help)
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plans": _cmd_plans,
    "quote": _cmd_quote,
    "summary": _cmd_summary,
    "demo": _cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    r"""Run the command line and return the exit status.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 1 when the subscription's status refuses a quoted
        change, 2 for bad input (after one error line on stderr).

    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     status = main(["plans", "--catalog", "missing.toml"])
    >>> status, err.getvalue()
    (2, "subscription-rules: error: path: cannot read catalog file 'missing.toml': No such file or directory\n")
    """
    try:
        args = _parser().parse_args(argv)
        command: str = args.command
        return _COMMANDS[command](args)
    except _ParserExitError as done:
        return done.status
    except SubscriptionRulesError as err:
        _print_error(str(err))
        return _USAGE_STATUS
