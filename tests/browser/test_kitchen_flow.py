"""A cook's whole evening in Chromium: the studio card that fills in place, the phone layout, toasts,
cook mode with timers, the library and the list, axe on every page, and the keyboard-only flow.

Its own production app (module scope) against the fake provider, with a small per-browser limit so
the countdown can be seen (each test gets a fresh browser, so a fresh budget).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.a11y import axe_script, blocking_violations
from tests.browser.studio import APP_ENV, RunningApp, Studio, artifact, expect, serve
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE, RECIPE_TEXT

TITLE = RECIPE["name"]
LIMIT = 4
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture(scope="module")
def app(fake: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    """The production app on the fake provider, allowing LIMIT recipes per browser a minute."""
    tmp = tmp_path_factory.mktemp("browser-kitchen-app")
    env = {
        **APP_ENV,
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "RATE_LIMIT_PER_BROWSER": f"{LIMIT}/minute",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'kitchen.db'}",
    }
    yield from serve(env, tmp, request.module.__name__)


def finish_a_recipe(studio: Studio, fake: FakeOpenAI, tokens_per_s: float = 3000) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=tokens_per_s))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    studio.wait_done()


def save_and_open(studio: Studio) -> None:
    studio.loc("#save").click()
    studio.loc("#open-saved").click()
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)


def first_page_load(studio: Studio) -> None:
    """Each module's first test: Chromium logs a missing favicon once per browser; nothing else."""
    expect(studio.loc("#recipe-card")).to_be_visible()


# ---- 1. layout and motion ----------------------------------------------------------------------------
def test_skeletons_stand_for_the_sections_to_come_and_fill_in_place(studio: Studio, fake: FakeOpenAI) -> None:
    first_page_load(studio)
    box = studio.loc("#studio-form").bounding_box()
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=90, ttft=0.6))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()

    # Before any text: every section has its placeholder, and the line says we wait.
    expect(studio.loc("#status-waiting")).to_be_visible()
    for section in ("title", "facts", "ingredients", "steps", "tips", "nutrition"):
        expect(studio.loc(f"#skeleton-{section}")).to_be_visible()
    expect(studio.loc("#progress li[aria-current=step]")).to_have_text("Waiting for the chef")

    # Ingredients streaming: the title is real, the steps still a placeholder below them.
    expect(studio.loc("#progress li[aria-current=step]")).to_have_text("Ingredients")
    expect(studio.loc("#skeleton-title")).to_have_count(0)
    expect(studio.loc("#recipe-title")).to_have_text(TITLE)
    expect(studio.loc("#skeleton-steps")).to_be_visible()
    order = studio.page.evaluate(
        "() => [...document.querySelectorAll('#recipe-ingredients, #skeleton-steps')].map(e => e.id)"
    )
    assert order == ["recipe-ingredients", "skeleton-steps"]
    studio.screenshot("studio-streaming-desktop.png")

    expect(studio.loc("#progress li[aria-current=step]")).to_have_text("Steps")
    expect(studio.loc("#skeleton-ingredients")).to_have_count(0)
    studio.wait_done()
    expect(studio.loc(".skeleton-block")).to_have_count(0)
    expect(studio.loc("#progress li[aria-current=step]")).to_have_text("Done")
    expect(studio.loc("#progress li[data-state=done]")).to_have_count(3)
    expect(studio.loc("#finish-title")).to_have_text("Ready to cook")
    expect(studio.loc("#status-done")).to_contain_text("8 ingredients · 5 steps")
    expect(studio.loc("#card-announcer")).to_have_text("Recipe ready.")
    # The form kept its own height: it does not stretch to the recipe beside it.
    after = studio.loc("#studio-form").bounding_box()
    assert box and after and abs(after["height"] - box["height"]) < 40
    assert studio.loc("#recipe-card").bounding_box()["height"] > after["height"]


def test_the_live_region_speaks_per_section_not_per_token(studio: Studio, fake: FakeOpenAI) -> None:
    studio.page.evaluate(
        """() => { window.__said = []; const el = document.querySelector('#card-announcer');
                   new MutationObserver(() => window.__said.push(el.textContent)).observe(el, {childList: true, subtree: true, characterData: true}); }"""
    )
    finish_a_recipe(studio, fake, tokens_per_s=120)
    said = [s for s in studio.page.evaluate("window.__said") if s]
    assert said[-1] == "Recipe ready."
    assert len(said) <= 8, said  # one per section, while the recipe took hundreds of tokens
    assert "Ingredients ready. Writing the steps." in said


def test_on_a_phone_the_card_scrolls_into_view_when_generation_starts(new_studio: Callable[..., Studio], fake: FakeOpenAI) -> None:
    studio = new_studio(**PHONE)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=200, ttft=0.3))
    studio.add_chips("ingredients", "chickpeas")
    assert studio.page.evaluate("() => document.querySelector('#recipe-card').getBoundingClientRect().top") > 400
    studio.generate()
    studio.page.wait_for_function(
        "() => { const t = document.querySelector('#recipe-card').getBoundingClientRect().top; return t >= 0 && t < 200; }"
    )
    studio.wait_done()


def test_auto_scroll_never_fights_a_cook_who_scrolled_back_up(new_studio: Callable[..., Studio], fake: FakeOpenAI) -> None:
    studio = new_studio(**PHONE)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=60, ttft=1.0))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    studio.page.mouse.wheel(0, -2000)  # the cook scrolls up to the form before the first words
    studio.page.evaluate("() => window.scrollTo(0, 0)")
    expect(studio.loc("#status-streaming")).to_be_visible()
    studio.wait_done()
    assert studio.page.evaluate("() => window.scrollY") < 50


def _controls_under(page: Any, selector: str) -> list[str]:
    """Visible controls whose centre is covered by an element matching ``selector``."""
    return page.evaluate(
        """(sel) => {
          const out = [];
          for (const el of document.querySelectorAll('button, a[href], input, [role=combobox], [role=checkbox]')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || r.bottom < 0 || r.top > innerHeight) continue;
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const top = document.elementFromPoint(x, y);
            if (top && top.closest(sel) && !el.closest(sel)) out.push(el.id || el.textContent.trim().slice(0, 30));
          }
          return out;
        }""",
        selector,
    )


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_toasts_cover_no_control_never_stack_and_stay_on_their_page(
    new_studio: Callable[..., Studio], fake: FakeOpenAI, device: str
) -> None:
    studio = new_studio(**(PHONE if device == "phone" else DESKTOP), permissions=["clipboard-read", "clipboard-write"])
    finish_a_recipe(studio, fake)
    page = studio.page
    page.locator("#copy").click()
    page.locator("#copy").click()
    page.locator("#save").click()
    toast = page.locator("[data-sonner-toast][data-visible=true]")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Saved to My recipes")
    assert _controls_under(page, "[data-sonner-toaster]") == []
    box = toast.bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert box and header and box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"] + 1
    page.locator("#nav-recipes").click()
    expect(page.locator(".recipe-row")).to_have_count(1)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)


# ---- 2. cook mode and timers --------------------------------------------------------------------------
def test_cook_mode_steps_by_buttons_keys_and_swipes(new_studio: Callable[..., Studio], fake: FakeOpenAI) -> None:
    studio = new_studio(**PHONE)
    finish_a_recipe(studio, fake)
    page = studio.page
    page.locator("#cook-open").click()
    dialog = page.locator("#cook-mode")
    expect(dialog).to_be_visible()
    expect(page.locator("#cook-step-title")).to_be_focused()
    expect(page.locator("#cook-step-title")).to_have_text("Step 1 of 5")
    expect(page.locator("#cook-step")).to_contain_text("Heat the oil")
    expect(page.locator("#cook-step-ingredients")).to_contain_text("vegetable oil")
    expect(page.locator("#cook-step-ingredients")).to_contain_text("onion")
    page.locator("#cook-next").click()
    expect(page.locator("#cook-step-title")).to_have_text("Step 2 of 5")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#cook-step-title")).to_have_text("Step 3 of 5")
    expect(page.locator("#cook-step-ingredients")).to_contain_text("chickpeas")
    expect(page.locator(".timer-start")).to_have_text("Start timer: Cook 15 min")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#cook-step-title")).to_have_text("Step 2 of 5")
    swipe(page, dx=-200)
    expect(page.locator("#cook-step-title")).to_have_text("Step 3 of 5")
    swipe(page, dx=200)
    expect(page.locator("#cook-step-title")).to_have_text("Step 2 of 5")
    # The whole list, tickable.
    onion = page.locator("#cook-ingredients .cook-ingredient", has_text="onion")
    onion.get_by_role("checkbox").click()
    expect(onion).to_have_attribute("data-ticked", "true")
    # Full screen, and the screen is kept on where the browser lets it.
    box = dialog.bounding_box()
    assert box and box["width"] >= 389 and box["height"] >= 843
    expect(page.locator("body")).to_have_attribute("data-wake-lock", re.compile("^(on|denied|unsupported)$"))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.locator("#cook-open")).to_be_focused()


def swipe(page: Any, dx: int) -> None:
    """A one-finger horizontal swipe across the cook-mode step, as touch events."""
    page.evaluate(
        """(dx) => {
          const el = document.querySelector('#cook-step');
          const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + 10;
          const touch = (cx) => new Touch({identifier: 1, target: el, clientX: cx, clientY: y});
          el.dispatchEvent(new TouchEvent('touchstart', {bubbles: true, touches: [touch(x)], changedTouches: [touch(x)]}));
          el.dispatchEvent(new TouchEvent('touchend', {bubbles: true, touches: [], changedTouches: [touch(x + dx)]}));
        }""",
        dx,
    )


def test_timers_run_several_at_once_in_the_title_survive_a_reload_and_ring(studio: Studio, fake: FakeOpenAI) -> None:
    page = studio.page
    page.clock.install()
    finish_a_recipe(studio, fake)
    save_and_open(studio)  # a saved recipe has cook mode too
    page.locator("#cook-open").click()
    page.locator("#cook-next").click()
    page.locator("#cook-next").click()
    page.locator(".timer-start").click()  # Cook 15 min
    page.locator("#cook-prev").click()
    page.locator("#cook-prev").click()
    expect(page.locator(".timer-start")).to_have_text("Start timer: Heat 6 min")
    page.locator(".timer-start").click()
    chips = page.locator("#timer-tray .timer-chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_contain_text(re.compile(r"Cook 15 min 1[45]:\d\d"))
    expect(chips.nth(1)).to_contain_text(re.compile(r"Heat 6 min [56]:\d\d"))
    expect(page).to_have_title(re.compile(r"^⏱ [56]:\d\d Heat 6 min · "))  # the soonest one in the title bar
    page.clock.fast_forward("01:00")
    expect(chips.nth(1)).to_contain_text(re.compile(r"Heat 6 min [45]:\d\d"))

    page.reload()
    chips = page.locator("#timer-tray .timer-chip")
    expect(chips).to_have_count(2)
    page.clock.fast_forward("05:30")
    done = page.locator("#timer-tray .timer-chip[data-done=true]")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("Heat 6 min: done")
    expect(page).to_have_title(re.compile(r"^⏰ Timer done · "))
    done.get_by_role("button", name="Stop timer Heat 6 min").click()
    expect(chips).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^⏱ \d+:\d\d Cook 15 min · "))


# ---- 3. library and list ------------------------------------------------------------------------------
def test_history_entries_open_their_recipe_and_the_list_button_knows_its_state(studio: Studio, fake: FakeOpenAI) -> None:
    finish_a_recipe(studio, fake)  # finished, never saved
    page = studio.page
    page.locator("#nav-recipes").click()
    expect(page.locator("#no-recipes")).to_be_visible()
    page.locator("#history .history-link").first.click()
    expect(page.locator("#recipe-title")).to_have_text(TITLE)
    expect(page).to_have_url(re.compile(r"/recipes/\d+$"))
    saved_url = page.url

    toggle = page.locator("#add-to-shopping")
    expect(toggle).to_have_text("Add to list")
    toggle.click()
    expect(toggle).to_have_attribute("data-on-list", "true")
    expect(toggle).to_contain_text("On the list")
    page.locator("#nav-recipes").click()
    row_toggle = page.locator(".recipe-row .add-to-list")
    expect(row_toggle).to_have_attribute("data-on-list", "true")
    page.locator("#history .history-link").first.click()  # now saved: it opens the same recipe
    expect(page).to_have_url(saved_url)
    page.locator("#nav-recipes").click()
    page.locator(".recipe-row .add-to-list").click()  # remove
    expect(page.locator(".recipe-row .add-to-list")).to_have_attribute("data-on-list", "false")
    page.locator("#nav-shopping").click()
    expect(page.locator("#empty-list")).to_be_visible()


def test_the_limit_message_counts_down(studio: Studio, fake: FakeOpenAI) -> None:
    studio.add_chips("ingredients", "chickpeas")
    for n in range(1, LIMIT + 1):
        # Each recipe has its own title, so "done" is known to be this run's and not the last one's
        # (a click landing while the previous run is still finishing would be refused, not counted).
        title = f"{TITLE} {n}"
        fake.script(Reply(content=json.dumps({**RECIPE, "name": title}), tokens_per_s=5000))
        studio.generate()
        expect(studio.loc("#recipe-title")).to_have_text(title)
        studio.wait_done()
        expect(studio.loc("#generate")).to_be_enabled()
    assert fake.request_count == LIMIT
    studio.generate()
    countdown = studio.loc("#limit-countdown")
    expect(countdown).to_have_text(re.compile(r"^\d+ s$"))
    first = int(countdown.inner_text().split()[0])
    studio.page.wait_for_function(
        "(n) => { const t = document.querySelector('#limit-countdown').textContent; return parseInt(t) < n; }", arg=first
    )
    assert fake.request_count == LIMIT


def test_on_a_phone_each_shopping_item_keeps_its_recipe_label_with_it(new_studio: Callable[..., Studio], fake: FakeOpenAI) -> None:
    studio = new_studio(**PHONE)
    finish_a_recipe(studio, fake)
    save_and_open(studio)
    page = studio.page
    page.locator("#add-to-shopping").click()
    page.locator("#nav-shopping").click()
    items = page.locator(".shopping-item")
    expect(items.first).to_be_visible()
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.shopping-item')].map(el => {
             const r = el.getBoundingClientRect(), s = el.querySelector('.item-sources');
             const q = s ? s.getBoundingClientRect() : null;
             return {top: r.top, bottom: r.bottom, right: r.right, src: q && {top: q.top, bottom: q.bottom, right: q.right}};
           })"""
    )
    assert len(boxes) >= 6
    for box, following in zip(boxes, boxes[1:] + [None], strict=True):
        assert box["right"] <= 390
        assert box["src"] and box["top"] <= box["src"]["top"] and box["src"]["bottom"] <= box["bottom"] + 0.5
        if following:
            assert following["top"] >= box["bottom"] - 0.5  # no item reaches into the next
    studio.screenshot("shopping-phone-light.png")


# ---- 4. accessibility ------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_axe_finds_nothing_serious_on_any_page(
    new_studio: Callable[..., Studio], fake: FakeOpenAI, device: str, scheme: str
) -> None:
    axe_script()
    studio = new_studio(**(PHONE if device == "phone" else DESKTOP), color_scheme=scheme)
    page = studio.page
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        # Contrast is judged on the page at rest: toasts and panels fading in are half transparent.
        # A page that started moving while axe read it (a toast's timer ran out and it began to
        # leave) is read again once it is at rest; after three tries the last reading stands.
        for _attempt in range(3):
            page.wait_for_function(
                """() => document.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)
                      && [...document.querySelectorAll('[data-sonner-toast]')].every(t => getComputedStyle(t).opacity === '1'
                                                                                 || getComputedStyle(t).display === 'none')"""
            )
            page.evaluate(
                """() => { window.__moved = false;
                           if (!window.__watching) { window.__watching = true;
                             for (const kind of ['transitionstart', 'animationstart'])
                               document.addEventListener(kind, () => { window.__moved = true; }, true); } }"""
            )
            found[name] = blocking_violations(page)
            if not page.evaluate("() => window.__moved"):
                break
        # A full-screen overlay is shot as the cook sees it; pages whole.
        studio.screenshot(f"page-{name}-{device}-{scheme}.png", full_page=name != "cook-mode")

    check("studio-empty")
    studio.generate()  # an empty form: the field errors
    expect(studio.loc("#ingredients-error")).to_be_visible()
    check("studio-errors")
    finish_a_recipe(studio, fake)
    check("studio-recipe")
    studio.loc("#cook-open").click()
    studio.loc("#cook-next").click()
    studio.loc("#cook-next").click()
    studio.loc(".timer-start").click()
    check("cook-mode")
    studio.loc("#cook-close").click()
    save_and_open(studio)
    check("recipe")
    studio.loc("#add-to-shopping").click()
    studio.loc("#share").click()
    expect(studio.loc("#share-link")).to_be_visible()
    share = studio.loc("#share-link").get_attribute("href")
    studio.loc("#nav-shopping").click()
    expect(studio.loc(".shopping-item").first).to_be_visible()
    check("shopping")
    studio.loc("#nav-recipes").click()
    expect(studio.loc(".recipe-row")).to_have_count(1)
    check("library")
    page.goto(studio.base_url + share)
    expect(page.locator("#recipe-title")).to_have_text(TITLE)
    check("shared")
    page.goto(studio.base_url + "/stats")
    page.wait_for_load_state("networkidle")
    check("stats")
    bad = {name: v for name, v in found.items() if v}
    assert bad == {}, "\n".join(f"{name}: {line}" for name, lines in bad.items() for line in lines)


def _tab_to(page: Any, selector: str, limit: int = 80, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``selector`` has focus; the focus must be visible."""
    trail = []
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert style != "none", f"{selector} has focus but no visible outline"
            return
        trail.append(page.evaluate("() => { const a = document.activeElement; return a ? (a.id || a.tagName + ':' + a.textContent.slice(0, 20)) : '-'; }"))
        page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"Tab never reached {selector}; it went {' > '.join(trail[:40])}")


def test_studio_save_cook_and_shop_with_the_keyboard_alone(studio: Studio, fake: FakeOpenAI) -> None:
    page = studio.page
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=3000))
    _tab_to(page, "#generate")
    page.keyboard.press("Enter")  # an empty form: focus goes to the field to fix
    expect(page.locator("#ingredients-error")).to_be_visible()
    expect(page.locator("#ingredients-input")).to_be_focused()
    page.keyboard.type("chickpeas")
    page.keyboard.press("Enter")
    expect(page.locator(".ingredients-chip")).to_have_count(1)
    _tab_to(page, "#generate")
    page.keyboard.press("Enter")
    studio.wait_done()
    expect(page.locator("#finish-title")).to_be_focused()  # the finish moment, where the next actions are
    _tab_to(page, "#save", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#open-saved")).to_be_visible()
    _tab_to(page, "#cook-open")
    page.keyboard.press("Enter")
    expect(page.locator("#cook-step-title")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#cook-step-title")).to_have_text("Step 2 of 5")
    page.keyboard.press("Escape")
    expect(page.locator("#cook-open")).to_be_focused()
    _tab_to(page, "#open-saved", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#recipe-title")).to_have_text(TITLE)
    _tab_to(page, "#add-to-shopping")
    page.keyboard.press("Enter")
    expect(page.locator("#add-to-shopping")).to_have_attribute("data-on-list", "true")
    _tab_to(page, "#nav-shopping", back=True)
    page.keyboard.press("Enter")
    expect(page.locator(".shopping-item").first).to_be_visible()
    _tab_to(page, ".shopping-item button[role=checkbox]")
    page.keyboard.press("Space")
    expect(page.locator(".shopping-item").first).to_have_attribute("data-ticked", "true")


def test_stop_moves_focus_to_what_happened(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=40))
    studio.add_chips("ingredients", "chickpeas")
    studio.generate()
    expect(studio.loc("#progress")).to_be_focused()
    studio.loc("#stop").focus()
    studio.page.keyboard.press("Enter")
    expect(studio.loc("#status-stopped")).to_be_focused()


# ---- 5. print ----------------------------------------------------------------------------------------
def test_a_typical_recipe_prints_on_one_page(studio: Studio, fake: FakeOpenAI) -> None:
    finish_a_recipe(studio, fake)
    save_and_open(studio)
    studio.page.emulate_media(media="print")
    pdf = studio.page.pdf(format="A4", print_background=False)
    (artifact("recipe-print.pdf")).write_bytes(pdf)
    studio.screenshot("recipe-print-media.png")  # the print stylesheet, as a picture to look at
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    expect(studio.loc("#recipe-title")).to_be_visible()
    expect(studio.loc("#cook-open")).to_be_hidden()  # nothing to click on paper


# ---- 6. a quiet start ------------------------------------------------------------------------------
MISLEADING = (
    "below the minimum supported version",  # bun
    "of Node.js is out of date",  # bun runs the frontend tools itself
    "Target database is not up to date",  # the schema is migrated before the check
    "uv pip install",  # the README's command installed requirements.txt
)


def test_reflex_run_printed_no_misleading_line(app: RunningApp) -> None:
    app.check_alive()
    log = app.log.read_text(errors="replace")
    assert "App running at" in log
    assert [line for line in log.splitlines() if any(m in line for m in MISLEADING)] == []
