"""The ``quote`` subcommand: what a plan change would cost an account."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, assert_never

from subscription_rules._input import about
from subscription_rules.cli._account import _account, _add_account_options, _count, _units_for
from subscription_rules.cli._json import _quote_json, _refused_json
from subscription_rules.cli._options import _REFUSED_STATUS, PROG, _add, _add_rules_options, _write
from subscription_rules.cli._text import _quote_text
from subscription_rules.effects import Refused
from subscription_rules.periods import Interval
from subscription_rules.proration import ChangeQuote, quote_change

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands


def _cmd_quote(args: argparse.Namespace) -> int:
    account = _account(args)
    with about("--to"):
        target = account.catalog.for_sale(args.to)
    with about("--to-interval"):
        interval = (
            account.interval if args.to_interval is None else Interval.parse(args.to_interval)
        )
        target.price(interval, account.currency)
    quantity = None
    if args.to_quantity is not None:
        quantity = _units_for("--to-quantity", target, _count("--to-quantity", args.to_quantity))
    with about("--at"):  # a period the change needs may lie beyond year 9999
        quote = quote_change(
            account.subscription,
            target.id,
            interval,
            account.at,
            catalog=account.catalog,
            usage=account.usage,
            policy=account.policy,
            quantity=quantity,
        )
    match quote:
        case Refused():
            _write(_refused_json(quote, account) if args.json else f"Refused: {quote.message}")
            return _REFUSED_STATUS
        case ChangeQuote():
            _write(_quote_json(quote, account) if args.json else _quote_text(quote, account))
            return 0
        case _:
            assert_never(quote)


def register(commands: _Commands) -> None:
    """Add ``quote``: what a plan change would cost an account."""
    quote = _add(
        commands,
        "quote",
        _cmd_quote,
        summary="what a plan change would cost",
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
    change.add_argument(
        "--to-quantity",
        metavar="N",
        help="the units (seats) after the move, on a plan sold per unit (default: the"
        " account's --quantity when the plan is sold by the same unit, else 1)",
    )
    _add_rules_options(quote)
