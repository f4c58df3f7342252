"""What a subscription pays: its plan as billed, at its recorded price, currency and quantity.

Every rule that prices a period, a remaining stretch or overage asks here, so
the price a subscription recorded (grandfathering), its currency and its
quantity are read one way. A plan a subscription is already on is looked up
even when retired; a plan it moves to must still be for sale, at the catalog's
current price in the subscription's currency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from subscription_rules.catalog import Catalog, Metric, Overage, Plan, Price
from subscription_rules.catalog._values import _plan_quantity
from subscription_rules.notifications import FactName, FactPair
from subscription_rules.subscription import RecordedPrice, Subscription

if TYPE_CHECKING:
    from subscription_rules.money import Currency, Money
    from subscription_rules.periods import Interval


@attrs.frozen
class Priced:
    """A plan as one subscription is billed on it: a price, a quantity and overage prices."""

    plan: Plan
    price: Price
    quantity: int
    overage: tuple[Overage, ...]
    version: str | None
    metric: Metric | None
    # The recorded price it was made from, if any: recorded again as it is.
    recorded: RecordedPrice | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    @property
    def id(self) -> str:
        """The plan's id."""
        return self.plan.id

    @property
    def name(self) -> str:
        """The plan's name."""
        return self.plan.name

    @property
    def interval(self) -> Interval:
        """The price's interval."""
        return self.price.interval

    @property
    def amount(self) -> Money:
        """What a whole interval costs at the quantity, exactly."""
        return self.price.total(self.quantity)

    @property
    def label(self) -> str:
        """The plan's name, with the quantity for a per-unit price: ``Team (3 seats × USD 12.00)``."""
        if self.price.unit is None:
            return self.plan.name
        return f"{self.plan.name} ({self.price.describe(self.quantity, self.metric)})"

    def overage_for(self, metric_name: str) -> Overage | None:
        """The overage price for ``metric_name`` this subscription pays, or ``None``."""
        for overage in self.overage:
            if overage.metric == metric_name:
                return overage
        return None

    def record(self) -> RecordedPrice:
        """The price to record on the subscription."""
        recorded = self.recorded
        if recorded is not None and recorded.price is self.price:
            return recorded
        return RecordedPrice(self.price, self.overage, self.version)


def quantity_facts(current: Priced, target: Priced) -> tuple[FactPair, ...]:
    """A change notice's quantities, when either side is sold per unit: from and to."""
    if current.price.unit is None and target.price.unit is None:
        return ()
    return ((FactName.FROM_QUANTITY, current.quantity), (FactName.TO_QUANTITY, target.quantity))


def _metric(catalog: Catalog, price: Price) -> Metric | None:
    if price.unit is None:
        return None
    for metric in catalog.metrics:
        if metric.name == price.unit:
            return metric
    return None


def offered(
    catalog: Catalog, plan_id: str, interval: Interval, currency: Currency, quantity: int
) -> Priced:
    """The plan ``plan_id`` as sold today: the catalog's price in ``currency`` at ``quantity``.

    Raises:
        UnknownPlanError: For a plan the catalog does not hold.
        RetiredPlanError: For a retired plan (no longer sold).
        UnknownPriceError: For an interval or currency the plan is not sold at.
        InvalidQuantityError: For a quantity below 1, or not 1 on a flat price.
    """
    plan = catalog.for_sale(plan_id)
    version = catalog.version.name if catalog.version is not None else None
    priced = _listed(catalog, plan, interval, currency, quantity, version)
    _plan_quantity(plan, quantity)  # after the price: an unknown interval is named first
    return priced


def target_quantity(sub: Subscription, plan: Plan, quantity: int | None) -> int:
    """The quantity a move to ``plan`` keeps: ``quantity`` if given, else the current one.

    A flat plan is always 1; a per-unit plan keeps the subscription's quantity
    when it is sold by the same unit, else starts from 1.
    """
    if quantity is not None:
        return quantity
    if plan.unit is None:
        return 1
    current = sub.price.price.unit if sub.price is not None else None
    return sub.quantity if current == plan.unit else 1


def _recorded(catalog: Catalog, plan: Plan, recorded: RecordedPrice, quantity: int) -> Priced:
    """``plan`` at a price recorded on the subscription (or its pending change)."""
    price = recorded.price
    return Priced(
        plan,
        price,
        quantity,
        recorded.overage,
        recorded.version,
        _metric(catalog, price),
        recorded=recorded,
    )


def _listed(
    catalog: Catalog,
    plan: Plan,
    interval: Interval,
    currency: Currency,
    quantity: int,
    version: str | None,
) -> Priced:
    """``plan`` at the catalog's price for ``interval`` in ``currency``, with its overage."""
    price = plan.price(interval, currency)
    overage = tuple(o for o in plan.overage if o.currency == currency)
    return Priced(plan, price, quantity, overage, version, _metric(catalog, price))


def billed_on(sub: Subscription, catalog: Catalog) -> Priced:
    """The subscription's own plan as it is billed: its recorded price, or the catalog's.

    A retired plan is found all the same (it keeps its subscriptions).
    """
    plan = catalog.plan(sub.plan_id)
    if sub.price is not None:
        return _recorded(catalog, plan, sub.price, sub.quantity)
    return _listed(catalog, plan, sub.interval, sub.currency, sub.quantity, None)


def after_change(sub: Subscription, catalog: Catalog) -> Priced:
    """The plan the subscription's pending change moves to, at the price it was scheduled with.

    Without a recorded price the catalog's current price applies; a pending
    change to the subscription's own plan (a quantity change or a migration)
    is allowed on a retired plan.
    """
    pending = sub.pending_change
    assert pending is not None  # noqa: S101 - called only with a pending change
    quantity = pending.quantity if pending.quantity is not None else sub.quantity
    plan = catalog.plan(pending.plan_id)
    if pending.price is not None:
        return _recorded(catalog, plan, pending.price, quantity)
    if pending.plan_id == sub.plan_id and pending.interval == sub.interval:
        return attrs.evolve(billed_on(sub, catalog), quantity=quantity)
    version = catalog.version.name if catalog.version is not None else None
    return _listed(catalog, plan, pending.interval, sub.currency, quantity, version)


def list_priced(
    sub: Subscription, catalog: Catalog, plan_id: str, interval: Interval, quantity: int
) -> Priced | None:
    """A plan a stretch of the current period was billed on, at its list price and quantity.

    The subscription's own plan and interval at the price it is on. ``None``
    for another (a change without proration carried paid time over): the price
    it was billed at is not on record, and the catalog's may have changed since
    (a new version), so that time is credited at what it was billed.
    """
    if plan_id == sub.plan_id and interval == sub.interval:
        return attrs.evolve(billed_on(sub, catalog), quantity=quantity)
    return None
