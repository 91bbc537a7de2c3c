"""The operator's /stats in headless Chromium: sign in with the token typed into a form, then out.

The token never appears in an address; the session is an HttpOnly cookie no page script can read.
"""

from __future__ import annotations

import re

from tests.browser.studio import APP_ENV, Studio, expect
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT

TOKEN = APP_ENV["ADMIN_TOKEN"]


def test_sign_in_charts_the_last_hour_and_sign_out_ends_it(studio: Studio, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=2000))
    studio.add_chips("ingredients", "chickpeas", "spinach")
    studio.generate()
    studio.wait_done()
    page = studio.page
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))

    page.goto(studio.base_url + "/stats")
    expect(page.locator("#stats-sign-in-form")).to_be_visible()
    expect(page.locator("#stats-summary")).to_have_count(0)
    page.locator("#stats-token").fill("wrong-token")
    page.locator("#stats-sign-in").click()
    expect(page.locator("#stats-sign-in-error")).to_be_visible()
    expect(page.locator("#stats-summary")).to_have_count(0)

    page.locator("#stats-token").fill(TOKEN)
    page.locator("#stats-sign-in").click()
    expect(page.locator("#stats-summary")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(studio.base_url) + r"/stats/?$"))  # no token, no query
    for chart in ("#chart-outcomes", "#chart-errors", "#chart-ttft", "#chart-tps"):
        expect(page.locator(f"{chart} svg.recharts-surface").first).to_be_visible()
    expect(page.locator("#cost-table")).to_contain_text("gpt-4.1-mini")  # the default model, priced
    studio.screenshot("stats-page.png")

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["recipe_studio_admin"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and TOKEN not in session["value"]
    assert "recipe_studio_admin" not in page.evaluate("document.cookie")  # no script can read it
    assert not any(TOKEN in address for address in addresses)

    page.reload()  # the session outlives the page
    expect(page.locator("#stats-summary")).to_be_visible()
    page.locator("#stats-sign-out").click()
    expect(page.locator("#stats-sign-in-form")).to_be_visible()
    assert "recipe_studio_admin" not in {c["name"] for c in page.context.cookies()}
