"""E-mail over SMTP (smtplib), with a one-click opt-out (RFC 8058)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from survey.channels import Outgoing, Rejected, Transient, int_setting, setting


class SmtpChannel:
    """SMTP_HOST, SMTP_PORT (587), SMTP_USER, SMTP_PASSWORD, SMTP_FROM,
    SMTP_SECURITY (starttls | ssl | none), SMTP_TIMEOUT (seconds)."""

    name = "email"

    def build(self, message: Outgoing) -> EmailMessage:
        sender = setting("SMTP_FROM")
        domain = sender.rsplit("@", 1)[-1] or "localhost"
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        # A fixed id per outbox message: a provider that sees it twice can
        # tell it is the same message.
        mail["Message-ID"] = f"<outbox-{message.message_id}@{domain}>"
        mail["Content-Language"] = message.language
        mail["Auto-Submitted"] = "auto-generated"
        mail["List-Unsubscribe"] = f"<{message.optout_link}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(message.text)
        return mail

    def send(self, message: Outgoing) -> str:
        mail = self.build(message)
        host = setting("SMTP_HOST")
        port = int_setting("SMTP_PORT", 587)
        security = setting("SMTP_SECURITY", "starttls").lower()
        timeout = int_setting("SMTP_TIMEOUT", 30)
        try:
            if security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout)
            else:
                client = smtplib.SMTP(host, port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as error:
            # Nothing was handed over: safe to try again.
            raise Transient(f"SMTP server unreachable: {error}"[:200]) from error
        with client:
            try:
                if security == "starttls":
                    client.starttls()
                user = setting("SMTP_USER")
                if user:
                    client.login(user, setting("SMTP_PASSWORD"))
            except (OSError, smtplib.SMTPException) as error:
                raise Transient(f"SMTP session refused: {error}"[:200]) from error
            try:
                client.send_message(mail)
            except smtplib.SMTPRecipientsRefused as error:
                codes = sorted({code for code, _ in error.recipients.values()})
                reason = f"recipient refused (SMTP {codes})"
                if all(400 <= code < 500 for code in codes):
                    raise Transient(reason) from error  # greylisted, mailbox busy
                raise Rejected(reason) from error
            except smtplib.SMTPResponseException as error:
                reason = f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:200]
                if 400 <= error.smtp_code < 500:
                    raise Transient(reason) from error
                raise Rejected(reason) from error
            # A timeout or a lost connection here propagates: the server may
            # have the message, the outcome is unknown.
        return str(mail["Message-ID"]).strip("<>")
