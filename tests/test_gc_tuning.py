"""The app freezes its start-up heap and makes young collections rarer once it is built."""

from __future__ import annotations

import gc

from recipe_app.core import gc_tuning


def test_tune_gc_freezes_the_heap_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        gc_tuning.tune_gc()
        assert gc.get_freeze_count() > 10_000  # the interpreter, pytest and the app's modules
        assert gc.get_threshold() == gc_tuning.THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
