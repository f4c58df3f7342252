"""What a decision asks the host to do, and the decision itself.

Every rule function returns a :class:`Decision` (the next subscription value
plus a tuple of effects, in the order to carry them out) or a :class:`Refused`
value when a command does not apply. Effects that move money carry a
deterministic idempotency key, so carrying out the same decision twice cannot
charge twice.

>>> from subscription_rules.effects import Refused, RefusalReason
>>> Refused(RefusalReason.NO_CHANGE, "already on Personal, monthly").message
'already on Personal, monthly'
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TypeAlias

import attrs

from subscription_rules.credits import CreditNote
from subscription_rules.invoices import Invoice
from subscription_rules.money import Money
from subscription_rules.notifications import Notice
from subscription_rules.subscription import Subscription, SuspensionReason
from subscription_rules.usage import Infeasible

__all__ = [
    "ChargeInvoice",
    "Decision",
    "Effect",
    "EndAccess",
    "IssueCreditNote",
    "RefundPayment",
    "RefusalReason",
    "Refused",
    "RestoreAccess",
    "SendNotice",
    "SuspendAccess",
]


@attrs.frozen
class ChargeInvoice:
    """Finalise ``invoice`` and collect its ``amount_due`` from the payment method.

    An invoice whose amount due is zero (fully covered by credit) is recorded
    as paid without a charge.
    """

    invoice: Invoice
    idempotency_key: str

    @property
    def amount(self) -> Money:
        """The amount to collect."""
        return self.invoice.amount_due


@attrs.frozen
class IssueCreditNote:
    """Record ``credit_note``; its ``to_balance`` part is already in the subscription's balance."""

    credit_note: CreditNote
    idempotency_key: str


@attrs.frozen
class RefundPayment:
    """Refund ``amount`` to the payment method, for ``credit_note_number``."""

    amount: Money
    credit_note_number: str
    idempotency_key: str


@attrs.frozen
class SendNotice:
    """Send ``notice`` (the host's notifier chooses channels from the customer's preferences)."""

    notice: Notice


@attrs.frozen
class SuspendAccess:
    """Withdraw the customer's access to the service, for ``reason``."""

    reason: SuspensionReason


@attrs.frozen
class RestoreAccess:
    """Give the customer access to the service again."""


@attrs.frozen
class EndAccess:
    """The subscription has ended: withdraw access for good."""


#: Everything a decision can ask for.
Effect: TypeAlias = (
    ChargeInvoice
    | IssueCreditNote
    | RefundPayment
    | SendNotice
    | SuspendAccess
    | RestoreAccess
    | EndAccess
)


@attrs.frozen
class Decision:
    """The next subscription value and the effects to carry out, in order.

    ``next_wakeup`` is the next instant at which time alone would change
    something (``None`` when nothing is due).
    """

    subscription: Subscription
    effects: tuple[Effect, ...] = ()
    next_wakeup: datetime | None = None

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The notices among the effects."""
        return tuple(e.notice for e in self.effects if isinstance(e, SendNotice))

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """The invoices among the effects."""
        return tuple(e.invoice for e in self.effects if isinstance(e, ChargeInvoice))

    @property
    def credit_notes(self) -> tuple[CreditNote, ...]:
        """The credit notes among the effects."""
        return tuple(e.credit_note for e in self.effects if isinstance(e, IssueCreditNote))


class RefusalReason(enum.Enum):
    """Why a command was refused."""

    NO_CHANGE = "no_change"
    INFEASIBLE = "infeasible"
    NOT_ALLOWED_IN_STATUS = "not_allowed_in_status"
    NOTHING_PENDING = "nothing_pending"
    ALREADY_DONE = "already_done"


@attrs.frozen
class Refused:
    """A command that does not apply, and why; nothing changed.

    ``infeasible`` holds the actions required when a downgrade does not fit.
    """

    reason: RefusalReason
    message: str
    infeasible: Infeasible | None = None
