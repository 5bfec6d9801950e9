"""Alerts: what went wrong, to the log always and by e-mail when SMTP is configured.

Configured by environment variables read when an alert is sent:
  BACKTOSCHOOL_SMTP_HOST (no host: log only), BACKTOSCHOOL_SMTP_PORT (25),
  BACKTOSCHOOL_SMTP_FROM, BACKTOSCHOOL_SMTP_TO (comma-separated),
  BACKTOSCHOOL_SMTP_USER / BACKTOSCHOOL_SMTP_PASSWORD (optional),
  BACKTOSCHOOL_SMTP_STARTTLS (true/false, default false).
Sending never raises: an unreachable mail server must not fail a run; it is logged."""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from orchestration.publishing import write_file

log = logging.getLogger("backtoschool.alerts")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None
    password: str | None
    starttls: bool

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        host = os.environ.get("BACKTOSCHOOL_SMTP_HOST")
        recipients = tuple(r.strip() for r in os.environ.get("BACKTOSCHOOL_SMTP_TO", "").split(",") if r.strip())
        if not host or not recipients:
            return None
        return cls(
            host=host,
            port=int(os.environ.get("BACKTOSCHOOL_SMTP_PORT", "25")),
            sender=os.environ.get("BACKTOSCHOOL_SMTP_FROM", "backtoschool@localhost"),
            recipients=recipients,
            user=os.environ.get("BACKTOSCHOOL_SMTP_USER") or None,
            password=os.environ.get("BACKTOSCHOOL_SMTP_PASSWORD") or None,
            starttls=os.environ.get("BACKTOSCHOOL_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
        )


def send_alert(subject: str, body: str) -> bool:
    """Log the alert and e-mail it when SMTP is configured. True when an e-mail was sent."""
    log.warning("%s — %s", subject, body.splitlines()[0] if body else "")
    settings = SmtpSettings.from_env()
    if settings is None:
        return False
    message = EmailMessage()
    message["Subject"] = f"[backtoschool] {subject}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=20) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())  # verifies the server's certificate
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("could not e-mail the alert %r through %s:%s: %s", subject, settings.host, settings.port, error)
        return False
    return True


def send_alert_once(ledger: Path, key: str, occurrence: str, subject: str, body: str) -> bool:
    """``send_alert`` unless this ``occurrence`` of ``key`` was alerted already (the
    ledger, a JSON file, remembers the last occurrence alerted per key): a source that
    stays stale is alerted once, not on every run, and again when its staleness changes
    (a newer, still stale delivery). Logged in any case."""
    try:
        sent = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        sent = {}
    if sent.get(key) == occurrence:
        log.warning("%s (alerted before)", subject)
        return False
    emailed = send_alert(subject, body)
    write_file(ledger, json.dumps({**sent, key: occurrence}, indent=1, sort_keys=True))
    return emailed
