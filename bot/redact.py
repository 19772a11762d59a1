"""Keep secrets and private text out of the logs.

`Redactor` is a logging filter the app shell (`bot/cli.py`) puts on the root logger's handlers, so it
sees every record that reaches stderr, whichever library logged it:

* bot tokens are masked (`123456789:***`): the configured token wherever it appears (httpx logs each
  request URL, https://api.telegram.org/bot<TOKEN>/getUpdates), anything shaped like a token, whatever
  stands between `/bot` and the next `/` of a URL (a Zalo token need not look like Telegram's:
  https://bot-api.zaloplatforms.com/bot***/getUpdates), and any other secret handed to `remember`
  (the webhook's secret);
* python-telegram-bot logs an update it cannot parse at CRITICAL with the raw data, which holds the
  user's text: above DEBUG that data is withheld.
"""

from __future__ import annotations

import logging
import re

TOKEN_SHAPE = re.compile(r"\b(\d{3,}):[A-Za-z0-9_-]{30,}")
# The path segment after /bot in an API URL (Telegram, Zalo), unless it is masked already.
URL_TOKEN = re.compile(r"(?<=[^/]/bot)(?![^/\s]*\*\*\*)[^/\s?#.\"'<>]{8,}(?=/)")
RAW_DATA = "Received data was"  # python-telegram-bot's messages that quote an unparsed update
MASK = "***"


class Redactor(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self._secrets: list[str] = []
        for secret in secrets or []:
            self.remember(secret)

    def remember(self, secret: str) -> None:
        """Mask `secret` from now on (ignored when empty or too short to be a secret)."""
        if len(secret) >= 6 and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                head, sep, _ = secret.partition(":")
                text = text.replace(secret, f"{head}:{MASK}" if sep and head.isdigit() else MASK)
        return URL_TOKEN.sub(MASK, TOKEN_SHAPE.sub(rf"\1:{MASK}", text))

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and record.args and isinstance(record.msg, str) and RAW_DATA in record.msg:
            message = record.msg.split(RAW_DATA)[0] + RAW_DATA + " withheld (it may hold a user's text)."
        else:
            message = record.getMessage()
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_installed: list[Redactor] = []


def install(secrets: list[str]) -> Redactor:
    """Put one Redactor on every handler of the root logger (after `logging.basicConfig`)."""
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    _installed.append(redactor)
    return redactor


def remember(secret: str) -> None:
    """Mask a secret learnt after start-up (e.g. a generated webhook secret) in every installed Redactor."""
    for redactor in _installed:
        redactor.remember(secret)
