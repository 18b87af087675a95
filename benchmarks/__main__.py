"""``python -m benchmarks`` (``make bench``): run every scenario, print the figures, rewrite docs/benchmarks.md.

``--only 1,5`` runs some scenarios; ``--quick`` runs each at a tiny size (to prove the scripts
work, not to measure); ``--output PATH`` writes the report elsewhere (``-`` for none). A scenario
that fails is reported as such and the others still run.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ScenarioResult, machine_description, real_keyring_available
from benchmarks.report import DEFAULT_OUTPUT, render

Scenario = Callable[[], ScenarioResult]


def scenarios(quick: bool) -> dict[int, tuple[str, Scenario]]:
    """Scenario number → (title, how to run it); imported lazily so ``--only`` stays light."""
    from benchmarks.batch_gui import batch_with_window
    from benchmarks.guard_quality import guard_quality
    from benchmarks.gui_lag import gui_responsiveness
    from benchmarks.history import history_at_scale
    from benchmarks.history_million import history_million
    from benchmarks.kill_harness import kill_harness
    from benchmarks.mailmerge import mail_merge
    from benchmarks.sandbox_capacity import sandbox_capacity
    from benchmarks.sanitizing import SIZES, sanitizing
    from benchmarks.startup import startup
    from benchmarks.throughput import rate_limited, send_throughput

    if quick:
        return {
            1: ("Send throughput", lambda: send_throughput(count=20, runs=1)),
            2: ("Under a rate limit", lambda: rate_limited(count=20)),
            3: ("Start-up", lambda: startup(runs=1)),
            4: ("GUI responsiveness", lambda: gui_responsiveness(messages=30)),
            5: ("History at scale", lambda: history_at_scale(count=500, runs=1)),
            6: ("Sanitising", lambda: sanitizing(runs=1, sizes=SIZES[:1])),
            7: ("Sandbox capacity", lambda: sandbox_capacity(seconds=0.5, runs=1)),
            8: ("Kill harness", lambda: kill_harness(rows=40, kills=2, runs=1)),
            9: ("Mail merge end to end", lambda: mail_merge(20, 20, 40, memory_rows=60, runs=1, growth_runs=1)),
            10: ("Recipient and subject guards", lambda: guard_quality(contacts=500, runs=20)),
            11: ("History at clinic scale", lambda: history_million(count=500, runs=1)),
            12: ("Mail merge with the window open", lambda: batch_with_window(rows=200)),
        }
    return {
        1: ("Send throughput", send_throughput),
        2: ("Under a rate limit", rate_limited),
        3: ("Start-up", startup),
        4: ("GUI responsiveness", gui_responsiveness),
        5: ("History at scale", history_at_scale),
        6: ("Sanitising", sanitizing),
        7: ("Sandbox capacity", sandbox_capacity),
        8: ("Kill harness", kill_harness),
        9: ("Mail merge end to end", mail_merge),
        10: ("Recipient and subject guards", guard_quality),
        11: ("History at clinic scale", history_million),
        12: ("Mail merge with the window open", batch_with_window),
    }


def run(selected: list[int], quick: bool) -> list[ScenarioResult]:
    results: list[ScenarioResult] = []
    table = scenarios(quick)
    for number in selected:
        title, scenario = table[number]
        print(f"[{number}] {title} …", flush=True)
        started = time.perf_counter()
        try:
            result = scenario()
        except Exception as error:
            traceback.print_exc()
            result = ScenarioResult(number, title, error=f"{type(error).__name__}: {str(error)[:600]}")
        result.seconds = time.perf_counter() - started
        for figure in result.figures:
            verdict = {True: "pass", False: "MISS", None: ""}[figure.passed]
            print(f"    {figure.name}: {figure.formatted()} {figure.target} {verdict}".rstrip(), flush=True)
        if result.error:
            print(f"    could not run: {result.error}", flush=True)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated scenario numbers (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the scripts, not the figures")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="report path, or - for none")
    args = parser.parse_args(argv)
    selected = [int(n) for n in args.only.split(",") if n.strip()] or sorted(scenarios(args.quick))
    if not real_keyring_available():
        print("no Secret Service keyring: run `make bench` (it starts a throwaway one)", file=sys.stderr)
        return 2
    machine = machine_description()
    started = time.perf_counter()
    results = run(selected, args.quick)
    total = time.perf_counter() - started
    print(f"done in {total:.0f} s", flush=True)
    if args.output != "-":
        notes = ["--quick run: tiny sizes, figures are not meaningful"] if args.quick else []
        output = Path(args.output)
        output.write_text(render(results, machine, total, notes, output), encoding="utf-8")
        print(f"wrote {args.output}", flush=True)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
