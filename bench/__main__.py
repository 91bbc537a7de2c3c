"""Every figure of BENCHMARKS.md in one command.

    .venv/bin/python -m bench [--app-dir .]

Runs, one after the other (about 40 minutes on the reference VM):
1. ``bench.run --interleave``  the designs side by side, each step of every design in turn
   (results.json/.md, latency_vs_concurrency.png);
2. ``bench.reader``  the upstream-reading floor with uvloop (reader_results.json);
3. ``bench.scale``   1 vs 2 workers on Redis (scale_results.json; needs root for the cgroups on a
   2-core machine, and redis-server);
4. ``bench.split``   one update through each stage, the floor's state beside the studio's (split_results.json);
5. ``bench.limiter`` admitting 250 browsers through the in-process rate limits, limits' storage
   beside the app's (printed);
6. ``bench.own_path`` the app's own path per batch, no network and no Reflex (printed).
Each writes into ``bench/``. Stops at the first one that fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench.run import BENCH, ROOT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app-dir", default=".")
    args = ap.parse_args()
    steps = [
        ["bench.run", "--app-dir", args.app_dir, "--interleave"],
        ["bench.reader", "--uvloop", "--out", str(BENCH / "reader_results.json")],
        ["bench.scale", "--app-dir", args.app_dir],
        ["bench.split"],
        ["bench.limiter"],
        ["bench.own_path"],
    ]
    for step in steps:
        print(f"== python -m {' '.join(step)}", flush=True)
        subprocess.run([sys.executable, "-m", *step], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
