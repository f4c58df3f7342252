"""Print the mutation score per module from `mutmut results --all true` on standard input.

Usage: mutmut results --all true | python tools/mutation_score.py
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*subscription_rules\.(\w+)\.\S+: (\w[\w ]*)$")


def main() -> int:
    """Read mutmut's results and print one row per module."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in sys.stdin:
        match = LINE.match(line.rstrip())
        if match:
            counts[match[1]][match[2]] += 1
    if not counts:
        print("no mutation results found; run `make mutation` first")
        return 1
    print(
        f"{'module':<14} {'mutants':>8} {'checked':>8} {'killed':>8} {'survived':>9} "
        f"{'no tests':>9} {'score':>7}"
    )
    total: Counter[str] = Counter()
    for module in sorted(counts):
        c = counts[module]
        total.update(c)
        print(_row(module, c))
    print(_row("all", total))
    return 0


def _row(name: str, c: Counter[str]) -> str:
    """One module's counts; the score is killed over checked (mutants not yet run left out)."""
    mutants = sum(c.values())
    checked = mutants - c["not checked"]
    killed = c["killed"] + c["timeout"]
    score = 100 * killed / checked if checked else 0.0
    return (
        f"{name:<14} {mutants:>8} {checked:>8} {killed:>8} {c['survived']:>9} "
        f"{c['no tests']:>9} {score:>6.1f}%"
    )


if __name__ == "__main__":
    raise SystemExit(main())
