"""The ``simulate`` subcommand: a scenario file played out as a timeline."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import attrs

from subscription_rules._input import about, bad
from subscription_rules.cli._json import _amount, _document, _dump, _entry_json, _time_json
from subscription_rules.cli._options import _CATALOG_HELP, PROG, _add, _load, _source, _write
from subscription_rules.cli._text import _fields, _plan_words, _status, _timeline_table, _when
from subscription_rules.errors import SubscriptionRulesError
from subscription_rules.policy import (
    PRESETS,
    preset,
)
from subscription_rules.simulation import (
    Scenario,
    Timeline,
    load_scenario,
)

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands
    from subscription_rules.cli._text import _Field


_RUN_TOO_LONG = frozenset({"until", "index"})


@attrs.frozen
class _Run:
    """A scenario file, checked, and where its catalog came from."""

    scenario: Scenario
    source: str


def _run(args: argparse.Namespace) -> _Run:
    """Read and check the scenario file, its ``--catalog`` and ``--policy``."""
    path: str = args.file
    catalog = _load(args.catalog)
    policy = None
    if args.policy is not None:
        with about("--policy"):
            policy = preset(args.policy)
    return _Run(load_scenario(path, catalog=catalog, policy=policy), _source(args.catalog))


def _play(scenario: Scenario) -> Timeline:
    """Run the scenario; an error on the way (a span too long, say) names the file."""
    try:
        return scenario.play()
    except SubscriptionRulesError as err:
        if err.argument in _RUN_TOO_LONG:  # a period the run reaches lies beyond year 9999
            message = str(err).removeprefix(f"{err.argument}: ")
            raise bad(f"{scenario.name}: until", message, err.value) from err
        raise bad(scenario.name, str(err), err.value) from err


def _simulate_text(run: _Run, timeline: Timeline) -> str:
    scenario = run.scenario
    tz = scenario.time_zone
    catalog = scenario.catalog
    first, last = scenario.start.subscription, timeline.subscription
    plan = _plan_words(catalog, first.plan_id, first.interval, first.quantity)
    head = (
        f"Scenario {scenario.name}: {first.id} on {plan}, "
        f"from {_when(first.started_at, tz)} to {_when(scenario.until, tz)}"
    )
    context = (
        f"(time zone {tz.key}, policy {scenario.policy.name}, catalog {run.source}; "
        f"amounts in {last.currency.code})"
    )
    totals: list[_Field] = [
        ("Charged", str(timeline.charged)),
        ("Credited", str(timeline.credited)),
        ("Refunded", str(timeline.refunded)),
        ("Failed attempts", str(sum(entry.declined for entry in timeline.entries))),
        ("Status at the end", _status(last.status)),
        ("Plan at the end", _plan_words(catalog, last.plan_id, last.interval, last.quantity)),
        ("Credit balance", str(last.credit_balance)),
    ]
    table = _timeline_table(timeline.entries, tz)
    return "\n".join([head, context, "", *table, "", *_fields(totals)])


def _simulate_json(run: _Run, timeline: Timeline) -> str:
    """The policy, the start and the end as documents; the timeline and totals around them."""
    scenario = run.scenario
    tz = scenario.time_zone
    return _dump(
        {
            "scenario": scenario.name,
            "catalog": run.source,
            "time_zone": tz.key,
            "policy": _document(scenario.policy),
            "start": _document(scenario.start),
            "until": _time_json(scenario.until, tz),
            "entries": [_entry_json(entry, tz) for entry in timeline.entries],
            "totals": {
                "charged": _amount(timeline.charged),
                "credited": _amount(timeline.credited),
                "refunded": _amount(timeline.refunded),
                "declined": sum(entry.declined for entry in timeline.entries),
            },
            "end": _document(timeline.subscription),
        }
    )


def register(commands: _Commands) -> None:
    """Add ``simulate``: a scenario file played out as a timeline."""
    simulate_ = _add(
        commands,
        "simulate",
        _cmd_simulate,
        summary="play a scenario file out as a timeline",
        description="Play a scenario (a subscription, timed commands and scripted payment\n"
        "outcomes, in a TOML file) out offline, and show its timeline and totals.",
        epilog=f"example:\n  {PROG} simulate docs/examples/scenario.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate_.add_argument("file", metavar="FILE.toml", help="the scenario file")
    simulate_.add_argument("--catalog", metavar="FILE", help=_CATALOG_HELP)
    simulate_.add_argument(
        "--policy",
        metavar="PRESET",
        help=f"billing conventions: {', '.join(PRESETS)} (default: the file's, else seed)",
    )
    simulate_.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _cmd_simulate(args: argparse.Namespace) -> int:
    run = _run(args)
    timeline = _play(run.scenario)
    _write(_simulate_json(run, timeline) if args.json else _simulate_text(run, timeline))
    return 0
