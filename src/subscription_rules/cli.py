"""The ``subscription-rules`` command: look at a catalog from a terminal.

Run ``subscription-rules --help`` (or ``python -m subscription_rules --help``).
Subcommands:

``plans [--catalog FILE] [--json]``
    The catalog as a table (or JSON): each plan's prices per interval, its
    limit per metric and its trial. Without ``--catalog`` it shows the
    built-in example catalog, whose prices are illustrative.
``demo [--catalog FILE]``
    A short tour; for now, an introduction and the plans table.

Bad input (a missing file, a broken catalog, an unknown subcommand) prints one
line starting with ``subscription-rules: error:`` to stderr and exits with
status 2, without a traceback.

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
import json
import os
import sys
from fractions import Fraction
from typing import TYPE_CHECKING, NoReturn

from subscription_rules.catalog import Catalog, default_catalog, load_catalog
from subscription_rules.errors import CatalogError, SubscriptionRulesError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from subscription_rules.money import Money
    from subscription_rules.periods import Interval

__all__ = ["PROG", "main", "plans_json", "plans_table"]

PROG = "subscription-rules"
"""The command's name, which starts every error line."""

_USAGE_STATUS = 2
_DEFAULT_SOURCE = "built-in example"


class _ParserExitError(Exception):
    """Raised instead of ``SystemExit`` so that :func:`main` returns a status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a usage error on one line and never exits."""

    def error(self, message: str) -> NoReturn:
        _print_error(f"{message}; run '{PROG} --help' for usage")
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


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Preview the rules of a SaaS subscription: plans, prices and limits.",
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
    demo = commands.add_parser(
        "demo", help="a short tour of the library", description="A short tour of the library."
    )
    demo.add_argument("--catalog", metavar="FILE", help=catalog_help)
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plans": _cmd_plans,
    "demo": _cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    r"""Run the command line and return the exit status.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 2 for bad input (after one error line on stderr).

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
