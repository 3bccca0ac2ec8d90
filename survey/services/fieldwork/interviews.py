"""The phone interviews of a wave: who made them, the interviewer effect on
the overall item, and the back-check calls (survey.domain.interviewer_effect)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from survey.domain import interviewer_effect as ie
from survey.domain.questions import LIKERT5, OVERALL, RATING5
from survey.extensions import db
from survey.models import (
    Answer,
    Invitation,
    Question,
    Response,
    SurveyVersion,
    User,
    Wave,
)
from survey.models._time import utcnow
from survey.models.fieldwork import AGREEMENTS, BackCheck
from survey.services.fieldwork import not_null

KEY_ITEMS = 3  # the overall item and the next two scale questions
SCALE_ITEMS = frozenset({LIKERT5, RATING5})


class BackCheckError(ValueError):
    """A back-check that cannot be recorded as asked."""


def _phone_interviews(wave: Wave) -> Select[Response]:
    return (
        select(Response)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave.id, Response.interviewer_id.is_not(None))
    )


def overall_by_interviewer(wave: Wave) -> dict[int, list[int]]:
    """Interviewer id -> their interviews' overall answers (codes 1-5)."""
    rows = db.session.execute(
        select(Response.interviewer_id, Answer.value_int)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(
            Invitation.wave_id == wave.id,
            Response.interviewer_id.is_not(None),
            Question.dimension == OVERALL,
            Answer.value_int.between(1, 5),
        )
        .order_by(Response.id)
    )
    answers: dict[int, list[int]] = defaultdict(list)
    for interviewer_id, value in rows:
        answers[not_null(interviewer_id)].append(not_null(value))
    return dict(answers)


@dataclass
class InterviewerRow:
    interviewer: User
    interviews: int
    share: float
    mean: float | None  # of the overall item, 1-5
    icc_without: float | None  # the ICC of the other interviewers
    checks: Counter[str] = field(default_factory=Counter)  # agreement -> count
    queued: int = 0  # drawn, not yet called

    @property
    def checked(self) -> int:
        return sum(self.checks.values())

    @property
    def agreement(self) -> float | None:
        """Share of the back-checks that agreed ("partly" counts half)."""
        if not self.checked:
            return None
        return (self.checks["yes"] + 0.5 * self.checks["partly"]) / self.checked


@dataclass
class Fieldwork:
    effect: ie.InterviewerEffect
    rows: list[InterviewerRow]
    queue: list[BackCheck]
    checked: int


def fieldwork(wave: Wave) -> Fieldwork:
    counts = {
        not_null(interviewer_id): count
        for interviewer_id, count in db.session.execute(
            select(Response.interviewer_id, func.count(Response.id))
            .join(Invitation, Response.invitation_id == Invitation.id)
            .where(Invitation.wave_id == wave.id, Response.interviewer_id.is_not(None))
            .group_by(Response.interviewer_id)
        )
    }
    answers = overall_by_interviewer(wave)
    effect = ie.interviewer_effect(answers, seed=wave.seed)
    without = ie.leave_one_out(answers)
    total = sum(counts.values())
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(counts)))
    }
    rows = {
        uid: InterviewerRow(
            interviewer=users[uid],
            interviews=int(n),
            share=n / total,
            mean=(sum(answers[uid]) / len(answers[uid])) if answers.get(uid) else None,
            icc_without=without.get(uid),
        )
        for uid, n in counts.items()
    }
    checks = list(
        db.session.scalars(
            select(BackCheck).where(BackCheck.wave_id == wave.id).order_by(BackCheck.id)
        )
    )
    for check in checks:
        row = rows.get(check.interviewer_id)
        if row is None:
            continue
        if check.agreement:
            row.checks[check.agreement] += 1
        else:
            row.queued += 1
    ordered = sorted(rows.values(), key=lambda r: (-r.interviews, r.interviewer.email))
    queue = [c for c in checks if c.agreement is None]
    return Fieldwork(effect, ordered, queue, len(checks) - len(queue))


def draw_backchecks(wave: Wave) -> int:
    """Put the back-check sample in the queue; how many were added.

    A later draw samples only the interviews entered since the last one.
    """
    since = db.session.scalar(
        select(func.max(BackCheck.created_at)).where(BackCheck.wave_id == wave.id)
    )
    query = _phone_interviews(wave)
    if since is not None:
        query = query.where(Response.submitted_at > since)
    interviews = [
        ie.Interview(
            id=r.id,
            interviewer_id=not_null(r.interviewer_id),
            flags=(2 if r.hard_flagged else 0) + (r.soft_flag_count or 0),
            duration=r.duration_seconds,
        )
        for r in db.session.scalars(query)
    ]
    seed = wave.seed + (0 if since is None else int(since.timestamp()))
    chosen = ie.backcheck_sample(interviews, seed=seed)
    owners = {i.id: i.interviewer_id for i in interviews}
    now = utcnow()
    for response_id, reason in sorted(chosen.items()):
        db.session.add(
            BackCheck(
                wave_id=wave.id,
                response_id=response_id,
                interviewer_id=owners[response_id],
                reason=reason,
                created_at=now,
            )
        )
    db.session.flush()
    return len(chosen)


def invitation_of(check: BackCheck) -> Invitation | None:
    invitation_id = check.response.invitation_id
    return db.session.get(Invitation, invitation_id) if invitation_id else None


def key_items(check: BackCheck) -> list[tuple[Question, Answer | None]]:
    """The items the back-checker asks again, with the answers first given."""
    response = check.response
    version = db.session.get(SurveyVersion, response.version_id)
    questions = list(version.questions) if version is not None else []
    scale = [q for q in questions if q.type in SCALE_ITEMS]
    overall = [q for q in scale if q.dimension == OVERALL]
    chosen = (overall + [q for q in scale if q not in overall])[:KEY_ITEMS]
    given = {a.question_id: a for a in response.answers}
    return [(q, given.get(q.id)) for q in chosen]


def record_check(check: BackCheck, checker: User, agreement: str, note: str) -> None:
    if agreement not in AGREEMENTS:
        raise BackCheckError("unknown agreement")
    if check.agreement is not None:
        raise BackCheckError("already recorded")
    if checker.id == check.interviewer_id:
        raise BackCheckError("own interview")
    check.agreement = agreement
    check.note = note.strip()[:500]
    check.checker_id = checker.id
    check.checked_at = utcnow()
    db.session.flush()
