"""The fast path of the storage format: specialised dump and load functions, made at first use.

:mod:`._codec`'s converter names the path of every problem, and pays for it on
every call. The functions here write the same documents and accept a subset of
what the converter accepts, with the same leaf parsers and every value through
its own constructor (so its checks run on stored data), but keep no path: a load
that fails here, for any reason, is loaded again by the converter, which then
either raises the :class:`~subscription_rules.errors.SerializationError` naming
the path or returns the value. What a fast load accepts, the converter accepts
too and builds equal: each attrs class is built from exactly its fields (a
document missing a defaulted field, as version 1 wrote them, goes to the
converter), and the leaves are the converter's own parsers behind bounded memos
of the results (a money or instant string always reads as the same value).

For each attrs class the module writes Python source once (``cls(a=la(o['a']),
...)``) and compiles it, as cattrs does, with the leaves inlined where they are
one comparison (strings, integers, booleans, enums) and the converter's hooks
used for any type without a specialisation here.
"""

from __future__ import annotations

import enum
import functools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, get_args, get_origin

import attrs

from subscription_rules.money import Currency, Money
from subscription_rules.notifications import Fact
from subscription_rules.serialization._codec import (
    _exact_iso_currency,
    _quick_money,
    converter,
    dump_currency,
    dump_instant,
    load_currency,
    load_instant,
    members,
    optional_of,
    tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_MEMO_SIZE: Final = 4096  # bounded: a memo is emptied when full, documents may hold any string
_INSTANTS: Final[dict[str, datetime]] = {}
_AMOUNTS: Final[dict[tuple[object, object], Money]] = {}


class Miss(Exception):  # noqa: N818 - an internal signal: the converter loads it instead
    """The fast path does not take this document; the converter decides."""


def _instant(value: object) -> datetime:
    if type(value) is not str:
        raise Miss
    found = _INSTANTS.get(value)
    if found is None:
        found = load_instant(value)
        if len(_INSTANTS) >= _MEMO_SIZE:
            _INSTANTS.clear()
        _INSTANTS[value] = found
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
        if len(_AMOUNTS) >= _MEMO_SIZE:
            _AMOUNTS.clear()
        _AMOUNTS[key] = found
    return found


def _currency(value: object) -> Currency:
    found = _exact_iso_currency(value) if type(value) is str else None
    return load_currency(value) if found is None else found


def _dump_money(value: Money) -> dict[str, Any]:
    return {"amount": value.format_amount(), "currency": dump_currency(value.currency)}


_LEAF_LOADERS: Final[dict[object, Callable[[object], object]]] = {
    datetime: _instant,
    Money: _money,
    Currency: _currency,
}
_LEAF_DUMPERS: Final[dict[object, Callable[[Any], object]]] = {
    datetime: dump_instant,
    Money: _dump_money,
}
#: The leaves the converter has hooks for (the attrs classes among them too): never generated.
_LEAVES: Final = (datetime, timedelta, Decimal, Currency, Money, Fact)
_SCALARS: Final = (str, int, bool)


def _is_enum(kind: object) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


class _Maker:
    """Writes, compiles and keeps the loaders or dumpers of one direction."""

    def __init__(self) -> None:
        self.made: dict[object, Callable[[Any], Any]] = {}
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

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
        if kind in _SCALARS:
            return self.compiled(
                "def scalar(v):\n    if type(v) is not K: raise Miss\n    return v\n",
                {"K": kind, "Miss": Miss},
                "scalar",
            )
        if _is_enum(kind):
            table = {(type(m.value), m.value): m for m in kind}  # type: ignore[attr-defined]
            return lambda value: table[type(value), value]
        union = members(kind)
        if union is not None:
            return self.tagged(kind, union)
        inner = optional_of(kind)
        if inner is not None:
            load = self.get(inner)
            return lambda value: None if value is None else load(value)
        if get_origin(kind) is tuple and get_args(kind)[1:] == (Ellipsis,):
            item = self.get(get_args(kind)[0])
            return self.compiled(
                "def items(v):\n    if type(v) is not list: raise Miss\n"
                "    return tuple([item(x) for x in v])\n",
                {"item": item, "Miss": Miss},
                "items",
            )
        if isinstance(kind, type) and attrs.has(kind):
            return self.attrs_class(kind, ())
        hook = converter().get_structure_hook(kind)
        return lambda value: hook(value, kind)

    def tagged(self, kind: object, union: tuple[type, ...]) -> Callable[[Any], Any]:
        by_tag = {tag(member): self.attrs_class(member, ("type",)) for member in union}
        optional = type(None) in get_args(kind)

        def load(value: object) -> object:
            if value is None and optional:
                return None
            return by_tag[value["type"]](value)  # type: ignore[index]  # else a miss

        return load

    def attrs_class(self, cls: type, extra: tuple[str, ...]) -> Callable[[Any], Any]:
        """``cls`` from an object with its fields (and the ``extra`` keys), no other key.

        A field with a default may be absent, as the converter allows: its default is
        passed (attrs checks and converts a default as it does a value).
        """
        attrs.resolve_types(cls)
        fields = [field for field in attrs.fields(cls) if field.init]
        namespace: dict[str, Any] = {"Miss": Miss, "cls": cls, "miss": _miss}
        namespace["keys"] = frozenset([*(field.name for field in fields), *extra])
        arguments = []
        for field in fields:
            key = repr(field.name)
            if field.type in _SCALARS:
                namespace[f"t_{field.name}"] = field.type
                value = f"(v if type(v := o[{key}]) is t_{field.name} else miss())"
            else:
                namespace[f"l_{field.name}"] = self.get(field.type)
                value = f"l_{field.name}(o[{key}])"
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs' own class
                if not default.takes_self:
                    namespace[f"d_{field.name}"] = default.factory
                    value = f"({value} if {key} in o else d_{field.name}())"
            elif default is not attrs.NOTHING:
                namespace[f"d_{field.name}"] = default
                value = f"({value} if {key} in o else d_{field.name})"
            arguments.append(f"{field.alias}={value}")
        name = self.name("load_" + cls.__name__ + "_")
        joined = ",\n        ".join(arguments)
        source = (
            f"def {name}(o):\n"
            f"    if type(o) is not dict or (o.keys() != keys and not o.keys() <= keys):\n"
            f"        raise Miss\n"
            f"    return cls(\n        {joined}\n    )\n"
        )
        return self.compiled(source, namespace, name)


def _miss() -> None:
    raise Miss


class _Dumpers(_Maker):
    def leaf(self, kind: object) -> Callable[[Any], Any] | None:
        if kind in _LEAF_DUMPERS:
            return _LEAF_DUMPERS[kind]
        if kind in _LEAVES:
            return converter().get_unstructure_hook(kind)
        if kind in _SCALARS:
            return _identity
        if _is_enum(kind):
            return _enum_value
        return None

    def make(self, kind: object) -> Callable[[Any], Any]:  # noqa: PLR0911 - one case a kind
        leaf = self.leaf(kind)
        if leaf is not None:
            return leaf
        union = members(kind)
        if union is not None:
            return self.tagged(union)
        inner = optional_of(kind)
        if inner is not None:
            dump = self.get(inner)
            if dump is _identity:
                return _identity
            return lambda value: None if value is None else dump(value)
        if get_origin(kind) is tuple and get_args(kind)[1:] == (Ellipsis,):
            item = self.get(get_args(kind)[0])
            if item is _identity:
                return list
            return lambda value: [item(one) for one in value]
        if isinstance(kind, type) and attrs.has(kind):
            return self.attrs_class(kind)
        return converter().get_unstructure_hook(kind)

    def tagged(self, union: tuple[type, ...]) -> Callable[[Any], Any]:
        by_type = {member: (tag(member), self.get(member)) for member in union}

        def dump(value: object) -> object:
            if value is None:
                return None
            name, fields = by_type[type(value)]
            return {"type": name, **fields(value)}

        return dump

    def attrs_class(self, cls: type) -> Callable[[Any], Any]:
        attrs.resolve_types(cls)
        namespace: dict[str, Any] = {}
        items = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            dump = self.get(field.type)
            if dump is _identity:
                items.append(f"{field.name!r}: v.{field.name}")
            elif dump is _enum_value:
                items.append(f"{field.name!r}: v.{field.name}.value")
            else:
                namespace[f"d_{field.name}"] = dump
                items.append(f"{field.name!r}: d_{field.name}(v.{field.name})")
        name = self.name("dump_" + cls.__name__ + "_")
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
