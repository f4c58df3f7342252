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

With ``--json``, each subcommand but ``demo`` prints JSON whose values are
storage documents (:mod:`subscription_rules.serialization`), so a program can
load them back: a catalog, a policy, a subscription, a quote, a summary, a
retry schedule, a decision, notices.

>>> main(["plans", "--json"]) == 0  # doctest: +ELLIPSIS
{
  "source": "built-in example",
  "illustrative": true,
  "catalog": {
    "schema_version": 2,
    "type": "catalog",
...
True
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from subscription_rules._version import __version__
from subscription_rules.cli import _demo, _plans, _quote, _retries, _simulate, _summary
from subscription_rules.cli._json import plans_json
from subscription_rules.cli._options import (
    _USAGE_STATUS,
    PROG,
    _Parser,
    _ParserExitError,
    _print_error,
)
from subscription_rules.cli._text import plans_table
from subscription_rules.errors import SubscriptionRulesError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["PROG", "main", "plans_json", "plans_table"]

#: The subcommands in the order ``--help`` lists them; each registers its parser and handler.
_SUBCOMMANDS = (_plans, _quote, _summary, _retries, _simulate, _demo)


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Preview the rules of a SaaS subscription: plans, prices and limits, "
        "what a plan change costs, the billing section of an account, when a failed payment "
        "is retried, and whole timelines.",
    )
    parser.add_argument(
        "--version", action="version", version=f"{PROG} {__version__}", help="show the version"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for subcommand in _SUBCOMMANDS:
        subcommand.register(commands)
    return parser


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
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except _ParserExitError as done:
        return done.status
    except SubscriptionRulesError as err:
        _print_error(str(err))
        return _USAGE_STATUS
