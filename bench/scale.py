"""Scale past one process: capacity of 1 vs 2 Reflex workers sharing state through a real Redis.

    .venv/bin/python -m bench.scale [--designs app,floor-direct] [--steps 10,12,14,...] [--share 0.5]

Recipe Studio runs as the operator would self-host it: ``reflex run --env prod --backend-only``
with ``REFLEX_REDIS_URL`` (state, locks and the rate limiter in Redis) and ``WEB_CONCURRENCY`` = 1,
then 2 (gunicorn workers). The load generator, the fake upstream and redis-server get their own core.

CPU per worker is held equal across the two runs, so the ratio is the scaling of the design
(Redis round trips, connections spread over workers), not of the machine:

* machine with >= 4 cores (``--mode cores``): worker i pinned to core i (taskset), load on the rest;
* a 2-core machine (``--mode share``, default when there are fewer than 4 cores): every server
  process is pinned to core 0, and once the server is up each worker process is moved into its own
  cgroup (v1 ``cpu`` controller) whose CFS quota is ``share`` of a core over a 10 ms period: one
  worker gets half a core, two workers get half a core each, throttled the same way. Needs root
  (or a writable ``/sys/fs/cgroup/cpu``). The gunicorn master and the CLI stay outside (idle).

``--designs`` also runs bench.run's floors the same way (``floor``: the state lock for every
update; ``floor-direct``: the app's syncs once a second), with the app's Redis settings, so the
scaling Reflex itself reaches here is printed beside the app's.

Capacity is found as in ``bench.run`` (largest N with every recipe whole, nothing lost, p99 added
latency <= 150 ms; stepping stops at the first failure), and also as the N where p99 crosses 150 ms,
interpolated between the last passing and the first failing step. Prints the figures and writes
``scale_results.json`` into ``--out-dir`` (default ``bench/``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.run import (APP_ENV, BENCH, DESIGN_ENV, P99_TARGET_MS, PY, ROOT, Tree, copy_tree, free_port, run_step, stop,
                       wait_http)

CGROUP = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 10_000


def _cgroup(name: str, cores: float) -> Path:
    group = CGROUP / name
    group.mkdir(exist_ok=True)
    (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
    (group / "cpu.cfs_quota_us").write_text(str(int(PERIOD_US * cores)))
    return group


def _workers(server: subprocess.Popen) -> list[psutil.Process]:
    """The worker processes: the leaves of the server's process tree (gunicorn forks them)."""
    tree = psutil.Process(server.pid).children(recursive=True)
    return [p for p in tree if not p.children()]


def _start_app(design: str, app_dir: Path, work: Path, workers: int, port: int, upstream: str, redis_url: str,
               mode: str, share: float, spread: bool = False) -> tuple[subprocess.Popen, list[Path]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OPENAI_BASE_URL": f"{upstream}/v1", "OPENAI_API_KEY": "bench",
           "REFLEX_DB_URL": f"sqlite:///{work / f'{design}-scale{workers}.db'}", "REFLEX_REDIS_URL": redis_url,
           "WEB_CONCURRENCY": str(workers), "GRANIAN_WORKERS": str(workers), **APP_ENV, **DESIGN_ENV.get(design, {})}
    if design.startswith("floor"):
        env["PYTHONPATH"] = str(app_dir)  # the floor imports the app's reader and server worker
    cpus = ",".join(str(i) for i in range(workers)) if mode == "cores" else "0"
    cmd = ["taskset", "-c", cpus, PY, "-m", "reflex", "run", "--env", "prod", "--backend-only",
           "--backend-port", str(port), "--backend-host", "127.0.0.1"]
    log = (work / f"{design}-scale{workers}.log").open("w")
    cwd = work / "floor" if design.startswith("floor") else app_dir
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/ping", proc)
    groups: list[Path] = []
    if mode == "share":
        deadline = time.monotonic() + 30
        while len(found := _workers(proc)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        if len(found) != workers:
            raise RuntimeError(f"expected {workers} worker processes, found {len(found)}")
        for i, worker in enumerate(found):
            group = _cgroup(f"recipe-bench-{os.getpid()}-{design}-{workers}-{i}", share)
            (group / "cgroup.procs").write_text(str(worker.pid))
            groups.append(group)
            if spread:
                os.sched_setaffinity(worker.pid, {i % (os.cpu_count() or 1)})
    return proc, groups


def crossing(rows: list[dict[str, Any]]) -> float | None:
    """N where p99 crosses the target, interpolated between the last passing and the first failing step."""
    passed = [r for r in rows if r["passed"]]
    failed = [r for r in rows if not r["passed"]]
    if not passed or not failed or failed[0]["completed_ok"] != failed[0]["n"] or failed[0]["tokens_lost"]:
        return None
    a, b = passed[-1], failed[0]
    if b["lat_p99_ms"] <= a["lat_p99_ms"]:
        return float(a["n"])
    return round(a["n"] + (b["n"] - a["n"]) * (P99_TARGET_MS - a["lat_p99_ms"]) / (b["lat_p99_ms"] - a["lat_p99_ms"]), 1)


def _scale(design: str, args: argparse.Namespace, steps: list[int], app_dir: Path, work: Path,
           up: subprocess.Popen, upstream: str, redis: str, db: int) -> dict[str, Any]:
    """One design stepped with 1, then 2 workers (each its own Redis database)."""
    out: dict[str, Any] = {"workers": {}}
    for workers in (1, 2):
        port = free_port()
        server, groups = _start_app(design, app_dir, work, workers, port, upstream, f"{redis}/{db + workers}",
                                    args.mode, args.share, args.spread)
        print(f"== {design}, {workers} worker(s), Redis state, "
              + (f"{args.share} core each (own cgroup quota)" if groups else f"cores 0-{workers - 1}"), flush=True)
        tree, rows, capacity = Tree(server.pid), [], 0
        try:
            for n in steps:
                step = run_step(design, tree, up.pid, n, port, upstream, app_dir, work)
                rows.append(step)
                print(f"   N={n}: done {step['completed_ok']}/{n} p50 {step['lat_p50_ms']} p99 {step['lat_p99_ms']} "
                      f"ms, lost {step['tokens_lost']}, cpu {step['backend_cpu_per_recipe_s']} s/recipe, "
                      f"{step['frames_per_recipe']} frames -> {'pass' if step['passed'] else 'FAIL'}", flush=True)
                if not step["passed"]:
                    break
                capacity = n
        finally:
            stop(server)
            time.sleep(0.5)
            for group in groups:
                group.rmdir()
        out["workers"][str(workers)] = {"capacity": capacity, "p99_crossing_n": crossing(rows), "steps": rows}
    one, two = out["workers"]["1"], out["workers"]["2"]
    out["scaling"] = round(two["capacity"] / one["capacity"], 2) if one["capacity"] else None
    x1, x2 = one["p99_crossing_n"], two["p99_crossing_n"]
    out["scaling_interpolated"] = round(x2 / x1, 2) if x1 and x2 else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app-dir", default=".")
    ap.add_argument("--designs", default="app", help="app, floor, floor-direct (comma-separated; each 1 then 2 workers)")
    # A half-core worker held 34 streams on 2026-11-25 and 100-113 since round 6: steps up to 300.
    ap.add_argument("--steps", default="20,40,60,80,100,110,120,130,140,150,160,170,180,190,200,220,240,260,280,300")
    ap.add_argument("--mode", choices=["share", "cores"], default="cores" if (os.cpu_count() or 1) >= 4 else "share")
    ap.add_argument("--share", type=float, default=0.5, help="share mode: cores per worker")
    ap.add_argument("--spread", action="store_true",
                    help="share mode: worker i on core i (the second worker shares core 1 with the load)")
    ap.add_argument("--tps", type=float, default=60.0)
    ap.add_argument("--tokens", type=int, default=700)
    ap.add_argument("--out-dir", default=str(BENCH))
    args = ap.parse_args()
    steps = [int(x) for x in args.steps.split(",")]
    load_cpus = "2-" + str((os.cpu_count() or 3) - 1) if args.mode == "cores" else "1"
    work = Path(tempfile.mkdtemp(prefix="recipe-scale-"))
    app_dir = work / "app"
    copy_tree(Path(args.app_dir).resolve(), app_dir)
    redis_port, up_port = free_port(), free_port()
    redis = subprocess.Popen(["taskset", "-c", load_cpus, shutil.which("redis-server") or "redis-server",
                              "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    upstream = f"http://127.0.0.1:{up_port}"
    up = subprocess.Popen(["taskset", "-c", load_cpus, PY, "-m", "bench.upstream", "--port", str(up_port),
                           "--tps", str(args.tps), "--tokens", str(args.tokens)], cwd=ROOT,
                          stdout=(work / "upstream.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    designs = args.designs.split(",")
    copy_tree(BENCH / "floor", work / "floor")
    results: dict[str, Any] = {"mode": args.mode, "share": args.share if args.mode == "share" else 1.0,
                               "spread": args.spread,
                               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "designs": {}}
    try:
        wait_http(f"{upstream}/bench/stats", up, 30)
        for d, design in enumerate(designs):
            results["designs"][design] = _scale(design, args, steps, app_dir, work, up, upstream,
                                                f"redis://127.0.0.1:{redis_port}", 2 * d)
        if designs == ["app"]:
            results.update(results["designs"]["app"])  # the layout of the runs before --designs
        for design, r in results["designs"].items():
            one, two = r["workers"]["1"], r["workers"]["2"]
            print(f"{design}: capacity (steps) 1 worker {one['capacity']}, 2 workers {two['capacity']}, "
                  f"scaling {r['scaling']}×; p99 crosses {P99_TARGET_MS:.0f} ms at N≈{one['p99_crossing_n']} and "
                  f"N≈{two['p99_crossing_n']}: {r['scaling_interpolated']}× (target ≥ 1.7×)", flush=True)
    finally:
        stop(up)
        stop(redis)
        Path(args.out_dir).mkdir(parents=True, exist_ok=True)
        (Path(args.out_dir) / "scale_results.json").write_text(json.dumps(results, indent=1))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
