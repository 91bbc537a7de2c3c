"""Provider error text never reaches the logs: an allow-list (status, code, type, request id) does."""

from __future__ import annotations

import logging

import pytest

from recipe_app.core.settings import Settings
from recipe_app.db.session import new_session
from recipe_app.db.models import Generation
from recipe_app.llm.errors import safe_detail, safe_fields
from recipe_app.pages.studio import StudioState
from sqlmodel import select
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor

COOK_TEXT = "grandmas-secret-walnut-sauce"


def _echo(message: str, code: str = "invalid_api_key", type_: str = "invalid_request_error") -> dict:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


ECHOING_REPLIES = [
    Reply(status=401, error_body=_echo(f"Incorrect API key provided: {TEST_KEY}.")),
    Reply(status=400, error_body=_echo(f"Could not parse messages: '{COOK_TEXT}' with key {TEST_KEY}", code="bad")),
    Reply(status=404, error_body=_echo(f"model for {TEST_KEY} not found", code=f"no_{TEST_KEY}")),
    Reply(status=500, error_body=_echo(f"upstream said {COOK_TEXT} {TEST_KEY}", code=None, type_="server_error")),
    Reply(status=422, error_body={"detail": f"{TEST_KEY} {COOK_TEXT}"}),
]


@pytest.mark.parametrize("reply", ECHOING_REPLIES, ids=["401", "400", "404", "500", "422-odd-body"])
async def test_an_error_body_echoing_the_key_and_the_cooks_input_stays_out_of_logs_and_database(
    settings: Settings, fake: FakeOpenAI, reply: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(reply)
    with caplog.at_level(logging.INFO):  # the SDK's own DEBUG lines show requests by design
        async with make_processor(DeltaRecorder()) as processor:
            tab = Browser(processor)
            await (await tab.send(StudioState.add_item, field="ingredients", form={"item": COOK_TEXT}))
            await (await tab.send(StudioState.generate))
    assert fake.request_count == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "generation" in logged and f"status={reply.status}" in logged
    assert TEST_KEY not in logged and COOK_TEXT not in logged
    with new_session() as session:
        rows = session.exec(select(Generation)).all()
    assert rows and all(TEST_KEY not in (row.error_type + str(row.model_dump())) for row in rows)


def test_safe_fields_keep_only_short_identifiers() -> None:
    assert safe_fields({"status": 429, "code": "rate_limit_exceeded", "type": "requests", "request_id": "req_1"}) == (
        "status=429 code=rate_limit_exceeded type=requests request_id=req_1"
    )
    assert safe_fields({"code": f"key {TEST_KEY} rejected", "message": TEST_KEY}) == "code=?"
    assert safe_fields({"code": TEST_KEY, "type": "A" * 100, "request_id": TEST_KEY, "status": "4xx"}) == (
        "status=? code=? type=? request_id=?"
    )
    assert safe_detail(ValueError(TEST_KEY)) == "ValueError"
