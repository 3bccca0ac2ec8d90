"""Comments are released by whole blocks of at least min n respondents (issue 18).

A block is unit x local month x channel group x respondent group x version
x hard-flagged (``survey.services.reporting.comment_blocks``). No comment slice may
have fewer than min n respondents behind it, and no two slices may differ
by fewer than min n respondents.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.models.responses import INVITED_CHANNELS
from survey.services.demo import DEMO_SLUG, seed_demo
from survey.services.reporting import text_comments
from survey.services.reporting.local_time import LOCAL_OFFSET
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit


def _page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def _shown(html: str) -> list[str]:
    """The comments a page lists, in order."""
    return re.findall(r"<li><p>(.*?)</p>", html)


def _leader(make_user, login) -> None:
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")


def test_a_block_below_min_n_shows_nothing(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=4, comment="Phục vụ tốt")
    add_responses(survey, unit("W2"), 9, code=2, comment="Chờ lâu quá")
    _leader(make_user, login)
    city = _page(client, "/results/test/comments/NOTE?lang=en")
    assert "Phục vụ tốt" in city and "Chờ lâu quá" not in city
    w2 = _page(client, "/results/test/unit/W2/comments/NOTE?lang=en")
    assert "Chờ lâu quá" not in w2 and "groups of at least 10 respondents" in w2
    # Nor can a search reach into the held-back block.
    found = _page(client, "/results/test/comments/NOTE?lang=en&q=l%C3%A2u")
    assert "Chờ lâu quá" not in found and "0 of 12 comments" in found
    # The questions page counts the same comments as the comments page.
    assert "Read the 12 comments" in _page(client, "/results/test/questions?lang=en")
    # A tenth respondent makes W2's block whole: it shows.
    add_responses(survey, unit("W2"), 1, code=3, comment="Chờ lâu quá")
    assert "Chờ lâu quá" in _page(client, "/results/test/unit/W2/comments/NOTE")


def test_a_channel_or_group_below_min_n_is_held_back_on_its_own(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=4, comment="Qua mã QR")
    add_responses(
        survey, unit("W1"), 4, code=1, comment="Qua thư mời", channel="invited"
    )
    add_responses(
        survey,
        unit("W1"),
        3,
        code=1,
        comment="Doanh nghiệp",
        respondent_group="business",
    )
    _leader(make_user, login)
    every = _page(client, "/results/test/comments/NOTE?lang=en")
    assert "Qua mã QR" in every
    assert "Qua thư mời" not in every and "Doanh nghiệp" not in every
    # "All channels" minus "opt-in" gives nothing away: the same comments.
    optin = _page(client, "/results/test/comments/NOTE?lang=en&channel=optin")
    assert _shown(optin) == _shown(every) and len(_shown(every)) == 12


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5)  # 12:00 in Ho Chi Minh City


def test_two_date_filters_a_few_respondents_apart_show_the_same_comments(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(
        survey,
        unit("W1"),
        12,
        code=4,
        comment="Tháng mười một",
        submitted_at=_at(date(2026, 11, 10)),
    )
    add_responses(
        survey,
        unit("W1"),
        3,
        code=2,
        comment="Đầu tháng mười hai",
        submitted_at=_at(date(2026, 12, 2)),
    )
    _leader(make_user, login)
    base = "/results/test/comments/NOTE?lang=en"
    upto_nov = _page(client, base + "&to=2026-11-30")
    upto_dec2 = _page(client, base + "&to=2026-12-02")
    # December's three respondents are a block of 3: held back in both.
    assert "Đầu tháng mười hai" not in upto_dec2
    assert _shown(upto_nov) == _shown(upto_dec2) and len(_shown(upto_nov)) == 12
    assert "widened to whole months" in upto_dec2 and "Dec 31, 2026" in upto_dec2
    # Ten more in late December: the filters now differ by December's whole
    # block of 13 respondents, whichever day of December they end on.
    add_responses(survey, unit("W1"), 10, code=4, submitted_at=_at(date(2026, 12, 20)))
    upto_dec2 = _page(client, base + "&to=2026-12-02")
    assert "Đầu tháng mười hai" in upto_dec2
    assert _shown(upto_dec2) == _shown(_page(client, base + "&to=2026-12-31"))
    assert "Đầu tháng mười hai" not in _page(client, base + "&to=2026-11-30")


# --------------------------------------------------------------------------- #
# Every pair of a set of views on the demo
# --------------------------------------------------------------------------- #


def _block(row) -> tuple:
    unit_id, at, channel, group, version, flagged = row
    month = (at + LOCAL_OFFSET).strftime("%Y-%m")
    return unit_id, month, channel in INVITED_CHANNELS, group or "", version, flagged


def _admits(flt: ResultFilter, subtree: set[int], row) -> bool:
    """The page's filter, read on a raw response (dates as given)."""
    unit_id, at, channel, group, version, flagged = row
    day = (at + LOCAL_OFFSET).date()
    return (
        unit_id in subtree
        and (flt.date_from is None or day >= flt.date_from)
        and (flt.date_to is None or day <= flt.date_to)
        and (
            not flt.channel
            or (channel in INVITED_CHANNELS) == (flt.channel == "invited")
        )
        and (not flt.group or group == flt.group)
        and (flt.include_flagged or not flagged)
    )


def _violations(views: list[frozenset[int]], block_of, members, min_n) -> list[int]:
    """For every pair of views whose comments differ by more than whole
    blocks of at least min n respondents: how many comments differ."""
    found = []
    for a, b in itertools.combinations(views, 2):
        differing = a ^ b
        if not differing:
            continue
        blocks = {block_of[c] for c in differing}
        whole = all(
            members[k]["comments"] <= differing and members[k]["size"] >= min_n
            for k in blocks
        )
        if not whole:
            found.append(len(differing))
    return found


def test_no_two_comment_views_differ_by_fewer_than_min_n_respondents(app, capsys):
    seed_demo(3000)
    db.session.commit()
    survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
    min_n = survey.min_n
    question = db.session.scalars(
        select(Question.code).where(
            Question.version_id == survey.published_version.id,
            Question.type == "long_text",
        )
    ).first()
    block_columns = (
        Response.unit_id,
        Response.submitted_at,
        Response.channel,
        Response.respondent_group,
        Response.version_id,
        Response.hard_flagged,
    )
    responses = {
        rid: tuple(row)
        for rid, *row in db.session.execute(
            select(Response.id, *block_columns).where(Response.survey_id == survey.id)
        )
    }
    comments = dict(
        db.session.execute(
            select(Answer.id, Answer.response_id)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.code == question, Answer.value_text.is_not(None))
            .where(Answer.value_text != "")
            .where(Answer.response_id.in_(responses))
        ).all()
    )
    block_of = {c: _block(responses[r]) for c, r in comments.items()}
    members: dict[tuple, dict] = defaultdict(lambda: {"size": 0, "comments": set()})
    for row in responses.values():
        members[_block(row)]["size"] += 1
    for c, k in block_of.items():
        members[k]["comments"].add(c)

    city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
    wards = sorted(city.children, key=lambda u: u.code)
    scopes = [city, *random.Random(18).sample(wards, 2)]
    months = sorted({_block(r)[1] for r in responses.values()})
    days = [date.fromisoformat(m + "-01") for m in months[-3:]]
    periods = [(None, None)] + [
        (start, end)
        for first in days
        for start, end in (
            (None, first.replace(day=14)),  # up to mid-month
            (None, first.replace(day=17)),  # three days later
            (first.replace(day=10), None),
        )
    ]
    views, naive = [], []
    for scope, (start, end), channel, group, flagged in itertools.product(
        scopes, periods, ("", "invited", "optin"), ("", "citizen"), (False, True)
    ):
        flt = ResultFilter(
            date_from=start,
            date_to=end,
            channel=channel,
            group=group,
            include_flagged=flagged,
        )
        query = text_comments.comment_query(survey, scope, flt, question)
        shown = frozenset(db.session.scalars(query.with_only_columns(Answer.id)))
        views.append(shown)
        subtree = set(
            db.session.scalars(select(Unit.id).where(Unit.path.startswith(scope.path)))
        )
        naive.append(
            frozenset(
                c for c, r in comments.items() if _admits(flt, subtree, responses[r])
            )
        )
    pairs = len(views) * (len(views) - 1) // 2
    released = set().union(*views)
    with capsys.disabled():
        print(
            f"\ncomments: {len(views)} views, {pairs} pairs; "
            f"{len(released)} of {len(comments)} comments released "
            f"({sum(1 for m in members.values() if m['size'] >= min_n)} of "
            f"{len(members)} blocks); naive slices: "
            f"{len(_violations(naive, block_of, members, min_n))} pairs apart by "
            "part of a block"
        )
    assert released and len(released) < len(comments)
    assert _violations(views, block_of, members, min_n) == []
    # Without the blocks the same pairs differ by a few respondents.
    assert _violations(naive, block_of, members, min_n)


def test_the_method_page_explains_the_comment_groups_in_both_languages(client):
    en = _page(client, "/open/method?lang=en")
    assert "released by fixed groups" in en and "widened to whole months" in en
    vi = _page(client, "/open/method?lang=vi")
    assert "các nhóm cố định" in vi and "tháng trọn vẹn" in vi
