"""The command line: the plans table, JSON, the demo, and one-line errors on bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from subscription_rules.cli import PROG, main

if TYPE_CHECKING:
    from pathlib import Path

PREFIX = f"{PROG}: error: "

DEFAULT_TABLE = """\
Catalog (USD) \N{EM DASH} built-in example, prices are illustrative

Plan      Id        Monthly    Yearly  Properties  Integrations  Billable sessions  Trial
--------  --------  -------  --------  ----------  ------------  -----------------  -------
Personal  personal    50.00    500.00           3             3            100,000  14 days
Advanced  advanced   150.00  1,500.00          10            10            500,000  14 days
Pro       pro        300.00  3,000.00          25     unlimited          2,000,000  14 days
"""

CUSTOM_TOML = """\
currency = "JPY"

[[metrics]]
name = "seats"
kind = "stock"
singular = "seat"
plural = "seats"
verb = "remove"

[[plans]]
id = "solo"
name = "Solo"
trial_days = 1

[plans.prices]
yearly = 12000
monthly = "1200"
weekly = 300

[[plans]]
id = "crew"
name = "Crew"

[plans.prices]
"6 months" = 30000
monthly = 6000

[plans.limits]
seats = 12500
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(status: int, out: str, err: str) -> str:
    assert status == 2
    assert out == ""
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.startswith(PREFIX)
    assert "Traceback" not in err
    return err[len(PREFIX) : -1]


@pytest.fixture
def custom_catalog(tmp_path: Path) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(CUSTOM_TOML, encoding="utf-8")
    return path


# --- plans --------------------------------------------------------------------------------------


def test_plans_prints_the_default_catalog_as_an_aligned_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "plans")
    assert (status, err) == (0, "")
    assert out == DEFAULT_TABLE


def test_plans_table_has_one_column_per_interval_shortest_first_and_per_metric(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    status, out, err = run(capsys, "plans", "--catalog", str(custom_catalog))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Catalog (JPY) \N{EM DASH} {custom_catalog}"
    assert lines[1] == ""
    assert re.split(r"\s{2,}", lines[2]) == [
        "Plan",
        "Id",
        "Weekly",
        "Monthly",
        "Every 6 months",
        "Yearly",
        "Seats",
        "Trial",
    ]
    assert lines[4].split() == [
        "Solo",
        "solo",
        "300",
        "1,200",
        "-",
        "12,000",
        "unlimited",
        "1",
        "day",
    ]
    assert lines[5].split() == ["Crew", "crew", "-", "6,000", "30,000", "-", "12,500", "none"]


def test_plans_table_lines_have_no_trailing_spaces(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    for argv in (["plans"], ["plans", "--catalog", str(custom_catalog)]):
        _, out, _ = run(capsys, *argv)
        assert all(line == line.rstrip() for line in out.splitlines())


def test_plans_json_gives_prices_as_major_unit_strings_and_minor_ints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "plans", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["source"] == "built-in example"
    assert data["illustrative"] is True
    assert data["currency"] == "USD"
    assert [m["name"] for m in data["metrics"]] == [
        "properties",
        "integrations",
        "billable_sessions",
    ]
    assert [p["id"] for p in data["plans"]] == ["personal", "advanced", "pro"]
    advanced = data["plans"][1]
    assert advanced["name"] == "Advanced"
    assert advanced["trial_days"] == 14
    assert advanced["rank"] is None
    assert advanced["prices"] == [
        {
            "interval": "monthly",
            "unit": "month",
            "count": 1,
            "amount": "150.00",
            "minor": 15000,
            "currency": "USD",
        },
        {
            "interval": "yearly",
            "unit": "year",
            "count": 1,
            "amount": "1500.00",
            "minor": 150000,
            "currency": "USD",
        },
    ]
    assert data["plans"][2]["limits"] == {
        "properties": 25,
        "integrations": None,
        "billable_sessions": 2_000_000,
    }


def test_plans_json_of_a_file_names_the_file_and_is_not_illustrative(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    status, out, _ = run(capsys, "plans", "--json", "--catalog", str(custom_catalog))
    assert status == 0
    data = json.loads(out)
    assert data["source"] == str(custom_catalog)
    assert data["illustrative"] is False
    solo = data["plans"][0]
    assert solo["prices"][0] == {
        "interval": "yearly",
        "unit": "year",
        "count": 1,
        "amount": "12000",
        "minor": 12000,
        "currency": "JPY",
    }
    assert solo["limits"] == {"seats": None}


# --- demo ---------------------------------------------------------------------------------------


def test_demo_prints_an_introduction_then_the_plans_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "demo")
    assert (status, err) == (0, "")
    intro, _, table = out.partition("\n\n")
    assert "rulebook of a SaaS subscription" in intro
    assert "illustrative" in intro
    assert table == DEFAULT_TABLE


def test_demo_accepts_a_catalog_file(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    status, out, _ = run(capsys, "demo", "--catalog", str(custom_catalog))
    assert status == 0
    assert "Catalog (JPY)" in out


# --- help and bad input -------------------------------------------------------------------------


def test_help_exits_0_and_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--help")
    assert (status, err) == (0, "")
    assert out.startswith(f"usage: {PROG}")
    assert "plans" in out
    assert "demo" in out


def test_unknown_subcommand_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    message = assert_one_error_line(*run(capsys, "bogus"))
    assert "invalid choice: 'bogus'" in message
    assert f"run '{PROG} --help' for usage" in message


def test_missing_subcommand_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    message = assert_one_error_line(*run(capsys))
    assert "required" in message


def test_unknown_option_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    message = assert_one_error_line(*run(capsys, "plans", "--jsno"))
    assert "--jsno" in message


def test_missing_catalog_file_is_one_error_line_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "nope.toml"
    message = assert_one_error_line(*run(capsys, "plans", "--catalog", str(path)))
    assert message == f"path: cannot read catalog file {str(path)!r}: No such file or directory"


def test_broken_catalog_is_one_error_line_naming_file_plan_and_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\n', encoding="utf-8")
    message = assert_one_error_line(*run(capsys, "plans", "--catalog", str(path)))
    assert message == f"{path}: plans[0] ('a').prices: missing required key"


def test_invalid_toml_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text('currency = "USD"\n[[plans]\n', encoding="utf-8")
    message = assert_one_error_line(*run(capsys, "demo", "--catalog", str(path)))
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 2" in message


def test_float_price_in_a_file_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "float.toml"
    text = 'currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\nprices = {monthly = 9.99}\n'
    path.write_text(text, encoding="utf-8")
    message = assert_one_error_line(*run(capsys, "plans", "--json", "--catalog", str(path)))
    assert "plans[0] ('a').prices.monthly: floats are refused" in message


# --- as a user runs it --------------------------------------------------------------------------


def test_python_m_subscription_rules_plans_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "subscription_rules", "plans"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DEFAULT_TABLE


def test_bad_input_in_a_subprocess_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "subscription_rules", "plans", "--catalog", "missing.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr == (
        f"{PREFIX}path: cannot read catalog file 'missing.toml': No such file or directory\n"
    )


def test_unknown_subcommand_in_a_subprocess_exits_2_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "subscription_rules", "refund"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(PREFIX + "argument COMMAND: invalid choice: 'refund'")
