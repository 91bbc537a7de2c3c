"""The API key stays on the backend: not in state, not in logs, not in the database."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.pages.studio.state import StudioState
from recipe_app.core.settings import Settings
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE_TEXT


async def test_the_key_is_sent_upstream_but_never_in_state_logs_or_database(
    settings: Settings, fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the SDK and httpx log requests at DEBUG
    fake.script(Reply(status=401), Reply(content=RECIPE_TEXT))
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor)
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        await (await browser.send(StudioState.generate))  # rejected credentials: an error message
        state = await browser.state(StudioState)
        assert state.error == "The studio can't sign in to its AI service right now. Please let the site owner know."
        await (await browser.send(StudioState.generate))
        state = await browser.state(StudioState)
        assert state.status == "done"
        everything_in_state = repr(state.dict(include_computed=True)) + repr(vars(state))
    assert fake.requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"  # it was really used
    assert TEST_KEY not in everything_in_state
    assert TEST_KEY not in repr(recorder.updates)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "generation" in logged  # the per-generation line was written...
    assert TEST_KEY not in logged  # ...and nothing logged the key
    with new_session() as session:
        rows = session.exec(select(Generation)).all()
    assert len(rows) == 2 and TEST_KEY not in repr([r.model_dump() for r in rows])
    assert TEST_KEY not in repr(settings) and TEST_KEY not in str(settings.model_dump())
