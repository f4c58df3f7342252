"""Notice facts are typed: every fact the library writes has a known name."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from subscription_rules import Decision, Money
from subscription_rules.notifications import Fact, FactName, Notice, NoticeKind
from subscription_rules.strategies import decisions


@given(decisions())
def test_every_fact_of_the_librarys_notices_is_named_by_fact_name(decision: Decision) -> None:
    for notice in decision.notices:
        for fact in notice.facts:
            assert type(fact) is Fact
            assert isinstance(fact.name, FactName), (notice.kind, fact)


def test_a_hosts_pairs_become_facts_known_names_typed_its_own_kept() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    facts = (("amount", Money.of("5", "USD")), ("referrer", "ana"))
    notice = Notice(NoticeKind.RENEWED, "s", "c", at, facts, "p1")
    assert [type(name) for name, _ in notice.facts] == [FactName, str]
    assert notice.facts == facts
    assert notice.fact(FactName.AMOUNT) == notice.fact("amount") == Money.of("5", "USD")
