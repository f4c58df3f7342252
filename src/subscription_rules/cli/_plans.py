"""The ``plans`` subcommand: the catalog as a table or JSON."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from subscription_rules.cli._json import plans_json
from subscription_rules.cli._options import _CATALOG_HELP, _add, _load, _source, _write
from subscription_rules.cli._text import _title, plans_table

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands


def _cmd_plans(args: argparse.Namespace) -> int:
    path: str | None = args.catalog
    catalog = _load(path)
    if args.json:
        _write(plans_json(catalog, _source(path)))
    else:
        _write(plans_table(catalog, _title(catalog, path)))
    return 0


def register(commands: _Commands) -> None:
    """Add ``plans``: the catalog as a table or JSON."""
    plans = _add(
        commands,
        "plans",
        _cmd_plans,
        summary="show the catalog's plans",
        description="Show the catalog's plans.",
    )
    plans.add_argument("--catalog", metavar="FILE", help=_CATALOG_HELP)
    plans.add_argument("--json", action="store_true", help="print machine-readable JSON")
