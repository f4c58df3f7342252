"""The catalog: the plans on sale in one currency, the metrics they count, the built-in example."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

import attrs

from subscription_rules._checks import shown, wrong_type
from subscription_rules.catalog._checks import _PLAN_ID, _as_tuple, _bare_message, _require
from subscription_rules.catalog._moves import Comparison, MoveKind, WeeksPerYear, classify_move
from subscription_rules.catalog._prices import Overage, Price
from subscription_rules.catalog._values import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    Limits,
    Metric,
    MetricKind,
    Plan,
)
from subscription_rules.errors import (
    CatalogError,
    CatalogVersionError,
    CurrencyMismatchError,
    RetiredPlanError,
    SubscriptionRulesError,
    UnknownPlanError,
)
from subscription_rules.money import Currency, Money
from subscription_rules.periods import MONTHLY, YEARLY, Interval, utc_instant

if TYPE_CHECKING:
    from collections.abc import Iterator


def _label(index: int, plan: Plan) -> str:
    return f"plans[{index}] ({shown(plan.id)})"


def _plans(value: Iterable[Plan]) -> tuple[Plan, ...]:
    return cast("tuple[Plan, ...]", _as_tuple(value, "a tuple of Plan values", key="plans"))


def _metrics(value: Iterable[Metric]) -> tuple[Metric, ...]:
    return cast("tuple[Metric, ...]", _as_tuple(value, "a tuple of Metric values", key="metrics"))


@attrs.frozen
class CatalogVersion:
    """A catalog's version: a name and the instant it takes effect (Kill Bill's ``effectiveDate``).

    A subscription records the version its price was taken from
    (``RecordedPrice.version``); publishing a new version changes no existing
    subscription's price until it is migrated (``migrate_price``).

    Args:
        name: The version's name, an identifier such as ``"2027-01"``
            (``a-z``, ``0-9``, ``.``, ``_``, ``-``; at most 64 characters).
        effective_at: When it takes effect, an aware datetime (kept in UTC).

    Raises:
        CatalogError: For a malformed name (``key="version.name"``) or an
            instant that is naive or not a datetime (``key="version.effective_at"``).

    >>> v = CatalogVersion("2027-01", datetime(2027, 1, 1, tzinfo=UTC))
    >>> str(v)
    "'2027-01' (effective 2027-01-01T00:00:00+00:00)"
    """

    name: str
    effective_at: datetime

    def __attrs_post_init__(self) -> None:
        name: object = self.name
        if not isinstance(name, str) or not _PLAN_ID.fullmatch(name):
            raise CatalogError(
                "must be an identifier (a-z, 0-9, '.', '_', '-'; at most 64 characters),"
                f" got {shown(name)}",
                key="version.name",
                value=name,
            )
        try:
            instant = utc_instant(self.effective_at, "effective_at")
        except SubscriptionRulesError as err:
            raise CatalogError(
                _bare_message(err), key="version.effective_at", value=self.effective_at
            ) from err
        object.__setattr__(self, "effective_at", instant)

    def __str__(self) -> str:
        return f"{shown(self.name)} (effective {self.effective_at.isoformat()})"


@attrs.frozen
class Catalog:
    """The plans on sale, the currencies they are sold in, and the metrics their limits count.

    Args:
        plans: At least one plan, with unique ids; ranks on every plan or on
            none, unique. The order is the display order; the first plan's
            first currency is the catalog's :attr:`currency` (its default).
        metrics: The metrics limits may name (default: properties,
            integrations, billable sessions).
        version: The catalog's version, or ``None`` for an unversioned
            catalog (keyword).

    Raises:
        CatalogError: Naming the plan as ``plans[<index>] ('<id>')`` and the key.

    >>> catalog = default_catalog()
    >>> len(catalog), "pro" in catalog, "gold" in catalog, str(catalog.currency)
    (3, True, False, 'USD')
    >>> catalog.plan("gold")
    Traceback (most recent call last):
    subscription_rules.errors.UnknownPlanError: plan_id: unknown plan 'gold'; known plans: 'personal', 'advanced', 'pro'
    >>> Catalog((catalog.plan("pro"), catalog.plan("pro")))
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[1] ('pro').id: duplicate plan id, already used by plans[0]
    """

    plans: tuple[Plan, ...] = attrs.field(converter=_plans)
    metrics: tuple[Metric, ...] = attrs.field(default=DEFAULT_METRICS, converter=_metrics)
    version: CatalogVersion | None = attrs.field(default=None, kw_only=True)
    # The plans by id, built once: every rule looks plans up.
    _by_id: Mapping[str, Plan] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.plans:
            raise CatalogError("must hold at least one plan", key="plans")
        for index, plan in enumerate(self.plans):
            _require(plan, Plan, "a Plan", key=f"plans[{index}]")
        self._check_metrics()
        known = {metric.name for metric in self.metrics}
        if self.version is not None:
            _require(self.version, CatalogVersion, "a CatalogVersion or None", key="version")
        seen: dict[str, int] = {}
        for index, plan in enumerate(self.plans):
            if plan.id in seen:
                raise CatalogError(
                    f"duplicate plan id, already used by plans[{seen[plan.id]}]",
                    plan=_label(index, plan),
                    key="id",
                    value=plan.id,
                )
            seen[plan.id] = index
            if plan.unit is not None and self._kinds().get(plan.unit) is not MetricKind.STOCK:
                raise CatalogError(
                    f"sold per unit of {shown(plan.unit)}, which is not a stock metric of the"
                    " catalog; known stock metrics: "
                    + (
                        ", ".join(repr(m.name) for m in self.metrics if m.kind is MetricKind.STOCK)
                        or "none"
                    ),
                    plan=_label(index, plan),
                    key="prices.unit",
                    value=plan.unit,
                )
            for name in plan.limits.names:
                if name not in known:
                    raise CatalogError(
                        f"unknown metric {shown(name)}; known metrics: "
                        + (", ".join(repr(m.name) for m in self.metrics) or "none"),
                        plan=_label(index, plan),
                        key=f"limits.{name}",
                        value=name,
                    )
            self._check_overage(index, plan)
        self._check_ranks()
        object.__setattr__(self, "_by_id", MappingProxyType({p.id: p for p in self.plans}))

    def _kinds(self) -> dict[str, MetricKind]:
        return {metric.name: metric.kind for metric in self.metrics}

    def _check_overage(self, index: int, plan: Plan) -> None:
        kinds = self._kinds()
        for overage in plan.overage:
            kind = kinds.get(overage.metric)
            if kind is None:
                raise CatalogError(
                    f"unknown metric {shown(overage.metric)}; known metrics: "
                    + (", ".join(repr(m.name) for m in self.metrics) or "none"),
                    plan=_label(index, plan),
                    key=f"overage.{overage.metric}",
                    value=overage.metric,
                )
            if kind is not MetricKind.PER_PERIOD:
                raise CatalogError(
                    f"{shown(overage.metric)} is a {kind.value} metric; only per-period metrics"
                    " have overage (a stock over the limit blocks the move instead)",
                    plan=_label(index, plan),
                    key=f"overage.{overage.metric}",
                    value=overage.metric,
                )

    def _check_metrics(self) -> None:
        names: set[str] = set()
        for index, metric in enumerate(self.metrics):
            _require(metric, Metric, "a Metric", key=f"metrics[{index}]")
            if metric.name in names:
                raise CatalogError(
                    f"duplicate metric name {shown(metric.name)}",
                    key=f"metrics[{index}].name",
                    value=metric.name,
                )
            names.add(metric.name)

    def _check_ranks(self) -> None:
        ranked = [index for index, plan in enumerate(self.plans) if plan.rank is not None]
        if not ranked:
            return
        by_rank: dict[int, int] = {}
        for index, plan in enumerate(self.plans):
            if plan.rank is None:
                raise CatalogError(
                    "missing; give a rank on every plan or on none"
                    f" ({_label(ranked[0], self.plans[ranked[0]])} has one)",
                    plan=_label(index, plan),
                    key="rank",
                )
            if plan.rank in by_rank:
                first = by_rank[plan.rank]
                raise CatalogError(
                    f"duplicate rank {plan.rank}, already used by {_label(first, self.plans[first])}",
                    plan=_label(index, plan),
                    key="rank",
                    value=plan.rank,
                )
            by_rank[plan.rank] = index

    def plan(self, plan_id: str) -> Plan:
        """Return the plan with this id.

        Raises:
            UnknownPlanError: If there is none; the message lists the known ids.

        >>> default_catalog().plan("advanced").name
        'Advanced'
        """
        key: object = plan_id  # checked at run time: ids come from user input
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is not None:
            return found
        known = ", ".join(repr(plan.id) for plan in self.plans)
        raise UnknownPlanError(
            f"unknown plan {shown(plan_id)}; known plans: {known}",
            argument="plan_id",
            value=plan_id,
        )

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Plan):
            return item in self.plans
        return any(plan.id == item for plan in self.plans)

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    def metric(self, name: str) -> Metric:
        """Return the metric with this name.

        Raises:
            CatalogError: If the catalog has no such metric (``key="metrics"``).

        >>> default_catalog().metric("properties").verb
        'delete'
        >>> default_catalog().metric("seats")
        Traceback (most recent call last):
        subscription_rules.errors.CatalogError: metrics: unknown metric 'seats'; known metrics: 'properties', 'integrations', 'billable_sessions'
        """
        for metric in self.metrics:
            if metric.name == name:
                return metric
        known = ", ".join(repr(m.name) for m in self.metrics) or "none"
        raise CatalogError(
            f"unknown metric {shown(name)}; known metrics: {known}", key="metrics", value=name
        )

    @property
    def currency(self) -> Currency:
        """The catalog's default currency: its first plan's first currency.

        >>> default_catalog().currency.code
        'USD'
        """
        return self.plans[0].currency

    @functools.cached_property
    def currencies(self) -> tuple[Currency, ...]:
        """Every currency some plan is sold in, in catalog order (worked out once per catalog).

        >>> [c.code for c in default_catalog().currencies]
        ['USD', 'EUR']
        """
        return tuple(dict.fromkeys(c for plan in self.plans for c in plan.currencies))

    def for_sale(self, plan_id: str) -> Plan:
        """Return the plan with this id if it is still sold (not retired).

        Raises:
            UnknownPlanError: If there is none.
            RetiredPlanError: If it is retired: it keeps its subscriptions but
                takes no new ones.
        """
        plan = self.plan(plan_id)
        if plan.retired:
            raise RetiredPlanError(
                f"plan {shown(plan_id)} is retired: it is no longer sold, though its"
                " subscriptions keep renewing",
                argument="plan_id",
                value=plan_id,
            )
        return plan

    @property
    def ids(self) -> tuple[str, ...]:
        """The plan ids, in catalog order.

        >>> default_catalog().ids
        ('personal', 'advanced', 'pro')
        """
        return tuple(plan.id for plan in self.plans)

    @property
    def ranked(self) -> bool:
        """Whether the plans carry ranks (then :meth:`classify` compares ranks).

        >>> default_catalog().ranked
        False
        """
        return self.plans[0].rank is not None

    def classify(
        self,
        current_plan_id: str,
        current_interval: Interval,
        target_plan_id: str,
        target_interval: Interval,
        *,
        by: Comparison | None = None,
        weeks_per_year: WeeksPerYear = WeeksPerYear.EXACT,
    ) -> MoveKind:
        """Classify a move between two plans of this catalog, by id.

        Compares ranks when the catalog has them, annualised prices otherwise,
        unless ``by`` says which; ``weeks_per_year`` annualises weekly prices;
        see :func:`classify_move`.

        Raises:
            UnknownPlanError: For an id the catalog does not hold.
            UnknownPriceError: For an interval a plan is not sold at.

        >>> catalog = default_catalog()
        >>> catalog.classify("personal", YEARLY, "advanced", MONTHLY)
        <MoveKind.UPGRADE: 'upgrade'>
        >>> catalog.classify("pro", MONTHLY, "pro", YEARLY)
        <MoveKind.INTERVAL_CHANGE: 'interval_change'>
        """
        if by is None:
            by = Comparison.RANK if self.ranked else Comparison.ANNUALISED_PRICE
        return classify_move(
            self.plan(current_plan_id),
            current_interval,
            self.plan(target_plan_id),
            target_interval,
            by=by,
            weeks_per_year=weeks_per_year,
        )


# --------------------------------------------------------------------------- the example


# id, name, properties, integrations, billable sessions, then per currency (USD
# first: the default) the monthly and yearly prices and the overage price per
# 1,000 billable sessions. EUR is 90% of USD.
_EXAMPLE_PLANS: Final = (
    (
        "personal",
        "Personal",
        (3, 3, 100_000),
        (("USD", "50.00", "500.00", "5.00"), ("EUR", "45.00", "450.00", "4.50")),
    ),
    (
        "advanced",
        "Advanced",
        (10, 10, 500_000),
        (("USD", "150.00", "1500.00", "4.00"), ("EUR", "135.00", "1350.00", "3.60")),
    ),
    (
        "pro",
        "Pro",
        (25, None, 2_000_000),
        (("USD", "300.00", "3000.00", "3.00"), ("EUR", "270.00", "2700.00", "2.70")),
    ),
)

_DEFAULT_CATALOG: Final = Catalog(
    tuple(
        Plan(
            plan_id,
            name,
            tuple(
                Price(Money.of(amount, code), interval)
                for code, monthly, yearly, _ in prices
                for amount, interval in ((monthly, MONTHLY), (yearly, YEARLY))
            ),
            Limits.of(properties=properties, integrations=integrations, billable_sessions=sessions),
            trial_days=14,
            overage=tuple(
                Overage.of(BILLABLE_SESSIONS.name, overage, code, per=1000)
                for code, _, _, overage in prices
            ),
        )
        for plan_id, name, (properties, integrations, sessions), prices in _EXAMPLE_PLANS
    )
)


def _check_catalog(catalog: object, currency: Currency) -> Catalog:
    """Refuse anything but a :class:`Catalog` selling in ``currency`` (a subscription's).

    >>> _check_catalog(default_catalog(), Currency.of("GBP"))
    Traceback (most recent call last):
    subscription_rules.errors.CurrencyMismatchError: catalog: expected currency 'GBP', got 'USD, EUR'
    """
    if not isinstance(catalog, Catalog):
        wrong_type(catalog, "catalog", "Catalog")
    if currency not in catalog.currencies:  # else an invoice would mix two currencies
        sold = ", ".join(c.code for c in catalog.currencies)
        raise CurrencyMismatchError("catalog", sold, expected=currency.code)
    return catalog


def check_new_version(current: Catalog, new: Catalog) -> None:
    """Refuse ``new`` as the version following ``current``: both versioned, a new name, not earlier.

    A host calls it before publishing a catalog. Kill Bill refuses only a
    second version at the same effective date and inserts an earlier one in
    date order (``DefaultVersionedCatalog``); here a version may take effect
    at the same instant (a correction published the same day), but never
    before the current one.

    Raises:
        CatalogVersionError: For an unversioned catalog (``key="version"``), a
            name already used (``key="version.name"``) or an earlier effective
            date (``key="version.effective_at"``).

    >>> jan = attrs.evolve(default_catalog(),
    ...     version=CatalogVersion("2027-01", datetime(2027, 1, 1, tzinfo=UTC)))
    >>> feb = attrs.evolve(default_catalog(),
    ...     version=CatalogVersion("2027-02", datetime(2027, 2, 1, tzinfo=UTC)))
    >>> check_new_version(jan, feb) is None
    True
    >>> check_new_version(jan, jan)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogVersionError: version.name: '2027-01' is the current version's name; give the new version a new name
    """
    for name, value in (("current", current), ("new", new)):
        if not isinstance(value, Catalog):
            wrong_type(value, name, "Catalog")
    if current.version is None or new.version is None:
        which = "current" if current.version is None else "new"
        raise CatalogVersionError(
            f"the {which} catalog has no version; give both a CatalogVersion",
            key="version",
            value=None,
        )
    if new.version.name == current.version.name:
        raise CatalogVersionError(
            f"{shown(new.version.name)} is the current version's name;"
            " give the new version a new name",
            key="version.name",
            value=new.version.name,
        )
    if new.version.effective_at < current.version.effective_at:
        raise CatalogVersionError(
            f"{new.version.effective_at.isoformat()} is earlier than the current version"
            f" {shown(current.version.name)} ({current.version.effective_at.isoformat()});"
            " a new version takes effect on or after the current one",
            key="version.effective_at",
            value=new.version.effective_at,
        )


def default_catalog() -> Catalog:
    """Return the built-in example catalog, shaped like the help page.

    The prices, overage prices included, are ILLUSTRATIVE (the help page
    publishes none); the plan names and the 10-to-3 properties step from
    Advanced to Personal are the page's. Every plan is sold in USD (first, so
    the default currency) and in EUR (90% of the USD amounts), to show
    currencies. Billable sessions over the limit cost the overage price per
    1,000, pro rata per session (see :class:`Overage`).

    ========  =========  ==========  ==========  ============  =================  ============  =====
    plan      monthly    yearly      properties  integrations  billable sessions  overage       trial
    ========  =========  ==========  ==========  ============  =================  ============  =====
    Personal  USD 50     USD 500     3           3             100,000            USD 5/1000    14 d
              EUR 45     EUR 450                                                  EUR 4.5/1000
    Advanced  USD 150    USD 1,500   10          10            500,000            USD 4/1000    14 d
              EUR 135    EUR 1,350                                                EUR 3.6/1000
    Pro       USD 300    USD 3,000   25          unlimited     2,000,000          USD 3/1000    14 d
              EUR 270    EUR 2,700                                                EUR 2.7/1000
    ========  =========  ==========  ==========  ============  =================  ============  =====

    The value is immutable, so every call returns the same one.

    >>> catalog = default_catalog()
    >>> [plan.name for plan in catalog], catalog.plan("pro").limit("integrations") is None
    (['Personal', 'Advanced', 'Pro'], True)
    >>> [c.code for c in catalog.currencies], str(catalog.plan("pro").price(MONTHLY, Currency.of("EUR")))
    (['USD', 'EUR'], 'EUR 270.00 monthly')
    """
    return _DEFAULT_CATALOG
