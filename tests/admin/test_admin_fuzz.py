"""Property-based fuzzing of the admin forms: never a 500, a refusal stores nothing."""

import csv
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import User
from survey.models.units import UNIT_KINDS
from tests.admin.helpers import post
from tests.admin.test_admin_designer import create, question_form, survey
from tests.conftest import csrf_token

hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE units; --",
            "\x00\ud7ff\ufeff\u202e",
            "9" * 5000,
            "-1",
            "1e309",
            "2026-13-45T25:61",
            "../../etc/passwd",
            "a|b|c|d|e|f\n|||\n" * 50,
        ]
    ),
)

FORMS = [
    "/admin/surveys/new",
    "/admin/surveys/fuzz/texts",
    "/admin/surveys/fuzz/questions/new",
    "/admin/surveys/fuzz/pages/{page}",
    "/admin/surveys/fuzz/duplicate",
    "/admin/surveys/fuzz/library",
    "/admin/units/new",
    "/admin/units/W1",
    "/admin/users/new",
]


def fingerprint() -> dict[str, int]:
    """Row counts of every table: a refused post must leave them all unchanged."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def field_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)
    return sorted(set(names) - {"csrf_token"})


@pytest.fixture
def fuzz_survey(client, as_admin):
    assert create(client, "fuzz").status_code == 302
    return as_admin


@pytest.mark.parametrize("form", FORMS)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_admin_form_post_is_answered_below_500(client, fuzz_survey, form, data):
    url = form.format(page=survey("fuzz").draft_version.pages[0].id)
    page = client.get(url)
    assert page.status_code == 200
    names = field_names(page.get_data(as_text=True))
    values = {name: data.draw(hostile, label=name) for name in names}
    before = fingerprint()
    response = post(client, url, values)
    assert response.status_code < 500
    if response.status_code != 302:  # refused: the form again, or a 4xx
        assert fingerprint() == before


# --- every other admin form ---------------------------------------------------
#
# A form is read from the page a browser finds it on and posted where that
# page's form posts, with every field or a few of them changed to hostile text,
# a value the page offers (an option, the current value), a plausible value,
# or left out. Accepted posts happen too, so each example starts from the data
# the ones before it left. test_every_admin_form_is_fuzzed keeps the list whole.


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )


# The calendar's ends first: year 1 and year 9999 overflowed on the way to UTC.
MOMENTS = st.one_of(
    st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-29T10:00"]),
    st.datetimes().map(lambda moment: moment.isoformat()[:16]),
)
CODES = ["CITY", "W1", "W2", "S-NN-MT", "B1", "NOPE", "<b>", "x" * 300]
PLAUSIBLE = {
    "unit_code": st.sampled_from(CODES),
    "parent_code": st.sampled_from(CODES),
    "opens_at": MOMENTS,
    "closes_at": MOMENTS,
    "min_n": st.integers(-(10**20), 10**20).map(str),
    "publish_results": st.just("y"),
    "subtree": st.just("y"),
    "active": st.just("y"),
    "required": st.just("y"),
    "password": st.text(min_size=10, max_size=30),
    "action": st.sampled_from(["open", "close", "window"]),
    "direction": st.sampled_from(["up", "down", "left"]),
}


@dataclass(frozen=True)
class Target:
    page: str  # where a browser finds the form (a button's fields are known)
    action: str | None = None  # where it posts; None: back to the page itself
    button: str | None = None  # the one field of a bare button, if any

    def __str__(self) -> str:
        return self.action or self.page


# Forms with fields.
FIELD_FORMS = [
    Target("/admin/surveys/fuzz/questions/{question}"),
    Target("/admin/users/{designer}"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/window"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/settings"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/pages"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/units"),
    Target("/admin/surveys/fuzz/units/pick", "/admin/surveys/fuzz/units/pick"),
    Target("/admin/units/W1", "/admin/units/W1/move"),
]
# Bare buttons: the CSRF token and at most one field.
BUTTONS = [  # in this order, so that each example finds a draft to change
    Target(
        "/admin/surveys/fuzz",
        "/admin/surveys/fuzz/questions/{question}/move",
        "direction",
    ),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/questions/{question}/delete"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/pages/{page}/delete"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/publish"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/state", "action"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/discard"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/draft"),
    Target("/admin/surveys/fuzz", "/admin/surveys/fuzz/delete"),
    Target(
        "/admin/surveys/city-survey", "/admin/surveys/city-survey/units/{code}/remove"
    ),
    Target("/admin/units", "/admin/units/{code}/active"),
]
UPLOAD_FORMS = [
    "/admin/units/import",
    "/admin/surveys/import",
    "/admin/surveys/fuzz/translations",
]


class FormReader(HTMLParser):
    """One form of a page as a browser reads it: per field, what the browser
    sends when nothing is changed (None: nothing, an unticked box) and every
    value the page offers (the current value, the select's options)."""

    def __init__(self, html: str, action: str | None) -> None:
        super().__init__()
        self.action = action  # None: the form that posts back to its page
        self.found = False
        self.fields: dict[str, tuple[str | None, list[str]]] = {}
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._inside = found.get("action") == self.action
            self.found |= self._inside
        name = found.get("name")
        if not self._inside or name == "csrf_token":
            return
        value = found.get("value") or ""
        if tag == "input" and name:
            kind = found.get("type", "text")
            sent: str | None = value
            if kind == "checkbox":
                sent = (value or "on") if "checked" in found else None
            self.fields[name] = (sent, [value] if value else [])
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = (None, [])
        elif tag == "option" and self._select:
            sent, offered = self.fields[self._select]
            if sent is None or "selected" in found:
                sent = value
            self.fields[self._select] = (sent, [*offered, value])
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ("", [])

    def handle_data(self, data: str) -> None:
        if self._textarea:
            sent, offered = self.fields[self._textarea]
            self.fields[self._textarea] = ((sent or "") + data, offered)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            sent, _ = self.fields[self._textarea]
            text = (sent or "").removeprefix("\r\n").removeprefix("\n")
            self.fields[self._textarea] = (text, [text] if text else [])
            self._textarea = None


def value_for(name: str, offered: list[str]):
    """Hostile text, a value the page offers, a plausible one, or nothing.

    What the page offers changes as the examples change the data: it is picked
    by a drawn index, so that the strategy itself never changes (Hypothesis
    replays and shrinks by the draws).
    """
    choices = [
        hostile,
        st.none(),
        st.integers(0, 99).map(lambda i: offered[i % len(offered)] if offered else ""),
    ]
    if name in PLAUSIBLE:
        choices.append(PLAUSIBLE[name])
    return st.one_of(*choices)


def address(template: str, code: str = "W1") -> str:
    """The address with today's ids: the fuzz draft's first page and question."""
    fuzz = survey("fuzz")
    draft = fuzz.draft_version if fuzz else None
    designer = db.session.scalar(  # the fuzzing may change the role: not the e-mail
        select(User.id).where(User.email == "designer@city.gov.vn")
    )
    return template.format(
        page=draft.pages[0].id if draft and draft.pages else 0,
        question=draft.questions[0].id if draft and draft.questions else 0,
        designer=designer,
        code=quote(code, safe=""),
    )


def refused(client, response) -> bool:
    """A 4xx, the form again, or a redirect to a page with an error message."""
    if response.status_code != 302:
        return True
    follow = client.get(response.headers["Location"])
    return follow.status_code >= 400 or "flash-error" in follow.get_data(as_text=True)


def assert_below_500_and_nothing_stored_when_refused(client, url, values) -> None:
    before = fingerprint()
    response = client.post(url, data=values)
    assert response.status_code < 500, (url, values)
    if refused(client, response):
        assert fingerprint() == before, (url, values)


@pytest.fixture
def fuzz_questions(client, fuzz_survey):
    """The fuzz survey's draft with a choice question and a text question."""
    page = survey("fuzz").draft_version.pages[0].id
    for code, kind in (("A", "single"), ("B", "short_text")):
        question = question_form(code=code, type=kind, page=str(page))
        response = post(client, "/admin/surveys/fuzz/questions/new", question)
        assert response.status_code == 302
    return csrf_token(client, "/admin/units")


# One test per kind of form, each example posting to every form of its kind:
# the world is set up once per database, and every form gets every example.


@examples(12)
@given(data=st.data())
def test_every_other_admin_form_is_answered_below_500(client, fuzz_questions, data):
    for target in FIELD_FORMS:
        page = client.get(address(target.page))
        assert page.status_code == 200, target
        action = address(target.action) if target.action else None
        form = FormReader(page.get_data(as_text=True), action)
        assert form.found and form.fields, f"no form posting to {action} on {target}"
        # Every field fuzzed, or the form as the page fills it with up to three
        # fields changed: accepted posts happen too, and change the data.
        names = sorted(form.fields)
        if not data.draw(st.booleans(), label=f"{target}: every field"):
            names = sorted(data.draw(st.sets(st.sampled_from(names), max_size=3)))
        values = {name: sent for name, (sent, _) in form.fields.items()}
        for name in names:
            offered = form.fields[name][1]
            values[name] = data.draw(value_for(name, offered), label=f"{target} {name}")
        sent = {name: value for name, value in values.items() if value is not None}
        assert_below_500_and_nothing_stored_when_refused(
            client,
            action or address(target.page),
            {"csrf_token": fuzz_questions, **sent},
        )


@examples(8)
@given(data=st.data())
def test_every_admin_button_is_answered_below_500(client, fuzz_questions, data):
    for target in BUTTONS:
        code = data.draw(st.sampled_from(CODES), label=f"{target} code")
        values = {"csrf_token": fuzz_questions}
        if target.button:
            value = data.draw(
                value_for(target.button, []), label=f"{target} {target.button}"
            )
            if value is not None:
                values[target.button] = value
        assert_below_500_and_nothing_stored_when_refused(
            client, address(str(target), code), values
        )


# --- uploads: the units CSV, a survey's JSON or XLSForm -----------------------
#
# Files are random bytes, or near-valid files with a few places changed, so
# that some imports go through and the rest fail deep inside the readers.

UNITS_HEADER = ["code", "parent_code", "name_vi", "name_en", "kind"]
new_codes = st.from_regex(r"[A-Z][A-Z0-9_.-]{0,8}", fullmatch=True)
csv_cells = st.one_of(
    hostile, new_codes, st.sampled_from(CODES + list(UNIT_KINDS) + ["Phường", ""])
)
good_unit_rows = st.tuples(
    new_codes,
    st.sampled_from(CODES),
    st.text(min_size=1, max_size=20),
    st.text(max_size=20),
    st.sampled_from(UNIT_KINDS),
).map(list)


@st.composite
def units_csv(draw) -> bytes:
    """A CSV as a spreadsheet saves it: mostly the right header, rows of cells."""
    header = draw(st.sampled_from([UNITS_HEADER, UNITS_HEADER[:3], ["Code", "x"]]))
    rows = draw(
        st.lists(st.one_of(good_unit_rows, st.lists(csv_cells, max_size=6)), max_size=6)
    )
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
    return out.getvalue().encode(encoding, "replace")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


def places(document, where=()):
    """Every place in a JSON document: the keys and indexes leading to it."""
    yield where
    if isinstance(document, dict):
        for key, value in document.items():
            yield from places(value, (*where, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from places(value, (*where, index))


@st.composite
def changed_definition(draw, definition: dict) -> bytes:
    """An exported definition with none to three places changed."""
    document = json.loads(json.dumps(definition))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(list(places(document))[1:]))
        holder = document
        for step in where[:-1]:
            holder = holder[step]
        holder[where[-1]] = draw(json_values)
    return json.dumps(document, ensure_ascii=False).encode()


XLSFORM = {
    "survey": [
        ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "required",
         "relevant", "constraint"],
        ["select_one yn", "late", "Trễ hẹn?", "Late?", "yes", "", ""],
        ["text", "why", "Vì sao?", "Why?", "", "${late} = 'yes'", ""],
        ["integer", "visits", "Số lần?", "Visits?", "no", "", ". >= 1 and . <= 20"],
    ],
    "choices": [
        ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"],
        ["yn", "yes", "Có", "Yes"],
        ["yn", "no", "Không", "No"],
    ],
    "settings": [["form_title", "default_language"], ["Khảo sát", "Vietnamese (vi)"]],
}  # fmt: skip
XLSFORM_WORDS = [
    "type", "name", "label", "hint", "list_name", "select_one yn",
    "select_multiple yn", "select_one nope", "text", "integer", "decimal", "date",
    "note", "begin group", "end group", "begin repeat", "calculate", "yes", "no",
    "${why} = 'x'", "${nope} > 1", ". > 3 or", "selected(${late}, 'yes')",
]  # fmt: skip
xlsform_cells = st.one_of(
    st.sampled_from(XLSFORM_WORDS),
    hostile.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


@st.composite
def xlsform(draw) -> bytes:
    """A real workbook: the test XLSForm with up to six cells changed, rows
    added or sheets left out."""
    sheets = {title: [list(row) for row in rows] for title, rows in XLSFORM.items()}
    for _ in range(draw(st.integers(0, 6))):
        title = draw(st.sampled_from(sorted(sheets)))
        rows = sheets[title]
        row = draw(st.integers(0, len(rows)))
        if row == len(rows) or not rows[row]:
            rows.append(draw(st.lists(xlsform_cells, max_size=7)))
        else:
            rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(xlsform_cells)
    left_out = draw(st.sets(st.sampled_from(sorted(sheets)), max_size=1))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        if title not in left_out:
            sheet = book.create_sheet(title)
            for cells in rows:
                sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(extension: str):
    """A plain name with the right extension, or anything a client may send."""
    return st.one_of(
        st.just(f"file.{extension}"),
        st.sampled_from(["a.xls", "", "../../x.json", "tên đơn vị.JSON", "x.xlsx"]),
        hostile,
        hostile.map(lambda text: f"{text}.{extension}"),
    )


def upload(client, url: str, token: str, name: str, content: bytes, **fields):
    """POST a file as the page's form does (multipart)."""
    data = {"csrf_token": token, **fields, "file": (io.BytesIO(content), name)}
    return client.post(url, data=data, content_type="multipart/form-data")


@examples(25)
@given(data=st.data())
def test_any_units_csv_is_answered_below_500(client, fuzz_questions, data):
    content = data.draw(st.one_of(units_csv(), st.binary(max_size=300)), label="file")
    name = data.draw(file_name("csv"), label="filename")
    before = fingerprint()
    response = upload(client, "/admin/units/import", fuzz_questions, name, content)
    assert response.status_code < 500
    after = fingerprint()
    added = re.search(r"(\d+) units? added", response.get_data(as_text=True))
    # Exactly the units the report counts were added; nothing when it counts none.
    assert after["units"] - before["units"] == (int(added.group(1)) if added else 0)
    if after["units"] == before["units"]:
        assert after == before


@pytest.fixture
def definition(client, fuzz_questions) -> dict:
    return json.loads(client.get("/admin/surveys/city-survey/export.json").data)


@examples(30)
@given(data=st.data())
def test_any_survey_file_is_answered_below_500(
    client, fuzz_questions, definition, data
):
    kind = data.draw(st.sampled_from(["json", "xlsx", "bytes"]), label="kind")
    content = data.draw(
        {
            "json": st.one_of(
                changed_definition(definition),
                json_values.map(lambda value: json.dumps(value).encode()),
            ),
            "xlsx": xlsform(),
            "bytes": st.binary(max_size=300),
        }[kind],
        label="file",
    )
    # Half the posts name the file and the new survey plainly: those get deep.
    if data.draw(st.booleans(), label="plain name and slug"):
        name = f"file.{'json' if kind == 'bytes' else kind}"
        slug = data.draw(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True))
    else:
        name = data.draw(file_name(kind), label="name")
        slug = data.draw(st.one_of(st.sampled_from(["fuzz", ""]), hostile))
    before = fingerprint()
    response = upload(
        client, "/admin/surveys/import", fuzz_questions, name, content, slug=slug
    )
    assert response.status_code < 500
    after = fingerprint()
    imported = "Open the draft" in response.get_data(as_text=True)
    if response.status_code == 302 or imported:
        assert after["surveys"] == before["surveys"] + 1
    else:
        assert after == before


@st.composite
def translation_sheet(draw) -> bytes:
    """The fuzz draft's own texts sheet with a few cells made hostile."""
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    header = draw(st.sampled_from([["key", "vietnamese", "english"], ["x"], []]))
    keys = st.one_of(
        st.sampled_from(["title", "A.text", "B.text", "A.option.1"]), hostile
    )
    rows = draw(
        st.lists(st.lists(st.one_of(keys, hostile, st.none()), max_size=4), max_size=6)
    )
    book = Workbook()
    for row in [header, *rows]:
        try:
            book.active.append(row)
        except (ValueError, IllegalCharacterError):  # a workbook cannot hold them
            book.active.append(["?"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@examples(20)
@given(data=st.data())
def test_any_translation_sheet_is_answered_below_500(client, fuzz_questions, data):
    content = data.draw(st.one_of(translation_sheet(), st.binary(max_size=300)))
    name = data.draw(file_name("xlsx"), label="name")
    before = fingerprint()
    url = "/admin/surveys/fuzz/translations"
    response = upload(client, url, fuzz_questions, name, content)
    assert response.status_code < 500
    if response.status_code == 422:
        assert fingerprint() == before
