"""The billing run: stored subscriptions advanced to an instant, partition by partition.

A host's nightly job reads the subscriptions due by ``until`` from its
database as stored documents (:mod:`subscription_rules.serialization`), cuts
them into partitions, and hands them to :func:`run_billing`. Each partition is
billed by :func:`bill_partition`: every document is loaded, advanced to
``until`` (renewals, retries, trial ends, reminders) and dumped again, and its
effects come back as outbox entries, each a document with its deterministic
key. The host stores one partition's next documents and enqueues its entries
in one transaction, or a ``sink`` does it on the worker that billed them.

The run is one process by default, or any ``concurrent.futures.Executor``: a
``ProcessPoolExecutor`` on one machine, or ``dask.distributed``'s
``Client.get_executor()`` on a cluster (the ``dask`` extra), with the same
code. A partition re-run after a worker died gives the same documents and the
same keys, so an outbox that ignores a key it already holds charges nothing
twice.

Neither Dask nor cattrs is imported by this module: the storage codec loads
on the first document, and an executor is the caller's.

>>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog, start_subscription
>>> from subscription_rules.serialization import dump
>>> catalog = default_catalog()
>>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
...     catalog=catalog, policy=SEED_POLICY, trial=False).subscription
>>> [billed] = bill_partition([dump(sub)], datetime(2026, 12, 1, tzinfo=UTC),
...     catalog=catalog, policy=SEED_POLICY)
>>> billed.due, [entry["key"] for entry in billed.entries]
(True, ['s:renewal:2026-12-01T00:00:00+00:00:due-5000@2026-12-01T00:00:00+00:00', 's:renewed:2026-12-01T00:00:00+00:00'])
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from datetime import datetime
from typing import Any, Final, TypeVar, overload

import attrs

from subscription_rules._checks import expect, shown, trusted
from subscription_rules.catalog import Catalog
from subscription_rules.errors import InvalidArgumentError, SubscriptionRulesError
from subscription_rules.lifecycle import advance
from subscription_rules.periods import utc_instant
from subscription_rules.policy import BillingPolicy
from subscription_rules.ports import OutboxEntry, outbox_entries
from subscription_rules.serialization import dump, load
from subscription_rules.subscription import Subscription

__all__ = [
    "LOGGER_NAME",
    "Billed",
    "BillingProgress",
    "Failed",
    "PartitionResult",
    "batches",
    "bill_partition",
    "load_entry",
    "partition_of",
    "run_billing",
]

LOGGER_NAME: Final = "subscription_rules.billing_run"
"""The logger :func:`run_billing` reports progress to (INFO, one line per partition)."""

_LOG = logging.getLogger(LOGGER_NAME)
_END: Final = object()
_T = TypeVar("_T")


@attrs.frozen
class Billed:
    """One subscription billed: its next document and its effects as outbox entry documents.

    ``due`` says whether anything was due by ``until``: when nothing was,
    ``document`` is the document given, unchanged, and ``entries`` is empty
    (nothing to store). Each entry is ``{"key", "subscription_id",
    "customer_id", "effect"}``, the effect a storage document; :func:`load_entry`
    turns it back into an :class:`~subscription_rules.ports.OutboxEntry`.

    >>> Billed("s", {"type": "subscription"}, (), due=False).due
    False
    """

    subscription_id: str
    document: Mapping[str, Any] = attrs.field(eq=True, hash=False)
    entries: tuple[Mapping[str, Any], ...] = attrs.field(eq=True, hash=False)
    due: bool = True


@attrs.frozen
class Failed:
    """A stored document that could not be billed, never silently dropped.

    ``subscription_id`` is the document's ``"id"`` when it has a readable one
    (else ``"#<position>"``), ``position`` its index in the partition, and
    ``error`` the error's class and message. A document that does not load
    (:class:`~subscription_rules.errors.SerializationError`) or whose advance
    refuses (any :class:`~subscription_rules.errors.SubscriptionRulesError`)
    is reported so; the other documents of the partition are billed. Something
    that is not a mapping at all is the caller's mistake, not a stored
    document: ``InvalidArgumentError`` naming it (``documents[3]``). Any other
    exception (a bug) stops the partition, with a note naming the subscription.

    >>> Failed("s", 0, "SerializationError: status: ...").subscription_id
    's'
    """

    subscription_id: str
    position: int
    error: str


PartitionResult = tuple[Billed | Failed, ...]
"""What one partition gives: one :class:`Billed` or :class:`Failed` per document, in order."""


@attrs.frozen
class BillingProgress:
    """Where a billing run stands, after each partition.

    ``rate_per_s`` is subscriptions per second since the run began;
    ``expected_left_s`` the time the rest should take at that rate, when
    :func:`run_billing` was told the ``total`` (else ``None``).

    >>> BillingProgress(2, 500, 10.0, 50.0, 10.0).expected_left_s
    10.0
    """

    partitions_done: int
    subscriptions_done: int
    elapsed_s: float
    rate_per_s: float
    expected_left_s: float | None


def _entry_document(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "subscription_id": entry.subscription_id,
        "customer_id": entry.customer_id,
        "effect": dump(entry.effect),
    }


def load_entry(document: Mapping[str, Any]) -> OutboxEntry:
    """The :class:`~subscription_rules.ports.OutboxEntry` an entry document of :class:`Billed` holds.

    >>> from subscription_rules import RestoreAccess
    >>> from subscription_rules.serialization import dump
    >>> load_entry({"key": "k", "subscription_id": "s", "customer_id": "c",
    ...     "effect": dump(RestoreAccess())}).effect
    RestoreAccess()
    """
    expect(document, Mapping, "document", what="an entry document (a mapping)")
    missing = [k for k in ("key", "subscription_id", "customer_id", "effect") if k not in document]
    if missing:
        raise InvalidArgumentError(
            f"an entry document needs {', '.join(missing)}, got {shown(document)}",
            argument="document",
            value=document,
        )
    for name in ("key", "subscription_id", "customer_id"):
        expect(document[name], str, f"document.{name}")
    effect: Any = load(document["effect"])
    return OutboxEntry(
        document["key"], document["subscription_id"], document["customer_id"], effect
    )


def _name(document: object, position: int) -> str:
    name = document.get("id") if isinstance(document, Mapping) else None
    return name if isinstance(name, str) and name else f"#{position}"


def _bill_one(
    document: Mapping[str, Any],
    position: int,
    until: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Billed | Failed:
    try:
        sub = load(document, Subscription)
        decision = advance(sub, until, catalog=catalog, policy=policy)
    except SubscriptionRulesError as err:
        return Failed(_name(document, position), position, f"{type(err).__name__}: {err}")
    except Exception as err:
        err.add_note(f"billing subscription {_name(document, position)} (position {position})")
        raise
    nxt = decision.subscription
    if not decision.effects and attrs.evolve(nxt, processed_until=sub.processed_until) == sub:
        return Billed(sub.id, document, (), due=False)
    entries = tuple(_entry_document(entry) for entry in outbox_entries(decision))
    return Billed(sub.id, dump(nxt), entries)


def _check_run(until: object, catalog: object, policy: object) -> datetime:
    expect(catalog, Catalog, "catalog")
    expect(policy, BillingPolicy, "policy")
    return utc_instant(until, "until")


def bill_partition(
    documents: Iterable[Mapping[str, Any]],
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> PartitionResult:
    """Load, advance to ``until`` and dump each stored subscription document, in order.

    One :class:`Billed` (the next document and the decision's outbox entries,
    or the document unchanged when nothing was due) or :class:`Failed` per
    document. Deterministic: the same documents and ``until`` give equal
    results, with the same keys, in any process.

    >>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog, start_subscription
    >>> from subscription_rules.serialization import dump
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY,
    ...     trial=False).subscription
    >>> billed, failed = bill_partition([dump(sub), {"id": "t"}],
    ...     datetime(2026, 11, 15, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> billed.due, billed.entries, billed.document == dump(sub)
    (False, (), True)
    >>> failed.subscription_id, failed.error.split(":")[0]
    ('t', 'SerializationError')
    """
    at = _check_run(until, catalog, policy)
    _iterable(documents, "documents", "subscription documents")
    return tuple(
        _bill_one(_document(document, f"documents[{position}]"), position, at, catalog, policy)
        for position, document in enumerate(documents)
    )


def _iterable(value: object, argument: str, what: str) -> None:
    """Refuse anything but an iterable of ``what`` (a text or a mapping is one value, not many)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgumentError(
            f"expected an iterable of {what}, got {type(value).__name__} {shown(value)}",
            argument=argument,
            value=value,
        )


def _document(document: object, argument: str) -> Mapping[str, Any]:
    """A stored document as given: a mapping (what is in it is for loading to judge)."""
    if not isinstance(document, Mapping):
        raise InvalidArgumentError(
            f"expected a subscription document (a mapping), got {type(document).__name__} "
            f"{shown(document)}",
            argument=argument,
            value=document,
        )
    return document


def _partition(partition: object, index: int) -> Sequence[Mapping[str, Any]]:
    """A partition as given: a sequence of mappings."""
    if isinstance(partition, (str, bytes)) or not isinstance(partition, Sequence):
        raise InvalidArgumentError(
            f"expected a sequence of subscription documents, got {type(partition).__name__} "
            f"{shown(partition)}",
            argument=f"partitions[{index}]",
            value=partition,
        )
    for position, document in enumerate(partition):
        _document(document, f"partitions[{index}][{position}]")
    return partition


#: A partition's job as it crosses to a worker: its documents pickled into one ``bytes``, the
#: instant, and the catalog and policy as one JSON text (their values hold mapping proxies,
#: which do not pickle). One opaque ``bytes`` rather than the documents themselves: Dask walks
#: a task's arguments, item by item, to name the task (tokenize) and to find futures in them,
#: which cost the host three times the billing itself; a ``bytes`` it hashes at once.
_Job = tuple[bytes, datetime, str, "Callable[[PartitionResult], Any] | None"]


@functools.lru_cache(maxsize=4)
def _rules(text: str) -> tuple[Catalog, BillingPolicy]:
    """The catalog and policy of a job, loaded once per worker process (per distinct pair)."""
    catalog, policy = json.loads(text)
    return load(catalog, Catalog), load(policy, BillingPolicy)


def _bill_job(job: _Job) -> bytes:
    """A partition billed on a worker; its results back as one ``bytes`` of plain rows.

    Plain tuples unpickle in about half the time of the frozen values, and the
    host's unpickling is what a run's speed-up on a cluster loses to it. With a
    sink, the results go to it here, and only its answer goes back (with the count).
    """
    packed, until, rules, sink = job
    catalog, policy = _rules(rules)
    # The host's own pickle of the partition it just read (an executor pickles the job anyway).
    documents: list[Mapping[str, Any]] = pickle.loads(packed)  # noqa: S301
    results = bill_partition(documents, until, catalog=catalog, policy=policy)
    if sink is not None:
        return pickle.dumps((len(results), sink(results)), protocol=pickle.HIGHEST_PROTOCOL)
    rows = [
        (True, r.subscription_id, r.document, r.entries, r.due)
        if isinstance(r, Billed)
        else (False, r.subscription_id, r.position, r.error, False)
        for r in results
    ]
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def _unpacked(packed: bytes, *, sunk: bool) -> tuple[int, Any]:
    """A worker's answer (:func:`_bill_job`): the count, and the results or the sink's answer."""
    if sunk:
        count, answer = pickle.loads(packed)  # noqa: S301 - our worker's
        return count, answer
    results = _rebuilt(packed)
    return len(results), results


def _rebuilt(packed: bytes) -> PartitionResult:
    """A worker's rows (:func:`_bill_job`) as the values they were, built again."""
    rows: list[tuple[bool, str, Any, Any, bool]] = pickle.loads(packed)  # noqa: S301 - our worker's
    return tuple(
        _billed(subscription_id, first, second, due=due)
        if billed
        else _failed(subscription_id, first, second)
        for billed, subscription_id, first, second, due in rows
    )


# Values the workers built and checked, rebuilt on the host as they were.
_billed = trusted(Billed)
_failed = trusted(Failed)


class _InProcess:
    """A future's stand-in: the partition billed when its result is asked for, in this process."""

    def __init__(
        self,
        documents: Sequence[Mapping[str, Any]],
        rules: tuple[datetime, Catalog, BillingPolicy],
        sink: Callable[[PartitionResult], Any] | None,
    ) -> None:
        self._documents, self._rules, self._sink = documents, rules, sink

    def result(self) -> tuple[int, Any]:
        until, catalog, policy = self._rules
        results = bill_partition(self._documents, until, catalog=catalog, policy=policy)
        return len(results), results if self._sink is None else self._sink(results)


@overload
def run_billing(
    partitions: Iterable[Sequence[Mapping[str, Any]]],
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
    executor: Executor | None = None,
    max_in_flight: int = 4,
    total: int | None = None,
    progress: Callable[[BillingProgress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sink: None = None,
) -> Iterator[PartitionResult]: ...


@overload
def run_billing(
    partitions: Iterable[Sequence[Mapping[str, Any]]],
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
    executor: Executor | None = None,
    max_in_flight: int = 4,
    total: int | None = None,
    progress: Callable[[BillingProgress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sink: Callable[[PartitionResult], _T],
) -> Iterator[_T]: ...


def run_billing(
    partitions: Iterable[Sequence[Mapping[str, Any]]],
    until: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
    executor: Executor | None = None,
    max_in_flight: int = 4,
    total: int | None = None,
    progress: Callable[[BillingProgress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sink: Callable[[PartitionResult], Any] | None = None,
) -> Iterator[Any]:
    """Bill ``partitions`` (each a sequence of stored documents); yield each one's results in order.

    With no ``executor``, each partition is billed in this process when the
    iterator reaches it. With one (a ``ProcessPoolExecutor``, or
    ``dask.distributed.Client(...).get_executor()`` for a cluster), at most
    ``max_in_flight`` partitions are submitted ahead of the one being yielded,
    so neither the host nor the workers hold more than that many partitions at
    once, however long the run. Results come in partition order (a host can
    record how far it got), one :class:`Billed` or :class:`Failed` per document.

    After each partition a :class:`BillingProgress` goes to ``progress`` and to
    the :data:`LOGGER_NAME` logger at INFO; ``total`` (the number of
    subscriptions, when known) gives the expected time left, and ``clock``
    (seconds, ``time.monotonic`` by default) is the clock it is measured with.

    A Dask worker that dies mid-partition has the partition run again
    elsewhere; a ``ProcessPoolExecutor`` whose worker dies raises
    ``BrokenProcessPool``: run again, and the outbox's keys ignore what was
    already enqueued.

    ``sink``: where each partition's results go, called where the partition
    was billed (on the worker, with an executor: so a picklable function, such
    as a module's function or a ``functools.partial`` of one), before the
    partition counts as done; the run then yields what the sink returns, in
    partition order, and the results themselves never cross back to this
    process. A sink that stores a partition's documents and entries in one
    transaction, replacing documents by id and ignoring keys it holds, keeps a
    partition run twice (a worker lost after storing) from charging twice.

    >>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog, start_subscription
    >>> from subscription_rules.serialization import dump
    >>> catalog = default_catalog()
    >>> subs = [start_subscription(f"s{i}", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY,
    ...     trial=False).subscription for i in range(3)]
    >>> seen = []
    >>> results = run_billing(batches((dump(s) for s in subs), 2),
    ...     datetime(2026, 12, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY,
    ...     total=3, progress=seen.append)
    >>> [len(partition) for partition in results]
    [2, 1]
    >>> [(p.partitions_done, p.subscriptions_done) for p in seen]
    [(1, 2), (2, 3)]
    """
    at = _check_run(until, catalog, policy)
    expect(executor, (Executor, type(None)), "executor", what="a concurrent.futures Executor")
    if type(max_in_flight) is not int or max_in_flight < 1:
        raise InvalidArgumentError(
            f"must be a positive int, got {shown(max_in_flight)}",
            argument="max_in_flight",
            value=max_in_flight,
        )
    if total is not None and (type(total) is not int or total < 0):
        raise InvalidArgumentError(
            f"must be a non-negative int or None, got {shown(total)}", argument="total", value=total
        )
    if progress is not None and not callable(progress):
        raise InvalidArgumentError(
            f"expected a callable or None, got {shown(progress)}",
            argument="progress",
            value=progress,
        )
    if not callable(clock):
        raise InvalidArgumentError(
            f"expected a callable, got {shown(clock)}", argument="clock", value=clock
        )
    if sink is not None and not callable(sink):
        raise InvalidArgumentError(
            f"expected a callable or None, got {shown(sink)}", argument="sink", value=sink
        )
    _iterable(partitions, "partitions", "partitions")
    return _run(
        iter(partitions),
        (at, catalog, policy),
        executor,
        max_in_flight,
        total,
        progress,
        clock,
        sink,
    )


def _run(
    partitions: Iterator[object],
    rules: tuple[datetime, Catalog, BillingPolicy],
    executor: Executor | None,
    max_in_flight: int,
    total: int | None,
    progress: Callable[[BillingProgress], None] | None,
    clock: Callable[[], float],
    sink: Callable[[PartitionResult], Any] | None,
) -> Iterator[Any]:
    began = clock()
    in_flight: deque[Future[bytes] | _InProcess] = deque()
    partitions_done = subscriptions_done = 0
    exhausted = False
    shipped = ""
    submitted = 0
    while True:
        while not exhausted and len(in_flight) < (max_in_flight if executor else 1):
            given = next(partitions, _END)
            if given is _END:
                exhausted = True
                break
            partition = _partition(given, submitted)
            submitted += 1
            if executor is None:
                in_flight.append(_InProcess(partition, rules, sink))
            else:
                shipped = shipped or json.dumps([dump(rules[1]), dump(rules[2])])
                packed = pickle.dumps(list(partition), protocol=pickle.HIGHEST_PROTOCOL)
                in_flight.append(executor.submit(_bill_job, (packed, rules[0], shipped, sink)))
        if not in_flight:
            return
        first = in_flight.popleft()
        count, results = (
            first.result()
            if isinstance(first, _InProcess)
            else _unpacked(first.result(), sunk=sink is not None)
        )
        partitions_done += 1
        subscriptions_done += count
        report = _progress(partitions_done, subscriptions_done, clock() - began, total)
        _LOG.info(
            "billing run: %d partitions, %d subscriptions, %.1f s, %.0f/s, %s left",
            report.partitions_done,
            report.subscriptions_done,
            report.elapsed_s,
            report.rate_per_s,
            "?" if report.expected_left_s is None else f"{report.expected_left_s:.0f} s",
        )
        if progress is not None:
            progress(report)
        yield results


def _progress(
    partitions: int, subscriptions: int, elapsed: float, total: int | None
) -> BillingProgress:
    rate = subscriptions / elapsed if elapsed > 0 else 0.0
    left = None
    if total is not None and rate > 0:
        left = max(total - subscriptions, 0) / rate
    return BillingProgress(partitions, subscriptions, elapsed, rate, left)


def partition_of(subscription_id: str, partitions: int) -> int:
    """The partition (``0 <= p < partitions``) of a subscription id: stable across processes.

    A hash of the id's UTF-8 bytes (BLAKE2b, not Python's salted ``hash``), so a
    host can store it with the subscription and read partition ``p`` with an
    indexed query, on any machine and any day.

    >>> partition_of("sub_0000001", 16), partition_of("sub_0000001", 16)
    (1, 1)
    """
    expect(subscription_id, str, "subscription_id")
    if type(partitions) is not int or partitions < 1:
        raise InvalidArgumentError(
            f"must be a positive int, got {shown(partitions)}",
            argument="partitions",
            value=partitions,
        )
    digest = hashlib.blake2b(subscription_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions


def batches(documents: Iterable[_T], size: int) -> Iterator[tuple[_T, ...]]:
    """``documents`` cut into partitions of ``size`` (the last may be shorter), read lazily.

    >>> [len(b) for b in batches(({"id": str(i)} for i in range(5)), 2)]
    [2, 2, 1]
    """
    if type(size) is not int or size < 1:
        raise InvalidArgumentError(
            f"must be a positive int, got {shown(size)}", argument="size", value=size
        )
    _iterable(documents, "documents", "documents")
    return _batches(iter(documents), size)


def _batches(documents: Iterator[_T], size: int) -> Iterator[tuple[_T, ...]]:
    while batch := tuple(doc for _, doc in zip(range(size), documents, strict=False)):
        yield batch
