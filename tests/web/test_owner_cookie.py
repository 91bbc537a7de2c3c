"""The owner cookie (the key to a browser's whole library): Secure over https, never a tampered value."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from recipe_app import state
from recipe_app.state import BrowserState


def test_the_owner_cookie_is_secure_when_the_app_is_served_over_https(monkeypatch: pytest.MonkeyPatch) -> None:
    for url, secure in (("https://recipes.example", True), ("HTTPS://x", True), ("http://localhost:3000", False), (None, False)):
        monkeypatch.setattr(state.rx.config, "get_config", lambda url=url: SimpleNamespace(deploy_url=url))
        assert state.served_over_https() is secure
    cookie = BrowserState.get_fields()["browser_id"].default
    assert cookie.secure is False and cookie.same_site == "lax"  # this test run serves plain http


@pytest.mark.parametrize("value", ["", "x" * 32, "x" * 42 + "!", "a" * 44, "é" * 43, "x" * 42 + "\x00"])
def test_an_owner_id_that_this_app_did_not_make_is_replaced(value: str) -> None:
    assert not state.valid_owner_id(value)
    assert state.valid_owner_id(state.secrets.token_urlsafe(32))
