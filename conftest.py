"""Test-suite set-up: Hypothesis profiles and the runnable examples of the docs.

Doctests in ``src/`` and the Python code blocks of ``README.md`` and
``docs/*.md`` are collected by Sybil, so every example a reader sees runs.

Every example starts with a shared namespace (``shared_namespace``), so it
need not import what nearly every example uses:

- ``datetime``, ``timedelta`` and ``UTC`` from :mod:`datetime`;
- ``Currency``, ``Money``, ``MONTHLY``, ``YEARLY``, ``Usage``, ``SEED_POLICY``,
  ``default_catalog`` and ``start_subscription`` from ``subscription_rules``;
- ``catalog``: ``default_catalog()``, the help page's example catalog.

A docstring also sees its own module's names. A page of the docs imports
these names in its first example all the same, for a reader who starts there.
"""

import sys
from datetime import UTC, datetime, timedelta
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    Currency,
    Money,
    Usage,
    default_catalog,
    start_subscription,
)

# `make test` runs the `ci` profile; `dev` is the quick default for local runs;
# `soak` is the long campaign.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "soak", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("dev")

_OPTIONS = ELLIPSIS | NORMALIZE_WHITESPACE

#: The names every doc example starts with (see the module's docstring).
SHARED_NAMES: dict[str, Any] = {
    "datetime": datetime,
    "timedelta": timedelta,
    "UTC": UTC,
    "Currency": Currency,
    "Money": Money,
    "MONTHLY": MONTHLY,
    "YEARLY": YEARLY,
    "Usage": Usage,
    "SEED_POLICY": SEED_POLICY,
    "default_catalog": default_catalog,
    "start_subscription": start_subscription,
    "catalog": default_catalog(),
}


def shared_namespace(namespace: dict[str, Any]) -> None:
    """Put the shared names into an example's namespace before it runs."""
    namespace.update(SHARED_NAMES)


_markdown = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=_OPTIONS)],
    patterns=["README.md", "docs/*.md"],
    setup=shared_namespace,
)
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=_OPTIONS)],
    patterns=["src/*/*.py", "src/*/*/*.py"],
    setup=shared_namespace,
)

pytest_collect_file = (_markdown + _docstrings).pytest()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how many random subscription lives the model-based test checked."""
    lives = sys.modules.get("test_model_lives") or sys.modules.get("tests.test_model_lives")
    checked = getattr(lives, "CHECKED", None)
    if checked and checked["lives"]:
        terminalreporter.write_line(
            f"model-based lives checked: {checked['lives']:,} lives, {checked['steps']:,} steps, "
            f"{checked.get('refunds', 0):,} refunds"
        )
        more = sorted(k for k in checked if k not in {"lives", "steps", "refunds"})
        if more:  # catalog versions, migrations, currencies
            terminalreporter.write_line(
                "  of which: " + ", ".join(f"{checked[k]:,} {k}" for k in more)
            )
    deliveries = sys.modules.get("test_delivery_properties") or sys.modules.get(
        "tests.test_delivery_properties"
    )
    counted = getattr(deliveries, "CHECKED", None)
    if counted and counted["examples"]:
        terminalreporter.write_line(
            "payment deliveries checked: "
            + ", ".join(f"{count:,} {what}" for what, count in sorted(counted.items()))
        )
