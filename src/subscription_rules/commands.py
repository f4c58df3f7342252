"""Commands as values: one per rule a host applies to an existing subscription.

Each holds the command's own arguments (the subscription, the moment, the
catalog and the policy come from elsewhere), is checked when built, and says
what it does in words (``describe``). :meth:`Rulebook.handle
<subscription_rules.rulebook.Rulebook.handle>` applies any of them after
catching up with time; the simulation's scripts are made of them.

>>> from subscription_rules import Money
>>> [c.describe() for c in (ChangePlan("pro"), Cancel(), Adjust("s-INV-0001",
...     Money.of("10", "USD"), reason="outage"))]
['change plan to pro', 'cancel', 'adjust s-INV-0001 by USD 10.00: outage']
>>> Adjust("s-INV-0001", Money.of("-1", "USD"), reason="outage")
Traceback (most recent call last):
subscription_rules.errors.InvalidArgumentError: amount: must be above zero, got Money.of('-1.00', 'USD')
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, TypeAlias, get_args

import attrs

from subscription_rules._checks import (
    count,
    field_check,
    identifier,
    instance_of,
    optional,
    shown,
)
from subscription_rules._text import format_date
from subscription_rules.catalog import check_quantity
from subscription_rules.discounts import Coupon
from subscription_rules.dunning import PaymentOutcome
from subscription_rules.errors import InvalidArgumentError, InvalidCouponError
from subscription_rules.money import Money
from subscription_rules.periods import Interval, require_aware
from subscription_rules.taxes import CustomerTax
from subscription_rules.usage import Usage

__all__ = [
    "COMMANDS",
    "Adjust",
    "Cancel",
    "CancelPendingChange",
    "ChangePlan",
    "ChangeQuantity",
    "Command",
    "GrantCredit",
    "MigratePrice",
    "RecordPayment",
    "RedeemCoupon",
    "Reinstate",
    "SetTrialEnd",
    "Suspend",
    "Terminate",
    "TopUp",
    "UndoCancel",
    "UpdatePaymentMethod",
    "UpdateTax",
]


def _aware(value: object, argument: str) -> None:
    require_aware(value, argument)


def _positive(value: object, argument: str) -> None:
    if not isinstance(value, Money) or not value.is_positive():
        raise InvalidArgumentError(
            f"must be above zero, got {shown(value)}", argument=argument, value=value
        )


def _outcome(value: object, argument: str) -> None:
    if not isinstance(value, get_args(PaymentOutcome)):
        names = ", ".join(kind.__name__ for kind in get_args(PaymentOutcome))
        raise InvalidArgumentError(
            f"expected a payment outcome ({names}), got {shown(value)}",
            argument=argument,
            value=value,
        )


@attrs.frozen
class ChangePlan:
    """Move to ``plan_id`` (at ``interval``, default the current one), with this usage.

    Without ``usage`` here, the usage given to ``handle`` is checked.

    >>> ChangePlan("pro").describe()
    'change plan to pro'
    """

    plan_id: str = attrs.field(validator=instance_of(str))
    interval: Interval | None = attrs.field(
        default=None, validator=instance_of((Interval, type(None)))
    )
    usage: Usage | None = attrs.field(default=None, validator=instance_of((Usage, type(None))))

    def describe(self) -> str:
        """The command in words."""
        suffix = f" ({self.interval})" if self.interval is not None else ""
        return f"change plan to {self.plan_id}{suffix}"


def _quantity(value: object, argument: str) -> None:
    check_quantity(value, argument)


@attrs.frozen
class ChangeQuantity:
    """Pay for ``quantity`` units (seats) of the current plan (``change_quantity``), with this usage.

    Without ``usage`` here, the usage given to ``handle`` is checked.

    >>> ChangeQuantity(5).describe()
    'change quantity to 5'
    """

    quantity: int = attrs.field(validator=field_check(_quantity))
    usage: Usage | None = attrs.field(default=None, validator=instance_of((Usage, type(None))))

    def describe(self) -> str:
        """The command in words."""
        return f"change quantity to {self.quantity:,}"


@attrs.frozen
class Cancel:
    """Cancel (in a trial, per the policy; after it, at period end).

    >>> Cancel().describe()
    'cancel'
    """

    def describe(self) -> str:
        """The command in words."""
        return "cancel"


@attrs.frozen
class UndoCancel:
    """Undo a scheduled cancellation.

    >>> UndoCancel().describe()
    'undo cancellation'
    """

    def describe(self) -> str:
        """The command in words."""
        return "undo cancellation"


@attrs.frozen
class Suspend:
    """Suspend for a policy violation.

    >>> Suspend().describe()
    'suspend'
    """

    def describe(self) -> str:
        """The command in words."""
        return "suspend"


@attrs.frozen
class Reinstate:
    """Reinstate after a policy-violation suspension.

    >>> Reinstate().describe()
    'reinstate'
    """

    def describe(self) -> str:
        """The command in words."""
        return "reinstate"


@attrs.frozen
class UpdatePaymentMethod:
    """Put a (new) payment method on file.

    >>> UpdatePaymentMethod().describe()
    'update payment method'
    """

    def describe(self) -> str:
        """The command in words."""
        return "update payment method"


@attrs.frozen
class CancelPendingChange:
    """Drop a scheduled plan change.

    >>> CancelPendingChange().describe()
    'cancel pending change'
    """

    def describe(self) -> str:
        """The command in words."""
        return "cancel pending change"


@attrs.frozen
class SetTrialEnd:
    """Move a running trial's end to ``trial_end`` (``set_trial_end``).

    >>> from datetime import UTC
    >>> SetTrialEnd(datetime(2026, 11, 22, tzinfo=UTC)).describe()
    'set trial end to 22 Nov 2026'
    """

    trial_end: datetime = attrs.field(validator=field_check(_aware))

    def describe(self) -> str:
        """The command in words."""
        return f"set trial end to {format_date(self.trial_end)}"


@attrs.frozen
class Terminate:
    """End now, crediting the unused paid time (``terminate``).

    >>> Terminate().describe()
    'terminate'
    """

    def describe(self) -> str:
        """The command in words."""
        return "terminate"


@attrs.frozen
class Adjust:
    """Credit ``amount`` against what ``invoice_id`` billed for the current period (``adjust``).

    >>> Adjust("s-INV-0001", Money.of("10", "USD"), reason="outage").describe()
    'adjust s-INV-0001 by USD 10.00: outage'
    """

    invoice_id: str = attrs.field(validator=field_check(identifier))
    amount: Money = attrs.field(validator=field_check(_positive))
    reason: str = attrs.field(kw_only=True, validator=instance_of(str))

    def describe(self) -> str:
        """The command in words."""
        return f"adjust {self.invoice_id} by {self.amount}: {self.reason}"


@attrs.frozen
class RecordPayment:
    """Record ``outcome`` for the charge attempt ``attempt`` (``record_payment``).

    >>> from subscription_rules.dunning import Succeeded
    >>> RecordPayment("s:charge:s-INV-0001:due-5000:attempt-1", Succeeded()).describe()
    'record payment: Succeeded for s:charge:s-INV-0001:due-5000:attempt-1'
    """

    attempt: str = attrs.field(validator=instance_of(str))
    outcome: PaymentOutcome = attrs.field(validator=field_check(_outcome))

    def describe(self) -> str:
        """The command in words."""
        return f"record payment: {type(self.outcome).__name__} for {self.attempt}"


@attrs.frozen
class MigratePrice:
    """Move to the catalog's current price for the plan at a period end (``migrate_price``).

    ``effective_at``: the period end it takes effect at, ``None`` for the next one.

    >>> from datetime import UTC
    >>> MigratePrice().describe(), MigratePrice(datetime(2027, 3, 1, tzinfo=UTC)).describe()
    ('migrate to the current price', 'migrate to the current price on 1 Mar 2027')
    """

    effective_at: datetime | None = attrs.field(
        default=None, validator=optional(field_check(_aware))
    )

    def describe(self) -> str:
        """The command in words."""
        if self.effective_at is None:
            return "migrate to the current price"
        return f"migrate to the current price on {format_date(self.effective_at)}"


@attrs.frozen
class RedeemCoupon:
    """Redeem ``coupon``, redeemed ``times_redeemed`` times so far (``redeem_coupon``).

    >>> from subscription_rules.discounts import Coupon
    >>> RedeemCoupon(Coupon("LAUNCH20", percent_off=20), times_redeemed=3).describe()
    'redeem coupon LAUNCH20 (20 % off once)'
    """

    coupon: Coupon = attrs.field(
        validator=instance_of(Coupon, what="a Coupon", error=InvalidCouponError)
    )
    times_redeemed: int = attrs.field(default=0, kw_only=True, validator=field_check(count))

    def describe(self) -> str:
        """The command in words."""
        return f"redeem coupon {self.coupon.id} ({self.coupon.describe()})"


@attrs.frozen
class TopUp:
    """Buy ``amount`` of prepaid credit: an invoice charged, the credit added once paid (``top_up``).

    >>> TopUp(Money.of("100", "USD")).describe()
    'top up USD 100.00 of prepaid credit'
    """

    amount: Money = attrs.field(validator=field_check(_positive))

    def describe(self) -> str:
        """The command in words."""
        return f"top up {self.amount} of prepaid credit"


@attrs.frozen
class GrantCredit:
    """Grant ``amount`` of credit to the balance, expiring at ``expires_at`` (``grant_credit``).

    >>> from datetime import UTC
    >>> GrantCredit(Money.of("30", "USD"), reason="outage",
    ...     expires_at=datetime(2027, 1, 1, tzinfo=UTC)).describe()
    'grant USD 30.00 of credit: outage, expiring on 1 Jan 2027'
    """

    amount: Money = attrs.field(validator=field_check(_positive))
    reason: str = attrs.field(kw_only=True, validator=instance_of(str))
    expires_at: datetime | None = attrs.field(
        default=None, kw_only=True, validator=optional(field_check(_aware))
    )

    def describe(self) -> str:
        """The command in words."""
        text = f"grant {self.amount} of credit: {self.reason}"
        if self.expires_at is None:
            return text
        return f"{text}, expiring on {format_date(self.expires_at)}"


@attrs.frozen
class UpdateTax:
    """Tax the customer with ``tax`` from now on, ``None`` for no tax (``update_tax``).

    >>> from subscription_rules.taxes import CustomerTax, TaxRate
    >>> UpdateTax(CustomerTax(TaxRate("VAT 20 %", "FR", "20"))).describe()
    'update tax: VAT 20 % (FR)'
    >>> UpdateTax(None).describe()
    'update tax: none'
    """

    tax: CustomerTax | None = attrs.field(
        validator=optional(instance_of(CustomerTax, what="a CustomerTax"))
    )

    def describe(self) -> str:
        """The command in words."""
        if self.tax is None:
            return "update tax: none"
        text = f"update tax: {self.tax.rate.name} ({self.tax.rate.jurisdiction})"
        return f"{text}, reverse charge" if self.tax.reverse_charge else text


#: Every command on an existing subscription (starting one is ``start_subscription``).
Command: TypeAlias = (
    ChangePlan
    | ChangeQuantity
    | Cancel
    | UndoCancel
    | Suspend
    | Reinstate
    | UpdatePaymentMethod
    | CancelPendingChange
    | SetTrialEnd
    | Terminate
    | Adjust
    | RecordPayment
    | MigratePrice
    | RedeemCoupon
    | TopUp
    | GrantCredit
    | UpdateTax
)

#: The command types, for checks.
COMMANDS: Final[tuple[type, ...]] = get_args(Command)
