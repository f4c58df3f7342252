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


def run_module(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m subscription_rules`` with ``argv``, as a user would."""
    return subprocess.run(  # noqa: S603 - this interpreter, our own module, the test's arguments
        [sys.executable, "-m", "subscription_rules", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )


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


# --- quote --------------------------------------------------------------------------------------

ACCOUNT = ("--plan", "advanced", "--since", "2027-01-01", "--at", "2027-01-16")

# Advanced (USD 150.00 a month) since 1 Jan 2027, moving to Pro (USD 300.00) on 16 Jan 00:00 UTC.
# January has 31 days = 2,678,400 s; 16 days = 1,382,400 s remain.
#   credit = 15000 × 1,382,400 / 2,678,400 = 15000 × 16/31 = 7741.935… cents → 7742 (half-up)
#   charge = 30000 × 16/31 = 15483.870… cents → 15484
#   total  = 15484 − 7742 = 7742; the credit pays 7742 of the charge → USD 77.42 due now.
UPGRADE_QUOTE = """\
Advanced, monthly \N{RIGHTWARDS ARROW} Pro, monthly, at 16 Jan 2027 (time zone UTC, policy seed)

Kind:            upgrade
Takes effect:    immediately, 16 Jan 2027
Feasible:        yes
Lines billed:    now

USD -77.42  Unused time on Advanced from 16 Jan 2027 to 1 Feb 2027
              USD 150.00 × 1,382,400/2,678,400 seconds = 7741.9354… cents, rounded half-up to USD 77.42
USD 154.84  Remaining time on Pro from 16 Jan 2027 to 1 Feb 2027
              USD 300.00 × 1,382,400/2,678,400 seconds = 15483.8709… cents, rounded half-up to USD 154.84
USD  77.42  Total

Credit applied:  USD 77.42
Amount due now:  USD 77.42
Credit after:    USD 0.00
"""


def test_quote_upgrade_credits_unused_advanced_and_charges_remaining_pro(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "quote", *ACCOUNT, "--to", "pro")
    assert (status, err) == (0, "")
    assert out == UPGRADE_QUOTE


def test_quote_help_page_downgrade_needs_seven_properties_deleted_in_a_subprocess() -> None:
    # The help page: Advanced (10 properties) to Personal (3) requires deleting 7 properties;
    # the downgrade takes effect at the start of the next cycle with no additional charges.
    result = run_module("quote", *ACCOUNT, "--to", "personal", "--usage", "properties=10")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert "Kind:              downgrade" in lines
    assert "Takes effect:      at the end of the period, 1 Feb 2027" in lines
    assert "Feasible:          no, Personal allows 3 properties" in lines
    assert "Actions required:  delete 7 properties" in lines
    assert "No lines: nothing is charged or credited now." in lines
    assert "Amount due now:    USD 0.00" in lines


def test_quote_lists_every_action_required_one_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys,
        "quote",
        *ACCOUNT,
        "--to",
        "personal",
        "--usage",
        "properties=10",
        "--usage",
        "integrations=4",
    )
    assert status == 0
    assert (
        "Feasible:          no, Personal allows 3 properties and 3 integrations\n"
        "Actions required:  delete 7 properties\n"
        "                   remove 1 integration\n"
    ) in out


def test_quote_json_gives_money_as_major_unit_strings_and_minor_ints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "quote", *ACCOUNT, "--to", "pro", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["account"] == {
        "catalog": "built-in example",
        "policy": "seed",
        "time_zone": "UTC",
        "plan": "advanced",
        "interval": "monthly",
        "since": "2027-01-01T00:00:00+00:00",
        "at": "2027-01-16T00:00:00+00:00",
        "cancelled_at": None,
        "usage": {},
        "status": "active",
    }
    assert data["refused"] is None
    assert (data["kind"], data["timing"], data["feasible"]) == ("upgrade", "immediately", True)
    assert data["from"] == {"plan": "advanced", "interval": "monthly"}
    assert data["to"] == {"plan": "pro", "interval": "monthly"}
    assert data["effective_at"] == "2027-01-16T00:00:00+00:00"
    assert data["restarts_cycle"] is False
    assert data["lines_billed"] == "now"
    credit, charge = data["lines"]
    assert credit["kind"] == "unused_time"
    assert credit["amount"] == {"amount": "-77.42", "minor": -7742, "currency": "USD"}
    assert (credit["start"], credit["end"]) == (
        "2027-01-16T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00",
    )
    explanation = credit["explanation"]
    assert (explanation["units"], explanation["denominator"], explanation["unit"]) == (
        1_382_400,
        2_678_400,
        "seconds",
    )
    assert explanation["rounding"] == "half_up"
    assert explanation["rounded"]["minor"] == 7742
    assert explanation["cap"] is None
    assert explanation["text"].endswith("rounded half-up to USD 77.42")
    assert charge["amount"]["minor"] == 15484
    assert charge["plan"] == "pro"
    assert {key: data[key]["minor"] for key in ("total", "credit_applied", "amount_due_now")} == {
        "total": 7742,
        "credit_applied": 7742,
        "amount_due_now": 7742,
    }
    assert data["refund"] == {"amount": "0.00", "minor": 0, "currency": "USD"}
    assert data["credit_after"]["minor"] == 0


def test_quote_json_of_an_infeasible_downgrade_lists_the_actions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("quote", *ACCOUNT, "--to", "personal", "--usage", "properties=10", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    data = json.loads(out)
    assert (data["kind"], data["timing"], data["feasible"]) == ("downgrade", "period_end", False)
    assert data["effective_at"] == "2027-02-01T00:00:00+00:00"
    assert data["reason"] == "Personal allows 3 properties: delete 7 properties first"
    assert data["actions"] == [
        {
            "metric": "properties",
            "verb": "delete",
            "amount": 7,
            "limit": 3,
            "text": "delete 7 properties",
        }
    ]
    assert data["lines"] == []
    assert data["lines_billed"] is None
    assert data["amount_due_now"]["minor"] == 0
    assert data["account"]["usage"] == {"properties": 10}


def test_quote_under_the_stripe_preset_leaves_the_lines_for_the_next_invoice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Same lines as the seed's; Stripe's create_prorations bills them on the next invoice,
    # so nothing is due now and the USD 77.42 credit stays on the balance meanwhile.
    status, out, _ = run(capsys, "quote", *ACCOUNT, "--to", "pro", "--policy", "stripe")
    assert status == 0
    assert "(time zone UTC, policy stripe)" in out.splitlines()[0]
    assert "Lines billed:    on the next invoice\n" in out
    assert "USD -77.42  Unused time on Advanced" in out
    assert "Amount due now:  USD 0.00\n" in out
    assert "Credit after:    USD 77.42\n" in out


def test_quote_of_an_interval_change_restarts_the_cycle_and_charges_the_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Credit USD 77.42 as in the upgrade; Pro yearly (USD 3000.00) charged in full from the
    # change: 300000 − 7742 = 292258 → USD 2922.58 due now.
    status, out, _ = run(
        capsys, "quote", *ACCOUNT, "--to", "pro", "--to-interval", "yearly", "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["to"] == {"plan": "pro", "interval": "yearly"}
    assert data["restarts_cycle"] is True
    assert [line["amount"]["minor"] for line in data["lines"]] == [-7742, 300_000]
    assert data["lines"][1]["end"] == "2028-01-16T00:00:00+00:00"
    assert data["amount_due_now"]["amount"] == "2922.58"


def test_quote_target_interval_defaults_to_the_accounts_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("quote", *ACCOUNT, "--interval", "yearly", "--to", "pro", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    data = json.loads(out)
    assert data["from"]["interval"] == data["to"]["interval"] == "yearly"
    assert data["restarts_cycle"] is False


def test_quote_reads_dates_without_an_offset_in_the_time_zone_and_others_as_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("quote", "--plan", "advanced", "--since", "2027-01-01", "--to", "pro", "--json")
    zone = ("--time-zone", "Europe/Paris")
    _, out, _ = run(capsys, *argv, *zone, "--at", "2027-01-16T12:30")
    data = json.loads(out)
    assert data["account"]["since"] == "2027-01-01T00:00:00+01:00"
    assert data["at"] == "2027-01-16T12:30:00+01:00"
    _, out, _ = run(capsys, *argv, *zone, "--at", "2027-01-16T12:30Z")
    assert json.loads(out)["at"] == "2027-01-16T13:30:00+01:00"
    _, out, _ = run(capsys, *argv[:-1], *zone, "--at", "2027-01-16T12:30Z")
    assert out.splitlines()[0].endswith(
        "at 16 Jan 2027 13:30 (time zone Europe/Paris, policy seed)"
    )


def test_quote_on_an_ended_subscription_is_refused_with_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Cancelled on 10 Jan: service ran to 1 Feb, so on 16 Feb nothing is left to change.
    account = ("--plan", "advanced", "--since", "2027-01-01", "--cancelled-at", "2027-01-10")
    argv = ("quote", *account, "--at", "2027-02-16", "--to", "pro")
    status, out, err = run(capsys, *argv)
    assert (status, err) == (1, "")
    assert out.startswith("Refused: ")
    assert out.count("\n") == 1
    assert "cannot change plan" in out
    status, out, _ = run(capsys, *argv, "--json")
    assert status == 1
    data = json.loads(out)
    assert data["refused"]["reason"] == "not_allowed_in_status"
    assert data["account"]["status"] == "ended"


# --- summary ------------------------------------------------------------------------------------

SUMMARY_ARGV = (
    *("summary", "--plan", "advanced", "--since", "2026-11-01", "--at", "2026-11-20"),
    *("--usage", "properties=4"),
)
SUMMARY = """\
Billing summary at 20 Nov 2026 (time zone UTC, policy seed)

Status:          active
Plan:            Advanced, monthly
Current period:  1 Nov 2026 \N{RIGHTWARDS ARROW} 1 Dec 2026, 11 days left
Usage:           properties: 4 of 10 (40%), 6 remaining
                 integrations: 0 of 10 (0%), 10 remaining
                 billable_sessions: 0 of 500,000 (0%), 500,000 remaining
Credit balance:  USD 0.00
Pending change:  none
Cancellation:    none

Upcoming invoice on 1 Dec 2026:
USD 150.00  Advanced, monthly, from 1 Dec 2026 to 1 Jan 2027
USD 150.00  Amount due
"""


def test_summary_shows_the_billing_section_in_a_subprocess() -> None:
    result = run_module(*SUMMARY_ARGV)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == SUMMARY


def test_summary_upcoming_invoice_bills_this_periods_overage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Personal allows 100,000 billable sessions; 20,000 over at USD 5.00 per 1,000 = USD 100.00.
    argv = ("summary", "--plan", "personal", "--since", "2026-11-01", "--at", "2026-11-20")
    status, out, _ = run(capsys, *argv, "--usage", "billable_sessions=120000")
    assert status == 0
    assert "billable_sessions: 120,000 of 100,000 (120%), over the limit by 20,000\n" in out
    upcoming = out.split("Upcoming invoice on 1 Dec 2026:\n")[1].splitlines()
    assert upcoming == [
        "USD  50.00  Personal, monthly, from 1 Dec 2026 to 1 Jan 2027",
        (
            "USD 100.00  Billable sessions over Personal's 100,000 from 1 Nov 2026 to 1 Dec 2026:"
            " 20,000 × USD 5.00 per 1,000"
        ),
        (
            "              USD 5.00 × 20,000/1,000 billable sessions = USD 100.00 exactly;"
            " no rounding needed"
        ),
        "USD 150.00  Amount due",
    ]


def test_summary_follows_renewals_from_a_month_end_anchor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Anchored on 31 Jan: the periods start 28 Feb, then 31 Mar again; every renewal was paid.
    argv = ("summary", "--plan", "pro", "--since", "2027-01-31", "--at", "2027-03-05", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    data = json.loads(out)
    assert data["status"] == "active"
    assert data["current_period"] == {
        "start": "2027-02-28T00:00:00+00:00",
        "end": "2027-03-31T00:00:00+00:00",
    }
    assert data["days_left"] == 26
    assert data["upcoming_invoice"]["date"] == "2027-03-31T00:00:00+00:00"
    assert data["upcoming_invoice"]["period"]["end"] == "2027-04-30T00:00:00+00:00"


def test_summary_json_lists_usage_and_the_upcoming_invoice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, *SUMMARY_ARGV, "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["status"] == "active"
    assert data["plan"] == {"id": "advanced", "name": "Advanced"}
    assert data["interval"] == "monthly"
    assert data["days_left"] == 11
    assert data["usage"][0] == {
        "metric": "properties",
        "used": 4,
        "limit": 10,
        "remaining": 6,
        "percent": 40,
        "excess": 0,
        "text": "properties: 4 of 10 (40%), 6 remaining",
    }
    invoice = data["upcoming_invoice"]
    assert invoice["reason"] == "renewal"
    assert invoice["amount_due"] == {"amount": "150.00", "minor": 15000, "currency": "USD"}
    assert invoice["lines"][0]["explanation"] is None
    assert data["credit_balance"]["minor"] == 0
    assert data["pending_change"] is None
    assert (data["cancel_at_period_end"], data["ends_at"], data["trial_end"]) == (False, None, None)


def test_summary_after_a_cancellation_shows_when_access_ends_and_no_upcoming_invoice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = ("--plan", "advanced", "--since", "2026-11-01", "--cancelled-at", "2026-11-10")
    status, out, _ = run(capsys, "summary", *account, "--at", "2026-11-20")
    assert status == 0
    assert "Status:          active\n" in out
    assert "Cancellation:    cancelled; access ends on 1 Dec 2026\n" in out
    assert out.endswith("Upcoming invoice: none\n")
    status, out, _ = run(capsys, "summary", *account, "--at", "2026-12-20", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["status"], data["current_period"], data["upcoming_invoice"]) == (
        "ended",
        None,
        None,
    )
    assert data["ends_at"] == "2026-12-01T00:00:00+00:00"
    assert data["account"]["cancelled_at"] == "2026-11-10T00:00:00+00:00"


def test_summary_accepts_a_catalog_file_and_its_metrics(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    argv = ("summary", "--catalog", str(custom_catalog), "--plan", "crew")
    account = ("--interval", "6 months", "--since", "2027-01-31", "--at", "2027-09-01")
    status, out, err = run(capsys, *argv, *account, "--usage", "seats=13000")
    assert (status, err) == (0, "")
    assert "Plan:            Crew, every 6 months\n" in out
    assert "Current period:  31 Jul 2027 \N{RIGHTWARDS ARROW} 31 Jan 2028, 152 days left\n" in out
    assert "Usage:           seats: 13,000 of 12,500 (104%), over the limit by 500\n" in out
    assert "Credit balance:  JPY 0\n" in out
    assert out.endswith("JPY 30000  Amount due\n")


@pytest.mark.parametrize("preset", ["seed", "stripe", "killbill", "lago"])
def test_every_preset_is_accepted_and_named(
    capsys: pytest.CaptureFixture[str], preset: str
) -> None:
    for command in (("summary",), ("quote", "--to", "pro")):
        status, out, err = run(capsys, *command, *ACCOUNT, "--policy", preset)
        assert (status, err) == (0, "")
        assert out.splitlines()[0].endswith(f"policy {preset})")


def test_help_of_quote_and_summary_exits_0_with_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("quote", "summary"):
        status, out, err = run(capsys, command, "--help")
        assert (status, err) == (0, "")
        assert out.startswith(f"usage: {PROG} {command}")
        assert f"example:\n  {PROG} {command} --plan advanced" in out


# --- bad input to quote and summary -------------------------------------------------------------

BAD_INPUT = [
    (("quote", "--plan", "gold", *ACCOUNT[2:], "--to", "pro"), "--plan: unknown plan 'gold'; "),
    (("quote", *ACCOUNT, "--to", "gold"), "--to: unknown plan 'gold'; known plans: "),
    (
        ("summary", *ACCOUNT, "--interval", "fortnightly"),
        "--interval: cannot parse 'fortnightly'; ",
    ),
    (
        ("summary", *ACCOUNT, "--interval", "quarterly"),
        "--interval: plan 'advanced' has no quarterly price; it has: monthly, yearly",
    ),
    (
        ("quote", *ACCOUNT, "--to", "pro", "--to-interval", "weekly"),
        "--to-interval: plan 'pro' has no weekly price; it has: monthly, yearly",
    ),
    (
        (
            "quote",
            "--plan",
            "advanced",
            "--since",
            "2027-13-01",
            "--at",
            "2027-01-16",
            "--to",
            "pro",
        ),
        "--since: malformed date '2027-13-01'; expected ISO 8601, such as 2027-01-16, ",
    ),
    (
        ("summary", "--plan", "advanced", "--since", "2027-01-01", "--at", "16 Jan 2027"),
        "--at: malformed date '16 Jan 2027'; ",
    ),
    (
        (
            "summary",
            "--plan",
            "advanced",
            "--since",
            "2027-01-01",
            "--at",
            "2027-01-16T12:00+25:00",
        ),
        "--at: malformed date '2027-01-16T12:00+25:00'; ",
    ),
    (
        (
            "quote",
            "--plan",
            "advanced",
            "--since",
            "2027-01-01",
            "--at",
            "2026-12-31",
            "--to",
            "pro",
        ),
        "--at: 2026-12-31T00:00:00+00:00 is before --since 2027-01-01T00:00:00+00:00",
    ),
    (
        ("summary", *ACCOUNT, "--cancelled-at", "2027-02-01"),
        "--cancelled-at: 2027-02-01T00:00:00+00:00 must lie between --since ",
    ),
    (
        ("summary", *ACCOUNT, "--usage", "properties"),
        (
            "--usage: expected METRIC=COUNT with a whole number, such as properties=10, "
            "got 'properties'"
        ),
    ),
    (("summary", *ACCOUNT, "--usage", "properties=-1"), "--usage: expected METRIC=COUNT"),
    (("quote", *ACCOUNT, "--to", "pro", "--usage", "properties=ten"), "--usage: expected"),
    (
        ("quote", *ACCOUNT, "--to", "pro", "--usage", "seats=3"),
        (
            "--usage: unknown metric 'seats'; known metrics: properties, integrations, "
            "billable_sessions"
        ),
    ),
    (
        ("summary", *ACCOUNT, "--usage", "properties=3", "--usage", "properties=4"),
        "--usage: metric 'properties' given twice",
    ),
    (
        ("quote", *ACCOUNT, "--to", "pro", "--policy", "chargebee"),
        "--policy: unknown preset 'chargebee'; known presets: 'seed', 'stripe', 'killbill', 'lago'",
    ),
    (
        ("summary", *ACCOUNT, "--time-zone", "Mars/Olympus"),
        "--time-zone: unknown IANA time zone 'Mars/Olympus'",
    ),
    (
        ("summary", "--plan", "advanced", "--since", "2027-01-01"),
        f"the following arguments are required: --at; run '{PROG} summary --help' for usage",
    ),
    (("quote", *ACCOUNT), "the following arguments are required: --to; "),
    (
        (
            "summary",
            *("--plan", "advanced", "--since", "0001-01-01", "--at", "0001-01-02"),
            *("--time-zone", "Asia/Tokyo"),
        ),
        "--since: '0001-01-01' lies too close to year 1 or year 9999",
    ),
    (
        ("summary", "--plan", "advanced", "--since", "9999-12-15", "--at", "9999-12-20"),
        "--since: period 0 lies beyond year 9999",
    ),
]


@pytest.mark.parametrize(("argv", "expected"), BAD_INPUT)
def test_bad_account_input_is_one_error_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    message = assert_one_error_line(*run(capsys, *argv))
    assert message.startswith(expected), message


def test_quote_and_summary_report_a_missing_or_broken_catalog_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.toml"
    broken = tmp_path / "broken.toml"
    broken.write_text('currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\n', encoding="utf-8")
    for command in (("summary",), ("quote", "--to", "pro")):
        message = assert_one_error_line(*run(capsys, *command, *ACCOUNT, "--catalog", str(missing)))
        assert (
            message == f"path: cannot read catalog file {str(missing)!r}: No such file or directory"
        )
        message = assert_one_error_line(*run(capsys, *command, *ACCOUNT, "--catalog", str(broken)))
        assert message == f"{broken}: plans[0] ('a').prices: missing required key"


def test_malformed_date_in_a_subprocess_exits_2_without_a_traceback() -> None:
    result = run_module(
        "quote", "--plan", "advanced", "--since", "2027-01-01", "--at", "2027-02-30", "--to", "pro"
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{PREFIX}--at: malformed date '2027-02-30'; ")
