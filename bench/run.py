"""Capacity benchmark: Recipe Studio and its variants beside a floor Reflex app (the least an update
can cost), a naive Reflex app and a plain SSE passthrough, one core each.

    .venv/bin/python -m bench.run --app-dir . --quick

Copies the app (and ``bench/naive``) into a temporary directory and runs everything there, so the
project's own ``.web`` is never touched. Processes and cores (2-core machine assumed):

* core 0: the server under test only: ``reflex run --env prod --backend-only`` (the Reflex designs) or
  ``uvicorn bench.sse_passthrough:app`` (design c), started under ``taskset -c 0``;
* core 1: the fake upstream (``bench/upstream.py``) and the load generator (``bench/loadgen.py``);
  both report their CPU so a saturated core 1 is visible in the results.

For each design it measures memory per idle hydrated session (M sessions, RSS delta / M), then
steps the number of concurrent generations N; a step *passes* when every tab got the whole recipe
(nothing lost or reordered) and p99 added latency <= 150 ms. Capacity = largest N whose step and all
smaller steps passed; stepping stops at the first failing step. Writes ``bench/results.json``,
``bench/results.md`` and ``bench/latency_vs_concurrency.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent  # the directory holding bench/ (python -m bench.* runs from here)
PY = sys.executable

QUICK_STEPS = [10, 25, 50, 75, 100, 150, 200, 300]
FULL_STEPS = [10, 25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 600]
P99_TARGET_MS = 150.0

TARGETS = {
    "capacity": "≥ 300 on one core; ≥ 3× (c), ≥ 6× (b)",
    "bytes": "≤ 3× recipe text",
    "cpu": "≤ 0.05 s per recipe",
    "ttft": "added TTFT p50 ≤ 20 ms",
    "mem": "≤ 100 KB per idle session",
    "redis": "2 workers ≥ 1.7× one",
}

DESIGNS = {
    "app": "(a) Recipe Studio as is",
    "app-httpx": "(a1) Recipe Studio with UPSTREAM_HTTP=httpx (the reader before the aiohttp switch)",
    "app-memory": "(a2) Recipe Studio with REFLEX_STATE_MANAGER_MODE=memory (tab states not kept on disk)",
    "app-granian": "(a3) Recipe Studio on Granian, Reflex's default server (no permessage-deflate)",
    "app-debounce2": "(L1) Recipe Studio with REFLEX_STATE_MANAGER_DISK_DEBOUNCE=2s (Reflex's default; the app sets 10 s)",
    "app-debounce10": "(L1) Recipe Studio with REFLEX_STATE_MANAGER_DISK_DEBOUNCE=10s (the app's setting since this round)",
    "app-flush100": "(L2) Recipe Studio with STREAM_FLUSH_MS=100 (a card update per 100 ms, not 65)",
    "app-before": "(a0) Recipe Studio as of --before DIR (another checkout: a code lever side by side)",
    "app-lockeach": "(L3) Recipe Studio with STREAM_SYNC_MS=0 (every card update takes the tab's state lock, as before round 7)",
    "floor": "(f) floor: the smallest Reflex app doing one update per flush (same upstream, same bulk reader)",
    "floor-timer": "(f0) floor without upstream: the same updates from a timer",
    "floor-appstates": "(f1) floor with every state of the app registered in its state tree",
    "floor-direct": "(f2) floor with the app's syncs: between two (one a second) the update is sent without the lock",
    "naive": "(b) naive Reflex: flush every chunk",
    "sse": "(c) Starlette SSE passthrough",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not up after {timeout}s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


class Tree:
    """CPU seconds and RSS of a process and its children (the server under test)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_rss = 0
        self._sampling = False

    def procs(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

    def cpu(self) -> float:
        total = 0.0
        for p in self.procs():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def rss(self) -> int:
        """RSS of the biggest process of the tree (the worker; the CLI parent is small and idle)."""
        best = 0
        for p in self.procs():
            try:
                best = max(best, p.memory_info().rss)
            except psutil.Error:
                pass
        return best

    def rss_by_pid(self) -> dict[int, int]:
        out = {}
        for p in self.procs():
            try:
                out[p.pid] = p.memory_info().rss
            except psutil.Error:
                pass
        return out

    def sample(self) -> None:
        self._sampling = True

        def loop() -> None:
            while self._sampling:
                self.peak_rss = max(self.peak_rss, self.rss())
                time.sleep(0.25)

        threading.Thread(target=loop, daemon=True).start()

    def stop_sampling(self) -> None:
        self._sampling = False


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
        ".web", ".venv", ".git", "node_modules", "*.db", "__pycache__", ".pytest_cache", "test-artifacts", ".states"))


#: The app's settings under load: no limits in the way, and generous timeouts, so an overloaded
#: server shows up as latency, not as timeouts.
APP_ENV = {
    "RATE_LIMIT_PER_BROWSER": "1000000/minute",
    "RATE_LIMIT_PER_IP": "1000000/minute",
    "MAX_CONCURRENT_STREAMS": "100000",
    "TAB_GRACE_S": "86400",
    "OPENAI_TIMEOUT_S": "900",
    "STALL_TIMEOUT_S": "300",
    "LOG_JSON": "1",
}


#: Extra environment of each design (the variants of the app change one setting each).
DESIGN_ENV: dict[str, dict[str, str]] = {
    "app-httpx": {"UPSTREAM_HTTP": "httpx"},
    "app-memory": {"REFLEX_STATE_MANAGER_MODE": "memory"},
    "app-granian": {"REFLEX_USE_GRANIAN": "1"},
    "app-debounce2": {"REFLEX_STATE_MANAGER_DISK_DEBOUNCE": "2s"},
    "app-debounce10": {"REFLEX_STATE_MANAGER_DISK_DEBOUNCE": "10s"},
    "app-flush100": {"STREAM_FLUSH_MS": "100"},
    "app-lockeach": {"STREAM_SYNC_MS": "0"},
    "floor": {"FLOOR_SOURCE": "upstream"},
    "floor-timer": {"FLOOR_SOURCE": "timer"},
    "floor-appstates": {"FLOOR_SOURCE": "upstream", "FLOOR_APP_STATES": "1"},
    "floor-direct": {"FLOOR_SOURCE": "upstream", "FLOOR_SYNC_MS": "1000"},
}


def start_backend(design: str, work: Path, app_dir: Path, port: int, upstream_url: str, log: Path,
                  extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OPENAI_BASE_URL": f"{upstream_url}/v1", "OPENAI_API_KEY": "bench"}
    if design == "sse":
        cmd = ["taskset", "-c", "0", PY, "-m", "uvicorn", "bench.sse_passthrough:app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
        cwd = ROOT
    else:
        env.update(APP_ENV, REFLEX_DB_URL=f"sqlite:///{work / (design + '.db')}")
        env.update(DESIGN_ENV.get(design, {}))
        if design.startswith("floor"):
            # the floor imports the app's reader and server worker from the copy of the app
            env.update(PYTHONPATH=str(app_dir), FLOOR_RECIPE=str(work / "recipe.json"))
        env.update(extra_env or {})
        cmd = ["taskset", "-c", "0", PY, "-m", "reflex", "run", "--env", "prod", "--backend-only",
               "--backend-port", str(port), "--backend-host", "127.0.0.1"]
        cwd = (app_dir.with_name("app-before") if design == "app-before" else app_dir) if design.startswith("app") else work / ("floor" if design.startswith("floor") else "naive")
    out = log.open("w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/ping", proc)
    return proc


def loadgen_cmd(mode: str, port: int, upstream_url: str, app_dir: Path, extra: list[str]) -> list[str]:
    return ["taskset", "-c", "1", PY, "-m", "bench.loadgen", "--mode", mode, "--url", f"http://127.0.0.1:{port}",
            "--upstream", upstream_url, "--app-dir", str(app_dir), *extra]


def idle_memory(design: str, tree: Tree, port: int, upstream_url: str, app_dir: Path, sessions: int) -> dict[str, Any]:
    time.sleep(1.0)
    before, before_by_pid = tree.rss(), tree.rss_by_pid()
    cmd = loadgen_cmd("idle", port, upstream_url, app_dir,
                      ["--deflate", "--mode-idle", loadgen_mode(design), "--n", str(sessions), "--hold", "6", "--connect-parallel", "50"])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    info = json.loads(line) if line.strip().startswith("{") else {"ready": 0}
    time.sleep(3.0)
    after, after_by_pid = tree.rss(), tree.rss_by_pid()
    # what the sessions added, summed over the server's processes (gunicorn's preloaded master can be
    # the biggest process while a forked worker holds the sessions)
    grown = sum(max(0, rss - before_by_pid.get(pid, 0)) for pid, rss in after_by_pid.items())
    proc.wait()
    ready = info.get("ready") or 0
    return {"sessions": ready, "rss_before_mb": round(before / 2**20, 1), "rss_after_mb": round(after / 2**20, 1),
            "kb_per_session": round(grown / 1024 / ready, 1) if ready else None,
            "hydrate_bytes": info.get("hydrate_bytes_avg")}


def start_profiler(tree: Tree, path: Path) -> subprocess.Popen | None:
    """py-spy (collapsed stacks, idle frames dropped) on the server's process tree."""
    spy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    procs = tree.procs()
    if not Path(spy).exists() or not procs:
        print("   (py-spy not found: no profile)", flush=True)
        return None
    return subprocess.Popen(["taskset", "-c", "1", spy, "record", "--pid", str(tree.root.pid), "--subprocesses",
                             "--format", "raw",
                             "--rate", "100", "--output", str(path)],
                            stdout=subprocess.DEVNULL, stderr=path.with_suffix(".log").open("w"))


def loadgen_mode(design: str) -> str:
    """The load generator's protocol for a design (variants of the app speak the app's)."""
    return "app" if design.startswith("app") else "floor" if design.startswith("floor") else design


def loadgen_extra(design: str, settings: dict[str, Any]) -> list[str]:
    """Load generator options of a design: the timer floor's schedule (no upstream saw its tabs)."""
    if design == "floor-timer":
        return ["--floor-timer", "--tps", str(settings["tps"]), "--ttft", str(settings["ttft_s"])]
    return []


def run_step(design: str, tree: Tree, upstream_pid: int, n: int, port: int, upstream_url: str, app_dir: Path,
             work: Path, profile_dir: Path | None = None, extra: list[str] | None = None) -> dict[str, Any]:
    out = work / f"{design}-{n}.json"
    spy: subprocess.Popen | None = None  # the streaming phase only (GO to END), as µs/update is
    up = psutil.Process(upstream_pid)
    up0 = sum(up.cpu_times()[:2])
    cpu0 = tree.cpu()
    t0 = time.monotonic()
    timeout = str(max(120, 60 + n))
    deflate = ["--deflate"] if design != "sse" else []  # offered as a browser does
    load = subprocess.Popen(loadgen_cmd(loadgen_mode(design), port, upstream_url, app_dir,
                                        [*deflate, "--n", str(n), "--out", str(out), "--timeout", timeout, *(extra or [])]),
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    for line in load.stdout or ():  # GO: all tabs connected, generations start; END: all ended
        if line.strip() in ("GO", "END"):
            marks[line.strip()] = tree.cpu()
            if profile_dir and line.strip() == "GO":
                spy = start_profiler(tree, profile_dir / f"{design}-{n}.txt")
            elif spy is not None and line.strip() == "END":
                spy.send_signal(signal.SIGINT)
    if load.wait() != 0:
        raise subprocess.CalledProcessError(load.returncode, "bench.loadgen")
    wall = time.monotonic() - t0
    cpu = tree.cpu() - cpu0
    if spy is not None:
        if spy.poll() is None:
            spy.send_signal(signal.SIGINT)
        spy.wait(30)
    result = json.loads(out.read_text())
    result["backend_cpu_s"] = round(cpu, 2)
    result["backend_cpu_per_recipe_s"] = round(cpu / n, 4)
    if "GO" in marks and "END" in marks:
        # the streaming phase alone: connecting and hydrating the tabs left out
        result["stream_cpu_per_recipe_s"] = round((marks["END"] - marks["GO"]) / n, 4)
    result["step_wall_s"] = round(wall, 1)
    result["upstream_cpu_s"] = round(sum(up.cpu_times()[:2]) - up0, 2)
    result["passed"] = bool(result["completed_ok"] == n and result["tokens_lost"] == 0
                            and result["reordered_frames"] == 0 and result["unmatched_frames"] == 0
                            and result["lat_p99_ms"] is not None and result["lat_p99_ms"] <= P99_TARGET_MS)
    return result


def fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def report(results: dict[str, Any]) -> str:
    lines = ["| design | N | done/N | p50 ms | p99 ms | max ms | lost | TTFT+ p50 ms | bytes/recipe | × text | frames/recipe "
             "| backend CPU s/recipe | of it streaming | µs/update | loadgen CPU % | upstream CPU s | pass |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for design, d in results["designs"].items():
        for s in d["steps"]:
            lines.append(
                f"| {design} | {s['n']} | {s['completed_ok']}/{s['n']} | {fmt(s['lat_p50_ms'])} | {fmt(s['lat_p99_ms'])} "
                f"| {fmt(s['lat_max_ms'])} | {s['tokens_lost']} | {fmt(s['ttft_added_p50_ms'])} "
                f"| {fmt(s['wire_bytes_per_recipe'], 0)} | {fmt(s['wire_ratio'], 2)} | {fmt(s['frames_per_recipe'], 0)} "
                f"| {fmt(s['backend_cpu_per_recipe_s'], 4)} | {fmt(s.get('stream_cpu_per_recipe_s'), 4)} "
                f"| {fmt(per_update_us(s), 0)} | {fmt(s['loadgen_cpu_pct'])} | {fmt(s['upstream_cpu_s'], 2)} "
                f"| {'yes' if s['passed'] else 'NO'} |")
    lines.append("")
    caps = {k: d["capacity"] for k, d in results["designs"].items()}
    shown = [k for k in DESIGNS if k in results["designs"] or k in ("app", "naive", "sse")]
    lines.append("| figure | target | " + " | ".join(DESIGNS[k].split(" ")[0] + " " + k for k in shown) + " |")
    lines.append("|---|---|" + "---|" * len(shown))

    def cell(design: str, fn) -> str:
        d = results["designs"].get(design)
        if not d:
            return "not run"
        try:
            return fn(d)
        except (KeyError, TypeError, ZeroDivisionError, IndexError):
            return "–"

    def tested_max(d: dict[str, Any]) -> str:
        top = max(s["n"] for s in d["steps"])
        return f"{d['capacity']}" + (" (highest step tested)" if d["capacity"] == top else "")

    def at_ref(d: dict[str, Any], key: str, nd: int) -> str:
        ref = d["reference_step"]
        s = next(s for s in d["steps"] if s["n"] == ref)
        return f"{fmt(s[key], nd)} (N={ref})"

    ratio = ""
    if caps.get("app") is not None:
        parts = []
        for other in ("sse", "naive"):
            if caps.get(other):
                parts.append(f"{caps['app'] / caps[other]:.1f}× ({other})")
            elif other in caps:
                parts.append(f"∞ ({other} passed no step)")
        ratio = "; ".join(parts)
    lines.append(f"| capacity (p99 ≤ {P99_TARGET_MS:.0f} ms, 0 lost) | {TARGETS['capacity']} | "
                 + " | ".join(cell(k, tested_max) for k in shown) + " |")
    lines.append(f"| capacity ratio (a)/x | ≥ 3× (c), ≥ 6× (b) | {ratio or '–'} |" + " |" * (len(shown) - 1))
    lines.append(f"| bytes on the wire / recipe text | {TARGETS['bytes']} | "
                 + " | ".join(cell(k, lambda d: at_ref(d, 'wire_ratio', 2)) for k in shown) + " |")
    lines.append(f"| backend CPU per recipe (s) | {TARGETS['cpu']} | "
                 + " | ".join(cell(k, lambda d: at_ref(d, 'backend_cpu_per_recipe_s', 4)) for k in shown) + " |")
    lines.append(f"| added TTFT p50 (ms) | {TARGETS['ttft']} | "
                 + " | ".join(cell(k, lambda d: at_ref(d, 'ttft_added_p50_ms', 1)) for k in shown) + " |")
    lines.append(f"| memory per idle session (KB) | {TARGETS['mem']} | "
                 + " | ".join(cell(k, lambda d: fmt((d.get('idle') or {}).get('kb_per_session'))) for k in shown) + " |")
    lines.append("| backend peak RSS (MB) | – | "
                 + " | ".join(cell(k, lambda d: fmt(d.get('peak_rss_mb'))) for k in shown) + " |")
    lines.append("| backend CPU per update (µs) | (a) ≤ 1.25× (f) | "
                 + " | ".join(cell(k, lambda d: at_ref_per_update(d)) for k in shown) + " |")
    lines.append(f"| 1 → 2 workers on Redis | {TARGETS['redis']} | {redis_scaling()} (bench.scale) |"
                 + " |" * (len(shown) - 1))
    lines += ["", *versus_floor(results)]
    return "\n".join(lines)


def per_update_us(step: dict[str, Any]) -> float | None:
    """Backend CPU of the streaming phase per websocket frame sent, in µs (a frame is one update)."""
    if not step.get("frames_per_recipe"):
        return None
    cpu = step.get("stream_cpu_per_recipe_s", step["backend_cpu_per_recipe_s"])
    return cpu / step["frames_per_recipe"] * 1e6


def at_ref_per_update(d: dict[str, Any]) -> str:
    ref = d["reference_step"]
    s = next(s for s in d["steps"] if s["n"] == ref)
    return f"{fmt(per_update_us(s), 0)} (N={ref})"


def redis_scaling() -> str:
    """The last ``bench.scale`` result (scale_results.json), if there is one."""
    try:
        data = json.loads((BENCH / "scale_results.json").read_text())
        runs = data.get("designs") or {"app": data}

        def one(r: dict[str, Any]) -> str:
            x = r["scaling_interpolated"]
            return (f"{x:.2f}×" if x else "–") + f" (interpolated), {r['scaling']:.2f}× (steps)"

        shown = [f"{one(runs['app'])}"] + [f"{name}: {one(r)}" for name, r in runs.items() if name != "app"]
        return "; ".join(shown) + f", {data['started'][:10]}"
    except (OSError, KeyError, TypeError, ValueError):
        return "not measured"


def versus_floor(results: dict[str, Any]) -> list[str]:
    """Each design of the app against the floor (f): capacity, and CPU and bytes at a step both passed."""
    designs = results["designs"]
    floor = designs.get("floor")
    if not floor:
        return []
    lines = ["| design vs floor (f) | capacity | (f) ÷ it | at N | CPU s/recipe | ÷ (f) | CPU µs/update | ÷ (f) "
             "| updates/recipe | bytes/recipe | ÷ (f) | within 1.25× |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, d in designs.items():
        if not (name.startswith("app") or name.startswith("floor")):
            continue
        # the largest step both passed (else both ran): CPU per update falls once a core saturates
        both = sorted({s["n"] for s in d["steps"] if s["passed"]} & {s["n"] for s in floor["steps"] if s["passed"]}) \
            or sorted({s["n"] for s in d["steps"]} & {s["n"] for s in floor["steps"]})
        cap_ratio = (floor["capacity"] / d["capacity"]) if d["capacity"] else None
        row = [name, str(d["capacity"]), fmt(cap_ratio, 2) if cap_ratio else "–"]
        if both:
            n = both[-1]
            mine, theirs = (next(s for s in x["steps"] if s["n"] == n) for x in (d, floor))
            cpu_r = mine["backend_cpu_per_recipe_s"] / theirs["backend_cpu_per_recipe_s"]
            upd_r = (per_update_us(mine) or 0) / (per_update_us(theirs) or 1)
            bytes_r = (mine["wire_bytes_per_recipe"] or 0) / (theirs["wire_bytes_per_recipe"] or 1)
            ok = cap_ratio is not None and cap_ratio <= 1.25 and upd_r <= 1.25
            row += [str(n), fmt(mine["backend_cpu_per_recipe_s"], 4), fmt(cpu_r, 2), fmt(per_update_us(mine), 0), fmt(upd_r, 2),
                    fmt(mine["frames_per_recipe"], 0), fmt(mine["wire_bytes_per_recipe"], 0), fmt(bytes_r, 2),
                    "yes" if ok else "no"]
        else:
            row += ["–"] * 9
        lines.append("| " + " | ".join(row) + " |")
    return lines


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5))
    colors = plt.get_cmap("tab10").colors
    for i, (design, d) in enumerate(results["designs"].items()):
        steps = [s for s in d["steps"] if s["lat_p99_ms"] is not None]
        ns = [s["n"] for s in steps]
        color = colors[i % len(colors)]
        ax.plot(ns, [s["lat_p99_ms"] for s in steps], marker="o", color=color, label=f"{design} p99")
        ax.plot(ns, [s["lat_p50_ms"] for s in steps], marker=".", linestyle="--", alpha=0.6, color=color,
                label=f"{design} p50")
    ax.axhline(P99_TARGET_MS, color="red", linewidth=0.8, linestyle=":", label="p99 target 150 ms")
    ax.set_yscale("log")
    ax.set_xlabel("concurrent generations (60 tok/s, ~700-token recipe each)")
    ax.set_ylabel("added latency per token (ms, log)")
    ax.set_title("Added latency vs concurrency, server pinned to one core")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def print_step(n: int, step: dict[str, Any], design: str = "") -> None:
    print(f"   {design + ' ' if design else ''}N={n}: done {step['completed_ok']}/{n} p50 {step['lat_p50_ms']} p99 {step['lat_p99_ms']} "
          f"(after start {step.get('lat_p99_after_start_ms')}) max {step['lat_max_ms']} ms, lost {step['tokens_lost']}, "
          f"TTFT+ {step['ttft_added_p50_ms']} ms, {fmt(step['wire_ratio'], 2)}× text, {fmt(step['frames_per_recipe'], 0)} frames, "
          f"cpu {step['backend_cpu_per_recipe_s']} s/recipe ({step.get('stream_cpu_per_recipe_s')} streaming, "
          f"{fmt(per_update_us(step), 0)} µs/update), loadgen {step['loadgen_cpu_pct']}% "
          f"-> {'pass' if step['passed'] else 'FAIL'}", flush=True)


def interleaved(designs: list[str], steps: list[int], rounds: int, work: Path, app_dir: Path, upstream: subprocess.Popen,
                upstream_url: str, idle_n: int, extra_env: dict[str, str], profile_dir: Path | None,
                settings: dict[str, Any]) -> dict[str, Any]:
    """Every design's server up at once (idle but one), each step run for every design in turn.

    On a shared VM whose speed drifts by a third within minutes, designs run one after the other
    compare different machines; here each step of each design is next to the same step of the
    others, in an order that alternates from round to round. With ``rounds`` > 1 every step is run
    that many times per design; a design's figures for a step are the median round by CPU per
    update, and it passes a step when most of its rounds pass.
    """
    import statistics

    servers: dict[str, tuple[subprocess.Popen, Tree, int]] = {}
    out: dict[str, Any] = {d: {"steps": [], "capacity": 0, "rounds": []} for d in designs}
    try:
        for design in designs:
            port = free_port()
            backend = start_backend(design, work, app_dir, port, upstream_url, work / f"{design}.log", extra_env)
            tree = Tree(backend.pid)
            tree.sample()
            servers[design] = (backend, tree, port)
            if design != "sse":
                out[design]["idle"] = idle_memory(design, tree, port, upstream_url, app_dir, idle_n)
                print(f"== {design} idle: {out[design]['idle']}", flush=True)
        running = list(designs)
        for i, n in enumerate(steps):
            runs: dict[str, list[dict[str, Any]]] = {d: [] for d in running}
            for r in range(rounds):
                order = running if (i + r) % 2 == 0 else running[::-1]
                for design in order:
                    _, tree, port = servers[design]
                    step = run_step(design, tree, upstream.pid, n, port, upstream_url, app_dir, work, profile_dir,
                                    loadgen_extra(design, settings))
                    runs[design].append(step)
                    print_step(n, step, design)
            for design in list(running):
                ranked = sorted(runs[design], key=lambda s: per_update_us(s) or 0)
                step = dict(ranked[len(ranked) // 2])
                step["passed"] = sum(s["passed"] for s in runs[design]) * 2 > len(runs[design])
                step["rounds_passed"] = f"{sum(s['passed'] for s in runs[design])}/{len(runs[design])}"
                step["per_update_us_rounds"] = [round(per_update_us(s) or 0) for s in runs[design]]
                out[design]["steps"].append(step)
                if step["passed"]:
                    out[design]["capacity"] = n
                else:
                    running.remove(design)
            if not running:
                break
    finally:
        for design, (backend, tree, _) in servers.items():
            tree.stop_sampling()
            out[design]["peak_rss_mb"] = round(tree.peak_rss / 2**20, 1)
            stop(backend)
    for d in out.values():
        passed = [s["n"] for s in d["steps"] if s["passed"]]
        d["reference_step"] = max(passed) if passed else (d["steps"][0]["n"] if d["steps"] else steps[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app-dir", default=".", help="the Recipe Studio project (copied, never built in place)")
    parser.add_argument("--quick", action="store_true", help=f"steps {QUICK_STEPS}, fewer idle sessions")
    parser.add_argument("--steps", help="comma-separated N values (overrides --quick / full)")
    parser.add_argument("--designs", default="app,app-lockeach,app-memory,floor,floor-direct,floor-timer,naive,sse")
    parser.add_argument("--idle-sessions", type=int, default=None)
    parser.add_argument("--tps", type=float, default=60.0)
    parser.add_argument("--ttft", type=float, default=0.25)
    parser.add_argument("--tokens", type=int, default=700)
    parser.add_argument("--out-dir", default=str(BENCH), help="where results.json/.md and the PNG go")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the Reflex servers (try a setting without editing the app)")
    parser.add_argument("--before", metavar="DIR",
                        help="another checkout of the app (e.g. `git worktree add` of the last round), run as design app-before")
    parser.add_argument("--interleave", action="store_true",
                        help="all designs' servers up at once; each step run for every design in turn (drift-fair)")
    parser.add_argument("--rounds", type=int, default=1, help="with --interleave: runs per step and design (median)")
    parser.add_argument("--profile", metavar="DIR",
                        help="record py-spy collapsed stacks of the server per step into DIR (bench/profile.py reads them)")
    args = parser.parse_args()

    steps = [int(x) for x in args.steps.split(",")] if args.steps else (QUICK_STEPS if args.quick else FULL_STEPS)
    idle_n = args.idle_sessions or (100 if args.quick else 300)
    out_dir = Path(args.out_dir)
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="recipe-bench-"))
    app_dir = work / "app"
    copy_tree(Path(args.app_dir).resolve(), app_dir)
    if args.before:
        copy_tree(Path(args.before).resolve(), work / "app-before")
    elif "app-before" in args.designs.split(","):
        parser.error("design app-before needs --before DIR")
    copy_tree(BENCH / "naive", work / "naive")
    copy_tree(BENCH / "floor", work / "floor")
    started = time.monotonic()
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "cpu_model": _cpu_model(), "python": sys.version.split()[0],
                    "pinning": "server under test on core 0; upstream + load generator on core 1"},
        "settings": {"tps": args.tps, "ttft_s": args.ttft, "tokens": args.tokens, "steps": steps,
                     "idle_sessions": idle_n, "p99_target_ms": P99_TARGET_MS},
        "designs": {},
    }
    up_port = free_port()
    upstream_url = f"http://127.0.0.1:{up_port}"
    upstream = subprocess.Popen(["taskset", "-c", "1", PY, "-m", "bench.upstream", "--port", str(up_port), "--tps",
                                 str(args.tps), "--ttft", str(args.ttft), "--tokens", str(args.tokens)],
                                cwd=ROOT, stdout=(work / "upstream.log").open("w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_http(f"{upstream_url}/bench/stats", upstream, 30)
        with urllib.request.urlopen(f"{upstream_url}/bench/recipe") as response:  # noqa: S310 - loopback
            (work / "recipe.json").write_bytes(response.read())  # the timer floor's tokens
        designs = args.designs.split(",")
        extra_env = dict(kv.split("=", 1) for kv in args.env)
        profile_dir = Path(args.profile) if args.profile else None
        if args.interleave:
            results["designs"] = interleaved(designs, steps, args.rounds, work, app_dir, upstream, upstream_url, idle_n,
                                             extra_env, profile_dir, results["settings"])
        for design in designs if not args.interleave else ():
            print(f"== {DESIGNS[design]}", flush=True)
            port = free_port()
            backend = start_backend(design, work, app_dir, port, upstream_url, work / f"{design}.log", extra_env)
            d: dict[str, Any] = {"steps": [], "capacity": 0}
            try:
                tree = Tree(backend.pid)
                tree.sample()
                if design != "sse":
                    d["idle"] = idle_memory(design, tree, port, upstream_url, app_dir, idle_n)
                    print(f"   idle: {d['idle']}", flush=True)
                all_passed = True
                for n in steps:
                    step = run_step(design, tree, upstream.pid, n, port, upstream_url, app_dir, work, profile_dir,
                                    loadgen_extra(design, results["settings"]))
                    d["steps"].append(step)
                    print_step(n, step)
                    if step["passed"] and all_passed:
                        d["capacity"] = n
                    else:
                        all_passed = False
                        break
                tree.stop_sampling()
                d["peak_rss_mb"] = round(tree.peak_rss / 2**20, 1)
                passed = [s["n"] for s in d["steps"] if s["passed"]]
                d["reference_step"] = max(passed) if passed else d["steps"][0]["n"]
            finally:
                stop(backend)
            results["designs"][design] = d
            time.sleep(1)
    finally:
        stop(upstream)
        results["wall_s"] = round(time.monotonic() - started, 1)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "results.json").write_text(json.dumps(results, indent=1))
        if results["designs"]:
            table = report(results)
            (out_dir / "results.md").write_text(table + "\n")
            plot(results, out_dir / "latency_vs_concurrency.png")
            print(table)
        print(f"wall time {results['wall_s']} s; work dir {work}" + ("" if args.keep else " (removed)"))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
