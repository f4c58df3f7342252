"""The rules bound to one catalog and one policy: :class:`Rulebook`, and :meth:`Rulebook.handle`.

A host builds one ``Rulebook(catalog, policy)`` and calls its methods: each
is the plain rule function of the same name with the bound catalog and
policy, so no call can forget the policy or pass another one.
:meth:`Rulebook.handle` is the request loop's one call: catch up with time,
then apply a command (:mod:`subscription_rules.commands`), as one decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import assert_never, overload
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._checks import expect, instance_of, optional
from subscription_rules.access import has_access, marked_unpaid
from subscription_rules.catalog import Catalog
from subscription_rules.commands import (
    COMMANDS,
    Adjust,
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChangeQuantity,
    Command,
    GrantCredit,
    MigratePrice,
    RecordPayment,
    RedeemCoupon,
    Reinstate,
    SetTrialEnd,
    Suspend,
    Terminate,
    TopUp,
    UndoCancel,
    UpdatePaymentMethod,
    UpdateTax,
)
from subscription_rules.discounts import Coupon
from subscription_rules.dunning import PaymentOutcome
from subscription_rules.effects import Decision, Refused
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.invoices import Invoice
from subscription_rules.lifecycle import (
    PriceMigration,
    adjust,
    advance,
    cancel,
    changes_blocked,
    grant_credit,
    migrate_price,
    next_wakeup,
    price_migrations,
    record_payment,
    redeem_coupon,
    reinstate,
    set_trial_end,
    start_subscription,
    suspend,
    terminate,
    top_up,
    undo_cancel,
    update_payment_method,
    update_tax,
)
from subscription_rules.money import Currency, Money
from subscription_rules.periods import BillingPeriod, Interval, utc_instant
from subscription_rules.policy import BillingPolicy
from subscription_rules.proration import (
    ChangeQuote,
    cancel_pending_change,
    change_plan,
    change_quantity,
    quote_change,
)
from subscription_rules.subscription import Subscription
from subscription_rules.summary import BillingSummary, billing_summary, upcoming_invoice
from subscription_rules.taxes import CustomerTax
from subscription_rules.usage import Usage

__all__ = ["Handled", "Rulebook"]


@attrs.frozen
class Handled:
    """What :meth:`Rulebook.handle` decided: one ``decision`` to carry out, and ``refused``.

    ``decision`` is always there and always to be carried out: store its
    ``subscription`` and perform its ``effects`` in order. When the command
    applied, it holds time's catch-up followed by the command, and ``refused``
    is ``None``. When the command was refused, ``decision`` holds the catch-up
    alone (time passed all the same: a renewal due before the request is
    still charged) and ``refused`` says why the command changed nothing. So
    nothing is half-done and nothing is dropped.

    >>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog
    >>> from subscription_rules.commands import UndoCancel
    >>> rules = Rulebook(default_catalog(), SEED_POLICY)
    >>> sub = rules.start("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     trial=False).subscription
    >>> handled = rules.handle(sub, UndoCancel(), datetime(2026, 12, 5, tzinfo=UTC))
    >>> handled.refused.message, [n.kind.value for n in handled.decision.notices]
    ('no cancellation is scheduled', ['renewed'])
    >>> handled.accepted
    False
    """

    decision: Decision = attrs.field(validator=instance_of(Decision))
    refused: Refused | None = attrs.field(default=None, validator=optional(instance_of(Refused)))

    @property
    def accepted(self) -> bool:
        """Whether the command applied (``refused`` is ``None``)."""
        return self.refused is None


@attrs.frozen
class Rulebook:
    """The rules of one catalog under one policy: a method per rule, and :meth:`handle`.

    Every method is the rule function of the same name (``start`` is
    ``start_subscription``) with ``catalog`` and ``policy`` bound; the other
    arguments keep their names and meanings, and the same inputs give the same
    result as the function. Both fields are required and checked.

    >>> from subscription_rules import MONTHLY, SEED_POLICY, Usage, default_catalog
    >>> rules = Rulebook(default_catalog(), SEED_POLICY)
    >>> start = rules.start("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     trial=False)
    >>> quote = rules.quote_change(start.subscription, "advanced", MONTHLY,
    ...     datetime(2026, 11, 16, tzinfo=UTC), usage=Usage.of(properties=2))
    >>> str(quote.amount_due_now)
    'USD 50.00'
    >>> Rulebook(default_catalog(), "seed")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: policy: expected BillingPolicy, got str 'seed'
    """

    catalog: Catalog = attrs.field(validator=instance_of(Catalog))
    policy: BillingPolicy = attrs.field(validator=instance_of(BillingPolicy))

    # ------------------------------------------------------------------ the request loop

    def handle(
        self,
        subscription: Subscription,
        command: Command,
        at: datetime,
        usage: Usage | None = None,
    ) -> Handled:
        """Catch ``subscription`` up to ``at`` (``advance``), then apply ``command`` at ``at``.

        One call per request. When ``at`` is later than ``processed_until``,
        everything time made due first happens (renewals, a trial's end,
        retries), as ``advance`` does with ``usage``; then the command applies
        to the subscription that results. An ``at`` not later than
        ``processed_until`` is passed to the command as it is, with no catch-up
        (time never runs backwards; the command's own rule decides whether it
        accepts that moment).

        Returns a :class:`Handled`: its ``decision`` merges both — the
        subscription after both, the catch-up's effects followed by the
        command's, the final state's ``next_wakeup`` — and carries the
        catch-up alone, with ``refused`` set, when the command is refused.
        ``usage`` is the account's usage: billed at the period ends caught up,
        checked by a plan change (unless its ``ChangePlan.usage`` is given),
        billed by a termination. A plan change without any usage raises an
        :class:`~subscription_rules.errors.InvalidArgumentError` naming
        ``usage``. Bad input raises as the rules do.

        A month on, a plan change: the 1 December renewal is charged first,
        then the change on 16 December, 16 of December's 31 days left: Advanced
        USD 150.00 x 16 / 31 = USD 77.42 charged, Personal's unused
        USD 50.00 x 16 / 31 = USD 25.81 credited, USD 51.61 due.

        >>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog
        >>> from subscription_rules.commands import ChangePlan
        >>> rules = Rulebook(default_catalog(), SEED_POLICY)
        >>> sub = rules.start("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
        ...     trial=False).subscription
        >>> handled = rules.handle(sub, ChangePlan("advanced"), datetime(2026, 12, 16, tzinfo=UTC),
        ...     usage=Usage.of(properties=2))
        >>> handled.refused is None, handled.decision.subscription.plan_id
        (True, 'advanced')
        >>> [(i.reason.value, str(i.amount_due)) for i in handled.decision.invoices]
        [('renewal', 'USD 50.00'), ('plan_change', 'USD 51.61')]
        >>> handled.decision.next_wakeup.date().isoformat()
        '2027-01-01'
        """
        expect(subscription, Subscription, "subscription")
        expect(command, COMMANDS, "command", what="a command of subscription_rules.commands")
        expect(usage, (Usage, type(None)), "usage")
        instant = utc_instant(at, "at")
        if instant > subscription.processed_until.astimezone(UTC):
            caught_up = self.advance(subscription, at, usage=usage)
        else:
            caught_up = Decision(subscription, (), self.next_wakeup(subscription))
        result = self._apply(caught_up.subscription, command, at, usage)
        if isinstance(result, Refused):
            return Handled(caught_up, result)
        merged = Decision(
            result.subscription, caught_up.effects + result.effects, result.next_wakeup
        )
        return Handled(merged)

    def _apply(  # noqa: C901, PLR0911, PLR0912 - one branch per command
        self, sub: Subscription, command: Command, at: datetime, usage: Usage | None
    ) -> Decision | Refused:
        match command:
            case ChangePlan():
                interval = command.interval or sub.interval
                checked = command.usage or usage
                if checked is None:
                    raise InvalidArgumentError(
                        "a plan change is checked against the account's usage: pass usage= "
                        "or ChangePlan(usage=...), got None",
                        argument="usage",
                        value=None,
                    )
                return self.change_plan(sub, command.plan_id, interval, at, usage=checked)
            case ChangeQuantity():
                checked = command.usage or usage
                if checked is None:
                    raise InvalidArgumentError(
                        "a quantity change is checked against the account's usage: pass usage= "
                        "or ChangeQuantity(usage=...), got None",
                        argument="usage",
                        value=None,
                    )
                return self.change_quantity(sub, command.quantity, at, usage=checked)
            case CancelPendingChange():
                return self.cancel_pending_change(sub, at)
            case Cancel():
                return self.cancel(sub, at)
            case UndoCancel():
                return self.undo_cancel(sub, at)
            case Suspend():
                return self.suspend(sub, at)
            case Reinstate():
                return self.reinstate(sub, at)
            case UpdatePaymentMethod():
                return self.update_payment_method(sub, at)
            case SetTrialEnd():
                return self.set_trial_end(sub, command.trial_end, at)
            case Terminate():
                return self.terminate(sub, at, usage=usage)
            case Adjust():
                return self.adjust(
                    sub, command.invoice_id, command.amount, at, reason=command.reason
                )
            case RecordPayment():
                return self.record_payment(sub, command.attempt, command.outcome, at)
            case MigratePrice():
                return self.migrate_price(sub, at, effective_at=command.effective_at)
            case RedeemCoupon():
                return self.redeem_coupon(
                    sub, command.coupon, at, times_redeemed=command.times_redeemed
                )
            case UpdateTax():
                return self.update_tax(sub, command.tax, at)
            case TopUp():
                return self.top_up(sub, command.amount, at)
            case GrantCredit():
                return self.grant_credit(
                    sub, command.amount, at, reason=command.reason, expires_at=command.expires_at
                )
            case _:
                assert_never(command)

    # ------------------------------------------------------------------ one method per rule

    @overload
    def start(
        self,
        subscription_id: str,
        customer_id: str,
        plan_id: str,
        interval: Interval,
        at: datetime,
        *,
        time_zone: str | ZoneInfo = "UTC",
        has_payment_method: bool = True,
        trial: bool = True,
        had_trial: bool = False,
        billing_anchor: datetime | None = None,
        quantity: int = 1,
        currency: str | Currency | None = None,
        coupon: None = None,
        times_redeemed: int = 0,
        tax: CustomerTax | None = None,
    ) -> Decision: ...

    @overload
    def start(
        self,
        subscription_id: str,
        customer_id: str,
        plan_id: str,
        interval: Interval,
        at: datetime,
        *,
        time_zone: str | ZoneInfo = "UTC",
        has_payment_method: bool = True,
        trial: bool = True,
        had_trial: bool = False,
        billing_anchor: datetime | None = None,
        quantity: int = 1,
        currency: str | Currency | None = None,
        coupon: Coupon,
        times_redeemed: int = 0,
        tax: CustomerTax | None = None,
    ) -> Decision | Refused: ...

    def start(
        self,
        subscription_id: str,
        customer_id: str,
        plan_id: str,
        interval: Interval,
        at: datetime,
        *,
        time_zone: str | ZoneInfo = "UTC",
        has_payment_method: bool = True,
        trial: bool = True,
        had_trial: bool = False,
        billing_anchor: datetime | None = None,
        quantity: int = 1,
        currency: str | Currency | None = None,
        coupon: Coupon | None = None,
        times_redeemed: int = 0,
        tax: CustomerTax | None = None,
    ) -> Decision | Refused:
        """``start_subscription`` with this catalog and policy (a coupon may be refused).

        >>> from subscription_rules import MONTHLY, SEED_POLICY, Coupon, default_catalog
        >>> rules = Rulebook(default_catalog(), SEED_POLICY)
        >>> d = rules.start("s", "c", "advanced", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
        ...     trial=False, currency="EUR", coupon=Coupon("TEN", percent_off=10))
        >>> [str(line.amount) for line in d.invoices[0].lines]
        ['EUR 135.00', 'EUR -13.50']
        """
        return start_subscription(
            subscription_id,
            customer_id,
            plan_id,
            interval,
            at,
            catalog=self.catalog,
            time_zone=time_zone,
            has_payment_method=has_payment_method,
            trial=trial,
            had_trial=had_trial,
            policy=self.policy,
            billing_anchor=billing_anchor,
            quantity=quantity,
            currency=currency,
            coupon=coupon,
            times_redeemed=times_redeemed,
            tax=tax,
        )

    def advance(
        self,
        subscription: Subscription,
        until: datetime,
        *,
        usage: Usage | Callable[[BillingPeriod], Usage] | None = None,
    ) -> Decision:
        """``advance`` with this catalog and policy."""
        return advance(subscription, until, catalog=self.catalog, policy=self.policy, usage=usage)

    def next_wakeup(self, subscription: Subscription) -> datetime | None:
        """``next_wakeup`` with this policy."""
        return next_wakeup(subscription, policy=self.policy)

    def change_plan(
        self,
        subscription: Subscription,
        plan_id: str,
        interval: Interval,
        at: datetime,
        *,
        usage: Usage,
        quantity: int | None = None,
    ) -> Decision | Refused:
        """``change_plan`` with this catalog and policy."""
        return change_plan(
            subscription,
            plan_id,
            interval,
            at,
            catalog=self.catalog,
            usage=usage,
            policy=self.policy,
            quantity=quantity,
        )

    def change_quantity(
        self, subscription: Subscription, quantity: int, at: datetime, *, usage: Usage
    ) -> Decision | Refused:
        """``change_quantity`` with this catalog and policy."""
        return change_quantity(
            subscription, quantity, at, catalog=self.catalog, usage=usage, policy=self.policy
        )

    def quote_change(
        self,
        subscription: Subscription,
        plan_id: str,
        interval: Interval,
        at: datetime,
        *,
        usage: Usage,
        quantity: int | None = None,
    ) -> ChangeQuote | Refused:
        """``quote_change`` with this catalog and policy."""
        return quote_change(
            subscription,
            plan_id,
            interval,
            at,
            catalog=self.catalog,
            usage=usage,
            policy=self.policy,
            quantity=quantity,
        )

    def cancel_pending_change(self, subscription: Subscription, at: datetime) -> Decision | Refused:
        """``cancel_pending_change`` with this policy."""
        return cancel_pending_change(subscription, at, policy=self.policy)

    def cancel(self, subscription: Subscription, at: datetime) -> Decision | Refused:
        """``cancel`` with this policy."""
        return cancel(subscription, at, policy=self.policy)

    def undo_cancel(self, subscription: Subscription, at: datetime) -> Decision | Refused:
        """``undo_cancel`` with this policy."""
        return undo_cancel(subscription, at, policy=self.policy)

    def suspend(self, subscription: Subscription, at: datetime) -> Decision | Refused:
        """``suspend`` with this policy."""
        return suspend(subscription, at, policy=self.policy)

    def reinstate(self, subscription: Subscription, at: datetime) -> Decision | Refused:
        """``reinstate`` with this catalog and policy."""
        return reinstate(subscription, at, catalog=self.catalog, policy=self.policy)

    def update_payment_method(self, subscription: Subscription, at: datetime) -> Decision:
        """``update_payment_method`` with this catalog and policy."""
        return update_payment_method(subscription, at, catalog=self.catalog, policy=self.policy)

    def update_tax(
        self, subscription: Subscription, tax: CustomerTax | None, at: datetime
    ) -> Decision | Refused:
        """``update_tax`` with this policy."""
        return update_tax(subscription, tax, at, policy=self.policy)

    def set_trial_end(
        self, subscription: Subscription, trial_end: datetime, at: datetime
    ) -> Decision | Refused:
        """``set_trial_end`` with this catalog and policy."""
        return set_trial_end(subscription, trial_end, at, catalog=self.catalog, policy=self.policy)

    def terminate(
        self, subscription: Subscription, at: datetime, *, usage: Usage | None = None
    ) -> Decision | Refused:
        """``terminate`` with this catalog and policy."""
        return terminate(subscription, at, catalog=self.catalog, usage=usage, policy=self.policy)

    def adjust(
        self,
        subscription: Subscription,
        invoice_id: str,
        amount: Money,
        at: datetime,
        *,
        reason: str,
    ) -> Decision | Refused:
        """``adjust`` with this catalog and policy."""
        return adjust(
            subscription,
            invoice_id,
            amount,
            at,
            reason=reason,
            catalog=self.catalog,
            policy=self.policy,
        )

    def record_payment(
        self, subscription: Subscription, attempt: str, outcome: PaymentOutcome, at: datetime
    ) -> Decision | Refused:
        """``record_payment`` with this catalog and policy."""
        return record_payment(
            subscription, attempt, outcome, at, catalog=self.catalog, policy=self.policy
        )

    def top_up(self, subscription: Subscription, amount: Money, at: datetime) -> Decision | Refused:
        """``top_up`` with this policy."""
        return top_up(subscription, amount, at, policy=self.policy)

    def grant_credit(
        self,
        subscription: Subscription,
        amount: Money,
        at: datetime,
        *,
        reason: str,
        expires_at: datetime | None = None,
    ) -> Decision | Refused:
        """``grant_credit`` with this policy."""
        return grant_credit(
            subscription, amount, at, reason=reason, expires_at=expires_at, policy=self.policy
        )

    def migrate_price(
        self, subscription: Subscription, at: datetime, *, effective_at: datetime | None = None
    ) -> Decision | Refused:
        """``migrate_price`` with this catalog and policy."""
        return migrate_price(
            subscription, at, catalog=self.catalog, policy=self.policy, effective_at=effective_at
        )

    def redeem_coupon(
        self, subscription: Subscription, coupon: Coupon, at: datetime, *, times_redeemed: int
    ) -> Decision | Refused:
        """``redeem_coupon`` with this catalog and policy."""
        return redeem_coupon(
            subscription,
            coupon,
            at,
            times_redeemed=times_redeemed,
            catalog=self.catalog,
            policy=self.policy,
        )

    def price_migrations(
        self, subscriptions: Sequence[Subscription], at: datetime
    ) -> tuple[PriceMigration, ...]:
        """``price_migrations`` with this catalog and policy."""
        return price_migrations(subscriptions, self.catalog, at, policy=self.policy)

    def upcoming_invoice(
        self, subscription: Subscription, at: datetime, *, usage: Usage | None = None
    ) -> Invoice | None:
        """``upcoming_invoice`` with this catalog and policy."""
        return upcoming_invoice(
            subscription, at, catalog=self.catalog, usage=usage, policy=self.policy
        )

    def billing_summary(
        self, subscription: Subscription, usage: Usage, at: datetime
    ) -> BillingSummary:
        """``billing_summary`` with this catalog and policy."""
        return billing_summary(subscription, usage, at, catalog=self.catalog, policy=self.policy)

    def has_access(self, subscription: Subscription) -> bool:
        """``has_access`` with this policy."""
        return has_access(subscription, self.policy)

    def marked_unpaid(self, subscription: Subscription) -> bool:
        """``marked_unpaid`` with this policy."""
        return marked_unpaid(subscription, self.policy)

    def changes_blocked(self, subscription: Subscription) -> bool:
        """``changes_blocked`` with this policy."""
        return changes_blocked(subscription, self.policy)
