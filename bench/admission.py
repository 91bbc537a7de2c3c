"""Cooks behind one address pressing Generate at once, admitted through the rate limits on a real Redis.

    .venv/bin/python -m bench.admission [--cooks 60] [--rounds 5] [--before DIR]

One process on core 0 (uvloop), a redis-server on core 1. Each round, ``--cooks`` admissions of
different browsers from one address start together (an office, a proxy whose address every cook
shares); the limits are wide, so every one should be admitted. Prints per design: how many were
admitted (the others were told the studio is busy: no turn within the 5 s an admission waits), the
wall time for all of them, and the process CPU per admission. With ``--before DIR`` (another
checkout) its ``recipe_app/core/ratelimit.py`` runs beside this one, round by round.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from types import ModuleType

from bench.run import ROOT, free_port, stop


def _load(name: str, tree: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, tree / "recipe_app" / "core" / "ratelimit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _rounds(designs: dict[str, ModuleType], cooks: int, rounds: int) -> dict[str, list[tuple[int, float, float]]]:
    from recipe_app.core.settings import get_settings

    settings = get_settings()
    out: dict[str, list[tuple[int, float, float]]] = {name: [] for name in designs}
    for r in range(rounds):
        for name, module in designs.items():
            quota = module.GenerationQuota(settings)
            await quota.take(f"warm-{name}", "198.51.100.1")  # connections and scripts loaded
            cpu, wall = time.process_time(), time.perf_counter()
            results = await asyncio.gather(*(quota.take(f"{name}-{r}-{i}", "203.0.113.9") for i in range(cooks)),
                                           return_exceptions=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            out[name].append((sum(result is None for result in results), wall, cpu / cooks))
            await quota.aclose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cooks", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--before", help="another checkout of the app, its rate limiter run beside this one")
    args = ap.parse_args()
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    port = free_port()
    redis = subprocess.Popen(["taskset", "-c", "1", shutil.which("redis-server") or "redis-server", "--port", str(port),
                              "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    os.environ.update(REFLEX_REDIS_URL=f"redis://127.0.0.1:{port}/0", OPENAI_API_KEY="bench",
                      RATE_LIMIT_PER_BROWSER="1000000/minute", RATE_LIMIT_PER_IP="1000000/minute")
    try:
        time.sleep(0.5)
        import uvloop

        designs = {"app": _load("ratelimit_app", ROOT)}
        if args.before:
            designs["app-before"] = _load("ratelimit_before", Path(args.before).resolve())
        figures = uvloop.run(_rounds(designs, args.cooks, args.rounds))
    finally:
        stop(redis)
    print(f"{args.cooks} cooks behind one address, {args.rounds} rounds:")
    for name, rows in figures.items():
        admitted = ", ".join(str(n) for n, _, _ in rows)
        print(f"  {name:10s} admitted {admitted}; wall for all: median {statistics.median(w for _, w, _ in rows) * 1e3:,.0f} ms; "
              f"CPU per admission: median {statistics.median(c for _, _, c in rows) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
