"""JSON Schema (draft 2020-12) of each document type, generated from the attrs classes.

The same walk over the fields as the converter's: a new field or union member
changes the schema by itself. ``docs/schemas/<type>.schema.json`` are these,
written by ``make schemas``.
"""

from __future__ import annotations

import enum
import typing
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, get_args, get_origin

import attrs

from subscription_rules.money import Currency, Money
from subscription_rules.notifications import Fact
from subscription_rules.serialization._codec import members, optional_of, tag

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

_INSTANT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?"
    r"[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{6})?)?(\[[A-Za-z0-9_+\-/]{1,64}\])?$"
)
_CODE = {"type": "string", "pattern": "^[A-Z]{3}$"}
_LEAVES: Final[dict[str, dict[str, Any]]] = {
    "instant": {
        "description": "ISO 8601 with the offset; [zone] when the instant is in an IANA zone",
        "type": "string",
        "pattern": _INSTANT,
    },
    "duration": {
        "description": "ISO 8601 duration in days, hours, minutes and seconds",
        "type": "string",
        "pattern": r"^-?P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]{6})?S)?)?$",
    },
    "decimal": {
        "description": "an exact decimal number as text, such as a percentage: '20', '8.875'",
        "type": "string",
        "pattern": r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$",
    },
    "currency": {
        "description": "an ISO 4217 code, or a code and exponent for a currency outside the table",
        "oneOf": [
            _CODE,
            {
                "type": "object",
                "properties": {"code": _CODE, "exponent": {"type": "integer"}},
                "required": ["code", "exponent"],
                "additionalProperties": False,
            },
        ],
    },
    "money": {
        "description": "an amount in major units, with exactly its currency's decimal places",
        "type": "object",
        "properties": {
            "amount": {"type": "string", "pattern": r"^-?(0|[1-9][0-9]*)(\.[0-9]{1,4})?$"},
            "currency": {"$ref": "#/$defs/currency"},
        },
        "required": ["amount", "currency"],
        "additionalProperties": False,
    },
    "fact": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name", "type", "value"],
        "oneOf": [
            {
                "properties": {"type": {"const": "money"}, "value": {"$ref": "#/$defs/money"}},
            },
            {
                "properties": {
                    "type": {"const": "instant"},
                    "value": {"$ref": "#/$defs/instant"},
                },
            },
            {"properties": {"type": {"const": "text"}, "value": {"type": "string"}}},
            {"properties": {"type": {"const": "integer"}, "value": {"type": "integer"}}},
        ],
        "unevaluatedProperties": False,
    },
}
_LEAF_TYPES: Final[dict[object, str]] = {
    datetime: "instant",
    timedelta: "duration",
    Decimal: "decimal",
    Currency: "currency",
    Money: "money",
    Fact: "fact",
}
_SCALARS: Final[dict[object, str]] = {str: "string", int: "integer", bool: "boolean"}


def _closed(ref: str, **more: object) -> dict[str, Any]:
    return {"$ref": ref, **more, "unevaluatedProperties": False}


def _schema(kind: object, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: C901, PLR0911 - one branch per shape
    if kind in _SCALARS:
        return {"type": _SCALARS[kind]}
    if kind in _LEAF_TYPES:
        name = _LEAF_TYPES[kind]
        defs[name] = _LEAVES[name]
        if name in {"money", "fact"}:
            _schema(datetime, defs)
            defs["currency"] = _LEAVES["currency"]
            defs["money"] = _LEAVES["money"]
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    union = members(kind)
    if union is not None:
        options: list[dict[str, Any]] = [
            _closed(
                _class(member, defs),
                properties={"type": {"const": tag(member)}},
                required=["type"],
            )
            for member in union
        ]
        if type(None) in get_args(kind):
            options.append({"type": "null"})
        return {"oneOf": options}
    inner = optional_of(kind)
    if inner is not None:
        return {"anyOf": [_schema(inner, defs), {"type": "null"}]}
    if get_origin(kind) is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _schema(args[0], defs)}
        return {
            "type": "array",
            "prefixItems": [_schema(arg, defs) for arg in args],
            "items": False,
            "minItems": len(args),
        }
    if get_origin(kind) is frozenset:
        return {"type": "array", "items": _schema(get_args(kind)[0], defs), "uniqueItems": True}
    if isinstance(kind, type) and attrs.has(kind):
        return _closed(_class(kind, defs))
    raise TypeError(f"no JSON Schema for {kind!r}")  # pragma: no cover - a new kind of field


def _class(cls: type, defs: dict[str, Any]) -> str:
    ref = f"#/$defs/{cls.__name__}"
    if cls.__name__ in defs:
        return ref
    defs[cls.__name__] = {}  # reserved first: a class may hold itself through a field
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.init]
    definition: dict[str, Any] = {
        "type": "object",
        "properties": {field.name: _schema(hints[field.name], defs) for field in fields},
    }
    required = [field.name for field in fields if field.default is attrs.NOTHING]
    if required:
        definition["required"] = required
    doc = (cls.__doc__ or "").strip().splitlines()
    if doc:
        definition = {"description": doc[0], **definition}
    defs[cls.__name__] = definition
    return ref


def document_schema(name: str, cls: type, version: int) -> dict[str, Any]:
    """The JSON Schema of the ``name`` document holding a ``cls``."""
    defs: dict[str, Any] = {}
    ref = _class(cls, defs)
    return {
        "$schema": DRAFT,
        "title": f"subscription-rules {name} document, schema_version {version}",
        **_closed(
            ref,
            properties={"schema_version": {"const": version}, "type": {"const": name}},
            required=["schema_version", "type"],
        ),
        "$defs": dict(sorted(defs.items())),
    }
