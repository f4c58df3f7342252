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
``retries --failed-at DATE [--schedule NAME] [...]``
    When a declined payment is retried: each retry's number, local instant
    and offset from the failure, then what the policy does when they run out.
``simulate FILE.toml [--catalog FILE] [--policy PRESET]``
    A scenario file (a subscription, timed commands, scripted payment
    outcomes) played out offline by :func:`~subscription_rules.simulation.simulate`:
    the timeline as a table, and the totals.
``demo [--catalog FILE]``
    The help page's whole story on the built-in example catalog, narrated:
    a trial, an upgrade and its prorated invoice, a downgrade refused until
    7 properties are deleted, a credit note used up by later invoices, a
    failed renewal retried, a suspension and a cancellation.

An account is a subscription to ``--plan`` at ``--interval`` started at
``--since`` without a trial and processed up to ``--at``; ``--usage`` gives
its counts and ``--cancelled-at`` a cancellation. Dates are ISO 8601; one
without an offset is read in ``--time-zone``. ``--policy`` picks a preset.

Bad input (a missing file, a broken catalog or scenario, an unknown plan, a
malformed date, an unknown subcommand) prints one line starting with
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
import textwrap
import tomllib
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, NoReturn, assert_never
from zoneinfo import ZoneInfo

import attrs
from dateutil.parser import isoparse

from subscription_rules._toml import read_bounded, shape_problem
from subscription_rules.catalog import MAX_COUNT, Catalog, default_catalog, load_catalog
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    RetrySchedule,
    Succeeded,
)
from subscription_rules.effects import ChargeInvoice, Decision, Refused
from subscription_rules.errors import CatalogError, InvalidInstantError, SubscriptionRulesError
from subscription_rules.invoices import Explanation, Invoice, Line, format_date
from subscription_rules.lifecycle import (
    MAX_PERIODS_PER_ADVANCE,
    advance,
    cancel,
    record_payment,
    start_subscription,
)
from subscription_rules.money import Money
from subscription_rules.notifications import FactValue, Notice
from subscription_rules.periods import MONTHLY, BillingPeriod, Interval, zone
from subscription_rules.policy import (
    PRESETS,
    SEED_POLICY,
    BillingPolicy,
    DowngradeTiming,
    ProrationBilling,
    RetriesExhausted,
    preset,
)
from subscription_rules.proration import ChangeQuote, Timing, quote_change
from subscription_rules.simulation import (
    Cancel,
    CancelPendingChange,
    ChangePlan,
    Command,
    Reinstate,
    SetUsage,
    Step,
    Suspend,
    Timeline,
    TimelineEntry,
    UndoCancel,
    UpdatePaymentMethod,
    simulate,
)
from subscription_rules.subscription import Status, Subscription
from subscription_rules.summary import BillingSummary, billing_summary
from subscription_rules.usage import Feasible, Infeasible, Usage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import TypeAlias, TypeVar

    _T = TypeVar("_T")

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
    return "\n".join([title, "", *_aligned(rows[0], rows[1:], right)])


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
    return _localized(option, parsed, tz, text)


def _localized(option: str, parsed: datetime, tz: ZoneInfo, shown: object) -> datetime:
    """``parsed`` as an aware instant in ``tz``; a naive one is local time there."""
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        return parsed.astimezone(tz)
    except OverflowError:
        raise _bad(option, f"{shown!r} lies too close to year 1 or year 9999", shown) from None


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
        name, digits = match.group(1), match.group(2)
        if len(digits.lstrip("0")) > len(str(MAX_COUNT)):
            raise _bad("--usage", f"count must be at most {MAX_COUNT:,}", item)
        count = int(digits)
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
    for effect in decision.effects:
        if isinstance(effect, ChargeInvoice) and sub.open_invoice(effect.invoice.id) is not None:
            key = effect.idempotency_key
            paid = record_payment(sub, key, Succeeded(), at, catalog=catalog, policy=policy)
            if not isinstance(paid, Refused):
                sub = paid.subscription
    return sub


def _advance(
    sub: Subscription, until: datetime, catalog: Catalog, policy: BillingPolicy
) -> Subscription:
    """Process ``sub`` up to ``until`` one period end at a time, paying each renewal.

    At most ``MAX_PERIODS_PER_ADVANCE`` periods: a longer span is refused up front.
    """
    periods = (
        sub.cycle.index_containing(until) - sub.period_index if until >= sub.cycle.anchor else 0
    )
    if periods > MAX_PERIODS_PER_ADVANCE:
        message = (
            f"{until.isoformat()} lies {periods:,} periods after the start; "
            f"at most {MAX_PERIODS_PER_ADVANCE:,} are replayed"
        )
        raise _bad("--at", message, until.isoformat())
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


# --------------------------------------------------------------------------- timelines

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


def _status(status: Status) -> str:
    return status.value.replace("_", " ")


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


def _fact_json(value: FactValue, tz: ZoneInfo) -> object:
    if isinstance(value, Money):
        return _money_json(value)
    if isinstance(value, datetime):
        return _time_json(value, tz)
    return value


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


# --------------------------------------------------------------------------- retries

_TEXT_WIDTH = 90
_NBSP = "\N{NO-BREAK SPACE}"
_SCHEDULES: dict[str, RetrySchedule] = {
    "smart": SMART_RETRIES_LIKE,
    "three": THREE_RETRIES,
    "killbill": KILL_BILL_EXAMPLE,
}
_HOUR = re.compile(r"[0-9]{1,2}")
_LAST_HOUR = 23
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EXHAUSTED = {
    RetriesExhausted.SUSPEND: "suspends the account: access is withdrawn until the invoice is paid",
    RetriesExhausted.CANCEL: "ends the subscription at once",
    RetriesExhausted.MARK_UNPAID: (
        "marks the invoice unpaid: no more retries, and access is withdrawn while it stays past due"
    ),
    RetriesExhausted.STAY_PAST_DUE: "leaves the subscription past due, with access, and retries no more",
}


def _local_time(at: datetime, tz: ZoneInfo) -> str:
    """An instant as local weekday, ISO date and time: ``Sat 2021-08-07 00:00``."""
    local = at.astimezone(tz)
    return f"{_WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def _after(delta: timedelta) -> str:
    """A positive duration in days, hours and minutes: ``9 days``, ``1 day 14 h``."""
    hours, rest = divmod(delta.seconds, 3600)
    parts = [_plural(delta.days, "day")] if delta.days else []
    if hours:
        parts.append(f"{hours} h")
    if rest // 60:
        parts.append(f"{rest // 60} min")
    return " ".join(parts) or "at once"


@attrs.frozen
class _Retries:
    """A retry schedule applied to one failure."""

    failed_at: datetime
    time_zone: ZoneInfo
    policy: BillingPolicy
    schedule: RetrySchedule
    times: tuple[datetime, ...]
    deadline: datetime


def _retries(args: argparse.Namespace) -> _Retries:
    """Check the options of ``retries`` and work the schedule out."""
    with _about("--policy"):
        policy = preset(args.policy)
    with _about("--time-zone"):
        tz = zone(args.time_zone)
    schedule = policy.retry_schedule if args.schedule is None else _SCHEDULES[args.schedule]
    hour: str | None = args.local_hour
    if hour is not None:
        if _HOUR.fullmatch(hour) is None or int(hour) > _LAST_HOUR:
            raise _bad("--local-hour", f"expected a whole hour from 0 to 23, got {hour!r}", hour)
        with _about("--local-hour"):
            schedule = attrs.evolve(schedule, local_hour=int(hour))
    failed_at = _moment("--failed-at", args.failed_at, tz)
    with _about("--failed-at"):
        times = schedule.retry_times(failed_at, tz.key)
    try:
        deadline = schedule.deadline(failed_at).astimezone(tz)
    except (InvalidInstantError, OverflowError):
        message = f"{args.failed_at!r} lies too close to year 9999 for this schedule"
        raise _bad("--failed-at", message, args.failed_at) from None
    return _Retries(failed_at, tz, policy, schedule, times, deadline)


def _retries_text(found: _Retries) -> str:
    tz, schedule, policy = found.time_zone, found.schedule, found.policy
    count = "1 retry" if schedule.retries == 1 else f"{schedule.retries} retries"
    at_hour = ""
    if schedule.local_hour is not None:
        at_hour = f", each moved to the next {schedule.local_hour:02d}:00 local time"
    rows = [
        [str(number), _local_time(at, tz), _after(_elapsed(found.failed_at, at))]
        for number, at in enumerate(found.times, start=1)
    ]
    table = _aligned(["Retry", "At", "After the failure"], rows, [True, False, False])
    exhausted = policy.retries_exhausted
    return "\n".join(
        [
            (
                f"Retries after a payment failed at {_local_time(found.failed_at, tz)} "
                f"(time zone {tz.key}, policy {policy.name})"
            ),
            f"Schedule {schedule.name}: {count} within {_after(schedule.window)}{at_hour}",
            "",
            *table,
            "",
            *textwrap.wrap(
                f"When retry {schedule.retries} is declined too, policy {policy.name} "
                f"{_EXHAUSTED[exhausted]} (retries_exhausted: {exhausted.value}). A hard decline "
                "(a lost or stolen card, for example) is not retried: the invoice waits for a "
                f"new payment method until {_unbroken(_local_time(found.deadline, tz))}, then the same "
                "applies.",
                _TEXT_WIDTH,
                break_on_hyphens=False,
            ),
        ]
    ).replace(_NBSP, " ")


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """The time elapsed from ``start`` to ``end``, in UTC (a wall clock gains or loses DST)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def _unbroken(text: str) -> str:
    """``text`` with its spaces made unbreakable for :func:`textwrap.wrap` (restored after)."""
    return text.replace(" ", _NBSP)


def _retries_json(found: _Retries) -> str:
    tz, schedule = found.time_zone, found.schedule
    return _dump(
        {
            "failed_at": _time_json(found.failed_at, tz),
            "time_zone": tz.key,
            "policy": found.policy.name,
            "schedule": {
                "name": schedule.name,
                "retries": schedule.retries,
                "local_hour": schedule.local_hour,
                "window_seconds": int(schedule.window.total_seconds()),
            },
            "retries": [
                {
                    "number": number,
                    "at": _time_json(at, tz),
                    "after_seconds": int(_elapsed(found.failed_at, at).total_seconds()),
                    "after": _after(_elapsed(found.failed_at, at)),
                }
                for number, at in enumerate(found.times, start=1)
            ],
            "hard_decline_deadline": _time_json(found.deadline, tz),
            "retries_exhausted": found.policy.retries_exhausted.value,
            "when_exhausted": _EXHAUSTED[found.policy.retries_exhausted],
        }
    )


# --------------------------------------------------------------------------- scenario files

_MAX_SCENARIO_BYTES = 1024 * 1024
_SCENARIO_KEYS = ("until", "policy", "subscription", "usage", "steps", "outcomes")
_SUBSCRIPTION_KEYS = (
    "id",
    "customer",
    "plan",
    "interval",
    "start",
    "trial",
    "payment_method",
    "time_zone",
)
_STEP_KEYS: dict[str, tuple[str, ...]] = {
    "change_plan": ("plan", "interval", "usage"),
    "cancel": (),
    "undo_cancel": (),
    "suspend": (),
    "reinstate": (),
    "update_payment_method": (),
    "cancel_pending_change": (),
    "set_usage": ("usage",),
}
_SIMPLE_COMMANDS: dict[str, Command] = {
    "cancel": Cancel(),
    "undo_cancel": UndoCancel(),
    "suspend": Suspend(),
    "reinstate": Reinstate(),
    "update_payment_method": UpdatePaymentMethod(),
    "cancel_pending_change": CancelPendingChange(),
}
_OUTCOME_KEYS = ("outcome", "invoice", "code")
_OUTCOMES = ("succeeded", "declined_soft", "declined_hard", "gateway_error")
_MAX_ID = 200
_RUN_TOO_LONG = frozenset({"until", "index"})


def _toml_shown(value: object) -> str:
    """A TOML value as an error message shows it."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return repr(value)


def _read_scenario(path: str) -> dict[str, object]:
    """The TOML document in ``path``; every problem is an error naming the file."""
    try:
        data = read_bounded(path, _MAX_SCENARIO_BYTES)
    except (OSError, ValueError) as err:  # ValueError: a NUL character in the name
        reason = (err.strerror if isinstance(err, OSError) else str(err)) or type(err).__name__
        raise _bad(path, f"cannot read scenario file: {reason}", path) from err
    if len(data) > _MAX_SCENARIO_BYTES:
        message = f"scenario file is larger than {_MAX_SCENARIO_BYTES:,} bytes (1 MiB); refused"
        raise _bad(path, message, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad(path, f"not UTF-8: {err.reason} at byte {err.start}", path) from err
    problem = shape_problem(text)
    if problem is not None:  # a key tomllib would take minutes over
        raise _bad(path, problem, path)
    try:
        return tomllib.loads(text)
    except ValueError as err:  # TOMLDecodeError
        raise _bad(path, f"invalid TOML: {err}", path) from err
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise _bad(path, "invalid TOML: arrays or inline tables nested too deeply", path) from None


@attrs.frozen
class _Scenario:
    """A scenario file, checked: what to pass to :func:`simulate`."""

    path: str
    catalog: Catalog
    source: str
    policy: BillingPolicy
    time_zone: ZoneInfo
    start: Decision
    until: datetime
    usage: Usage
    steps: tuple[Step, ...]
    outcomes: tuple[PaymentOutcome, ...]
    by_invoice: tuple[tuple[str, tuple[PaymentOutcome, ...]], ...]


class _ScenarioReader:
    """Checks a scenario document key by key; each error names the file and the key."""

    def __init__(self, path: str, catalog: Catalog) -> None:
        self.path = path
        self.catalog = catalog
        self.time_zone = zone("UTC")

    def error(self, key: str, message: str, value: object = None) -> SubscriptionRulesError:
        return _bad(f"{self.path}: {key}", message, value)

    def about(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Report a library error raised inside the block as an error about ``key``."""
        return _about(f"{self.path}: {key}")

    def keys(self, table: dict[str, object], allowed: Sequence[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                raise self.error(name, f"unknown key; allowed keys: {', '.join(allowed)}", key)

    def table(self, value: object, key: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {_toml_shown(value)}", value)
        return value

    def tables(self, value: object, key: str) -> list[dict[str, object]]:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            message = f"expected an array of tables ([[{key}]]), got {_toml_shown(value)}"
            raise self.error(key, message, value)
        return value

    def required(self, table: dict[str, object], key: str, where: str) -> object:
        if key not in table:
            raise self.error(f"{where}.{key}" if where else key, "missing required key")
        return table[key]

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value or len(value) > _MAX_ID:
            message = f"expected a non-empty string of at most {_MAX_ID} characters"
            raise self.error(key, f"{message}, got {_toml_shown(value)}", value)
        return value

    def flag(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_toml_shown(value)}", value)
        return value

    def instant(self, value: object, key: str) -> datetime:
        """A TOML date, date-time or ISO 8601 string; without an offset, local time."""
        option = f"{self.path}: {key}"
        if isinstance(value, datetime):
            return _localized(option, value, self.time_zone, value.isoformat())
        if isinstance(value, date):
            midnight = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - localized next
            return _localized(option, midnight, self.time_zone, value.isoformat())
        if isinstance(value, str):
            return _moment(option, value, self.time_zone)
        message = f'expected a date such as "2026-11-01" or a date-time, got {_toml_shown(value)}'
        raise self.error(key, message, value)

    def usage(self, value: object, key: str) -> Usage:
        counts: dict[str, int] = {}
        known = [metric.name for metric in self.catalog.metrics]
        for name, count in self.table(value, key).items():
            if name not in known:
                message = f"unknown metric; known metrics: {', '.join(known)}"
                raise self.error(f"{key}.{name}", message, name)
            if type(count) is not int:
                message = f"expected a whole number, got {_toml_shown(count)}"
                raise self.error(f"{key}.{name}", message, count)
            with self.about(f"{key}.{name}"):
                Usage.of({name: count})
            counts[name] = count
        return Usage.of(counts)

    def interval(self, value: object, key: str) -> Interval:
        with self.about(key):
            return Interval.parse(self.text(value, key))

    def policy(self, document: dict[str, object], override: str | None) -> BillingPolicy:
        named = None
        if "policy" in document:
            name = self.text(document["policy"], "policy")
            with self.about("policy"):
                named = preset(name)
        if override is not None:
            with _about("--policy"):
                return preset(override)
        return named or SEED_POLICY

    def subscription(self, document: dict[str, object], policy: BillingPolicy) -> Decision:
        raw = self.table(self.required(document, "subscription", ""), "subscription")
        self.keys(raw, _SUBSCRIPTION_KEYS, "subscription")
        if "time_zone" in raw:
            name = self.text(raw["time_zone"], "subscription.time_zone")
            with self.about("subscription.time_zone"):
                self.time_zone = zone(name)
        plan_id = self.text(self.required(raw, "plan", "subscription"), "subscription.plan")
        with self.about("subscription.plan"):
            plan = self.catalog.plan(plan_id)
        interval = self.interval(raw.get("interval", "monthly"), "subscription.interval")
        with self.about("subscription.interval"):
            plan.price(interval)
        start = self.instant(self.required(raw, "start", "subscription"), "subscription.start")
        subscription_id = self.text(raw.get("id", "sub_1"), "subscription.id")
        customer_id = self.text(raw.get("customer", "cus_1"), "subscription.customer")
        trial = self.flag(raw.get("trial", True), "subscription.trial")
        payment_method = self.flag(raw.get("payment_method", True), "subscription.payment_method")
        with self.about("subscription.start"):  # its first period may lie beyond year 9999
            return start_subscription(
                subscription_id,
                customer_id,
                plan.id,
                interval,
                start,
                catalog=self.catalog,
                time_zone=self.time_zone.key,
                has_payment_method=payment_method,
                trial=trial,
                policy=policy,
            )

    def command(self, raw: dict[str, object], key: str) -> Command:
        name = raw["command"]
        if not isinstance(name, str) or name not in _STEP_KEYS:
            message = f"unknown command {_toml_shown(name)}; known: {', '.join(_STEP_KEYS)}"
            raise self.error(f"{key}.command", message, name)
        allowed = ("at", "command", *_STEP_KEYS[name])
        for extra in raw:
            if extra not in allowed:
                message = f"unknown key for command {name!r}; allowed keys: {', '.join(allowed)}"
                raise self.error(f"{key}.{extra}", message, extra)
        if name == "set_usage":
            return SetUsage(self.usage(self.required(raw, "usage", key), f"{key}.usage"))
        if name != "change_plan":
            return _SIMPLE_COMMANDS[name]
        plan_id = self.text(self.required(raw, "plan", key), f"{key}.plan")
        with self.about(f"{key}.plan"):
            plan = self.catalog.plan(plan_id)
        interval = None
        if "interval" in raw:
            interval = self.interval(raw["interval"], f"{key}.interval")
            with self.about(f"{key}.interval"):
                plan.price(interval)
        usage = self.usage(raw["usage"], f"{key}.usage") if "usage" in raw else None
        return ChangePlan(plan.id, interval, usage)

    def steps(self, document: dict[str, object], start: datetime, until: datetime) -> list[Step]:
        steps: list[Step] = []
        for index, raw in enumerate(self.tables(document.get("steps", []), "steps")):
            key = f"steps[{index}]"
            at = self.instant(self.required(raw, "at", key), f"{key}.at")
            self.required(raw, "command", key)
            command = self.command(raw, key)
            if at < start:
                message = f"{at.isoformat()} is before subscription.start {start.isoformat()}"
                raise self.error(f"{key}.at", message, at)
            if at > until:
                raise self.error(
                    f"{key}.at", f"{at.isoformat()} is after until {until.isoformat()}"
                )
            steps.append(Step(at, command))
        return steps

    def outcome(self, raw: dict[str, object], key: str) -> PaymentOutcome:
        name = raw["outcome"]
        if not isinstance(name, str) or name not in _OUTCOMES:
            message = f"unknown outcome {_toml_shown(name)}; known: {', '.join(_OUTCOMES)}"
            raise self.error(f"{key}.outcome", message, name)
        code = ""
        if "code" in raw:
            if not name.startswith("declined"):
                message = f"only a declined outcome has a decline code, not {name!r}"
                raise self.error(f"{key}.code", message, raw["code"])
            code = self.text(raw["code"], f"{key}.code")
        if name == "succeeded":
            return Succeeded()
        if name == "gateway_error":
            return GatewayError("scripted")
        return Declined(DeclineKind.SOFT if name == "declined_soft" else DeclineKind.HARD, code)

    def outcomes(
        self, document: dict[str, object], subscription_id: str
    ) -> tuple[list[PaymentOutcome], dict[str, list[PaymentOutcome]]]:
        """The outcomes in order of charges, and the outcomes of named invoices."""
        in_order: list[PaymentOutcome] = []
        by_invoice: dict[str, list[PaymentOutcome]] = {}
        prefix = f"{subscription_id}-INV-"
        for index, raw in enumerate(self.tables(document.get("outcomes", []), "outcomes")):
            key = f"outcomes[{index}]"
            self.keys(raw, _OUTCOME_KEYS, key)
            self.required(raw, "outcome", key)
            outcome = self.outcome(raw, key)
            if "invoice" not in raw:
                in_order.append(outcome)
                continue
            invoice = self.text(raw["invoice"], f"{key}.invoice")
            if not (invoice.startswith(prefix) and invoice[len(prefix) :].isdigit()):
                message = (
                    f"expected an invoice id of subscription {subscription_id!r}, "
                    f"such as '{prefix}0002', got {invoice!r}"
                )
                raise self.error(f"{key}.invoice", message, invoice)
            by_invoice.setdefault(invoice, []).append(outcome)
        return in_order, by_invoice


def _scenario(args: argparse.Namespace) -> _Scenario:
    """Read and check a scenario file, in the order a reader meets its keys."""
    path: str = args.file
    document = _read_scenario(path)
    catalog = _load(args.catalog)
    reader = _ScenarioReader(path, catalog)
    reader.keys(document, _SCENARIO_KEYS, "")
    policy = reader.policy(document, args.policy)
    start = reader.subscription(document, policy)
    first = start.subscription
    until = reader.instant(reader.required(document, "until", ""), "until")
    if until < first.started_at:
        message = f"{until.isoformat()} is before subscription.start {first.started_at.isoformat()}"
        raise reader.error("until", message, until)
    usage = reader.usage(document["usage"], "usage") if "usage" in document else Usage()
    steps = reader.steps(document, first.started_at, until)
    in_order, by_invoice = reader.outcomes(document, first.id)
    return _Scenario(
        path,
        catalog,
        _source(args.catalog),
        policy,
        reader.time_zone,
        start,
        until,
        usage,
        tuple(steps),
        tuple(in_order),
        tuple((invoice, tuple(outcomes)) for invoice, outcomes in by_invoice.items()),
    )


def _play(scenario: _Scenario) -> Timeline:
    """Run the scenario; an error on the way (a span too long, say) names the file."""
    try:
        return simulate(
            scenario.start,
            scenario.steps,
            scenario.until,
            catalog=scenario.catalog,
            outcomes=scenario.outcomes,
            outcomes_by_invoice=dict(scenario.by_invoice),
            policy=scenario.policy,
            usage=scenario.usage,
        )
    except SubscriptionRulesError as err:
        if err.argument in _RUN_TOO_LONG:  # a period the run reaches lies beyond year 9999
            message = str(err).removeprefix(f"{err.argument}: ")
            raise _bad(f"{scenario.path}: until", message, err.value) from err
        raise _bad(scenario.path, str(err), err.value) from err


def _simulate_text(scenario: _Scenario, timeline: Timeline) -> str:
    tz = scenario.time_zone
    names = {plan.id: plan.name for plan in scenario.catalog}
    first, last = scenario.start.subscription, timeline.subscription
    head = (
        f"Scenario {scenario.path}: {first.id} on {names[first.plan_id]}, {first.interval}, "
        f"from {_when(first.started_at, tz)} to {_when(scenario.until, tz)}"
    )
    context = (
        f"(time zone {tz.key}, policy {scenario.policy.name}, catalog {scenario.source}; "
        f"amounts in {last.currency.code})"
    )
    totals: list[_Field] = [
        ("Charged", str(timeline.charged)),
        ("Credited", str(timeline.credited)),
        ("Refunded", str(timeline.refunded)),
        ("Failed attempts", str(sum(entry.declined for entry in timeline.entries))),
        ("Status at the end", _status(last.status)),
        ("Plan at the end", f"{names[last.plan_id]}, {last.interval}"),
        ("Credit balance", str(last.credit_balance)),
    ]
    table = _timeline_table(timeline.entries, tz)
    return "\n".join([head, context, "", *table, "", *_fields(totals)])


def _simulate_json(scenario: _Scenario, timeline: Timeline) -> str:
    tz = scenario.time_zone
    first, last = scenario.start.subscription, timeline.subscription
    return _dump(
        {
            "scenario": scenario.path,
            "catalog": scenario.source,
            "policy": scenario.policy.name,
            "time_zone": tz.key,
            "subscription": {
                "id": first.id,
                "customer": first.customer_id,
                "plan": first.plan_id,
                "interval": str(first.interval),
                "start": _time_json(first.started_at, tz),
                "trial": first.status is Status.TRIALING,
                "payment_method": first.has_payment_method,
            },
            "until": _time_json(scenario.until, tz),
            "entries": [_entry_json(entry, tz) for entry in timeline.entries],
            "totals": {
                "charged": _money_json(timeline.charged),
                "credited": _money_json(timeline.credited),
                "refunded": _money_json(timeline.refunded),
                "declined": sum(entry.declined for entry in timeline.entries),
            },
            "end": {
                "status": last.status.value,
                "plan": last.plan_id,
                "interval": str(last.interval),
                "credit_balance": _money_json(last.credit_balance),
                "open_invoices": [item.id for item in last.open_invoices],
            },
        }
    )


# --------------------------------------------------------------------------- the demo

_LQ, _RQ = "\N{LEFT DOUBLE QUOTATION MARK}", "\N{RIGHT DOUBLE QUOTATION MARK}"

#: The seed's rules, except that a downgrade takes effect at once, with a credit note.
_DOWNGRADE_AT_ONCE = attrs.evolve(
    SEED_POLICY, name="seed, downgrades at once", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@attrs.frozen
class _Chapter:
    """One part of the demo: a title, the help page's words, the story, the timeline."""

    title: str
    quote: str
    story: str
    entries: tuple[TimelineEntry, ...]
    details: tuple[str, ...] = ()
    after: str = ""


def _quote_details(quote: ChangeQuote) -> tuple[str, ...]:
    """A quote's lines with their arithmetic, the total, and what it leaves due."""
    rows = [*_line_rows(quote.lines), ("Total", quote.total, None)]
    return (
        *_priced(rows),
        (
            f"Credit applied: {quote.credit_applied}; due now: {quote.amount_due_now}; "
            f"credit left: {quote.credit_after}."
        ),
    )


def _quoted(
    sub: Subscription,
    plan_id: str,
    at: datetime,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy,
) -> ChangeQuote:
    quote = quote_change(sub, plan_id, MONTHLY, at, catalog=catalog, usage=usage, policy=policy)
    if isinstance(quote, Refused):  # pragma: no cover - the demo's accounts may change plan
        raise SubscriptionRulesError(quote.message, argument="demo")
    return quote


def _story_trial(catalog: Catalog) -> tuple[_Chapter, Subscription]:
    started = start_subscription(
        "sub_1", "cus_1", "personal", MONTHLY, _utc(2026, 11, 1), catalog=catalog
    )
    played = simulate(started, [], _utc(2026, 11, 15), catalog=catalog)
    chapter = _Chapter(
        "A free trial, its reminder and its conversion",
        "You receive notifications for every significant subscription event\N{EM DASH}free "
        "trial ends, upgrades, downgrades, payments, and renewals.",
        "Account A (sub_1) starts Personal, monthly, on 1 Nov 2026 with the plan's 14-day "
        "trial: a reminder 3 days before it ends, then the first invoice, and renewals on "
        "the 15th from then on.",
        played.entries,
    )
    return chapter, played.subscription


def _story_trial_cancelled(catalog: Catalog) -> _Chapter:
    started = start_subscription(
        "sub_2", "cus_2", "advanced", MONTHLY, _utc(2026, 11, 1), catalog=catalog
    )
    played = simulate(
        started, [Step(_utc(2026, 11, 5), Cancel())], _utc(2026, 11, 5), catalog=catalog
    )
    return _Chapter(
        "Cancelling during the trial",
        "If you're in a free trial, cancellation immediately suspends your account.",
        "Account B (sub_2) starts an Advanced trial on 1 Nov 2026 and cancels on 5 Nov: "
        "suspended at once, and nothing is ever charged.",
        played.entries,
    )


def _story_upgrade(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    at, usage = _utc(2026, 11, 25), Usage.of(properties=3)
    quote = _quoted(sub, "advanced", at, catalog, usage, SEED_POLICY)
    played = simulate(sub, [Step(at, ChangePlan("advanced"))], at, catalog=catalog, usage=usage)
    chapter = _Chapter(
        "An upgrade mid-cycle, prorated",
        "Upgrade: Select the new plan from your dashboard. Your payment is prorated to reflect "
        "the new plan. All details appear on your invoice for full transparency.",
        "On 25 Nov A moves from Personal (USD 50.00 a month) to Advanced (USD 150.00); 20 of "
        "the 30 days from 15 Nov to 15 Dec remain. The invoice credits the unused Personal "
        "time and charges the rest of the period on Advanced, each line rounded once:",
        played.entries,
        _quote_details(quote),
    )
    return chapter, played.subscription


def _story_downgrade(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    asked, again = _utc(2026, 12, 5), _utc(2026, 12, 8)
    ten, three = Usage.of(properties=10), Usage.of(properties=3)
    refusal = _quoted(sub, "personal", asked, catalog, ten, SEED_POLICY).feasibility
    reason = refusal.reason if isinstance(refusal, Infeasible) else "it fits"
    played = simulate(
        sub,
        [
            Step(asked, ChangePlan("personal")),
            Step(again, SetUsage(three)),
            Step(again, ChangePlan("personal")),
        ],
        _utc(2026, 12, 15),
        catalog=catalog,
        usage=ten,
    )
    chapter = _Chapter(
        "A downgrade that needs account changes, then waits for the next cycle",
        "Downgrading may require account changes. For example, moving from the Advanced Plan "
        "(10 properties) to the Personal Plan requires deleting 7 properties. Your downgrade "
        "takes effect at the start of your next billing cycle with no additional charges.",
        f"On 5 Dec A, with 10 properties, asks for Personal and is refused: {_LQ}{reason}{_RQ}. "
        "On 8 Dec, after deleting 7, "
        "it asks again: Personal is scheduled for 15 Dec, nothing is charged now, and the "
        "15 Dec renewal bills Personal.",
        played.entries,
    )
    return chapter, played.subscription


def _story_credit_note(catalog: Catalog) -> _Chapter:
    policy, at, usage = _DOWNGRADE_AT_ONCE, _utc(2027, 1, 16), Usage.of(properties=3)
    started = start_subscription(
        "sub_3",
        "cus_3",
        "advanced",
        MONTHLY,
        _utc(2027, 1, 1),
        catalog=catalog,
        trial=False,
        policy=policy,
    )
    quote = _quoted(started.subscription, "personal", at, catalog, usage, policy)
    played = simulate(
        started, [Step(at, ChangePlan("personal"))], at, catalog=catalog, policy=policy, usage=usage
    )
    entries, balances = list(played.entries), [played.subscription.credit_balance]
    sub = played.subscription
    for renewal in (_utc(2027, 2, 1), _utc(2027, 3, 1)):
        later = simulate(sub, [], renewal, catalog=catalog, policy=policy, usage=usage)
        entries.extend(later.entries)
        sub = later.subscription
        balances.append(sub.credit_balance)
    steps = ", ".join(
        f"{balance} after {format_date(day)}"
        for balance, day in zip(balances, (at, _utc(2027, 2, 1), _utc(2027, 3, 1)), strict=True)
    )
    return _Chapter(
        "A credit note used up by later invoices",
        "When you downgrade to a lower plan, the unused time from your previous plan "
        "automatically generates a credit note. This credit applies to future bills on your "
        "new plan.",
        "Account C (sub_3) is on Advanced since 1 Jan 2027, under the seed's rules except "
        "that downgrades take effect at once (DowngradeTiming.IMMEDIATELY). On 16 Jan, 16 "
        "of January's 31 days remain, and it moves to Personal:",
        tuple(entries),
        _quote_details(quote),
        f"Credit balance: {steps}. The credit note paid the 1 Feb invoice in full and "
        "part of the 1 Mar one.",
    )


def _story_failed_renewal(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    renewal, retry = _utc(2027, 1, 15), _utc(2027, 1, 16)
    declined = simulate(
        sub,
        [],
        renewal,
        catalog=catalog,
        outcomes=[Declined(DeclineKind.SOFT, "insufficient_funds")],
    )
    recovered = simulate(declined.subscription, [], retry, catalog=catalog, outcomes=[Succeeded()])
    chapter = _Chapter(
        "A failed renewal, retried and recovered",
        "Failed payments: If your payment fails, the system automatically retries. You receive "
        "notifications via email and through your AnyTrack dashboard.",
        "A's renewal on 15 Jan 2027 is declined (a soft decline: insufficient funds), so A is "
        "past due but keeps access; the retry schedule tries again a day later, and the "
        "payment goes through.",
        (*declined.entries, *recovered.entries),
    )
    return chapter, recovered.subscription


def _story_suspension(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    suspended, reinstated = _utc(2027, 1, 20), _utc(2027, 1, 27)
    played = simulate(
        sub,
        [Step(suspended, Suspend()), Step(reinstated, Reinstate())],
        reinstated,
        catalog=catalog,
    )
    chapter = _Chapter(
        "A suspension and its resolution",
        "Account suspensions: Accounts suspend due to failed payments or policy violations. "
        "Contact support and resolve any outstanding issues.",
        "Support suspends A for a policy violation on 20 Jan and reinstates it on 27 Jan. The "
        "billing date does not move, and the period was paid, so nothing more is charged.",
        played.entries,
    )
    return chapter, played.subscription


def _story_cancellation(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    played = simulate(sub, [Step(_utc(2027, 2, 3), Cancel())], _utc(2027, 3, 1), catalog=catalog)
    chapter = _Chapter(
        "A cancellation that runs to the period end",
        "Cancel: Cancel your subscription at any time. Your service continues through the end "
        "of your current billing period, preventing further charges.",
        "A cancels on 3 Feb 2027: access continues to 15 Feb, when the subscription ends, and "
        "nothing more is charged.",
        played.entries,
    )
    return chapter, played.subscription


def _demo_chapters(catalog: Catalog) -> tuple[list[_Chapter], Timeline]:
    """The story, chapter by chapter, and account A's whole life as one timeline."""
    trial, sub = _story_trial(catalog)
    upgrade, sub = _story_upgrade(sub, catalog)
    downgrade, sub = _story_downgrade(sub, catalog)
    failed, sub = _story_failed_renewal(sub, catalog)
    suspension, sub = _story_suspension(sub, catalog)
    cancellation, sub = _story_cancellation(sub, catalog)
    chapters = [
        trial,
        _story_trial_cancelled(catalog),
        upgrade,
        downgrade,
        _story_credit_note(catalog),
        failed,
        suspension,
        cancellation,
    ]
    mine = (trial, upgrade, downgrade, failed, suspension, cancellation)
    return chapters, Timeline(sub, tuple(entry for part in mine for entry in part.entries))


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, _TEXT_WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )


def _demo_text(table: str, note: str) -> str:
    """The help page's story, narrated: chapters of quoted rules and timeline lines."""
    chapters, life = _demo_chapters(default_catalog())
    tz = zone("UTC")
    headers = _without_refunds(_TIMELINE_HEADERS, refunds=False)
    right = _without_refunds(_TIMELINE_RIGHT, refunds=False)
    rows = [
        [_without_refunds(_timeline_cells(entry, tz), refunds=False) for entry in chapter.entries]
        for chapter in chapters
    ]
    widths = _widths([headers, *(row for part in rows for row in part)])
    lines = [
        f"The help page {_LQ}Manage Your Subscription{_RQ}, played out by subscription_rules:",
        (
            "three accounts on the built-in example catalog (illustrative prices), under the seed "
            "policy,"
        ),
        "simulated offline. No clock is read: the same story prints every time.",
        "",
        table,
        *([note] if note else []),
        "",
        "Each timeline line: the date, what happened, the status after it, the amounts charged",
        "and credited (USD), and the notices sent (by email, on the dashboard, to the audit log).",
        "",
        "  " + _row(headers, widths, right),
        "  " + _row(["-" * width for width in widths], widths, right),
    ]
    for number, (chapter, part) in enumerate(zip(chapters, rows, strict=True), start=1):
        lines.extend(["", f"{number}. {chapter.title}"])
        lines.extend(_wrapped(f"{_LQ}{chapter.quote}{_RQ}", "   "))
        lines.extend(_wrapped(chapter.story, "   "))
        lines.extend(f"     {detail}" for detail in chapter.details)
        lines.extend("  " + _row(row, widths, right) for row in part)
        if chapter.after:
            lines.extend(_wrapped(chapter.after, "   "))
    ended = format_date(life.entries[-1].at)
    lines.extend(
        [
            "",
            (
                f"Account A in all: charged {life.charged}, credited {life.credited}; "
                f"{_status(life.subscription.status)} since {ended}."
            ),
            f"Your own story: {PROG} simulate docs/examples/scenario.toml",
            f"A retry schedule: {PROG} retries --failed-at 2027-01-15",
        ]
    )
    return "\n".join(lines)


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
    note = "" if path is None else "\nThe story below uses the built-in example catalog."
    _write(_demo_text(plans_table(catalog, _title(catalog, path)), note))
    return 0


def _cmd_retries(args: argparse.Namespace) -> int:
    found = _retries(args)
    _write(_retries_json(found) if args.json else _retries_text(found))
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    scenario = _scenario(args)
    timeline = _play(scenario)
    _write(_simulate_json(scenario, timeline) if args.json else _simulate_text(scenario, timeline))
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
        "what a plan change costs, the billing section of an account, when a failed payment "
        "is retried, and whole timelines.",
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
    _add_retries_parser(commands)
    _add_simulate_parser(commands, catalog_help)
    demo = commands.add_parser(
        "demo",
        help="the help page's whole story, narrated",
        description="The help page's whole story on the built-in example catalog, narrated:\n"
        "a trial, an upgrade and its prorated invoice, a downgrade refused until 7\n"
        "properties are deleted, a credit note used up by later invoices, a failed\n"
        "renewal retried, a suspension and a cancellation. No clock is read.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--catalog",
        metavar="FILE",
        help="show this TOML catalog's plans first (the story uses the built-in example)",
    )
    return parser


def _add_retries_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    retries = commands.add_parser(
        "retries",
        help="when a failed payment is retried",
        description="When a declined payment is retried: each retry's number, local time and\n"
        "offset from the failure, then what the policy does when the retries run out.",
        epilog=f"example (Kill Bill's documented schedule):\n  {PROG} retries --failed-at "
        "2021-08-06 --schedule killbill",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    retries.add_argument(
        "--failed-at", metavar="DATE", required=True, help="when the first attempt was declined"
    )
    retries.add_argument(
        "--schedule",
        choices=tuple(_SCHEDULES),
        help="smart (1, 3, 5, 7, 9, 11, 14 days), three (3, 5, 7 days) or killbill "
        "(1, 9, 13, 20 days) (default: the policy's)",
    )
    retries.add_argument(
        "--policy",
        metavar="PRESET",
        default="seed",
        help=f"billing conventions: {', '.join(PRESETS)} (default: seed)",
    )
    retries.add_argument(
        "--time-zone",
        metavar="ZONE",
        default="UTC",
        help="IANA time zone of the customer and of dates without an offset (default: UTC)",
    )
    retries.add_argument(
        "--local-hour",
        metavar="H",
        help="move each retry to the next time this hour (0-23) comes round locally",
    )
    retries.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _add_simulate_parser(commands: argparse._SubParsersAction[_Parser], catalog_help: str) -> None:
    simulate_ = commands.add_parser(
        "simulate",
        help="play a scenario file out as a timeline",
        description="Play a scenario (a subscription, timed commands and scripted payment\n"
        "outcomes, in a TOML file) out offline, and show its timeline and totals.",
        epilog=f"example:\n  {PROG} simulate docs/examples/scenario.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate_.add_argument("file", metavar="FILE.toml", help="the scenario file")
    simulate_.add_argument("--catalog", metavar="FILE", help=catalog_help)
    simulate_.add_argument(
        "--policy",
        metavar="PRESET",
        help=f"billing conventions: {', '.join(PRESETS)} (default: the file's, else seed)",
    )
    simulate_.add_argument("--json", action="store_true", help="print machine-readable JSON")


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plans": _cmd_plans,
    "quote": _cmd_quote,
    "summary": _cmd_summary,
    "retries": _cmd_retries,
    "simulate": _cmd_simulate,
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
