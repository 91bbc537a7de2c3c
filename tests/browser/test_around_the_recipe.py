"""Around the recipe in Chromium, against the fake provider: ask it (streamed, Stop, a fault, a
closed tab, the thread kept), apply the answer as a new version and see what changed, swap an
ingredient with its allergy check, the picture on every card, kept after Save and served by the app
to its owner and through a live share link only.

Its own production app (module scope) talking to the fake provider of this module.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
import time
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.studio import APP_ENV, TAB_GRACE_S, RunningApp, Studio, expect, serve
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE, RECIPE_TEXT

ANSWER = (
    "Yes. Soften the onion and garlic in a large skillet, add the chickpeas and coconut milk, cover and "
    "simmer gently for 15 minutes; no oven needed.\nChange: Cook it in a covered skillet on the hob"
)
SWAPS = {"substitutions": [
    {"item": "oat milk", "quantity": 400, "unit": "ml", "note": "lighter, still creamy"},
    {"item": "double cream", "quantity": 300, "unit": "ml", "note": "richer"},
]}


@pytest.fixture(scope="module")
def app(fake: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    tmp = tmp_path_factory.mktemp("browser-around-app")
    env = {
        **APP_ENV,
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "RATE_LIMIT_QUESTIONS_PER_BROWSER": "1000/minute",
        "RATE_LIMIT_QUESTIONS_PER_IP": "1000/minute",
        "IMAGE_MODEL": "gpt-image-1",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'studio.db'}",
    }
    fake.image_default = Reply(tokens=[PNG["grey"]], content=PNG["green"])  # every finished card asks for one
    yield from serve(env, tmp, request.module.__name__)
    fake.image_default = None


def png(rgb: tuple[int, int, int]) -> str:
    """A 1x1 PNG of one colour, base64 (what the Images API sends, in miniature)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    raw += chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb))) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


PNG = {"grey": png((128, 128, 128)), "pink": png((240, 160, 160)), "green": png((40, 160, 60))}


def chats(fake: FakeOpenAI) -> list[Any]:
    """The chat requests (pictures go to the images endpoint meanwhile)."""
    return [r for r in fake.requests if "messages" in r.body]


def last_chat_closed(fake: FakeOpenAI, timeout: float) -> Any:
    index = max(i for i, r in enumerate(fake.requests) if "messages" in r.body)
    return fake.wait_closed(index, timeout=timeout)


def saved_recipe_page(studio: Studio, allergy: str = "dairy") -> None:
    """Generate the test recipe as a cook with this allergy, save it and open its page."""
    studio.add_chips("ingredients", "chickpeas", "spinach")
    studio.add_chips("allergies", allergy)
    studio.generate()
    studio.wait_done()
    expect(studio.loc("#card-picture")).to_be_visible()  # every finished card has a picture
    studio.loc("#save").click()
    studio.loc("#open-saved").click()
    expect(studio.loc("#recipe-title")).to_have_text(RECIPE["name"])
    expect(studio.loc("#recipe-picture")).to_be_visible()


def ask(studio: Studio, question: str) -> None:
    studio.loc("#ask-input").fill(question)
    studio.loc("#ask-submit").click()


def answer_samples(studio: Studio, count: int) -> list[str]:
    """The answer's text read while it is still being written, each longer than the one before."""
    samples: list[str] = []
    for _ in range(count):
        handle = studio.page.wait_for_function(
            """prev => { const a = document.querySelector('#answer-text');
                         const live = document.querySelector('#answer-streaming');
                         return a && live && a.innerText.length > prev ? a.innerText : null; }""",
            arg=len(samples[-1]) if samples else 0,
        )
        samples.append(handle.json_value())
    return samples


def test_ask_a_saved_recipe_streams_stops_and_keeps_the_thread(studio: Studio, fake: FakeOpenAI) -> None:
    saved_recipe_page(studio)
    fake.script(Reply(content=ANSWER * 4, tokens_per_s=25))
    ask(studio, "Can I make this without an oven?")
    samples = answer_samples(studio, 3)
    assert samples[0] != samples[-1] and ANSWER.startswith(samples[0][:20])
    studio.loc("#ask-stop").click()
    expect(studio.loc("#answer-stopped")).to_be_visible()
    record = last_chat_closed(fake, timeout=10)
    assert record.client_closed and not record.completed
    data = json.loads(record.body["messages"][-1]["content"])
    assert data["recipe"]["name"] == RECIPE["name"] and data["allergies"] == ["dairy"]

    fake.script(Reply(content=ANSWER))
    ask(studio, "Can I make this without an oven?")
    expect(studio.loc("#answer-change")).to_contain_text("Cook it in a covered skillet on the hob")
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(1)
    expect(studio.loc("#answer-text")).not_to_contain_text("Change:")
    studio.page.reload()
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(1)  # kept with the saved recipe
    expect(studio.loc("#ask-thread")).to_contain_text("no oven needed")


def test_a_fault_mid_answer_keeps_the_text_and_a_closed_tab_stops_the_stream(studio: Studio, fake: FakeOpenAI) -> None:
    saved_recipe_page(studio)
    fake.script(Reply(content=ANSWER, drop_after=8))
    ask(studio, "No oven?")
    expect(studio.loc("#answer-error")).to_be_visible()
    expect(studio.loc("#answer-failed")).to_be_visible()
    expect(studio.loc("#answer-text")).to_have_text(ANSWER[:32].strip())
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(0)

    fake.script(Reply(content=ANSWER * 20, tokens_per_s=20))
    ask(studio, "No oven?")
    expect(studio.loc("#answer-streaming")).to_be_visible()
    closed_at = time.monotonic()
    studio.page.close()
    record = last_chat_closed(fake, timeout=15)
    assert record.client_closed and not record.completed
    assert record.closed_at is not None and record.closed_at - closed_at < TAB_GRACE_S + 5


def test_apply_an_answer_as_a_new_version_and_see_what_changed(studio: Studio, fake: FakeOpenAI) -> None:
    saved_recipe_page(studio)
    fake.script(Reply(content=ANSWER))
    ask(studio, "Can I make this without an oven?")
    expect(studio.loc("#apply-change")).to_be_visible()
    skillet: dict[str, Any] = json.loads(RECIPE_TEXT)
    skillet["name"] = "Skillet Chickpea Curry"
    skillet["recipeIngredient"].append({"quantity": 1, "unit": "tbsp", "item": "lemon juice", "note": ""})
    skillet["recipeInstructions"][2] = {"text": "Cover the skillet and simmer for 15 minutes."}
    fake.script(Reply(content=json.dumps(skillet), tokens_per_s=300))
    studio.loc("#apply-change").click()
    studio.wait_done()  # streamed at once as a new version, on the studio
    expect(studio.loc("#recipe-title")).to_have_text("Skillet Chickpea Curry")
    sent = json.loads(chats(fake)[-1].body["messages"][1]["content"])
    assert sent["changes"] == "Cook it in a covered skillet on the hob"
    studio.loc("#save").click()
    studio.loc("#open-saved").click()
    diff = studio.loc("#version-diff")
    expect(diff).to_be_visible()
    expect(diff.locator(".diff-added")).to_have_text(["1 tbsp lemon juice"])
    expect(diff.locator(".diff-steps_changed")).to_have_text(["Cover the skillet and simmer for 15 minutes."])


def test_swap_an_ingredient_marks_the_unsafe_one_and_streams_the_new_version(studio: Studio, fake: FakeOpenAI) -> None:
    saved_recipe_page(studio, allergy="dairy")
    fake.script(Reply(content=json.dumps(SWAPS), tokens_per_s=80))
    studio.page.locator(".swap-action", has_text="coconut milk").click()
    expect(studio.loc("#swap-card .swap")).to_have_count(2)
    expect(studio.loc("#swap-card .swap.failed .swap-problem")).to_have_text("Not safe: may contain dairy")
    expect(studio.loc("#swap-card .swap.failed .swap-pick")).to_have_count(0)  # never offered
    oat: dict[str, Any] = json.loads(RECIPE_TEXT)
    oat["name"] = "Oat Milk Chickpea Curry"
    fake.script(Reply(content=json.dumps(oat), tokens_per_s=300))
    studio.loc("#swap-card .swap.ok .swap-pick").click()
    studio.wait_done()
    expect(studio.loc("#recipe-title")).to_have_text("Oat Milk Chickpea Curry")
    assert "oat milk instead of coconut milk" in json.loads(chats(fake)[-1].body["messages"][1]["content"])["changes"]


def test_ask_the_studio_card(studio: Studio, fake: FakeOpenAI) -> None:
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    studio.wait_done()
    fake.script(Reply(content="Yes: it freezes well for three months.", tokens_per_s=60))
    ask(studio, "Can I freeze it?")
    expect(studio.loc("#ask-thread .thread-item")).to_have_count(1)
    expect(studio.loc("#ask-thread")).to_contain_text("freezes well")
    assert studio.page.evaluate("window.__pwned") is None


def test_the_picture_sharpens_as_it_arrives_and_is_not_asked_for_again(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script_images(Reply(tokens=[PNG["grey"], PNG["pink"]], content=PNG["green"], ttft=0.3, tokens_per_s=2))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    studio.wait_done()
    picture = studio.loc("#card-picture")
    expect(studio.loc("#picture-drawing")).to_be_visible()
    for colour in ("grey", "pink", "green"):  # each partial image replaces the last
        expect(picture).to_have_attribute("src", "data:image/jpeg;base64," + PNG[colour])
    expect(studio.loc("#picture-usage")).to_contain_text("50 tokens in · 272 out")
    images = [r for r in fake.requests if "prompt" in r.body]
    assert len(images) == 1 and images[0].body["partial_images"] == 2 and images[0].body["stream"] is True
    studio.page.reload()
    expect(studio.loc("#card-picture")).to_have_attribute("src", "data:image/jpeg;base64," + PNG["green"])
    assert len([r for r in fake.requests if "prompt" in r.body]) == 1  # kept: not asked for again

    fake.script_images(Reply(tokens=[PNG["pink"]], content=PNG["grey"], drop_after=1))
    studio.loc("#picture-new").click()
    expect(studio.loc("#picture-error")).to_be_visible()  # a fault: the drawing comes back
    expect(studio.loc("#card-picture")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))


LOADED_JS = "(s) => { const i = document.querySelector(s); return !!i && i.complete && i.naturalWidth === 1; }"


def test_a_kept_picture_is_served_by_url_to_its_owner_and_through_its_share_link(
    studio: Studio, new_studio: Callable[..., Studio], fake: FakeOpenAI
) -> None:
    final_sent = threading.Event()  # the final image comes only after Save
    fake.script_images(Reply(tokens=[PNG["grey"]], content=PNG["green"], stall_after=1, resume=final_sent))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    studio.wait_done()
    expect(studio.loc("#card-picture")).to_have_attribute("src", "data:image/jpeg;base64," + PNG["grey"])
    studio.loc("#save").click()
    expect(studio.loc("#open-saved")).to_be_visible()
    final_sent.set()
    served = re.compile(r"^http://[^/]+/pictures/(\d+)\?v=\d+$")
    expect(studio.loc("#card-picture")).to_have_attribute("src", served)  # kept with the saved recipe
    studio.page.wait_for_function(LOADED_JS, arg="#card-picture")  # and it loads from the app
    studio.loc("#open-saved").click()
    expect(studio.loc("#recipe-picture")).to_have_attribute("src", served)
    studio.page.wait_for_function(LOADED_JS, arg="#recipe-picture")
    assert len([r for r in fake.requests if "prompt" in r.body]) == 1  # the saved page did not ask again
    url = studio.loc("#recipe-picture").get_attribute("src")
    mine = studio.page.request.get(url)
    assert mine.status == 200 and mine.body() == base64.b64decode(PNG["green"])
    assert mine.headers["content-type"] == "image/jpeg" and mine.headers["cache-control"] == "private, no-cache"
    other = new_studio()  # another browser, its own owner cookie
    assert other.page.request.get(url).status == 404

    studio.loc("#share").click()
    expect(studio.loc("#share-link")).to_be_visible()
    other.page.goto(studio.base_url + studio.loc("#share-link").get_attribute("href"))
    expect(other.loc("#shared-picture")).to_have_attribute("src", re.compile(r"/pictures/shared/[\w-]+\?v=\d+$"))
    other.page.wait_for_function(LOADED_JS, arg="#shared-picture")
    shared_url = other.loc("#shared-picture").get_attribute("src")
    studio.loc("#revoke-share").click()
    expect(studio.loc("#share-link")).to_have_count(0)
    assert other.page.request.get(shared_url).status == 404  # a revoked link serves it no more
