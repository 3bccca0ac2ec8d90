"""One JSON POST over HTTP (urllib), mapped to the channels' outcomes."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from survey.channels import Transient, json_or_empty


def post_json(
    url: str,
    payload: dict[str, Any] | None,
    headers: dict[str, str],
    timeout: float,
    form: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, JSON body, headers). An unreachable server is ``Transient``
    (nothing was received); a timeout after sending is left to the caller."""
    if not url.startswith(("https://", "http://")):
        raise Transient(f"not an http(s) URL: {url[:60]!r}", retry_after=3600)
    if form is not None:
        from urllib.parse import urlencode

        body = urlencode(form).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(payload, ensure_ascii=False).encode()
        content_type = "application/json"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Accept": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            return reply.status, json_or_empty(reply.read()), dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, json_or_empty(error.read()), dict(error.headers or {})
    except urllib.error.URLError as error:
        if isinstance(error.reason, ConnectionRefusedError | socket.gaierror):
            raise Transient(f"gateway unreachable: {error.reason}") from error
        raise  # a timeout or a reset mid-way: the outcome is unknown


def retry_after(headers: dict[str, str], default: float = 60) -> float:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(1.0, float(value))
            except ValueError:
                return default
    return default
