"""The storage format: lossless round trips, golden documents of each version, schemas, strict loading."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import subscription_rules.strategies  # noqa: F401 - registers the strategies for st.from_type
from storage_values import CATALOG, POLICY, START, USAGE, golden_values, golden_values_v2
from subscription_rules import (
    MONTHLY,
    STRIPE_LIKE,
    BillingCycle,
    BillingPeriod,
    BillingPolicy,
    CatalogVersion,
    ChargeInvoice,
    Currency,
    Decision,
    Explanation,
    Interval,
    Limits,
    Line,
    Metric,
    Money,
    OpenInvoice,
    OutstandingAttempt,
    Overage,
    OverdueLadder,
    OverdueState,
    PackagePrice,
    Payment,
    PendingChange,
    Plan,
    Price,
    RecordedPrice,
    RetrySchedule,
    Stretch,
    Subscription,
    Tier,
    TierTable,
    Usage,
    upcoming_invoice,
)
from subscription_rules.commands import RecordPayment
from subscription_rules.dunning import Declined, DeclineKind
from subscription_rules.errors import SerializationError, SubscriptionRulesError
from subscription_rules.rulebook import Handled
from subscription_rules.serialization import (
    DOCUMENT_TYPES,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    dump,
    dumps,
    json_schema,
    load,
    loads,
)
from subscription_rules.serialization._codec import (
    converter,
    dump_duration,
    dump_instant,
    load_duration,
    load_instant,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "v1"
GOLDEN_V2 = Path(__file__).resolve().parent / "golden" / "v2"
SCHEMAS = ROOT / "docs" / "schemas"
ERRORS_PAGE = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
NAMES = list(DOCUMENT_TYPES)
#: Stored inside documents, never a document of their own.
NESTED_TYPES = [
    Stretch,
    OpenInvoice,
    Payment,
    OutstandingAttempt,
    PendingChange,
    OverdueState,
    OverdueLadder,
    RetrySchedule,
    Line,
    Explanation,
    BillingCycle,
    BillingPeriod,
    Interval,
    Money,
    Currency,
    Plan,
    Price,
    Overage,
    Limits,
    Metric,
    Tier,
    TierTable,
    PackagePrice,
    RecordedPrice,
    CatalogVersion,
]


def _validate(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(json_schema(document["type"])).validate(document)


def _json_native(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_native(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_native(item) for item in value)
    return value is None or type(value) in {str, int, bool}


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", NAMES)
def test_every_document_type_round_trips_losslessly_and_matches_its_schema(name: str) -> None:
    kind = DOCUMENT_TYPES[name]

    @settings(max_examples=10)
    @given(st.from_type(kind))
    def check(value: object) -> None:
        document = dump(value)
        assert _json_native(document)
        assert document["schema_version"] == SCHEMA_VERSION
        assert document["type"] == name
        back: object = load(document, kind)
        assert back == value
        assert hash(back) == hash(value)
        again: object = loads(dumps(value), kind)
        assert again == value
        _validate(document)

    check()


@pytest.mark.parametrize("kind", NESTED_TYPES, ids=lambda kind: kind.__name__)
def test_every_stored_value_inside_a_document_round_trips(kind: type) -> None:
    @settings(max_examples=5)
    @given(st.from_type(kind))
    def check(value: object) -> None:
        data = converter().unstructure(value, kind)
        assert _json_native(json.loads(json.dumps(data)))
        assert converter().structure(json.loads(json.dumps(data)), kind) == value

    check()


def test_real_decisions_round_trip() -> None:
    """Start, a paid first invoice, an upgrade (credit note, refund, charge), a decline, a quote,
    a summary and the upcoming invoice: each loads equal to what the rules returned."""
    values = golden_values()
    for value in golden_values_v2().values():
        assert load(json.loads(dumps(value))) == value
    decision = values["decision"]
    assert isinstance(decision, Decision)
    subscription = values["subscription"]
    assert isinstance(subscription, Subscription)
    upcoming = upcoming_invoice(
        subscription, START + timedelta(days=20), catalog=CATALOG, usage=USAGE, policy=POLICY
    )
    assert upcoming is not None
    for value in [*values.values(), upcoming]:
        assert load(json.loads(dumps(value))) == value


def test_dump_refuses_a_value_that_is_not_a_document() -> None:
    with pytest.raises(SerializationError, match=r"^\$: cannot store Money .* document types:"):
        dump(Money.of("1.00", "USD"))


# --------------------------------------------------------------------------- leaves


@pytest.mark.parametrize(
    ("at", "text"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), "2026-01-31T09:00:00+00:00"),
        (
            datetime(2026, 1, 31, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=-5))),
            "2026-01-31T09:00:00.000005-05:00",
        ),
        (
            datetime(2026, 3, 29, 3, tzinfo=ZoneInfo("Europe/Paris")),
            "2026-03-29T03:00:00+02:00[Europe/Paris]",
        ),
        # New York's repeated hour on 1 Nov 2026: the second 01:30 is EST (fold=1).
        (
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
            "2026-11-01T01:30:00-05:00[America/New_York]",
        ),
        (
            datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),
            "2026-11-01T01:30:00-04:00[America/New_York]",
        ),
        # Paris skips 02:30 on 29 Mar 2026; fold=0 reads it at the offset before (+01:00).
        (
            datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/Paris")),
            "2026-03-29T02:30:00+01:00[Europe/Paris]",
        ),
    ],
)
def test_an_instant_keeps_its_offset_zone_and_fold(at: datetime, text: str) -> None:
    assert dump_instant(at) == text
    back = load_instant(text)
    assert back == at
    assert hash(back) == hash(at)
    assert back.tzinfo == at.tzinfo or not isinstance(at.tzinfo, ZoneInfo)
    assert (back.fold, back.utcoffset()) == (at.fold, at.utcoffset())


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(days=3), "P3D"),
        (timedelta(hours=36), "P1DT12H"),
        (timedelta(minutes=90), "PT1H30M"),
        (timedelta(0), "P0D"),
        (timedelta(seconds=1, microseconds=5), "PT1.000005S"),
        (-timedelta(hours=2), "-PT2H"),
    ],
)
def test_a_duration_is_iso_8601(duration: timedelta, text: str) -> None:
    assert dump_duration(duration) == text
    assert load_duration(text) == duration


def test_a_currency_outside_the_table_keeps_its_exponent() -> None:
    amount = Money(1234, Currency("XQQ", 3))
    data = converter().unstructure(amount, Money)
    assert data == {"amount": "1.234", "currency": {"code": "XQQ", "exponent": 3}}
    assert converter().structure(data, Money) == amount


# --------------------------------------------------------------------------- golden documents


def test_there_is_one_golden_document_per_type() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.json")) == sorted(NAMES)


def _as_in_version_1(value: object) -> object:
    """``value`` as a version-1 document holds it: written before subscriptions recorded prices.

    Such a subscription loads with ``price=None`` (it bills the catalog's current price).
    """
    if isinstance(value, Subscription):
        return value.evolve(price=None)
    if isinstance(value, Decision):
        return attrs.evolve(value, subscription=value.subscription.evolve(price=None))
    if isinstance(value, Handled):
        decision = value.decision
        return attrs.evolve(
            value,
            decision=attrs.evolve(decision, subscription=decision.subscription.evolve(price=None)),
        )
    return value


@pytest.mark.parametrize("name", NAMES)
def test_the_golden_version_1_documents_load(name: str) -> None:
    """Through the registered step 1 → 2, which only moves the version: the document, at
    version 2, validates against the version-2 schema as it is."""
    document = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    assert load(document, DOCUMENT_TYPES[name]) == _as_in_version_1(golden_values()[name])
    migrated = MIGRATIONS[(name, 1)](copy.deepcopy(document))
    assert migrated == document
    _validate({**migrated, "schema_version": 2})


def test_there_is_one_golden_version_2_document_per_type() -> None:
    assert sorted(path.stem for path in GOLDEN_V2.glob("*.json")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_golden_version_2_documents_load(name: str) -> None:
    """Seats, a recorded price, tiers, EUR and a versioned catalog (tests/storage_values.py)."""
    document = json.loads((GOLDEN_V2 / f"{name}.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == 2
    assert load(document, DOCUMENT_TYPES[name]) == golden_values_v2()[name]
    _validate(document)


def test_a_golden_version_2_subscription_records_its_seats_and_price() -> None:
    """3 seats of Scale in EUR, billed at the graduated price it recorded from version 2026-01."""
    document = json.loads((GOLDEN_V2 / "subscription.json").read_text(encoding="utf-8"))
    assert (document["plan_id"], document["quantity"], document["currency"]) == ("scale", 3, "EUR")
    price = document["price"]
    assert price["version"] == "2026-01"
    assert price["price"]["unit"] == "seats"
    assert price["price"]["tiers"]["mode"] == "graduated"
    assert price["price"]["tiers"]["tiers"][0] == {
        "up_to": 10,
        "unit_amount": {"amount": "15.00", "currency": "EUR"},
        "flat_amount": None,
    }
    assert [overage["tiers"]["mode"] for overage in price["overage"]] == ["graduated"]
    assert {stretch["quantity"] for stretch in document["stretches"]} == {3}
    catalog = json.loads((GOLDEN_V2 / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["version"] == {"name": "2026-01", "effective_at": "2026-01-01T00:00:00+00:00"}
    assert [plan["retired"] for plan in catalog["plans"]] == [False, False, True]
    assert catalog["plans"][0]["overage"][0]["package"] == {
        "package_amount": {"amount": "5.00", "currency": "USD"},
        "size": 10000,
        "free_units": 0,
    }


def test_every_document_type_has_a_migration_step_from_version_1() -> None:
    """Version 2 only added fields with defaults: each step returns the document as it is."""
    assert SCHEMA_VERSION == 2
    assert set(MIGRATIONS) == {(name, 1) for name in NAMES}
    document = {"schema_version": 1, "type": "usage", "counts": [["properties", 2]]}
    assert MIGRATIONS[("usage", 1)](dict(document)) == document
    assert load(document) == Usage.of(properties=2)


def test_a_golden_subscription_has_the_documented_shape() -> None:
    """Amounts as decimal strings, instants with their offset and zone (09:00 in Paris is UTC+1
    on 31 January), enums as their values."""
    document = json.loads((GOLDEN / "subscription.json").read_text(encoding="utf-8"))
    assert document["cycle"] == {
        "anchor": "2026-01-31T09:00:00+01:00[Europe/Paris]",
        "interval": {"unit": "month", "count": 1},
        "time_zone": "Europe/Paris",
    }
    assert document["started_at"] == "2026-01-31T08:00:00+00:00"
    assert document["stretches"][0]["billed"] == {"amount": "50.00", "currency": "USD"}
    assert document["status"] == "past_due"


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", NAMES)
def test_the_published_schema_is_the_generated_one(name: str) -> None:
    published = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(name), "run `make schemas`"
    jsonschema.Draft202012Validator.check_schema(published)


def test_the_schema_refuses_an_unknown_key() -> None:
    document = dump(golden_values()["declined"])
    document["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)


# --------------------------------------------------------------------------- malformed documents


def _subscription() -> dict[str, Any]:
    return copy.deepcopy(json.loads((GOLDEN / "subscription.json").read_text(encoding="utf-8")))


def _decision() -> dict[str, Any]:
    return copy.deepcopy(json.loads((GOLDEN / "decision.json").read_text(encoding="utf-8")))


def _set(*path: str | int, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


def _drop(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return change


MALFORMED: list[
    tuple[str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None], str, str]
] = [
    ("unknown key", _subscription, _set("colour", value="red"), "colour", "unknown key"),
    ("missing key", _subscription, _drop("customer_id"), "customer_id", "missing required key"),
    (
        "string for an int",
        _subscription,
        _set("period_index", value="0"),
        "period_index",
        "expected an integer, got a string '0'",
    ),
    (
        "bool for an int",
        _subscription,
        _set("documents_issued", value=True),
        "documents_issued",
        "expected an integer, got a boolean",
    ),
    (
        "float for an int",
        _subscription,
        _set("period_index", value=0.0),
        "period_index",
        "expected an integer, got a number",
    ),
    (
        "int for a bool",
        _subscription,
        _set("has_payment_method", value=1),
        "has_payment_method",
        "expected a boolean",
    ),
    ("int for a string", _subscription, _set("plan_id", value=7), "plan_id", "expected a string"),
    (
        "object for an array",
        _subscription,
        _set("stretches", value={}),
        "stretches",
        "expected an array, got an object",
    ),
    (
        "unknown enum value",
        _subscription,
        _set("status", value="zombie"),
        "status",
        "unknown Status 'zombie'",
    ),
    (
        "enum name, not value",
        _subscription,
        _set("status", value="PAST_DUE"),
        "status",
        "unknown Status 'PAST_DUE'",
    ),
    (
        "unknown currency",
        _subscription,
        _set("stretches", 1, "billed", "currency", value="XXX"),
        "stretches[1].billed.currency",
        "unknown ISO 4217 currency code 'XXX'",
    ),
    (
        "lower-case currency",
        _subscription,
        _set("currency", value="usd"),
        "currency",
        "upper-case ISO 4217 code",
    ),
    (
        "too few decimals",
        _subscription,
        _set("stretches", 0, "billed", "amount", value="50"),
        "stretches[0].billed.amount",
        "2 decimal places for USD",
    ),
    (
        "float amount",
        _subscription,
        _set("credit_balance", "amount", value=0.0),
        "credit_balance.amount",
        "expected a decimal string",
    ),
    (
        "amount in minor units",
        _subscription,
        _set("credit_balance", value={"minor": 0, "currency": "USD"}),
        "credit_balance",
        "unknown key 'minor'",
    ),
    (
        "amount without currency",
        _subscription,
        _drop("credit_balance", "currency"),
        "credit_balance.currency",
        "missing required key",
    ),
    (
        "naive instant",
        _subscription,
        _set("started_at", value="2026-01-31T08:00:00"),
        "started_at",
        "ISO 8601 instant with its offset",
    ),
    (
        "a date, not an instant",
        _subscription,
        _set("processed_until", value="2026-02-20"),
        "processed_until",
        "ISO 8601 instant",
    ),
    (
        "impossible date",
        _subscription,
        _set("started_at", value="2026-02-30T08:00:00+00:00"),
        "started_at",
        "not a valid date and time",
    ),
    (
        "unknown zone",
        _subscription,
        _set("cycle", "anchor", value="2026-01-31T09:00:00+01:00[Mars/Olympus]"),
        "cycle.anchor",
        "unknown IANA time zone 'Mars/Olympus'",
    ),
    (
        "offset the zone never has",
        _subscription,
        _set("cycle", "anchor", value="2026-01-31T09:00:00+05:00[Europe/Paris]"),
        "cycle.anchor",
        "Europe/Paris is never at offset +05:00",
    ),
    (
        "a value's own check",
        _subscription,
        _set("stretches", 0, "units", value=-1),
        "stretches[0]",
        "refused by the value's own checks: units:",
    ),
    (
        "a money's own range",
        _subscription,
        _set("credit_balance", "amount", value="99999999999999999999.00"),
        "credit_balance.amount",
        "must lie within",
    ),
    (
        "unknown effect",
        _decision,
        _set("effects", 0, "type", value="charge_twice"),
        "effects[0].type",
        "unknown type 'charge_twice'",
    ),
    (
        "untagged effect",
        _decision,
        _drop("effects", 0, "type"),
        "effects[0].type",
        "missing required key",
    ),
    (
        "unknown fact type",
        _decision,
        _set("effects", 0, "notice", "facts", 0, "type", value="date"),
        "effects[0].notice.facts[0].type",
        "unknown fact type 'date'",
    ),
    (
        "unknown document type",
        _subscription,
        _set("type", value="account"),
        "type",
        "unknown document type 'account'",
    ),
    (
        "missing schema_version",
        _subscription,
        _drop("schema_version"),
        "schema_version",
        "missing required key",
    ),
    (
        "newer schema_version",
        _subscription,
        _set("schema_version", value=3),
        "schema_version",
        "newer than this library's 2: upgrade",
    ),
    (
        "schema_version as text",
        _subscription,
        _set("schema_version", value="1"),
        "schema_version",
        "expected a non-negative integer",
    ),
]


@pytest.mark.parametrize(
    ("build", "change", "path", "problem"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_a_malformed_document_names_the_path_and_the_problem(
    build: Callable[[], dict[str, Any]],
    change: Callable[[dict[str, Any]], None],
    path: str,
    problem: str,
) -> None:
    document = build()
    change(document)
    with pytest.raises(SerializationError) as caught:
        load(document)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)
    assert isinstance(caught.value, SubscriptionRulesError)
    assert isinstance(caught.value, ValueError)
    assert f"`{caught.value}`" in ERRORS_PAGE, "add the case to docs/errors.md"


def test_there_are_at_least_twenty_malformed_documents() -> None:
    assert len(MALFORMED) >= 20


def test_a_document_of_another_type_than_expected_is_refused() -> None:
    with pytest.raises(
        SerializationError, match=r"^type: expected a 'subscription' document, got 'usage'"
    ):
        load(dump(Usage.of(properties=1)), Subscription)


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(SerializationError, match=r"^\$: not JSON text"):
        loads("{not json")


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SerializationError, match=r"^\$: expected a document object, got an array"):
        load([])


# --------------------------------------------------------------------------- migrations


def _customer_renamed(document: dict[str, Any]) -> dict[str, Any]:
    """A version-0 subscription called ``customer_id`` ``customer``."""
    document["customer_id"] = document.pop("customer")
    return document


def test_a_registered_migration_brings_an_older_document_up_to_date() -> None:
    current = _subscription()
    older = {**current, "schema_version": 0}
    older["customer"] = older.pop("customer_id")
    registry: dict[tuple[str, int], Migration] = {
        **MIGRATIONS,
        ("subscription", 0): _customer_renamed,
    }
    assert load(older, Subscription, migrations=registry) == _as_in_version_1(
        golden_values()["subscription"]
    )
    assert "customer" in older  # the caller's document is left as it was
    assert ("subscription", 0) not in MIGRATIONS  # the library's own registry is untouched


def test_a_document_without_a_migration_path_is_refused() -> None:
    older = {**_subscription(), "schema_version": 0}
    with pytest.raises(
        SerializationError,
        match=r"^schema_version: no migration of a 'subscription' document from schema_version 0 to 1",
    ):
        load(older)


def test_the_migrated_document_is_checked_like_any_other() -> None:
    older = {**_subscription(), "schema_version": 0}
    registry: dict[tuple[str, int], Migration] = {
        **MIGRATIONS,
        ("subscription", 0): lambda d: {**d, "x": 1},
    }
    with pytest.raises(SerializationError, match=r"^x: unknown key"):
        load(older, migrations=registry)


# --------------------------------------------------------------------------- the light core


#: What ``import subscription_rules`` leaves unloaded: the optional extras, the edges, the
#: rare paths the facade loads on first use (``_lazy``), and standard-library modules only
#: they need (docs/performance.md, the cold import).
NOT_LOADED_BY_THE_IMPORT = (
    "cattrs",
    "dask",
    "distributed",
    "hypothesis",
    "json",
    "tomllib",
    "pathlib",
    "fractions",
    "subscription_rules.serialization",
    "subscription_rules.billing_run",
    "subscription_rules.cli",
    "subscription_rules.simulation",
    "subscription_rules.strategies",
    "subscription_rules.testing",
    "subscription_rules.ports",
    "subscription_rules._toml",
    "subscription_rules.catalog._loading",
    "subscription_rules.commands",
    "subscription_rules.rulebook",
    "subscription_rules.summary",
    "subscription_rules.numbering",
    "subscription_rules.lifecycle._adjustments",
    "subscription_rules.lifecycle._migration",
    "subscription_rules.lifecycle._termination",
)


def test_importing_the_library_leaves_the_extras_edges_and_rare_paths_unloaded() -> None:
    """And the command loads no cattrs until ``--json`` prints a document (a table needs none),
    nor the billing run's module Dask (the caller's executor)."""
    code = (
        "import sys, subscription_rules; "
        f"loaded = sorted(set({NOT_LOADED_BY_THE_IMPORT!r}) & set(sys.modules)); "
        "assert not loaded, loaded; "
        "import subscription_rules.serialization; "
        "import subscription_rules.cli; "
        "subscription_rules.cli.main(['plans']); "
        "assert 'cattrs' not in sys.modules, 'cattrs loaded'; "
        "import subscription_rules.billing_run; "
        "heavy = {'cattrs', 'dask', 'distributed'} & set(sys.modules); "
        "assert not heavy, f'{heavy} loaded'"
    )
    ran = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)  # noqa: S603 - our own code
    assert ran.returncode == 0, ran.stderr


def test_a_dumped_outcome_reads_as_documented() -> None:
    assert dump(Declined(DeclineKind.SOFT, "insufficient_funds")) == {
        "schema_version": 2,
        "type": "declined",
        "kind": "soft",
        "code": "insufficient_funds",
    }
    charge = golden_values()["charge_invoice"]
    assert isinstance(charge, ChargeInvoice)
    assert dump(charge)["invoice"]["credit_applied"] == {"amount": "0.00", "currency": "USD"}
    assert load(json.loads(dumps(golden_values()["subscription"]))).interval == MONTHLY  # type: ignore[attr-defined]


def test_a_queued_command_is_a_document_a_host_can_log_and_replay() -> None:
    """A host queues ``RecordPayment`` from a webhook: the outcome is tagged inside it, and
    ``Handled`` keeps both the catch-up decision and the refusal."""
    command = RecordPayment("sub_1:charge:INV-1:due-5000:attempt-1", Declined(DeclineKind.HARD))
    assert dump(command) == {
        "schema_version": 2,
        "type": "record_payment",
        "attempt": "sub_1:charge:INV-1:due-5000:attempt-1",
        "outcome": {"type": "declined", "kind": "hard", "code": ""},
    }
    assert loads(dumps(command), RecordPayment) == command
    handled = golden_values()["handled"]
    assert isinstance(handled, Handled)
    document = dump(handled)
    assert document["refused"]["reason"] == "nothing_pending"
    assert set(document["decision"]) == {"subscription", "effects", "next_wakeup"}  # no "type"
    assert load(document, Handled) == handled


def test_a_stored_policy_reloads_with_its_own_name() -> None:
    """Issue 16: a host storing a policy gets the same rules back, under the same name."""
    acme = attrs.evolve(STRIPE_LIKE, name="acme", pending_timeout=timedelta(days=30))
    loaded = loads(dumps(acme), BillingPolicy)
    assert loaded == acme
    assert (loaded.name, loaded.pending_timeout) == ("acme", timedelta(days=30))
    assert loads(dumps(STRIPE_LIKE), BillingPolicy) is not STRIPE_LIKE
    assert loads(dumps(STRIPE_LIKE), BillingPolicy) == STRIPE_LIKE


def test_a_stored_policy_under_a_presets_name_with_other_rules_is_refused() -> None:
    """A document naming the preset "stripe" whose rules differ does not load as Stripe's."""
    document = dump(STRIPE_LIKE)
    document["pending_timeout"] = "P30D"
    with pytest.raises(
        SerializationError,
        match=r"^\$: refused by the value's own checks: name: 'stripe' is the name of a preset",
    ):
        load(document, BillingPolicy)
