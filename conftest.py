"""Test-suite set-up: Hypothesis profiles and the runnable examples of the docs.

Doctests in ``src/`` and the Python code blocks of ``README.md`` and
``docs/*.md`` are collected by Sybil, so every example a reader sees runs.
"""

import sys
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

import pytest
from hypothesis import HealthCheck, settings
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser

# `make test` runs the `ci` profile; `dev` is the quick default for local runs;
# `soak` is the long campaign.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "soak", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("dev")

_OPTIONS = ELLIPSIS | NORMALIZE_WHITESPACE

_markdown = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=_OPTIONS)],
    patterns=["README.md", "docs/*.md"],
)
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=_OPTIONS)], patterns=["src/*/*.py", "src/*/*/*.py"]
)

pytest_collect_file = (_markdown + _docstrings).pytest()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how many random subscription lives the model-based test checked."""
    lives = sys.modules.get("test_model_lives") or sys.modules.get("tests.test_model_lives")
    checked = getattr(lives, "CHECKED", None)
    if checked and checked["lives"]:
        terminalreporter.write_line(
            f"model-based lives checked: {checked['lives']:,} lives, {checked['steps']:,} steps"
        )
