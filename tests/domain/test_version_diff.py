"""The diff a designer reads before publishing a new version."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from survey.domain import version_diff as vd

SAT = vd.QuestionSnapshot(
    "SAT",
    "likert5",
    "Ông/Bà hài lòng?",
    "Satisfied?",
    dimension="overall",
    options=(("1", "Rất không hài lòng"), ("5", "Rất hài lòng")),
)
WHY = vd.QuestionSnapshot("WHY", "short_text", "Vì sao?", "Why?", required=False)


def kinds(changes: list[vd.Change]) -> list[tuple[str, str, bool]]:
    return [(c.code, c.kind, c.breaks_trend) for c in changes]


def test_a_reworded_index_item_breaks_its_trend_a_plain_question_does_not():
    changes = vd.diff_versions(
        [SAT, WHY],
        [
            replace(SAT, text_vi="Ông/Bà hài lòng với dịch vụ?"),
            replace(WHY, text_vi="Tại sao?"),
        ],
    )
    assert kinds(changes) == [("SAT", "wording", True), ("WHY", "wording", False)]
    assert changes[0].before == "Ông/Bà hài lòng?"


def test_english_wording_and_order_are_listed_without_breaking():
    changes = vd.diff_versions([SAT], [replace(SAT, text_en="Happy?", page=2)])
    assert kinds(changes) == [("SAT", "wording_en", False), ("SAT", "moved", False)]


def test_options_range_type_and_removal_of_an_index_item_break():
    new = replace(SAT, options=(("1", "Rất không hài lòng"), ("4", "Hài lòng")))
    assert kinds(vd.diff_versions([SAT], [new])) == [("SAT", "options", True)]
    typed = replace(SAT, type="rating5")
    assert kinds(vd.diff_versions([SAT], [typed])) == [("SAT", "type", True)]
    ranged = replace(SAT, min_value=1, max_value=3)
    assert vd.diff_versions([SAT], [ranged])[0].after == "1–3"
    assert kinds(vd.diff_versions([SAT, WHY], [WHY])) == [("SAT", "removed", True)]
    assert kinds(vd.diff_versions([WHY], [WHY, SAT])) == [("SAT", "added", False)]


def test_required_is_said_in_words():
    change = vd.diff_versions([WHY], [replace(WHY, required=True)])[0]
    assert (change.kind, change.before, change.after) == (
        "required",
        "optional",
        "required",
    )


snapshots = st.builds(
    vd.QuestionSnapshot,
    code=st.sampled_from(["A", "B", "C", "D"]),
    type=st.sampled_from(["single", "likert5", "short_text"]),
    text_vi=st.text(max_size=8),
    dimension=st.sampled_from([None, "overall"]),
    required=st.booleans(),
    page=st.integers(1, 3),
)
versions = st.lists(snapshots, max_size=4, unique_by=lambda q: q.code)


@given(versions)
def test_a_version_against_itself_has_no_changes(questions):
    assert vd.diff_versions(questions, questions) == []


@given(versions, versions)
def test_every_code_added_or_removed_is_listed_once(old, new):
    changes = vd.diff_versions(old, new)
    old_codes, new_codes = {q.code for q in old}, {q.code for q in new}
    added = [c.code for c in changes if c.kind == vd.ADDED]
    removed = [c.code for c in changes if c.kind == vd.REMOVED]
    assert sorted(added) == sorted(new_codes - old_codes)
    assert sorted(removed) == sorted(old_codes - new_codes)
    for change in changes:
        if change.breaks_trend:
            assert change.kind in vd.MEANING
