"""The converter: values to JSON-native data and back, strictly, on cattrs.

cattrs walks the attrs fields (so a new field needs no code here); the hooks below
give the JSON shapes of the leaves (money, currencies, instants, durations, enums,
facts), tag unions with ``"type"``, and make loading strict: a JSON type that is
not the field's is refused, never coerced (cattrs alone would read ``"12"`` as 12).
cattrs is imported when the converter is first built, never by ``import
subscription_rules``.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, Union, assert_never, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._calendar import zone
from subscription_rules._checks import shown
from subscription_rules.errors import SerializationError, SubscriptionRulesError
from subscription_rules.money import Currency, Money
from subscription_rules.notifications import Fact

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import cattrs

_INSTANT: Final = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?"
    r"[+-]\d{2}:\d{2}(?::\d{2}(?:\.\d{6})?)?)(?:\[([A-Za-z0-9_+\-/]{1,64})\])?"
)
_DURATION: Final = re.compile(
    r"(-?)P(?:(\d{1,9})D)?(?:T(?:(\d{1,2})H)?(?:(\d{1,2})M)?(?:(\d{1,2})(?:\.(\d{6}))?S)?)?"
)
_AMOUNT: Final = re.compile(r"-?(0|[1-9]\d{0,20})(?:\.(\d{1,4}))?")
_CODE: Final = re.compile(r"[A-Z]{3}")
_JSON_TYPES: Final = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


class Bad(Exception):  # noqa: N818 - an internal signal, never seen by a caller
    """A problem found by a hook, at ``where`` below the value the hook was given."""

    def __init__(self, message: str, *where: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


_TAGS: Final[dict[type, str]] = {}


def tag(cls: type) -> str:
    """A class's name in documents and union tags: ``ChargeInvoice`` is ``charge_invoice``."""
    name = _TAGS.get(cls)
    if name is None:
        name = _TAGS[cls] = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    return name


def json_type(value: object) -> str:
    """What JSON calls ``value``'s type, for messages."""
    if value is None:
        return "null"
    if type(value) is int:
        return "an integer"
    if type(value) is float:
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _expect(value: object, kind: type, what: str) -> None:
    if type(value) is not kind:
        raise Bad(f"expected {what}, got {json_type(value)} {shown(value)}")


def members(kind: object) -> tuple[type, ...] | None:
    """The attrs classes of a tagged union (``Effect``, ``PaymentOutcome``), else ``None``."""
    if get_origin(kind) not in (Union, types.UnionType):
        return None
    found = tuple(arg for arg in get_args(kind) if arg is not type(None))
    if len(found) < 2 or not all(attrs.has(arg) for arg in found):
        return None
    return found


def optional_of(kind: object) -> object | None:
    """``X`` for ``X | None`` (a single ``X``), else ``None``."""
    if get_origin(kind) not in (Union, types.UnionType):
        return None
    args = get_args(kind)
    if type(None) not in args:
        return None
    rest = tuple(arg for arg in args if arg is not type(None))
    return rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - a runtime union of types


# --- leaves -------------------------------------------------------------------------------


def dump_instant(value: datetime) -> str:
    """ISO 8601 with the offset, plus ``[zone]`` when the tzinfo is an IANA zone (RFC 9557)."""
    text = value.isoformat()
    return f"{text}[{value.tzinfo.key}]" if isinstance(value.tzinfo, ZoneInfo) else text


@functools.lru_cache(maxsize=64)  # bounded: a document may name any string
def _zone(key: str) -> ZoneInfo | None:
    try:
        return zone(key)
    except SubscriptionRulesError:
        return None


def load_instant(value: object) -> datetime:
    """The instant ``dump_instant`` wrote: the same wall clock, offset, zone and fold."""
    if type(value) is not str:
        _expect(value, str, "an ISO 8601 instant string such as '2026-01-31T09:00:00+00:00'")
    assert isinstance(value, str)  # noqa: S101 - for mypy: _expect checked it
    found = _INSTANT.fullmatch(value)
    if found is None:
        raise Bad(
            f"expected an ISO 8601 instant with its offset such as "
            f"'2026-01-31T09:00:00+00:00' (optionally '[Europe/Paris]'), got {shown(value)}"
        )
    text, key = found.groups()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Bad(f"not a valid date and time: {shown(value)}") from None
    offset = parsed.utcoffset()
    if key is None:
        return parsed if offset or parsed.tzinfo is UTC else parsed.replace(tzinfo=UTC)
    tz = _zone(key)
    if tz is None:
        raise Bad(f"unknown IANA time zone {shown(key)} in {shown(value)}")
    wall = (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second)
    for fold in (0, 1):  # built, not replace()d: a third of the cost on CPython 3.11
        local = datetime(*wall, parsed.microsecond, tzinfo=tz, fold=fold)
        if local.utcoffset() == offset:
            return local
    raise Bad(f"{key} is never at offset {text[19:]} at {text[:19]}, in {shown(value)}")


def dump_duration(value: timedelta) -> str:
    """ISO 8601 duration in days, hours, minutes and seconds: ``P3D``, ``PT36H`` is ``P1DT12H``."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(
        (
            f"{hours}H" if hours else "",
            f"{minutes}M" if minutes else "",
            f"{seconds}.{value.microseconds:06d}S"
            if value.microseconds
            else (f"{seconds}S" if seconds else ""),
        )
    )
    days = f"{value.days}D" if value.days or not clock else ""
    return f"{sign}P{days}{'T' + clock if clock else ''}"


def load_duration(value: object) -> timedelta:
    """The duration ``dump_duration`` wrote."""
    _expect(value, str, "an ISO 8601 duration string such as 'P3D' or 'PT12H'")
    assert isinstance(value, str)  # noqa: S101 - for mypy: _expect checked it
    found = _DURATION.fullmatch(value)
    if found is None or value.rstrip("-") in {"P", "PT"} or value.endswith("T"):
        raise Bad(f"expected an ISO 8601 duration such as 'P3D' or 'P1DT12H', got {shown(value)}")
    sign, days, hours, minutes, seconds, micros = found.groups()
    duration = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
        microseconds=int(micros or 0),
    )
    return -duration if sign else duration


def dump_decimal(value: Decimal) -> str:
    """A percentage as exact text: ``"20"``, ``"8.875"``."""
    return str(value)


def load_decimal(value: object) -> Decimal:
    """The exact decimal ``dump_decimal`` wrote (the value's own class checks its range)."""
    _expect(value, str, "a decimal string such as '20' or '8.875'")
    assert isinstance(value, str)  # noqa: S101 - for mypy: _expect checked it
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or len(value) > 40:
        raise Bad(f"expected a decimal string such as '20' or '8.875', got {shown(value)}")
    return number


@functools.lru_cache(maxsize=256)  # bounded: a document may name any string
def _iso_currency(code: str) -> Currency | None:
    """The ISO 4217 currency with exactly this code, else ``None`` (a few dozen codes: cached)."""
    try:
        return Currency.of(code)
    except SubscriptionRulesError:
        return None


@functools.lru_cache(maxsize=256)
def _exact_iso_currency(code: str) -> Currency | None:
    """The ISO 4217 currency written exactly ``code`` (three upper-case letters), else ``None``."""
    return _iso_currency(code) if _CODE.fullmatch(code) else None


def dump_currency(value: Currency) -> str | dict[str, Any]:
    """An ISO 4217 code; a currency outside the table also gives its exponent."""
    if _iso_currency(value.code) == value:
        return value.code
    return {"code": value.code, "exponent": value.exponent}


def load_currency(value: object) -> Currency:
    """The currency ``dump_currency`` wrote."""
    if isinstance(value, dict):
        extra = sorted(set(value) - {"code", "exponent"})
        if extra:
            raise Bad(f"unknown key {shown(extra[0])}; a currency has 'code' and 'exponent'")
        for key, kind, what in (("code", str, "a string"), ("exponent", int, "an integer")):
            if key not in value:
                raise Bad("missing required key", key)
            try:
                _expect(value[key], kind, what)
            except Bad as bad:
                raise Bad(bad.message, key) from None
        return Currency(value["code"], value["exponent"])
    _expect(value, str, "a three-letter ISO 4217 code such as 'USD'")
    assert isinstance(value, str)  # noqa: S101 - for mypy: _expect checked it
    if _CODE.fullmatch(value) is None:
        raise Bad(
            f"expected a three-letter upper-case ISO 4217 code such as 'USD', got {shown(value)}"
        )
    found = _iso_currency(value)
    if found is None:
        raise Bad(
            f"unknown ISO 4217 currency code {shown(value)}; "
            "give another currency as {'code': ..., 'exponent': ...}"
        )
    return found


def dump_money(value: Money) -> dict[str, Any]:
    """``{"amount": "12.34", "currency": "USD"}``: a decimal string in major units."""
    return {"amount": value.format_amount(), "currency": dump_currency(value.currency)}


def _quick_money(value: object) -> Money | None:
    """The common shape (an ISO code, the right decimal places), checked in full; else ``None``."""
    if type(value) is not dict or len(value) != 2:
        return None
    amount, code = value.get("amount"), value.get("currency")
    currency = _exact_iso_currency(code) if type(code) is str else None
    if (
        currency is None
        or type(amount) is not str
        or (found := _AMOUNT.fullmatch(amount)) is None
        or len(found.group(2) or "") != currency.exponent
    ):
        return None
    try:
        return Money(int(amount.replace(".", "")), currency)
    except SubscriptionRulesError as error:
        raise Bad(str(error), "amount") from None


def load_money(value: object) -> Money:
    """The amount ``dump_money`` wrote, with exactly its currency's decimal places."""
    quick = _quick_money(value)
    if quick is not None:
        return quick
    _expect(value, dict, 'an amount object such as {"amount": "12.34", "currency": "USD"}')
    assert isinstance(value, dict)  # noqa: S101 - for mypy: _expect checked it
    extra = sorted(set(value) - {"amount", "currency"})
    if extra:
        raise Bad(f"unknown key {shown(extra[0])}; an amount has 'amount' and 'currency'")
    for key in ("amount", "currency"):
        if key not in value:
            raise Bad("missing required key", key)
    try:
        currency = load_currency(value["currency"])
    except Bad as bad:
        raise Bad(bad.message, "currency", *bad.where) from None
    except SubscriptionRulesError as error:
        raise Bad(str(error), "currency") from None
    amount = value["amount"]
    try:
        _expect(amount, str, "a decimal string such as '12.34'")
    except Bad as bad:
        raise Bad(bad.message, "amount") from None
    found = _AMOUNT.fullmatch(amount)
    places = currency.exponent
    example = "12" if places == 0 else "12." + "34567"[:places]
    if found is None or len(found.group(2) or "") != places:
        raise Bad(
            f"expected a decimal string with {places} decimal places for {currency.code} "
            f"such as {shown(example)}, got {shown(amount)}",
            "amount",
        )
    try:
        return Money(int(amount.replace(".", "")), currency)
    except SubscriptionRulesError as error:
        raise Bad(str(error), "amount") from None


_FACT_KINDS: Final = {"money": Money, "instant": datetime, "text": str, "integer": int}


def dump_fact(fact: Fact) -> dict[str, Any]:
    """``{"name": ..., "type": "money" | "instant" | "text" | "integer", "value": ...}``."""
    value = fact.value
    match value:
        case Money():
            return {"name": str(fact.name), "type": "money", "value": dump_money(value)}
        case datetime():
            return {"name": str(fact.name), "type": "instant", "value": dump_instant(value)}
        case bool():  # a bool is an int to Python; no fact holds one, the Notice refuses it
            raise SerializationError(f"a fact's value cannot be a bool, got {value!r}")
        case str():
            return {"name": str(fact.name), "type": "text", "value": value}
        case int():
            return {"name": str(fact.name), "type": "integer", "value": value}
        case _:
            assert_never(value)


def load_fact(value: object) -> Fact:
    """The fact ``dump_fact`` wrote."""
    _expect(value, dict, "a fact object")
    assert isinstance(value, dict)  # noqa: S101 - for mypy: _expect checked it
    extra = sorted(set(value) - {"name", "type", "value"})
    if extra:
        raise Bad(f"unknown key {shown(extra[0])}; a fact has 'name', 'type' and 'value'")
    for key in ("name", "type", "value"):
        if key not in value:
            raise Bad("missing required key", key)
    try:
        _expect(value["name"], str, "a string")
    except Bad as bad:
        raise Bad(bad.message, "name") from None
    kind = value["type"]
    if kind not in _FACT_KINDS:
        raise Bad(
            f"unknown fact type {shown(kind)}; expected one of {', '.join(_FACT_KINDS)}", "type"
        )
    raw = value["value"]
    try:
        if kind == "money":
            loaded: object = load_money(raw)
        elif kind == "instant":
            loaded = load_instant(raw)
        else:
            _expect(raw, _FACT_KINDS[kind], "a string" if kind == "text" else "an integer")
            loaded = raw
    except Bad as bad:
        raise Bad(bad.message, "value", *bad.where) from None
    return Fact(value["name"], loaded)  # type: ignore[arg-type]  # checked by kind above


def load_enum(kind: type[enum.Enum], value: object) -> enum.Enum:
    """The member whose value is ``value``, exactly (no case folding, no names)."""
    return _enum_loader(kind)(value)


@functools.cache
def _enum_loader(kind: type[enum.Enum]) -> Callable[[object], enum.Enum]:
    """A lookup by (JSON type, value): ``1`` never reads as ``True``, ``"1"`` never as ``1``."""
    table = {(type(member.value), member.value): member for member in kind}
    known = ", ".join(shown(member.value) for member in kind)

    def load(value: object) -> enum.Enum:
        try:
            return table[type(value), value]
        except (KeyError, TypeError):  # TypeError: an object or array is unhashable
            raise Bad(f"unknown {kind.__name__} {shown(value)}; expected one of {known}") from None

    return load


# --- the converter ------------------------------------------------------------------------


def _is_tuple(kind: object) -> bool:
    return get_origin(kind) is tuple


def _is_frozenset(kind: object) -> bool:
    return get_origin(kind) is frozenset


def _is_enum(kind: object) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _scalar(kind: type, what: str) -> Callable[[object, object], object]:
    def load(value: object, _: object) -> object:
        if type(value) is kind:
            return value
        raise Bad(f"expected {what}, got {json_type(value)} {shown(value)}")

    return load


def _enum_hook(kind: type[enum.Enum]) -> Callable[[object, object], enum.Enum]:
    load = _enum_loader(kind)
    return lambda value, _: load(value)


def _leaves(conv: cattrs.Converter) -> None:
    conv.register_structure_hook(str, _scalar(str, "a string"))
    conv.register_structure_hook(int, _scalar(int, "an integer"))
    conv.register_structure_hook(bool, _scalar(bool, "a boolean"))
    for cls, dumper, loader in (
        (datetime, dump_instant, load_instant),
        (timedelta, dump_duration, load_duration),
        (Decimal, dump_decimal, load_decimal),
        (Currency, dump_currency, load_currency),
        (Money, dump_money, load_money),
        (Fact, dump_fact, load_fact),
    ):
        conv.register_unstructure_hook(cls, dumper)
        conv.register_structure_hook(cls, lambda value, _, load=loader: load(value))
    conv.register_unstructure_hook_func(_is_enum, lambda member: member.value)
    conv.register_structure_hook_factory(_is_enum, _enum_hook)


def _items(conv: cattrs.Converter, kind: object) -> Callable[[object, object], tuple[Any, ...]]:
    from cattrs.errors import IterableValidationError, IterableValidationNote  # noqa: PLC0415

    args = get_args(kind)
    homogeneous = len(args) == 2 and args[1] is Ellipsis
    kinds = args[:1] if homogeneous else args
    hooks = [conv.get_structure_hook(arg) for arg in kinds]  # built once, not per item

    def failed(value: list[Any]) -> IterableValidationError:
        errors = []
        for index, item in enumerate(value):
            item_kind = kinds[0] if homogeneous else kinds[index]
            try:
                (hooks[0] if homogeneous else hooks[index])(item, item_kind)
            except Exception as error:  # noqa: BLE001 - gathered, then reported with paths
                note = IterableValidationNote(f"@ index {index}", index, item_kind)
                error.__notes__ = [*getattr(error, "__notes__", []), note]
                errors.append(error)
        return IterableValidationError(f"While structuring {kind}", errors, tuple)

    def load(value: object, _: object) -> tuple[Any, ...]:
        _expect(value, list, "an array")
        assert isinstance(value, list)  # noqa: S101 - for mypy: _expect checked it
        if not homogeneous and len(value) != len(args):
            raise Bad(f"expected an array of {len(args)} items, got {len(value)}")
        try:
            if homogeneous:
                hook, item_kind = hooks[0], kinds[0]
                return tuple([hook(item, item_kind) for item in value])
            return tuple([hook(item, k) for hook, item, k in zip(hooks, value, kinds, strict=True)])
        except Exception:  # noqa: BLE001 - load again, item by item, to gather every problem
            raise failed(value) from None

    return load


def _sequences(conv: cattrs.Converter) -> None:
    def dump_items(kind: object) -> Callable[[tuple[Any, ...]], list[Any]]:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = conv.get_unstructure_hook(args[0])
            return lambda value: [item(one) for one in value]
        hooks = [conv.get_unstructure_hook(arg) for arg in args]
        return lambda value: [hook(one) for hook, one in zip(hooks, value, strict=True)]

    def unique(kind: object) -> Callable[[object, object], frozenset[Any]]:
        as_tuple = _items(conv, tuple[get_args(kind)[0], ...])  # type: ignore[misc]

        def load(value: object, _: object) -> frozenset[Any]:
            items = as_tuple(value, None)
            if len(set(items)) != len(items):
                raise Bad(f"expected distinct items, got {shown(value)}")
            return frozenset(items)

        return load

    def dump_unique(kind: object) -> Callable[[frozenset[Any]], list[Any]]:
        item = conv.get_unstructure_hook(get_args(kind)[0])
        return lambda value: sorted((item(one) for one in value), key=repr)

    conv.register_structure_hook_factory(_is_tuple, lambda kind: _items(conv, kind))
    conv.register_unstructure_hook_factory(_is_tuple, dump_items)
    conv.register_structure_hook_factory(_is_frozenset, unique)
    conv.register_unstructure_hook_factory(_is_frozenset, dump_unique)


def _tagged(conv: cattrs.Converter, kind: object) -> Callable[[object, object], object]:
    by_tag = {
        tag(member): (member, conv.get_structure_hook(member)) for member in members(kind) or ()
    }
    optional = type(None) in get_args(kind)
    known = ", ".join(by_tag)

    def load(value: object, _: object) -> object:
        if value is None and optional:
            return None
        _expect(value, dict, f"an object tagged with 'type' ({known})")
        assert isinstance(value, dict)  # noqa: S101 - for mypy: _expect checked it
        if "type" not in value:
            raise Bad(f"missing required key; expected one of {known}", "type")
        found = by_tag.get(value["type"]) if isinstance(value["type"], str) else None
        if found is None:
            raise Bad(f"unknown type {shown(value['type'])}; expected one of {known}", "type")
        member, hook = found
        return hook({k: v for k, v in value.items() if k != "type"}, member)

    return load


def _optional(conv: cattrs.Converter, kind: object) -> Callable[[object, object], object]:
    inner = optional_of(kind)
    hook = conv.get_structure_hook(inner)

    def load(value: object, _: object) -> object:
        return None if value is None else hook(value, inner)

    return load


def _unions_and_classes(conv: cattrs.Converter) -> None:
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415

    def dump_tagged(_: object) -> Callable[[object], object]:
        def dump(value: object) -> object:
            if value is None:
                return None
            return {"type": tag(type(value)), **conv.unstructure(value, type(value))}

        return dump

    def is_tagged(kind: object) -> bool:
        return members(kind) is not None

    def attrs_class(cls: type) -> Callable[[object, object], object]:
        structure: Callable[[dict[str, Any], type], object] = make_dict_structure_fn(
            cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
        )

        def load(value: object, _: object) -> object:
            _expect(value, dict, f"an object ({cls.__name__})")
            return structure(typing.cast("dict[str, Any]", value), cls)

        return load

    conv.register_structure_hook_factory(is_tagged, lambda kind: _tagged(conv, kind))
    conv.register_structure_hook_factory(
        lambda kind: not is_tagged(kind) and optional_of(kind) is not None,
        lambda kind: _optional(conv, kind),
    )
    conv.register_unstructure_hook_factory(is_tagged, dump_tagged)
    conv.register_structure_hook_factory(attrs.has, attrs_class)


@functools.cache
def converter() -> cattrs.Converter:
    """The one converter, built on first use (importing cattrs then)."""
    import cattrs  # noqa: PLC0415 - lazily: the core import stays light

    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    _leaves(conv)
    _sequences(conv)
    _unions_and_classes(conv)
    return conv


# --- errors -------------------------------------------------------------------------------


def _joined(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{'' if path == '$' else path}[{step}]"
    return step if path == "$" else f"{path}.{step}"


def _step(error: BaseException) -> str | int | None:
    """The attribute or index a nested failure happened at, from the note cattrs added."""
    from cattrs.errors import AttributeValidationNote, IterableValidationNote  # noqa: PLC0415

    step: str | int | None = None
    for note in getattr(error, "__notes__", []):
        if isinstance(note, AttributeValidationNote):
            step = note.name
        if isinstance(note, IterableValidationNote):  # the two kinds are unrelated classes
            step = note.index
    return step


def problems(error: BaseException, path: str = "$") -> Iterator[tuple[str, str]]:
    """Each problem in a failed load, as (path, what is wrong), in the document's order."""
    from cattrs.errors import (  # noqa: PLC0415 - cattrs is loaded by now
        ClassValidationError,
        ForbiddenExtraKeysError,
        IterableValidationError,
    )

    match error:
        case ClassValidationError() | IterableValidationError():
            for inner in error.exceptions:
                step = _step(inner)
                yield from problems(inner, path if step is None else _joined(path, step))
        case ForbiddenExtraKeysError():
            for key in sorted(error.extra_fields):
                yield _joined(path, key), "unknown key"
        case Bad():
            for step in error.where:
                path = _joined(path, step)
            yield path, error.message
        case KeyError():
            yield path, "missing required key"
        case SubscriptionRulesError():
            yield path, f"refused by the value's own checks: {error}"
        case Exception():
            yield path, f"{type(error).__name__}: {error}"
        case _:  # KeyboardInterrupt and the like are no problem of the document's
            raise error
