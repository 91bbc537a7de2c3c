"""The operator's credentials: a signed, expiring sign-in cookie for `/stats`, a bearer header for scrapers.

``ADMIN_TOKEN`` never travels in a URL. The operator types it into the sign-in form of `/stats`,
which posts it to ``POST /admin/sign-in``; the answer sets :data:`COOKIE`, HttpOnly (no script
reads it), SameSite=Strict (no other site's page sends it), Secure when served over https, valid
for :data:`SESSION_S`. Its value is ``<expiry>.<HMAC>``, keyed by the token itself: rotating
``ADMIN_TOKEN`` signs every operator out. ``POST /admin/sign-out`` clears it.

Prometheus (and ``/ready``'s details) authenticate with ``Authorization: Bearer $ADMIN_TOKEN``.
Without ``ADMIN_TOKEN`` nothing is authorised: `/stats` is not found and `/metrics` answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from recipe_app.core.settings import get_settings
from recipe_app.domain.request import clean_text

COOKIE = "recipe_studio_admin"
#: How long one sign-in lasts.
SESSION_S = 8 * 3600
#: Longest token accepted from the form (longer is refused without comparing).
MAX_TOKEN_CHARS = 512
#: Wrong tokens accepted per client address (per process) before sign-in pauses: guessing stays slow.
FAILED_SIGN_INS = parse("10/minute")
_failures = MovingWindowRateLimiter(MemoryStorage())
SIGN_IN_PATH = "/admin/sign-in"
SIGN_OUT_PATH = "/admin/sign-out"


def configured_token() -> str | None:
    """The admin token, or None when operator access is off (unset or blank)."""
    token = get_settings().admin_token
    value = clean_text(token.get_secret_value()) if token is not None else ""
    return value or None


def _signature(token: str, expires: int) -> str:
    key = hashlib.sha256(b"recipe-studio-admin-cookie:" + token.encode()).digest()
    return hmac.new(key, str(expires).encode(), hashlib.sha256).hexdigest()


def session_value(token: str, now: float | None = None) -> str:
    """A cookie value valid for :data:`SESSION_S` from ``now``."""
    expires = int((time.time() if now is None else now) + SESSION_S)
    return f"{expires}.{_signature(token, expires)}"


def valid_session(value: str | None, now: float | None = None) -> bool:
    """True for an unexpired cookie value signed with the current ``ADMIN_TOKEN``."""
    token = configured_token()
    if token is None or not value or len(value) > 200:
        return False
    expires_text, _, signature = value.partition(".")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires = int(expires_text)
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(signature, _signature(token, expires))


def session_from_cookie_header(header: str | None) -> bool:
    """True when a ``Cookie:`` header carries a valid operator session."""
    if not header:
        return False
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return False
    morsel = jar.get(COOKIE)
    return valid_session(morsel.value if morsel is not None else None)


def token_matches(supplied: str | None) -> bool:
    """True when ``supplied`` (from a form or a header) is the configured admin token."""
    expected = configured_token()
    if expected is None or not supplied or len(supplied) > MAX_TOKEN_CHARS:
        return False
    return secrets.compare_digest(clean_text(supplied).encode(), expected.encode())


def bearer_ok(request: Request) -> bool:
    """True for ``Authorization: Bearer <ADMIN_TOKEN>``."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_matches(credentials.strip())


def operator(request: Request) -> bool:
    """True for a request from the operator: the bearer header or the sign-in cookie."""
    return bearer_ok(request) or valid_session(request.cookies.get(COOKIE))


def _back_to_stats(request: Request, query: str = "") -> str:
    """Where the form came from: the page's own origin (another port in development) if same host."""
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    parts = urlsplit(origin)
    if parts.scheme in ("http", "https") and parts.hostname == request.url.hostname:
        return f"{parts.scheme}://{parts.netloc}/stats{query}"
    return f"/stats{query}"


def _https(request: Request) -> bool:
    """Served over https: this request's scheme (uvicorn honours a trusted proxy's X-Forwarded-Proto),
    or a public address (``REFLEX_DEPLOY_URL``) that is https, for proxies on another host."""
    from reflex_base.config import get_config

    return request.url.scheme == "https" or (get_config().deploy_url or "").lower().startswith("https://")


def _same_site(request: Request) -> bool:
    """A form posted by a page of another host is refused (the cookie is SameSite=Strict anyway)."""
    origin = request.headers.get("origin")
    return origin is None or origin == "null" or urlsplit(origin).hostname == request.url.hostname


async def sign_in(request: Request) -> Response:
    """Check the token posted by the sign-in form; set the session cookie and go back to /stats."""
    if configured_token() is None:
        return PlainTextResponse("Not found", status_code=404)
    if not _same_site(request):
        return PlainTextResponse("Forbidden", status_code=403)
    address = request.client.host if request.client else "unknown"
    if not _failures.test(FAILED_SIGN_INS, "admin-sign-in", address):
        return PlainTextResponse("Too many wrong tokens: wait a minute and try again.", status_code=429)
    try:
        form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
    except HTTPException:  # a body too large or malformed for a one-field form
        form = None
    supplied = form.get("token") if form is not None else None
    if not isinstance(supplied, str) or not token_matches(supplied):
        _failures.hit(FAILED_SIGN_INS, "admin-sign-in", address)
        return RedirectResponse(_back_to_stats(request, "?signin=failed"), status_code=303)
    response = RedirectResponse(_back_to_stats(request), status_code=303)
    response.set_cookie(
        COOKIE,
        session_value(configured_token() or ""),
        max_age=SESSION_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return response


async def sign_out(request: Request) -> Response:
    """End the operator's session (the cookie is cleared) and go back to /stats."""
    response = RedirectResponse(_back_to_stats(request), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response
