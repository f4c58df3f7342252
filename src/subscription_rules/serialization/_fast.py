"""The fast path of the storage format: specialised dump and load functions, made at first use.

:mod:`._codec`'s converter names the path of every problem, and pays for it on
every call. The functions here write the same documents and accept a subset of
what the converter accepts, with the same leaf parsers and every value through
its own constructor (so its checks run on stored data), but keep no path: a load
that fails here, for any reason, is loaded again by the converter, which then
either raises the :class:`~subscription_rules.errors.SerializationError` naming
the path or returns the value. What a fast load accepts, the converter accepts
too and builds equal: each attrs class is built from its fields and no other key
(a field with a default may be absent, as in the converter), and the leaves are
the converter's own parsers behind bounded memos of the results (an amount or
an instant string always reads as the same value, a class of scalars such as
an ``Interval`` is the same value for the same fields). Only documents of the
current schema version take this path; :func:`~subscription_rules.serialization.load`
migrates older ones and hands them to the converter.

For each attrs class the module writes Python source once (``cls(a=la(o['a']),
...)`` and the dict literal back) and compiles it, as cattrs does, with
strings, integers, booleans, enums, optionals and rows of scalars (``tuple[str,
str]``) inlined, and the converter's hooks used for any type without a
specialisation here (durations, percentages, facts, sets).
"""

from __future__ import annotations

import enum
import functools
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs

from subscription_rules.money import Currency, Money
from subscription_rules.notifications import Fact
from subscription_rules.serialization._codec import (
    _exact_iso_currency,
    _quick_money,
    converter,
    dump_currency,
    dump_instant,
    dump_money,
    load_currency,
    load_instant,
    members,
    optional_of,
    tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

_MEMO_SIZE: Final = 4096  # bounded: a memo is emptied when full, documents may hold any string
_INSTANTS: Final[dict[str, datetime]] = {}
_AMOUNTS: Final[dict[tuple[object, object], Money]] = {}
_INSTANT_TEXTS: Final[dict[tuple[datetime, object, int], str]] = {}
_AMOUNT_TEXTS: Final[dict[tuple[int, str, int], tuple[str, str | dict[str, Any]]]] = {}


_ZONE_TYPES: Final = (ZoneInfo, timezone)


class Miss(Exception):  # noqa: N818 - an internal signal: the converter loads it instead
    """The fast path does not take this document; the converter decides."""


def _miss() -> None:
    raise Miss


def remember(memo: dict[Any, Any], key: Hashable, value: object) -> None:
    """Keep ``value`` under ``key``, emptying the memo first when it is full."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value


# --- leaves: the converter's parsers and writers behind memos of their results -------------


def _instant(value: object) -> datetime:
    found = _INSTANTS.get(value) if type(value) is str else None
    if found is None:
        found = load_instant(value)
        remember(_INSTANTS, value, found)
    return found


def _money(value: object) -> Money:
    if type(value) is not dict or len(value) != 2:
        raise Miss
    key = (value.get("amount"), value.get("currency"))
    found = _AMOUNTS.get(key)  # unhashable: a TypeError, a miss
    if found is None:
        found = _quick_money(value)
        if found is None:
            raise Miss
        remember(_AMOUNTS, key, found)
    return found


def _currency(value: object) -> Currency:
    found = _exact_iso_currency(value) if type(value) is str else None
    return load_currency(value) if found is None else found


def _dump_instant(value: datetime) -> str:
    """``dump_instant``: the same wall clock, zone and fold write the same text."""
    if type(value) is not datetime or type(value.tzinfo) not in _ZONE_TYPES:
        return dump_instant(value)  # a tzinfo of the host's: its equality is not known here
    key = (value, value.tzinfo, value.fold)  # equal instants in other zones are other keys
    found = _INSTANT_TEXTS.get(key)
    if found is None:
        found = dump_instant(value)
        remember(_INSTANT_TEXTS, key, found)
    return found


def _dump_money(value: Money) -> dict[str, Any]:
    """``dump_money``: the same minor units, code and exponent write the same amount."""
    currency = value.currency
    if type(value) is not Money or type(currency) is not Currency:
        return dump_money(value)
    key = (value.minor, currency.code, currency.exponent)
    found = _AMOUNT_TEXTS.get(key)
    if found is None:
        found = (value.format_amount(), dump_currency(currency))
        remember(_AMOUNT_TEXTS, key, found)
    amount, code = found
    return {"amount": amount, "currency": code if isinstance(code, str) else dict(code)}


#: The leaves whose memo the generated code reads itself: (memo, test of the value, key).
_REMEMBERED: Final[dict[object, tuple[dict[Any, Any], str, str]]] = {
    datetime: (_INSTANTS, "type({0}) is str", "{0}"),
    Money: (
        _AMOUNTS,
        "type({0}) is dict and len({0}) == 2",
        "({0}.get('amount'), {0}.get('currency'))",
    ),
}
_LEAF_LOADERS: Final[dict[object, Callable[[object], object]]] = {
    datetime: _instant,
    Money: _money,
    Currency: _currency,
}
_LEAF_DUMPERS: Final[dict[object, Callable[[Any], object]]] = {
    datetime: _dump_instant,
    Money: _dump_money,
}
#: The leaves the converter has hooks for (the attrs classes among them too): never generated.
_LEAVES: Final = (datetime, timedelta, Decimal, Currency, Money, Fact)
_SCALARS: Final = (str, int, bool)


def _is_enum(kind: object) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _plain(kind: object) -> object:
    """``X`` for ``X | None`` unless a tagged union (which reads its own ``None``), else ``kind``."""
    inner = None if members(kind) is not None else optional_of(kind)
    return kind if inner is None else inner


def _homogeneous(kind: object) -> object | None:
    """``X`` for ``tuple[X, ...]``, else ``None``."""
    args: tuple[object, ...] = get_args(kind)
    return args[0] if get_origin(kind) is tuple and args[1:] == (Ellipsis,) else None


def _scalar_row(kind: object) -> tuple[type, ...] | None:
    """``(str, str)`` for ``tuple[str, str]``: a fixed tuple of strings, integers or booleans."""
    args: tuple[object, ...] = get_args(kind)
    if get_origin(kind) is not tuple or not args or not all(a in _SCALARS for a in args):
        return None
    return args  # type: ignore[return-value]  # checked: each is str, int or bool


# --- generated functions ----------------------------------------------------------------


class _Maker:
    """Writes, compiles and keeps the loaders or dumpers of one direction."""

    def __init__(self) -> None:
        self.made: dict[object, Callable[[Any], Any]] = {}
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def compiled(self, source: str, namespace: dict[str, Any], name: str) -> Callable[[Any], Any]:
        exec(compile(source, f"<subscription_rules fast {name}>", "exec"), namespace)  # noqa: S102
        function: Callable[[Any], Any] = namespace[name]
        return function

    def get(self, kind: object) -> Callable[[Any], Any]:
        found = self.made.get(kind)
        if found is None:
            box: list[Callable[[Any], Any]] = []
            self.made[kind] = lambda value: box[0](value)  # noqa: PLW0108 - a class within itself
            found = self.make(kind)
            box.append(found)
            self.made[kind] = found
        return found

    def make(self, kind: object) -> Callable[[Any], Any]:
        raise NotImplementedError


class _Loaders(_Maker):
    def make(self, kind: object) -> Callable[[Any], Any]:  # noqa: PLR0911 - one case a kind
        if kind in _LEAF_LOADERS:
            return _LEAF_LOADERS[kind]
        if kind in _LEAVES:
            hook = converter().get_structure_hook(kind)
            return lambda value: hook(value, kind)
        union = members(kind)
        if union is not None:
            return self.tagged(kind, union)
        if isinstance(kind, type) and attrs.has(kind):
            return self.attrs_class(kind, ())
        if _homogeneous(kind) is not None:
            return self.items(kind)
        plain = _plain(kind)
        simple = plain in _SCALARS or _is_enum(plain) or _scalar_row(plain) is not None
        if plain is kind and not simple:
            hook = converter().get_structure_hook(kind)  # frozenset[...], tuple[Money, str]
            return lambda value: hook(value, kind)
        namespace: dict[str, Any] = {"Miss": Miss, "miss": _miss}
        name = self.name("load")
        expression = self.expression(kind, "o", namespace, "x")
        return self.compiled(f"def {name}(o):\n    return {expression}\n", namespace, name)

    def expression(self, kind: object, source: str, namespace: dict[str, Any], slot: str) -> str:
        """Python reading ``source`` as a ``kind``, raising on anything the converter refuses."""
        plain = _plain(kind)
        optional = plain is not kind
        var = f"v_{slot}"
        if plain in _SCALARS:
            namespace[f"t_{slot}"] = plain
            none = f"(({var} := {source}) is None or type({var}) is t_{slot})"
            test = none if optional else f"type({var} := {source}) is t_{slot}"
            return f"({var} if {test} else miss())"
        row = _scalar_row(plain)
        if row is not None:
            namespace[f"t_{slot}"] = row
            wrong = " or ".join(f"type({var}[{i}]) is not t_{slot}[{i}]" for i in range(len(row)))
            shape = f"type({var}) is not list or len({var}) != {len(row)}"
            read = f"(miss() if {shape} or {wrong} else tuple({var}))"  # var read first: bound
        elif _is_enum(plain):
            members_ = plain.__members__.values()  # type: ignore[attr-defined]
            namespace[f"e_{slot}"] = {(type(m.value), m.value): m for m in members_}
            read = f"e_{slot}[type({var}), {var}]"
        else:
            namespace[f"l_{slot}"] = self.get(plain)
            read = f"l_{slot}({var})"
            remembered = _REMEMBERED.get(plain)  # the memo looked up here, the call on a miss
            if remembered is not None:
                memo, test, key = remembered
                namespace[f"m_{slot}"] = memo
                found = f"(r_{slot} := m_{slot}.get({key.format(var)})) is not None"
                read = f"(r_{slot} if {test.format(var)} and {found} else {read})"
        if optional:
            return f"(None if ({var} := {source}) is None else {read})"
        first = read.index(var)  # bound where first read: e[type(v := o['a']), v]
        return read[:first] + f"({var} := {source})" + read[first + len(var) :]

    def items(self, kind: object) -> Callable[[Any], Any]:
        namespace: dict[str, Any] = {"Miss": Miss, "miss": _miss}
        expression = self.expression(_homogeneous(kind), "x", namespace, "item")
        name = self.name("load_items")
        source = (
            f"def {name}(o):\n    if type(o) is not list: raise Miss\n"
            f"    return tuple([{expression} for x in o])\n"
        )
        return self.compiled(source, namespace, name)

    def tagged(self, kind: object, union: tuple[type, ...]) -> Callable[[Any], Any]:
        by_tag = {tag(member): self.attrs_class(member, ("type",)) for member in union}
        optional = type(None) in get_args(kind)

        def load(value: object) -> object:
            if value is None and optional:
                return None
            return by_tag[value["type"]](value)  # type: ignore[index]  # else a miss

        return load

    def attrs_class(self, cls: type, extra: tuple[str, ...]) -> Callable[[Any], Any]:
        """``cls`` from an object with its fields and the ``extra`` keys, no other key.

        The caller has seen the ``extra`` keys (a document's ``schema_version`` and
        ``type``, a union member's ``type``). An object with as many keys as that, each
        field read by its key, has exactly those keys. A field with a default may be
        absent, as the converter allows: its default is passed (attrs checks and
        converts a default as it does a value). A class of strings, integers,
        booleans and enums only (an ``Interval``) is remembered by its fields'
        values, checked by its constructor once.
        """
        attrs.resolve_types(cls)
        fields = [field for field in attrs.fields(cls) if field.init]
        namespace: dict[str, Any] = {"Miss": Miss, "cls": cls, "miss": _miss}
        namespace["keys"] = frozenset([*(field.name for field in fields), *extra])
        complete, partial = [], []
        for index, field in enumerate(fields):
            key = repr(field.name)
            value = self.expression(field.type, f"o[{key}]", namespace, str(index))
            complete.append(f"        a{index} = {value}")
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs' own class
                if not default.takes_self:
                    namespace[f"d_{index}"] = default.factory
                    value = f"({value} if {key} in o else d_{index}())"
            elif default is not attrs.NOTHING:
                namespace[f"d_{index}"] = default
                value = f"({value} if {key} in o else d_{index})"
            partial.append(f"        a{index} = {value}")
        name = self.name("load_" + cls.__name__)
        lines = [
            f"def {name}(o):",
            "    if type(o) is not dict: raise Miss",
            f"    if len(o) == {len(fields) + len(extra)}:",
            *complete,
            "        pass",
            "    elif o.keys() <= keys:",
            *partial,
            "        pass",
            "    else: raise Miss",
        ]
        call = ", ".join(f"{field.alias}=a{index}" for index, field in enumerate(fields))
        if all(_plain(field.type) in _SCALARS or _is_enum(_plain(field.type)) for field in fields):
            namespace["memo"], namespace["remember"] = {}, remember
            # an enum member (or None) by its id: members live as long as their class, and
            # enum's __hash__ is Python code
            parts = [
                f"id(a{index})" if _is_enum(_plain(field.type)) else f"a{index}"
                for index, field in enumerate(fields)
            ]
            key = "(" + "".join(f"{part}, " for part in parts) + ")"
            lines += [
                f"    found = memo.get({key})",
                "    if found is None:",
                f"        found = cls({call})",
                f"        remember(memo, {key}, found)",
                "    return found",
            ]
        else:
            lines.append(f"    return cls({call})")
        return self.compiled("\n".join(lines) + "\n", namespace, name)


class _Dumpers(_Maker):
    def make(self, kind: object) -> Callable[[Any], Any]:
        if kind in _LEAF_DUMPERS:
            return _LEAF_DUMPERS[kind]
        if kind in _LEAVES:
            return converter().get_unstructure_hook(kind)
        union = members(kind)
        if union is not None:
            return self.tagged(union)
        if isinstance(kind, type) and attrs.has(kind):
            return self.attrs_class(kind, {})
        plain = _plain(kind)
        simple = plain in _SCALARS or _is_enum(plain) or _homogeneous(kind) is not None
        simple = simple or _scalar_row(plain) is not None
        if plain is kind and not simple:  # frozenset[...], tuple[Money, str]
            return converter().get_unstructure_hook(kind)
        namespace: dict[str, Any] = {}
        name = self.name("dump")
        expression = self.expression(kind, "v", namespace, "x")
        return self.compiled(f"def {name}(v):\n    return {expression}\n", namespace, name)

    def expression(self, kind: object, source: str, namespace: dict[str, Any], slot: str) -> str:
        """Python writing ``source``, a ``kind``, as the converter does."""
        plain = _plain(kind)
        if plain in _SCALARS:
            return source
        var = f"x_{slot}"
        item = _homogeneous(plain)
        if item is not None:
            each = self.expression(item, f"i_{slot}", namespace, f"{slot}i")
            write = f"[{each} for i_{slot} in {var}]" if each != f"i_{slot}" else f"list({var})"
        elif _scalar_row(plain) is not None:
            size = len(get_args(plain))  # the converter's zip(..., strict=True) refuses another
            write = f"(list({var}) if len({var}) == {size} else miss())"
            namespace["miss"] = _miss
        elif _is_enum(plain):
            write = f"{var}._value_"  # what .value returns, without enum's Python descriptor
        else:
            namespace[f"d_{slot}"] = self.get(plain)
            write = f"d_{slot}({var})"
        if plain is not kind:
            return f"(None if ({var} := {source}) is None else {write})"
        return (
            write.replace(var, source, 1)
            if write.count(var) == 1
            else f"(({var} := {source}), {write})[1]"
        )

    def tagged(self, union: tuple[type, ...]) -> Callable[[Any], Any]:
        by_type = {member: self.attrs_class(member, {"type": tag(member)}) for member in union}

        def dump(value: object) -> object:
            return None if value is None else by_type[type(value)](value)

        return dump

    def attrs_class(self, cls: type, first: dict[str, object]) -> Callable[[Any], Any]:
        """A ``cls`` as an object of its fields, after the ``first`` keys and their values."""
        attrs.resolve_types(cls)
        namespace: dict[str, Any] = {}
        items = [f"{key!r}: {value!r}" for key, value in first.items()]
        for index, field in enumerate(attrs.fields(cls)):
            if field.init:
                value = self.expression(field.type, f"v.{field.name}", namespace, str(index))
                items.append(f"{field.name!r}: {value}")
        name = self.name("dump_" + cls.__name__)
        joined = ",\n        ".join(items)
        return self.compiled(
            f"def {name}(v):\n    return {{\n        {joined}\n    }}\n", namespace, name
        )


def _identity(value: object) -> object:
    return value


def _enum_value(value: enum.Enum) -> object:
    return value.value


@functools.cache
def _makers() -> tuple[_Loaders, _Dumpers]:
    converter()  # cattrs first: the fast path needs the storage extra as the converter does
    return _Loaders(), _Dumpers()


@functools.cache
def document_loader(cls: type) -> Callable[[dict[str, Any]], Any]:
    """``cls`` from a current document (``schema_version`` and ``type`` keys beside the fields).

    Raises any exception (most often :class:`Miss`) where the converter must decide.
    """
    loaders, _ = _makers()
    return loaders.attrs_class(cls, ("schema_version", "type"))


@functools.cache
def dumper(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The fields of a ``cls`` as the converter writes them."""
    _, dumpers = _makers()
    return dumpers.get(cls)


@functools.cache
def document_dumper(cls: type, name: str, version: int) -> Callable[[Any], dict[str, Any]]:
    """A ``cls`` as a document: ``schema_version`` and ``type`` (``name``), then its fields."""
    _, dumpers = _makers()
    return dumpers.attrs_class(cls, {"schema_version": version, "type": name})
