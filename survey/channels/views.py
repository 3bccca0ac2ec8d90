"""The channels' endpoints: delivery reports and replies from the providers
(token-protected), and the opt-out link every message carries.

A provider's token is ``<CHANNEL>_WEBHOOK_TOKEN`` (``EMAIL_``, ``SMS_``,
``ZNS_``), sent as the ``X-Webhook-Token`` header or the ``token`` query
parameter; without one configured the endpoint answers 404.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from survey.channels import setting
from survey.errors import abort_with
from survey.extensions import csrf, db, limiter
from survey.services.fieldwork import outbox_reports
from survey.services.fieldwork.outbox_plans import invitation_for_optout, is_stop_reply

bp = Blueprint("channels", __name__)
csrf.exempt(bp)  # providers post here; the opt-out is a one-click POST (RFC 8058)

SMS_STATES = {
    "delivered": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "expired": "failed",
    "rejected": "failed",
    "bounced": "bounced",
}


def _check_token(channel: str) -> None:
    expected = setting(f"{channel.upper()}_WEBHOOK_TOKEN")
    if not expected:
        abort(404)
    given = request.headers.get("X-Webhook-Token") or request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403)


def _json() -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict | list):
        abort(400)
    return data


def _reports(channel: str, data: Any) -> list[tuple[str, str, str]]:
    """(provider id, status, reason) from a provider's report."""
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items[:1000]:
        if not isinstance(item, dict):
            continue
        if channel == "zns":
            if item.get("event_name") != "user_received_message":
                continue  # other events (a user's reply, a follow) say nothing
            message = item.get("message") or {}
            found.append((str(message.get("msg_id") or ""), "delivered", ""))
        elif channel == "email":
            status = str(item.get("status", "")).lower()
            ident = str(item.get("message_id") or "").strip().strip("<>")
            found.append((ident, status, str(item.get("reason") or "")))
        else:
            status = SMS_STATES.get(str(item.get("status", "")).lower(), "")
            found.append(
                (str(item.get("id") or ""), status, str(item.get("reason") or ""))
            )
    return found


@bp.post("/channels/<any(email, sms, zns):channel>/reports")
def delivery_reports(channel: str) -> Response:
    _check_token(channel)
    recorded = sum(
        outbox_reports.record_report(channel, ident, status, reason)
        for ident, status, reason in _reports(channel, _json())
    )
    db.session.commit()
    return jsonify(ok=True, recorded=recorded)


@bp.post("/channels/<any(sms, zns):channel>/inbound")
def inbound_reply(channel: str) -> Response:
    """A reply from a person: "STOP" or "TU CHOI" ends contact for good."""
    _check_token(channel)
    data = _json()
    if not isinstance(data, dict):
        abort(400)
    if channel == "zns":  # Zalo: {"event_name": "user_send_text", "sender": ...}
        phone = str((data.get("sender") or {}).get("phone") or data.get("phone") or "")
        text = str((data.get("message") or {}).get("text") or "")
    else:
        phone, text = str(data.get("from") or ""), str(data.get("text") or "")
    stopped = is_stop_reply(text) and outbox_reports.opt_out_reply(phone)
    db.session.commit()
    return jsonify(ok=True, opted_out=bool(stopped))


@bp.route("/o/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def opt_out(token: str) -> str:
    """GET asks (a link scanner must not opt anyone out); POST does it."""
    invitation = invitation_for_optout(token)
    if invitation is None:
        abort_with(404, _("This link is not valid. Please check the link."))
    assert invitation is not None
    if request.method == "POST":
        outbox_reports.opt_out_invitation(invitation)
        db.session.commit()
        return render_template("channels/optout.html", done=True, token=token)
    return render_template("channels/optout.html", done=False, token=token)
