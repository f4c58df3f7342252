"""The catalog: the plans on sale in one currency, the metrics they count, the built-in example."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

import attrs

from subscription_rules._checks import shown, wrong_type
from subscription_rules.catalog._checks import _as_tuple, _require
from subscription_rules.catalog._moves import Comparison, MoveKind, WeeksPerYear, classify_move
from subscription_rules.catalog._values import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    Limits,
    Metric,
    MetricKind,
    Overage,
    Plan,
    Price,
)
from subscription_rules.errors import (
    CatalogError,
    CurrencyMismatchError,
    UnknownPlanError,
)
from subscription_rules.money import Currency, Money
from subscription_rules.periods import MONTHLY, YEARLY, Interval

if TYPE_CHECKING:
    from collections.abc import Iterator


def _label(index: int, plan: Plan) -> str:
    return f"plans[{index}] ({shown(plan.id)})"


def _plans(value: Iterable[Plan]) -> tuple[Plan, ...]:
    return cast("tuple[Plan, ...]", _as_tuple(value, "a tuple of Plan values", key="plans"))


def _metrics(value: Iterable[Metric]) -> tuple[Metric, ...]:
    return cast("tuple[Metric, ...]", _as_tuple(value, "a tuple of Metric values", key="metrics"))


@attrs.frozen
class Catalog:
    """The plans on sale, in one currency, and the metrics their limits count.

    Args:
        plans: At least one plan, with unique ids, all in one currency; ranks
            on every plan or on none, unique. The order is the display order.
        metrics: The metrics limits may name (default: properties,
            integrations, billable sessions).

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
    # The plans by id, built once: every rule looks plans up.
    _by_id: Mapping[str, Plan] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.plans:
            raise CatalogError("must hold at least one plan", key="plans")
        for index, plan in enumerate(self.plans):
            _require(plan, Plan, "a Plan", key=f"plans[{index}]")
        self._check_metrics()
        known = {metric.name for metric in self.metrics}
        seen: dict[str, int] = {}
        currency = self.plans[0].currency
        for index, plan in enumerate(self.plans):
            if plan.id in seen:
                raise CatalogError(
                    f"duplicate plan id, already used by plans[{seen[plan.id]}]",
                    plan=_label(index, plan),
                    key="id",
                    value=plan.id,
                )
            seen[plan.id] = index
            if plan.currency != currency:
                raise CatalogError(
                    f"priced in {plan.currency.code}, but the catalog is in {currency.code}"
                    f" (plans[0] ({shown(self.plans[0].id)})); use one currency",
                    plan=_label(index, plan),
                    key="prices",
                    value=plan.currency.code,
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

    def _check_overage(self, index: int, plan: Plan) -> None:
        kinds = {metric.name: metric.kind for metric in self.metrics}
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
        """The one currency every price of the catalog is in.

        >>> default_catalog().currency.code
        'USD'
        """
        return self.plans[0].currency

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


# id, name, monthly, yearly, properties, integrations, billable sessions,
# overage price per 1,000 billable sessions
_EXAMPLE_PLANS: Final = (
    ("personal", "Personal", "50.00", "500.00", 3, 3, 100_000, "5.00"),
    ("advanced", "Advanced", "150.00", "1500.00", 10, 10, 500_000, "4.00"),
    ("pro", "Pro", "300.00", "3000.00", 25, None, 2_000_000, "3.00"),
)

_DEFAULT_CATALOG: Final = Catalog(
    tuple(
        Plan(
            plan_id,
            name,
            (Price(Money.of(monthly, "USD"), MONTHLY), Price(Money.of(yearly, "USD"), YEARLY)),
            Limits.of(properties=properties, integrations=integrations, billable_sessions=sessions),
            trial_days=14,
            overage=(Overage.of(BILLABLE_SESSIONS.name, overage, "USD", per=1000),),
        )
        for plan_id, name, monthly, yearly, properties, integrations, sessions, overage in (
            _EXAMPLE_PLANS
        )
    )
)


def _check_catalog(catalog: object, currency: Currency) -> Catalog:
    """Refuse anything but a :class:`Catalog` priced in ``currency`` (a subscription's).

    >>> _check_catalog(default_catalog(), Currency.of("EUR"))
    Traceback (most recent call last):
    subscription_rules.errors.CurrencyMismatchError: catalog: expected currency 'EUR', got 'USD'
    """
    if not isinstance(catalog, Catalog):
        wrong_type(catalog, "catalog", "Catalog")
    if catalog.currency != currency:  # else an invoice would mix two currencies
        raise CurrencyMismatchError("catalog", catalog.currency.code, expected=currency.code)
    return catalog


def default_catalog() -> Catalog:
    """Return the built-in example catalog, shaped like the help page.

    The prices, overage prices included, are ILLUSTRATIVE (the help page
    publishes none); the plan names and the 10-to-3 properties step from
    Advanced to Personal are the page's. Billable sessions over the limit cost
    the overage price per 1,000, pro rata per session (see :class:`Overage`).

    ========  =========  ==========  ==========  ============  =================  ==========  =====
    plan      monthly    yearly      properties  integrations  billable sessions  overage     trial
    ========  =========  ==========  ==========  ============  =================  ==========  =====
    Personal  USD 50     USD 500     3           3             100,000            USD 5/1000  14 d
    Advanced  USD 150    USD 1,500   10          10            500,000            USD 4/1000  14 d
    Pro       USD 300    USD 3,000   25          unlimited     2,000,000          USD 3/1000  14 d
    ========  =========  ==========  ==========  ============  =================  ==========  =====

    The value is immutable, so every call returns the same one.

    >>> catalog = default_catalog()
    >>> [plan.name for plan in catalog], catalog.plan("pro").limit("integrations") is None
    (['Personal', 'Advanced', 'Pro'], True)
    """
    return _DEFAULT_CATALOG
