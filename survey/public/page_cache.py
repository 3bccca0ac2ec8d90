"""The form's first page, rendered once per worker; each citizen's tokens filled in.

Opening the form was half the cost of the whole answer (issue 24): loading
the version's questions, their rules, and rendering 10 questions' worth of
template, the same for every citizen of a version, unit and language. Only
two values differ between citizens: the CSRF token and the signed ticket.
The first render of a page is split around those two values; later citizens
get the same text with their own values joined in.

A kept page is keyed by everything it shows that may change: the template,
the version (so publishing a new one is a new page), the unit, the language
and the request's path and query. It is forgotten with the worker's kept
surveys (``survey.services.answering.surveys.forget``: this worker changed a survey, a
version or a unit) and after SURVEY_CACHE_SECONDS, as those copies are (so
another worker's edit of a unit's name shows as soon). A request with a
message waiting to be flashed, or any other query argument, is rendered
afresh. On unless SURVEY_PAGE_CACHE says otherwise; off in tests
(``app.testing``) unless it is set.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Response, current_app, request, session
from flask_wtf.csrf import generate_csrf

from survey import current_lang
from survey.services.answering.surveys import (
    KEPT_PAGES as PAGES,  # an LRU of Kept by key
)

MAX_PAGES = 256  # per worker: a few KB each
_QUERY_ARGUMENTS = frozenset({"c", "lang"})
_PLAIN = re.compile(r"[A-Za-z0-9._\-]+")  # what HTML writes as is in a value


@dataclass(frozen=True)
class Kept:
    made: float  # time.monotonic() of the render
    parts: tuple[str, ...]  # the page's text between the per-request values
    order: tuple[int, ...]  # which value goes after each part but the last
    packed: tuple[bytes, ...] = ()  # each part, deflated on its own (``gzip_page``)


def enabled() -> bool:
    setting = current_app.config.get("SURVEY_PAGE_CACHE")
    return not current_app.testing if setting is None else bool(setting)


def split_page(html: str, values: Sequence[str], made: float) -> Kept | None:
    """The page cut around each value, or None unless each occurs exactly once."""
    found = []
    for index, value in enumerate(values):
        if not value or html.count(value) != 1:
            return None
        found.append((html.index(value), index, len(value)))
    parts, order, start = [], [], 0
    for at, index, length in sorted(found):
        parts.append(html[start:at])
        order.append(index)
        start = at + length
    parts.append(html[start:])
    return Kept(made, tuple(parts), tuple(order), _deflated(parts))


def _deflated(parts: Sequence[str]) -> tuple[bytes, ...]:
    """Each part as raw deflate blocks, ending on a byte (a full flush; the
    last one final), so that parts and values can be strung together."""
    packed = []
    for number, part in enumerate(parts, start=1):
        deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        ending = zlib.Z_FINISH if number == len(parts) else zlib.Z_FULL_FLUSH
        packed.append(deflate.compress(part.encode()) + deflate.flush(ending))
    return tuple(packed)


def gzip_page(kept: Kept, values: Sequence[str]) -> bytes:
    """The filled page as one gzip member, compressing only the values.

    The parts were deflated once; each value goes between them as a stored
    (uncompressed) block, so a request costs a CRC over the page's bytes
    instead of compressing 12 KB.
    """
    body = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", kept.packed[0]]
    crc = zlib.crc32(kept.parts[0].encode())
    size = len(kept.parts[0].encode())
    for index, part, packed in zip(
        kept.order, kept.parts[1:], kept.packed[1:], strict=True
    ):
        value = values[index].encode()
        if len(value) > 0xFFFF:
            raise ValueError("a value longer than a stored block")
        body += (b"\x00", struct.pack("<HH", len(value), 0xFFFF ^ len(value)), value)
        body.append(packed)
        raw = part.encode()
        crc = zlib.crc32(raw, zlib.crc32(value, crc))
        size += len(value) + len(raw)
    body.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


def fill_page(kept: Kept, values: Sequence[str]) -> str:
    pieces = [kept.parts[0]]
    for index, part in zip(kept.order, kept.parts[1:], strict=True):
        pieces += (values[index], part)
    return "".join(pieces)


def _cacheable() -> bool:
    return (
        request.method == "GET"
        and set(request.args) <= _QUERY_ARGUMENTS
        and "_flashes" not in session
    )


def first_page(
    key: tuple[object, ...], ticket: str, render: Callable[[], str]
) -> str | Response:
    """The page ``render()`` makes with this ticket, from the kept copy if any.

    ``key`` names what the page shows (template, version, unit); the CSRF
    token comes from the request's session, as the template's own would.
    A kept page goes out already compressed when the client takes gzip.
    """
    seconds = current_app.config["SURVEY_CACHE_SECONDS"]
    if seconds <= 0 or not enabled() or not _cacheable():
        return render()
    pages: OrderedDict[tuple[object, ...], Kept]
    pages = current_app.extensions.setdefault(PAGES, OrderedDict())
    full_key = (*key, current_lang(), request.full_path)
    now = time.monotonic()
    kept = pages.get(full_key)
    if kept is not None and now - kept.made < seconds:
        pages.move_to_end(full_key)
        values = (generate_csrf(), ticket)
        if not all(_PLAIN.fullmatch(value) for value in values):
            return render()  # would need escaping: never for these signers
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            return fill_page(kept, values)
        response = Response(gzip_page(kept, values), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
    html = render()
    kept = split_page(html, (generate_csrf(), ticket), now)
    if kept is not None:
        pages[full_key] = kept
        pages.move_to_end(full_key)
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)
    return html
