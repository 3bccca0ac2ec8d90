"""Refusals by the rules, each named by a code.

A service raises a ``DomainError`` subclass with a code; the interface (a view,
an error handler, a CLI command) turns the code into words and an HTTP status.
The code is what callers test; the text after it is for logs and the CLI.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(ValueError):
    """A change or a request the rules refuse, with a code naming the case.

    ``codes`` lists the codes a subclass may carry (empty: only its own
    ``code``); an unknown code is a programming error, refused at once.
    """

    code: str = "refused"
    codes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, code: str | None = None, detail: str | None = None) -> None:
        code = code or type(self).code
        allowed = type(self).codes or frozenset({type(self).code})
        if code not in allowed:
            raise ValueError(f"{type(self).__name__} has no code {code!r}")
        super().__init__(detail or code)
        self.code = code
