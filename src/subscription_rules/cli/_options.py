"""The command line's shared parts: the parser, error lines, output, the catalog option."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from subscription_rules.catalog import Catalog, default_catalog, load_catalog
from subscription_rules.errors import CatalogError
from subscription_rules.policy import (
    PRESETS,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

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


#: The help of every ``--catalog`` option.
_CATALOG_HELP = "a TOML catalog file (default: the built-in example catalog)"

if TYPE_CHECKING:
    _Commands: TypeAlias = argparse._SubParsersAction[_Parser]  # noqa: SLF001 - argparse has no public name for it
    """The subcommands: each module registers its parser and its handler with ``add``."""


def _add(
    commands: _Commands,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    summary: str,
    description: str,
    epilog: str | None = None,
    formatter_class: type[argparse.HelpFormatter] = argparse.HelpFormatter,
) -> _Parser:
    """Register a subcommand: its parser (``summary`` is its line in ``--help``) and handler."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=formatter_class,
    )
    parser.set_defaults(handler=handler)
    return parser


def _source(path: str | None) -> str:
    return _DEFAULT_SOURCE if path is None else path


def _add_rules_options(parser: argparse.ArgumentParser) -> None:
    """The policy, the catalog and the output format, shared by ``quote`` and ``summary``."""
    rules = parser.add_argument_group("rules and output")
    rules.add_argument(
        "--policy",
        metavar="PRESET",
        default="seed",
        help=f"billing conventions: {', '.join(PRESETS)} (default: seed)",
    )
    rules.add_argument("--catalog", metavar="FILE", help=_CATALOG_HELP)
    rules.add_argument("--json", action="store_true", help="print machine-readable JSON")
