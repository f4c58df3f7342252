"""Dump and load of a stored subscription: the storage format (cattrs), a hand-written codec.

``.venv/bin/python benchmarks/storage.py``: a subscription after an upgrade and a
declined renewal (tests/storage_values.py), as a document (``dump``/``load``) and as
JSON text (``dumps``/``loads``), against the hand-written prototype in
benchmarks/storage_handwritten.py and pickle, with a renewal (``advance`` over one
period) beside them. Best of 5 repeats; docs/performance.md ("Storage") records a run.
"""

from __future__ import annotations

import json
import pickle
import sys
import timeit
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from storage_handwritten import dump_subscription, load_subscription  # noqa: E402

from storage_values import CATALOG, POLICY, golden_values, golden_values_v2  # noqa: E402
from subscription_rules import Subscription, advance  # noqa: E402
from subscription_rules.serialization import dump, dumps, load, loads  # noqa: E402


def main() -> None:
    sub = golden_values()["subscription"]
    assert isinstance(sub, Subscription)
    document = dump(sub)
    text = dumps(sub)
    blob = pickle.dumps(sub)
    assert dump_subscription(sub) == document, "the prototype writes another document"
    assert load_subscription(json.loads(text)) == sub
    seats = golden_values_v2()["subscription"]  # seats, a tiered recorded price, EUR
    assert isinstance(seats, Subscription)
    assert dump_subscription(seats) == dump(seats), "the prototype writes another document"
    assert load_subscription(dump(seats)) == seats
    renewal_at = sub.cycle.period(sub.period_index + 1).start + timedelta(seconds=1)
    runs = 1000
    cases = {
        "serialization.dump": lambda: dump(sub),
        "serialization.load": lambda: load(document, Subscription),
        "serialization.dumps": lambda: dumps(sub),
        "serialization.loads": lambda: loads(text, Subscription),
        "hand-written dump": lambda: dump_subscription(sub),
        "hand-written load": lambda: load_subscription(document),
        "json.dumps only": lambda: json.dumps(document, ensure_ascii=False),
        "json.loads only": lambda: json.loads(text),
        "pickle.dumps": lambda: pickle.dumps(sub),
        "pickle.loads": lambda: pickle.loads(blob),
        "a renewal (advance)": lambda: advance(sub, renewal_at, catalog=CATALOG, policy=POLICY),
    }
    print(f"a subscription of {len(text)} bytes of JSON ({len(sub.stretches)} stretches)")
    for name, call in cases.items():
        best = min(timeit.repeat(call, number=runs, repeat=5)) / runs
        print(f"{name:<26} {best * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
