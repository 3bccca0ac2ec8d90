"""The question types: one module per type, each a class that owns its check
of an answer, its coding for the counts and the raw export, its XLSForm
form, its designer settings, its demo answers and its template macro.

A new type is a new module here (found by ``_discover``), plus its macro
in ``templates/_macros/question_types.html`` and its label's translation.
Callers ask ``question_type(code)`` or a family below; none compares type
strings.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from survey.domain.question_types.base import QuestionType, XlsformShape


def _discover() -> tuple[QuestionType, ...]:
    """One instance of each type defined by a module of this package, in the
    designer's order (``position``). A module defines a type by a class with
    a ``code`` of its own."""
    found: list[QuestionType] = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, QuestionType)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                found.append(value())
    return tuple(sorted(found, key=lambda t: (t.position, t.code)))


_TYPES = _discover()
REGISTRY: dict[str, QuestionType] = {t.code: t for t in _TYPES}
QUESTION_TYPES: tuple[str, ...] = tuple(REGISTRY)


class UnknownQuestionType(KeyError):
    """A type code no module of the registry defines."""


def question_type(code: str) -> QuestionType:
    """The type of that code; UnknownQuestionType if there is none."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise UnknownQuestionType(code) from None


def is_known(code: str) -> bool:
    return code in REGISTRY


def codes_where(test: Callable[[QuestionType], bool]) -> frozenset[str]:
    return frozenset(t.code for t in _TYPES if test(t))


# The families the counting, the conditions and the designer ask about.
WITH_OPTIONS = codes_where(lambda t: t.has_options)  # answered by option codes
COUNTED_BY_MEAN = codes_where(lambda t: t.counted_as == "mean")  # scales
COUNTED_BY_OPTIONS = codes_where(lambda t: t.counted_as == "options")  # shares
TEXT_TYPES = codes_where(lambda t: t.is_text)
ORDERED_TYPES = codes_where(lambda t: t.ordered)


def from_xlsform(shape: XlsformShape) -> QuestionType | None:
    """The type an imported XLSForm question of that shape becomes, if any."""
    for kind in sorted(_TYPES, key=lambda t: t.xlsform_priority):
        if kind.reads_xlsform(shape):
            return kind
    return None


__all__ = [
    "COUNTED_BY_MEAN",
    "COUNTED_BY_OPTIONS",
    "ORDERED_TYPES",
    "QUESTION_TYPES",
    "REGISTRY",
    "TEXT_TYPES",
    "WITH_OPTIONS",
    "QuestionType",
    "UnknownQuestionType",
    "XlsformShape",
    "codes_where",
    "from_xlsform",
    "is_known",
    "question_type",
]
