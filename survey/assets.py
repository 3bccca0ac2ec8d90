"""Static files: content-hashed names, cached for a year, sent compressed.

``url_for('static', filename='css/site.css')`` gives ``/static/css/site.<hash>.css``
(a URL default registered here, so every template keeps plain ``url_for``):
the hash is the file's content, so a changed file has a new address and the
old one can be kept by any browser or proxy for a year (``immutable``: not
even revalidated on reload). A hashed file is read and gzip-compressed once
per worker and content; under its plain name it is sent the same way but
revalidated each time (``no-cache``), and a stale hash is a 404.

``inline_style('css/site.css')`` (a template global) writes a stylesheet into
the page itself, so the form's first view needs no second request; the
Content-Security-Policy allows exactly that text through its SHA-256 hash
(``content_security_policy``), never ``'unsafe-inline'``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from markupsafe import Markup

IMMUTABLE = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 10
# The stylesheets a page may inline: their hashes are in every page's CSP.
INLINE_STYLES = ("css/site.css",)
_HASHED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$"
)
_COMPRESSIBLE = (".css", ".js", ".svg", ".txt", ".json")
_EXTENSION = "survey.assets"


@dataclass(frozen=True)
class Asset:
    digest: str  # the first DIGEST_LENGTH hex digits of the content's SHA-256
    data: bytes
    gzipped: bytes | None  # None: not worth compressing (or an image)


class Assets:
    """One worker's copies of the static files, keyed by their stat."""

    def __init__(self, folder: str, watch: bool = True) -> None:
        self.folder = Path(folder).resolve()
        # Whether a kept file is checked again (its stat) at each use: in
        # development and tests; a deployment restarts the workers instead.
        self.watch = watch
        self._paths: dict[str, Path] = {}
        self._files: dict[str, tuple[tuple[int, int], Asset]] = {}
        self.policies: dict[tuple[str, ...], str] = {}  # by the styles' digests

    def get(self, filename: str) -> Asset | None:
        """The file's current content and digest, or None if it is not there."""
        kept = self._files.get(filename)
        if kept is not None and not self.watch:
            return kept[1]
        path = self._paths.get(filename)
        if path is None:
            path = (self.folder / filename).resolve()
            if not path.is_relative_to(self.folder):
                return None
            if len(self._paths) < 1000:  # addresses asked for, not only files
                self._paths[filename] = path
        try:
            stat = path.stat()
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        if kept is None or kept[0] != key:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
            packed = (
                gzip.compress(data, compresslevel=9, mtime=0)
                if filename.endswith(_COMPRESSIBLE) and len(data) >= 300
                else None
            )
            kept = self._files[filename] = (key, Asset(digest, data, packed))
        return kept[1]


def _assets() -> Assets:
    assets: Assets = current_app.extensions[_EXTENSION]
    return assets


def hashed_name(filename: str) -> str:
    """``css/site.css`` -> ``css/site.<digest>.css`` (unchanged if not found)."""
    asset = _assets().get(filename)
    if asset is None:
        return filename
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return f"{filename}.{asset.digest}"
    return f"{stem}.{asset.digest}.{ext}"


def _hash_static_urls(endpoint: str, values: dict[str, object]) -> None:
    filename = values.get("filename")
    if endpoint == "static" and isinstance(filename, str):
        values["filename"] = hashed_name(filename)


def serve_static(filename: str) -> Response:
    """A static file from memory, compressed when the client takes gzip.

    Under its hashed name it is kept for a year; under its plain name (an
    address written outside the templates) it is checked again each time.
    """
    match = _HASHED.match(filename)
    plain = match["stem"] + match["ext"] if match else filename
    asset = _assets().get(plain)
    if asset is None or (match is not None and asset.digest != match["digest"]):
        abort(404)  # an old address after a deployment: its content is gone
    if request.if_none_match.contains(asset.digest):
        response = Response(status=304)
    else:
        accepts = "gzip" in request.headers.get("Accept-Encoding", "")
        body = asset.gzipped if accepts and asset.gzipped else asset.data
        mimetype = mimetypes.guess_type(plain)[0] or "application/octet-stream"
        response = Response(body, mimetype=mimetype)
        if body is asset.gzipped:
            response.headers["Content-Encoding"] = "gzip"
    if asset.gzipped:
        response.vary.add("Accept-Encoding")
    response.set_etag(asset.digest)
    response.headers["Cache-Control"] = IMMUTABLE if match else "no-cache"
    return response


def inline_style(filename: str) -> Markup:
    """A stylesheet as a ``<style>`` element (its hash is in the CSP)."""
    if filename not in INLINE_STYLES:
        raise ValueError(f"{filename} is not in INLINE_STYLES: the CSP would block it")
    asset = _assets().get(filename)
    if asset is None:
        raise FileNotFoundError(filename)
    css = asset.data.decode()
    if "</" in css:
        raise ValueError(f"{filename} would end its <style> element early")
    return Markup(f"<style>{css}</style>")  # noqa: S704 - our own file, checked


def style_hash(text: str) -> str:
    """The CSP source allowing a ``<style>`` element of exactly this text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(base: str) -> str:
    """``base`` with the inline stylesheets' hashes added to ``style-src``."""
    assets = _assets()
    found = [a for a in map(assets.get, INLINE_STYLES) if a is not None]
    key = (base, *(a.digest for a in found))
    policy = assets.policies.get(key)
    if policy is None:
        sources = " ".join(style_hash(a.data.decode()) for a in found)
        policy = base.replace("style-src 'self'", f"style-src 'self' {sources}", 1)
        assets.policies[key] = policy
    return policy


class PublicFilesSessionInterface(SecureCookieSessionInterface):
    """The cookie session, left alone by files anyone may keep.

    Flask-Login looks into the session after every request, which made Flask
    answer ``Vary: Cookie`` for the style sheets and scripts too (and, signed
    in, a refreshed ``Set-Cookie``): once a leader logged in (a new cookie),
    her phone had to ask again for every file it had kept, Plotly's bundle
    fetched on the login page included, a round trip each. A ``public``
    response is the same for every cookie and changes no session: it neither
    sets the cookie nor varies on it (the next page refreshes it).
    """

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        if response.cache_control.public and not session.modified:
            return
        super().save_session(app, session, response)


def init_assets(app: Flask) -> None:
    """Hashed static addresses, their view and the ``inline_style`` global."""
    assert app.static_folder is not None
    watch = app.debug or app.testing
    app.extensions[_EXTENSION] = Assets(app.static_folder, watch)
    app.url_defaults(_hash_static_urls)
    app.view_functions["static"] = serve_static
    app.add_template_global(inline_style, "inline_style")
    app.session_interface = PublicFilesSessionInterface()
