"""What the browser tests share: finding and launching Chromium, starting the app, a small page object.

Playwright is imported defensively so that a machine without it collects this package cleanly and
gets one skip reason (see conftest.py) instead of an import traceback.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.prodapp import ROOT, fetch, run_prod_app

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - reported by unavailable()
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Page

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_CHROMIUM = "/usr/bin/chromium"

TAB_GRACE_S = 2.0
#: Settings of every app the suite starts: quick stall detection and retries, a short grace period
#: for closed tabs, and limits no test reaches.
APP_ENV = {
    "STALL_TIMEOUT_S": "1.5",
    "OPENAI_MAX_RETRIES": "2",
    "RETRY_BACKOFF_S": "0.05",
    "TAB_GRACE_S": str(TAB_GRACE_S),
    "RATE_LIMIT_PER_BROWSER": "1000/minute",
    "RATE_LIMIT_PER_IP": "1000/minute",
    "ADMIN_TOKEN": "operator-token-for-tests",
}


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM_PATH if set, else `chromium` / `chromium-browser` on PATH,
    else /usr/bin/chromium. None if there is none (or $CHROMIUM_PATH is not an executable)."""
    if override := os.environ.get("CHROMIUM_PATH"):
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return DEFAULT_CHROMIUM if os.access(DEFAULT_CHROMIUM, os.X_OK) else None


def unavailable() -> str | None:
    """Why the browser suite cannot run here, or None if it can."""
    if expect is None:
        return "the `playwright` Python package is not installed (pip install -r tests/requirements.txt)"
    if find_chromium() is None:
        if override := os.environ.get("CHROMIUM_PATH"):
            return f"CHROMIUM_PATH={override} is not an executable file"
        return (
            f"no Chromium found (looked for `chromium`/`chromium-browser` on PATH and {DEFAULT_CHROMIUM}; "
            "on Debian/Ubuntu: apt-get install chromium, or set CHROMIUM_PATH)"
        )
    return None


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (created) for a screenshot or log."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)


@dataclass(frozen=True)
class RunningApp:
    """A production app started for one test module."""

    base_url: str
    log: Path

    def check_alive(self) -> None:
        """Fail with the end of the server log if the app stopped answering /ping."""
        try:
            ok = fetch(f"{self.base_url}/ping", timeout=5)[0] == 200
        except OSError:
            ok = False
        if not ok:
            pytest.fail(f"the app at {self.base_url} no longer answers /ping; its log ends with:\n"
                        f"{self.log.read_text(errors='replace')[-3000:]}", pytrace=False)


def serve(env: Mapping[str, str | None], tmp: Path, module_name: str) -> Iterator[RunningApp]:
    """Fixture body: run the production app for one test module.

    Fails at once if a dev server works in this checkout (see tests/prodapp.py). The server log is
    copied to test-artifacts/<module>-reflex.log afterwards.
    """
    log: Path | None = None
    try:
        with run_prod_app(env, tmp, sole_server=True) as (base_url, log):
            yield RunningApp(base_url, log)
    finally:
        if log is not None and log.exists():
            shutil.copyfile(log, artifact(f"{module_name.rsplit('.', 1)[-1]}-reflex.log"))


# While the card streams, return its text each time it has grown by `minGrowth` characters; once a
# final status shows, return that instead (so a stream that ends early fails the test, not a timeout).
_NEXT_SAMPLE_JS = """([prev, minGrowth]) => {
  const card = document.querySelector('#recipe-card');
  if (!card) return false;
  const text = card.innerText;
  if (document.querySelector('#status-streaming')) {
    return text.length >= prev + minGrowth ? {streaming: true, text} : false;
  }
  if (document.querySelector('#status-done, #status-stopped, #status-error')) return {streaming: false, text};
  return false;
}"""


@dataclass
class Studio:
    """One tab on the studio page, with what it logged."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on("dialog", self._on_dialog)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location or {}
            self.console_errors.append(f"{message.text} ({where.get('url', '?')})")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # ---- navigation -----------------------------------------------------------------------
    def open(self) -> Studio:
        """Load the page and wait until the form is there."""
        self.page.goto(self.base_url + "/")
        expect(self.page.locator("#generate")).to_be_enabled()
        return self

    def loc(self, selector: str) -> Any:
        return self.page.locator(selector)

    # ---- the form -------------------------------------------------------------------------
    def add_chip(self, field: str, text: str) -> None:
        """Type into a chip field and press Enter, as a cook would."""
        box = self.page.locator(f"#{field}-input")
        box.fill(text)
        box.press("Enter")

    def add_chips(self, field: str, *items: str) -> None:
        """Add several chips one by one and wait until each shows."""
        chips = self.page.locator(f".{field}-chip")
        start = chips.count()
        for n, item in enumerate(items, start=1):
            self.add_chip(field, item)
            expect(chips).to_have_count(start + n)

    def choose(self, select_id: str, option: str) -> None:
        """Pick an option of a (Radix) select."""
        self.page.locator(f"#{select_id}").click()
        self.page.get_by_role("option", name=option, exact=True).click()
        expect(self.page.locator(f"#{select_id}")).to_contain_text(option)

    def generate(self) -> None:
        self.page.locator("#generate").click()

    # ---- the card -------------------------------------------------------------------------
    def card_text(self) -> str:
        return self.page.locator("#recipe-card").inner_text()

    def wait_done(self, timeout: float = 30_000) -> None:
        expect(self.page.locator("#status-done")).to_be_visible(timeout=timeout)

    def samples_while_streaming(self, count: int, min_growth: int = 1, timeout: float = 15_000) -> list[str]:
        """Card texts read while the status says streaming, each longer than the one before."""
        samples: list[str] = []
        prev = -1
        while len(samples) < count:
            handle = self.page.wait_for_function(_NEXT_SAMPLE_JS, arg=[prev, min_growth], timeout=timeout)
            sample = handle.json_value()
            assert sample["streaming"], (
                f"the stream ended after {len(samples)} growing sample(s), wanted {count}: {sample['text'][:300]!r}"
            )
            samples.append(sample["text"])
            prev = len(sample["text"])
        return samples

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        path = artifact(name)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
