"""The storage format's fast path writes and reads exactly what the converter does.

``serialization._fast`` makes specialised dump and load functions; a load it does
not take goes to the converter, which names the problem's path. These tests hold
the two paths to the same documents and values, and check that the fast path's
memos never let a document through that the converter refuses.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import subscription_rules.strategies  # noqa: F401 - registers the strategies for st.from_type
from storage_values import golden_values, golden_values_v2
from subscription_rules import Subscription
from subscription_rules.errors import SerializationError
from subscription_rules.serialization import DOCUMENT_TYPES, SCHEMA_VERSION, _fast, dump, load
from subscription_rules.serialization._codec import converter

GOLDEN_V1 = Path(__file__).resolve().parent / "golden" / "v1"
GOLDEN_V2 = Path(__file__).resolve().parent / "golden" / "v2"
NAMES = list(DOCUMENT_TYPES)


def _fields(document: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in document.items() if k not in {"schema_version", "type"}}


@pytest.mark.parametrize("name", NAMES)
def test_the_fast_path_writes_and_reads_what_the_converter_does(name: str) -> None:
    kind = DOCUMENT_TYPES[name]

    @settings(max_examples=10)
    @given(st.from_type(kind))
    def check(value: object) -> None:
        fields = _fast.dumper(kind)(value)
        assert json.dumps(fields) == json.dumps(converter().unstructure(value, kind))
        document = {"schema_version": SCHEMA_VERSION, "type": name, **fields}
        loaded = _fast.document_loader(kind)(document)  # taken: no fallback to the converter
        assert loaded == converter().structure(fields, kind) == value

    check()


#: What a mutation puts in place of a value: each JSON type, and shapes the leaves take.
REPLACEMENTS = [
    *(None, 0, 1, -1, True, False, 1.5, 2**70, "", "x", "0.00", "USD", "month", [], {}),
    *("2026-01-01T00:00:00+00:00", ["a", "b"], {"amount": "1.00", "currency": "USD"}),
]


def _places(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path inside a document's fields."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            if path or key not in {"schema_version", "type"}:
                found += _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _places(inner, (*path, index))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_the_fast_path_takes_no_document_the_converter_refuses(name: str) -> None:
    """A document with a key dropped or added or a value replaced: whenever the fast path
    takes it, the converter takes it too and builds the same value."""
    kind = DOCUMENT_TYPES[name]

    @settings(max_examples=10)
    @given(st.from_type(kind), st.data())
    def check(value: object, data: st.DataObject) -> None:
        document = dump(value)
        places = _places(document)
        if not places:
            return
        *above, last = data.draw(st.sampled_from(places))
        parent: Any = document
        for step in above:
            parent = parent[step]
        change = data.draw(st.sampled_from(["drop", "add", *range(len(REPLACEMENTS))]))
        if change == "drop" and isinstance(parent, dict):
            del parent[last]
        elif change == "add" and isinstance(parent, dict):
            parent["unknown"] = 1
        elif isinstance(change, int):
            parent[last] = copy.deepcopy(REPLACEMENTS[change])
        try:
            taken = _fast.document_loader(kind)(document)
        except Exception:  # noqa: BLE001 - any failure sends the document to the converter
            return
        assert converter().structure(_fields(document), kind) == taken

    check()


@pytest.mark.parametrize("name", NAMES)
def test_the_fast_path_takes_every_golden_version_2_document(name: str) -> None:
    """Fields added since, absent from these documents, take their defaults as they do in
    the converter."""
    document = json.loads((GOLDEN_V2 / f"{name}.json").read_text(encoding="utf-8"))
    value = _fast.document_loader(DOCUMENT_TYPES[name])(document)
    assert value == golden_values_v2()[name]


def test_a_remembered_amount_does_not_admit_an_amount_with_another_key() -> None:
    subscription = golden_values()["subscription"]
    document = dump(subscription)
    assert load(document, Subscription) == subscription  # the memos now hold its amounts
    bad = copy.deepcopy(document)
    bad["stretches"][0]["billed"]["cents"] = 5000
    with pytest.raises(SerializationError, match="unknown key 'cents'") as error:
        load(bad, Subscription)
    assert error.value.path == "stretches[0].billed"


def test_a_value_its_constructor_refuses_is_refused_after_the_memos_hold_its_leaves() -> None:
    """A negative credit balance parses (the memo may hold it); the Subscription refuses it."""
    subscription = golden_values()["subscription"]
    document = dump(subscription)
    assert load(document, Subscription) == subscription
    bad = copy.deepcopy(document)
    bad["credit_balance"] = {"amount": "-1.00", "currency": "USD"}
    with pytest.raises(SerializationError, match="refused by the value's own checks") as error:
        load(bad, Subscription)
    assert error.value.path == "$"


def test_the_memos_stay_within_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fast, "_MEMO_SIZE", 3)
    _fast._INSTANTS.clear()
    _fast._AMOUNTS.clear()
    subscription = golden_values()["subscription"]
    assert load(dump(subscription), Subscription) == subscription
    assert 0 < len(_fast._INSTANTS) <= 3
    assert 0 < len(_fast._AMOUNTS) <= 3


@pytest.mark.parametrize(
    ("row", "path", "problem"),
    [
        (["a", "b", "c"], "paid_attempts[0]", "expected an array of 2 items, got 3"),
        (["a"], "paid_attempts[0]", "expected an array of 2 items, got 1"),
        (["a", 1], "paid_attempts[0][1]", "expected a string, got an integer 1"),
        ({"a": "b"}, "paid_attempts[0]", "expected an array, got an object"),
    ],
)
def test_a_row_of_strings_the_fast_path_refuses_is_named_by_the_converter(
    row: object, path: str, problem: str
) -> None:
    """``paid_attempts`` (pairs of strings) is read inline on the fast path."""
    document = dump(golden_values()["subscription"])
    document["paid_attempts"][0] = row
    with pytest.raises(SerializationError, match=problem) as error:
        load(document, Subscription)
    assert error.value.path == path


def test_a_migrated_document_with_an_unknown_key_is_refused() -> None:
    """A migration step may rewrite anything, even swap ``type`` for another key: what it
    returns is loaded as strictly as a current document (here one with every field)."""
    document = {**dump(golden_values()["subscription"]), "schema_version": 1}

    def renamed(old: dict[str, object]) -> dict[str, object]:
        new = {k: v for k, v in old.items() if k != "type"}
        new["note"] = "moved"
        return new

    with pytest.raises(SerializationError, match="unknown key") as error:
        load(document, Subscription, migrations={("subscription", 1): renamed})
    assert error.value.path == "note"


def test_a_version_1_document_takes_the_fast_path_once_migrated() -> None:
    document = json.loads((GOLDEN_V1 / "subscription.json").read_text(encoding="utf-8"))
    migrated = {**document, "schema_version": SCHEMA_VERSION}  # the step 1 -> 2 moves the version
    assert _fast.document_loader(Subscription)(migrated) == load(document, Subscription)
