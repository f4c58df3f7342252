"""Dump and load of a stored subscription with the storage format (cattrs), against pickle.

``.venv/bin/python benchmarks/storage.py``: a subscription after an upgrade and a
declined renewal (tests/storage_values.py), dumped to JSON text and loaded back.
"""

from __future__ import annotations

import pickle
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from storage_values import golden_values
from subscription_rules import Subscription
from subscription_rules.serialization import dumps, loads


def main() -> None:
    sub = golden_values()["subscription"]
    assert isinstance(sub, Subscription)
    text = dumps(sub)
    blob = pickle.dumps(sub)
    runs = 2000
    cases = {
        "serialization.dumps": lambda: dumps(sub),
        "serialization.loads": lambda: loads(text, Subscription),
        "pickle.dumps (baseline)": lambda: pickle.dumps(sub),
        "pickle.loads (baseline)": lambda: pickle.loads(blob),
    }
    print(f"a subscription of {len(text)} bytes of JSON ({len(sub.stretches)} stretches)")
    for name, call in cases.items():
        best = min(timeit.repeat(call, number=runs, repeat=3)) / runs
        print(f"{name:<26} {best * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
