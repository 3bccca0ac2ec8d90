"""gunicorn's access log without bearer secrets or search terms.

An invitation link ``/i/<token>`` is a credential: whoever reads it in a log
could answer in the invited citizen's place. Query strings hold what staff
searched for (comment searches, a phone number on the contact-data page,
e-mails in the audit filter). The log keeps the path's shape and the query's
parameter names, never their values.

Hook (gunicorn.conf.py): ``logger_class = "survey.accesslog.RedactingLogger"``
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote

from gunicorn.glogging import Logger

HIDDEN = "-"
# Paths whose segment after the prefix is a secret (the invitation token).
_SECRET_PATHS = re.compile(r"^(/i/)[^/?#]+")


def redact_target(target: str) -> str:
    """``/i/abc?q=x&page=2`` -> ``/i/-?q=-&page=-``."""
    path, sep, query = target.partition("?")
    path = _SECRET_PATHS.sub(lambda m: m.group(1) + HIDDEN, path)
    if not sep:
        return path
    names = [quote(name, safe="") for name, _ in parse_qsl(query, True)]
    return path + "?" + "&".join(f"{name}={HIDDEN}" for name in names)


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with the request line, path, query and referrer
    redacted and credentials' headers left out."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        raw = environ.get("RAW_URI") or environ.get("PATH_INFO", "")
        atoms["r"] = (
            f"{environ.get('REQUEST_METHOD')} {redact_target(raw)} "
            f"{environ.get('SERVER_PROTOCOL')}"
        )
        atoms["U"] = redact_target(environ.get("PATH_INFO") or "")
        atoms["q"] = redact_target("?" + (environ.get("QUERY_STRING") or ""))[1:]
        atoms["f"] = HIDDEN
        for key in list(atoms):
            if key.startswith("{") and key.endswith("}i"):
                if key in ("{cookie}i", "{authorization}i", "{referer}i"):
                    atoms[key] = HIDDEN
        return atoms
