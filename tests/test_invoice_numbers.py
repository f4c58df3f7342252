"""Legal invoice numbers from the host's sequence: consecutive, no gaps, deterministic.

Anchors: Lago numbers a finalized invoice per billing entity (organisation) as
``<prefix>-<YYYYMM>-<sequential id>`` or per customer as
``<prefix>-<customer id>-<sequential id>`` (lago-api app/models/invoice.rb,
``ensure_number``), and a credit note from its invoice's number,
``<invoice number>-CN<n>`` (app/models/credit_note.rb). Here a credit note
may credit no single invoice (unused time, a grant), so invoices and credit
notes share the one series: no gap in it, whatever the documents.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    InvoiceSequence,
    advance,
    change_plan,
    default_catalog,
    number_documents,
    start_subscription,
)
from subscription_rules.credits import CreditNote
from subscription_rules.effects import Decision, IssueCreditNote
from subscription_rules.errors import InvalidSequenceError
from subscription_rules.invoices import Invoice
from subscription_rules.ports import execute
from subscription_rules.testing import InvoiceCounter, RecordingNotifier, ScriptedGateway
from subscription_rules.usage import Usage

CATALOG = default_catalog()
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)


def _start(sub_id: str, plan: str = "advanced") -> Decision:
    return start_subscription(
        sub_id, "acme", plan, MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=SEED_POLICY
    )


def _documents(decision: Decision) -> list[Invoice | CreditNote]:
    return [*decision.invoices, *decision.credit_notes]


def _numbers(decision: Decision) -> list[str | None]:
    return [d.legal_number for d in _documents(decision)]


def test_subscriptions_of_one_organisation_share_one_sequence_without_gaps() -> None:
    """Three subscriptions started, then one downgraded (a credit note and an invoice):
    ACME-2026-0001 … 0003 for the starts, 0004 and 0005 for the change, in effect order."""
    sequence = InvoiceSequence("ACME-2026-", 1)
    numbered = []
    for sub_id in ("a", "b", "c"):
        decision, sequence = number_documents(_start(sub_id), sequence)
        numbered.append(decision)
    assert [_numbers(d) for d in numbered] == [
        ["ACME-2026-0001"],
        ["ACME-2026-0002"],
        ["ACME-2026-0003"],
    ]
    change = change_plan(
        numbered[0].subscription,
        "pro",
        MONTHLY,
        datetime(2026, 11, 16, tzinfo=UTC),
        catalog=CATALOG,
        usage=Usage.of(properties=1),
        policy=SEED_POLICY,
    )
    assert isinstance(change, Decision)
    changed, sequence = number_documents(change, sequence)
    # The upgrade credits the unused time on Advanced (a credit note), then invoices Pro.
    assert [
        e.credit_note.legal_number for e in changed.effects if isinstance(e, IssueCreditNote)
    ] == ["ACME-2026-0004"]
    assert [i.legal_number for i in changed.invoices] == ["ACME-2026-0005"]
    assert sequence.next_number == 6
    # The ids the idempotency keys are made of are unchanged.
    assert changed.invoices[0].id.startswith("a-INV-")


def test_numbering_a_decision_again_keeps_its_numbers_and_the_sequence() -> None:
    first, after = number_documents(_start("a"), InvoiceSequence("ACME-", 41, width=5))
    assert _numbers(first) == ["ACME-00041"]
    again, same = number_documents(first, after)
    assert again == first
    assert same == after
    # And numbering the same unnumbered decision from the same sequence: the same numbers.
    assert number_documents(_start("a"), InvoiceSequence("ACME-", 41, width=5)) == (first, after)


def test_a_retry_charges_the_invoice_under_its_number() -> None:
    """The open invoice keeps its legal number, so the retry's charge carries it."""
    from subscription_rules import Declined, DeclineKind, record_payment  # noqa: PLC0415

    numbered, _sequence = number_documents(_start("a"), InvoiceSequence("ACME-", 7))
    key = numbered.effects[0].idempotency_key  # type: ignore[union-attr]
    declined = record_payment(
        numbered.subscription,
        key,
        Declined(DeclineKind.SOFT),
        NOV_1,
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(declined, Decision)
    retried = advance(
        declined.subscription,
        datetime(2026, 11, 2, tzinfo=UTC),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert [i.legal_number for i in retried.invoices] == ["ACME-0007"]
    again, sequence = number_documents(retried, InvoiceSequence("ACME-", 8))
    assert [i.legal_number for i in again.invoices] == ["ACME-0007"]
    assert sequence.next_number == 8


def test_a_sequence_that_goes_backwards_is_refused() -> None:
    numbered, _after = number_documents(_start("a"), InvoiceSequence("ACME-", 10))
    with pytest.raises(InvalidSequenceError, match=r"next_number: must follow 10"):
        number_documents(numbered, InvoiceSequence("ACME-", 9))


def test_execute_numbers_from_the_port_and_advances_it() -> None:
    counter = InvoiceCounter(InvoiceSequence("ACME-", 100))
    done = execute(
        _start("a"),
        gateway=ScriptedGateway(),
        notifier=RecordingNotifier(),
        catalog=CATALOG,
        policy=SEED_POLICY,
        numbers=counter,
    )
    charged = [p for p in done.performed if hasattr(p, "invoice")]
    assert [p.invoice.legal_number for p in charged] == ["ACME-0100"]
    assert counter.sequence().next_number == 101
    with pytest.raises(InvalidSequenceError):
        counter.advance(InvoiceSequence("ACME-", 99))


def test_execute_refuses_a_port_returning_a_number_not_after_the_previous() -> None:
    """The start's invoice takes 1; the decline's follow-up decision asks the port again,
    which answers 1 once more: behind the 2 it was handed, refused."""
    from subscription_rules import Declined, DeclineKind  # noqa: PLC0415

    with pytest.raises(InvalidSequenceError, match=r"next_number: must be at least 2"):
        execute(
            _start("b"),
            gateway=ScriptedGateway([Declined(DeclineKind.SOFT)]),
            notifier=RecordingNotifier(),
            catalog=CATALOG,
            policy=SEED_POLICY,
            numbers=_StaleAfterFirst(),
        )


class _StaleAfterFirst:
    """Hands out 1 twice, though 1 was used by the first decision."""

    def sequence(self) -> InvoiceSequence:
        return InvoiceSequence("ACME-", 1)

    def advance(self, sequence: InvoiceSequence) -> None:
        pass


@given(
    st.lists(st.sampled_from(["personal", "advanced", "pro"]), min_size=1, max_size=6),
    st.integers(1, 10**6),
)
def test_numbers_are_strictly_consecutive(plans: list[str], first: int) -> None:
    """Starts and a year of renewals of several subscriptions: every number once, in order."""
    sequence = InvoiceSequence("ORG-", first)
    seen: list[int] = []
    for index, plan in enumerate(plans):
        start, sequence = number_documents(_start(f"s{index}", plan), sequence)
        later = advance(
            start.subscription,
            datetime(2027, 2, 1, tzinfo=UTC),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
        renewed, sequence = number_documents(later, sequence)
        for decision in (start, renewed):
            for document in _documents(decision):
                assert document.legal_number is not None
                number = sequence.number_of(document.legal_number)
                assert number is not None
                if number not in seen:
                    seen.append(number)
    assert seen == list(range(first, first + len(seen)))
    assert sequence.next_number == first + len(seen)


def test_a_number_pads_to_the_width_and_is_read_back() -> None:
    sequence = InvoiceSequence("ACME-2026-", 3, width=6)
    assert sequence.format(3) == "ACME-2026-000003"
    assert sequence.format(1234567) == "ACME-2026-1234567"  # wider than the width: never cut
    assert sequence.number_of("ACME-2026-000003") == 3
    assert sequence.number_of("ACME-2025-000003") is None
