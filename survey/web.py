"""Response hooks shared by every blueprint: security headers, gzip, globals."""

from __future__ import annotations

import gzip
from functools import lru_cache
from typing import Any

from flask import Response, abort, request, url_for

from survey import current_lang

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


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
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


def url_for_lang(lang: str) -> str:
    """The current page in another language (keeps path and other arguments)."""
    view_args = request.view_args or {}
    # Query arguments that url_for would read as its own (endpoint, _anchor,
    # _external...) or that clash with the path's arguments are dropped.
    args = {
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
