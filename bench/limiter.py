"""CPU of admitting a crowd of browsers through the in-process rate limits: the library's storage
against the app's lean expiry, side by side in one process.

    .venv/bin/python -m bench.limiter [--browsers 250] [--spread 2.0] [--rounds 3]

Each round admits ``--browsers`` distinct browsers from one address, started evenly over
``--spread`` seconds (the benchmark's start burst), through :class:`GenerationQuota` with the
settings' windows raised so nobody is refused, once with limits' own ``MemoryStorage`` and once
with ``recipe_app.core.compat.memory_limit_storage()``. Prints the process CPU (threads included)
and the thread hand-offs of each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


async def admit(storage: Any, browsers: int, spread: float) -> dict[str, float]:
    from limits.aio.strategies import MovingWindowRateLimiter

    from recipe_app.core.ratelimit import GenerationQuota
    from recipe_app.core.settings import get_settings

    quota = GenerationQuota(get_settings())
    quota._limiter = MovingWindowRateLimiter(storage)  # the storage under test, the app's windows
    handed = 0
    real = asyncio.to_thread

    async def counting(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        nonlocal handed
        handed += 1
        return await real(func, *args, **kwargs)

    asyncio.to_thread = counting  # type: ignore[assignment]
    try:
        cpu0, wall0 = time.process_time(), time.monotonic()

        async def one(i: int) -> float | None:
            await asyncio.sleep(i * spread / browsers)
            return await quota.take(f"bench-browser-{i}", "127.0.0.1")

        refused = sum(r is not None for r in await asyncio.gather(*(one(i) for i in range(browsers))))
        await asyncio.sleep(0.5)  # passes still running after the last admission
        return {"cpu_s": time.process_time() - cpu0, "wall_s": time.monotonic() - wall0,
                "thread_handoffs": handed, "refused": refused}
    finally:
        asyncio.to_thread = real  # type: ignore[assignment]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--browsers", type=int, default=250)
    ap.add_argument("--spread", type=float, default=2.0, help="seconds over which the admissions start")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    os.environ.update(RATE_LIMIT_PER_BROWSER="1000000/minute", RATE_LIMIT_PER_IP="1000000/minute")
    sys.path.insert(0, str(ROOT))
    from limits.aio.storage import MemoryStorage

    from recipe_app.core import compat

    designs = {"limits MemoryStorage": MemoryStorage, "app (lean expiry)": compat.memory_limit_storage}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in designs}
    for _ in range(args.rounds):
        for name, make in designs.items():  # interleaved: the machine's drift hits both alike
            rows[name].append(asyncio.run(admit(make(), args.browsers, args.spread)))
    print(f"{args.browsers} browsers admitted over {args.spread} s, {args.rounds} rounds (median)")
    print("| storage | CPU s | CPU ms per admission | thread hand-offs | refused |")
    print("|---|---|---|---|---|")
    for name, runs in rows.items():
        mid = sorted(runs, key=lambda r: r["cpu_s"])[len(runs) // 2]
        print(f"| {name} | {mid['cpu_s']:.3f} | {1000 * mid['cpu_s'] / args.browsers:.2f} "
              f"| {int(mid['thread_handoffs'])} | {int(mid['refused'])} |")


if __name__ == "__main__":
    main()
