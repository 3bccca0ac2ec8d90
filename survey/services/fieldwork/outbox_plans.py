"""An outbox's plan: channels, reminders, the texts per wave in Vietnamese
and English, and the links every message carries (the one-time link and the
opt-out link, each an HMAC of the invitation's id with the app's key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable
from string import Template

from flask import current_app
from sqlalchemy import select

from survey.domain.errors import DomainError
from survey.extensions import db
from survey.models import Invitation, Wave
from survey.models.outbox import CHANNELS, OutreachPlan
from survey.services.fieldwork.cases import _keyed_hash

STOP_WORDS = frozenset({"STOP", "TU CHOI", "TUCHOI", "HUY"})

DEFAULT_TEXTS = {
    "subject_vi": "Mời đánh giá mức độ hài lòng về dịch vụ hành chính công",
    "subject_en": "How satisfied were you with the public service?",
    "first_vi": (
        "$unit mời bạn đánh giá hồ sơ vừa được trả kết quả (2 phút): $link "
        "Số điện thoại chỉ dùng cho lời mời này và được xoá khi đợt khảo sát "
        "kết thúc. Không nhận tin nữa: $optout hoặc trả lời TU CHOI"
    ),
    "first_en": (
        "$unit invites you to rate the case it just returned (2 minutes): "
        "$link Your number is used only for this invitation and is erased "
        "when the survey wave ends. No more messages: $optout or reply STOP"
    ),
    "reminder_vi": (
        "Nhắc lại: $unit mong nhận đánh giá của bạn: $link Không nhận tin nữa: $optout"
    ),
    "reminder_en": (
        "Reminder: $unit would value your rating: $link No more messages: $optout"
    ),
}


class PlanError(DomainError):
    """An outreach plan that cannot be used as given."""

    codes = frozenset(
        {
            "no_channel",
            "reminder_count",
            "reminder_gap",
            "unknown_placeholder",
            "link_missing",
            "wave_not_drawn",
            "no_public_address",
        }
    )


# --- links and hashes ---------------------------------------------------------


def optout_token(invitation_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"optout:{invitation_id}".encode(), hashlib.sha256)
    signature = base64.urlsafe_b64encode(digest.digest()).decode()[:22]
    return f"{invitation_id}.{signature}"


def invitation_for_optout(token: str) -> Invitation | None:
    head, _, _sig = token.partition(".")
    if not head.isdigit() or len(token) > 40:
        return None
    if not hmac.compare_digest(optout_token(int(head)), token):
        return None
    return db.session.get(Invitation, int(head))


def email_hash(address: str) -> str:
    return _keyed_hash("email", address.strip().lower())


def is_stop_reply(text: str) -> bool:
    """ "STOP", "TU CHOI", "Từ chối", "huỷ"... (accents and case ignored)."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.upper().split()) in STOP_WORDS


# --- the plan -------------------------------------------------------------------


def plan_for(wave: Wave) -> OutreachPlan:
    """The wave's plan, made with the default texts the first time."""
    plan = db.session.scalar(
        select(OutreachPlan).where(OutreachPlan.wave_id == wave.id)
    )
    if plan is None:
        plan = OutreachPlan(wave_id=wave.id, channels="sms", **DEFAULT_TEXTS)
        plan.max_reminders, plan.reminder_days = 2, 3
        plan.zns_template_id, plan.base_url = "", ""
        db.session.add(plan)
        db.session.flush()
    return plan


def update_plan(
    plan: OutreachPlan, channels: Iterable[object] | None = None, **fields: object
) -> None:
    """Set the plan's channels (kept when None) and any of its other columns."""
    chosen = [str(c) for c in (plan.channel_list() if channels is None else channels)]
    if not chosen or any(c not in CHANNELS for c in chosen):
        raise PlanError("no_channel", "choose at least one channel")
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.channels = ",".join(dict.fromkeys(chosen))
    if not 0 <= plan.max_reminders <= 5:
        raise PlanError("reminder_count", "between 0 and 5 reminders")
    if not 1 <= plan.reminder_days <= 30:
        raise PlanError("reminder_gap", "reminders between 1 and 30 days apart")
    for name in ("first_vi", "first_en", "reminder_vi", "reminder_en"):
        text = getattr(plan, name)
        try:
            Template(text).substitute(link="L", optout="O", unit="U")
        except (KeyError, ValueError) as error:
            raise PlanError(
                "unknown_placeholder", f"{name}: unknown placeholder {error}"
            ) from None
        if "$link" not in text or "$optout" not in text:
            raise PlanError("link_missing", f"{name}: the text needs $link and $optout")
