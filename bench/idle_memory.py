"""What an idle tab holds in the server, by the code that allocated it: the app next to the floor.

    .venv/bin/python -m bench.idle_memory [--designs app,floor] [--tabs 200] [--top 25]

Starts each design's server as ``bench.run`` does, with Python's ``tracemalloc`` on in its worker
(a ``sitecustomize`` in a temporary directory on ``PYTHONPATH``: a real-time signal makes the worker
write a snapshot). Snapshots are taken with no tab, then with ``--tabs`` idle hydrated tabs
connected (the load generator's ``idle`` mode, permessage-deflate offered). Prints the Python
allocations per tab, grouped by the frame that made them, for every design side by side, the
largest differences from the first design first. RSS per tab (what the target counts) is
``bench.run``'s figure; this says where it goes.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import signal
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import psutil

from bench.run import BENCH, ROOT, copy_tree, free_port, loadgen_cmd, loadgen_mode, start_backend, stop

SNAPSHOT_SIGNAL = signal.SIGRTMIN + 3

_HOOK = """
import gc, os, signal, tracemalloc
tracemalloc.start(8)
def _snapshot(signum, frame):
    gc.collect()
    _snapshot.count = getattr(_snapshot, "count", 0) + 1
    path = os.path.join(OUT, f"{os.getpid()}-{_snapshot.count}.snap")
    tracemalloc.take_snapshot().dump(path + ".part")
    os.replace(path + ".part", path)  # whole when it appears
signal.signal(SIGNAL, _snapshot)
"""

#: Where a frame's file is shown from (the rest of its path is the environment's, not the code's).
_ROOTS = ("recipe_app/", "floor_app/", "reflex/", "reflex_base/", "socketio/", "engineio/", "uvicorn/",
          "websockets/", "starlette/", "asyncio/", "python3.")


def _where(frame: tracemalloc.Frame) -> str:
    for root in _ROOTS:
        if root in frame.filename:
            return root + frame.filename.split(root, 1)[1] + f":{frame.lineno}"
    return frame.filename.rsplit("/", 1)[-1] + f":{frame.lineno}"


def _snapshots(out: Path, pids: list[int], count: int) -> dict[int, Path]:
    """Ask every server process for snapshot number ``count``; the files that came, by pid."""
    for pid in pids:
        try:
            psutil.Process(pid).send_signal(SNAPSHOT_SIGNAL)
        except psutil.Error:
            pass
    deadline, found = time.monotonic() + 60, {}
    while time.monotonic() < deadline:
        found = {pid: out / f"{pid}-{count}.snap" for pid in pids if (out / f"{pid}-{count}.snap").exists()}
        if len(found) == len(pids):
            break
        time.sleep(0.5)
    return found


def measure(design: str, work: Path, app_dir: Path, tabs: int) -> dict[str, float]:
    """Bytes per tab by allocating frame, in the server process whose heap grew most."""
    hook, out = work / f"hook-{design}", work / f"snaps-{design}"
    hook.mkdir()
    out.mkdir()
    (hook / "sitecustomize.py").write_text(f"OUT = {str(out)!r}\nSIGNAL = {int(SNAPSHOT_SIGNAL)}\n" + _HOOK)
    path = f"{hook}:{app_dir}" if design.startswith("floor") else str(hook)
    port = free_port()
    server = start_backend(design, work, app_dir, port, "http://127.0.0.1:9", work / f"{design}-memory.log",
                           {"PYTHONPATH": path})
    try:
        time.sleep(2.0)
        pids = [server.pid, *(p.pid for p in psutil.Process(server.pid).children(recursive=True))]
        before = _snapshots(out, pids, 1)
        load = subprocess.Popen(loadgen_cmd("idle", port, "http://127.0.0.1:9", app_dir,
                                            ["--deflate", "--mode-idle", loadgen_mode(design), "--n", str(tabs),
                                             "--hold", "60", "--connect-parallel", "50"]),
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        info = json.loads((load.stdout.readline() if load.stdout else "") or "{}")
        if info.get("ready") != tabs:
            raise RuntimeError(f"{design}: {info.get('ready')} of {tabs} tabs hydrated")
        time.sleep(3.0)
        after = _snapshots(out, pids, 2)
        load.terminate()
        load.wait(30)
    finally:
        stop(server)
    best: dict[str, float] = {}
    for pid in before.keys() & after.keys():
        diff = tracemalloc.Snapshot.load(str(after[pid])).compare_to(tracemalloc.Snapshot.load(str(before[pid])),
                                                                       "traceback")
        groups: dict[str, float] = collections.Counter()
        for stat in diff:
            groups[_where(stat.traceback[-1])] += stat.size_diff / tabs
        if sum(groups.values()) > sum(best.values()):
            best = dict(groups)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", default="app,floor")
    ap.add_argument("--tabs", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--app-dir", default=".")
    args = ap.parse_args()
    designs = args.designs.split(",")
    work = Path(tempfile.mkdtemp(prefix="recipe-memory-"))
    app_dir = work / "app"
    copy_tree(Path(args.app_dir).resolve(), app_dir)
    copy_tree(BENCH / "floor", work / "floor")
    try:
        figures = {design: measure(design, work, app_dir, args.tabs) for design in designs}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    first = designs[0]
    print("| allocated at | " + " | ".join(f"{d} B/tab" for d in designs) + f" | {first} − {designs[-1]} |")
    print("|---|" + "---|" * (len(designs) + 1))
    print("| **all** | " + " | ".join(f"{sum(figures[d].values()):,.0f}" for d in designs)
          + f" | {sum(figures[first].values()) - sum(figures[designs[-1]].values()):+,.0f} |")
    keys = set().union(*figures.values())
    ranked = sorted(keys, key=lambda k: -abs(figures[first].get(k, 0) - figures[designs[-1]].get(k, 0)))
    for key in ranked[: args.top]:
        cells = " | ".join(f"{figures[d].get(key, 0):,.0f}" for d in designs)
        print(f"| {key} | {cells} | {figures[first].get(key, 0) - figures[designs[-1]].get(key, 0):+,.0f} |")


if __name__ == "__main__":
    main()
