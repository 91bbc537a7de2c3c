"""Garbage-collector settings for a long-running streaming server.

Python's cyclic collector walks every tracked object of the generations it collects. After start-up
the process holds a large, permanent heap (Reflex, the compiled pages, SQLAlchemy, pydantic models);
later, every tab that visited leaves a state tree (cyclic: parent <-> substates) in memory until it
expires. Measured in the capacity benchmark (50 concurrent streams after 300 tabs had come and
gone, two runs each): p99 added latency 94 and 78 ms with the default settings, 68 and 67 ms with
these (bench/BENCHMARKS.md).

* ``gc.freeze()`` once the app is built: the start-up heap moves to a permanent generation that no
  collection walks again (with gunicorn's ``--preload`` this happens before the workers fork, so
  their pages also stay shared).
* thresholds (100 000, 50, 10): a young collection every 100 000 net allocations instead of 700. The
  oldest generation keeps its default ratio, so garbage cycles (expired tab states) are still
  collected, only less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (100_000, 50, 10)


def tune_gc() -> None:
    """Freeze everything allocated so far and make young collections rarer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
