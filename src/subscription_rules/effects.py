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

from subscription_rules._checks import expect
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

    >>> d = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY)
    >>> charge = d.effects[0]
    >>> charge.invoice.id, str(charge.amount)
    ('sub_1-INV-0001', 'USD 150.00')
    >>> charge.idempotency_key
    'sub_1:charge:sub_1-INV-0001:due-15000:attempt-1'
    """

    invoice: Invoice
    idempotency_key: str

    @property
    def amount(self) -> Money:
        """The amount to collect."""
        return self.invoice.amount_due


@attrs.frozen
class IssueCreditNote:
    """Record ``credit_note``; its ``to_balance`` part is already in the subscription's balance.

    An upgrade halfway through November credits the unused time on the old
    plan, and the credit pays part of the new plan's charge:

    >>> from subscription_rules import MONTHLY, Usage, change_plan, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> d = change_plan(sub, "pro", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=4), policy=SEED_POLICY)
    >>> [type(e).__name__ for e in d.effects]
    ['IssueCreditNote', 'SendNotice', 'ChargeInvoice', 'SendNotice']
    >>> issue = d.effects[0]
    >>> str(issue.credit_note.amount), str(issue.credit_note.to_balance)
    ('USD 75.00', 'USD 75.00')
    >>> issue.idempotency_key
    'sub_1:credit-note:sub_1-CN-0002'
    """

    credit_note: CreditNote
    idempotency_key: str


@attrs.frozen
class RefundPayment:
    """Refund ``amount`` of the payment ``attempt_key`` made for ``invoice_id``, for ``credit_note_number``.

    ``credit_note_number`` is ``None`` for the refund of a second payment of an
    invoice already paid (two attempts collected: see ``record_payment``),
    refunded in full with no credit note, since no invoice is credited.

    A provider refunds a payment (Stripe: a charge or PaymentIntent), so the
    refund names it: the charge attempt that succeeded (its idempotency key)
    and the invoice it paid. Only a policy that sends credit back to the
    payment method refunds, and never more than was paid; a credit note's
    refund larger than the last payment's amount not yet refunded is split
    into one ``RefundPayment`` per payment, newest first, each keyed by the
    credit note and the payment:

    >>> from subscription_rules import MONTHLY, Usage, change_plan, default_catalog
    >>> from subscription_rules.policy import BillingPolicy, CreditDestination, DowngradeTiming
    >>> catalog = default_catalog()
    >>> policy = BillingPolicy(downgrade_timing=DowngradeTiming.IMMEDIATELY,
    ...     credit_destination=CreditDestination.REFUND)
    >>> from subscription_rules import record_payment
    >>> from subscription_rules.dunning import Succeeded
    >>> start = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
    >>> charge = start.effects[0]
    >>> sub = record_payment(start.subscription, charge.idempotency_key, Succeeded(),
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> d = change_plan(sub, "personal", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=2), policy=policy)
    >>> refund = d.effects[1]
    >>> str(refund.amount), refund.credit_note_number, refund.invoice_id
    ('USD 75.00', 'sub_1-CN-0002', 'sub_1-INV-0001')
    >>> refund.attempt_key
    'sub_1:charge:sub_1-INV-0001:due-15000:attempt-1'
    >>> refund.idempotency_key
    'sub_1:refund:sub_1-CN-0002:sub_1:charge:sub_1-INV-0001:due-15000:attempt-1'
    """

    amount: Money
    credit_note_number: str | None
    attempt_key: str
    invoice_id: str
    idempotency_key: str


@attrs.frozen
class SendNotice:
    """Send ``notice`` (the host's notifier chooses channels from the customer's preferences).

    >>> d = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), policy=SEED_POLICY)
    >>> (send,) = d.effects
    >>> send.notice.kind.value, send.notice.key
    ('trial_started', 'sub_1:trial_started:trial')
    """

    notice: Notice


@attrs.frozen
class SuspendAccess:
    """Withdraw the customer's access to the service, for ``reason``.

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription, suspend
    >>> sub = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), policy=SEED_POLICY).subscription
    >>> suspend(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY).effects[0]
    SuspendAccess(reason=<SuspensionReason.POLICY_VIOLATION: 'policy_violation'>)
    """

    reason: SuspensionReason

    def __attrs_post_init__(self) -> None:
        expect(self.reason, SuspensionReason, "reason")


@attrs.frozen
class RestoreAccess:
    """Give the customer access to the service again.

    >>> from subscription_rules import MONTHLY, default_catalog, reinstate
    >>> from subscription_rules import start_subscription, suspend
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> sub = suspend(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY).subscription
    >>> reinstate(sub, datetime(2026, 11, 12, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).effects[0]
    RestoreAccess()
    """


@attrs.frozen
class EndAccess:
    """The subscription has ended: withdraw access for good.

    A cancellation takes effect at the end of the period:

    >>> from subscription_rules import MONTHLY, advance, cancel, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> sub = cancel(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY).subscription
    >>> d = advance(sub, datetime(2026, 12, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> [type(e).__name__ for e in d.effects], d.subscription.status.value
    (['EndAccess', 'SendNotice'], 'ended')
    """


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

    >>> d = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY)
    >>> d.subscription.status.value, [type(e).__name__ for e in d.effects]
    ('active', ['ChargeInvoice', 'SendNotice'])
    >>> [str(invoice.amount_due) for invoice in d.invoices], [n.kind.value for n in d.notices]
    (['USD 150.00'], ['subscription_started'])
    >>> d.invoices[0].id, d.effects[0].idempotency_key
    ('sub_1-INV-0001', 'sub_1:charge:sub_1-INV-0001:due-15000:attempt-1')
    >>> d.next_wakeup.isoformat()
    '2026-12-01T00:00:00+00:00'
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
    """Why a command was refused.

    Of a payment outcome (``record_payment``): ``UNKNOWN_ATTEMPT`` (no charge
    attempt with that idempotency key awaits an outcome), ``DUPLICATE_OUTCOME``
    (the attempt was already answered: a webhook delivered twice, or a stale
    one) and ``ALREADY_PAID`` (an attempt of an invoice already paid).
    Of an adjustment (``adjust``): ``NOT_ADJUSTABLE`` (no stretch of the
    current period was billed by that invoice) and ``EXCEEDS_CREDITABLE``
    (more than is left creditable of what it billed).
    Of a price migration (``migrate_price``): ``NOTICE_PERIOD`` (the period end
    is nearer than the policy's ``price_change_notice_days``),
    ``NOT_YET_EFFECTIVE`` (the period end comes before the catalog version
    takes effect), ``NO_CURRENT_PRICE`` (the plan is retired, or no longer
    sold at the subscription's interval and currency) and ``CHANGE_PENDING``
    (a change to another plan or interval is scheduled, or the one scheduled
    takes effect at another period end).
    Of a coupon (``redeem_coupon``): ``REDEMPTION_LIMIT_REACHED`` (redeemed
    ``max_redemptions`` times already), ``COUPON_EXPIRED`` (after its
    ``redeem_by``) and ``COUPON_NOT_FOR_PLAN`` (restricted to other plans).
    """

    NO_CHANGE = "no_change"
    INFEASIBLE = "infeasible"
    NOT_ALLOWED_IN_STATUS = "not_allowed_in_status"
    NOTHING_PENDING = "nothing_pending"
    ALREADY_DONE = "already_done"
    UNKNOWN_ATTEMPT = "unknown_attempt"
    DUPLICATE_OUTCOME = "duplicate_outcome"
    ALREADY_PAID = "already_paid"
    BLOCKED_WHILE_OVERDUE = "blocked_while_overdue"
    NOT_ADJUSTABLE = "not_adjustable"
    EXCEEDS_CREDITABLE = "exceeds_creditable"
    NOTICE_PERIOD = "notice_period"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    NO_CURRENT_PRICE = "no_current_price"
    CHANGE_PENDING = "change_pending"
    REDEMPTION_LIMIT_REACHED = "redemption_limit_reached"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_NOT_FOR_PLAN = "coupon_not_for_plan"


@attrs.frozen
class Refused:
    """A command that does not apply, and why; nothing changed.

    ``infeasible`` holds the actions required when a downgrade does not fit.

    >>> from subscription_rules import MONTHLY, Usage, change_plan, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> at = datetime(2026, 11, 5, tzinfo=UTC)
    >>> change_plan(sub, "advanced", MONTHLY, at, catalog=catalog, usage=Usage.of(properties=4), policy=SEED_POLICY)
    Refused(reason=<RefusalReason.NO_CHANGE: 'no_change'>, message='already on advanced, monthly', infeasible=None)
    >>> refused = change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=4), policy=SEED_POLICY)
    >>> refused.reason.value, refused.message
    ('infeasible', 'Personal allows 3 properties: delete 1 property first')
    >>> refused.infeasible.actions_text
    ('delete 1 property',)
    """

    reason: RefusalReason
    message: str
    infeasible: Infeasible | None = None

    def __attrs_post_init__(self) -> None:
        expect(self.reason, RefusalReason, "reason")
        expect(self.message, str, "message")
