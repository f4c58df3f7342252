"""Fuzzing the catalog loader: only catalog errors come out, and loading is bounded.

Arbitrary text, and valid catalog documents bent in every way a hand-written
file goes wrong (a key deleted, a value of the wrong type, a negative, a float,
a duplicate id, an unknown key, a huge number, an unknown currency, the text
cut short), either load as a :class:`Catalog` or raise
:class:`~subscription_rules.errors.CatalogError`: never a bare ``KeyError``,
``RecursionError`` or ``ValueError`` from the parser. The size limits
(:data:`MAX_CATALOG_BYTES`, :data:`MAX_PLANS`) are checked here to exist and to
be enforced; how fast loading is, is the benchmarks' business, not a timed test.
Keys that the parser would take seconds over (thousands of dotted parts) and files
that are not regular files (a named pipe blocks forever) are generated too: they
are refused before parsing, and those refusals alone are timed.
"""

from __future__ import annotations

import math
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from subscription_rules import Catalog, load_catalog, parse_catalog
from subscription_rules._toml import MAX_KEY_CHARS, MAX_KEY_PARTS, shape_problem
from subscription_rules.catalog import MAX_CATALOG_BYTES, MAX_COUNT, MAX_PLANS, MAX_TRIAL_DAYS
from subscription_rules.errors import CatalogError

Document = dict[str, Any]

DOCS = Path(__file__).parent.parent / "docs"


# --------------------------------------------------------------------------- writing TOML


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = "".join(
        f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in text.replace("\\", "\\\\").replace('"', '\\"')
    )
    return f'"{escaped}"'


def toml_value(value: object) -> str:  # noqa: PLR0911 - one return per TOML type
    """A TOML literal for ``value`` (inline tables and arrays for containers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_string(key)} = {toml_value(item)}" for key, item in value.items())
        return "{ " + ", ".join(pairs) + " }"
    msg = f"cannot write {value!r} as TOML"
    raise AssertionError(msg)


def toml_document(document: Document) -> str:
    """Write a catalog document: top-level keys, then one ``[[plans]]`` table per plan."""
    lines = [
        f"{toml_string(key)} = {toml_value(value)}"
        for key, value in document.items()
        if key != "plans"
    ]
    plans = document.get("plans")
    if isinstance(plans, list) and all(isinstance(plan, dict) for plan in plans):
        for plan in plans:
            lines.append("\n[[plans]]")
            lines.extend(f"{toml_string(key)} = {toml_value(value)}" for key, value in plan.items())
    elif "plans" in document:
        lines.append(f"plans = {toml_value(plans)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- valid documents

CURRENCIES = ("USD", "EUR", "JPY", "KWD")
INTERVALS = ("monthly", "yearly", "quarterly", "weekly", "daily", "6 months", "2 weeks")
STOCK = ("properties", "integrations")
PLAN_IDS = ("basic", "plus", "pro", "a", "b-2", "team.x", "0", "enterprise_9")
NAMES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@st.composite
def amounts(draw: st.DrawFn, currency: str) -> str | int:
    """A price as TOML allows it: a string in major units, or a whole number."""
    exponent = {"JPY": 0, "KWD": 3}.get(currency, 2)
    minor: int = draw(st.integers(0, 10**9))
    unit: int = 10**exponent
    if draw(st.booleans()):
        return minor // unit
    whole, part = divmod(minor, unit)
    return f"{whole}.{part:0{exponent}d}" if exponent else str(whole)


@st.composite
def plan_tables(draw: st.DrawFn, currency: str, plan_id: str, rank: int | None) -> Document:
    intervals = draw(st.lists(st.sampled_from(INTERVALS), min_size=1, max_size=3, unique=True))
    plan: Document = {
        "id": plan_id,
        "name": draw(NAMES.filter(str.strip)),
        "prices": {interval: draw(amounts(currency)) for interval in intervals},
    }
    limits: Document = {}
    for metric in (*STOCK, "billable_sessions"):
        limit = draw(st.none() | st.just("unlimited") | st.integers(0, 10**6))
        if limit is not None:
            limits[metric] = limit
    if limits:
        plan["limits"] = limits
    if draw(st.booleans()):
        plan["trial_days"] = draw(st.integers(0, MAX_TRIAL_DAYS))
    if rank is not None:
        plan["rank"] = rank
    sessions = limits.get("billable_sessions")
    if isinstance(sessions, int) and draw(st.booleans()):
        plan["overage"] = {
            "billable_sessions": {
                "price": draw(amounts(currency)),
                "per": draw(st.integers(1, 1000)),
            }
        }
    return plan


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """A valid catalog document, as the dict its TOML text parses to."""
    currency = draw(st.sampled_from(CURRENCIES))
    ids = draw(st.lists(st.sampled_from(PLAN_IDS), min_size=1, max_size=4, unique=True))
    ranked = draw(st.booleans())
    return {
        "currency": currency,
        "plans": [
            draw(plan_tables(currency, plan_id, index if ranked else None))
            for index, plan_id in enumerate(ids)
        ],
    }


# --------------------------------------------------------------------------- bending them

ODD_VALUES = st.one_of(
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(0, 5), max_size=2),
)
HUGE = st.sampled_from([10**18, 10**19, 2**63, 10**30, -(10**30), 10**4000])


def _tables(document: Document) -> list[Document]:
    """Every table of a document one may bend: the top level, each plan, each plan's tables."""
    found: list[Document] = [document]
    for plan in document["plans"]:
        found.append(plan)
        inner = [value for value in plan.values() if isinstance(value, dict)]
        found.extend(inner)
        for table in inner:
            found.extend(value for value in table.values() if isinstance(value, dict))
    return found


def _table(table: Document, key: str) -> Document:
    """``table[key]`` as a table, made one (empty) if an earlier mistake broke it."""
    value = table.get(key)
    if not isinstance(value, dict):
        value = table[key] = {}
    return value


def _set(plan: Document, target: str, value: object) -> None:
    """Put ``value`` where ``target`` says: a price, a limit, an overage's ``per``, or a key."""
    if target == "price":
        prices = _table(plan, "prices")
        prices[next(iter(prices), "monthly")] = value
    elif target == "limit":
        _table(plan, "limits")["properties"] = value
    elif target == "per":
        _table(_table(plan, "overage"), "billable_sessions")["per"] = value
    else:
        plan[target] = value


STRUCTURED = [
    "negative",
    "float",
    "duplicate-id",
    "unknown-key",
    "huge",
    "currency",
    "rank-on-one",
    "stock-overage",
    "unknown-metric",
]
DESTRUCTIVE = ["delete", "retype", "no-plans"]
TARGETS = ["trial_days", "price", "limit", "per", "rank"]


def bend(data: st.DataObject, document: Document, *, last: bool) -> None:  # noqa: C901, PLR0912 - one branch per kind of mistake
    """Make one mistake in ``document``, in place; one that breaks its shape only ``last``."""
    plans = document["plans"]
    if not plans:
        return
    plan = data.draw(st.sampled_from(plans))
    kind = data.draw(st.sampled_from(STRUCTURED + DESTRUCTIVE if last else STRUCTURED))
    table = data.draw(st.sampled_from(_tables(document)))
    key = data.draw(st.sampled_from(sorted(table))) if table else None
    if kind == "delete" and key is not None:
        del table[key]
    elif kind == "retype" and key is not None:
        table[key] = data.draw(ODD_VALUES)
    elif kind == "negative":
        _set(plan, data.draw(st.sampled_from(TARGETS)), data.draw(st.sampled_from(["-5", -5, -1])))
    elif kind == "float":
        _set(plan, data.draw(st.sampled_from(TARGETS)), data.draw(st.floats()))
    elif kind == "huge":
        _set(plan, data.draw(st.sampled_from(TARGETS)), data.draw(HUGE))
    elif kind == "duplicate-id":
        plan["id"] = plans[0]["id"]
        plans.append(dict(plans[0]))
    elif kind == "unknown-key":
        name = data.draw(st.sampled_from(["nmae", "price", "Currency", "extra", "limits "]))
        table[name] = data.draw(ODD_VALUES)
    elif kind == "currency":
        document["currency"] = data.draw(st.sampled_from(["XYZ", "usd ", "", "US", "USDD", "€"]))
    elif kind == "rank-on-one":
        for other in plans:
            other.pop("rank", None)
        plans.append({**plan, "id": f"{plan.get('id')}-2"})
        plan["rank"] = 1
    elif kind == "stock-overage":
        _table(plan, "limits")["properties"] = 3
        plan["overage"] = {"properties": {"price": "1"}}
    elif kind == "unknown-metric":
        _table(plan, "limits")["seats"] = 3
    else:
        document["plans"] = []


def loads_or_refuses(text: str) -> Catalog | CatalogError:
    """Parse ``text``; anything but a Catalog or a CatalogError fails the test."""
    try:
        return parse_catalog(text)
    except CatalogError as err:
        refused = err
    assert str(refused)
    return refused


# --------------------------------------------------------------------------- the properties

TOML_ALPHABET = st.sampled_from([*"[]{}=\"'\n\t #.,-_+:abcdefinpuz019\\", "\x00", "\x7f", "é"])


@given(st.text())
def test_arbitrary_text_loads_or_raises_a_catalog_error(text: str) -> None:
    loads_or_refuses(text)


@given(st.text(st.characters(codec=None, exclude_categories=())))
def test_text_with_control_characters_and_surrogates_raises_only_catalog_errors(text: str) -> None:
    loads_or_refuses(text)


@given(st.text(TOML_ALPHABET, max_size=200))
def test_toml_like_noise_raises_only_catalog_errors(text: str) -> None:
    loads_or_refuses(text)


@given(documents())
def test_generated_documents_are_valid_catalogs(document: Document) -> None:
    catalog = parse_catalog(toml_document(document))
    assert catalog.ids == tuple(plan["id"] for plan in document["plans"])
    assert catalog.currency.code == document["currency"]


@given(documents(), st.data())
def test_a_bent_document_loads_or_raises_a_catalog_error(
    document: Document, data: st.DataObject
) -> None:
    count = data.draw(st.integers(1, 3))
    for index in range(count):
        bend(data, document, last=index == count - 1)
    loads_or_refuses(toml_document(document))


@given(documents(), st.data())
def test_a_document_cut_short_loads_or_raises_a_catalog_error(
    document: Document, data: st.DataObject
) -> None:
    text = toml_document(document)
    cut = data.draw(st.integers(0, len(text) - 1))
    loads_or_refuses(text[:cut])


@given(documents(), st.data())
def test_a_document_with_bytes_spliced_in_loads_or_raises_a_catalog_error(
    document: Document, data: st.DataObject
) -> None:
    text = toml_document(document)
    at = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(TOML_ALPHABET, min_size=1, max_size=8))
    loads_or_refuses(text[:at] + noise + text[at:])


@given(st.integers(1, 4000), st.sampled_from(["[", "{a = ", "[{a = "]))
def test_deep_nesting_is_refused_as_invalid_toml(depth: int, opener: str) -> None:
    closer = "".join({"[": "]", "{": "}"}.get(c, "") for c in reversed(opener))
    result = loads_or_refuses("x = " + opener * depth + "1" + closer * depth)
    assert isinstance(result, CatalogError)  # "x" is no catalog key, and "[[1" no TOML


# --------------------------------------------------------------------------- bounded size


def padded(text: str, size: int) -> str:
    """``text`` with a trailing comment making it exactly ``size`` bytes of UTF-8."""
    room = size - len(text.encode()) - 2
    assert room >= 0
    return text + "#" + "x" * room + "\n"


def many_plans(count: int, name_size: int = 1) -> str:
    plan = (
        '[[plans]]\nid = "p{n}"\nname = "{name}"\n'
        'prices = {{ monthly = "{n}.00", yearly = "{n}0.00" }}\n'
        'limits = {{ properties = {n}, integrations = "unlimited", billable_sessions = 100_000 }}\n'
        'overage = {{ billable_sessions = {{ price = "5.00", per = 1000 }} }}\n'
        "trial_days = 14\n"
    )
    name = "N" * name_size
    return 'currency = "USD"\n' + "".join(plan.format(n=n, name=name) for n in range(count))


def test_the_documented_limits_exist() -> None:
    assert MAX_CATALOG_BYTES == 1024 * 1024
    assert MAX_PLANS == 1000
    assert MAX_COUNT == 10**15
    assert MAX_TRIAL_DAYS == 730


def test_a_document_one_byte_over_the_limit_is_refused_before_parsing() -> None:
    text = padded(many_plans(2), MAX_CATALOG_BYTES + 1)
    with pytest.raises(CatalogError, match=r"^catalog of 1,048,577 bytes refused"):
        parse_catalog(text)


def test_a_document_at_the_limit_is_read() -> None:
    text = padded(many_plans(2), MAX_CATALOG_BYTES)
    assert len(parse_catalog(text)) == 2


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    base = many_plans(1)
    wide = base + "# " + "é" * ((MAX_CATALOG_BYTES - len(base.encode())) // 2 + 1) + "\n"
    assert len(wide) <= MAX_CATALOG_BYTES < len(wide.encode())
    with pytest.raises(CatalogError, match="bytes refused"):
        parse_catalog(wide)


def test_a_huge_document_is_refused_quickly_whatever_it_holds() -> None:
    # Ten times the limit of nested brackets: refused by its size, before tomllib sees it.
    with pytest.raises(CatalogError, match=r"^catalog of 10,485,760 bytes refused"):
        parse_catalog("[" * (10 * MAX_CATALOG_BYTES))


def test_one_plan_over_the_limit_is_refused_and_the_limit_itself_is_read() -> None:
    assert len(parse_catalog(many_plans(MAX_PLANS))) == MAX_PLANS
    with pytest.raises(CatalogError, match=r"^plans: 1,001 plans refused; the limit is 1,000"):
        parse_catalog(many_plans(MAX_PLANS + 1))


def test_the_largest_typical_catalog_loads(tmp_path: Path) -> None:
    # MAX_PLANS full plans whose names pad the document to just under the size limit.
    base = len(many_plans(MAX_PLANS).encode())
    name_size = 1 + (MAX_CATALOG_BYTES - base) // MAX_PLANS
    text = many_plans(MAX_PLANS, name_size)
    assert MAX_CATALOG_BYTES - MAX_PLANS < len(text.encode()) <= MAX_CATALOG_BYTES
    path = tmp_path / "largest.toml"
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog(path)
    assert len(catalog) == MAX_PLANS
    assert catalog.plan("p999").limit("properties") == 999


def test_an_oversized_file_is_refused_without_being_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as file:
        file.truncate(100 * MAX_CATALOG_BYTES)  # sparse: 100 MiB of NUL bytes
    with pytest.raises(CatalogError, match=r"^path: catalog file .* is larger than 1,048,576"):
        load_catalog(path)


def test_the_limits_are_documented() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    limits = text.split("## Limits", 1)[1]
    for name, shown in (
        ("MAX_CATALOG_BYTES", "1,048,576"),
        ("MAX_PLANS", "1,000"),
        ("MAX_COUNT", "10**15"),
    ):
        assert re.search(rf"{name}`.*{re.escape(shown)}", limits), name


@given(st.integers(0, 3), st.data())
def test_duplicate_ids_are_refused_naming_both_plans(extra: int, data: st.DataObject) -> None:
    document = data.draw(documents())
    first = document["plans"][0]
    document["plans"].extend({**first} for _ in range(extra + 1))
    result = loads_or_refuses(toml_document(document))
    assert isinstance(result, CatalogError)
    assume(result.key == "id")
    assert "duplicate plan id" in str(result)


# --------------------------------------------------------------------------- bounded shapes
# tomllib takes time quadratic in the parts of a dotted key or table header: such keys
# are refused by their shape before parsing, and a file that is not a regular file
# (a named pipe would block forever) is refused before it is read.

SIMPLE_KEYS = st.sampled_from(["a", "plans", '"a.b"', "'x y'", "0", "k-1", '""'])
DOTS = st.sampled_from([".", " . ", "\t.", ". "])


@st.composite
def dotted_keys(draw: st.DrawFn, parts: st.SearchStrategy[int]) -> str:
    """A dotted key of ``parts`` simple keys, bare or quoted, with or without spaces."""
    count = draw(parts)
    key = draw(SIMPLE_KEYS)
    dot = draw(DOTS)
    return (
        key
        + "".join(dot + draw(SIMPLE_KEYS) for _ in range(min(count, 20) - 1))
        + (f"{dot}a" * (count - 20) if count > 20 else "")
    )


PLACES = st.sampled_from(
    [
        "{key} = 1",  # a dotted key
        "[{key}]",  # a table header
        "[[{key}]]",  # an array of tables
        "x = {{ {key} = 1 }}",  # a key of an inline table
        "x = [{{ y = 1, {key} = 1 }}]",  # in an inline table in an array
        'currency = "USD"\n[[plans]]\nid = "a"\n{key} = 1',  # in a plan
    ]
)


@given(dotted_keys(st.integers(MAX_KEY_PARTS + 1, 30_000)), PLACES)
def test_a_key_of_too_many_parts_is_refused_before_parsing(key: str, place: str) -> None:
    result = loads_or_refuses(place.format(key=key))
    assert isinstance(result, CatalogError)
    assert re.search(
        rf"^line \d+: a dotted key of more than {MAX_KEY_PARTS} parts refused", str(result)
    )


@given(st.integers(MAX_KEY_CHARS + 1, 200_000), PLACES, st.sampled_from(['"{}"', "'{}'", "{}"]))
def test_a_key_too_long_is_refused_before_parsing(size: int, place: str, quoted: str) -> None:
    result = loads_or_refuses(place.format(key=quoted.format("k" * size)))
    assert isinstance(result, CatalogError)
    assert f"a key of more than {MAX_KEY_CHARS} characters refused" in str(result)


@given(dotted_keys(st.integers(1, MAX_KEY_PARTS)), PLACES)
def test_a_key_within_the_limits_is_left_to_the_parser(key: str, place: str) -> None:
    assume(len(key) <= MAX_KEY_CHARS)
    assert shape_problem(place.format(key=key)) is None


@given(documents())
def test_no_valid_document_is_refused_by_its_shape(document: Document) -> None:
    assert shape_problem(toml_document(document)) is None


@given(st.text(TOML_ALPHABET, max_size=300))
def test_the_shape_check_never_fails_on_noise(text: str) -> None:
    problem = shape_problem(text)
    assert problem is None or problem.startswith("line ")


@pytest.mark.parametrize(
    "text",
    [
        "a" + ".a" * 39_999 + " = 1",  # 80 KB: some 15 s in tomllib
        "[" + ".".join(["a"] * 150_000) + "]",  # 300 KB: over 2 s in tomllib
        "[[" + ".".join(["'a'"] * 100_000) + "]]",
        "x = { " + " . ".join(['"a"'] * 100_000) + " = 1 }",
    ],
    ids=["dotted-key", "table-header", "array-header", "inline-table"],
)
def test_the_slow_shapes_are_refused_well_under_a_second(text: str) -> None:
    # Timed on purpose: the refusal must not depend on how slowly the parser would go.
    started = time.perf_counter()
    with pytest.raises(CatalogError, match="a dotted key of more than"):
        parse_catalog(text)
    assert time.perf_counter() - started < 1.0


def _not_regular(kind: str, folder: Path) -> Path:
    if kind == "named pipe":
        os.mkfifo(folder / "pipe.toml")
        return folder / "pipe.toml"
    if kind == "directory":
        return folder
    return Path(os.devnull)  # a character device


@pytest.mark.parametrize("kind", ["named pipe", "directory", "character device"])
def test_only_regular_files_are_read(kind: str, tmp_path: Path) -> None:
    path = _not_regular(kind, tmp_path)
    started = time.perf_counter()
    with pytest.raises(CatalogError, match=rf"^path: .* not a regular file \(a {kind}\); refused"):
        load_catalog(path)
    assert time.perf_counter() - started < 1.0
