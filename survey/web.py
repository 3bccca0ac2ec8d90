"""Response hooks shared by every blueprint: security headers, gzip, globals."""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from typing import Any

from flask import Response, abort, current_app, request, url_for
from werkzeug.routing import IntegerConverter

from survey import current_lang
from survey.assets import content_security_policy

# Every id in a URL is a database key: an INTEGER column (32-bit signed on
# PostgreSQL, which refuses a larger value with an error).
MAX_ID = 2**31 - 1
# JSON bodies: nested at most this deep (the case API needs 3).
JSON_MAX_DEPTH = 20
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/csv",
        "text/plain",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    }
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def refuse_nul_bytes() -> None:
    """400 for any query or form value holding a NUL character.

    No person types one; PostgreSQL refuses it in any text (a 500 otherwise),
    so it is turned away here, once, before any view or query sees it.
    """
    fields = list(request.args.items(multi=True))
    if request.method == "POST":
        fields += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in fields):
        abort(400)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids a database column can hold.

    An id beyond MAX_ID is "no such page" (404), not an overflow in the
    driver (a 500): 2**63 broke SQLite's driver, 2**31 PostgreSQL's column.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _json_depth(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRING.sub(b"", data)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def guard_json_body() -> None:
    """400 for a JSON body nested too deep, not JSON, or holding a NUL.

    Runs before every view that could read JSON; the body is bounded by
    MAX_CONTENT_LENGTH (413) and parsed once here (the view reads the cached
    value). Depth is counted before parsing, so a 50,000-deep body never
    reaches the recursive parser.
    """
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return
    data = request.get_data(cache=True)
    if _json_depth(data) > JSON_MAX_DEPTH:
        abort(400)
    try:
        body = json.loads(data)
    except RecursionError:
        abort(400)
    except ValueError:  # not JSON: the view says so in its own words
        return
    if _holds_nul(body):
        abort(400)
    request._cached_json = (body, body)  # get_json() reads it from here


# Staff pages and their downloads: never kept by a browser or a proxy (a
# shared computer's back button, a proxy's disk).
STAFF_BLUEPRINTS = frozenset({"admin", "results", "auth"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    if request.blueprint in STAFF_BLUEPRINTS and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(CONTENT_SECURITY_POLICY)
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


@lru_cache(maxsize=32)
def _gzip_static(path: str, etag: str, data: bytes) -> bytes:
    """Static files are compressed once per version, not on every request."""
    return gzip.compress(data, compresslevel=6)


def compress_response(response: Response) -> Response:
    """Gzip text responses ourselves, so the size targets hold without a proxy."""
    if (
        "gzip" not in request.headers.get("Accept-Encoding", "")
        or response.status_code < 200
        or response.status_code >= 300
        or response.status_code == 204
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or response.is_streamed
    ):
        return response
    static = response.direct_passthrough
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < 300:
        return response
    if static:
        compressed = _gzip_static(request.path, response.headers.get("ETag", ""), data)
    else:
        compressed = gzip.compress(data, compresslevel=6)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(compressed))
    response.vary.add("Accept-Encoding")
    return response


def absolute_url(endpoint: str, **values: Any) -> str:
    """An address for outside the app (QR codes, posters, invitation links).

    From SURVEY_BASE_URL when it is set, never from the request's Host header
    (a forged one would print a stranger's address on a poster); without it
    (the embedded demo) from the request, whose host TRUSTED_HOSTS may bound.
    """
    base = current_app.config.get("SURVEY_BASE_URL") or ""
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)


def public_root() -> str:
    """The site's root for outside links, as ``absolute_url`` decides it."""
    return absolute_url("public.home").rstrip("/")


def url_for_lang(lang: str) -> str:
    """The current page in another language (keeps path and other arguments)."""
    view_args = request.view_args or {}
    # Query arguments that url_for would read as its own (endpoint, _anchor,
    # _external...) or that clash with the path's arguments are dropped.
    args: dict[str, Any] = {
        key: value
        for key, value in request.args.items()
        if not key.startswith("_") and key != "endpoint" and key not in view_args
    }
    args["lang"] = lang
    endpoint = request.endpoint or "public.home"
    try:
        return url_for(endpoint, **view_args, **args)
    except Exception:  # a 404 page has no endpoint to rebuild: go home
        return url_for("public.home", lang=lang)


def template_globals() -> dict[str, Any]:
    return {"lang": current_lang(), "url_for_lang": url_for_lang}
