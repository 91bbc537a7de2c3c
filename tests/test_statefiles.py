"""The disk state manager still deletes expired tab states, but scans for them at most once a minute."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from reflex.istate.manager.disk import StateManagerDisk

from recipe_app.web import statefiles


def expired_file(directory: Path, name: str) -> Path:
    path = directory / f"{name}.pkl"
    path.write_bytes(b"state")
    old = time.time() - 7200  # older than the default token expiry of an hour
    os.utime(path, (old, old))
    return path


def test_expired_states_are_removed_at_most_once_per_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(statefiles.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(StateManagerDisk, "_purge_expired_states", StateManagerDisk._purge_expired_states)
    statefiles.throttle_purge(60)
    manager = StateManagerDisk.__new__(StateManagerDisk)  # without __post_init__'s first scan
    manager.__dict__["states_directory"] = tmp_path
    manager.token_expiration = 3600

    first = expired_file(tmp_path, "tab-a")
    manager._purge_expired_states()
    assert not first.exists()

    second = expired_file(tmp_path, "tab-b")
    clock[0] += 30
    manager._purge_expired_states()
    assert second.exists()  # scanned 30 s ago: not again yet

    clock[0] += 31
    manager._purge_expired_states()
    assert not second.exists()
    fresh = tmp_path / "tab-c.pkl"
    fresh.write_bytes(b"state")
    clock[0] += 61
    manager._purge_expired_states()
    assert fresh.exists()  # not expired: kept
