"""The value a host stores per account: plan, cycle, status, balance and what was billed.

A :class:`Subscription` is frozen; every rule function takes one and returns
the next inside a ``Decision``. Besides the plan, interval and
:class:`~subscription_rules.periods.BillingCycle`, it records what was billed
for the current period stretch by stretch (:class:`Stretch`): the basis for
capping credits when several changes happen in one period. Whether the
customer has access depends on the policy too: see
:func:`~subscription_rules.access.has_access`.

>>> from subscription_rules import Status
>>> Status.PAST_DUE.value
'past_due'
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, cast

import attrs

from subscription_rules._checks import (
    count,
    expect,
    field_check,
    identifier,
    instance_of,
    optional,
    trusted,
    wrong_type,
)
from subscription_rules.catalog import Overage, Price, check_quantity
from subscription_rules.credits import CreditGrant
from subscription_rules.discounts import Discount
from subscription_rules.dunning import OverdueState
from subscription_rules.errors import (
    CurrencyMismatchError,
    InvalidArgumentError,
    InvalidPeriodError,
)
from subscription_rules.invoices import Invoice, Line
from subscription_rules.money import Currency, Money
from subscription_rules.periods import (
    BillingCycle,
    BillingPeriod,
    Interval,
    require_aware,
    utc_instant,
)
from subscription_rules.policy import ProrationUnit
from subscription_rules.taxes import CustomerTax, LineTax

__all__ = [
    "OpenInvoice",
    "OutstandingAttempt",
    "Payment",
    "PendingChange",
    "RecordedPrice",
    "Status",
    "Stretch",
    "Subscription",
    "SuspensionReason",
]


class Status(enum.Enum):
    """Where a subscription stands."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    ENDED = "ended"

    @property
    def phrase(self) -> str:
        """The status with its article, for messages: ``an ended``, ``a suspended``.

        >>> Status.ENDED.phrase, Status.PAST_DUE.phrase
        ('an ended', 'a past due')
        """
        words = self.value.replace("_", " ")
        return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


class SuspensionReason(enum.Enum):
    """Why a subscription is suspended."""

    TRIAL_CANCELLED = "trial_cancelled"
    TRIAL_ENDED_WITHOUT_PAYMENT_METHOD = "trial_ended_without_payment_method"
    PAYMENT_FAILED = "payment_failed"
    POLICY_VIOLATION = "policy_violation"


_an_id = field_check(identifier)
_an_instant = field_check(require_aware)
_a_count = field_check(count)
_money = instance_of(Money)


@attrs.frozen
class Stretch:
    """What was billed for ``[start, end)`` of the current period on one plan, exactly.

    ``billed`` paid for ``units`` of time (``unit``: seconds or days, by the
    policy that billed it) out of ``denominator``: a whole period is ``units ==
    denominator``; a prorated stretch records the units its line charged.
    ``quantity`` is how many units (seats) it billed, 1 for a flat price.
    ``credited`` is the credit already given against it, for
    ``credited_units`` of its time; a later credit for unused time is worked
    out from what is left, ``billed - credited`` over ``units -
    credited_units``, so it never exceeds what was billed and is never
    inferred from the period. ``paid`` is the part of ``billed`` collected
    from the payment method (the cap of any refund). ``tax`` is the tax
    billed with it (``None``: billed untaxed) and ``tax_credited`` the part of
    that tax the credits against it returned so far (``None``: none yet); a
    credit returns what is left of the tax in proportion to what it credits.

    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> (stretch,) = sub.stretches
    >>> stretch.plan_id, stretch.start.date().isoformat(), stretch.end.date().isoformat()
    ('advanced', '2026-11-01', '2026-12-01')
    >>> str(stretch.billed), str(stretch.paid), str(stretch.creditable)
    ('USD 150.00', 'USD 150.00', 'USD 150.00')
    >>> stretch.units == stretch.denominator == 30 * 86_400
    True
    """

    plan_id: str = attrs.field(validator=_an_id)
    interval: Interval = attrs.field(validator=instance_of(Interval, what="an Interval"))
    start: datetime = attrs.field(validator=_an_instant)
    end: datetime = attrs.field(validator=_an_instant)
    billed: Money = attrs.field(validator=_money)
    units: int = attrs.field(validator=_a_count)
    denominator: int = attrs.field(validator=_a_count)
    credited: Money = attrs.field(validator=_money)
    paid: Money = attrs.field(validator=_money)
    invoice_id: str | None = attrs.field(default=None, validator=optional(_an_id))
    credited_units: int = attrs.field(default=0, validator=_a_count)
    unit: ProrationUnit = attrs.field(
        default=ProrationUnit.SECOND,
        kw_only=True,
        validator=instance_of(ProrationUnit, what="a ProrationUnit"),
    )
    quantity: int = attrs.field(default=1, kw_only=True, validator=field_check(check_quantity))
    tax: LineTax | None = attrs.field(default=None, kw_only=True)
    tax_credited: Money | None = attrs.field(default=None, kw_only=True, validator=optional(_money))

    @property
    def creditable(self) -> Money:
        """What may still be credited for this stretch: billed net of earlier credits.

        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> s = Stretch("pro", MONTHLY, t, t, Money.of("300", "USD"), 30, 30,
        ...             Money.of("100", "USD"), Money.of("300", "USD"), credited_units=10)
        >>> str(s.creditable), s.creditable_units
        ('USD 200.00', 20)
        """
        return self.billed - self.credited

    @property
    def creditable_units(self) -> int:
        """The units of this stretch not yet credited: what ``creditable`` paid for."""
        return self.units - self.credited_units


@attrs.frozen
class Payment:
    """A charge attempt that paid an invoice: the payment a refund goes back to.

    ``attempt_key`` is the idempotency key of the attempt that succeeded (the
    provider's charge or PaymentIntent), ``amount`` what it collected (the
    invoice's amount due) and ``refunded`` how much of it was refunded since;
    ``refundable`` is what is left. A refund never exceeds it (Stripe refunds
    at most a payment's amount not yet refunded).

    >>> p = Payment("s:charge:s-INV-0001:due-15000:attempt-1", "s-INV-0001",
    ...     Money.of("150", "USD"), Money.of("75", "USD"))
    >>> str(p.refundable)
    'USD 75.00'
    >>> Payment("k", "s-INV-0001", Money.of("150", "USD"), Money.of("150.01", "USD"))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: refunded: must be between USD 0.00 and the amount, USD 150.00, got USD 150.01
    """

    attempt_key: str = attrs.field(validator=instance_of(str))
    invoice_id: str = attrs.field(validator=_an_id)
    amount: Money = attrs.field(validator=_money)
    refunded: Money = attrs.field(validator=_money)

    def __attrs_post_init__(self) -> None:
        if not self.attempt_key:
            raise InvalidArgumentError(
                "must be a non-empty str", argument="attempt_key", value=self.attempt_key
            )
        if not self.amount.is_positive():
            raise InvalidArgumentError(
                f"a payment collects a positive amount, got {self.amount}",
                argument="amount",
                value=self.amount,
            )
        zero = self.amount.with_minor(0)
        if (
            self.refunded.currency != self.amount.currency
            or self.refunded.is_negative()
            or self.refunded > self.amount
        ):
            raise InvalidArgumentError(
                f"must be between {zero} and the amount, {self.amount}, got {self.refunded}",
                argument="refunded",
                value=self.refunded,
            )

    @property
    def refundable(self) -> Money:
        """What may still be refunded: the amount net of the refunds so far."""
        return self.amount - self.refunded


@attrs.frozen
class OutstandingAttempt:
    """A charge attempt of an invoice already paid by another attempt, still unanswered.

    Only a charge whose answer was given up on (a pending bank debit past the
    policy's ``pending_timeout``, then retried) can leave one: whichever of the
    two attempts collects first pays the invoice, and should the other collect
    too, that second payment of ``amount`` is refunded in full (see
    ``record_payment``). A decline of it settles it.

    >>> OutstandingAttempt("s:renewal:2026-12-01T00:00:00+00:00:due-5000", "s-INV-0002",
    ...     Money.of("50", "USD")).amount
    Money.of('50.00', 'USD')
    """

    attempt_key: str = attrs.field(validator=instance_of(str))
    invoice_id: str = attrs.field(validator=_an_id)
    amount: Money = attrs.field(validator=_money)

    def __attrs_post_init__(self) -> None:
        if not self.attempt_key:
            raise InvalidArgumentError(
                "must be a non-empty str", argument="attempt_key", value=self.attempt_key
            )
        if not self.amount.is_positive():
            raise InvalidArgumentError(
                f"an attempt collects a positive amount, got {self.amount}",
                argument="amount",
                value=self.amount,
            )


@attrs.frozen
class OpenInvoice:
    """An invoice charged but not yet paid, and where its collection stands.

    Every charge attempt is identified by its idempotency key (the
    ``ChargeInvoice.idempotency_key``), and an outcome names the attempt it
    answers. ``attempt_key`` is the attempt still unanswered — charged and
    awaiting its outcome, or lost to a gateway error and sent again with the
    same key until an answer comes — or ``None`` when every attempt has been
    answered; ``in_flight`` says it was sent and nothing about it has come back
    since (not even a gateway error); ``answered`` holds the keys of the
    attempts whose outcome was recorded, so a repeated or stale outcome is
    recognised.

    ``attempts`` counts charge attempts made (sending an unanswered attempt
    again is not a new one); ``declines`` the dunning attempts used (soft and
    hard declines; gateway errors do not count); ``first_failed_at`` starts the
    retry schedule; ``next_retry_at`` is when ``advance`` charges again (``None``
    while an attempt's outcome is awaited, or while a hard decline waits for a
    new payment method); ``exhausted`` means the schedule ran out and no more
    retries will be made. ``pending_since`` is when the gateway answered the
    unanswered attempt ``Pending`` (its result comes later; ``None`` otherwise):
    it stays in flight until an outcome or the policy's ``pending_timeout``;
    ``timed_out`` holds the keys of attempts given up at that timeout (counted
    as soft declines; their money, should it arrive after all, still pays
    the invoice).

    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> [(o.id, o.attempts, o.attempt_key, o.in_flight) for o in sub.open_invoices]
    [('s-INV-0001', 1, 's:charge:s-INV-0001:due-5000:attempt-1', True)]
    """

    invoice: Invoice
    attempts: int = 1
    declines: int = 0
    first_failed_at: datetime | None = None
    next_retry_at: datetime | None = None
    awaiting_payment_method: bool = False
    gateway_errors: int = 0
    exhausted: bool = False
    attempt_key: str | None = None
    in_flight: bool = False
    answered: tuple[str, ...] = ()
    pending_since: datetime | None = None
    timed_out: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The invoice's id."""
        return self.invoice.id

    @property
    def in_dunning(self) -> bool:
        """Whether a payment of it has failed (it is overdue, not merely awaiting an outcome)."""
        return self.first_failed_at is not None

    @property
    def keys(self) -> tuple[str, ...]:
        """The idempotency keys of every attempt made, answered or not."""
        if self.attempt_key is None:
            return self.answered
        return (*self.answered, self.attempt_key)


def _overage_tuple(value: object) -> tuple[Overage, ...]:
    if not isinstance(value, tuple | list):
        wrong_type(value, "overage", "a tuple of Overage values")
    return tuple(cast("Iterable[Overage]", value))


@attrs.frozen
class RecordedPrice:
    """The price a subscription is on, recorded when it started, changed plan or was migrated.

    Publishing a new catalog changes no subscription's price: the rules bill
    the price recorded here (Stripe's immutable prices, Kill Bill's
    grandfathering) until ``migrate_price`` moves the subscription to the
    current version's. ``price`` is the recurring price for the
    subscription's interval and currency, ``overage`` the plan's overage
    prices in that currency, ``version`` the name of the catalog version they
    were taken from (``None`` for an unversioned catalog).

    >>> from subscription_rules import Price
    >>> recorded = RecordedPrice(Price.of("12.00", "USD", "monthly", unit="seats"))
    >>> str(recorded.price), recorded.version
    ('USD 12.00 per unit of seats, monthly', None)
    """

    price: Price = attrs.field(validator=instance_of(Price, what="a Price"))
    overage: tuple[Overage, ...] = attrs.field(default=(), converter=_overage_tuple)
    version: str | None = attrs.field(default=None, validator=optional(_an_id))

    def __attrs_post_init__(self) -> None:
        for overage in self.overage:
            expect(overage, Overage, "overage")
            if overage.currency != self.price.currency:
                raise InvalidArgumentError(
                    f"must be in the price's currency {self.price.currency.code},"
                    f" got {overage.currency.code}",
                    argument="overage",
                    value=overage,
                )

    def overage_for(self, metric_name: str) -> Overage | None:
        """The recorded overage price for ``metric_name``, or ``None``."""
        for overage in self.overage:
            if overage.metric == metric_name:
                return overage
        return None


@attrs.frozen
class PendingChange:
    """A plan change scheduled for ``effective_at``, a period end.

    It applies at the first period end on or after ``effective_at``: the
    current period's for a plan or quantity change, maybe a later one for a
    price migration (``migrate_price``), which waits for its notice's lead time.

    ``quantity`` is the quantity (seats) it moves to, ``None`` to keep the
    subscription's; ``price`` the price recorded when it was scheduled (a
    price migration, or a change priced from a catalog version), ``None`` to
    take the catalog's price when it applies.

    A downgrade waits for the period end by default; until then the plan is unchanged:

    >>> from subscription_rules import MONTHLY, Usage, change_plan, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> sub = change_plan(sub, "personal", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=2), policy=SEED_POLICY).subscription
    >>> pending = sub.pending_change
    >>> sub.plan_id, pending.plan_id, str(pending.interval)
    ('advanced', 'personal', 'monthly')
    >>> pending.scheduled_at.date().isoformat(), pending.effective_at.date().isoformat()
    ('2026-11-16', '2026-12-01')
    """

    plan_id: str
    interval: Interval
    effective_at: datetime
    scheduled_at: datetime
    quantity: int | None = attrs.field(default=None, kw_only=True)
    price: RecordedPrice | None = attrs.field(default=None, kw_only=True)


class _Keep(enum.Enum):
    """The default of every ``Subscription.evolve`` keyword: keep the field as it is."""

    KEEP = "keep"


_KEEP: Final = _Keep.KEEP


@attrs.frozen
class Subscription:
    """One account's subscription, as the host stores it.

    ``period_index`` is the index of the current period in ``cycle``;
    ``stretches`` record what was billed for that period, plan by plan;
    ``processed_until`` is how far time has been processed (commands and
    ``advance`` refuse to go back before it); ``documents_issued`` numbers
    invoices and credit notes deterministically; ``paid_attempts`` holds the
    idempotency key and invoice id of every attempt of the last 24 invoices
    paid (or covered by credit), so an outcome reported for one of them again
    is refused as already paid (an older attempt's, as unknown). ``payments`` are the payments a refund may go
    back to (:class:`Payment`, oldest first): those of the invoices that
    billed a stretch of the current period, paid by a charge (an invoice
    covered by credit alone is no payment); when the stretches change (a new
    period, an interval change, the end), the payments of invoices no longer
    billing one of them are dropped, since refunds only credit the current
    period's unused time. ``outstanding_attempts`` are the attempts of paid
    invoices that may still collect (:class:`OutstandingAttempt`). ``quantity`` is
    how many units (seats) a per-unit price bills, 1 for a flat price;
    ``price`` is the price the subscription is on (:class:`RecordedPrice`), so a
    new catalog version changes nothing until a migration; ``None`` (documents
    written before prices were recorded) bills the catalog's current price. During a trial the cycle is
    anchored at the trial's end, so the first period starts when billing does.

    Build one with ``start_subscription`` rather than by hand.

    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> sub.status.value, str(sub.current_period), sub.period_index
    ('active', '2026-11-01 → 2026-12-01', 0)
    >>> str(sub.credit_balance), sub.documents_issued
    ('USD 0.00', 1)

    With a trial, the first period starts when the trial ends:

    >>> trial = start_subscription("sub_2", "cus_2", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> trial.status.value, trial.trial_end.date().isoformat(), str(trial.current_period)
    ('trialing', '2026-11-15', '2026-11-15 → 2026-12-15')
    """

    id: str = attrs.field(validator=_an_id)
    customer_id: str = attrs.field(validator=_an_id)
    plan_id: str = attrs.field(validator=_an_id)
    interval: Interval
    cycle: BillingCycle
    currency: Currency
    status: Status
    started_at: datetime = attrs.field(validator=_an_instant)
    processed_until: datetime = attrs.field(validator=_an_instant)
    credit_balance: Money
    period_index: int = 0
    trial_end: datetime | None = attrs.field(default=None, validator=optional(_an_instant))
    has_payment_method: bool = True
    pending_change: PendingChange | None = None
    cancel_at_period_end: bool = False
    stretches: tuple[Stretch, ...] = ()
    pending_lines: tuple[Line, ...] = ()
    open_invoices: tuple[OpenInvoice, ...] = ()
    overdue_state: OverdueState | None = attrs.field(
        default=None, validator=optional(instance_of(OverdueState))
    )
    documents_issued: int = 0
    suspension_reason: SuspensionReason | None = None
    suspended_at: datetime | None = attrs.field(default=None, validator=optional(_an_instant))
    suspended_from: Status | None = None
    ended_at: datetime | None = attrs.field(default=None, validator=optional(_an_instant))
    paid_attempts: tuple[tuple[str, str], ...] = ()
    payments: tuple[Payment, ...] = ()
    outstanding_attempts: tuple[OutstandingAttempt, ...] = ()
    quantity: int = attrs.field(default=1, validator=field_check(check_quantity))
    price: RecordedPrice | None = attrs.field(
        default=None, validator=optional(instance_of(RecordedPrice, what="a RecordedPrice"))
    )
    discount: Discount | None = attrs.field(
        default=None, validator=optional(instance_of(Discount, what="a Discount"))
    )
    tax: CustomerTax | None = attrs.field(
        default=None, validator=optional(instance_of(CustomerTax, what="a CustomerTax"))
    )
    credit_grants: tuple[CreditGrant, ...] = ()

    def __attrs_post_init__(self) -> None:
        for name, kind in _FIELD_KINDS:
            expect(getattr(self, name), kind, name)
        for name, kind in _OPTIONAL_ENUMS:
            expect(getattr(self, name), (kind, type(None)), name, what=f"{kind.__name__} or None")
        self._check_balance()
        self._check_grants()
        if self.price is not None:
            if self.price.price.currency != self.currency:
                raise CurrencyMismatchError(
                    "price", self.price.price.currency.code, expected=self.currency.code
                )
            self.price.price.total(self.quantity)  # a flat price bills a quantity of 1 only

    def _check_balance(self) -> None:
        expect(self.credit_balance, Money, "credit_balance")
        if self.credit_balance.currency != self.currency:
            raise InvalidArgumentError(
                f"must be in {self.currency}, got {self.credit_balance}",
                argument="credit_balance",
                value=self.credit_balance,
            )
        if self.credit_balance.is_negative():
            raise InvalidArgumentError(
                f"cannot be negative, got {self.credit_balance}",
                argument="credit_balance",
                value=self.credit_balance,
            )

    def _check_grants(self) -> None:
        """Granted credit is part of the balance: in its currency, never more than it."""
        expect(self.credit_grants, tuple, "credit_grants")
        left = self.zero
        for grant in self.credit_grants:
            expect(grant, CreditGrant, "credit_grants")
            if grant.left.currency != self.currency:
                raise CurrencyMismatchError(
                    "credit_grants", grant.left.currency.code, expected=self.currency.code
                )
            left += grant.left
        if left > self.credit_balance:
            raise InvalidArgumentError(
                f"what is left of the grants, {left}, exceeds the credit balance "
                f"{self.credit_balance} they are part of",
                argument="credit_grants",
                value=self.credit_grants,
            )

    @functools.cached_property
    def current_period(self) -> BillingPeriod:
        """The billing period the subscription is in (``period_index`` of its cycle), once per value."""
        return self.cycle.period(self.period_index)

    @functools.cached_property
    def zero(self) -> Money:
        """Zero in the subscription's currency."""
        return _trusted_money(0, self.currency)  # a checked currency

    def check_instant(self, at: object, argument: str = "at") -> datetime:
        """Return ``at`` in UTC; refuse it if naive or earlier than what was already processed.

        Compared in UTC: 01:10 EST, the second pass of a repeated hour, comes after
        01:30 EDT, whatever the wall clocks say.
        """
        instant = utc_instant(at, argument)
        if instant < self.processed_until.astimezone(UTC):
            raise InvalidPeriodError(
                f"{instant.isoformat()} is before {self.processed_until.isoformat()}, "
                "which this subscription has already processed",
                argument=argument,
                value=at,
            )
        return instant

    def open_invoice(self, invoice_id: str) -> OpenInvoice | None:
        """The open (unpaid) invoice with this id, if any."""
        for open_invoice in self.open_invoices:
            if open_invoice.id == invoice_id:
                return open_invoice
        return None

    def next_document(self) -> tuple[int, Subscription]:
        """Return the next document number and the subscription that has used it."""
        number = self.documents_issued + 1
        return number, self.evolve(documents_issued=number)

    def _kept_payments(self, stretches: tuple[Stretch, ...] | _Keep) -> tuple[Payment, ...]:
        """The payments still refundable once ``stretches`` are the current period's."""
        if stretches is _KEEP or not self.payments:
            return self.payments
        billing = {stretch.invoice_id for stretch in stretches}
        return tuple(p for p in self.payments if p.invoice_id in billing)

    def evolve(
        self,
        *,
        id: str | _Keep = _KEEP,  # noqa: A002 - the field's name
        customer_id: str | _Keep = _KEEP,
        plan_id: str | _Keep = _KEEP,
        interval: Interval | _Keep = _KEEP,
        cycle: BillingCycle | _Keep = _KEEP,
        currency: Currency | _Keep = _KEEP,
        status: Status | _Keep = _KEEP,
        started_at: datetime | _Keep = _KEEP,
        processed_until: datetime | _Keep = _KEEP,
        credit_balance: Money | _Keep = _KEEP,
        period_index: int | _Keep = _KEEP,
        trial_end: datetime | _Keep | None = _KEEP,
        has_payment_method: bool | _Keep = _KEEP,
        pending_change: PendingChange | _Keep | None = _KEEP,
        cancel_at_period_end: bool | _Keep = _KEEP,
        stretches: tuple[Stretch, ...] | _Keep = _KEEP,
        pending_lines: tuple[Line, ...] | _Keep = _KEEP,
        open_invoices: tuple[OpenInvoice, ...] | _Keep = _KEEP,
        overdue_state: OverdueState | _Keep | None = _KEEP,
        documents_issued: int | _Keep = _KEEP,
        suspension_reason: SuspensionReason | _Keep | None = _KEEP,
        suspended_at: datetime | _Keep | None = _KEEP,
        suspended_from: Status | _Keep | None = _KEEP,
        ended_at: datetime | _Keep | None = _KEEP,
        paid_attempts: tuple[tuple[str, str], ...] | _Keep = _KEEP,
        payments: tuple[Payment, ...] | _Keep = _KEEP,
        outstanding_attempts: tuple[OutstandingAttempt, ...] | _Keep = _KEEP,
        quantity: int | _Keep = _KEEP,
        price: RecordedPrice | _Keep | None = _KEEP,
        discount: Discount | _Keep | None = _KEEP,
        tax: CustomerTax | _Keep | None = _KEEP,
        credit_grants: tuple[CreditGrant, ...] | _Keep = _KEEP,
    ) -> Subscription:
        """Return a copy with the fields given changed: the rules' way to make the next value.

        Typed field by field, so mypy checks each name and type. The copy is built
        through :func:`~subscription_rules._checks.trusted` (the rules combine
        values already checked, so not every field's validator runs again, as
        ``attrs.evolve`` would), but it still checks the invariant that matters
        to money: the credit balance stays in the subscription's currency and
        never goes negative. New ``stretches`` drop the payments of invoices
        that bill none of them (unless ``payments`` are given too).

        >>> sub = start_subscription("s", "c", "personal", MONTHLY,
        ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), policy=SEED_POLICY).subscription
        >>> sub.evolve(cancel_at_period_end=True).cancel_at_period_end
        True
        >>> sub.evolve(credit_balance=-sub.zero.with_minor(1))
        Traceback (most recent call last):
        subscription_rules.errors.InvalidArgumentError: credit_balance: cannot be negative, got USD -0.01
        """
        new = _trusted_subscription(
            self.id if id is _KEEP else id,
            self.customer_id if customer_id is _KEEP else customer_id,
            self.plan_id if plan_id is _KEEP else plan_id,
            self.interval if interval is _KEEP else interval,
            self.cycle if cycle is _KEEP else cycle,
            self.currency if currency is _KEEP else currency,
            self.status if status is _KEEP else status,
            self.started_at if started_at is _KEEP else started_at,
            self.processed_until if processed_until is _KEEP else processed_until,
            self.credit_balance if credit_balance is _KEEP else credit_balance,
            self.period_index if period_index is _KEEP else period_index,
            self.trial_end if trial_end is _KEEP else trial_end,
            self.has_payment_method if has_payment_method is _KEEP else has_payment_method,
            self.pending_change if pending_change is _KEEP else pending_change,
            self.cancel_at_period_end if cancel_at_period_end is _KEEP else cancel_at_period_end,
            self.stretches if stretches is _KEEP else stretches,
            self.pending_lines if pending_lines is _KEEP else pending_lines,
            self.open_invoices if open_invoices is _KEEP else open_invoices,
            self.overdue_state if overdue_state is _KEEP else overdue_state,
            self.documents_issued if documents_issued is _KEEP else documents_issued,
            self.suspension_reason if suspension_reason is _KEEP else suspension_reason,
            self.suspended_at if suspended_at is _KEEP else suspended_at,
            self.suspended_from if suspended_from is _KEEP else suspended_from,
            self.ended_at if ended_at is _KEEP else ended_at,
            self.paid_attempts if paid_attempts is _KEEP else paid_attempts,
            self._kept_payments(stretches) if payments is _KEEP else payments,
            self.outstanding_attempts if outstanding_attempts is _KEEP else outstanding_attempts,
            self.quantity if quantity is _KEEP else quantity,
            self.price if price is _KEEP else price,
            self.discount if discount is _KEEP else discount,
            self.tax if tax is _KEEP else tax,
            self.credit_grants if credit_grants is _KEEP else credit_grants,
        )
        if credit_balance is not _KEEP or currency is not _KEEP:
            new._check_balance()  # noqa: SLF001 - the class's own check
        return new


_FIELD_KINDS: tuple[tuple[str, type], ...] = (
    ("interval", Interval),
    ("cycle", BillingCycle),
    ("currency", Currency),
    ("status", Status),
    ("credit_balance", Money),
    ("has_payment_method", bool),
    ("cancel_at_period_end", bool),
)
_OPTIONAL_ENUMS: tuple[tuple[str, type[enum.Enum]], ...] = (
    ("suspension_reason", SuspensionReason),
    ("suspended_from", Status),
)

# The next subscription, made of fields already checked: see Subscription.evolve.
_trusted_subscription = trusted(Subscription)
_trusted_money = trusted(Money)
