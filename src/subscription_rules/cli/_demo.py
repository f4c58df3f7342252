"""The ``demo`` subcommand: the help page's whole story, narrated."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from subscription_rules.catalog import default_catalog
from subscription_rules.cli._options import PROG, _add, _load, _write
from subscription_rules.cli._stories import _LQ, _RQ, _demo_chapters
from subscription_rules.cli._text import (
    _TIMELINE_HEADERS,
    _TIMELINE_RIGHT,
    _row,
    _status,
    _timeline_cells,
    _title,
    _widths,
    _without_refunds,
    _wrapped,
    plans_table,
)
from subscription_rules.invoices import format_date
from subscription_rules.periods import zone

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands


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


def _cmd_demo(args: argparse.Namespace) -> int:
    path: str | None = args.catalog
    catalog = _load(path)
    note = "" if path is None else "\nThe story below uses the built-in example catalog."
    _write(_demo_text(plans_table(catalog, _title(catalog, path)), note))
    return 0


def register(commands: _Commands) -> None:
    """Add ``demo``: the help page's whole story, narrated."""
    demo = _add(
        commands,
        "demo",
        _cmd_demo,
        summary="the help page's whole story, narrated",
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
