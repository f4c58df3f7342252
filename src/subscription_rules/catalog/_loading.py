"""Loading a catalog from TOML: the format is in the docstring of :mod:`subscription_rules.catalog`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Final

from subscription_rules import _toml as toml
from subscription_rules._checks import shown
from subscription_rules.catalog._catalog import Catalog, CatalogVersion
from subscription_rules.catalog._checks import _relabel
from subscription_rules.catalog._prices import Overage, Price
from subscription_rules.catalog._tiers import PackagePrice, Tier, TierMode, TierTable
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

_TOP_KEYS: Final = ("currency", "metrics", "plans", "version")
_VERSION_KEYS: Final = ("name", "effective")
_METRIC_KEYS: Final = ("name", "kind", "singular", "plural", "verb")
_PLAN_KEYS: Final = (
    "id",
    "name",
    "prices",
    "limits",
    "trial_days",
    "rank",
    "overage",
    "unit",
    "retired",
)
_TIERED_KEYS: Final = ("mode", "tiers")
_TIER_KEYS: Final = ("up_to", "unit_amount", "flat_amount")
_OVERAGE_KEYS: Final = ("price", "per", "package", "mode", "tiers")
_PACKAGE_KEYS: Final = ("price", "size", "free_units")
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


def _tables(value: object, *, plan: str | None = None, key: str) -> list[object]:
    return toml.tables(value, key, _fail(plan))


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


def _parse_currency_key(key: str, *, plan: str, where: str, instead: str) -> Currency:
    """A table key naming a currency (``[plans.prices.EUR]``); ``instead`` says what else it may be."""
    try:
        return Currency.of(key)
    except SubscriptionRulesError as err:
        raise CatalogError(
            f"{instead}, nor an ISO 4217 currency code for a table of"
            f" another currency's prices (such as EUR), got {shown(key)}",
            plan=plan,
            key=f"{where}.{key}",
            value=key,
        ) from err


# --------------------------------------------------------------------------- tiers


def _parse_tier(raw: object, currency: Currency, *, plan: str, key: str, last: bool) -> Tier:
    table = _table(raw, plan=plan, key=key)
    _refuse_unknown(table, _TIER_KEYS, plan=plan, prefix=key + ".")
    if "up_to" in table and last:
        raise CatalogError(
            "the last tier has no bound: leave up_to out, so that every quantity has a price",
            plan=plan,
            key=f"{key}.up_to",
            value=table["up_to"],
        )
    if "up_to" not in table and not last:
        raise CatalogError(
            "missing required key; only the last tier leaves up_to out",
            plan=plan,
            key=f"{key}.up_to",
        )
    if "unit_amount" not in table and "flat_amount" not in table:
        raise CatalogError(
            "a tier needs unit_amount, flat_amount or both", plan=plan, key=key, value=None
        )
    up_to = _integer(table["up_to"], plan=plan, key=f"{key}.up_to") if not last else None
    unit = (
        _parse_amount(table["unit_amount"], currency, plan=plan, key=f"{key}.unit_amount")
        if "unit_amount" in table
        else Money.zero(currency)
    )
    flat = (
        _parse_amount(table["flat_amount"], currency, plan=plan, key=f"{key}.flat_amount")
        if "flat_amount" in table
        else None
    )
    try:
        return Tier(up_to, unit, flat)
    except CatalogError as err:
        raise _relabel(err, plan=plan, key=f"{key}.{err.key}") from err


def _parse_tier_table(
    table: Mapping[str, object], currency: Currency, *, plan: str, key: str
) -> TierTable:
    """``mode`` and ``tiers`` of ``table`` (a tiered price, or a tiered overage) as a table."""
    where = key + "."
    mode_text = _string(
        _required(table, "mode", plan=plan, prefix=where), plan=plan, key=f"{key}.mode"
    )
    modes = {mode.value: mode for mode in TierMode}
    mode = modes.get(mode_text)
    if mode is None:
        raise CatalogError(
            f"must be one of {', '.join(map(repr, modes))}, got {shown(mode_text)}",
            plan=plan,
            key=f"{key}.mode",
            value=mode_text,
        )
    raw = _tables(_required(table, "tiers", plan=plan, prefix=where), plan=plan, key=f"{key}.tiers")
    tiers = tuple(
        _parse_tier(
            item, currency, plan=plan, key=f"{key}.tiers[{index}]", last=index == len(raw) - 1
        )
        for index, item in enumerate(raw)
    )
    try:
        return TierTable(mode, tiers)
    except CatalogError as err:
        raise _relabel(err, plan=plan, key=f"{key}.{err.key}") from err


# --------------------------------------------------------------------------- prices


def _interval_of(key: str) -> Interval | None:
    try:
        return Interval.parse(key)
    except SubscriptionRulesError:
        return None


def _not_an_interval(key: str, *, plan: str, where: str) -> CatalogError:
    """The error for a key that is not an interval, caused by :meth:`Interval.parse`'s."""
    error = CatalogError(
        f"not a billing interval: {shown(key)} (use e.g. monthly, quarterly,"
        ' yearly, weekly, daily or "6 months")',
        plan=plan,
        key=f"{where}.{key}",
        value=key,
    )
    try:
        Interval.parse(key)
    except SubscriptionRulesError as cause:
        error.__cause__ = cause
    return error


def _parse_price(
    value: object, interval: Interval, currency: Currency, *, plan: str, unit: str | None, key: str
) -> Price:
    """One interval's price: an amount (flat or per unit), or a table of tiers."""
    if isinstance(value, dict):
        _refuse_unknown(value, _TIERED_KEYS, plan=plan, prefix=key + ".")
        if unit is None:
            raise CatalogError(
                "a tiered price prices a quantity: give the plan the unit it counts"
                ' (unit = "seats")',
                plan=plan,
                key=key,
                value=None,
            )
        table = _parse_tier_table(value, currency, plan=plan, key=key)
        return Price.tiered(table, interval, unit=unit)
    amount = _parse_amount(value, currency, plan=plan, key=key)
    try:
        return Price(amount, interval, unit=unit)
    except CatalogError as err:
        raise _relabel(err, plan=plan, key=key) from err


def _parse_intervals(
    table: Mapping[str, object],
    currency: Currency,
    *,
    plan: str,
    unit: str | None,
    where: str,
) -> list[Price]:
    """The ``interval = price`` pairs of ``table``, skipping the currency tables of ``[plans.prices]``."""
    prices = []
    for key, value in table.items():
        interval = _interval_of(key)
        if interval is None:
            if where == "prices" and isinstance(value, dict):
                continue  # a currency's table: read by _parse_prices
            raise _not_an_interval(key, plan=plan, where=where)
        prices.append(
            _parse_price(value, interval, currency, plan=plan, unit=unit, key=f"{where}.{key}")
        )
    return prices


def _parse_prices(
    raw: object, currency: Currency, *, plan: str, unit: str | None
) -> tuple[Price, ...]:
    """The catalog currency's prices of ``[plans.prices]``, then those of each currency table."""
    table = _table(raw, plan=plan, key="prices")
    if not table:
        raise CatalogError("must hold at least one price", plan=plan, key="prices", value=None)
    prices = _parse_intervals(table, currency, plan=plan, unit=unit, where="prices")
    seen: dict[Currency, str] = {currency: "currency"}
    for key, value in table.items():
        if _interval_of(key) is not None:
            continue
        other = _parse_currency_key(
            key, plan=plan, where="prices", instead="not a billing interval (such as monthly)"
        )
        if other in seen:
            first = seen[other]
            said = (
                "the catalog's currency: give its amounts directly in [plans.prices]"
                if first == "currency"
                else f"already given as prices.{first}"
            )
            raise CatalogError(f"{other.code} is {said}", plan=plan, key=f"prices.{key}", value=key)
        seen[other] = key
        inner = _table(value, plan=plan, key=f"prices.{key}")
        prices.extend(_parse_intervals(inner, other, plan=plan, unit=unit, where=f"prices.{key}"))
    if not prices or prices[0].currency != currency:
        raise CatalogError(
            f"no price in the catalog's currency {currency.code}: give at least one"
            " interval = amount here; other currencies go in [plans.prices.<CODE>]",
            plan=plan,
            key="prices",
            value=None,
        )
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


# --------------------------------------------------------------------------- overage


def _parse_package(raw: object, currency: Currency, *, plan: str, key: str) -> PackagePrice:
    table = _table(raw, plan=plan, key=key)
    _refuse_unknown(table, _PACKAGE_KEYS, plan=plan, prefix=key + ".")
    where = key + "."
    price = _parse_amount(
        _required(table, "price", plan=plan, prefix=where), currency, plan=plan, key=f"{key}.price"
    )
    size = _integer(_required(table, "size", plan=plan, prefix=where), plan=plan, key=f"{key}.size")
    free = _integer(table.get("free_units", 0), plan=plan, key=f"{key}.free_units")
    try:
        return PackagePrice(price, size, free)
    except CatalogError as err:
        keys = {"package_amount": "price"}
        raise _relabel(err, plan=plan, key=f"{key}.{keys.get(err.key or '', err.key)}") from err


def _parse_one_overage(
    metric: str, entry: Mapping[str, object], currency: Currency, *, plan: str, prefix: str
) -> Overage:
    """One currency's overage price: pro rata (``price``, ``per``), ``package`` or ``tiers``."""
    schemes = [key for key in ("price", "package", "tiers") if key in entry]
    if not schemes:
        raise CatalogError(
            "missing required key (pro rata, with per); or give package, or tiers with mode",
            plan=plan,
            key=f"{prefix}.price",
            value=None,
        )
    if len(schemes) > 1:
        raise CatalogError(
            f"give one of price, package or tiers, not {' and '.join(schemes)}",
            plan=plan,
            key=f"{prefix}.{schemes[1]}",
            value=None,
        )
    for key, goes_with in (("per", "price"), ("mode", "tiers")):
        if key in entry and goes_with not in entry:
            raise CatalogError(
                f"goes with {goes_with} only", plan=plan, key=f"{prefix}.{key}", value=entry[key]
            )
    try:
        if "package" in entry:
            package = _parse_package(entry["package"], currency, plan=plan, key=f"{prefix}.package")
            return Overage.in_packages(metric, package)
        if "tiers" in entry:
            table = _parse_tier_table(entry, currency, plan=plan, key=prefix)
            return Overage.tiered(metric, table)
        price = _parse_amount(entry["price"], currency, plan=plan, key=f"{prefix}.price")
        per = _integer(entry.get("per", 1), plan=plan, key=f"{prefix}.per")
        return Overage(metric, price, per)
    except CatalogError as err:
        if err.plan == plan:  # from this loader: already names where
            raise
        keys = {"metric": prefix, "unit_price": f"{prefix}.price", "per": f"{prefix}.per"}
        raise _relabel(err, plan=plan, key=keys.get(err.key or "", prefix)) from err


def _parse_overage(
    raw: object, currencies: tuple[Currency, ...], *, plan: str
) -> tuple[Overage, ...]:
    """``[plans.overage.<metric>]`` in the catalog's currency, ``[...<metric>.<CODE>]`` in others.

    A metric with overage has a price in every currency the plan is sold in.
    """
    table = _table(raw, plan=plan, key="overage")
    overages = []
    for metric, raw_entry in table.items():
        prefix = f"overage.{metric}"
        entry = _table(raw_entry, plan=plan, key=prefix)
        own = {k: v for k, v in entry.items() if k in _OVERAGE_KEYS or not isinstance(v, dict)}
        _refuse_unknown(own, _OVERAGE_KEYS, plan=plan, prefix=prefix + ".")
        others: list[tuple[str, Currency]] = []
        for key in entry:
            if key in own:
                continue
            other = _parse_currency_key(
                key, plan=plan, where=prefix, instead=f"not a key ({', '.join(_OVERAGE_KEYS)})"
            )
            priced = [currencies[0], *(c for _, c in others)]
            if other in priced or other not in currencies:
                sold = ", ".join(c.code for c in currencies)
                why = "given twice" if other in priced else f"the plan is sold in {sold} only"
                raise CatalogError(
                    f"{other.code}: {why}", plan=plan, key=f"{prefix}.{key}", value=key
                )
            others.append((key, other))
        overages.append(_parse_one_overage(metric, own, currencies[0], plan=plan, prefix=prefix))
        for key, other in others:
            where = f"{prefix}.{key}"
            inner = _table(entry[key], plan=plan, key=where)
            _refuse_unknown(inner, _OVERAGE_KEYS, plan=plan, prefix=where + ".")
            overages.append(_parse_one_overage(metric, inner, other, plan=plan, prefix=where))
        priced = [currencies[0], *(c for _, c in others)]
        for currency in currencies:
            if currency not in priced:
                raise CatalogError(
                    f"no {currency.code} price, though the plan is sold in {currency.code};"
                    f" give [plans.overage.{metric}.{currency.code}]",
                    plan=plan,
                    key=prefix,
                    value=currency.code,
                )
    return tuple(overages)


# --------------------------------------------------------------------------- plans


def _parse_unit(value: object, metrics: tuple[Metric, ...], *, plan: str) -> str:
    name = _string(value, plan=plan, key="unit")
    kinds = {metric.name: metric.kind for metric in metrics}
    if kinds.get(name) is MetricKind.STOCK:
        return name
    stock = ", ".join(repr(m.name) for m in metrics if m.kind is MetricKind.STOCK) or "none"
    what = "an unknown metric" if name not in kinds else f"a {kinds[name].value} metric"
    raise CatalogError(
        f"{shown(name)} is {what}; a plan is sold per unit of a stock metric"
        f" of the catalog; known stock metrics: {stock}",
        plan=plan,
        key="unit",
        value=name,
    )


def _parse_plan(index: int, raw: object, currency: Currency, metrics: tuple[Metric, ...]) -> Plan:
    label = f"plans[{index}]"
    table = _table(raw, plan=None, key=label)
    plan_id = _string(_required(table, "id", plan=label, prefix=""), plan=label, key="id")
    label = f"plans[{index}] ({shown(plan_id)})"
    _refuse_unknown(table, _PLAN_KEYS, plan=label, prefix="")
    name = _string(_required(table, "name", plan=label, prefix=""), plan=label, key="name")
    unit = _parse_unit(table["unit"], metrics, plan=label) if "unit" in table else None
    prices = _parse_prices(
        _required(table, "prices", plan=label, prefix=""), currency, plan=label, unit=unit
    )
    limits = _parse_limits(table["limits"], plan=label) if "limits" in table else Limits()
    trial_days = _integer(table.get("trial_days", 0), plan=label, key="trial_days")
    rank = _integer(table["rank"], plan=label, key="rank") if "rank" in table else None
    retired = toml.boolean(table.get("retired", False), "retired", _fail(label))
    currencies = tuple(dict.fromkeys(price.currency for price in prices))
    overage = _parse_overage(table["overage"], currencies, plan=label) if "overage" in table else ()
    try:
        return Plan(plan_id, name, prices, limits, trial_days, rank, overage, retired=retired)
    except CatalogError as err:
        raise _relabel(err, plan=label) from err


def _parse_currency(document: Mapping[str, object]) -> Currency:
    code = _string(_required(document, "currency", plan=None, prefix=""), plan=None, key="currency")
    try:
        return Currency.of(code)
    except SubscriptionRulesError as err:
        raise _relabel(err, plan=None, key="currency") from err


def _parse_version(raw: object) -> CatalogVersion:
    """``[version]``: a name, and the date (00:00 UTC) or offset date-time it takes effect."""
    table = _table(raw, plan=None, key="version")
    _refuse_unknown(table, _VERSION_KEYS, plan=None, prefix="version.")
    name = _string(
        _required(table, "name", plan=None, prefix="version."), plan=None, key="version.name"
    )
    effective = _required(table, "effective", plan=None, prefix="version.")
    match effective:
        case datetime() if effective.tzinfo is None:
            raise CatalogError(
                f"a date-time needs an offset: write {effective.isoformat()}Z (UTC) or"
                " another offset, or give a date (00:00 UTC)",
                key="version.effective",
                value=effective,
            )
        case datetime():
            instant = effective
        case date():
            instant = datetime(effective.year, effective.month, effective.day, tzinfo=UTC)
        case _:
            raise CatalogError(
                "must be a date such as 2027-01-01 (00:00 UTC) or a date-time with an offset"
                f" such as 2027-01-01T09:00:00+01:00, got {toml.toml_type(effective)}",
                key="version.effective",
                value=effective,
            )
    try:
        return CatalogVersion(name, instant)
    except CatalogError as err:
        keys = {"version.effective_at": "version.effective"}
        raise _relabel(err, plan=None, key=keys.get(err.key or "", err.key)) from err


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
    ... prices = {monthly = "9.00", yearly = 90, USD = {monthly = "10.00", yearly = 100}}
    ... limits = {properties = 1, integrations = "unlimited"}
    ... ''')
    >>> [str(p) for p in catalog.plan("solo").prices], catalog.plan("solo").limit("properties")
    (['EUR 9.00 monthly', 'EUR 90.00 yearly', 'USD 10.00 monthly', 'USD 100.00 yearly'], 1)
    >>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nnmae = "A"')
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[0] ('a').nmae: unknown key; allowed keys: id, name, prices, limits, trial_days, rank, overage, unit, retired
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
    version = _parse_version(document["version"]) if "version" in document else None
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
    plans = tuple(_parse_plan(index, raw, currency, metrics) for index, raw in enumerate(raw_plans))
    return Catalog(plans, metrics, version=version)


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
