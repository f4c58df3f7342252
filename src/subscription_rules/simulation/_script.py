"""The script of a simulation (timed commands) and :func:`simulate`, which plays it out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final, TypeAlias, assert_never

import attrs

from subscription_rules import commands
from subscription_rules._checks import expect, shown
from subscription_rules.catalog import Catalog
from subscription_rules.commands import (
    COMMANDS,
    Adjust,
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChangeQuantity,
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
from subscription_rules.dunning import PaymentOutcome, Pending, Succeeded
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    EndAccess,
    IssueCreditNote,
    RefundPayment,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import InvalidArgumentError, InvalidPeriodError
from subscription_rules.lifecycle import advance, next_wakeup
from subscription_rules.money import Money
from subscription_rules.notifications import Notice, Preferences
from subscription_rules.periods import require_aware
from subscription_rules.policy import BillingPolicy
from subscription_rules.ports import Execution, PaymentAttempt, execute
from subscription_rules.rulebook import Rulebook
from subscription_rules.subscription import Status, Subscription
from subscription_rules.testing import FixedClock, RecordingNotifier, ScriptedGateway
from subscription_rules.usage import Usage

__all__ = [
    "MAX_SIMULATION_STEPS",
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
    "SetUsage",
    "Step",
    "Suspend",
    "Terminate",
    "Timeline",
    "TimelineEntry",
    "TopUp",
    "UndoCancel",
    "UpdatePaymentMethod",
    "UpdateTax",
    "simulate",
]

#: The most decisions one simulation performs (about 80 years of monthly events).
MAX_SIMULATION_STEPS = 10_000


@attrs.frozen
class SetUsage:
    """From now on, the account's usage is ``usage`` (checked at renewals, billed as overage).

    >>> SetUsage(Usage.of(properties=3)).describe()
    'usage: properties=3'
    """

    usage: Usage = attrs.field(validator=lambda _s, _a, value: expect(value, Usage, "usage"))

    def describe(self) -> str:
        """The command in words."""
        return "usage: " + ", ".join(f"{name}={count}" for name, count in self.usage.counts)


#: Anything a script can do: a command, or a change of the account's usage.
Command: TypeAlias = commands.Command | SetUsage

_COMMANDS: Final = (*COMMANDS, SetUsage)


@attrs.frozen
class Step:
    """Do ``command`` at ``at``.

    >>> Step(datetime(2026, 11, 20, tzinfo=UTC), Cancel()).command
    Cancel()
    """

    at: datetime = attrs.field(validator=lambda _s, _a, value: require_aware(value, "at"))
    command: Command = attrs.field(
        validator=lambda _s, _a, value: expect(value, _COMMANDS, "command")
    )


@attrs.frozen
class TimelineEntry:
    """One moment of the life: what happened, the status after, money moved, notices sent.

    ``charged`` is what was collected (successful charges), ``credited`` the
    credit notes issued, ``refunded`` the refunds.
    """

    at: datetime
    what: str
    status: Status
    charged: Money
    credited: Money
    refunded: Money
    notices: tuple[Notice, ...]
    declined: int = 0

    def summary(self) -> str:
        """One line: date, what happened, status, money.

        >>> zero = Money.zero("USD")
        >>> TimelineEntry(datetime(2026, 1, 1, tzinfo=UTC), "renewed", Status.ACTIVE,
        ...     Money.of("50", "USD"), zero, zero, ()).summary()
        '2026-01-01  renewed                        active     charged USD 50.00'
        """
        text = f"{self.at.date().isoformat()}  {self.what:<30} {self.status.value:<10} "
        text += f"charged {self.charged}"
        if self.credited.is_positive():
            text += f"  credited {self.credited}"
        if self.refunded.is_positive():
            text += f"  refunded {self.refunded}"
        if self.declined:
            text += f"  declined {self.declined}"
        return text


@attrs.frozen
class Timeline:
    """A simulated life: its entries in time order and the subscription at the end."""

    subscription: Subscription
    entries: tuple[TimelineEntry, ...]

    @property
    def charged(self) -> Money:
        """Everything collected."""
        return _total(self.entries, "charged", self.subscription.zero)

    @property
    def credited(self) -> Money:
        """Every credit note's amount."""
        return _total(self.entries, "credited", self.subscription.zero)

    @property
    def refunded(self) -> Money:
        """Every refund."""
        return _total(self.entries, "refunded", self.subscription.zero)

    @property
    def notices(self) -> tuple[Notice, ...]:
        """Every notice sent, in order."""
        return tuple(n for entry in self.entries for n in entry.notices)

    def table(self) -> str:
        """The timeline as plain text, one line per entry."""
        return "\n".join(entry.summary() for entry in self.entries)


def _total(entries: Iterable[TimelineEntry], field: str, zero: Money) -> Money:
    total = zero
    for entry in entries:
        amount = getattr(entry, field)
        assert isinstance(amount, Money)  # noqa: S101 - the three money fields
        total += amount
    return total


def _describe(decision: Decision) -> str:
    kinds = [n.kind.value.replace("_", " ") for n in decision.notices]
    if not kinds and decision.invoices:
        return "payment retried"
    return ", ".join(dict.fromkeys(kinds)) or "time passes"


def _entry(at: datetime, what: str, done: Execution) -> TimelineEntry:
    zero = done.subscription.zero
    charged = credited = refunded = zero
    declined = 0
    for item in done.performed:
        match item:
            case PaymentAttempt(outcome=Succeeded(), refused=None):
                charged += item.request.amount
            case PaymentAttempt(outcome=Succeeded()):
                pass  # an outcome refused (already paid): nothing more was charged
            case PaymentAttempt(outcome=Pending()):
                pass  # accepted by the gateway, the result later: neither charged nor declined
            case PaymentAttempt():
                declined += 1
            case IssueCreditNote():
                credited += item.credit_note.amount
            case RefundPayment():
                refunded += item.amount
            case ChargeInvoice() | SendNotice() | SuspendAccess() | RestoreAccess() | EndAccess():
                pass  # counted through their payment attempts and notices
            case _:
                assert_never(item)
    return TimelineEntry(
        at, what, done.subscription.status, charged, credited, refunded, done.notices, declined
    )


def _check_script(script: Sequence[Step]) -> None:
    if not isinstance(script, tuple | list):
        raise InvalidArgumentError(
            f"expected a list or tuple of Step values, got {type(script).__name__} {shown(script)}",
            argument="script",
            value=script,
        )
    for step in script:
        expect(step, Step, "script")
        require_aware(step.at, "script")


def _check_outcomes(outcomes: object, argument: str) -> None:
    if not isinstance(outcomes, tuple | list) or not all(
        isinstance(outcome, PaymentOutcome) for outcome in outcomes
    ):
        raise InvalidArgumentError(
            f"expected a list or tuple of payment outcomes (Succeeded, Pending, Declined, GatewayError), got "
            f"{type(outcomes).__name__} {shown(outcomes)}",
            argument=argument,
            value=outcomes,
        )


def _check_outcomes_by_invoice(outcomes_by_invoice: object) -> None:
    if outcomes_by_invoice is None:
        return
    if not isinstance(outcomes_by_invoice, Mapping):
        raise InvalidArgumentError(
            f"expected a mapping of invoice ids to payment outcomes, got "
            f"{type(outcomes_by_invoice).__name__} {shown(outcomes_by_invoice)}",
            argument="outcomes_by_invoice",
            value=outcomes_by_invoice,
        )
    for invoice_id, attempts in outcomes_by_invoice.items():
        expect(invoice_id, str, "outcomes_by_invoice")
        _check_outcomes(attempts, "outcomes_by_invoice")


def _refused(sub: Subscription, at: datetime, command: Command) -> TimelineEntry:
    zero = sub.zero
    return TimelineEntry(at, f"refused: {command.describe()}", sub.status, zero, zero, zero, ())


def simulate(
    start: Subscription | Decision,
    script: Sequence[Step],
    until: datetime,
    *,
    catalog: Catalog,
    outcomes: Iterable[PaymentOutcome] = (),
    outcomes_by_invoice: Mapping[str, Iterable[PaymentOutcome]] | None = None,
    policy: BillingPolicy,
    usage: Usage | None = None,
    preferences: Preferences | None = None,
) -> Timeline:
    """Play a subscription's life up to ``until``: time, the script's commands, payments.

    ``outcomes`` answer the charges in order (then every charge succeeds);
    ``outcomes_by_invoice`` script the attempts of particular invoices. A
    command the subscription refuses is recorded as ``refused: …``. ``usage``
    is the account's usage until a :class:`SetUsage` step changes it.
    """
    expect(start, (Subscription, Decision), "start")
    expect(catalog, Catalog, "catalog")
    expect(policy, BillingPolicy, "policy")
    _check_script(script)
    _check_outcomes(outcomes, "outcomes")
    _check_outcomes_by_invoice(outcomes_by_invoice)
    expect(usage, (Usage, type(None)), "usage")
    expect(preferences, (Preferences, type(None)), "preferences")
    until = require_aware(until, "until")
    rules = Rulebook(catalog, policy)
    gateway = ScriptedGateway(outcomes, by_invoice=outcomes_by_invoice)
    notifier = RecordingNotifier()
    current = usage or Usage()
    steps = sorted((step for step in script if step.at <= until), key=lambda step: step.at)
    entries: list[TimelineEntry] = []

    def run(decision: Decision, at: datetime, what: str) -> Subscription:
        done = execute(
            decision,
            gateway=gateway,
            notifier=notifier,
            catalog=catalog,
            policy=policy,
            preferences=preferences,
            clock=FixedClock(at),
        )
        if decision.effects:
            entries.append(_entry(at, what, done))
        return done.subscription

    if isinstance(start, Decision):
        sub = run(start, start.subscription.processed_until, "start")
    else:
        sub = start
    wake = next_wakeup(sub, policy=policy)
    index = 0
    for _ in range(MAX_SIMULATION_STEPS):
        pending = [step.at for step in steps[index : index + 1]]
        at = max(min([until, *pending, *([wake] if wake else [])]), sub.processed_until)
        moved = advance(sub, at, catalog=catalog, policy=policy, usage=current)
        sub = run(moved, at, _describe(moved))
        # The payments just recorded may have scheduled a retry: ask again.
        wake = next_wakeup(sub, policy=policy)
        due = [step.command for step in steps[index:] if step.at <= at]
        index += len(due)
        for command in due:
            if isinstance(command, SetUsage):  # the one command that is no decision
                current = command.usage
                continue
            # Time was caught up to `at` above: handle applies the command alone.
            handled = rules.handle(sub, command, at, usage=current)
            if handled.refused is not None:
                entries.append(_refused(sub, at, command))
                continue
            sub = run(handled.decision, at, command.describe())
            wake = next_wakeup(sub, policy=policy)
        if at >= until and index >= len(steps):
            return Timeline(sub, tuple(entries))
    raise InvalidPeriodError(
        f"the simulation needs more than {MAX_SIMULATION_STEPS} steps; simulate a shorter span",
        argument="until",
        value=until,
    )
