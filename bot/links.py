"""Signed, expiring, revocable links: how a channel that cannot send files (Zalo) offers a document.

A token is `<kind>.<id>.<expiry>.<mac>`: the kind of page ("d": a document), the link's id (a row of `links`,
so it can be revoked), its expiry in Unix seconds and the first 16 bytes of HMAC-SHA256 over the rest, in
unpadded URL-safe base64. Every part is URL-safe, so a token goes into a path as it is (~50 characters).

`verify` checks the signature first (in constant time), then the expiry: an expired token is reported as
`Expired` only when its signature is right, so "expired" is never said of a forged token. Revocation is the
store's (`links.revoked_at`), checked by `resolve`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.store import Store
from bot.store.records import Link

LINK_DAYS = 7
UPLOAD_HOURS = 24
MAC_BYTES = 16  # 128 bits of HMAC-SHA256
KEY_SETTING = "link_key"
DOCUMENT = "d"
UPLOAD = "u"
_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")
_EXPIRY = re.compile(r"[0-9]{1,12}")


class LinkError(Exception):
    """A link that cannot be followed."""


class Tampered(LinkError):
    """The token is malformed or its signature is wrong (changed, or signed with another key)."""


class Expired(LinkError):
    """A genuine token past its expiry."""


class Revoked(LinkError):
    """A genuine, unexpired token whose link was revoked (or is not in the database any more)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _mac(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES])


def sign(kind: str, ident: str, expires_at: datetime, key: bytes) -> str:
    """The token for page `kind` of link `ident`, valid until `expires_at` (aware)."""
    if not (_PART.fullmatch(kind) and _PART.fullmatch(ident)) or "." in kind + ident:
        raise ValueError("kind and ident must be 1-64 characters of A-Z a-z 0-9 _ -")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at needs its time zone")
    payload = f"{kind}.{ident}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(payload, key)}"


def verify(token: str, key: bytes, now: datetime) -> tuple[str, str]:
    """(kind, ident) of a token signed with `key` and not expired at `now`; Tampered or Expired otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or not (_PART.fullmatch(parts[0]) and _PART.fullmatch(parts[1])
                               and _EXPIRY.fullmatch(parts[2]) and _PART.fullmatch(parts[3])):
        raise Tampered(token)
    kind, ident, expiry, mac = parts
    if not hmac.compare_digest(_mac(f"{kind}.{ident}.{expiry}", key).encode(), mac.encode()):
        raise Tampered(token)
    if now.timestamp() >= int(expiry):
        raise Expired(token)
    return kind, ident


async def link_key(store: Store, settings: Settings) -> bytes:
    """CHIBO_SECRET_KEY, or else the key generated on the first run and kept in the database (app_settings):
    links survive restarts, and a backup of the database carries the key with the links it signed."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    return (await store.setting(KEY_SETTING, secrets.token_urlsafe(32))).encode("ascii")


async def new_document_token(store: Store, settings: Settings, unit_id: int, doc_id: int, now: datetime,
                             days: int = LINK_DAYS) -> str | None:
    """A token for a new link to the unit's document (None when the unit has no such document)."""
    if await store.document(unit_id, doc_id) is None:
        return None
    link_id = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
    expires = now + timedelta(days=days)
    await store.add_link(link_id, DOCUMENT, unit_id, doc_id, now, expires)
    return sign(DOCUMENT, link_id, expires, await link_key(store, settings))


async def document_link(store: Store, settings: Settings, unit_id: int, doc_id: int, now: datetime) -> str | None:
    """`<CHIBO_PUBLIC_URL>/d/<token>`: a page from which the document can be downloaded for LINK_DAYS days.
    None when CHIBO_PUBLIC_URL is not set (no page can be reached) or the unit has no such document."""
    if not settings.public_url:
        return None
    token = await new_document_token(store, settings, unit_id, doc_id, now)
    return f"{settings.public_url}/d/{token}" if token else None


async def upload_link(store: Store, settings: Settings, channel: str, chat_id: str, user_id: str,
                      now: datetime, hours: int = UPLOAD_HOURS) -> str | None:
    """`<CHIBO_PUBLIC_URL>/u/<token>`: a one-time page on which the user picks a plan file on her phone; the file
    goes to this chat as if sent in it (bot/web/upload.py). Valid for `hours`, revoked once a file is accepted.
    None when CHIBO_PUBLIC_URL is not set, or the user belongs to no unit yet (there is nothing to import into)."""
    if not settings.public_url:
        return None
    account = await store.account(channel, user_id)
    if account is None:
        return None
    link_id = secrets.token_urlsafe(9)
    expires = now + timedelta(hours=hours)
    await store.add_link(link_id, UPLOAD, account.unit_id, None, now, expires, chat=(channel, chat_id, user_id))
    return f"{settings.public_url}/u/{sign(UPLOAD, link_id, expires, await link_key(store, settings))}"


async def resolve(store: Store, settings: Settings, token: str, now: datetime, kind: str = DOCUMENT) -> Link:
    """The link a token stands for: Tampered, Expired or Revoked when it cannot be followed."""
    token_kind, ident = verify(token, await link_key(store, settings), now)
    if token_kind != kind:
        raise Tampered(token)
    link = await store.link(ident)
    if link is None or link.revoked_at is not None:
        raise Revoked(token)
    if now.astimezone(UTC) >= link.expires_at:  # the row's expiry too (a token re-signed with a longer one)
        raise Expired(token)
    return link


async def why_not(store: Store, settings: Settings, token: str, now: datetime, kind: str) -> Link | str:
    """The link of a token, or why it opens nothing: "tampered", "expired" or "revoked"."""
    try:
        return await resolve(store, settings, token, now, kind)
    except Tampered:
        return "tampered"
    except Expired:
        return "expired"
    except Revoked:
        return "revoked"


async def revoke(store: Store, token_or_id: str, now: datetime) -> bool:
    """Revoke a link given its token or its id (no signature check: revoking is for the owner of the database)."""
    parts = token_or_id.split(".")
    return await store.revoke_link(parts[1] if len(parts) == 4 else token_or_id, now)
