"""The ``summary`` subcommand: the billing section of an account."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from subscription_rules._input import about
from subscription_rules.cli._account import _account, _add_account_options
from subscription_rules.cli._json import _summary_json
from subscription_rules.cli._options import PROG, _add, _add_rules_options, _write
from subscription_rules.cli._text import _summary_text
from subscription_rules.summary import billing_summary

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands


def _cmd_summary(args: argparse.Namespace) -> int:
    account = _account(args)
    with about("--at"):  # the next period may lie beyond year 9999
        summary = billing_summary(
            account.subscription,
            account.usage,
            account.at,
            catalog=account.catalog,
            policy=account.policy,
        )
    _write(_summary_json(summary, account) if args.json else _summary_text(summary, account))
    return 0


def register(commands: _Commands) -> None:
    """Add ``summary``: the billing section of an account."""
    summary = _add(
        commands,
        "summary",
        _cmd_summary,
        summary="the billing section of an account",
        description="Show the billing section of an account at a moment: status, plan,\n"
        "current period, usage, the upcoming invoice, credit and cancellation.",
        epilog=f"example:\n  {PROG} summary --plan advanced --since 2026-11-01 --at 2026-11-20 "
        "--usage properties=4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_account_options(summary)
    _add_rules_options(summary)
