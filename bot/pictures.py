"""Pictures given by address: Zalo's sendPhoto takes a URL, not a file, so a picture sent on Zalo (a page of
a draft, a chart) is stored under a random token and served by `chibo serve` at
`<CHIBO_PUBLIC_URL>/p/<token>.png` (bot/web/app.py) for PICTURE_DAYS days. The token is the only key: 32
random characters, unguessable; the picture is the same whoever holds the address, as for Zalo's own copy."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from bot.config import Settings
from bot.store import Store

PICTURE_DAYS = 7  # as long as a document link
PICTURES_KEPT = 500  # at most this many in the database (about 100 KB each), the oldest pruned first
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def picture_path(token: str) -> str:
    return f"/p/{token}.png"


async def picture_link(store: Store, settings: Settings, png: bytes, channel: str, user_id: str,
                       now: datetime) -> str | None:
    """Store `png` and return `<CHIBO_PUBLIC_URL>/p/<token>.png`; None when there is no public address. The
    picture belongs to the user's unit (deleted with it), when she has one."""
    if not settings.public_url:
        return None
    account = await store.account(channel, user_id)
    token = secrets.token_urlsafe(24)
    await store.add_picture(token, account.unit_id if account else None, png, now,
                            older_than=now - timedelta(days=PICTURE_DAYS), keep=PICTURES_KEPT)
    return settings.public_url + picture_path(token)


async def stored_picture(store: Store, token: str, now: datetime) -> bytes | None:
    """The PNG of a token given out within PICTURE_DAYS; None for an unknown, malformed or old one."""
    if not TOKEN.fullmatch(token):
        return None
    return await store.picture(token, now - timedelta(days=PICTURE_DAYS))
