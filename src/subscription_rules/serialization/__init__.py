"""The storage format: every value a host stores, sends or receives, as versioned JSON.

:func:`dump` turns a value into JSON-native data (dicts, lists, strings, ints,
booleans and ``None``) and :func:`load` rebuilds it through the value's own
constructor, so its checks run on stored data too: ``load(dump(x)) == x``.
:func:`dumps` and :func:`loads` do the same with JSON text.

- A document is an object with ``"schema_version"`` (:data:`SCHEMA_VERSION`) and
  ``"type"`` (``"subscription"``, ``"decision"``, ... : :data:`DOCUMENT_TYPES`),
  then the value's fields by name.
- An amount is ``{"amount": "12.34", "currency": "USD"}``: a decimal string with
  exactly the currency's decimal places.
- An instant is ISO 8601 with its offset; one in an IANA zone also names the zone
  (``"2026-03-29T03:00:00+02:00[Europe/Paris]"``, as RFC 9557 writes it), so it
  loads with the same zone, wall clock and fold.
- A duration (a retry offset) is ISO 8601: ``"P3D"``, ``"P1DT12H"``.
- An enum is its value; a union member (an effect, a payment outcome, a
  feasibility) carries ``"type"``; a notice's fact is ``{"name", "type", "value"}``.

Loading is strict: an unknown or missing key, a wrong JSON type, a bad amount,
currency, instant or enum value, or a value its own checks refuse raises
:class:`~subscription_rules.errors.SerializationError` naming the path
(``stretches[2].billed.currency``). Documents written by an earlier schema version
are brought up to date by :data:`MIGRATIONS`; a newer one is refused.

>>> from subscription_rules import Money
>>> from subscription_rules.serialization import dump, load
>>> from subscription_rules.dunning import Declined, DeclineKind
>>> dump(Declined(DeclineKind.SOFT, "insufficient_funds"))
{'schema_version': 2, 'type': 'declined', 'kind': 'soft', 'code': 'insufficient_funds'}
>>> load(dump(Declined(DeclineKind.HARD)))
Declined(kind=<DeclineKind.HARD: 'hard'>, code='')

cattrs (the ``storage`` extra) is imported on the first call, not by ``import
subscription_rules``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar, overload

from subscription_rules._checks import shown
from subscription_rules.catalog import Catalog
from subscription_rules.commands import COMMANDS
from subscription_rules.credits import CreditNote
from subscription_rules.dunning import Declined, GatewayError, Pending, RetrySchedule, Succeeded
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    EndAccess,
    IssueCreditNote,
    RefundPayment,
    Refused,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import SerializationError
from subscription_rules.invoices import Invoice
from subscription_rules.notifications import Notice
from subscription_rules.policy import BillingPolicy
from subscription_rules.proration import ChangeQuote
from subscription_rules.rulebook import Handled
from subscription_rules.serialization._codec import converter, json_type, problems, tag
from subscription_rules.serialization._fast import document_dumper, document_loader
from subscription_rules.serialization._schema import document_schema
from subscription_rules.subscription import Subscription
from subscription_rules.summary import BillingSummary
from subscription_rules.usage import Usage

__all__ = [
    "DOCUMENT_TYPES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "SerializationError",
    "dump",
    "dumps",
    "json_schema",
    "load",
    "loads",
]

SCHEMA_VERSION: Final = 2
"""The version of the format this library writes; it reads this one and every earlier one.

Version 2 (issue 17: quantities, tiers, currencies and recorded prices) adds
fields a version-1 reader would refuse as unknown keys: a subscription's
``quantity`` and ``price`` (a :class:`~subscription_rules.subscription.RecordedPrice`),
a stretch's and a pending change's ``quantity`` (and the change's ``price``),
a price's ``unit`` and ``tiers``, an overage price's ``tiers`` and ``package``,
a plan's ``retired``, a catalog's ``version``, a quote's ``from_quantity`` and
``to_quantity``, a billing summary's ``quantity`` and ``currency``.
"""

DOCUMENT_TYPES: Final[Mapping[str, type]] = MappingProxyType(
    {
        tag(cls): cls
        for cls in (
            Subscription,
            Invoice,
            CreditNote,
            Notice,
            ChargeInvoice,
            IssueCreditNote,
            RefundPayment,
            SendNotice,
            SuspendAccess,
            RestoreAccess,
            EndAccess,
            Decision,
            Refused,
            ChangeQuote,
            BillingSummary,
            Catalog,
            BillingPolicy,
            RetrySchedule,
            Succeeded,
            Pending,
            Declined,
            GatewayError,
            Usage,
            *COMMANDS,
            Handled,
        )
    }
)
"""Every document type by its ``"type"`` name (``"subscription"``, ``"charge_invoice"``...)."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]
"""A step from one schema version to the next: a document's data in, the next version's out."""


def _version_1_to_2(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a version-1 document as version 2: nothing to rewrite; only the version moves.

    Every field version 2 added has a default that says what a version-1
    document meant: a quantity of 1, no recorded price (``None``: the catalog's
    current price applies, as it did), flat prices (no ``unit``, no ``tiers``),
    pro-rata overage (no ``tiers``, no ``package``), a plan still sold (not
    ``retired``), an unversioned catalog, and a billing summary in its credit
    balance's currency. A version-1 document holds none of these keys, so it
    loads as it is; :func:`load` sets ``schema_version`` after the step.
    """
    return document


MIGRATIONS: Final[Mapping[tuple[str, int], Migration]] = MappingProxyType(
    {(name, 1): _version_1_to_2 for name in DOCUMENT_TYPES}
)
"""``(type, from_version)`` to the step that rewrites it as ``from_version + 1``.

One step per document type and version: 1 → 2 (:func:`_version_1_to_2`) for
every type. A later version adds its steps and keeps the earlier ones.
"""

_T = TypeVar("_T")
#: ``json.dumps(..., ensure_ascii=False)`` without the search for cycles: a document is a
#: tree of fresh dicts and lists.
_COMPACT: Final = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _document_type(value: object) -> str:
    name = tag(type(value))
    if DOCUMENT_TYPES.get(name) is not type(value):
        known = ", ".join(cls.__name__ for cls in DOCUMENT_TYPES.values())
        raise SerializationError(
            f"cannot store {type(value).__name__} {shown(value)} as a document; "
            f"document types: {known}"
        )
    return name


def dump(value: object) -> dict[str, Any]:
    """Return ``value`` as a JSON-native document with ``schema_version`` and ``type``.

    Raises:
        SerializationError: ``value`` is not of a document type.
    """
    name = _document_type(value)
    try:
        return document_dumper(type(value), name, SCHEMA_VERSION)(value)  # type: ignore[arg-type]  # a class is hashable
    except Exception:  # noqa: BLE001 - the converter writes it, or raises what is wrong
        data = converter().unstructure(value, type(value))
    return {"schema_version": SCHEMA_VERSION, "type": name, **data}


def dumps(value: object, *, indent: int | None = None) -> str:
    """Return ``value``'s document as JSON text (UTF-8 friendly: non-ASCII kept as is)."""
    if indent is None:
        return _COMPACT.encode(dump(value))
    return json.dumps(dump(value), indent=indent, ensure_ascii=False)


def _migrated(
    document: dict[str, Any],
    name: str,
    version: int,
    migrations: Mapping[tuple[str, int], Migration],
) -> dict[str, Any]:
    while version < SCHEMA_VERSION:
        step = migrations.get((name, version))
        if step is None:
            raise SerializationError(
                f"no migration of a {name!r} document from schema_version {version} "
                f"to {version + 1}",
                path="schema_version",
                value=version,
            )
        document = step(dict(document))
        version += 1
        document["schema_version"] = version
    return document


@overload
def load(
    document: object,
    expected_type: type[_T],
    *,
    migrations: Mapping[tuple[str, int], Migration] = ...,
) -> _T: ...
@overload
def load(
    document: object,
    expected_type: None = None,
    *,
    migrations: Mapping[tuple[str, int], Migration] = ...,
) -> object: ...
def load(
    document: object,
    expected_type: type[Any] | None = None,
    *,
    migrations: Mapping[tuple[str, int], Migration] = MIGRATIONS,
) -> object:
    """Rebuild the value a document holds, through its constructor (so its checks run).

    Args:
        document: A document :func:`dump` wrote (this version's or an earlier one's).
        expected_type: The class the document must hold (``Subscription``...);
            any document type when omitted.
        migrations: The steps from earlier schema versions; :data:`MIGRATIONS`
            unless a test or a host passes its own.

    Raises:
        SerializationError: The document is not one (its path and problem named).
    """
    if not isinstance(document, dict):
        raise SerializationError(
            f"expected a document object, got {json_type(document)}", value=document
        )
    for key in ("schema_version", "type"):
        if key not in document:
            raise SerializationError("missing required key", path=key)
    version, name = document["schema_version"], document["type"]
    if type(version) is not int or version < 0:
        raise SerializationError(
            f"expected a non-negative integer, got {shown(version)}",
            path="schema_version",
            value=version,
        )
    cls = DOCUMENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise SerializationError(
            f"unknown document type {shown(name)}; expected one of {', '.join(DOCUMENT_TYPES)}",
            path="type",
            value=name,
        )
    if expected_type is not None and cls is not expected_type:
        raise SerializationError(
            f"expected a {tag(expected_type)!r} document, got {name!r}", path="type", value=name
        )
    if version > SCHEMA_VERSION:
        raise SerializationError(
            f"written with schema_version {version}, newer than this library's "
            f"{SCHEMA_VERSION}: upgrade subscription-rules to read it",
            path="schema_version",
            value=version,
        )
    return _structured(document, name, cls, version, migrations)


def _structured(
    document: dict[str, Any],
    name: str,
    cls: type,
    version: int,
    migrations: Mapping[tuple[str, int], Migration],
) -> object:
    """The value of a document whose header :func:`load` checked: fast, else by the converter."""
    document = _migrated(document, name, version, migrations)
    if "type" in document:  # and schema_version: the two keys the fast path takes beside fields
        try:
            return document_loader(cls)(document)
        except Exception:  # noqa: BLE001, S110 - the converter loads it or names the problem
            pass
    data = {key: value for key, value in document.items() if key not in {"schema_version", "type"}}
    try:
        return converter().structure(data, cls)
    except Exception as error:
        found = list(problems(error))
        if not found:  # pragma: no cover - every failure names at least one problem
            raise
        (path, problem), *more = found
        also = f" (and {len(more)} more: {'; '.join(f'{p}: {m}' for p, m in more[:3])})"
        raise SerializationError(
            problem + (also if more else ""), path=path, value=document
        ) from error


def json_schema(document_type: str | type) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a document type, by name or class.

    >>> schema = json_schema("usage")
    >>> schema["$schema"], schema["properties"]["type"]
    ('https://json-schema.org/draft/2020-12/schema', {'const': 'usage'})

    Raises:
        SerializationError: ``document_type`` is no document type.
    """
    name = document_type if isinstance(document_type, str) else tag(document_type)
    cls = DOCUMENT_TYPES.get(name)
    if cls is None:
        raise SerializationError(
            f"unknown document type {shown(document_type)}; "
            f"expected one of {', '.join(DOCUMENT_TYPES)}",
            path="type",
            value=document_type,
        )
    return document_schema(name, cls, SCHEMA_VERSION)


@overload
def loads(
    text: str | bytes,
    expected_type: type[_T],
    *,
    migrations: Mapping[tuple[str, int], Migration] = ...,
) -> _T: ...
@overload
def loads(
    text: str | bytes,
    expected_type: None = None,
    *,
    migrations: Mapping[tuple[str, int], Migration] = ...,
) -> object: ...
def loads(
    text: str | bytes,
    expected_type: type[Any] | None = None,
    *,
    migrations: Mapping[tuple[str, int], Migration] = MIGRATIONS,
) -> object:
    """Like :func:`load`, from JSON text.

    Raises:
        SerializationError: The text is not JSON, or not a document.
    """
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as error:
        raise SerializationError(f"not JSON text: {error}") from None
    return load(document, expected_type, migrations=migrations)
