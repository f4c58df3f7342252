"""Loading a catalog from TOML: the format is in the docstring of :mod:`subscription_rules.catalog`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from subscription_rules import _toml as toml
from subscription_rules._checks import shown
from subscription_rules.catalog._catalog import Catalog
from subscription_rules.catalog._checks import _relabel
from subscription_rules.catalog._prices import Overage, Price
from subscription_rules.catalog._values import (
    DEFAULT_METRICS,
    MAX_CATALOG_BYTES,
    MAX_PLANS,
    Limits,
    Metric,
    MetricKind,
    Plan,
)
from subscription_rules.errors import CatalogError, InvalidArgumentError, SubscriptionRulesError
from subscription_rules.money import Currency, Money
from subscription_rules.periods import Interval

_TOP_KEYS: Final = ("currency", "metrics", "plans")
_METRIC_KEYS: Final = ("name", "kind", "singular", "plural", "verb")
_PLAN_KEYS: Final = ("id", "name", "prices", "limits", "trial_days", "rank", "overage")
_OVERAGE_KEYS: Final = ("price", "per")
_UNLIMITED: Final = "unlimited"


def _fail(plan: str | None) -> toml.Fail:
    """Problems found by the TOML reader, as errors naming the plan and key."""

    def fail(key: str, message: str, value: object) -> CatalogError:
        return CatalogError(message, plan=plan, key=key, value=value)

    return fail


def _required(table: Mapping[str, object], key: str, *, plan: str | None, prefix: str) -> object:
    return toml.required(table, key, where=prefix, fail=_fail(plan))


def _string(value: object, *, plan: str | None, key: str) -> str:
    return toml.string(value, key, _fail(plan))


def _integer(value: object, *, plan: str | None, key: str) -> int:
    return toml.integer(value, key, _fail(plan))


def _table(value: object, *, plan: str | None, key: str) -> dict[str, object]:
    return toml.table(value, key, _fail(plan))


def _tables(value: object, *, key: str) -> list[object]:
    return toml.tables(value, key, _fail(None))


def _refuse_unknown(
    table: Mapping[str, object], allowed: tuple[str, ...], *, plan: str | None, prefix: str
) -> None:
    toml.refuse_unknown(table, allowed, where=prefix, fail=_fail(plan))


def _document_fail(message: str, value: object) -> CatalogError:
    return CatalogError(message, value=value)


def _file_fail(message: str, value: object) -> CatalogError:
    return CatalogError(message, key="path", value=value)


def _parse_metric(index: int, raw: object) -> Metric:
    prefix = f"metrics[{index}]"
    table = _table(raw, plan=None, key=prefix)
    _refuse_unknown(table, _METRIC_KEYS, plan=None, prefix=prefix + ".")
    words = {
        key: _string(
            _required(table, key, plan=None, prefix=prefix + "."), plan=None, key=f"{prefix}.{key}"
        )
        for key in _METRIC_KEYS
    }
    kinds = {kind.value: kind for kind in MetricKind}
    kind = kinds.get(words["kind"])
    if kind is None:
        raise CatalogError(
            f"must be one of {', '.join(map(repr, kinds))}, got {shown(words['kind'])}",
            key=f"{prefix}.kind",
            value=words["kind"],
        )
    try:
        return Metric(words["name"], kind, words["singular"], words["plural"], words["verb"])
    except CatalogError as err:
        raise _relabel(err, plan=None, key=f"{prefix}.{err.key}") from err


def _parse_amount(value: object, currency: Currency, *, plan: str, key: str) -> Money:
    if isinstance(value, float):
        raise CatalogError(
            f"floats are refused for money, got {shown(value)};"
            f" write the amount as a string such as '{shown(value)}'",
            plan=plan,
            key=key,
            value=value,
        )
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise CatalogError(
            f"must be an amount as a string such as '50.00' or an integer, got {toml.toml_type(value)}",
            plan=plan,
            key=key,
            value=value,
        )
    try:
        return Money.of(value, currency)
    except SubscriptionRulesError as err:
        raise _relabel(err, plan=plan, key=key) from err


def _parse_prices(raw: object, currency: Currency, *, plan: str) -> tuple[Price, ...]:
    table = _table(raw, plan=plan, key="prices")
    prices = []
    for interval_key, value in table.items():
        key = f"prices.{interval_key}"
        try:
            interval = Interval.parse(interval_key)
        except SubscriptionRulesError as err:
            raise CatalogError(
                f"not a billing interval: {shown(interval_key)} (use e.g. monthly, quarterly,"
                ' yearly, weekly, daily or "6 months")',
                plan=plan,
                key=key,
                value=interval_key,
            ) from err
        amount = _parse_amount(value, currency, plan=plan, key=key)
        try:
            prices.append(Price(amount, interval))
        except CatalogError as err:
            raise _relabel(err, plan=plan, key=key) from err
    return tuple(prices)


def _parse_limits(raw: object, *, plan: str) -> Limits:
    table = _table(raw, plan=plan, key="limits")
    pairs: list[tuple[str, int | None]] = []
    for name, value in table.items():
        if value == _UNLIMITED:
            pairs.append((name, None))
        elif type(value) is int:
            pairs.append((name, value))
        else:
            raise CatalogError(
                f'must be an integer >= 0 or "{_UNLIMITED}", got {toml.toml_type(value)}',
                plan=plan,
                key=f"limits.{name}",
                value=value,
            )
    try:
        return Limits(tuple(pairs))
    except CatalogError as err:
        raise _relabel(err, plan=plan) from err


def _parse_overage(raw: object, currency: Currency, *, plan: str) -> tuple[Overage, ...]:
    table = _table(raw, plan=plan, key="overage")
    overages = []
    for metric, raw_entry in table.items():
        prefix = f"overage.{metric}"
        entry = _table(raw_entry, plan=plan, key=prefix)
        _refuse_unknown(entry, _OVERAGE_KEYS, plan=plan, prefix=prefix + ".")
        price = _parse_amount(
            _required(entry, "price", plan=plan, prefix=prefix + "."),
            currency,
            plan=plan,
            key=f"{prefix}.price",
        )
        per = _integer(entry.get("per", 1), plan=plan, key=f"{prefix}.per")
        try:
            overages.append(Overage(metric, price, per))
        except CatalogError as err:
            keys = {"metric": prefix, "unit_price": f"{prefix}.price", "per": f"{prefix}.per"}
            raise _relabel(err, plan=plan, key=keys.get(err.key or "", prefix)) from err
    return tuple(overages)


def _parse_plan(index: int, raw: object, currency: Currency) -> Plan:
    label = f"plans[{index}]"
    table = _table(raw, plan=None, key=label)
    plan_id = _string(_required(table, "id", plan=label, prefix=""), plan=label, key="id")
    label = f"plans[{index}] ({shown(plan_id)})"
    _refuse_unknown(table, _PLAN_KEYS, plan=label, prefix="")
    name = _string(_required(table, "name", plan=label, prefix=""), plan=label, key="name")
    prices = _parse_prices(_required(table, "prices", plan=label, prefix=""), currency, plan=label)
    limits = _parse_limits(table["limits"], plan=label) if "limits" in table else Limits()
    trial_days = _integer(table.get("trial_days", 0), plan=label, key="trial_days")
    rank = _integer(table["rank"], plan=label, key="rank") if "rank" in table else None
    overage = _parse_overage(table["overage"], currency, plan=label) if "overage" in table else ()
    try:
        return Plan(plan_id, name, prices, limits, trial_days, rank, overage)
    except CatalogError as err:
        raise _relabel(err, plan=label) from err


def _parse_currency(document: Mapping[str, object]) -> Currency:
    code = _string(_required(document, "currency", plan=None, prefix=""), plan=None, key="currency")
    try:
        return Currency.of(code)
    except SubscriptionRulesError as err:
        raise _relabel(err, plan=None, key="currency") from err


def parse_catalog(text: str) -> Catalog:
    r"""Parse a catalog from TOML text; the format is in this module's docstring.

    Args:
        text: The TOML document, at most :data:`MAX_CATALOG_BYTES` of UTF-8.

    Returns:
        The catalog.

    Raises:
        CatalogError: For any mistake, naming the plan and key (see the module
            docstring for the list).
        InvalidArgumentError: If ``text`` is not a ``str``.

    >>> catalog = parse_catalog('''
    ... currency = "EUR"
    ... [[plans]]
    ... id = "solo"
    ... name = "Solo"
    ... prices = {monthly = "9.00", yearly = 90}
    ... limits = {properties = 1, integrations = "unlimited"}
    ... ''')
    >>> [str(p) for p in catalog.plan("solo").prices], catalog.plan("solo").limit("properties")
    (['EUR 9.00 monthly', 'EUR 90.00 yearly'], 1)
    >>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nnmae = "A"')
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[0] ('a').nmae: unknown key; allowed keys: id, name, prices, limits, trial_days, rank, overage
    """
    if not isinstance(text, str):
        raise InvalidArgumentError(
            f"expected the TOML text as a str, got {type(text).__name__}",
            argument="text",
            value=text,
        )
    document = toml.parse_document(
        text, limit=MAX_CATALOG_BYTES, what="catalog", fail=_document_fail
    )
    _refuse_unknown(document, _TOP_KEYS, plan=None, prefix="")
    currency = _parse_currency(document)
    metrics: tuple[Metric, ...] = DEFAULT_METRICS
    if "metrics" in document:
        metrics = tuple(
            _parse_metric(index, raw)
            for index, raw in enumerate(_tables(document["metrics"], key="metrics"))
        )
    raw_plans = _tables(_required(document, "plans", plan=None, prefix=""), key="plans")
    if len(raw_plans) > MAX_PLANS:
        raise CatalogError(
            f"{len(raw_plans):,} plans refused; the limit is {MAX_PLANS:,}",
            key="plans",
            value=len(raw_plans),
        )
    plans = tuple(_parse_plan(index, raw, currency) for index, raw in enumerate(raw_plans))
    return Catalog(plans, metrics)


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Read and parse a TOML catalog file (UTF-8); see :func:`parse_catalog`.

    Args:
        path: The file to read. Files over :data:`MAX_CATALOG_BYTES` are refused
            without being read in full.

    Returns:
        The catalog.

    Raises:
        CatalogError: If the file is missing, unreadable, too large, not UTF-8,
            or holds a malformed catalog (``key="path"`` for the first four).
        InvalidArgumentError: If ``path`` is not a ``str`` or a path-like
            object naming a ``str`` path.

    >>> load_catalog("no/such/catalog.toml")
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: path: cannot read catalog file 'no/such/catalog.toml': No such file or directory
    """
    name = toml.file_name(path)
    text = toml.read_text(name, limit=MAX_CATALOG_BYTES, what="catalog", fail=_file_fail)
    return parse_catalog(text)
