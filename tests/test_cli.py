"""The command line: every subcommand as a user runs it, JSON, and one-line errors on bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from subscription_rules.cli import PROG, main

PREFIX = f"{PROG}: error: "
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "scenario.toml"

DEFAULT_TABLE = """\
Catalog (USD, EUR) \N{EM DASH} built-in example, prices are illustrative

Plan      Id        Currency  Monthly    Yearly  Properties  Integrations  Billable sessions  Trial
--------  --------  --------  -------  --------  ----------  ------------  -----------------  -------
Personal  personal  USD         50.00    500.00           3             3            100,000  14 days
                    EUR         45.00    450.00
Advanced  advanced  USD        150.00  1,500.00          10            10            500,000  14 days
                    EUR        135.00  1,350.00
Pro       pro       USD        300.00  3,000.00          25     unlimited          2,000,000  14 days
                    EUR        270.00  2,700.00
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
        "Currency",
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
        "JPY",
        "300",
        "1,200",
        "-",
        "12,000",
        "unlimited",
        "1",
        "day",
    ]
    assert lines[5].split() == [
        "Crew",
        "crew",
        "JPY",
        "-",
        "6,000",
        "30,000",
        "-",
        "12,500",
        "none",
    ]


SEATS_TABLE = """\
Catalog (USD, EUR) \N{EM DASH} docs/examples/catalog-seats.toml

Plan                   Id           Currency     Monthly       Yearly      Seats  API calls  Trial
---------------------  -----------  --------  ----------  -----------  ---------  ---------  -------
Team                   team         USD       12.00/seat  120.00/seat  as bought    100,000  14 days
                                    EUR       11.00/seat  110.00/seat
Scale                  scale        USD            tiers            -  as bought  1,000,000  none
                                    EUR            tiers            -
Legacy Team (retired)  legacy-team  USD       10.00/seat            -  as bought  unlimited  none
                                    EUR        9.50/seat            -

Tiers (price per unit in each tier):
  Scale, monthly, USD, graduated: 1\N{EN DASH}10 at 10.00; 11\N{EN DASH}50 at 8.00; 51+ at 6.00 + 20.00 flat
  Scale, monthly, EUR, graduated: 1\N{EN DASH}10 at 9.00; 11\N{EN DASH}50 at 7.00; 51+ at 5.50 + 18.00 flat
"""


def test_plans_shows_each_currency_per_seat_and_tiered_prices_and_retired_plans(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As docs/cli.md shows it: one row per currency, ``12.00/seat`` for a per-unit price,
    ``as bought`` for the seats a subscription buys, tiers listed under the table."""
    monkeypatch.chdir(ROOT)
    status, out, err = run(capsys, "plans", "--catalog", "docs/examples/catalog-seats.toml")
    assert (status, err) == (0, "")
    assert out == SEATS_TABLE


def test_plans_table_lines_have_no_trailing_spaces(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    for argv in (["plans"], ["plans", "--catalog", str(custom_catalog)]):
        _, out, _ = run(capsys, *argv)
        assert all(line == line.rstrip() for line in out.splitlines())


def test_plans_json_prints_the_catalogs_storage_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "plans", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["source", "illustrative", "catalog"]
    assert (data["source"], data["illustrative"]) == ("built-in example", True)
    catalog = data["catalog"]
    assert (catalog["schema_version"], catalog["type"]) == (2, "catalog")
    assert [m["name"] for m in catalog["metrics"]] == [
        "properties",
        "integrations",
        "billable_sessions",
    ]
    assert [p["id"] for p in catalog["plans"]] == ["personal", "advanced", "pro"]
    advanced = catalog["plans"][1]
    assert (advanced["name"], advanced["trial_days"], advanced["rank"]) == ("Advanced", 14, None)
    assert advanced["prices"] == [
        {
            "amount": {"amount": "150.00", "currency": "USD"},
            "interval": {"unit": "month", "count": 1},
            "unit": None,  # a flat price
            "tiers": None,
        },
        {
            "amount": {"amount": "1500.00", "currency": "USD"},
            "interval": {"unit": "year", "count": 1},
            "unit": None,
            "tiers": None,
        },
        {
            "amount": {"amount": "135.00", "currency": "EUR"},
            "interval": {"unit": "month", "count": 1},
            "unit": None,
            "tiers": None,
        },
        {
            "amount": {"amount": "1350.00", "currency": "EUR"},
            "interval": {"unit": "year", "count": 1},
            "unit": None,
            "tiers": None,
        },
    ]
    assert catalog["plans"][2]["limits"] == {
        "pairs": [["billable_sessions", 2_000_000], ["integrations", None], ["properties", 25]]
    }


def test_plans_json_of_a_file_names_the_file_and_is_not_illustrative(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    status, out, _ = run(capsys, "plans", "--json", "--catalog", str(custom_catalog))
    assert status == 0
    data = json.loads(out)
    assert data["source"] == str(custom_catalog)
    assert data["illustrative"] is False
    solo = data["catalog"]["plans"][0]
    assert solo["prices"][0] == {
        "amount": {"amount": "12000", "currency": "JPY"},  # JPY has no decimal places
        "interval": {"unit": "year", "count": 1},
        "unit": None,
        "tiers": None,
    }
    assert solo["limits"] == {"pairs": []}  # no limit given: seats unlimited


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


def test_quote_json_prints_the_quote_and_the_accounts_storage_documents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "quote", *ACCOUNT, "--to", "pro", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert list(data) == [
        "account", "policy", "subscription", "usage", "quote", "lines_billed", "totals", "refused"
    ]  # fmt: skip
    assert data["account"] == {
        "catalog": "built-in example",
        "time_zone": "UTC",
        "plan": "advanced",
        "interval": "monthly",
        "quantity": 1,
        "currency": "USD",
        "since": "2027-01-01T00:00:00+00:00",
        "at": "2027-01-16T00:00:00+00:00",
        "cancelled_at": None,
        "status": "active",
    }
    assert [data[key]["type"] for key in ("policy", "subscription", "usage", "quote")] == [
        "billing_policy",
        "subscription",
        "usage",
        "change_quote",
    ]
    assert data["policy"]["name"] == "seed"
    assert data["usage"]["counts"] == []
    assert (data["lines_billed"], data["refused"]) == ("now", None)
    quote = data["quote"]
    assert (quote["kind"], quote["timing"], quote["feasibility"]) == (
        "upgrade",
        "immediately",
        {"type": "feasible", "warnings": []},
    )
    assert (quote["from_plan_id"], quote["to_plan_id"]) == ("advanced", "pro")
    assert quote["from_interval"] == quote["to_interval"] == {"unit": "month", "count": 1}
    assert quote["effective_at"] == "2027-01-16T00:00:00+00:00"
    assert quote["restarts_cycle"] is False
    # 16 of 31 days left of January: 150.00 × 1,382,400/2,678,400 s = 77.419… → 77.42 credited;
    # Pro 300.00 × the same = 154.838… → 154.84 charged.
    credit, charge = quote["lines"]
    assert credit["kind"] == "unused_time"
    assert credit["amount"] == {"amount": "-77.42", "currency": "USD"}
    assert (credit["start"], credit["end"]) == (
        "2027-01-16T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00[UTC]",
    )
    explanation = credit["explanation"]
    assert (explanation["units"], explanation["denominator"], explanation["unit"]) == (
        1_382_400,
        2_678_400,
        "seconds",
    )
    assert explanation["rounding"] == "half_up"
    assert explanation["rounded"] == {"amount": "77.42", "currency": "USD"}
    assert explanation["cap"] is None
    assert (charge["amount"]["amount"], charge["plan_id"]) == ("154.84", "pro")
    assert {key: quote[key]["amount"] for key in ("total", "credit_applied", "amount_due_now")} == {
        "total": "77.42",
        "credit_applied": "77.42",
        "amount_due_now": "77.42",
    }
    assert quote["refund"] == quote["credit_after"] == {"amount": "0.00", "currency": "USD"}


def test_quote_json_of_an_infeasible_downgrade_lists_the_actions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("quote", *ACCOUNT, "--to", "personal", "--usage", "properties=10", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    data = json.loads(out)
    quote = data["quote"]
    assert (quote["kind"], quote["timing"]) == ("downgrade", "period_end")
    assert quote["effective_at"] == "2027-02-01T00:00:00+00:00[UTC]"
    # Personal allows 3 properties; the account uses 10: delete 7.
    assert quote["feasibility"] == {
        "type": "infeasible",
        "plan_id": "personal",
        "plan_name": "Personal",
        "actions": [
            {
                "metric": {
                    "name": "properties",
                    "kind": "stock",
                    "singular": "property",
                    "plural": "properties",
                    "verb": "delete",
                },
                "amount": 7,
                "limit": 3,
            }
        ],
        "warnings": [],
    }
    assert quote["lines"] == []
    assert data["lines_billed"] is None
    assert quote["amount_due_now"] == {"amount": "0.00", "currency": "USD"}
    assert data["usage"]["counts"] == [["properties", 10]]


def test_quote_under_the_stripe_preset_leaves_the_lines_for_the_next_invoice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Same lines as the seed's; Stripe's create_prorations leaves both for the next invoice,
    # so nothing is due now, the balance is untouched and the net USD 77.42 is due then.
    status, out, _ = run(capsys, "quote", *ACCOUNT, "--to", "pro", "--policy", "stripe")
    assert status == 0
    assert "(time zone UTC, policy stripe)" in out.splitlines()[0]
    assert "Lines billed:    on the next invoice\n" in out
    assert "USD -77.42  Unused time on Advanced" in out
    assert "Amount due now:  USD 0.00\n" in out
    assert "Credit after:    USD 0.00\n" in out
    assert "Next invoice:    USD 77.42\n" in out


def test_quote_of_an_interval_change_restarts_the_cycle_and_charges_the_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Credit USD 77.42 as in the upgrade; Pro yearly (USD 3000.00) charged in full from the
    # change: 300000 − 7742 = 292258 → USD 2922.58 due now.
    status, out, _ = run(
        capsys, "quote", *ACCOUNT, "--to", "pro", "--to-interval", "yearly", "--json"
    )
    assert status == 0
    quote = json.loads(out)["quote"]
    assert (quote["to_plan_id"], quote["to_interval"]) == ("pro", {"unit": "year", "count": 1})
    assert quote["restarts_cycle"] is True
    assert [line["amount"]["amount"] for line in quote["lines"]] == ["-77.42", "3000.00"]
    assert quote["lines"][1]["end"].startswith("2028-01-16T00:00:00+00:00")
    assert quote["amount_due_now"]["amount"] == "2922.58"


def test_quote_of_an_interval_change_under_lago_keeps_the_anniversary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Lago counts days: credit 15000 × 16/31 = 7741.9… → 7742. The yearly cycle keeps the
    # anchor 1 Jan 2027: 1 Jan 2027 … 1 Jan 2028 is 365 days, 350 left from 16 Jan:
    # 300000 × 350/365 = 287671.2… → 287671; 287671 − 7742 = 279929 → USD 2799.29 due now.
    status, out, _ = run(
        capsys, "quote", *ACCOUNT, "--to", "pro", "--to-interval", "yearly", "--policy", "lago",
        "--json",
    )  # fmt: skip
    assert status == 0
    data = json.loads(out)
    quote = data["quote"]
    assert (quote["restarts_cycle"], data["lines_billed"]) == (False, "now")
    assert [line["amount"]["amount"] for line in quote["lines"]] == ["-77.42", "2876.71"]
    assert quote["lines"][1]["end"].startswith("2028-01-01T00:00:00+00:00")
    assert quote["amount_due_now"]["amount"] == "2799.29"


def test_quote_target_interval_defaults_to_the_accounts_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("quote", *ACCOUNT, "--interval", "yearly", "--to", "pro", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    quote = json.loads(out)["quote"]
    assert quote["from_interval"] == quote["to_interval"] == {"unit": "year", "count": 1}
    assert quote["restarts_cycle"] is False


def test_quote_reads_dates_without_an_offset_in_the_time_zone_and_others_as_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The account's dates are shown in --time-zone; the quote's document keeps the instant
    # as the rules hold it (12:30 in Paris in January is 11:30 UTC).
    argv = ("quote", "--plan", "advanced", "--since", "2027-01-01", "--to", "pro", "--json")
    zone = ("--time-zone", "Europe/Paris")
    _, out, _ = run(capsys, *argv, *zone, "--at", "2027-01-16T12:30")
    data = json.loads(out)
    assert data["account"]["since"] == "2027-01-01T00:00:00+01:00"
    assert data["account"]["at"] == "2027-01-16T12:30:00+01:00"
    assert data["quote"]["at"] == "2027-01-16T11:30:00+00:00"
    _, out, _ = run(capsys, *argv, *zone, "--at", "2027-01-16T12:30Z")
    assert json.loads(out)["account"]["at"] == "2027-01-16T13:30:00+01:00"
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
    assert (data["quote"], data["lines_billed"]) == (None, None)
    assert (data["refused"]["type"], data["refused"]["reason"]) == (
        "refused",
        "not_allowed_in_status",
    )
    assert data["account"]["status"] == data["subscription"]["status"] == "ended"


# --- seats and currencies -----------------------------------------------------------------------

SEATS_CATALOG = ("--catalog", "docs/examples/catalog-seats.toml")

MORE_SEATS = """\
Team, monthly, 5 seats \N{RIGHTWARDS ARROW} Team, monthly, 8 seats, at 16 Jan 2027 (time zone UTC, policy seed)

Kind:            upgrade
Takes effect:    immediately, 16 Jan 2027
Feasible:        yes
Lines billed:    now

USD -30.97  Unused time on Team (5 seats \N{MULTIPLICATION SIGN} USD 12.00) from 16 Jan 2027 to 1 Feb 2027
              USD 60.00 \N{MULTIPLICATION SIGN} 1,382,400/2,678,400 seconds = 3096.7741\N{HORIZONTAL ELLIPSIS} cents, rounded half-up to USD 30.97
USD  49.55  Remaining time on Team (8 seats \N{MULTIPLICATION SIGN} USD 12.00) from 16 Jan 2027 to 1 Feb 2027
              USD 96.00 \N{MULTIPLICATION SIGN} 1,382,400/2,678,400 seconds = 4954.8387\N{HORIZONTAL ELLIPSIS} cents, rounded half-up to USD 49.55
USD  18.58  Total

Credit applied:  USD 30.97
Amount due now:  USD 18.58
Credit after:    USD 0.00
"""


def test_quote_of_more_seats_credits_the_old_seats_and_charges_the_new(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 to 8 Team seats (USD 12.00 each) on 16 Jan, 16 of 31 days left: 60.00 × 16/31 =
    30.967… → 30.97 credited, 96.00 × 16/31 = 49.548… → 49.55 charged, 18.58 due (as
    docs/cli.md shows it)."""
    monkeypatch.chdir(ROOT)
    argv: tuple[str, ...] = ("quote", *SEATS_CATALOG, "--plan", "team", "--quantity", "5")
    argv += ("--since", "2027-01-01", "--at", "2027-01-16", "--to", "team", "--to-quantity", "8")
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    assert out == MORE_SEATS


def test_quote_of_fewer_seats_in_eur_waits_and_asks_for_seats_removed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv: tuple[str, ...] = ("quote", *SEATS_CATALOG, "--plan", "team", "--quantity", "8")
    argv += ("--currency", "EUR")
    argv += ("--since", "2027-01-01", "--at", "2027-01-16", "--to", "team", "--to-quantity", "5")
    status, out, _ = run(capsys, *argv, "--usage", "seats=7")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Team, monthly, 8 seats \N{RIGHTWARDS ARROW} Team, monthly, 5 seats")
    assert "Takes effect:      at the end of the period, 1 Feb 2027" in lines
    assert "Feasible:          no, Team allows 5 seats" in lines
    assert "Actions required:  remove 2 seats" in lines
    assert "Amount due now:    EUR 0.00" in lines


def test_quote_in_eur_bills_the_eur_prices(capsys: pytest.CaptureFixture[str]) -> None:
    """Advanced (EUR 135.00) to Pro (EUR 270.00) on 16 Jan: 135.00 × 16/31 = 69.677… → 69.68
    credited, 270.00 × 16/31 = 139.354… → 139.35 charged, EUR 69.67 due."""
    argv = ("quote", "--plan", "advanced", "--currency", "EUR", "--since", "2027-01-01")
    status, out, _ = run(capsys, *argv, "--at", "2027-01-16", "--to", "pro")
    assert status == 0
    assert "EUR -69.68  Unused time on Advanced from 16 Jan 2027 to 1 Feb 2027" in out
    assert "EUR 139.35  Remaining time on Pro from 16 Jan 2027 to 1 Feb 2027" in out
    assert "Amount due now:  EUR 69.67" in out


def test_quote_json_names_the_accounts_quantity_and_currency(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv: tuple[str, ...] = ("quote", *SEATS_CATALOG, "--plan", "team", "--quantity", "5")
    argv += ("--currency", "eur")
    argv += ("--since", "2027-01-01", "--at", "2027-01-16", "--to", "team", "--to-quantity", "8")
    status, out, _ = run(capsys, *argv, "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["account"]["quantity"], data["account"]["currency"]) == (5, "EUR")
    assert data["subscription"]["quantity"] == 5
    quote = data["quote"]
    assert (quote["from_quantity"], quote["to_quantity"]) == (5, 8)
    # 3 more seats × EUR 11.00 × 16/31: 55.00 × 16/31 = 28.387… → 28.39 credited,
    # 88.00 × 16/31 = 45.419… → 45.42 charged, 17.03 due
    assert quote["amount_due_now"] == {"amount": "17.03", "currency": "EUR"}


SEATS_SUMMARY = """\
Billing summary at 16 Jan 2027 (time zone UTC, policy seed)

Status:          active
Plan:            Team, monthly, 5 seats
Current period:  1 Jan 2027 \N{RIGHTWARDS ARROW} 1 Feb 2027, 16 days left
Usage:           seats: 4 of 5 (80%), 1 remaining
                 api_calls: 0 of 100,000 (0%), 100,000 remaining
Credit balance:  EUR 0.00
Pending change:  none
Cancellation:    none

Upcoming invoice on 1 Feb 2027:
EUR 55.00  Team (5 seats \N{MULTIPLICATION SIGN} EUR 11.00), monthly, from 1 Feb 2027 to 1 Mar 2027
EUR 55.00  Amount due
"""


def test_summary_of_seats_in_eur_limits_the_seats_by_the_quantity(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 seats × EUR 11.00 = EUR 55.00 on 1 Feb; 4 of the 5 seats in use (as docs/cli.md shows)."""
    monkeypatch.chdir(ROOT)
    argv = ("summary", *SEATS_CATALOG, "--plan", "team", "--quantity", "5", "--currency", "EUR")
    status, out, err = run(
        capsys, *argv, "--since", "2027-01-01", "--at", "2027-01-16", "--usage", "seats=4"
    )
    assert (status, err) == (0, "")
    assert out == SEATS_SUMMARY


def test_summary_json_carries_the_quantity_and_currency(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv = ("summary", *SEATS_CATALOG, "--plan", "team", "--quantity", "5", "--currency", "EUR")
    _, out, _ = run(capsys, *argv, "--since", "2027-01-01", "--at", "2027-01-16", "--json")
    summary = json.loads(out)["summary"]
    assert (summary["quantity"], summary["currency"]) == (5, "EUR")


def test_a_retired_plan_cannot_start_an_account(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv = ("summary", *SEATS_CATALOG, "--plan", "legacy-team")
    status, out, err = run(capsys, *argv, "--since", "2027-01-01", "--at", "2027-01-16")
    assert assert_one_error_line(status, out, err) == (
        "--plan: plan 'legacy-team' is retired: it is no longer sold, though its"
        " subscriptions keep renewing"
    )


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
    summary = json.loads(out)["summary"]
    assert summary["status"] == "active"
    assert summary["current_period"] == {
        "start": "2027-02-28T00:00:00+00:00[UTC]",
        "end": "2027-03-31T00:00:00+00:00[UTC]",
        "index": 1,
    }
    assert summary["days_left"] == 26
    assert summary["upcoming"]["issued_at"] == "2027-03-31T00:00:00+00:00[UTC]"
    assert summary["upcoming"]["period_end"] == "2027-04-30T00:00:00+00:00[UTC]"


def test_summary_json_prints_the_summarys_storage_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, *SUMMARY_ARGV, "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert list(data) == [
        "account",
        "policy",
        "subscription",
        "usage",
        "summary",
        "upcoming_totals",
    ]
    summary = data["summary"]
    assert (summary["schema_version"], summary["type"]) == (2, "billing_summary")
    assert (summary["status"], summary["plan_id"], summary["plan_name"]) == (
        "active",
        "advanced",
        "Advanced",
    )
    assert summary["interval"] == {"unit": "month", "count": 1}
    assert summary["days_left"] == 11
    # Advanced allows 10 properties; 4 used: 40%, 6 remaining.
    properties = summary["usage"]["lines"][0]
    assert properties["metric"]["name"] == "properties"
    assert {key: properties[key] for key in ("used", "limit", "remaining", "percent")} == {
        "used": 4,
        "limit": 10,
        "remaining": 6,
        "percent": 40,
    }
    upcoming = summary["upcoming"]
    assert upcoming["reason"] == "renewal"
    assert [line["amount"] for line in upcoming["lines"]] == [
        {"amount": "150.00", "currency": "USD"}
    ]
    assert upcoming["lines"][0]["explanation"] is None
    assert summary["credit_balance"] == {"amount": "0.00", "currency": "USD"}
    assert summary["pending_change"] is None
    assert (summary["cancel_at_period_end"], summary["ends_at"], summary["trial_end"]) == (
        False,
        None,
        None,
    )


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
    summary = data["summary"]
    assert (summary["status"], summary["current_period"], summary["upcoming"]) == (
        "ended",
        None,
        None,
    )
    assert summary["ends_at"].startswith("2026-12-01T00:00:00+00:00")
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
        (
            "--since: 9999-12-15T00:00:00+00:00 lies too close to the limits of the calendar "
            "(years 1 to 9999): period 0 lies beyond year 9999"
        ),
    ),
    (
        ("summary", *ACCOUNT, "--coupon-percent", "120"),
        "--coupon-percent: must be a percentage above 0 and at most 100 with at most 2 decimal",
    ),
    (
        ("summary", *ACCOUNT, "--coupon-amount", "1.234"),
        "--coupon-amount: '1.234' has more precision than USD allows",
    ),
    (
        ("quote", *ACCOUNT, "--to", "pro", "--coupon-percent", "10", "--coupon-amount", "5"),
        "--coupon-amount: give --coupon-percent or --coupon-amount, not both",
    ),
    (
        ("summary", *ACCOUNT, "--tax-rate", "VAT:FR:20:incl"),
        "--tax-rate: expected NAME:JURISDICTION:PERCENT[:inclusive], such as 'VAT 20 %:FR:20'",
    ),
    (
        ("summary", *ACCOUNT, "--tax-rate", "VAT:France:20"),
        "--tax-rate: must be a country code, optionally with a subdivision",
    ),
    (
        ("quote", *ACCOUNT, "--to", "pro", "--tax-rate", "VAT:FR:101"),
        "--tax-rate: must be a percentage from 0 to 100 with at most 4 decimal places",
    ),
]


def test_summary_shows_the_discount_lines_subtotal_each_tax_and_total(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Advanced (150.00) with 20 % off and VAT 20 %: 150.00 − 30.00 = 120.00 (the coupon before
    the tax), 24.00 of VAT, 144.00 (docs/cli.md shows it)."""
    argv = ("summary", "--plan", "advanced", "--since", "2026-11-01", "--at", "2026-11-20")
    status, out, err = run(capsys, *argv, "--coupon-percent", "20", "--tax-rate", "VAT 20 %:FR:20")
    assert (status, err) == (0, "")
    assert out.endswith(
        "USD -30.00  Coupon CLI: -20 % of Advanced, monthly, from 1 Dec 2026 to 1 Jan 2027\n"
        "              USD 150.00 × 20/100 percent = USD 30.00 exactly; no rounding needed\n"
        "USD 120.00  Subtotal\n"
        "USD  24.00  VAT 20 % on USD 120.00\n"
        "USD 144.00  Total\n"
        "USD 144.00  Amount due\n"
    )


def test_a_quote_with_a_coupon_and_an_inclusive_tax_shows_its_tax_inside_the_total(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Advanced → Pro on 16 Nov (15 of 30 days left), USD 10.00 off forever, MwSt. 19 %
    inclusive. 1 Nov paid 150.00 − 10.00 = 140.00, of which 14000 × 19/119 = 22.35 tax. The
    credit is 140.00 × 15/30 = 70.00 with 22.35 × 70/140 = 11.175 → 11.18 of its tax; the
    charge 300.00 × 15/30 = 150.00, less 10.00 = 140.00, holding 22.35. Lines net 70.00 with
    22.35 − 11.18 = 11.17 tax inside: subtotal 58.83, total 70.00.
    """
    argv = ("quote", "--plan", "advanced", "--since", "2026-11-01", "--at", "2026-11-16")
    status, out, err = run(
        capsys, *argv, "--to", "pro", "--coupon-amount", "10",
        "--tax-rate", "MwSt. 19 %:DE:19:inclusive",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert (
        "USD -10.00  Coupon CLI: USD 10.00 of USD 10.00 off Remaining time on Pro from 16 Nov"
        " 2026 to 1 Dec 2026\n"
        "USD  58.83  Subtotal\n"
        "USD  11.17  MwSt. 19 % on USD 58.83 (included)\n"
        "USD  70.00  Total\n"
    ) in out


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


# --- retries ------------------------------------------------------------------------------------


def cells(line: str) -> list[str]:
    """A table row's cells: columns are two or more spaces apart."""
    return re.split(r"\s{2,}", line.strip())


def test_retries_prints_kill_bill_example_in_a_subprocess() -> None:
    # Kill Bill's documented example (tests/test_dunning.py): a payment fails on 6 Aug 2021 and
    # is retried 1, 8, 4 and 7 days apart, i.e. 1, 9, 13 and 20 days after the failure:
    # 7, 15, 19 and 26 Aug 2021.
    result = run_module("retries", "--failed-at", "2021-08-06", "--schedule", "killbill")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Retries after a payment failed at Fri 2021-08-06 00:00 (time zone UTC, policy seed)"
    )
    assert lines[1] == "Schedule kill_bill_example: 4 retries within 20 days"
    assert [cells(line) for line in lines[3:9]] == [
        ["Retry", "At", "After the failure"],
        ["-----", "--------------------", "-----------------"],
        ["1", "Sat 2021-08-07 00:00", "1 day"],
        ["2", "Sun 2021-08-15 00:00", "9 days"],
        ["3", "Thu 2021-08-19 00:00", "13 days"],
        ["4", "Thu 2021-08-26 00:00", "20 days"],
    ]
    # What happens when they run out: the seed suspends; a hard decline waits for a new
    # payment method until the schedule's window ends, 20 days after the failure.
    text = " ".join(lines[10:])
    assert "When retry 4 is declined too, policy seed suspends the account" in text
    assert "(retries_exhausted: suspend)" in text
    assert "until Thu 2021-08-26 00:00" in text


# Smart-Retries-like (the seed's and Stripe's): 1, 3, 5, 7, 9, 11 and 14 days after the
# failure (tests/test_dunning.py), from 1 Dec 2026.
SMART_DATES = ["2026-12-02", "2026-12-04", "2026-12-06", "2026-12-08", "2026-12-10"]
SMART_DATES += ["2026-12-12", "2026-12-15"]


@pytest.mark.parametrize(
    ("policy", "dates", "exhausted"),
    [
        ("seed", SMART_DATES, "suspends the account"),
        ("stripe", SMART_DATES, "ends the subscription at once"),
        # Kill Bill's example: 1, 9, 13, 20 days.
        ("killbill", ["2026-12-02", "2026-12-10", "2026-12-14", "2026-12-21"], "past due"),
        # Lago-like: three retries, 3, 5 and 7 days after.
        ("lago", ["2026-12-04", "2026-12-06", "2026-12-08"], "past due"),
    ],
)
def test_retries_default_to_the_policys_schedule_and_action(
    capsys: pytest.CaptureFixture[str], policy: str, dates: list[str], exhausted: str
) -> None:
    status, out, err = run(capsys, "retries", "--failed-at", "2026-12-01", "--policy", policy)
    assert (status, err) == (0, "")
    rows = [cells(line) for line in out.splitlines()[5 : 5 + len(dates)]]
    assert [row[1].split()[1] for row in rows] == dates
    assert exhausted in " ".join(out.splitlines()[6 + len(dates) :])


def test_retries_local_hour_moves_each_retry_to_that_hour_in_the_time_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # As in RetrySchedule.retry_time's doctest: a failure at 15:00 UTC on 1 Mar 2026 is 16:00
    # in Paris; the first retry, a day later, is 16:00 on 2 Mar, moved to the next local
    # midnight, 00:00 on 3 Mar (+01:00) = 23:00 UTC on 2 Mar: 1 day 8 h after the failure.
    argv = ("retries", "--failed-at", "2026-03-01T15:00Z", "--time-zone", "Europe/Paris")
    status, out, err = run(capsys, *argv, "--local-hour", "0")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Retries after a payment failed at Sun 2026-03-01 16:00 ")
    assert lines[1].endswith(", each moved to the next 00:00 local time")
    assert cells(lines[5]) == ["1", "Tue 2026-03-03 00:00", "1 day 8 h"]


def test_retries_json_prints_the_schedule_and_the_policy_as_documents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("retries", "--failed-at", "2021-08-06", "--schedule", "killbill", "--json")
    status, out, err = run(capsys, *argv, "--policy", "stripe")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["failed_at"] == "2021-08-06T00:00:00+00:00"
    assert (data["policy"]["type"], data["policy"]["name"]) == ("billing_policy", "stripe")
    assert data["policy"]["retries_exhausted"] == "cancel"
    # Kill Bill's documented gaps 1, 8, 4, 7 days: offsets 1, 9, 13 and 20 days.
    assert data["schedule"] == {
        "schema_version": 2,
        "type": "retry_schedule",
        "name": "kill_bill_example",
        "offsets": ["P1D", "P9D", "P13D", "P20D"],
        "local_hour": None,
    }
    assert [(r["number"], r["at"][:10], r["after_seconds"]) for r in data["retries"]] == [
        (1, "2021-08-07", 86_400),
        (2, "2021-08-15", 9 * 86_400),
        (3, "2021-08-19", 13 * 86_400),
        (4, "2021-08-26", 20 * 86_400),
    ]
    assert data["retries"][1]["after"] == "9 days"
    assert data["hard_decline_deadline"] == "2021-08-26T00:00:00+00:00"
    assert data["when_exhausted"] == "ends the subscription at once"


RETRIES_BAD_INPUT = [
    (
        ("retries", "--failed-at", "06/08/2021"),
        "--failed-at: malformed date '06/08/2021'; expected ISO 8601",
    ),
    (
        ("retries", "--failed-at", "2021-08-06", "--schedule", "weekly"),
        "argument --schedule: invalid choice: 'weekly' (choose from 'smart', 'three', 'killbill')",
    ),
    (
        ("retries", "--failed-at", "2021-08-06", "--local-hour", "24"),
        "--local-hour: expected a whole hour from 0 to 23, got '24'",
    ),
    (
        ("retries", "--failed-at", "2021-08-06", "--local-hour", "noon"),
        "--local-hour: expected a whole hour from 0 to 23, got 'noon'",
    ),
    (
        ("retries", "--failed-at", "2021-08-06", "--policy", "paddle"),
        "--policy: unknown preset 'paddle'",
    ),
    (
        ("retries", "--failed-at", "2021-08-06", "--time-zone", "Mars/Olympus"),
        "--time-zone: unknown IANA time zone 'Mars/Olympus'",
    ),
    (
        ("retries", "--failed-at", "9999-12-30"),
        "--failed-at: retry 1 after 9999-12-30 00:00:00+00:00 would fall beyond year 9999",
    ),
    (("retries",), "the following arguments are required: --failed-at"),
]


@pytest.mark.parametrize(("argv", "expected"), RETRIES_BAD_INPUT)
def test_retries_bad_input_is_one_error_line_in_a_subprocess(
    argv: tuple[str, ...], expected: str
) -> None:
    result = run_module(*argv)
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert message.startswith(expected), message


# --- simulate -----------------------------------------------------------------------------------

# The example scenario (docs/examples/scenario.toml), worked by hand. Personal is USD 50.00 a
# month and 500.00 a year, Advanced 150.00 a month (the built-in catalog).
# - 1 Nov 2026: a 14-day trial, ending on 15 Nov; its reminder 3 days before, on 12 Nov.
# - 15 Nov: the trial converts; the first period, 15 Nov → 15 Dec (30 days), costs 50.00.
# - 25 Nov: upgrade to Advanced, 20 of the 30 days remaining:
#     credit 5000 × 20/30 = 3333.33… cents → 33.33; charge 15000 × 20/30 = 10000 → 100.00;
#     the credit pays 33.33 of the charge: 66.67 is charged.
# - 15 Dec, 15 Jan: Advanced renews, 150.00 each.
# - 5 Feb: 10 properties and Personal allows 3: the downgrade is refused.
# - 8 Feb: 3 properties: the downgrade waits for 15 Feb and costs nothing now.
# - 15 Feb, 15 Mar: Personal renews, 50.00 each.
# - 15 Apr: the renewal is declined (hard). Invoices and credit notes share one numbering, and
#   each plan change's notice takes a number: INV-0001 (15 Nov), CN-0002, INV-0003 and 4 (25
#   Nov), INV-0005 (15 Dec), INV-0006 (15 Jan), 7 (8 Feb), INV-0008 (15 Feb), INV-0009 (15 Mar),
#   so the 15 Apr invoice is sub_1-INV-0010, as the file scripts.
# - 18 Apr: a new payment method: the invoice is retried at once and paid, 50.00.
# - 15 May: 50.00.
# - 1 Jun: monthly → yearly. The period 15 May → 15 Jun has 31 days, 14 of them unused:
#     credit 5000 × 14/31 = 2258.06… → 22.58; a year from 1 Jun costs 500.00, less the credit:
#     477.42 is charged. The cycle restarts on 1 Jun: no renewal before `until`, 15 Nov 2027.
# Charged: 50 + 66.67 + 150 + 150 + 50 + 50 + 50 + 50 + 477.42 = 1094.09.
# Credited: 33.33 + 22.58 = 55.91.
EXAMPLE_ROWS = [
    ["2026-11-01", "start", "trialing", "0.00", "0.00", "trial started"],
    ["2026-11-12", "trial ending", "trialing", "0.00", "0.00", "trial ending"],
    ["2026-11-15", "trial converted", "active", "50.00", "0.00", "payment succeeded, trial converted"],
    ["2026-11-25", "change plan to advanced", "active", "66.67", "33.33", "credit note issued, payment succeeded, upgraded"],
    ["2026-12-15", "renewed", "active", "150.00", "0.00", "payment succeeded, renewed"],
    ["2027-01-15", "renewed", "active", "150.00", "0.00", "payment succeeded, renewed"],
    ["2027-02-05", "refused: change plan to personal", "active", "0.00", "0.00", "-"],
    ["2027-02-08", "change plan to personal", "active", "0.00", "0.00", "downgrade scheduled"],
    ["2027-02-15", "downgraded, renewed", "active", "50.00", "0.00", "downgraded, payment succeeded, renewed"],
    ["2027-03-15", "renewed", "active", "50.00", "0.00", "payment succeeded, renewed"],
    ["2027-04-15", "renewed", "past due", "0.00", "0.00", "payment failed, payment method needed, renewed"],
    ["2027-04-18", "update payment method", "active", "50.00", "0.00", "payment succeeded, payment recovered, retry scheduled"],
    ["2027-05-15", "renewed", "active", "50.00", "0.00", "payment succeeded, renewed"],
    ["2027-06-01", "change plan to personal (yearly)", "active", "477.42", "22.58", "credit note issued, payment succeeded, interval changed"],
]  # fmt: skip


def test_simulate_plays_the_example_scenario_in_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "subscription_rules", "simulate", "docs/examples/scenario.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Scenario docs/examples/scenario.toml: sub_1 on Personal, monthly, "
        "from 1 Nov 2026 to 15 Nov 2027"
    )
    assert lines[1] == ("(time zone UTC, policy seed, catalog built-in example; amounts in USD)")
    assert cells(lines[3]) == ["Date", "What", "Status", "Charged", "Credited", "Notices"]
    table = lines[5 : 5 + len(EXAMPLE_ROWS)]
    assert [cells(line) for line in table] == EXAMPLE_ROWS
    assert lines[5 + len(EXAMPLE_ROWS) :] == [
        "",
        "Charged:            USD 1094.09",
        "Credited:           USD 55.91",
        "Refunded:           USD 0.00",
        "Failed attempts:    1",
        "Status at the end:  active",
        "Plan at the end:    Personal, yearly",
        "Credit balance:     USD 0.00",
    ]


def test_simulate_json_lists_every_entry_with_money_and_notices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "simulate", str(EXAMPLE), "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert (data["policy"]["name"], data["time_zone"], data["catalog"]) == (
        "seed",
        "UTC",
        "built-in example",
    )
    start = data["start"]["subscription"]
    assert data["start"]["type"] == "decision"
    assert (start["id"], start["customer_id"], start["plan_id"], start["status"]) == (
        "sub_1",
        "cus_1",
        "personal",
        "trialing",
    )
    assert start["started_at"] == "2026-11-01T00:00:00+00:00"
    entries = data["entries"]
    # The same entries as the table (worked out above EXAMPLE_ROWS), in major units.
    assert [(e["at"][:10], e["charged"]["amount"], e["credited"]["amount"]) for e in entries] == [
        (row[0], row[3].replace(",", ""), row[4].replace(",", "")) for row in EXAMPLE_ROWS
    ]
    upgrade = entries[3]
    assert upgrade["what"] == "change plan to advanced"
    assert upgrade["status"] == "active"
    assert [(n["type"], n["kind"]) for n in upgrade["notices"]] == [
        ("notice", "credit_note_issued"),
        ("notice", "payment_succeeded"),
        ("notice", "upgraded"),
    ]
    facts = {fact["name"]: fact for fact in upgrade["notices"][2]["facts"]}
    assert facts["from_plan"]["value"] == "Personal"
    assert facts["amount_due"] == {
        "name": "amount_due",
        "type": "money",
        "value": {"amount": "66.67", "currency": "USD"},
    }
    assert facts["effective_at"]["value"] == "2026-11-25T00:00:00+00:00"
    declined = entries[10]
    assert (declined["status"], declined["declined"]) == ("past_due", 1)
    failed = declined["notices"][0]
    invoice = next(fact for fact in failed["facts"] if fact["name"] == "invoice")
    assert (failed["kind"], invoice["value"]) == ("payment_failed", "sub_1-INV-0010")
    assert data["totals"] == {
        "charged": {"amount": "1094.09", "currency": "USD"},
        "credited": {"amount": "55.91", "currency": "USD"},
        "refunded": {"amount": "0.00", "currency": "USD"},
        "declined": 1,
    }
    end = data["end"]
    assert (end["type"], end["status"], end["plan_id"]) == ("subscription", "active", "personal")
    assert end["cycle"]["interval"] == {"unit": "year", "count": 1}
    assert end["credit_balance"] == {"amount": "0.00", "currency": "USD"}
    assert end["open_invoices"] == []


HARD_DECLINE = """\
until = "2026-11-05"
policy = "stripe"

[subscription]
plan = "personal"
start = 2026-11-01T09:00:00
trial = false
time_zone = "Europe/Paris"

[[steps]]
at = 2026-11-03
command = "update_payment_method"

[[outcomes]]
outcome = "declined_hard"
code = "stolen_card"
"""


def test_simulate_reads_toml_dates_in_the_time_zone_and_scripts_outcomes_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # No trial: the first invoice (USD 50.00) is charged at the start and declined hard, so the
    # account is past due and waits for a new payment method; on 3 Nov (local midnight in
    # Paris) one is added, the invoice is retried at once and paid.
    path = tmp_path / "hard.toml"
    path.write_text(HARD_DECLINE, encoding="utf-8")
    status, out, err = run(capsys, "simulate", str(path))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].endswith("sub_1 on Personal, monthly, from 1 Nov 2026 09:00 to 5 Nov 2026")
    assert lines[1].startswith("(time zone Europe/Paris, policy stripe, ")
    assert [cells(line) for line in lines[5:7]] == [
        ["2026-11-01", "start", "past due", "0.00", "0.00",
         "payment failed, payment method needed, subscription started"],
        ["2026-11-03", "update payment method", "active", "50.00", "0.00",
         "payment succeeded, payment recovered, retry scheduled"],
    ]  # fmt: skip
    status, out, _ = run(capsys, "simulate", str(path), "--policy", "seed", "--json")
    data = json.loads(out)
    assert data["policy"]["name"] == "seed"  # --policy overrides the file's
    # 09:00 in Paris (UTC+1 in November); the document keeps the instant in UTC.
    assert data["start"]["subscription"]["started_at"] == "2026-11-01T08:00:00+00:00"
    assert data["entries"][1]["at"] == "2026-11-03T00:00:00+01:00"


def test_simulate_names_a_retry_after_a_gateway_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A gateway error is retried 5 minutes later without using a dunning attempt; the retry
    # succeeds (the script has run out) and collects the first invoice, USD 50.00.
    path = tmp_path / "gateway.toml"
    path.write_text(
        'until = "2026-11-02"\n[subscription]\nplan = "personal"\nstart = "2026-11-01"\n'
        'trial = false\n[[outcomes]]\noutcome = "gateway_error"\n',
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "simulate", str(path), "--json")
    assert status == 0
    entries = json.loads(out)["entries"]
    assert [(e["at"], e["what"], e["charged"]["amount"], e["declined"]) for e in entries] == [
        ("2026-11-01T00:00:00+00:00", "start", "0.00", 1),
        ("2026-11-01T00:05:00+00:00", "payment retried", "50.00", 0),
    ]


BASE = 'until = "2027-11-01"\n[subscription]\nplan = "personal"\nstart = "2026-11-01"\n'
STEP = '[[steps]]\nat = "2026-11-20"\n'
KNOWN_COMMANDS = (
    "change_plan, change_quantity, cancel, undo_cancel, suspend, reinstate, "
    "update_payment_method, cancel_pending_change, set_usage, redeem_coupon, top_up, grant_credit, update_tax"
)
SCENARIO_BAD_INPUT = [
    ("colour = 3\n" + BASE, "colour: unknown key; allowed keys: until, policy, subscription, "),
    ('until = "2027-11-01"\n', "subscription: missing required key"),
    ('until = "2027-11-01"\nsubscription = 3\n', "subscription: must be a table, got integer 3"),
    (BASE.replace('until = "2027-11-01"\n', ""), "until: missing required key"),
    (BASE.replace('plan = "personal"\n', ""), "subscription.plan: missing required key"),
    (BASE.replace('"personal"', '"gold"'), "subscription.plan: unknown plan 'gold'; known plans: "),
    (BASE + 'nmae = "x"\n', "subscription.nmae: unknown key; allowed keys: id, customer, plan, "),
    (BASE + 'interval = "weekly"\n', "subscription.interval: plan 'personal' has no weekly price"),
    (BASE + 'time_zone = "Mars/Olympus"\n', "subscription.time_zone: unknown IANA time zone "),
    (BASE + 'trial = "yes"\n', "subscription.trial: must be true or false, got string 'yes'"),
    (BASE + "id = 42\n", "subscription.id: must be a non-empty string of at most 200 "),
    (BASE.replace("2027-11-01", "2027-13-01"), "until: malformed date '2027-13-01'; expected ISO"),
    (BASE.replace('"2027-11-01"', "20271101"), 'until: must be a date such as "2026-11-01" or '),
    (BASE.replace("2027-11-01", "2026-10-01"), "until: 2026-10-01T00:00:00+00:00 is before "),
    ('policy = "paddle"\n' + BASE, "policy: unknown preset 'paddle'; known presets: "),
    ("steps = 3\n" + BASE, "steps: must be an array of tables ([[steps]]), got integer 3"),
    (
        BASE
        + STEP
        + 'command = "change_plan"\nplan = "advanced"\n'
        + STEP
        + 'command = "cancel"\n'
        + STEP
        + 'command = "upgrade"\n',
        f"steps[2].command: unknown command 'upgrade'; known: {KNOWN_COMMANDS}",
    ),
    (BASE + '[[steps]]\ncommand = "cancel"\n', "steps[0].at: missing required key"),
    (BASE + STEP, "steps[0].command: missing required key"),
    (BASE + STEP + 'command = "change_plan"\n', "steps[0].plan: missing required key"),
    (
        BASE + STEP + 'command = "change_plan"\nplan = "gold"\n',
        "steps[0].plan: unknown plan 'gold'",
    ),
    (
        BASE + STEP + 'command = "change_plan"\nplan = "pro"\ninterval = "weekly"\n',
        "steps[0].interval: plan 'pro' has no weekly price",
    ),
    (
        BASE + STEP + 'command = "cancel"\nplan = "pro"\n',
        "steps[0].plan: unknown key for command 'cancel'; allowed keys: at, command",
    ),
    (BASE + STEP + 'command = "set_usage"\n', "steps[0].usage: missing required key"),
    (
        BASE + STEP + 'command = "set_usage"\nusage = { seats = 3 }\n',
        "steps[0].usage.seats: unknown metric; known metrics: properties, integrations, ",
    ),
    (
        BASE + '[[steps]]\nat = "2026-10-20"\ncommand = "cancel"\n',
        "steps[0].at: 2026-10-20T00:00:00+00:00 is before subscription.start ",
    ),
    (
        BASE + '[[steps]]\nat = "2028-01-01"\ncommand = "cancel"\n',
        "steps[0].at: 2028-01-01T00:00:00+00:00 is after until 2027-11-01T00:00:00+00:00",
    ),
    (BASE + "[usage]\nproperties = -3\n", "usage.properties: must be a non-negative int, got -3"),
    (BASE + "[usage]\nproperties = 3.5\n", "usage.properties: must be an integer, got float 3.5"),
    (
        BASE + "[usage]\nproperties = true\n",
        "usage.properties: must be an integer, got boolean True",
    ),
    (
        BASE + '[[outcomes]]\noutcome = "bounced"\n',
        "outcomes[0].outcome: unknown outcome 'bounced'; known: succeeded, declined_soft, ",
    ),
    (BASE + "[[outcomes]]\ncode = 'x'\n", "outcomes[0].outcome: missing required key"),
    (
        BASE + '[[outcomes]]\noutcome = "succeeded"\ncode = "x"\n',
        "outcomes[0].code: only a declined outcome has a decline code, not 'succeeded'",
    ),
    (
        BASE + '[[outcomes]]\noutcome = "succeeded"\ninvoice = "INV-2"\n',
        (
            "outcomes[0].invoice: expected an invoice id of subscription 'sub_1', such as "
            "'sub_1-INV-0002', got 'INV-2'"
        ),
    ),
    (BASE + "[[outcomes]]\noutcome = 'succeeded'\nwhen = 1\n", "outcomes[0].when: unknown key; "),
    (BASE.replace("2027-11-01", "9999-12-31"), "until: the simulation needs more than 10000 steps"),
    (
        BASE.replace("2027-11-01", "9999-12-31").replace("2026-11-01", "9990-11-01")
        + 'interval = "yearly"\n',
        (
            "until: 9999-11-15T00:00:00+00:00 lies too close to the limits of the calendar "
            "(years 1 to 9999): period 9 lies beyond year 9999"
        ),
    ),
    ('until = "2027-11-01"\n[subscription\n', "invalid TOML: Expected ']' at the end of a table"),
    (
        BASE + 'currency = "JPY"\n',
        "subscription.currency: plan 'personal' has no price in JPY; it is sold in: USD, EUR",
    ),
    (BASE + 'currency = "EURO"\n', "subscription.currency: unknown ISO 4217 currency code"),
    (BASE + "currency = 978\n", "subscription.currency: must be a non-empty string"),
    (
        BASE + "quantity = 3\n",
        "subscription.quantity: plan 'personal' is priced flat, not per unit; must be 1, got 3",
    ),
    (
        BASE + "quantity = 0\n",
        "subscription.quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
    ),
    (BASE + 'quantity = "3"\n', "subscription.quantity: must be an integer, got string '3'"),
]


def test_simulate_a_scenario_of_seats_in_eur(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 Team seats in EUR (EUR 11.00 each), no trial: EUR 44.00 on 1 Jan, then each month."""
    monkeypatch.chdir(ROOT)
    path = tmp_path / "seats.toml"
    path.write_text(
        'until = "2027-03-01"\n[subscription]\nplan = "team"\nstart = "2027-01-01"\n'
        'trial = false\nquantity = 4\ncurrency = "EUR"\n',
        encoding="utf-8",
    )
    argv = ("simulate", str(path), "--catalog", "docs/examples/catalog-seats.toml")
    status, out, err = run(capsys, *argv, "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    charged = [entry["charged"] for entry in data["entries"]]
    assert charged == [{"amount": "44.00", "currency": "EUR"}] * 3
    assert (data["end"]["quantity"], data["end"]["currency"]) == (4, "EUR")
    _, out, _ = run(capsys, *argv)
    assert f"Scenario {path}: sub_1 on Team, monthly, 4 seats, from 1 Jan 2027" in out
    assert "Charged:            EUR 132.00" in out


@pytest.mark.parametrize(("text", "expected"), SCENARIO_BAD_INPUT)
def test_simulate_a_broken_scenario_is_one_error_line_naming_file_and_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    message = assert_one_error_line(*run(capsys, "simulate", str(path)))
    assert message.startswith(f"{path}: {expected}"), message


def test_simulate_broken_scenario_in_a_subprocess_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BASE + STEP + 'command = "upgrade"\n', encoding="utf-8")
    result = run_module("simulate", str(path))
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert (
        message == f"{path}: steps[0].command: unknown command 'upgrade'; known: {KNOWN_COMMANDS}"
    )


def test_simulate_missing_or_unreadable_file_in_a_subprocess_exits_2(tmp_path: Path) -> None:
    result = run_module("simulate", "missing.toml")
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert message == "path: cannot read scenario file 'missing.toml': No such file or directory"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe")
    result = run_module("simulate", str(binary))
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert (
        message == f"path: scenario file {str(binary)!r} is not UTF-8: invalid start byte at byte 0"
    )
    result = run_module("simulate", str(EXAMPLE), "--catalog", "missing.toml")
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert message.startswith("path: cannot read catalog file 'missing.toml'")
    result = run_module("simulate")
    message = assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert message.startswith("the following arguments are required: FILE.toml")


# --- demo ---------------------------------------------------------------------------------------


def test_demo_tells_the_help_pages_whole_story_in_a_subprocess() -> None:
    result = run_module("demo")
    assert (result.returncode, result.stderr) == (0, "")
    out = result.stdout
    assert len(out.splitlines()) <= 120
    assert DEFAULT_TABLE in out  # the catalog first
    for phrase in (
        "trial ending",
        "trial converted",
        "cancellation immediately suspends your account",
        "trial cancelled",
        "prorated",
        "delete 7 properties",
        "refused: change plan to personal",
        "downgrade scheduled",
        "credit note",
        "payment failed",
        "payment retried",
        "payment recovered",
        "suspended",
        "reinstated",
        "cancellation scheduled",
        "subscription ended",
        "ended",
    ):
        assert phrase in out, phrase
    assert "Traceback" not in out
    assert run_module("demo").stdout == out  # no clock: the same story every time


def test_demo_shows_the_upgrades_prorated_lines_and_their_arithmetic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Account A converts its Personal trial on 15 Nov 2026 (period 15 Nov → 15 Dec, 30 days =
    # 2,592,000 s) and upgrades on 25 Nov, 20 days = 1,728,000 s before the period's end:
    #   credit 5000 × 20/30 = 3333.33… cents → USD 33.33 (half-up)
    #   charge 15000 × 20/30 = 10000 cents → USD 100.00 exactly
    #   the credit pays part of the charge: 100.00 − 33.33 = USD 66.67 due now.
    status, out, _ = run(capsys, "demo")
    assert status == 0
    assert (
        "USD -33.33  Unused time on Personal from 25 Nov 2026 to 15 Dec 2026\n"
        "                   USD 50.00 × 1,728,000/2,592,000 seconds = 3333.3333… cents, "
        "rounded half-up to USD 33.33\n"
        "     USD 100.00  Remaining time on Advanced from 25 Nov 2026 to 15 Dec 2026\n"
    ) in out
    assert "Credit applied: USD 33.33; due now: USD 66.67; credit left: USD 0.00." in out
    row = next(line for line in out.splitlines() if "change plan to advanced" in line)
    assert cells(row)[1:5] == ["change plan to advanced", "active", "66.67", "33.33"]


def test_demo_shows_the_credit_note_used_up_by_later_invoices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Account C: Advanced (USD 150.00) from 1 Jan 2027, downgraded at once to Personal (USD 50.00)
    # on 16 Jan, 16 of January's 31 days remaining (as UPGRADE_QUOTE above):
    #   credit note 15000 × 16/31 = 7741.93… → USD 77.42; charge 5000 × 16/31 = 2580.64… → 25.81
    #   the credit pays the charge: 77.42 − 25.81 = USD 51.61 left
    #   1 Feb renewal, 50.00, paid from the credit: 1.61 left, nothing charged
    #   1 Mar renewal: 50.00 − 1.61 = USD 48.39 charged, nothing left.
    status, out, _ = run(capsys, "demo")
    assert status == 0
    lines = out.splitlines()
    rows = [cells(line) for line in lines if line.startswith("  2027-0")]
    assert [
        "2027-01-16",
        "change plan to personal",
        "active",
        "0.00",
        "77.42",
        "credit note issued, downgraded",
    ] in rows
    assert ["2027-02-01", "renewed", "active", "0.00", "0.00", "renewed"] in rows
    assert [
        "2027-03-01",
        "renewed",
        "active",
        "48.39",
        "0.00",
        "payment succeeded, renewed",
    ] in rows
    text = " ".join(line.strip() for line in lines)
    assert (
        "Credit balance: USD 51.61 after 16 Jan 2027, USD 1.61 after 1 Feb 2027, "
        "USD 0.00 after 1 Mar 2027."
    ) in text


def test_demo_narrates_dunning_suspension_and_the_end_of_account_a(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The 15 Jan 2027 renewal (Personal, USD 50.00) is declined soft: past due; the first retry
    # of the Smart-Retries-like schedule comes 1 day later, 16 Jan, and succeeds. A is suspended
    # on 20 Jan, reinstated on 27 Jan (same period: nothing charged), cancels on 3 Feb and ends
    # at the period's end, 15 Feb. In all, A paid 50.00 + 66.67 + 50.00 + 50.00 = USD 216.67
    # and was credited USD 33.33.
    status, out, _ = run(capsys, "demo")
    assert status == 0
    rows = [cells(line) for line in out.splitlines() if line.startswith("  2027-0")]
    for expected in (
        ["2027-01-15", "renewed", "past due", "0.00", "0.00", "payment failed, renewed"],
        ["2027-01-16", "payment retried", "active", "50.00", "0.00",
         "payment succeeded, payment recovered"],
        ["2027-01-20", "suspend", "suspended", "0.00", "0.00", "account suspended"],
        ["2027-01-27", "reinstate", "active", "0.00", "0.00", "account reinstated"],
        ["2027-02-03", "cancel", "active", "0.00", "0.00", "cancellation scheduled"],
        ["2027-02-15", "subscription ended", "ended", "0.00", "0.00", "subscription ended"],
    ):  # fmt: skip
        assert expected in rows, expected
    assert (
        "Account A in all: charged USD 216.67, credited USD 33.33; ended since 15 Feb 2027."
    ) in out


def test_demo_with_a_catalog_file_shows_its_plans_then_the_story(
    capsys: pytest.CaptureFixture[str], custom_catalog: Path
) -> None:
    status, out, _ = run(capsys, "demo", "--catalog", str(custom_catalog))
    assert status == 0
    assert f"Catalog (JPY) \N{EM DASH} {custom_catalog}" in out
    assert "The story below uses the built-in example catalog." in out
    assert "delete 7 properties" in out


def test_make_demo_runs_the_demo() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(BIN)/subscription-rules demo\n" in makefile


def test_an_account_older_than_the_replay_limit_is_refused_up_front() -> None:
    # Monthly from 2027-01-01 to 2200-01-01: 2,076 periods, more than the 1,200 replayed.
    result = run_module(
        "summary", "--plan", "advanced", "--since", "2027-01-01", "--at", "2200-01-01"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("subscription-rules: error: --at: ")
    assert "2,076 periods" in result.stderr


def test_a_usage_count_too_large_to_be_real_is_refused() -> None:
    usage = "properties=" + "9" * 5000
    result = run_module(
        "summary",
        "--plan",
        "advanced",
        "--since",
        "2027-01-01",
        "--at",
        "2027-02-01",
        "--usage",
        usage,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("subscription-rules: error: --usage: count must be at most")
    assert "Traceback" not in result.stderr


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``subscription-rules --version`` (issue 16): the installed version, exit status 0."""
    import subscription_rules  # noqa: PLC0415 - the attribute under test

    assert run(capsys, "--version") == (
        0,
        f"subscription-rules {subscription_rules.__version__}\n",
        "",
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", subscription_rules.__version__)
