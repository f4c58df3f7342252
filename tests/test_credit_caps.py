"""How a credit for unused time is bounded by what was billed: ``BillingPolicy.credit_cap``.

``REMAINING`` (ours) prorates what is left of the stretch after earlier credits over
the units not yet credited; ``BILLED_MINUS_ADJUSTMENTS`` (Kill Bill) prorates what was
billed over the units it paid for, then caps the result at billed minus earlier
credits. The two differ once an earlier credit that covers no time (an adjustment) lies
on the stretch. Either way a credit never exceeds what is left creditable.
"""

from __future__ import annotations

import attrs
import pytest

from helpers import CATALOG, decided, started, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    ChangeQuote,
    CreditCap,
    Money,
    Subscription,
    Usage,
    quote_change,
    terminate,
)

REMAINING = SEED_POLICY
CAPPED = attrs.evolve(
    SEED_POLICY, name="seed, changed", credit_cap=CreditCap.BILLED_MINUS_ADJUSTMENTS
)


def _with_earlier_credit(amount: str) -> Subscription:
    """Advanced (USD 150.00) from 1 Nov 2026, with ``amount`` already credited on its stretch
    against no time (as an adjustment does)."""
    sub = started("advanced")
    (stretch,) = sub.stretches
    return sub.evolve(stretches=(attrs.evolve(stretch, credited=usd(amount)),))


def _terminated_credit(sub: Subscription, policy: BillingPolicy) -> Money:
    decision = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    (note,) = decision.credit_notes
    (line,) = note.lines
    assert -line.amount <= sub.stretches[0].creditable  # no cent created
    return -line.amount


def test_kill_bill_like_caps_at_billed_minus_adjustments() -> None:
    assert KILL_BILL_LIKE.credit_cap is CreditCap.BILLED_MINUS_ADJUSTMENTS
    assert SEED_POLICY.credit_cap is CreditCap.REMAINING


@pytest.mark.parametrize(
    ("earlier", "policy", "expected"),
    [
        ("30.00", REMAINING, "60.00"),
        ("30.00", CAPPED, "75.00"),
        ("100.00", REMAINING, "25.00"),
        ("100.00", CAPPED, "50.00"),
        ("0.00", REMAINING, "75.00"),
        ("0.00", CAPPED, "75.00"),
    ],
)
def test_termination_credit_follows_the_credit_cap(
    earlier: str, policy: BillingPolicy, expected: str
) -> None:
    """Advanced, USD 150.00 for 1 Nov -> 1 Dec 2026 (30 days), terminated on 16 Nov: 15 of
    the 30 days unused.

    - REMAINING with 30.00 credited earlier: (150.00 − 30.00) × 15/30 = 60.00.
    - BILLED_MINUS_ADJUSTMENTS: 150.00 × 15/30 = 75.00, under the cap 150.00 − 30.00 = 120.00.
    - With 100.00 credited earlier: REMAINING 50.00 × 15/30 = 25.00; capped 75.00 → 50.00.
    - Nothing credited earlier: both 75.00.
    """
    assert _terminated_credit(_with_earlier_credit(earlier), policy) == usd(expected)


def _quoted(sub: Subscription, policy: BillingPolicy) -> ChangeQuote:
    quote = quote_change(
        sub, "pro", MONTHLY, utc(2026, 11, 16), catalog=CATALOG, usage=Usage(), policy=policy
    )
    assert isinstance(quote, ChangeQuote), quote
    return quote


@pytest.mark.parametrize(
    ("earlier", "policy", "expected"),
    [
        ("30.00", REMAINING, "-60.00"),
        ("30.00", CAPPED, "-75.00"),
        ("100.00", REMAINING, "-25.00"),
        ("100.00", CAPPED, "-50.00"),
    ],
)
def test_change_credit_follows_the_credit_cap(
    earlier: str, policy: BillingPolicy, expected: str
) -> None:
    """Advanced → Pro on 16 Nov 2026: the unused 15 of 30 days on Advanced (USD 150.00),
    with the same figures as a termination: (150 − 30) × 1/2 = 60.00 or 150 × 1/2 = 75.00
    (cap 120.00); (150 − 100) × 1/2 = 25.00 or 75.00 capped at 50.00. The charge is Pro's
    remaining half either way: 300.00 × 15/30 = 150.00."""
    sub = _with_earlier_credit(earlier)
    quote = _quoted(sub, policy)
    (credit,) = quote.credit_lines
    (charge,) = quote.charge_lines
    assert (credit.amount, charge.amount) == (usd(expected), usd("150.00"))
    assert -credit.amount <= sub.stretches[0].creditable


@pytest.mark.parametrize("policy", [REMAINING, CAPPED])
def test_a_fully_credited_stretch_credits_nothing_more(policy: BillingPolicy) -> None:
    """150.00 already credited against Advanced's 150.00: nothing is left, so a termination
    issues no credit note under either cap."""
    sub = _with_earlier_credit("150.00")
    decision = decided(terminate(sub, utc(2026, 11, 16), catalog=CATALOG, policy=policy))
    assert decision.credit_notes == ()
