"""The command's ``--json`` prints storage documents: each loads back as the value the library computes.

For every subcommand with ``--json``, the test walks the printed JSON, loads every
document in it (any object with ``"schema_version"`` and ``"type"``) with
``serialization.load``, and compares the set of them with the values computed by
calling the library directly with the same account, moment and policy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from subscription_rules import (
    KILL_BILL_EXAMPLE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    BillingPolicy,
    ChargeInvoice,
    Decision,
    Refused,
    Subscription,
    Succeeded,
    Usage,
    advance,
    billing_summary,
    cancel,
    default_catalog,
    load_catalog,
    quote_change,
    record_payment,
    start_subscription,
)
from subscription_rules.cli import main
from subscription_rules.serialization import load
from subscription_rules.simulation import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "scenario.toml"
CATALOG = default_catalog()
UTC_ZONE = ZoneInfo("UTC")


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    """What ``subscription-rules ARGV --json`` prints, parsed."""
    main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def documents(data: object, path: str = "$") -> dict[str, object]:
    """Every document in ``data`` by its path, loaded back (a document's insides are its own)."""
    match data:
        case {"schema_version": _, "type": _}:
            return {path: load(data)}
        case dict():
            return {
                k: v
                for key, item in data.items()
                for k, v in documents(item, f"{path}.{key}").items()
            }
        case list():
            return {
                k: v
                for i, item in enumerate(data)
                for k, v in documents(item, f"{path}[{i}]").items()
            }
        case _:
            return {}


def at(day: str) -> datetime:
    """Midnight UTC of an ISO date, as the command reads ``--since 2027-01-01``."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC_ZONE)


def paid(decision: Decision | Refused, when: datetime, policy: BillingPolicy) -> Subscription:
    """The decision's subscription with its charge paid at ``when``, as the command pays it."""
    assert isinstance(decision, Decision)
    sub = decision.subscription
    for effect in decision.effects:
        if isinstance(effect, ChargeInvoice):
            key = effect.idempotency_key
            result = record_payment(sub, key, Succeeded(), when, catalog=CATALOG, policy=policy)
            assert isinstance(result, Decision)
            sub = result.subscription
    return sub


def account(
    since: str, plan: str = "advanced", policy: BillingPolicy = SEED_POLICY
) -> Subscription:
    """The command's account: ``sub_cli`` started at ``since`` in UTC, no trial, first invoice paid."""
    started = start_subscription(
        "sub_cli", "cus_cli", plan, MONTHLY, at(since),
        catalog=CATALOG, time_zone="UTC", trial=False, policy=policy,
    )  # fmt: skip
    return paid(started, at(since), policy)


def test_plans_json_loads_back_as_the_catalog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert documents(printed(capsys, "plans")) == {"$.catalog": CATALOG}
    path = tmp_path / "catalog.toml"
    path.write_text(
        'currency = "EUR"\n[[plans]]\nid = "solo"\nname = "Solo"\nprices = { monthly = "9.00" }\n',
        encoding="utf-8",
    )
    assert documents(printed(capsys, "plans", "--catalog", str(path))) == {
        "$.catalog": load_catalog(path)
    }


def test_quote_json_loads_back_as_the_quote_the_library_computes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Advanced from 1 Jan 2027, processed up to 16 Jan (nothing renewed); 2 properties in use.
    sub = advance(
        account("2027-01-01"), at("2027-01-16"), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    usage = Usage.of(properties=2)
    quote = quote_change(
        sub, "pro", MONTHLY, at("2027-01-16"), catalog=CATALOG, usage=usage, policy=SEED_POLICY
    )
    argv = ("quote", "--plan", "advanced", "--since", "2027-01-01", "--at", "2027-01-16")
    assert documents(printed(capsys, *argv, "--to", "pro", "--usage", "properties=2")) == {
        "$.policy": SEED_POLICY,
        "$.subscription": sub,
        "$.usage": usage,
        "$.quote": quote,
    }


def test_a_refused_quote_json_loads_back_as_the_refusal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Cancelled on 10 Jan 2027: the subscription ends on 1 Feb; on 16 Feb no change is allowed.
    cancelled = cancel(account("2027-01-01"), at("2027-01-10"), policy=SEED_POLICY)
    assert isinstance(cancelled, Decision)
    ended = advance(cancelled.subscription, at("2027-02-16"), catalog=CATALOG, policy=SEED_POLICY)
    refused = quote_change(
        ended.subscription, "pro", MONTHLY, at("2027-02-16"),
        catalog=CATALOG, usage=Usage.of(), policy=SEED_POLICY,
    )  # fmt: skip
    assert isinstance(refused, Refused)
    argv = ("quote", "--plan", "advanced", "--since", "2027-01-01", "--cancelled-at", "2027-01-10")
    assert documents(printed(capsys, *argv, "--at", "2027-02-16", "--to", "pro")) == {
        "$.policy": SEED_POLICY,
        "$.subscription": ended.subscription,
        "$.usage": Usage.of(),
        "$.refused": refused,
    }


def test_summary_json_loads_back_as_the_summary_the_library_computes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Pro under the Stripe preset from 1 Nov 2026, looked at on 20 Nov with 4 properties.
    decision = advance(
        account("2026-11-01", "pro", STRIPE_LIKE), at("2026-11-20"),
        catalog=CATALOG, policy=STRIPE_LIKE,
    )  # fmt: skip
    usage = Usage.of(properties=4)
    summary = billing_summary(
        decision.subscription, usage, at("2026-11-20"), catalog=CATALOG, policy=STRIPE_LIKE
    )
    argv = ("summary", "--plan", "pro", "--since", "2026-11-01", "--at", "2026-11-20")
    assert documents(printed(capsys, *argv, "--usage", "properties=4", "--policy", "stripe")) == {
        "$.policy": STRIPE_LIKE,
        "$.subscription": decision.subscription,
        "$.usage": usage,
        "$.summary": summary,
    }


def test_retries_json_loads_back_as_the_schedule_and_its_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = printed(capsys, "retries", "--failed-at", "2021-08-06", "--schedule", "killbill")
    assert documents(data) == {"$.policy": SEED_POLICY, "$.schedule": KILL_BILL_EXAMPLE}
    assert isinstance(data, dict)
    times = KILL_BILL_EXAMPLE.retry_times(at("2021-08-06"), "UTC")
    assert [retry["at"] for retry in data["retries"]] == [time.isoformat() for time in times]


def test_simulate_json_loads_back_as_the_timeline_the_library_plays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = load_scenario(EXAMPLE, catalog=CATALOG)
    timeline = scenario.play()
    notices = {
        f"$.entries[{i}].notices[{j}]": notice
        for i, entry in enumerate(timeline.entries)
        for j, notice in enumerate(entry.notices)
    }
    assert len(notices) > len(timeline.entries)  # most entries send notices: they are all here
    assert documents(printed(capsys, "simulate", str(EXAMPLE))) == {
        "$.policy": scenario.policy,
        "$.start": scenario.start,
        **notices,
        "$.end": timeline.subscription,
    }


def test_demo_has_no_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``demo`` is for reading: ``--json`` is refused as an unknown option."""
    assert main(["demo", "--json"]) == 2
    assert "unrecognized arguments: --json" in capsys.readouterr().err


def test_json_without_the_storage_extra_is_one_error_line() -> None:
    """Without cattrs (``pip install subscription-rules`` alone), ``--json`` says what to install."""
    code = (
        "import sys; sys.modules['cattrs'] = None; "
        "from subscription_rules.cli import main; "
        "sys.exit(main(['plans', '--json']))"
    )
    result = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "subscription-rules: error: --json: storage documents need the storage extra: "
        "pip install 'subscription-rules[storage]' ("
    )
    assert result.stderr.count("\n") == 1
