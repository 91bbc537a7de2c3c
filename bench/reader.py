"""The floor under every design: how many upstream streams can one core *read*?

    .venv/bin/python -m bench.reader --steps 50,100,200,300 [--readers sdk,httpx,aiohttp] [--uvloop]

No Reflex, no browser: one process pinned to core 0 opens N concurrent streams from
``bench/upstream.py`` (started on core 1, same schedule as ``bench.run``: 700 tokens at 60 tok/s)
and reads them to the end. Readers, side by side:

* ``sdk``      the openai SDK's normal iterator (``stream=True``): one pydantic chunk object per token
  (what the naive app and the SSE passthrough do);
* ``httpx``    the app's reader (``recipe_app.llm.stream``): the SDK's raw streaming response over
  its httpx client, SSE lines parsed with ``json.loads``;
* ``aiohttp``  the same reader over the SDK's aiohttp client (``openai.DefaultAioHttpClient``),
  one wake-up per SSE line;
* ``bulk``     the app's reader over aiohttp as the app runs it: it sleeps until the next flush
  (every 50 ms here) and then takes everything aiohttp buffered, one wake-up per batch;
* ``app``      the app's whole non-Reflex path (``RecipeRun.updates``: bulk reader + time-driven
  batches + partial-JSON card), over the aiohttp client as the app runs it;
* ``app-per-token`` the same, with one wake-up per SSE line and a reader task feeding the batches
  (the app's design before bulk reading).

Figures per step: CPU seconds per recipe of the reading process, p50/p99/max of the per-token
delay (receipt − upstream send time, same CLOCK_MONOTONIC) for the raw readers, all tokens
received. ``--uvloop`` runs the reader on uvloop instead of asyncio's default loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.run import free_port, stop, wait_http

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _client(kind: str, base_url: str):
    import httpx
    from openai import AsyncOpenAI, DefaultAioHttpClient

    timeout = httpx.Timeout(900, connect=10)
    if kind == "aiohttp":
        http = DefaultAioHttpClient(timeout=900)
    else:
        http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=2000,
                                                                      max_keepalive_connections=2000))
    return AsyncOpenAI(api_key="bench", base_url=base_url, max_retries=0, http_client=http)


async def _one(kind: str, client: Any, settings: Any, tag: str) -> tuple[list[float], int]:
    from recipe_app.llm.batching import Pace
    from recipe_app.domain.request import RecipeRequest
    from recipe_app.generation.run import RecipeRun
    from recipe_app.llm.stream import StreamMeta, stream_recipe_text

    request = RecipeRequest(ingredients=[tag, "spinach"], servings=4)
    stamps: list[float] = []
    now = time.monotonic
    if kind == "sdk":
        stream = await client.chat.completions.create(
            model="bench", messages=[{"role": "user", "content": tag}], stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                stamps.append(now())
        return stamps, len(stamps)
    if kind == "bulk":
        pace, meta = Pace(), StreamMeta()
        loop = asyncio.get_running_loop()
        async for _piece in stream_recipe_text(client, settings, request, meta, pace=pace):
            stamps += [now()] * (meta.content_chunks - len(stamps))  # one receipt time per token
            pace.next_flush = loop.time() + settings.stream_flush_ms / 1000
        return stamps, len(stamps)
    if kind.startswith("app"):
        run = RecipeRun(client, settings, request)
        updates = 0
        async for _ in run.updates():
            updates += 1
        return [], run.meta.content_chunks
    async for _piece in stream_recipe_text(client, settings, request, StreamMeta()):
        stamps.append(now())
    return stamps, len(stamps)


async def _step(kind: str, n: int, base_url: str, upstream: str) -> dict[str, Any]:
    from recipe_app.core.settings import Settings

    settings = Settings(openai_api_key="bench", openai_base_url=base_url, openai_timeout_s=900, stall_timeout_s=300)
    if kind == "app-per-token":
        from recipe_app.llm import stream

        stream._aiohttp_body = lambda response: None  # the line-by-line reader, as before bulk reading
    client = _client("aiohttp" if kind in ("aiohttp", "bulk", "app", "app-per-token") else "httpx", base_url)
    prefix = f"benchtag{kind.replace('-', '')}{n}x{os.getpid()}x{int(time.time())}"
    tags = [f"{prefix}t{i}" for i in range(n)]
    cpu0, t0 = time.process_time(), time.monotonic()
    results = await asyncio.gather(*(_one(kind, client, settings, t) for t in tags))
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    await client.close()
    with urllib.request.urlopen(f"{upstream}/bench/times?prefix={prefix}") as r:
        sent = json.loads(r.read())
    delays: list[float] = []
    received = expected = 0
    for tag, (stamps, count) in zip(tags, results):
        times = sent.get(tag, {}).get("sent", [])
        expected += len(times)
        received += count
        delays += [(s - t) * 1000 for s, t in zip(stamps, times)]
    delays.sort()
    q = (lambda p: round(delays[min(len(delays) - 1, int(p * len(delays)))], 1)) if delays else (lambda p: None)
    return {"reader": kind, "n": n, "cpu_s_per_recipe": round(cpu / n, 4), "cpu_pct_of_core": round(100 * cpu / wall),
            "wall_s": round(wall, 1), "tokens_received": received, "tokens_sent": expected,
            "delay_p50_ms": q(0.5), "delay_p99_ms": q(0.99), "delay_max_ms": delays[-1] if delays else None,
            "delay_mean_ms": round(statistics.fmean(delays), 1) if delays else None}


def _child(args: argparse.Namespace) -> None:
    if args.uvloop:
        import uvloop

        uvloop.install()
    out = asyncio.run(_step(args.reader, args.n, args.base_url, args.upstream))
    print(json.dumps(out), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", default="50,100,200,300")
    ap.add_argument("--readers", default="sdk,httpx,aiohttp,bulk,app-per-token,app")
    ap.add_argument("--uvloop", action="store_true")
    ap.add_argument("--tps", type=float, default=60.0)
    ap.add_argument("--tokens", type=int, default=700)
    ap.add_argument("--out", help="write the results as JSON here")
    # internal: one step in a fresh process pinned to core 0
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--reader", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--base-url", help=argparse.SUPPRESS)
    ap.add_argument("--upstream", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    port = free_port()
    upstream = f"http://127.0.0.1:{port}"
    up = subprocess.Popen(["taskset", "-c", "1", PY, "-m", "bench.upstream", "--port", str(port), "--tps",
                           str(args.tps), "--tokens", str(args.tokens)], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    rows = []
    try:
        wait_http(f"{upstream}/bench/stats", up, 30)
        print("reader   loop     N   cpu s/recipe  core %  p50 ms  p99 ms  max ms  tokens", flush=True)
        for reader in args.readers.split(","):
            for n in [int(x) for x in args.steps.split(",")]:
                cmd = ["taskset", "-c", "0", PY, "-m", "bench.reader", "--child", "--reader", reader, "--n", str(n),
                       "--base-url", f"{upstream}/v1", "--upstream", upstream] + (["--uvloop"] if args.uvloop else [])
                res = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
                res["loop"] = "uvloop" if args.uvloop else "asyncio"
                rows.append(res)
                print(f"{reader:8} {res['loop']:7} {n:4}   {res['cpu_s_per_recipe']:10.4f}  {res['cpu_pct_of_core']:5}  "
                      f"{res['delay_p50_ms']!s:>6}  {res['delay_p99_ms']!s:>6}  {res['delay_max_ms']!s:>6}  "
                      f"{res['tokens_received']}/{res['tokens_sent']}", flush=True)
                if (res["delay_p99_ms"] or 0) > 1000:
                    break  # saturated: larger N only waits longer
    finally:
        stop(up)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
