"""The billing run: stored documents in, next documents and keyed outbox entries out.

In one process, over a process pool and on a Dask ``LocalCluster`` the results
are equal; a worker killed mid-partition has its partition run again, and an
outbox that deduplicates by key then holds every charge once.
"""

from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import os
import pickle
import signal
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    Catalog,
    ChargeInvoice,
    Decision,
    Plan,
    Price,
    advance,
    record_payment,
    start_subscription,
)
from subscription_rules.billing_run import (
    LOGGER_NAME,
    Billed,
    BillingProgress,
    Failed,
    PartitionResult,
    batches,
    bill_partition,
    load_entry,
    partition_of,
    run_billing,
)
from subscription_rules.dunning import Succeeded
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.serialization import dump, load
from subscription_rules.testing import InMemoryOutbox

CATALOG = Catalog(
    (
        Plan("starter", "Starter", (Price.of("10.00", "USD", MONTHLY),)),
        Plan("team", "Team", (Price.of("35.00", "USD", MONTHLY),)),
        Plan("business", "Business", (Price.of("50.00", "USD", MONTHLY),)),
    )
)
PLAN_IDS = ("starter", "team", "business")
START = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 31, tzinfo=UTC)  # one period end (1 to 30 Dec) for every start below


def _stored(i: int) -> dict[str, Any]:
    """Subscription ``i`` started in November with its first invoice paid, as a document."""
    at = START + timedelta(hours=7 * i)
    started = start_subscription(
        f"sub_{i:04d}",
        f"cus_{i:04d}",
        PLAN_IDS[i % 3],
        MONTHLY,
        at,
        catalog=CATALOG,
        policy=SEED_POLICY,
        trial=False,
    )
    first = started.effects[0]
    assert isinstance(first, ChargeInvoice)
    paid = record_payment(
        started.subscription,
        first.idempotency_key,
        Succeeded(),
        at,
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(paid, Decision)
    return dump(paid.subscription)


DOCUMENTS = tuple(_stored(i) for i in range(24))


def _partitions(documents: Sequence[Mapping[str, Any]] = DOCUMENTS) -> list[tuple[Any, ...]]:
    return list(batches(documents, 5))


def _flat(results: Iterator[PartitionResult] | Sequence[PartitionResult]) -> list[Billed | Failed]:
    return [one for partition in results for one in partition]


def _charges(results: Sequence[Billed | Failed]) -> dict[str, int]:
    """Every charge entry's key and amount in minor units, by key (a key twice fails)."""
    found: dict[str, int] = {}
    for billed in results:
        assert isinstance(billed, Billed)
        for document in billed.entries:
            entry = load_entry(document)
            if isinstance(entry.effect, ChargeInvoice):
                assert entry.key not in found
                found[entry.key] = entry.effect.amount.minor
    return found


def _outbox_charges(outbox: InMemoryOutbox) -> dict[str, int]:
    return {
        entry.key: entry.effect.amount.minor
        for entry in outbox.claim(10_000)
        if isinstance(entry.effect, ChargeInvoice)
    }


def _run_on(executor: Executor) -> list[Billed | Failed]:
    """The whole workload billed on ``executor``, two partitions in flight."""
    return _flat(
        run_billing(
            _partitions(),
            UNTIL,
            catalog=CATALOG,
            policy=SEED_POLICY,
            executor=executor,
            max_in_flight=2,
        )
    )


ONE_PROCESS = _flat(run_billing(_partitions(), UNTIL, catalog=CATALOG, policy=SEED_POLICY))


# --------------------------------------------------------------------------- one partition


def test_a_renewal_charges_each_subscription_its_plans_price_once() -> None:
    """Three subscriptions at 10.00, 35.00 and 50.00 renew once by 31 Dec: 95.00 in three charges."""
    results = bill_partition(DOCUMENTS[:3], UNTIL, catalog=CATALOG, policy=SEED_POLICY)
    assert [r.subscription_id for r in results] == ["sub_0000", "sub_0001", "sub_0002"]
    charges = _charges(results)
    assert sorted(charges.values()) == [1_000, 3_500, 5_000]
    assert sorted(charges) == [
        "sub_0000:renewal:2026-12-01T00:00:00+00:00:due-1000@2026-12-31T00:00:00+00:00",
        "sub_0001:renewal:2026-12-01T07:00:00+00:00:due-3500@2026-12-31T00:00:00+00:00",
        "sub_0002:renewal:2026-12-01T14:00:00+00:00:due-5000@2026-12-31T00:00:00+00:00",
    ]


def test_the_next_document_is_the_advanced_subscription_dumped() -> None:
    (billed,) = bill_partition(DOCUMENTS[:1], UNTIL, catalog=CATALOG, policy=SEED_POLICY)
    assert isinstance(billed, Billed)
    expected = advance(load(DOCUMENTS[0]), UNTIL, catalog=CATALOG, policy=SEED_POLICY)  # type: ignore[arg-type]
    assert billed.due
    assert billed.document == dump(expected.subscription)
    assert [load_entry(e).effect for e in billed.entries] == list(expected.effects)


def test_a_subscription_with_nothing_due_keeps_its_document_and_has_no_entries() -> None:
    early = datetime(2026, 11, 20, tzinfo=UTC)
    (billed,) = bill_partition(DOCUMENTS[:1], early, catalog=CATALOG, policy=SEED_POLICY)
    assert billed == Billed("sub_0000", DOCUMENTS[0], (), due=False)


def test_a_document_that_does_not_load_is_reported_by_its_id_and_the_others_are_billed() -> None:
    broken = {**DOCUMENTS[1], "status": "sleeping"}
    results = bill_partition(
        [DOCUMENTS[0], broken, {"type": "subscription"}, DOCUMENTS[2]],
        UNTIL,
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert [type(r).__name__ for r in results] == ["Billed", "Failed", "Failed", "Billed"]
    failed = results[1]
    assert isinstance(failed, Failed)
    assert (failed.subscription_id, failed.position) == ("sub_0001", 1)
    assert failed.error.startswith("SerializationError: status")
    assert results[2] == Failed("#2", 2, results[2].error)  # type: ignore[union-attr]


def test_something_that_is_not_a_document_is_refused_naming_its_place() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^documents\[1\]: expected a subscription"):
        bill_partition([DOCUMENTS[0], 7], UNTIL, catalog=CATALOG, policy=SEED_POLICY)  # type: ignore[list-item]
    run = run_billing([DOCUMENTS[:1], [None]], UNTIL, catalog=CATALOG, policy=SEED_POLICY)  # type: ignore[list-item]
    assert len(next(run)) == 1
    with pytest.raises(InvalidArgumentError, match=r"^partitions\[1\]\[0\]: expected"):
        next(run)


def test_a_subscription_whose_advance_refuses_is_reported_failed() -> None:
    """A plan the catalog no longer sells cannot renew: that subscription fails, by id."""
    other = Catalog((Plan("starter", "Starter", (Price.of("10.00", "USD", MONTHLY),)),))
    results = bill_partition(DOCUMENTS[:2], UNTIL, catalog=other, policy=SEED_POLICY)
    assert isinstance(results[0], Billed)
    assert isinstance(results[1], Failed)
    assert results[1].subscription_id == "sub_0001"
    assert "team" in results[1].error


# --------------------------------------------------------------------------- the run


def test_results_come_in_partition_order_one_per_document() -> None:
    assert [r.subscription_id for r in ONE_PROCESS] == [d["id"] for d in DOCUMENTS]
    assert all(isinstance(r, Billed) and r.due for r in ONE_PROCESS)


def test_a_process_pool_gives_the_same_results_as_one_process() -> None:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert _run_on(pool) == ONE_PROCESS


def test_rerunning_on_the_same_input_gives_the_same_keys() -> None:
    again = _flat(run_billing(_partitions(), UNTIL, catalog=CATALOG, policy=SEED_POLICY))
    assert again == ONE_PROCESS
    assert _charges(again) == _charges(ONE_PROCESS)


def test_rerunning_on_the_documents_it_wrote_charges_nothing_new() -> None:
    outbox = InMemoryOutbox()
    for billed in ONE_PROCESS:
        assert isinstance(billed, Billed)
        outbox.enqueue([load_entry(e) for e in billed.entries])
    before = outbox.claim(10_000)
    written = [b.document for b in ONE_PROCESS if isinstance(b, Billed)]
    second = _flat(run_billing(_partitions(written), UNTIL, catalog=CATALOG, policy=SEED_POLICY))
    assert all(isinstance(b, Billed) and not b.due and not b.entries for b in second)
    assert [b.document for b in second if isinstance(b, Billed)] == written
    assert outbox.claim(10_000) == before


def test_progress_reports_counts_rate_and_time_left_by_the_given_clock(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticks = iter([100.0, 110.0, 120.0, 130.0])
    seen: list[BillingProgress] = []
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        results = list(
            run_billing(
                batches(DOCUMENTS[:6], 2),
                UNTIL,
                catalog=CATALOG,
                policy=SEED_POLICY,
                total=6,
                progress=seen.append,
                clock=lambda: next(ticks),
            )
        )
    assert len(results) == 3
    assert seen == [
        BillingProgress(1, 2, 10.0, 0.2, 20.0),
        BillingProgress(2, 4, 20.0, 0.2, 10.0),
        BillingProgress(3, 6, 30.0, 0.2, 0.0),
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "billing run: 1 partitions, 2 subscriptions, 10.0 s, 0/s, 20 s left",
        "billing run: 2 partitions, 4 subscriptions, 20.0 s, 0/s, 10 s left",
        "billing run: 3 partitions, 6 subscriptions, 30.0 s, 0/s, 0 s left",
    ]


def test_without_a_total_the_time_left_is_unknown() -> None:
    ticks = iter([0.0, 4.0])
    seen: list[BillingProgress] = []
    list(
        run_billing(
            [DOCUMENTS[:2]],
            UNTIL,
            catalog=CATALOG,
            policy=SEED_POLICY,
            progress=seen.append,
            clock=lambda: next(ticks),
        )
    )
    assert seen == [BillingProgress(1, 2, 4.0, 0.5, None)]


class _CountingExecutor(Executor):
    """Runs each job at once in this process and remembers how many were submitted ahead."""

    def __init__(self, taken: Callable[[], int]) -> None:
        self.taken = taken
        self.most_ahead = 0
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        self.most_ahead = max(self.most_ahead, self.submitted - self.taken())
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_no_more_than_max_in_flight_partitions_are_submitted_ahead() -> None:
    yielded = 0
    executor = _CountingExecutor(lambda: yielded)
    for _partition in run_billing(
        _partitions(),
        UNTIL,
        catalog=CATALOG,
        policy=SEED_POLICY,
        executor=executor,
        max_in_flight=3,
    ):
        yielded += 1
    assert (executor.submitted, executor.most_ahead) == (5, 3)


def test_a_partition_number_is_stable_and_within_range() -> None:
    numbers = [partition_of(d["id"], 4) for d in DOCUMENTS]
    assert numbers == [partition_of(d["id"], 4) for d in DOCUMENTS]
    assert set(numbers) == {0, 1, 2, 3}
    assert partition_of("sub_0000", 1) == 0


# --------------------------------------------------------------------------- on Dask


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(  # type: ignore[no-untyped-call] # distributed is untyped
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    )
    with cluster, Client(cluster) as dask_client:  # type: ignore[no-untyped-call]
        yield dask_client


def test_a_dask_local_cluster_gives_the_same_results_as_one_process(client: Client) -> None:
    assert _run_on(client.get_executor()) == ONE_PROCESS  # type: ignore[no-untyped-call]


def die_on_first_attempt(marker: str, fn: Callable[[Any], bytes], job: tuple[Any, ...]) -> bytes:
    """Bill, keep what was billed (as a worker that enqueued it would), then kill this worker.

    The job carries its partition's documents pickled into one ``bytes`` (``job[0]``).
    """
    documents = pickle.loads(job[0])  # noqa: S301 - the run's own pickle
    if documents[0]["id"] == "sub_0010" and not Path(marker).exists():
        billed = bill_partition(documents, UNTIL, catalog=CATALOG, policy=SEED_POLICY)
        Path(marker + ".partial").write_bytes(pickle.dumps(billed))
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return fn(job)


class _KillingExecutor(Executor):
    """Dask's executor, with the partition starting at sub_0010 killing its worker once."""

    def __init__(self, inner: Executor, marker: Path) -> None:
        self.inner, self.marker = inner, marker

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(die_on_first_attempt, str(self.marker), fn, *args, **kwargs)


def test_a_worker_killed_mid_run_is_replaced_and_nothing_is_charged_twice(
    client: Client, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    pids = set(client.run(os.getpid).values())
    executor = _KillingExecutor(client.get_executor(), marker)  # type: ignore[no-untyped-call]
    got = _run_on(executor)
    assert marker.exists()  # a worker did die in the middle of the run
    assert set(client.run(os.getpid).values()) != pids
    partial: PartitionResult = pickle.loads(Path(f"{marker}.partial").read_bytes())  # noqa: S301 - our own file
    assert got == ONE_PROCESS
    outbox = InMemoryOutbox()
    for billed in [*got, *partial]:  # the dead worker's entries enqueued too
        assert isinstance(billed, Billed)
        outbox.enqueue([load_entry(e) for e in billed.entries])
    charges = _outbox_charges(outbox)
    assert charges == _charges(ONE_PROCESS)
    assert len(charges) == len(DOCUMENTS)
    assert (
        sum(charges.values()) == sum(_charges(ONE_PROCESS).values()) == 8 * (1_000 + 3_500 + 5_000)
    )


# --------------------------------------------------------------------------- a sink on the workers


def store_in(database: str, marker: str, results: PartitionResult) -> tuple[int, int]:
    """A sink: one partition's next documents and outbox entries into SQLite, in one transaction.

    Documents replace the stored ones by id; an entry whose key is held already is ignored.
    With ``marker`` set, the partition starting at sub_0010 kills its worker once, just after
    storing (the transaction committed, the answer never sent back). Answers the number of
    documents stored and this process's id.
    """
    with closing(sqlite3.connect(database, timeout=30)) as db, db:
        db.execute("create table if not exists docs (id text primary key, document text)")
        db.execute("create table if not exists outbox (key text primary key, entry text)")
        for billed in results:
            assert isinstance(billed, Billed)
            db.execute(
                "insert into docs values (?, ?) on conflict (id) do update set document = excluded.document",
                (billed.subscription_id, json.dumps(billed.document)),
            )
            db.executemany(
                "insert into outbox values (?, ?) on conflict do nothing",
                [(e["key"], json.dumps(e)) for e in billed.entries],
            )
    first = results[0].subscription_id
    if marker and first == "sub_0010" and not Path(marker).exists():
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return len(results), os.getpid()


def _stored_charges(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as db:
        entries = [load_entry(json.loads(e)) for (e,) in db.execute("select entry from outbox")]
    return {e.key: e.effect.amount.minor for e in entries if isinstance(e.effect, ChargeInvoice)}


def _stored_documents(database: Path) -> list[Mapping[str, Any]]:
    with closing(sqlite3.connect(database)) as db:
        return [json.loads(d) for (d,) in db.execute("select document from docs order by id")]


def _sunk(executor: Executor | None, database: Path, marker: str = "") -> list[tuple[int, int]]:
    return list(
        run_billing(
            _partitions(),
            UNTIL,
            catalog=CATALOG,
            policy=SEED_POLICY,
            executor=executor,
            max_in_flight=2,
            sink=functools.partial(store_in, str(database), marker),
        )
    )


def _check_stored(database: Path) -> None:
    """What the sink stored is what one process returns: every document, every charge once."""
    assert _stored_documents(database) == [
        b.document
        for b in sorted(ONE_PROCESS, key=lambda b: b.subscription_id)
        if isinstance(b, Billed)
    ]
    assert _stored_charges(database) == _charges(ONE_PROCESS)


def test_a_sink_stores_each_partition_in_this_process_and_the_run_yields_its_answers(
    tmp_path: Path,
) -> None:
    database = tmp_path / "billing.db"
    answers = _sunk(None, database)
    assert [count for count, _pid in answers] == [len(p) for p in _partitions()]
    assert {pid for _count, pid in answers} == {os.getpid()}
    _check_stored(database)


def test_a_sink_on_a_process_pool_stores_on_the_workers(tmp_path: Path) -> None:
    database = tmp_path / "billing.db"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        answers = _sunk(pool, database)
    assert [count for count, _pid in answers] == [len(p) for p in _partitions()]
    assert os.getpid() not in {pid for _count, pid in answers}
    _check_stored(database)


def test_a_sink_on_dask_stores_on_the_workers(client: Client, tmp_path: Path) -> None:
    database = tmp_path / "billing.db"
    answers = _sunk(client.get_executor(), database)  # type: ignore[no-untyped-call]
    workers = set(client.run(os.getpid).values())
    assert {pid for _count, pid in answers} <= workers
    _check_stored(database)


def test_a_worker_killed_after_its_sink_stored_charges_nothing_twice(
    client: Client, tmp_path: Path
) -> None:
    """The partition is stored, its worker dies before answering, Dask runs it again elsewhere:
    the second store replaces the same documents and finds every key held."""
    database, marker = tmp_path / "billing.db", tmp_path / "killed"
    answers = _sunk(client.get_executor(), database, str(marker))  # type: ignore[no-untyped-call]
    assert marker.exists()  # a worker did die after storing
    assert [count for count, _pid in answers] == [len(p) for p in _partitions()]
    _check_stored(database)
    assert sum(_stored_charges(database).values()) == 8 * (1_000 + 3_500 + 5_000)


def test_a_sink_that_is_not_callable_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        run_billing(_partitions(), UNTIL, catalog=CATALOG, policy=SEED_POLICY, sink="store")  # type: ignore[call-overload]
    assert raised.value.argument == "sink"
