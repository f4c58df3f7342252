"""Payment outcomes delivered late, twice, out of order, pending, or never, against a fake bank.

Issue 16 item 3, and the guide's promise: "nothing is charged twice, even when outcomes
arrive late, twice or never". Hypothesis draws a catalog, a policy and a subscription life
from the shipped strategies (``subscription_rules.strategies``), then interleaves
``advance``, a few commands through ``Rulebook.handle``, and deliveries of payment outcomes
(``RecordPayment`` through ``handle``) from a fake bank written here.

The bank
========

It keeps every charge attempt the rules emit (``ChargeInvoice`` effects, by idempotency key,
with the invoice and the amount) and decides each attempt's fate from Hypothesis draws when
the charge is sent: it succeeds; it is declined (soft or hard); it fails at the gateway
(nothing collected; a resend of the same key is a new try and gets a new fate); it fails at
the gateway although the money was taken (the resend, or a later webhook, says succeeded);
it is pending, then settled later as succeeded or declined, or never. A resend of a key
already decided is answered idempotently (the same result, nothing collected again). Each
fate is a list of outcome events; the bank delivers them whenever drawn: in order or not,
twice, after ``advance`` ran further (``at`` before ``processed_until``), exactly at
``processed_until``, one second before or after it, at the pending timeout of the attempt's
``Pending`` and one second either side. A pending attempt "never" settled never collects.
Refunds are what the rules send back (``RefundPayment`` effects), each naming the attempt.

The oracle
==========

It reads only the bank's ledger and the effects the bank received, never the subscription's
own records (its open invoices, payments, balances). After every step:

(a) nothing raised: a rule either decides or refuses as a value (``Refused``);
(b) for every invoice, the money collected by its attempts whose success the rules have been
    told of (delivered at least once), minus what was refunded to those attempts, is at most
    the invoice's amount due: nothing is kept twice. (Money the rules have not been told of
    cannot be refunded yet: a pending debit given up at its timeout and its retry may both
    collect, and only the late news of the first lets the rules refund the second.)
(c) a refund names an attempt of its invoice that collected, and the refunds of an attempt
    never exceed what it collected;
(d) a ``Pending`` answer never makes a subscription past due, and ``advance`` makes one past
    due only when a pending attempt's ``pending_timeout`` ran out in the span advanced, or a
    trial ended (invoiced without a payment method);
(e) the subscription round-trips through ``serialization.loads(dumps(sub))``.

At the end every event still owed is delivered, and the account is advanced past every
pending timeout (the charges that follow are answered at once) until no event is owed and no
pending attempt awaits its timeout. Then, for every invoice, with "paid" meaning that the bank
collected money for it (the bank's side):

- a paid invoice keeps exactly its amount due: collected minus the refunds made without a
  credit note (``credit_note_number=None``: refunds of a second collection) equals the amount
  due (refunds for a credit note give back unused time, and (b) bounds them);
- an unpaid invoice kept nothing (collected is zero, so by (c) nothing was refunded);
- the rules agree with the bank: exactly the paid invoices got one ``payment_succeeded``
  notice each.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Final

import attrs
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    BillingPolicy,
    Catalog,
    ChargeInvoice,
    Decision,
    NoticeKind,
    RefundPayment,
    Status,
    Subscription,
    Usage,
)
from subscription_rules.commands import (
    Cancel,
    ChangePlan,
    Command,
    Reinstate,
    Suspend,
    UndoCancel,
    UpdatePaymentMethod,
)
from subscription_rules.commands import RecordPayment as Deliver
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    Pending,
    Succeeded,
)
from subscription_rules.rulebook import Rulebook
from subscription_rules.serialization import dumps, loads
from subscription_rules.strategies import catalogs, policies, subscriptions

SECOND: Final = timedelta(seconds=1)
#: The fates the bank draws for a charge it receives.
FATES: Final = (
    "succeeds",
    "declined_soft",
    "declined_hard",
    "gateway_error",
    "gateway_error_collected",
    "pending_succeeds",
    "pending_declined",
    "pending_never",
)
#: How long after a charge (or a pending answer) an event naturally happens.
DELAYS: Final = st.sampled_from(
    [timedelta(0), SECOND, timedelta(minutes=5), timedelta(hours=2), timedelta(days=3)]
)

#: Examples and steps checked in this process (printed by `make soak`).
CHECKED: Counter[str] = Counter()


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


@attrs.define
class Attempt:
    """One charge attempt as the bank sees it: its key, invoice, fate and events."""

    key: str
    invoice_id: str
    amount: int
    sent_at: datetime
    fate: str | None = None
    collected: int = 0
    refunded: int = 0
    refunded_without_note: int = 0
    #: Outcome events the bank will deliver: (outcome, when it naturally happened).
    events: list[tuple[PaymentOutcome, datetime]] = attrs.Factory(list)
    #: Indexes of ``events`` delivered at least once.
    delivered: set[int] = attrs.Factory(set)
    #: The ``at`` of the accepted ``Pending`` answer, while no settlement was accepted.
    pending_at: datetime | None = None

    @property
    def told_collected(self) -> int:
        """Money collected that the rules were told of (a success delivered)."""
        told = any(isinstance(self.events[i][0], Succeeded) for i in self.delivered)
        return self.collected if told else 0

    def owed(self) -> list[int]:
        return [i for i in range(len(self.events)) if i not in self.delivered]


@attrs.define
class Bank:
    """The fake bank and the test's own ledger (see the module docstring)."""

    attempts: dict[str, Attempt] = attrs.Factory(dict)
    amounts: dict[str, int] = attrs.Factory(dict)
    succeeded_notices: Counter[str] = attrs.Factory(Counter)

    def by_invoice(self, invoice_id: str) -> list[Attempt]:
        return [a for a in self.attempts.values() if a.invoice_id == invoice_id]


class Story:
    """A life driven by Hypothesis draws, checked after every step."""

    def __init__(
        self,
        data: st.DataObject,
        catalog: Catalog,
        policy: BillingPolicy,
        sub: Subscription,
    ) -> None:
        self.data = data
        self.rules = Rulebook(catalog, policy)
        self.policy = policy
        self.sub = sub
        self.bank = Bank()
        self.quiescing = False
        self.log: list[str] = []
        # Charges sent before the bank started watching: the strategies' life sent them.
        for item in sub.open_invoices:
            self.bank.amounts[item.id] = item.invoice.amount_due.minor
            if item.attempt_key is not None and item.in_flight:
                self._charge(item.attempt_key, item.id, item.invoice.amount_due.minor)
        for payment in sub.payments:
            self.bank.amounts.setdefault(payment.invoice_id, payment.amount.minor)
            self.bank.attempts[payment.attempt_key] = Attempt(
                payment.attempt_key,
                payment.invoice_id,
                payment.amount.minor,
                _utc(sub.processed_until),
                fate="succeeds",
                collected=payment.amount.minor,
                refunded=payment.refunded.minor,
                events=[(Succeeded(), _utc(sub.processed_until))],
                delivered={0},
            )
        self._check()

    # ------------------------------------------------------------------ the bank

    def _draw_fate(self) -> str:
        if self.quiescing:
            return self.data.draw(st.sampled_from(["succeeds", "declined_hard"]), "quiet fate")
        # Pending fates twice as often: their timeouts and late settlements are the rarer paths.
        return self.data.draw(st.sampled_from((*FATES, *FATES[-3:])), "fate")

    def _charge(self, key: str, invoice_id: str, amount: int) -> None:
        """The bank receives a charge request (a new attempt, or a resend of its key)."""
        now = _utc(self.sub.processed_until)
        known = self.bank.amounts.setdefault(invoice_id, amount)
        assert known == amount, f"{invoice_id} charged {amount} after {known}"
        attempt = self.bank.attempts.get(key)
        if attempt is None:
            attempt = Attempt(key, invoice_id, amount, now)
            self.bank.attempts[key] = attempt
        assert attempt.invoice_id == invoice_id, f"{key} names two invoices"
        if attempt.fate not in {None, "gateway_error"}:
            # Idempotent replay: the original result again, nothing collected again.
            if attempt.collected:
                attempt.events.append((Succeeded(), now))
            elif attempt.fate in {"declined_soft", "declined_hard"}:
                attempt.events.append(attempt.events[-1])
            return
        attempt.fate = self._draw_fate()
        self._events(attempt, now)

    def _events(self, attempt: Attempt, now: datetime) -> None:
        """The outcome events of ``attempt``'s fate, and the money it collects."""
        fate, amount = attempt.fate, attempt.amount
        delay = self.data.draw(DELAYS, "delay")
        happened = now + delay
        match fate:
            case "succeeds":
                attempt.collected = amount
                attempt.events.append((Succeeded(), happened))
            case "declined_soft" | "declined_hard":
                kind = DeclineKind.SOFT if fate == "declined_soft" else DeclineKind.HARD
                attempt.events.append((Declined(kind, "drawn"), happened))
            case "gateway_error":
                attempt.events.append((GatewayError("drawn"), now))
            case "gateway_error_collected":
                attempt.collected = amount
                attempt.events.append((GatewayError("timeout"), now))
                attempt.events.append((Succeeded(), happened))
            case "pending_succeeds" | "pending_declined" | "pending_never":
                attempt.events.append((Pending(), happened))
                timeout = self.policy.pending_timeout
                settle = self.data.draw(
                    st.sampled_from(
                        [SECOND, timedelta(days=2), timeout - SECOND, timeout, timeout + SECOND]
                    ),
                    "settled after",
                )
                if fate == "pending_succeeds":
                    attempt.collected = amount
                    attempt.events.append((Succeeded(), happened + settle))
                elif fate == "pending_declined":
                    attempt.events.append(
                        (Declined(DeclineKind.SOFT, "debit_returned"), happened + settle)
                    )

    def _refund(self, refund: RefundPayment) -> None:
        attempt = self.bank.attempts.get(refund.attempt_key)
        assert attempt is not None, f"refund of an attempt the bank never saw: {refund}"
        assert attempt.invoice_id == refund.invoice_id, f"refund names the wrong invoice: {refund}"
        attempt.refunded += refund.amount.minor
        if refund.credit_note_number is None:
            attempt.refunded_without_note += refund.amount.minor
            CHECKED["second collections refunded"] += 1
        # (c) a refund never exceeds what that attempt collected.
        assert attempt.refunded <= attempt.collected, (
            f"{refund.attempt_key} refunded {attempt.refunded} of {attempt.collected} collected"
        )

    # ------------------------------------------------------------------ steps

    def _take(self, decision: Decision) -> None:
        self.sub = decision.subscription
        for effect in decision.effects:
            if isinstance(effect, ChargeInvoice):
                if effect.amount.is_positive():
                    self._charge(effect.idempotency_key, effect.invoice.id, effect.amount.minor)
            elif isinstance(effect, RefundPayment):
                self._refund(effect)
        for notice in decision.notices:
            if notice.kind is NoticeKind.PAYMENT_SUCCEEDED:
                self.bank.succeeded_notices[str(notice.fact("invoice"))] += 1

    def advance(self, until: datetime) -> None:
        before = self.sub.status
        start = _utc(self.sub.processed_until)
        self.log.append(f"advance to {until.isoformat()}")
        decision = self.rules.advance(self.sub, until)
        self._take(decision)
        end = _utc(self.sub.processed_until)
        if self.sub.status is Status.PAST_DUE and before is not Status.PAST_DUE:
            # (d) only a pending timeout run out, or a trial's end, makes it past due.
            timed_out = any(
                a.pending_at is not None and a.pending_at + self.policy.pending_timeout <= end
                for a in self.bank.attempts.values()
            )
            assert timed_out or before is Status.TRIALING, (
                f"past due after advancing {start} -> {end} with no failure"
            )
        self._check()

    def command(self, command: Command, at: datetime) -> None:
        self.log.append(f"handle {command} at {at.isoformat()}")
        handled = self.rules.handle(self.sub, command, at, usage=Usage.of())
        self._take(handled.decision)
        self._check()

    def deliver(self, attempt: Attempt, index: int, at: datetime) -> None:
        outcome, _ = attempt.events[index]
        before = self.sub.status
        catch_up = _utc(at) > _utc(self.sub.processed_until)
        self.log.append(f"deliver {outcome} for {attempt.key} at {at.isoformat()}")
        handled = self.rules.handle(self.sub, Deliver(attempt.key, outcome), at, usage=Usage.of())
        attempt.delivered.add(index)
        accepted = handled.refused is None
        CHECKED["late deliveries"] += _utc(at) < _utc(self.sub.processed_until)
        CHECKED[f"{type(outcome).__name__} {'accepted' if accepted else 'refused'}"] += 1
        if accepted and isinstance(outcome, Pending):
            attempt.pending_at = _utc(at)
            if not catch_up and before is not Status.PAST_DUE:
                # (d) a charge accepted for later is no failure.
                assert handled.decision.subscription.status is not Status.PAST_DUE, (
                    "a Pending answer made the subscription past due"
                )
        elif accepted and not isinstance(outcome, GatewayError):
            attempt.pending_at = None
        self._take(handled.decision)
        self._check()

    # ------------------------------------------------------------------ the oracle

    def _check(self) -> None:
        CHECKED["steps"] += 1
        for invoice_id, due in self.bank.amounts.items():
            attempts = self.bank.by_invoice(invoice_id)
            kept = sum(a.told_collected - a.refunded for a in attempts)
            # (b) nothing kept twice.
            assert kept <= due, f"{invoice_id}: kept {kept} of {due} due\n" + self._story()
        # (e) the stored subscription reloads as it was.
        assert loads(dumps(self.sub), Subscription) == self.sub

    def final_check(self) -> None:
        for invoice_id, due in self.bank.amounts.items():
            attempts = self.bank.by_invoice(invoice_id)
            collected = sum(a.collected for a in attempts)
            kept = collected - sum(a.refunded_without_note for a in attempts)
            told = self.bank.succeeded_notices[invoice_id]
            if collected:
                assert kept == due, f"{invoice_id}: kept {kept}, due {due}\n" + self._story()
            else:
                assert told == 0, f"{invoice_id}: paid notice, nothing collected\n" + self._story()
        for invoice_id, count in self.bank.succeeded_notices.items():
            assert count == 1, f"{invoice_id}: {count} payment_succeeded notices\n" + self._story()

    def _story(self) -> str:
        return "\n".join(self.log[-40:])


def _edge_times(story: Story) -> list[datetime]:
    """Instants after ``processed_until`` where the rules may break."""
    now = _utc(story.sub.processed_until)
    times = [now + SECOND, now + timedelta(hours=1), now + timedelta(days=1)]
    times += [now + timedelta(days=d) for d in (3, 10, 35)]
    timeout = story.policy.pending_timeout
    for attempt in story.bank.attempts.values():
        if attempt.pending_at is not None:
            edge = attempt.pending_at + timeout
            times += [edge - SECOND, edge, edge + SECOND]
    wakeup = story.rules.next_wakeup(story.sub)
    if wakeup is not None:
        times += [_utc(wakeup) - SECOND, _utc(wakeup), _utc(wakeup) + SECOND]
    return sorted({t for t in times if t > now})


def _delivery_time(story: Story, attempt: Attempt, index: int) -> datetime:
    """When the delivered event says it happened: naturally, or at an edge."""
    now = _utc(story.sub.processed_until)
    natural = attempt.events[index][1]
    choices = [natural, now, now - SECOND, now + SECOND]
    if attempt.pending_at is not None:
        edge = attempt.pending_at + story.policy.pending_timeout
        choices += [edge - SECOND, edge, edge + SECOND]
    at = story.data.draw(st.sampled_from(choices), "delivered at")
    return max(at, attempt.sent_at)


def _step(story: Story) -> None:
    data = story.data
    owed = [(a, i) for a in story.bank.attempts.values() for i in a.owed()]
    done = [(a, i) for a in story.bank.attempts.values() for i in a.delivered]
    kinds = ["advance", "command"]
    kinds += ["deliver"] * 3 if owed else []
    kinds += ["duplicate"] if done else []
    kind = data.draw(st.sampled_from(kinds), "step")
    if kind == "advance":
        story.advance(data.draw(st.sampled_from(_edge_times(story)), "until"))
    elif kind == "command":
        plain: list[Command] = [
            Cancel(),
            UndoCancel(),
            Suspend(),
            Reinstate(),
            UpdatePaymentMethod(),
        ]
        changes: list[Command] = [
            ChangePlan(p.id, price.interval) for p in story.rules.catalog for price in p.prices
        ]
        command = data.draw(st.sampled_from(plain) | st.sampled_from(changes), "command")
        now = _utc(story.sub.processed_until)
        at = data.draw(st.sampled_from([now, now + SECOND, now + timedelta(days=2)]), "at")
        story.command(command, at)
    else:
        pool = owed if kind == "deliver" else done
        attempt, index = data.draw(st.sampled_from(pool), "event")
        story.deliver(attempt, index, _delivery_time(story, attempt, index))


def _quiesce(story: Story) -> None:
    """Deliver every owed event and advance past every pending timeout (see the docstring)."""
    story.quiescing = True
    for _ in range(5000):
        owed = [(a, i) for a in story.bank.attempts.values() for i in a.owed()]
        if owed:
            attempt, index = owed[0]
            story.deliver(attempt, index, max(attempt.events[index][1], attempt.sent_at))
            continue
        now = _utc(story.sub.processed_until)
        waits = [
            a.pending_at + story.policy.pending_timeout
            for a in story.bank.attempts.values()
            if a.pending_at is not None and a.pending_at + story.policy.pending_timeout > now
        ]
        if not waits:
            return
        story.advance(max(waits))
    raise AssertionError("the account did not settle in 5000 steps\n" + story._story())


@given(data=st.data())
def test_every_payment_is_kept_once_whatever_the_deliveries(data: st.DataObject) -> None:
    """The bank's ledger balances however the outcomes arrive (see the module docstring)."""
    catalog = data.draw(catalogs(max_plans=3), "catalog")
    policy = data.draw(policies(catalog=catalog), "policy")
    sub = data.draw(subscriptions(catalog=catalog, policy=policy), "subscription")
    story = Story(data, catalog, policy, sub)
    for _ in range(data.draw(st.integers(1, 30), "steps")):
        _step(story)
    _quiesce(story)
    story.final_check()
    CHECKED["examples"] += 1
