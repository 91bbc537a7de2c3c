"""What the cook sees on the card for each failure, and what the generation table records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlmodel import select

from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.llm.errors import ContextTooSmall
from recipe_app.pages.studio.state import StudioState
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE_TEXT

NAME = StudioState.get_full_name()


@pytest.fixture
async def tab(settings: Settings, configure: Callable[..., Settings]) -> AsyncIterator[tuple[Browser, DeltaRecorder]]:
    configure(OPENAI_MAX_RETRIES="2", RETRY_BACKOFF_S="0.02", STALL_TIMEOUT_S="0.5")
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor)
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas"}))
        yield browser, recorder


def rows() -> list[Generation]:
    with new_session() as session:
        return list(session.exec(select(Generation).order_by(Generation.id)))


@pytest.mark.parametrize(
    ("replies", "status", "message", "can_continue", "recorded", "error_type"),
    [
        ([Reply(status=401)], "error", "The studio can't sign in to its AI service right now. Please let the site owner know.", False, "failed", "CredentialsRejected"),
        ([Reply(status=429, error_code="insufficient_quota")], "error", "The studio's AI service is unavailable right now. Please try again later; the site owner has been notified.", False, "failed", "QuotaExceeded"),
        ([Reply(status=429, headers={"Retry-After": "0"})] * 3, "error", "The AI service is busy right now. Please try again in a moment.", False, "rate_limited", "RateLimited"),
        ([Reply(content=RECIPE_TEXT, stall_after=100)], "error", "The AI stopped responding.", True, "interrupted", "Interrupted"),
        # "length" after 200 of 1800 tokens: the server's context, not OPENAI_MAX_TOKENS (Continue would hit it again)
        ([Reply(content=RECIPE_TEXT[:800], finish_reason="length")], "error", ContextTooSmall.user_message, False, "truncated", "ContextTooSmall"),
        ([Reply(refusal="Sorry, I can't do that.")], "error", "The AI declined to write this recipe: Sorry, I can't do that.", False, "refused", "Refused"),
        ([Reply(content=RECIPE_TEXT, malformed_after=80)], "error", "The AI returned an unreadable recipe.", False, "failed", "UnreadableRecipe"),
    ],
)
async def test_each_failure_has_a_message_a_next_step_and_a_record(
    tab: tuple[Browser, DeltaRecorder],
    fake: FakeOpenAI,
    replies: list[Reply],
    status: str,
    message: str,
    can_continue: bool,
    recorded: str,
    error_type: str,
) -> None:
    browser, _ = tab
    fake.script(*replies)
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    assert (state.status, state.error, state.can_continue) == (status, message, can_continue)
    assert not state.is_streaming and state.notice == ""
    row = rows()[-1]
    assert (row.status, row.error_type) == (recorded, error_type)
    if can_continue:
        assert state.title == "Chickpea & Spinach Curry"  # nothing shown was lost
        assert row.recipe_json and RECIPE_TEXT.startswith(row.recipe_json)


async def test_retry_notices_reach_the_card_then_the_recipe(tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI) -> None:
    browser, recorder = tab
    fake.script(Reply(status=503), Reply(content=RECIPE_TEXT))
    start = len(recorder.updates)
    await (await browser.send(StudioState.generate))
    notices = [d["notice"] for d in DeltaRecorder.values_of(recorder.updates[start:], NAME) if "notice" in d]
    assert notices == ["Retrying (2/3)…", ""]
    state = await browser.state(StudioState)
    assert state.status == "done" and rows()[-1].attempts == 2


async def test_continue_finishes_an_interrupted_recipe_without_losing_what_was_shown(
    tab: tuple[Browser, DeltaRecorder], fake: FakeOpenAI
) -> None:
    browser, recorder = tab
    fake.script(Reply(content=RECIPE_TEXT, drop_after=260))  # part-way through the steps
    await (await browser.send(StudioState.generate))
    state = await browser.state(StudioState)
    shown_steps = list(state.steps)
    assert state.can_continue and state.title and 1 < len(shown_steps) < 5
    shown = fake.requests[0].chunks_sent
    rest = "".join(fake.requests[0].reply.pieces()[shown:])
    fake.script(Reply(content=rest))
    start = len(recorder.updates)
    await (await browser.send(StudioState.continue_recipe))
    state = await browser.state(StudioState)
    # Finished steps stay; the one cut mid-sentence is completed by the continuation.
    assert state.status == "done" and len(state.steps) == 5
    assert state.steps[: len(shown_steps) - 1] == shown_steps[:-1]
    assert state.steps[len(shown_steps) - 1].startswith(shown_steps[-1])
    titles = [d["title"] for d in DeltaRecorder.values_of(recorder.updates[start:], NAME) if "title" in d]
    assert titles == []  # the title on screen never blanked
    assert [r.status for r in rows()] == ["interrupted", "complete"]
