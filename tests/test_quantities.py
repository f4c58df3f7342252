"""Quantities (seats) and tiers as rules: seat changes, their timing and feasibility, tiers.

A small catalog sold by the seat: Team at USD 12.00 a seat a month (USD 100.00 a seat a
year, Stripe's ``mirror-yearly-100``), a graduated and a volume seat price on the same tiers
(seats 1-5 at USD 10.00, 6-10 at USD 8.00, 11+ at USD 6.00), a flat plan, and two flat
plans whose overage is priced by package and by graduated tiers (Lago's published figures).
Every figure is worked by hand in the test's docstring from the instants and the policy, or
comes from a published example cited there (see /work/notes/sources17.md).

November 2026 has 30 days: a change on 16 Nov at 00:00 UTC leaves 15 of them, half the
period (1,296,000 of 2,592,000 seconds under the seed policy's per-second proration).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import decided, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingPolicy,
    Catalog,
    CatalogVersion,
    ChangeQuantity,
    Decision,
    DowngradeTiming,
    Interval,
    Limits,
    Money,
    NoticeKind,
    Plan,
    Price,
    RefusalReason,
    Refused,
    Rulebook,
    Status,
    Subscription,
    Usage,
    advance,
    billing_summary,
    cancel,
    cancel_pending_change,
    change_plan,
    change_quantity,
    migrate_price,
    quote_change,
    start_subscription,
)
from subscription_rules.catalog import (
    DEFAULT_METRICS,
    Metric,
    MetricKind,
    Overage,
    PackagePrice,
    Tier,
    TierMode,
    TierTable,
)
from subscription_rules.cli._text import _pending
from subscription_rules.errors import InvalidQuantityError, SubscriptionRulesError
from subscription_rules.simulation import Step, parse_scenario, simulate
from subscription_rules.strategies._values import tier_tables

SEATS = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")
SESSIONS = "billable_sessions"


def seat_tiers(mode: TierMode) -> TierTable:
    """Seats 1-5 at USD 10.00, 6-10 at USD 8.00, 11 and up at USD 6.00."""
    return TierTable(mode, (Tier(5, usd("10")), Tier(10, usd("8")), Tier(None, usd("6"))))


TEAM = Plan(
    "team",
    "Team",
    (
        Price.of("12.00", "USD", MONTHLY, unit="seats"),
        Price.of("100.00", "USD", YEARLY, unit="seats"),
    ),
    Limits.of(),
    14,
    rank=1,
)
SOLO = Plan("solo", "Solo", (Price.of("10.00", "USD", MONTHLY),), Limits.of(), rank=0)
SCALE = Plan(
    "scale",
    "Scale",
    (Price.tiered(seat_tiers(TierMode.GRADUATED), MONTHLY, unit="seats"),),
    rank=2,
)
BULK = Plan(
    "bulk", "Bulk", (Price.tiered(seat_tiers(TierMode.VOLUME), MONTHLY, unit="seats"),), rank=3
)
CATALOG = Catalog((SOLO, TEAM, SCALE, BULK), (*DEFAULT_METRICS, SEATS))
NOV_1, NOV_16, DEC_1 = utc(2026, 11, 1), utc(2026, 11, 16), utc(2026, 12, 1)
#: Fewer seats now, with a credit (Stripe's API default), instead of at the period end.
DECREASE_NOW = attrs.evolve(
    SEED_POLICY, name="seed, decrease now", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def seats(
    quantity: int,
    plan_id: str = "team",
    *,
    at: datetime = NOV_1,
    catalog: Catalog = CATALOG,
    policy: BillingPolicy = SEED_POLICY,
    trial: bool = False,
) -> Subscription:
    """A subscription on ``plan_id`` monthly with ``quantity`` seats from ``at`` (no trial)."""
    return start_subscription(
        "sub_1",
        "cus_1",
        plan_id,
        MONTHLY,
        at,
        catalog=catalog,
        trial=trial,
        policy=policy,
        quantity=quantity,
    ).subscription


def lines(decision: Decision) -> list[tuple[str, str]]:
    """Every line the decision credits or invoices, in order: (description, amount)."""
    credited = [line for note in decision.credit_notes for line in note.lines]
    charged = [line for invoice in decision.invoices for line in invoice.lines]
    return [(line.description, str(line.amount)) for line in (*credited, *charged)]


def eight_to_five() -> Decision:
    """8 seats from 1 Nov, 5 asked for on 16 Nov with 5 in use: due at the 1 Dec period end."""
    return decided(
        change_quantity(
            seats(8), 5, NOV_16, catalog=CATALOG, usage=Usage.of(seats=5), policy=SEED_POLICY
        )
    )


def facts(decision: Decision, kind: NoticeKind) -> dict[str, object]:
    """The facts of the decision's one notice of ``kind``."""
    (notice,) = [n for n in decision.notices if n.kind is kind]
    return {str(name): value for name, value in notice.facts}


# --------------------------------------------------------------------------- more seats now


def test_a_seat_increase_mid_year_credits_the_old_quantity_and_charges_the_new_stripe() -> None:
    """Stripe's captured ``invoice.payment_failed`` event (API 2018-11-08): the per-seat
    ``mirror-yearly-100`` plan at USD 100.00 a year goes from 1 seat to 2 on 14 Jan 2019,
    144 s into the period; the invoice holds "Unused time on Mirror Subscription" -10000
    and "Remaining time on 2 × Mirror Subscription" +20000, subtotal 10000.

    Worked here: the year 14 Jan 2019 -> 14 Jan 2020 is 365 days = 31,536,000 s, of which
    31,535,856 s remain. Credit: USD 100.00 × 31,535,856 / 31,536,000 = 9,999.954 cents ->
    USD 100.00 (half-up); charge: USD 200.00 × the same = 19,999.909 cents -> USD 200.00.
    The credit pays half the charge: USD 100.00 due.

    Source: sources17.md §1c (a public repo's MirrorWeb.WebhookController, verbatim event).
    """
    start = utc(2019, 1, 14)
    sub = start_subscription(
        "sub_1", "cus_1", "team", YEARLY, start, catalog=CATALOG, trial=False,
        policy=SEED_POLICY, quantity=1,
    ).subscription  # fmt: skip
    at = datetime(2019, 1, 14, 0, 2, 24, tzinfo=start.tzinfo)
    decision = decided(
        change_quantity(sub, 2, at, catalog=CATALOG, usage=Usage.of(seats=1), policy=SEED_POLICY)
    )
    assert lines(decision) == [
        ("Unused time on Team (1 seat × USD 100.00) from 14 Jan 2019 to 14 Jan 2020", "USD -100.00"),
        ("Remaining time on Team (2 seats × USD 100.00) from 14 Jan 2019 to 14 Jan 2020", "USD 200.00"),
    ]  # fmt: skip
    (invoice,) = decision.invoices
    assert invoice.amount_due == usd("100.00")
    (charge,) = invoice.lines
    assert str(charge.explanation) == (
        "USD 200.00 × 31,535,856/31,536,000 seconds = 19999.9086… cents, "
        "rounded half-up to USD 200.00"
    )
    assert decision.subscription.quantity == 2


def test_a_seat_increase_mid_month_is_prorated_on_the_whole_old_and_new_quantities() -> None:
    """Team at USD 12.00 a seat, 3 -> 5 seats on 16 Nov (15 of November's 30 days left).

    As Stripe lays a quantity change out (sources17.md §1c: a credit for the whole old
    quantity, a charge for the whole new one, each rounded on its own): unused time on 3
    seats, USD 36.00 × 1,296,000 / 2,592,000 s = USD 18.00 credited; remaining time on 5
    seats, USD 60.00 × 1/2 = USD 30.00 charged; USD 12.00 due = 2 seats × USD 12.00 × 1/2.
    The upgrade notice names both quantities; the next renewal bills 5 × USD 12.00.
    """
    sub = seats(3)
    decision = decided(
        change_quantity(
            sub, 5, NOV_16, catalog=CATALOG, usage=Usage.of(seats=3), policy=SEED_POLICY
        )
    )
    assert lines(decision) == [
        ("Unused time on Team (3 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026", "USD -18.00"),
        ("Remaining time on Team (5 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026", "USD 30.00"),
    ]  # fmt: skip
    (invoice,) = decision.invoices
    assert invoice.amount_due == usd("12.00")
    (charge,) = invoice.lines
    assert str(charge.explanation) == (
        "USD 60.00 × 1,296,000/2,592,000 seconds = USD 30.00 exactly; no rounding needed"
    )
    upgraded = facts(decision, NoticeKind.UPGRADED)
    assert (upgraded["from_quantity"], upgraded["to_quantity"]) == (3, 5)
    assert upgraded["amount_due"] == usd("12.00")
    renewed = advance(decision.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert lines(renewed) == [
        ("Team (5 seats × USD 12.00), monthly, from 1 Dec 2026 to 1 Jan 2027", "USD 60.00")
    ]


def test_the_quote_of_a_seat_change_names_both_quantities() -> None:
    """``quote_change`` at another quantity of the same plan previews the same two lines:
    3 -> 5 seats on 16 Nov: USD -18.00 and USD 30.00, an upgrade effective at once."""
    quote = quote_change(
        seats(3), "team", MONTHLY, NOV_16, catalog=CATALOG, usage=Usage.of(seats=3),
        policy=SEED_POLICY, quantity=5,
    )  # fmt: skip
    assert not isinstance(quote, Refused)
    assert (quote.kind.value, quote.from_quantity, quote.to_quantity) == ("upgrade", 3, 5)
    assert [str(line.amount) for line in quote.lines] == ["USD -18.00", "USD 30.00"]
    assert quote.amount_due_now == usd("12.00")


# --------------------------------------------------------------------------- fewer seats


def test_a_seat_decrease_waits_for_the_period_end_by_default() -> None:
    """Team 8 -> 5 seats on 16 Nov with 5 in use, under the seed policy (fewer seats at the
    period end, as Lago downgrades and Stripe's portal ``decreasing_item_amount`` do).

    Nothing is credited or charged now; the change is pending for 1 Dec, its notice names
    8 and 5 seats. On 1 Dec the renewal bills 5 × USD 12.00 = USD 60.00 (not 8 × 12.00 =
    USD 96.00), with a downgraded notice naming the quantities.
    """
    decision = eight_to_five()
    assert lines(decision) == []
    pending = decision.subscription.pending_change
    assert pending is not None
    assert (pending.plan_id, pending.quantity, pending.effective_at) == ("team", 5, DEC_1)
    assert decision.subscription.quantity == 8
    scheduled = facts(decision, NoticeKind.DOWNGRADE_SCHEDULED)
    assert (scheduled["from_quantity"], scheduled["to_quantity"]) == (8, 5)
    renewed = advance(
        decision.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY, usage=Usage.of(seats=5)
    )
    assert lines(renewed) == [
        ("Team (5 seats × USD 12.00), monthly, from 1 Dec 2026 to 1 Jan 2027", "USD 60.00")
    ]
    assert renewed.subscription.quantity == 5
    assert renewed.subscription.pending_change is None
    downgraded = facts(renewed, NoticeKind.DOWNGRADED)
    assert (downgraded["from_quantity"], downgraded["to_quantity"]) == (8, 5)


def test_a_seat_decrease_now_credits_the_unused_seats() -> None:
    """``DowngradeTiming.IMMEDIATELY`` (Stripe's API default: decrease now, credit to the
    balance): Team 8 -> 5 seats on 16 Nov, 15 of 30 days left.

    Unused time on 8 seats: USD 96.00 × 1/2 = USD 48.00 credited; remaining time on 5
    seats: USD 60.00 × 1/2 = USD 30.00 charged, paid from the credit; USD 0.00 due and
    USD 18.00 left in the balance = 3 seats × USD 12.00 × 1/2 (sources17.md §1c: the reverse
    change nets a credit carried to the next invoice).
    """
    decision = decided(
        change_quantity(
            seats(8, policy=DECREASE_NOW), 5, NOV_16, catalog=CATALOG,
            usage=Usage.of(seats=5), policy=DECREASE_NOW,
        )
    )  # fmt: skip
    assert lines(decision) == [
        ("Unused time on Team (8 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026", "USD -48.00"),
        ("Remaining time on Team (5 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026", "USD 30.00"),
    ]  # fmt: skip
    (invoice,) = decision.invoices
    assert invoice.amount_due == usd("0.00")
    assert decision.subscription.credit_balance == usd("18.00")
    assert decision.subscription.quantity == 5
    downgraded = facts(decision, NoticeKind.DOWNGRADED)
    assert (downgraded["from_quantity"], downgraded["to_quantity"]) == (8, 5)
    assert downgraded["credit_after"] == usd("18.00")


def test_a_seat_decrease_is_refused_while_the_seats_are_in_use() -> None:
    """8 seats in use, 10 paid for, down to 5: refused as infeasible, nothing changes; the
    customer must remove 8 - 5 = 3 seats first. The quote says the same."""
    sub = seats(10)
    refused = change_quantity(
        sub, 5, NOV_16, catalog=CATALOG, usage=Usage.of(seats=8), policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.INFEASIBLE
    assert refused.infeasible is not None
    assert refused.infeasible.actions_text == ("remove 3 seats",)
    assert refused.message == "Team allows 5 seats: remove 3 seats first"
    quote = quote_change(
        sub, "team", MONTHLY, NOV_16, catalog=CATALOG, usage=Usage.of(seats=8),
        policy=SEED_POLICY, quantity=5,
    )  # fmt: skip
    assert not isinstance(quote, Refused)
    assert not quote.feasible


def test_a_scheduled_decrease_that_no_longer_fits_is_not_applied_at_the_period_end() -> None:
    """8 -> 5 seats scheduled on 16 Nov with 5 in use; by 1 Dec 8 are in use again.

    The period end checks the usage it is given: the decrease does not fit, so it is not
    applied (a downgrade-blocked notice says "remove 3 seats") and the renewal bills the
    8 seats kept: 8 × USD 12.00 = USD 96.00.
    """
    scheduled = eight_to_five()
    renewed = advance(
        scheduled.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY,
        usage=Usage.of(seats=8),
    )  # fmt: skip
    assert facts(renewed, NoticeKind.DOWNGRADE_BLOCKED)["actions"] == "remove 3 seats"
    blocked = facts(renewed, NoticeKind.DOWNGRADE_BLOCKED)
    assert (blocked["from_quantity"], blocked["to_quantity"]) == (8, 5)
    assert lines(renewed) == [
        ("Team (8 seats × USD 12.00), monthly, from 1 Dec 2026 to 1 Jan 2027", "USD 96.00")
    ]
    assert renewed.subscription.quantity == 8


def test_cancelling_a_scheduled_decrease_keeps_the_seats() -> None:
    """8 -> 5 seats scheduled on 16 Nov, cancelled on 20 Nov: the notice names the 8 seats
    kept, and the 1 Dec renewal bills 8 × USD 12.00 = USD 96.00."""
    scheduled = eight_to_five()
    cancelled = decided(
        cancel_pending_change(scheduled.subscription, utc(2026, 11, 20), policy=SEED_POLICY)
    )
    assert facts(cancelled, NoticeKind.DOWNGRADE_CANCELLED)["quantity"] == 8
    renewed = advance(cancelled.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert lines(renewed) == [
        ("Team (8 seats × USD 12.00), monthly, from 1 Dec 2026 to 1 Jan 2027", "USD 96.00")
    ]


def test_asking_for_the_current_quantity_again_cancels_a_scheduled_decrease() -> None:
    """As ``change_plan`` to the plan a subscription is on: 8 -> 5 scheduled, then 8 asked
    for on 20 Nov: the scheduled decrease is dropped (nothing else changes)."""
    scheduled = eight_to_five()
    kept = decided(
        change_quantity(
            scheduled.subscription, 8, utc(2026, 11, 20), catalog=CATALOG,
            usage=Usage.of(seats=5), policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert kept.subscription.pending_change is None
    assert [n.kind for n in kept.notices] == [NoticeKind.DOWNGRADE_CANCELLED]


# --------------------------------------------------------------------------- trials, refusals


def test_a_seat_change_during_a_trial_changes_what_the_conversion_bills() -> None:
    """Team's 14-day trial from 1 Nov with 3 seats; 7 seats on 5 Nov: nothing is charged or
    credited now (the notice says USD 0.00 due); the trial's end on 15 Nov bills
    7 × USD 12.00 = USD 84.00 for 15 Nov -> 15 Dec. A decrease in the trial (7 -> 2 seats on
    6 Nov, 1 in use) is immediate too: the conversion then bills 2 × USD 12.00 = USD 24.00."""
    trial = seats(3, trial=True)
    more = decided(
        change_quantity(
            trial, 7, utc(2026, 11, 5), catalog=CATALOG, usage=Usage.of(seats=3),
            policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert more.invoices == ()
    assert more.credit_notes == ()
    assert facts(more, NoticeKind.UPGRADED)["amount_due"] == usd("0.00")
    converted = advance(more.subscription, utc(2026, 11, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert lines(converted) == [
        ("Team (7 seats × USD 12.00), monthly, from 15 Nov 2026 to 15 Dec 2026", "USD 84.00")
    ]
    fewer = decided(
        change_quantity(
            more.subscription, 2, utc(2026, 11, 6), catalog=CATALOG, usage=Usage.of(seats=1),
            policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert fewer.invoices == ()
    assert fewer.credit_notes == ()
    assert fewer.subscription.pending_change is None
    converted = advance(fewer.subscription, utc(2026, 11, 15), catalog=CATALOG, policy=SEED_POLICY)
    assert lines(converted) == [
        ("Team (2 seats × USD 12.00), monthly, from 15 Nov 2026 to 15 Dec 2026", "USD 24.00")
    ]


def test_the_same_quantity_is_no_change() -> None:
    """5 seats asked for on a subscription of 5, with nothing scheduled: refused, no change."""
    refused = change_quantity(
        seats(5), 5, NOV_16, catalog=CATALOG, usage=Usage.of(seats=5), policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NO_CHANGE


def test_a_flat_plan_takes_no_quantity_but_one() -> None:
    """Solo is priced flat: 2 seats is bad input naming the quantity; 1 is no change."""
    solo = seats(1, "solo")
    with pytest.raises(InvalidQuantityError, match=r"^quantity: .*must be 1, got 2$"):
        change_quantity(solo, 2, NOV_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY)
    refused = change_quantity(solo, 1, NOV_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY)
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NO_CHANGE


@pytest.mark.parametrize("quantity", [0, -3])
def test_a_quantity_below_one_is_bad_input(quantity: int) -> None:
    with pytest.raises(InvalidQuantityError, match=rf"^quantity: must be an int from 1 .*got int {quantity}$"):  # fmt: skip
        change_quantity(
            seats(5), quantity, NOV_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
        )


# --------------------------------------------------------------------------- commands


def test_the_change_quantity_command_is_the_rule() -> None:
    """``Rulebook.handle(ChangeQuantity(5))`` is ``change_quantity`` (3 -> 5 seats on 16 Nov:
    USD 12.00 due, as worked above), and the simulation plays it as a step."""
    rules = Rulebook(CATALOG, SEED_POLICY)
    sub = seats(3)
    handled = rules.handle(sub, ChangeQuantity(5), NOV_16, usage=Usage.of(seats=3))
    by_hand = change_quantity(
        sub, 5, NOV_16, catalog=CATALOG, usage=Usage.of(seats=3), policy=SEED_POLICY
    )
    assert handled.decision == by_hand
    assert rules.change_quantity(sub, 5, NOV_16, usage=Usage.of(seats=3)) == by_hand
    assert ChangeQuantity(5).describe() == "change quantity to 5"
    timeline = simulate(
        sub, [Step(NOV_16, ChangeQuantity(5))], DEC_1, catalog=CATALOG, policy=SEED_POLICY,
        usage=Usage.of(seats=3),
    )  # fmt: skip
    assert [(e.what, str(e.charged)) for e in timeline.entries] == [
        ("change quantity to 5", "USD 12.00"),
        ("renewed", "USD 60.00"),
    ]


def test_a_scenario_file_starts_with_seats_and_changes_them() -> None:
    """A scenario on this catalog: Team with 3 seats from 1 Nov (USD 36.00), 5 seats on
    16 Nov (USD 12.00 due, as worked above), renewed on 1 Dec at 5 × USD 12.00."""
    scenario = parse_scenario(
        'until = "2026-12-01"\n'
        '[subscription]\nplan = "team"\nstart = "2026-11-01"\ntrial = false\nquantity = 3\n'
        '[[steps]]\nat = "2026-11-16"\ncommand = "change_quantity"\nquantity = 5\n'
        "usage = { seats = 3 }\n",
        catalog=CATALOG,
    )
    assert [(e.what, str(e.charged)) for e in scenario.play().entries] == [
        ("start", "USD 36.00"),
        ("change quantity to 5", "USD 12.00"),
        ("renewed", "USD 60.00"),
    ]
    with pytest.raises(SubscriptionRulesError, match=r"^<scenario>: steps\[0\]\.quantity: must be an int from 1 "):  # fmt: skip
        parse_scenario(
            'until = "2026-12-01"\n[subscription]\nplan = "team"\nstart = "2026-11-01"\n'
            '[[steps]]\nat = "2026-11-16"\ncommand = "change_quantity"\nquantity = 0\n',
            catalog=CATALOG,
        )


def test_a_change_quantity_command_needs_a_quantity_from_one() -> None:
    with pytest.raises(InvalidQuantityError, match=r"^quantity: must be an int from 1 "):
        ChangeQuantity(0)


# --------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume"),
    [
        # graduated: 5 × 10 = 50; 50 + 8 = 58; 50 + 5 × 8 = 90; 90 + 6 = 96.
        # volume: 5 × 10 = 50; 6 × 8 = 48; 10 × 8 = 80; 11 × 6 = 66.
        (1, "10.00", "10.00"),
        (5, "50.00", "50.00"),
        (6, "58.00", "48.00"),
        (10, "90.00", "80.00"),
        (11, "96.00", "66.00"),
        (12, "102.00", "72.00"),
    ],
)
def test_a_tiered_seat_price_renews_at_and_across_each_tier_boundary(
    quantity: int, graduated: str, volume: str
) -> None:
    """Renewal on 1 Dec at each side of the bounds 5 and 10 (tiers 1-5 at USD 10.00, 6-10 at
    USD 8.00, 11+ at USD 6.00): graduated prices each seat by its tier, volume every seat
    at the tier the quantity reaches (so 6 seats cost less than 5)."""
    for plan_id, total in (("scale", graduated), ("bulk", volume)):
        renewed = advance(seats(quantity, plan_id), DEC_1, catalog=CATALOG, policy=SEED_POLICY)
        ((invoice_line,),) = [invoice.lines for invoice in renewed.invoices]
        assert invoice_line.amount == usd(total), plan_id


def test_a_tiered_renewal_line_shows_its_tiers() -> None:
    """7 seats graduated: 5 × USD 10.00 = USD 50.00 and 2 × USD 8.00 = USD 16.00: USD 66.00."""
    renewed = advance(seats(7, "scale"), DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert lines(renewed) == [
        (
            (
                "Scale (7 seats, graduated: 1–5: 5 × USD 10.00 = USD 50.00; 6–7: 2 × USD 8.00"
                " = USD 16.00), monthly, from 1 Dec 2026 to 1 Jan 2027"
            ),
            "USD 66.00",
        )
    ]


@pytest.mark.parametrize(
    ("plan_id", "before", "after", "credit", "charge", "due"),
    [
        # graduated 4 -> 7: 4 × 10 = 40 a month, 5 × 10 + 2 × 8 = 66: -20.00, +33.00.
        ("scale", 4, 7, "-20.00", "33.00", "13.00"),
        # volume 4 -> 7: 4 × 10 = 40, 7 × 8 = 56: -20.00, +28.00.
        ("bulk", 4, 7, "-20.00", "28.00", "8.00"),
        # graduated 9 -> 12 across 10: 50 + 4 × 8 = 82, 90 + 2 × 6 = 102: -41.00, +51.00.
        ("scale", 9, 12, "-41.00", "51.00", "10.00"),
    ],
)
def test_a_mid_period_seat_increase_across_a_tier_bound(
    plan_id: str, before: int, after: int, credit: str, charge: str, due: str
) -> None:
    """On 16 Nov, half of November left: each line is half the month's total at its quantity."""
    decision = decided(
        change_quantity(
            seats(before, plan_id), after, NOV_16, catalog=CATALOG,
            usage=Usage.of(seats=before), policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert [amount for _, amount in lines(decision)] == [f"USD {credit}", f"USD {charge}"]
    (invoice,) = decision.invoices
    assert invoice.amount_due == usd(due)


def test_more_seats_on_a_volume_price_may_cost_less_and_still_an_upgrade() -> None:
    """Bulk (volume) 10 -> 11 seats on 16 Nov: 10 × USD 8.00 = USD 80.00 a month, but
    11 × USD 6.00 = USD 66.00. More seats is an upgrade (applied now); its lines are
    USD -40.00 and USD 33.00, so the change leaves USD 7.00 in the credit balance."""
    decision = decided(
        change_quantity(
            seats(10, "bulk"), 11, NOV_16, catalog=CATALOG, usage=Usage.of(seats=10),
            policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert [amount for _, amount in lines(decision)] == ["USD -40.00", "USD 33.00"]
    assert decision.subscription.credit_balance == usd("7.00")
    assert [n.kind for n in decision.notices][-1] is NoticeKind.UPGRADED


def test_fewer_seats_at_the_period_end_is_a_downgrade_even_where_the_volume_price_rises() -> None:
    """Bulk 11 -> 10 seats scheduled on 16 Nov: the 1 Dec renewal bills 10 × USD 8.00 =
    USD 80.00, more than 11 × USD 6.00 = USD 66.00; its notice is still a downgrade (fewer
    seats), as ``classify_move`` says of the same change."""
    scheduled = decided(
        change_quantity(
            seats(11, "bulk"), 10, NOV_16, catalog=CATALOG, usage=Usage.of(seats=10),
            policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert [n.kind for n in scheduled.notices] == [NoticeKind.DOWNGRADE_SCHEDULED]
    renewed = advance(scheduled.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert [amount for _, amount in lines(renewed)] == ["USD 80.00"]
    assert NoticeKind.DOWNGRADED in [n.kind for n in renewed.notices]


# --------------------------------------------------------------------------- tiered and package overage


def metered(overage: Overage) -> Catalog:
    """A flat USD 20.00 plan including 1,000 billable sessions, ``overage`` beyond them."""
    plan = Plan(
        "metered",
        "Metered",
        (Price.of("20.00", "USD", MONTHLY),),
        Limits.of(**{SESSIONS: 1000}),
        overage=(overage,),
    )
    return Catalog((plan,), (*DEFAULT_METRICS, SEATS))


@pytest.mark.parametrize(
    ("free", "over", "total"),
    [(0, 121, "1300.00"), (10, 121, "1200.00"), (200, 121, None), (0, 120, "1200.00")],
)
def test_package_overage_is_billed_by_started_package_at_the_renewal_lago(
    free: int, over: int, total: str | None
) -> None:
    """Lago's package charge spec (amount 100, package_size 10): 121 units -> 1300
    (ceil(121 / 10) = 13 packages); with 10 free units 111 paid -> 1200 (12 packages); with
    200 free -> 0 (no line). Here the units are the sessions over the plan's 1,000, billed on
    the 1 Dec renewal after the USD 20.00 subscription line; 120 over fills 12 packages.

    Source: sources17.md §4a (getlago/lago-api spec/services/charge_models/package_service_spec.rb).
    """
    catalog = metered(Overage.in_packages(SESSIONS, PackagePrice(usd("100"), 10, free)))
    sub = seats(1, "metered", catalog=catalog)
    usage = Usage.of(**{SESSIONS: 1000 + over})
    renewed = advance(sub, DEC_1, catalog=catalog, policy=SEED_POLICY, usage=usage)
    amounts = [amount for _, amount in lines(renewed)]
    assert amounts == ["USD 20.00"] + ([] if total is None else [f"USD {total}"])
    if total is not None:
        description = lines(renewed)[1][0]
        assert description.startswith("Billable sessions over Metered's 1,000 from 1 Nov 2026")
        assert "in packages of 10, rounded up" in description


@pytest.mark.parametrize(("over", "total"), [(1, "12.00"), (10, "102.00"), (12, "115.00"), (21, "163.00")])  # fmt: skip
def test_tiered_overage_is_billed_by_its_tiers_at_the_renewal_lago(over: int, total: str) -> None:
    """Lago's graduated charge spec: 0-10 at 10 a unit + 2 flat, 11-20 at 5 + 3 flat, 21+ at
    5 + 3 flat: 1 -> 12, 10 -> 102, 12 -> 115 (= 102 + 2 × 5 + 3), 21 -> 163 (= 102 + 53 +
    8). Here the units are the sessions over the plan's 1,000, billed on the 1 Dec renewal.

    Source: sources17.md §4b (getlago/lago-api spec/services/charge_models/graduated_service_spec.rb).
    """
    table = TierTable(
        TierMode.GRADUATED,
        (
            Tier(10, usd("10"), usd("2")),
            Tier(20, usd("5"), usd("3")),
            Tier(None, usd("5"), usd("3")),
        ),
    )
    catalog = metered(Overage.tiered(SESSIONS, table))
    sub = seats(1, "metered", catalog=catalog)
    usage = Usage.of(**{SESSIONS: 1000 + over})
    renewed = advance(sub, DEC_1, catalog=catalog, policy=SEED_POLICY, usage=usage)
    assert [amount for _, amount in lines(renewed)] == ["USD 20.00", f"USD {total}"]


# --------------------------------------------------------------------------- properties

quantities = st.integers(1, 2_000)


@given(tier_tables("USD"), quantities)
def test_a_tiered_price_is_the_sum_of_its_breakdown_and_of_its_tiers(
    table: TierTable, quantity: int
) -> None:
    """``Price.total`` of a tiered price is its table's breakdown summed; graduated, it is
    also each tier's part summed (the units inside the tier × its unit amount, plus its
    flat fee once reached), computed here from the tiers alone."""
    price = Price.tiered(table, MONTHLY, unit="seats")
    zero = Money.zero("USD")
    assert price.total(quantity) == sum((a for _, a in table.breakdown(quantity)), zero)
    if table.mode is TierMode.GRADUATED:
        parts, low = zero, 0
        for tier in table.tiers:
            high = quantity if tier.up_to is None else min(quantity, tier.up_to)
            if high > low:
                parts += tier.unit_amount * (high - low) + (tier.flat_amount or zero)
            low = high if tier.up_to is None else tier.up_to
        assert price.total(quantity) == parts


@given(tier_tables("USD"), quantities)
def test_a_graduated_price_never_falls_and_a_volume_one_only_across_a_bound(
    table: TierTable, quantity: int
) -> None:
    """Graduated: one more seat never costs less. Volume: only within a tier (crossing a
    bound into a cheaper tier may lower the total; tests/test_tiers.py shows it does)."""
    price = Price.tiered(table, MONTHLY, unit="seats")
    bounds = {tier.up_to for tier in table.tiers}
    if table.mode is TierMode.GRADUATED or quantity not in bounds:
        assert price.total(quantity) <= price.total(quantity + 1)


@settings(max_examples=40)
@given(tier_tables("USD"), st.integers(1, 40))
def test_a_tiered_plan_renews_at_its_price_total(table: TierTable, quantity: int) -> None:
    """The rules bill what the price says: the renewal's one line is ``Price.total``."""
    price = Price.tiered(table, MONTHLY, unit="seats")
    catalog = Catalog((Plan("tiered", "Tiered", (price,)),), (*DEFAULT_METRICS, SEATS))
    renewed = advance(
        seats(quantity, "tiered", catalog=catalog), DEC_1, catalog=catalog, policy=SEED_POLICY
    )
    ((line,),) = [invoice.lines for invoice in renewed.invoices]
    assert line.amount == price.total(quantity)


def _several(unit: str | None, amounts: dict[str, str], interval: Interval) -> tuple[Price, ...]:
    return tuple(Price.of(a, code, interval, unit=unit) for code, a in amounts.items())


#: One price list in three currencies: the same plans, the same intervals, each currency's
#: own amounts (JPY has no minor unit) and overage by package in each currency.
WORLD = Catalog(
    (
        Plan(
            "solo",
            "Solo",
            _several(None, {"USD": "10.00", "EUR": "9.00", "JPY": "1500"}, MONTHLY)
            + _several(None, {"USD": "100.00", "EUR": "90.00", "JPY": "15000"}, YEARLY),
            Limits.of(**{SESSIONS: 1000}),
            rank=0,
            overage=tuple(
                Overage.in_packages(SESSIONS, PackagePrice(Money.of(a, code), 100))
                for code, a in {"USD": "5.00", "EUR": "4.50", "JPY": "700"}.items()
            ),
        ),
        Plan(
            "team",
            "Team",
            _several("seats", {"USD": "12.00", "EUR": "11.00", "JPY": "1800"}, MONTHLY)
            + _several("seats", {"USD": "120.00", "EUR": "110.00", "JPY": "18000"}, YEARLY),
            Limits.of(**{SESSIONS: 5000}),
            rank=1,
            overage=tuple(
                Overage.of(SESSIONS, a, code, per=1000)
                for code, a in {"USD": "2.00", "EUR": "1.80", "JPY": "300"}.items()
            ),
        ),
    ),
    (*DEFAULT_METRICS, SEATS),
)


def monies(value: object) -> Iterator[Money]:
    """Every amount inside ``value``: its attrs fields, tuples and facts, all the way down."""
    if isinstance(value, Money):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            yield from monies(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from monies(item)


_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["seats", "plan", "advance", "quote", "cancel"]),
        st.integers(1, 9),  # seats, or days on
        st.sampled_from(["solo", "team"]),
        st.booleans(),  # yearly
    ),
    max_size=8,
)


@settings(max_examples=60)
@given(
    st.sampled_from(["EUR", "JPY", "USD"]),
    st.sampled_from([SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE, DECREASE_NOW]),
    st.sampled_from(["solo", "team"]),
    st.integers(1, 9),
    _STEPS,
)
def test_every_amount_of_a_life_is_in_the_subscriptions_currency(
    code: str,
    policy: BillingPolicy,
    plan_id: str,
    quantity: int,
    steps: list[tuple[str, int, str, bool]],
) -> None:
    """A subscription started in EUR, JPY or USD from plans priced in all three: every
    Money in every decision (invoices, credit notes, notices' facts, refunds, the
    subscription itself) and every quote, through seat changes, plan and interval changes,
    renewals with overage and cancellations, is in that currency — never a mix."""
    start = start_subscription(
        "sub_1", "cus_1", plan_id, MONTHLY, NOV_1, catalog=WORLD, trial=False, policy=policy,
        quantity=quantity if plan_id == "team" else 1, currency=code,
    )  # fmt: skip
    seen: list[Money] = [*monies(start)]
    sub, at = start.subscription, NOV_1
    usage = Usage.of(seats=1, **{SESSIONS: 7_777})
    for kind, count, target, yearly in steps:
        at = max(at, sub.processed_until.astimezone(at.tzinfo))
        result: object
        if kind == "advance":
            at += timedelta(days=3 * count)
            result = advance(sub, at, catalog=WORLD, policy=policy, usage=usage)
        elif sub.status is not Status.ACTIVE or at >= sub.current_period.end:
            continue
        elif kind == "seats":
            if WORLD.plan(sub.plan_id).unit is None:
                continue
            result = change_quantity(sub, count, at, catalog=WORLD, usage=usage, policy=policy)
        elif kind == "cancel":
            result = cancel(sub, at, policy=policy)
        else:
            interval = YEARLY if yearly else MONTHLY
            call = change_plan if kind == "plan" else quote_change
            result = call(sub, target, interval, at, catalog=WORLD, usage=usage, policy=policy)
        seen.extend(monies(result))
        if isinstance(result, Decision):
            sub = result.subscription
    assert seen
    assert {money.currency.code for money in seen} == {code}


# --------------------------------------------------------------------------- with a new price pending


def versioned(amount: str, name: str, effective_at: datetime) -> Catalog:
    """Team alone at ``amount`` a seat a month, as catalog version ``name``."""
    team = Plan("team", "Team", (Price.of(amount, "USD", MONTHLY, unit="seats"),))
    return Catalog((team,), (SEATS,), version=CatalogVersion(name, effective_at))


V1 = versioned("10", "v1", utc(2026, 1, 1))
V2 = versioned("12", "v2", utc(2026, 12, 1))
JAN_1, JAN_16, FEB_1 = utc(2027, 1, 1), utc(2027, 1, 16), utc(2027, 2, 1)


def migrating(
    quantity: int = 5, at: datetime = JAN_1, effective_at: datetime | None = None
) -> Subscription:
    """Team at v1's USD 10.00 a seat from 1 Jan 2027, ``quantity`` seats, moved to v2's
    USD 12.00 by ``migrate_price`` at ``at``: on 1 Jan, 31 days ahead of the 1 Feb period end
    (at least the seed policy's 30 days of notice), so it is due then."""
    sub = start_subscription(
        "sub_1", "cus_1", "team", MONTHLY, JAN_1, catalog=V1, trial=False, policy=SEED_POLICY,
        quantity=quantity,
    ).subscription  # fmt: skip
    return decided(
        migrate_price(sub, at, catalog=V2, policy=SEED_POLICY, effective_at=effective_at)
    ).subscription


def test_more_seats_now_keep_a_price_migration_pending() -> None:
    """5 -> 7 seats on 16 Jan (16 of January's 31 days left), with the move to USD 12.00 a
    seat due on 1 Feb. The seats are added at the price the subscription is on, USD 10.00:
    unused 5 × 10.00 × 16/31 = USD 25.806 -> 25.81 credited, remaining 7 × 10.00 × 16/31 =
    USD 36.129 -> 36.13 charged. The migration stays: 1 Feb bills 7 × USD 12.00 = USD 84.00."""
    more = decided(
        change_quantity(
            migrating(), 7, JAN_16, catalog=V2, usage=Usage.of(seats=5), policy=SEED_POLICY
        )
    )
    assert [amount for _, amount in lines(more)] == ["USD -25.81", "USD 36.13"]
    renewed = advance(more.subscription, FEB_1, catalog=V2, policy=SEED_POLICY)
    assert [amount for _, amount in lines(renewed)] == ["USD 84.00"]
    assert NoticeKind.PRICE_CHANGED in [n.kind for n in renewed.notices]


def test_fewer_seats_at_the_period_end_of_a_price_migration_take_the_new_price() -> None:
    """5 -> 3 seats on 16 Jan, for the 1 Feb period end the move to USD 12.00 is due at: the
    pending change holds both, and 1 Feb bills 3 × USD 12.00 = USD 36.00 (not 3 × 10.00)."""
    fewer = decided(
        change_quantity(
            migrating(), 3, JAN_16, catalog=V2, usage=Usage.of(seats=3), policy=SEED_POLICY
        )
    )
    renewed = advance(fewer.subscription, FEB_1, catalog=V2, policy=SEED_POLICY)
    assert [amount for _, amount in lines(renewed)] == ["USD 36.00"]
    assert NoticeKind.DOWNGRADED in [n.kind for n in renewed.notices]


@pytest.mark.parametrize("undo", ["cancel_pending_change", "the current quantity again"])
def test_undoing_fewer_seats_keeps_the_price_migration_they_carried(undo: str) -> None:
    """5 -> 3 seats scheduled with the move to USD 12.00 a seat, then undone on 20 Jan: the
    seats stay 5 and the new price still applies on 1 Feb: 5 × USD 12.00 = USD 60.00."""
    fewer = decided(
        change_quantity(
            migrating(), 3, JAN_16, catalog=V2, usage=Usage.of(seats=3), policy=SEED_POLICY
        )
    ).subscription
    at = utc(2027, 1, 20)
    undone = decided(
        cancel_pending_change(fewer, at, policy=SEED_POLICY)
        if undo == "cancel_pending_change"
        else change_quantity(fewer, 5, at, catalog=V2, usage=Usage.of(seats=3), policy=SEED_POLICY)
    )
    renewed = advance(undone.subscription, FEB_1, catalog=V2, policy=SEED_POLICY)
    assert [amount for _, amount in lines(renewed)] == ["USD 60.00"]
    assert renewed.subscription.quantity == 5


def test_fewer_seats_before_a_later_price_migration_are_refused() -> None:
    """Migrated on 10 Jan: 30 days of notice reach past 1 Feb, so the new price is due on
    1 Mar (the first period end in reach, passed as ``effective_at``). Fewer seats for 1 Feb cannot be scheduled alongside it (one pending change):
    refused as a change pending, naming the new price and its date; nothing changes."""
    sub = migrating(at=utc(2027, 1, 10), effective_at=utc(2027, 3, 1))
    pending = sub.pending_change
    assert pending is not None
    assert pending.effective_at == utc(2027, 3, 1)
    refused = change_quantity(
        sub, 3, JAN_16, catalog=V2, usage=Usage.of(seats=3), policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.CHANGE_PENDING
    assert "USD 12.00" in refused.message
    assert "2027-03-01" in refused.message
    # The quote says so too, rather than previewing a change that would be refused.
    quoted = quote_change(
        sub,
        "team",
        MONTHLY,
        JAN_16,
        catalog=V2,
        usage=Usage.of(seats=3),
        policy=SEED_POLICY,
        quantity=3,
    )
    assert quoted == refused


def test_the_command_lines_summary_names_the_seats_and_price_a_pending_change_brings() -> None:
    """8 Team seats (USD 12.00 each) going to 5 at the 1 Dec period end: the summary's
    "Pending change" reads "Team, monthly, 5 seats, USD 60.00 a period" (5 × 12.00)."""
    sub = eight_to_five().subscription
    summary = billing_summary(sub, Usage.of(seats=5), NOV_16, catalog=CATALOG, policy=SEED_POLICY)
    names = {plan.id: plan.name for plan in CATALOG}
    assert _pending(summary, names, ZoneInfo("UTC")) == (
        "Team, monthly, 5 seats, USD 60.00 a period, on 1 Dec 2026"
    )
