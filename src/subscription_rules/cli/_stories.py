"""The demo's stories: the help page's chapters, each played out offline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import assert_never

import attrs

from subscription_rules._text import format_date
from subscription_rules.catalog import Catalog
from subscription_rules.cli._text import _line_rows, _priced
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    Succeeded,
)
from subscription_rules.effects import Refused
from subscription_rules.errors import SubscriptionRulesError
from subscription_rules.lifecycle import (
    start_subscription,
)
from subscription_rules.periods import MONTHLY
from subscription_rules.policy import (
    SEED_POLICY,
    BillingPolicy,
    DowngradeTiming,
)
from subscription_rules.proration import ChangeQuote, quote_change
from subscription_rules.simulation import (
    Cancel,
    ChangePlan,
    Reinstate,
    SetUsage,
    Step,
    Suspend,
    Timeline,
    TimelineEntry,
    simulate,
)
from subscription_rules.subscription import Subscription
from subscription_rules.usage import Infeasible, Usage

_LQ, _RQ = "\N{LEFT DOUBLE QUOTATION MARK}", "\N{RIGHT DOUBLE QUOTATION MARK}"


#: The seed's rules, except that a downgrade takes effect at once, with a credit note.
_DOWNGRADE_AT_ONCE = attrs.evolve(
    SEED_POLICY, name="seed, downgrades at once", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@attrs.frozen
class _Chapter:
    """One part of the demo: a title, the help page's words, the story, the timeline."""

    title: str
    quote: str
    story: str
    entries: tuple[TimelineEntry, ...]
    details: tuple[str, ...] = ()
    after: str = ""


def _quote_details(quote: ChangeQuote) -> tuple[str, ...]:
    """A quote's lines with their arithmetic, the total, and what it leaves due."""
    rows = [*_line_rows(quote.lines), ("Total", quote.total, None)]
    return (
        *_priced(rows),
        (
            f"Credit applied: {quote.credit_applied}; due now: {quote.amount_due_now}; "
            f"credit left: {quote.credit_after}."
        ),
    )


def _quoted(
    sub: Subscription,
    plan_id: str,
    at: datetime,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy,
) -> ChangeQuote:
    quote = quote_change(sub, plan_id, MONTHLY, at, catalog=catalog, usage=usage, policy=policy)
    match quote:
        case ChangeQuote():
            return quote
        case Refused():  # pragma: no cover - the demo's accounts may change plan
            raise SubscriptionRulesError(quote.message, argument="demo")
        case _:
            assert_never(quote)


def _story_trial(catalog: Catalog) -> tuple[_Chapter, Subscription]:
    started = start_subscription(
        "sub_1",
        "cus_1",
        "personal",
        MONTHLY,
        _utc(2026, 11, 1),
        catalog=catalog,
        policy=SEED_POLICY,
    )
    played = simulate(started, [], _utc(2026, 11, 15), catalog=catalog, policy=SEED_POLICY)
    chapter = _Chapter(
        "A free trial, its reminder and its conversion",
        "You receive notifications for every significant subscription event\N{EM DASH}free "
        "trial ends, upgrades, downgrades, payments, and renewals.",
        "Account A (sub_1) starts Personal, monthly, on 1 Nov 2026 with the plan's 14-day "
        "trial: a reminder 3 days before it ends, then the first invoice, and renewals on "
        "the 15th from then on.",
        played.entries,
    )
    return chapter, played.subscription


def _story_trial_cancelled(catalog: Catalog) -> _Chapter:
    started = start_subscription(
        "sub_2",
        "cus_2",
        "advanced",
        MONTHLY,
        _utc(2026, 11, 1),
        catalog=catalog,
        policy=SEED_POLICY,
    )
    played = simulate(
        started,
        [Step(_utc(2026, 11, 5), Cancel())],
        _utc(2026, 11, 5),
        catalog=catalog,
        policy=SEED_POLICY,
    )
    return _Chapter(
        "Cancelling during the trial",
        "If you're in a free trial, cancellation immediately suspends your account.",
        "Account B (sub_2) starts an Advanced trial on 1 Nov 2026 and cancels on 5 Nov: "
        "suspended at once, and nothing is ever charged.",
        played.entries,
    )


def _story_upgrade(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    at, usage = _utc(2026, 11, 25), Usage.of(properties=3)
    quote = _quoted(sub, "advanced", at, catalog, usage, SEED_POLICY)
    played = simulate(
        sub,
        [Step(at, ChangePlan("advanced"))],
        at,
        catalog=catalog,
        usage=usage,
        policy=SEED_POLICY,
    )
    chapter = _Chapter(
        "An upgrade mid-cycle, prorated",
        "Upgrade: Select the new plan from your dashboard. Your payment is prorated to reflect "
        "the new plan. All details appear on your invoice for full transparency.",
        "On 25 Nov A moves from Personal (USD 50.00 a month) to Advanced (USD 150.00); 20 of "
        "the 30 days from 15 Nov to 15 Dec remain. The invoice credits the unused Personal "
        "time and charges the rest of the period on Advanced, each line rounded once:",
        played.entries,
        _quote_details(quote),
    )
    return chapter, played.subscription


def _story_downgrade(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    asked, again = _utc(2026, 12, 5), _utc(2026, 12, 8)
    ten, three = Usage.of(properties=10), Usage.of(properties=3)
    refusal = _quoted(sub, "personal", asked, catalog, ten, SEED_POLICY).feasibility
    reason = refusal.reason if isinstance(refusal, Infeasible) else "it fits"
    played = simulate(
        sub,
        [
            Step(asked, ChangePlan("personal")),
            Step(again, SetUsage(three)),
            Step(again, ChangePlan("personal")),
        ],
        _utc(2026, 12, 15),
        catalog=catalog,
        usage=ten,
        policy=SEED_POLICY,
    )
    chapter = _Chapter(
        "A downgrade that needs account changes, then waits for the next cycle",
        "Downgrading may require account changes. For example, moving from the Advanced Plan "
        "(10 properties) to the Personal Plan requires deleting 7 properties. Your downgrade "
        "takes effect at the start of your next billing cycle with no additional charges.",
        f"On 5 Dec A, with 10 properties, asks for Personal and is refused: {_LQ}{reason}{_RQ}. "
        "On 8 Dec, after deleting 7, "
        "it asks again: Personal is scheduled for 15 Dec, nothing is charged now, and the "
        "15 Dec renewal bills Personal.",
        played.entries,
    )
    return chapter, played.subscription


def _story_credit_note(catalog: Catalog) -> _Chapter:
    policy, at, usage = _DOWNGRADE_AT_ONCE, _utc(2027, 1, 16), Usage.of(properties=3)
    started = start_subscription(
        "sub_3",
        "cus_3",
        "advanced",
        MONTHLY,
        _utc(2027, 1, 1),
        catalog=catalog,
        trial=False,
        policy=policy,
    )
    quote = _quoted(started.subscription, "personal", at, catalog, usage, policy)
    played = simulate(
        started, [Step(at, ChangePlan("personal"))], at, catalog=catalog, policy=policy, usage=usage
    )
    entries, balances = list(played.entries), [played.subscription.credit_balance]
    sub = played.subscription
    for renewal in (_utc(2027, 2, 1), _utc(2027, 3, 1)):
        later = simulate(sub, [], renewal, catalog=catalog, policy=policy, usage=usage)
        entries.extend(later.entries)
        sub = later.subscription
        balances.append(sub.credit_balance)
    steps = ", ".join(
        f"{balance} after {format_date(day)}"
        for balance, day in zip(balances, (at, _utc(2027, 2, 1), _utc(2027, 3, 1)), strict=True)
    )
    return _Chapter(
        "A credit note used up by later invoices",
        "When you downgrade to a lower plan, the unused time from your previous plan "
        "automatically generates a credit note. This credit applies to future bills on your "
        "new plan.",
        "Account C (sub_3) is on Advanced since 1 Jan 2027, under the seed's rules except "
        "that downgrades take effect at once (DowngradeTiming.IMMEDIATELY). On 16 Jan, 16 "
        "of January's 31 days remain, and it moves to Personal:",
        tuple(entries),
        _quote_details(quote),
        f"Credit balance: {steps}. The credit note paid the 1 Feb invoice in full and "
        "part of the 1 Mar one.",
    )


def _story_failed_renewal(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    renewal, retry = _utc(2027, 1, 15), _utc(2027, 1, 16)
    declined = simulate(
        sub,
        [],
        renewal,
        catalog=catalog,
        outcomes=[Declined(DeclineKind.SOFT, "insufficient_funds")],
        policy=SEED_POLICY,
    )
    recovered = simulate(
        declined.subscription,
        [],
        retry,
        catalog=catalog,
        outcomes=[Succeeded()],
        policy=SEED_POLICY,
    )
    chapter = _Chapter(
        "A failed renewal, retried and recovered",
        "Failed payments: If your payment fails, the system automatically retries. You receive "
        "notifications via email and through your AnyTrack dashboard.",
        "A's renewal on 15 Jan 2027 is declined (a soft decline: insufficient funds), so A is "
        "past due but keeps access; the retry schedule tries again a day later, and the "
        "payment goes through.",
        (*declined.entries, *recovered.entries),
    )
    return chapter, recovered.subscription


def _story_suspension(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    suspended, reinstated = _utc(2027, 1, 20), _utc(2027, 1, 27)
    played = simulate(
        sub,
        [Step(suspended, Suspend()), Step(reinstated, Reinstate())],
        reinstated,
        catalog=catalog,
        policy=SEED_POLICY,
    )
    chapter = _Chapter(
        "A suspension and its resolution",
        "Account suspensions: Accounts suspend due to failed payments or policy violations. "
        "Contact support and resolve any outstanding issues.",
        "Support suspends A for a policy violation on 20 Jan and reinstates it on 27 Jan. The "
        "billing date does not move, and the period was paid, so nothing more is charged.",
        played.entries,
    )
    return chapter, played.subscription


def _story_cancellation(sub: Subscription, catalog: Catalog) -> tuple[_Chapter, Subscription]:
    played = simulate(
        sub,
        [Step(_utc(2027, 2, 3), Cancel())],
        _utc(2027, 3, 1),
        catalog=catalog,
        policy=SEED_POLICY,
    )
    chapter = _Chapter(
        "A cancellation that runs to the period end",
        "Cancel: Cancel your subscription at any time. Your service continues through the end "
        "of your current billing period, preventing further charges.",
        "A cancels on 3 Feb 2027: access continues to 15 Feb, when the subscription ends, and "
        "nothing more is charged.",
        played.entries,
    )
    return chapter, played.subscription


def _demo_chapters(catalog: Catalog) -> tuple[list[_Chapter], Timeline]:
    """The story, chapter by chapter, and account A's whole life as one timeline."""
    trial, sub = _story_trial(catalog)
    upgrade, sub = _story_upgrade(sub, catalog)
    downgrade, sub = _story_downgrade(sub, catalog)
    failed, sub = _story_failed_renewal(sub, catalog)
    suspension, sub = _story_suspension(sub, catalog)
    cancellation, sub = _story_cancellation(sub, catalog)
    chapters = [
        trial,
        _story_trial_cancelled(catalog),
        upgrade,
        downgrade,
        _story_credit_note(catalog),
        failed,
        suspension,
        cancellation,
    ]
    mine = (trial, upgrade, downgrade, failed, suspension, cancellation)
    return chapters, Timeline(sub, tuple(entry for part in mine for entry in part.entries))
