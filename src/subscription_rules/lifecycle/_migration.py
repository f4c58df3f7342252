"""Moving subscriptions to a new catalog version's price: :func:`migrate_price`, :func:`price_migrations`.

A subscription records the price it is on (``Subscription.price``), so a new
catalog version reprices nobody (grandfathering, as Kill Bill does). A host
moves a subscription to the current version's price with :func:`migrate_price`:
a pending change to the same plan and interval at the new price, taking effect
at a period end at least ``policy.price_change_notice_days`` calendar days after
the price-change notice it sends now, and never before the version takes
effect. :func:`price_migrations` lists, for a notice run, every subscription
``migrate_price`` would move, the period end it would take effect at and the
instant by which its notice must go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import attrs

from subscription_rules._checks import (
    described,
    expect,
    field_check,
    identifier,
    instance_of,
    names_what_was_passed,
    shown,
    trusted,
)
from subscription_rules._pricing import Priced, after_change, billed_on, offered
from subscription_rules.catalog import Catalog, check_quantity
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.effects import Decision, RefusalReason, Refused
from subscription_rules.errors import InvalidArgumentError, InvalidPeriodError, UnknownPriceError
from subscription_rules.lifecycle._common import (
    _BILLING,
    _check_command_time,
    _local_days_later,
    _notice,
)
from subscription_rules.lifecycle._scheduling import _next_wakeup
from subscription_rules.money import Money
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import require_aware, utc_instant
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import PendingChange, Status, Subscription


def _an_instant(value: object, argument: str) -> None:
    require_aware(value, argument)


@attrs.frozen
class PriceMigration:
    """One subscription a new catalog version would move, as :func:`price_migrations` lists it.

    ``old_amount`` is what a period costs now (its recorded price at
    ``quantity``; a change of quantity already scheduled included),
    ``new_amount`` what it will cost at the catalog's current price,
    ``effective_at`` the period end the new price takes effect at and
    ``notice_by`` the last instant the price-change notice may go out (that
    period end less the policy's ``price_change_notice_days``):
    ``migrate_price(subscription, at, effective_at=effective_at, ...)`` accepts
    it at any ``at`` up to ``notice_by``.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import Money
    >>> m = PriceMigration("sub_1", "standard", 1, Money.of("30", "USD"), Money.of("60", "USD"),
    ...     datetime(2021, 3, 1, tzinfo=UTC), datetime(2021, 1, 30, tzinfo=UTC))
    >>> str(m.increase), m.notice_by < m.effective_at
    ('USD 30.00', True)
    """

    subscription_id: str = attrs.field(validator=field_check(identifier))
    plan_id: str = attrs.field(validator=field_check(identifier))
    quantity: int = attrs.field(validator=field_check(check_quantity))
    old_amount: Money = attrs.field(validator=instance_of(Money))
    new_amount: Money = attrs.field(validator=instance_of(Money))
    effective_at: datetime = attrs.field(validator=field_check(_an_instant))
    notice_by: datetime = attrs.field(validator=field_check(_an_instant))

    def __attrs_post_init__(self) -> None:
        if self.new_amount.currency != self.old_amount.currency:
            raise InvalidArgumentError(
                f"must be in old_amount's currency {self.old_amount.currency.code},"
                f" got {self.new_amount.currency.code}",
                argument="new_amount",
                value=self.new_amount,
            )
        if self.notice_by > self.effective_at:
            raise InvalidArgumentError(
                f"must not be after effective_at {self.effective_at.isoformat()},"
                f" got {self.notice_by.isoformat()}",
                argument="notice_by",
                value=self.notice_by,
            )

    @property
    def increase(self) -> Money:
        """``new_amount - old_amount``: negative for a price cut."""
        return self.new_amount - self.old_amount


_trusted_migration = trusted(PriceMigration)


@attrs.frozen
class _Planned:
    """A migration the rules accept: the prices before and after, when, and the change to store."""

    before: Priced
    after: Priced
    effective_at: datetime
    notice_by: datetime
    pending: PendingChange


def _notice_by(sub: Subscription, end: datetime, policy: BillingPolicy) -> datetime:
    """The last instant a notice for a change at ``end`` may go out: the lead time before it."""
    return _local_days_later(end, -policy.price_change_notice_days, sub.cycle.time_zone)


def _first_end(
    sub: Subscription, at: datetime, version_at: datetime | None, policy: BillingPolicy
) -> datetime:
    """The first period end a notice sent at ``at`` reaches, not before ``version_at``.

    A period end of the subscription's cycle after the current period's start,
    at least the lead time after ``at`` (``at`` no later than its notice
    deadline) and not before the catalog version takes effect.
    """
    cycle = sub.cycle
    earliest = _local_days_later(at, policy.price_change_notice_days, cycle.time_zone)
    if version_at is not None:
        earliest = max(earliest, version_at)
    index = sub.period_index + 1
    if earliest > cycle.boundary(index):
        index = cycle.index_containing(earliest)  # its start may still be in time (DST)
    while True:
        end = cycle.boundary(index)
        if (version_at is None or end >= version_at) and _notice_by(sub, end, policy) >= at:
            return end
        index += 1


def _status_refusal(sub: Subscription) -> Refused | None:
    if sub.status in {Status.ENDED, Status.SUSPENDED}:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"{sub.status.phrase} subscription cannot have its price migrated",
        )
    if sub.cancel_at_period_end:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"the subscription is cancelled and ends at {sub.current_period.end.isoformat()}"
            if sub.status in _BILLING
            else "the subscription is cancelled and ends with its trial",
        )
    return None


def _current(sub: Subscription, catalog: Catalog, before: Priced) -> Priced | Refused:
    """The subscription's plan as sold today, at the quantity the next period bills."""
    plan = before.plan
    if plan.retired:
        return Refused(
            RefusalReason.NO_CURRENT_PRICE,
            f"plan {shown(plan.id)} is retired: it keeps renewing at its recorded price"
            f" ({before.price}); move the subscription to a plan on sale with change_plan",
        )
    try:
        plan.price(sub.interval, sub.currency)
    except UnknownPriceError:
        return Refused(
            RefusalReason.NO_CURRENT_PRICE,
            f"plan {shown(plan.id)} is no longer sold {sub.interval} in {sub.currency.code}:"
            f" it keeps renewing at its recorded price ({before.price})",
        )
    same_unit = plan.unit is not None and before.price.unit == plan.unit
    return offered(
        catalog, plan.id, sub.interval, sub.currency, before.quantity if same_unit else 1
    )


def _when(
    sub: Subscription,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
    wanted: datetime | None,
    *,
    first: bool,
) -> datetime | Refused:
    """The period end the migration takes effect at: ``wanted``, the next, or the first reachable."""
    version = catalog.version
    version_at = version.effective_at if version is not None else None
    pending = sub.pending_change
    if pending is not None:  # a change of this plan: the new price rides on it, or waits
        end = pending.effective_at
        if wanted is not None and wanted != end.astimezone(UTC):
            return Refused(
                RefusalReason.CHANGE_PENDING,
                f"a change of this plan is scheduled for {end.isoformat()}; the new price can"
                " only be recorded on it, for that period end: cancel it first to choose another",
            )
        later = "call again after the change scheduled then takes effect"
    else:
        later = ""
        end = wanted if wanted is not None else sub.current_period.end
        if first and wanted is None:
            end = _first_end(sub, at, version_at, policy)
    if version is not None and end < version.effective_at:
        return Refused(
            RefusalReason.NOT_YET_EFFECTIVE,
            f"version {shown(version.name)} takes effect at {version.effective_at.isoformat()},"
            f" after the"
            f" period end {end.isoformat()}; " + (later or _hint(sub, at, version_at, policy)),
        )
    deadline = _notice_by(sub, end, policy)
    if at > deadline:
        return Refused(
            RefusalReason.NOTICE_PERIOD,
            f"the period end {end.isoformat()} is less than {policy.price_change_notice_days}"
            f" days' notice away (the notice had to go out by {deadline.isoformat()}); "
            + (later or _hint(sub, at, version_at, policy)),
        )
    return end


def _hint(
    sub: Subscription, at: datetime, version_at: datetime | None, policy: BillingPolicy
) -> str:
    """When it can be done: the first period end within reach, and its notice deadline."""
    end = _first_end(sub, at, version_at, policy)
    return (
        f"the first period end within reach is {end.isoformat()} (pass it as effective_at),"
        f" with the notice sent by {_notice_by(sub, end, policy).isoformat()}"
    )


def _check_period_end(sub: Subscription, effective_at: object) -> datetime:
    """``effective_at`` in UTC, if it is a period end of the subscription's cycle still to come."""
    instant = utc_instant(effective_at, "effective_at")
    cycle, first = sub.cycle, sub.current_period.end
    # Compared in UTC: a wall time in a DST fold is unequal to every instant of another zone.
    if instant < first or cycle.period_containing(instant).start.astimezone(UTC) != instant:
        raise InvalidPeriodError(
            f"is not a period end of the subscription's cycle still to come; the next ones are"
            f" {first.isoformat()}, {cycle.boundary(sub.period_index + 2).isoformat()}, ...",
            argument="effective_at",
            value=effective_at,
        )
    return instant


def _unchanged(
    sub: Subscription, catalog: Catalog, before: Priced, after: Priced
) -> Refused | None:
    """Why there is nothing to migrate: on the current price already, or moving to it."""
    if (after.price, after.overage) != (before.price, before.overage):
        return None
    own = billed_on(sub, catalog)
    pending = sub.pending_change
    if pending is None or (own.price, own.overage) == (after.price, after.overage):
        return Refused(RefusalReason.NO_CHANGE, f"already on the current price ({after.price})")
    return Refused(
        RefusalReason.ALREADY_DONE,
        f"the move to the current price ({after.price}) is already scheduled for"
        f" {pending.effective_at.isoformat()}",
    )


def _plan(
    sub: Subscription,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
    wanted: datetime | None,
    *,
    first: bool,
) -> _Planned | Refused:
    """The migration of ``sub`` at ``at`` to the catalog's current price, or why not."""
    refused = _status_refusal(sub)
    if refused is not None:
        return refused
    pending = sub.pending_change
    if pending is not None and (pending.plan_id != sub.plan_id or pending.interval != sub.interval):
        return Refused(
            RefusalReason.CHANGE_PENDING,
            f"a change to {shown(pending.plan_id)} ({pending.interval}) is scheduled for"
            f" {pending.effective_at.isoformat()}: the subscription moves to that plan's price"
            " then; cancel the change first to migrate this plan's price",
        )
    before = after_change(sub, catalog) if pending is not None else billed_on(sub, catalog)
    after = _current(sub, catalog, before)
    if isinstance(after, Refused):
        return after
    unchanged = _unchanged(sub, catalog, before, after)
    if unchanged is not None:
        return unchanged
    end = _when(sub, at, catalog, policy, wanted, first=first)
    if isinstance(end, Refused):
        return end
    if pending is not None:
        quantity = pending.quantity
    else:
        quantity = None if after.quantity == sub.quantity else after.quantity
    change = PendingChange(
        sub.plan_id, sub.interval, end, at, quantity=quantity, price=after.record()
    )
    return _Planned(before, after, end, _notice_by(sub, end, policy), change)


@names_what_was_passed("at")
def migrate_price(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
    effective_at: datetime | None = None,
) -> Decision | Refused:
    """Move ``subscription`` to the catalog's current price for its plan at a period end.

    Schedules a pending change to the same plan and interval (and quantity)
    with the catalog's current price recorded on it, and sends a
    ``PRICE_CHANGE_SCHEDULED`` notice now (facts: ``plan``, ``old_amount``,
    ``new_amount`` at the subscription's quantity, ``effective_at``). At that
    period end the renewal bills the new price, with a ``PRICE_CHANGED``
    notice; until then nothing changes, and ``upcoming_invoice`` previews the
    new price once it is the next one billed.

    ``effective_at``: the period end to take effect at, ``None`` for the next
    one. It must be at least ``policy.price_change_notice_days`` calendar days
    (in the cycle's time zone) after ``at``, and not before the catalog's
    version takes effect.

    Refused (nothing changes): ``NOTICE_PERIOD`` when that period end is
    nearer than the lead time, ``NOT_YET_EFFECTIVE`` when it comes before
    the version takes effect (both messages name the first period end within
    reach and its notice deadline); ``NO_CHANGE`` when the subscription is on
    the current price already (a document written before prices were
    recorded always is: it follows the catalog); ``NO_CURRENT_PRICE`` for a
    retired plan (it keeps renewing at its recorded price) or one no longer
    sold at the subscription's interval and currency; ``NOT_ALLOWED_IN_STATUS``
    for an ended, suspended or cancelled subscription (a trial or a past-due
    subscription may be migrated: nothing is charged now, and a trial
    converts at the price it started on); ``CHANGE_PENDING`` when a change to
    another plan or interval is scheduled. A change of this plan's quantity
    already scheduled carries the new price instead (the latest version
    wins), at its own period end: ``ALREADY_DONE`` if it carries it already.

    Raises:
        InvalidPeriodError: For an ``at`` already processed or at or after the
            current period's (or trial's) end, and an ``effective_at`` that is
            not a period end of the cycle still to come.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import (MONTHLY, SEED_POLICY, CatalogVersion, Plan, Price,
    ...     Catalog, start_subscription)
    >>> def standard(amount, version, effective):
    ...     plan = Plan("standard", "Standard", (Price.of(amount, "USD", MONTHLY),))
    ...     return Catalog((plan,), version=CatalogVersion(version, effective))
    >>> v1 = standard("30", "v1", datetime(2020, 1, 1, tzinfo=UTC))
    >>> v2 = standard("60", "v2", datetime(2021, 1, 15, tzinfo=UTC))
    >>> sub = start_subscription("s", "c", "standard", MONTHLY, datetime(2021, 1, 1, tzinfo=UTC),
    ...     catalog=v1, policy=SEED_POLICY).subscription
    >>> d = migrate_price(sub, datetime(2021, 1, 20, tzinfo=UTC), catalog=v2, policy=SEED_POLICY)
    >>> d.reason.value, d.message.split("; ")[1]
    ('notice_period', 'the first period end within reach is 2021-03-01T00:00:00+00:00 (pass it as effective_at), with the notice sent by 2021-01-30T00:00:00+00:00')
    >>> d = migrate_price(sub, datetime(2021, 1, 20, tzinfo=UTC), catalog=v2, policy=SEED_POLICY,
    ...     effective_at=datetime(2021, 3, 1, tzinfo=UTC))
    >>> [(f.name.value, str(f.value)) for f in d.notices[0].facts][1:3]
    [('old_amount', 'USD 30.00'), ('new_amount', 'USD 60.00')]
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    catalog = _check_catalog(catalog, sub.currency)
    at = _check_command_time(sub, at)
    wanted = None if effective_at is None else _check_period_end(sub, effective_at)
    planned = _plan(sub, at, catalog, policy, wanted, first=False)
    if isinstance(planned, Refused):
        return planned
    after, end = planned.after, planned.effective_at
    sub = sub.evolve(pending_change=planned.pending, processed_until=at)
    facts: tuple[FactPair, ...] = (
        (FactName.PLAN, after.name),
        (FactName.OLD_AMOUNT, planned.before.amount),
        (FactName.NEW_AMOUNT, after.amount),
        (FactName.EFFECTIVE_AT, end),
    )
    occasion = f"price-{end.isoformat()}-{after.version or 'unversioned'}-{after.amount.minor}"
    notice = _notice(sub, NoticeKind.PRICE_CHANGE_SCHEDULED, at, facts, occasion)
    return Decision(sub, (notice,), _next_wakeup(sub, policy))


def _subscriptions(value: object) -> tuple[Subscription, ...]:
    if not isinstance(value, tuple | list):
        got = (
            f"one Subscription ({shown(value.id)}); pass [subscription]"
            if isinstance(value, Subscription)
            else described(value)
        )
        raise InvalidArgumentError(
            f"expected a list or tuple of Subscription values, got {got}",
            argument="subscriptions",
            value=value,
        )
    for sub in value:
        expect(sub, Subscription, "subscriptions")
    return tuple(value)


@names_what_was_passed("at")
def price_migrations(
    subscriptions: Sequence[Subscription],
    catalog: Catalog,
    at: datetime,
    *,
    policy: BillingPolicy,
) -> tuple[PriceMigration, ...]:
    """The subscriptions ``catalog`` would move to a new price, for a notice run at ``at``.

    One :class:`PriceMigration` per subscription :func:`migrate_price` would
    move at ``at``, in the order given: live (trialing, active or past due),
    not cancelled, with no change to another plan or interval scheduled, and
    whose next period bills another price than the catalog's current one for
    its plan, interval and currency. Each names the first period end within
    reach (at least ``price_change_notice_days`` after ``at``, not before the
    catalog version takes effect; for a change of quantity already scheduled,
    its period end) and the instant its notice must go out by.

    Left out: a subscription on the current price (a document written before
    prices were recorded follows the catalog, so it always is), one on a
    retired plan or on an interval or currency no longer sold (no current
    price: it keeps renewing at its recorded price; move it with
    ``change_plan``), and one ``migrate_price`` would refuse whatever the date
    (ended, suspended, cancelled, another change scheduled) or refuse until a
    change already scheduled takes effect: a later run lists it once it can
    be migrated. Pure: the same list, catalog and instant give the same
    answer.

    Subscriptions need not be caught up to ``at`` (a period end passed is not
    within reach), but none may have processed past it.

    Raises:
        InvalidArgumentError: ``subscriptions`` not a list or tuple of
            :class:`~subscription_rules.subscription.Subscription` values.
        InvalidPeriodError: ``at`` before what one of them has processed.
        CurrencyMismatchError: A subscription in a currency the catalog sells
            nothing in.
        UnknownPlanError: A subscription on a plan the catalog does not hold.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import (MONTHLY, SEED_POLICY, CatalogVersion, Plan, Price,
    ...     Catalog, start_subscription)
    >>> def standard(amount, version, effective):
    ...     plan = Plan("standard", "Standard", (Price.of(amount, "USD", MONTHLY),))
    ...     return Catalog((plan,), version=CatalogVersion(version, effective))
    >>> v1 = standard("30", "v1", datetime(2020, 1, 1, tzinfo=UTC))
    >>> v2 = standard("60", "v2", datetime(2021, 1, 15, tzinfo=UTC))
    >>> old = start_subscription("old", "c1", "standard", MONTHLY,
    ...     datetime(2021, 1, 1, tzinfo=UTC), catalog=v1, policy=SEED_POLICY).subscription
    >>> new = start_subscription("new", "c2", "standard", MONTHLY,
    ...     datetime(2021, 1, 20, tzinfo=UTC), catalog=v2, policy=SEED_POLICY).subscription
    >>> (m,) = price_migrations([old, new], v2, datetime(2021, 1, 25, tzinfo=UTC),
    ...     policy=SEED_POLICY)
    >>> m.subscription_id, str(m.old_amount), str(m.new_amount)
    ('old', 'USD 30.00', 'USD 60.00')
    >>> m.effective_at.date().isoformat(), m.notice_by.date().isoformat()
    ('2021-03-01', '2021-01-30')
    """
    subs = _subscriptions(subscriptions)
    expect(catalog, Catalog, "catalog")
    expect(policy, BillingPolicy, "policy")
    instant = utc_instant(at, "at")
    found: list[PriceMigration] = []
    for sub in subs:
        if instant < sub.processed_until:
            raise InvalidPeriodError(
                f"{instant.isoformat()} is before {sub.processed_until.isoformat()}, which"
                f" subscription {shown(sub.id)} has already processed",
                argument="at",
                value=at,
            )
        _check_catalog(catalog, sub.currency)
        planned = _plan(sub, instant, catalog, policy, None, first=True)
        if isinstance(planned, Refused):
            continue
        found.append(
            _trusted_migration(
                sub.id,
                sub.plan_id,
                planned.after.quantity,
                planned.before.amount,
                planned.after.amount,
                planned.effective_at,
                planned.notice_by,
            )
        )
    return tuple(found)
