"""Private reaches into Reflex: tab presence, the disk state scan, the disconnected-client warning, direct deltas."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import reflex.app
from reflex.app import EventNamespace
from reflex.istate.manager.disk import StateManagerDisk
from reflex.utils.token_manager import LocalTokenManager, TokenManager

from recipe_app.core import compat
from recipe_app.core.compat import CompatError
from recipe_app.core.settings import Settings
from recipe_app.web import compat as web_compat
from recipe_app.web import presence, statefiles
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(compat, "_degraded", {})
    yield
    monkeypatch.undo()
    compat.probe_all()


def one_warning(caplog: pytest.LogCaptureFixture, feature: str) -> bool:
    return len([r for r in caplog.records if r.levelno == logging.WARNING and feature in r.getMessage()]) == 1


def running_app(monkeypatch: pytest.MonkeyPatch, namespace: object) -> None:
    """What presence sees while the app serves: a registered app with this websocket namespace."""
    app = SimpleNamespace(event_namespace=namespace)
    monkeypatch.setattr(presence.RegistrationContext, "get", classmethod(lambda cls: SimpleNamespace(app=app)))


async def test_presence_asks_reflexs_token_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = LocalTokenManager()
    await manager.link_token_to_sid("tab-1", "sid-1")
    running_app(monkeypatch, SimpleNamespace(_token_manager=manager))
    assert await presence.tab_connected("tab-1") is True
    assert await presence.tab_connected("tab-2") is False


async def test_a_broken_token_manager_raises_instead_of_saying_the_tab_is_there(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(TokenManager, "is_token_connected")
    with caplog.at_level(logging.WARNING):
        assert "reflex_token_manager" in compat.probe_all()
        running_app(monkeypatch, SimpleNamespace(_token_manager=LocalTokenManager()))
        with pytest.raises(CompatError):
            await presence.tab_connected("tab-1")
        running_app(monkeypatch, SimpleNamespace())  # the attribute itself gone
        with pytest.raises(CompatError):
            await presence.tab_connected("tab-1")
    assert one_warning(caplog, "reflex_token_manager")


def test_without_reflexs_disk_scan_hook_the_state_files_keep_reflexs_own_scan(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.delattr(StateManagerDisk, "_purge_expired_states")
    with caplog.at_level(logging.WARNING):
        assert "reflex_disk_state_purge" in compat.probe_all()
        statefiles.throttle_purge()  # no error, nothing installed
    assert not hasattr(StateManagerDisk, "_purge_expired_states")
    assert one_warning(caplog, "reflex_disk_state_purge")


class _Update:
    delta = {"state": {"x": 1}}


async def test_a_closed_tab_logs_one_disconnected_line_however_many_updates_it_misses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """66 updates to a closed tab (a grace period's worth) and 3 to another: one line each."""
    web_compat.quiet_disconnect_warnings()
    web_compat.quiet_disconnect_warnings()  # installed once
    namespace = EventNamespace("/_event", app=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="reflex.app"):
        for _ in range(66):
            await namespace.emit_update(_Update(), "closed-tab-a")  # type: ignore[arg-type]
        for _ in range(3):
            await namespace.emit_update(_Update(), "closed-tab-b")  # type: ignore[arg-type]
        logging.getLogger("reflex.app").warning("something else")
    lines = [r.getMessage() for r in caplog.records if r.name == "reflex.app"]
    assert sorted(line for line in lines if "disconnected client" in line) == [
        "Attempting to send delta to disconnected client 'closed-tab-a'",
        "Attempting to send delta to disconnected client 'closed-tab-b'",
    ]
    assert "something else" in lines
    assert sum(isinstance(f, web_compat.OncePerTab) for f in logging.getLogger("reflex.app").filters) == 1


def test_a_moved_disconnect_warning_is_reported(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(reflex.app, "logger", logging.getLogger("reflex.renamed"))
    with caplog.at_level(logging.WARNING):
        assert "reflex_disconnect_log" in compat.probe_all()
    assert one_warning(caplog, "reflex_disconnect_log")


async def test_without_reflexs_delta_shape_every_streaming_update_takes_the_lock_and_the_recipe_arrives(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, settings: Settings, fake: FakeOpenAI
) -> None:
    import reflex_base.constants.state as reflex_state_constants

    from recipe_app.pages.studio.state import StudioState
    from tests.pages.harness import Browser, DeltaRecorder, make_processor

    monkeypatch.delattr(reflex_state_constants, "FIELD_MARKER")  # Reflex itself bound it at import
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=400))
    recorder = DeltaRecorder()
    syncs: list[dict] = []
    catch_up = StudioState._catch_up
    monkeypatch.setattr(StudioState, "_catch_up", lambda self, sent, changes: (syncs.append(changes), catch_up(self, sent, changes)))
    with caplog.at_level(logging.WARNING):
        assert "reflex_direct_delta" in compat.probe_all()
        assert web_compat.delta_sender(StudioState, {"title": "title"}) is None
        async with make_processor(recorder) as processor:
            browser = Browser(processor)
            await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
            await (await browser.send(StudioState.generate))
            state = await browser.state(StudioState)
    assert state.status == "done" and len(state.steps) == 5 and state.title == "Chickpea & Spinach Curry"
    shown = DeltaRecorder.values_of(recorder.updates, StudioState.get_full_name())
    assert [d["title"] for d in shown if "title" in d][-1] == state.title
    live_steps = [d["step_live"] for d in shown if "step_live" in d][1:]  # after the empty card of the start
    assert len(live_steps) >= 5 and live_steps == [c["step_live"] for c in syncs if "step_live" in c], "each through a sync"
    assert one_warning(caplog, "reflex_direct_delta")
