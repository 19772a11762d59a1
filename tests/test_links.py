"""Signed links (bot/links.py): the token, its signature, its expiry, its revocation, and the key that signs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import load_settings
from bot.links import Expired, Revoked, Tampered, link_key, resolve, revoke, sign, verify
from bot.store import Store
from tests.conftest import NOW

KEY = b"k" * 32


def test_a_token_round_trips_and_is_url_safe():
    token = sign("d", "AbC-12_x", NOW + timedelta(days=7), KEY)
    assert verify(token, KEY, NOW) == ("d", "AbC-12_x")
    assert len(token) < 64 and all(c.isalnum() or c in "-_." for c in token)


def test_every_changed_character_is_tampering_not_expiry():
    token = sign("d", "AbC-12_x", NOW + timedelta(days=7), KEY)
    for i, ch in enumerate(token):
        for other in {"A", "0", "_", "."} - {ch}:
            changed = token[:i] + other + token[i + 1:]
            with pytest.raises(Tampered):
                verify(changed, KEY, NOW)
    with pytest.raises(Tampered):
        verify(token, b"another key of thirty-two bytes!", NOW)
    for junk in ("", "d", "d.x.1", "d.x.1.y.z", "d.x.-5.abc", "d.x." + "9" * 40 + ".abc", "d.%2e.1.abc"):
        with pytest.raises(Tampered):
            verify(junk, KEY, NOW)


def test_expiry_is_told_apart_from_tampering():
    token = sign("d", "abc", NOW + timedelta(days=7), KEY)
    assert verify(token, KEY, NOW + timedelta(days=6, hours=23))
    with pytest.raises(Expired):
        verify(token, KEY, NOW + timedelta(days=7))
    forged_later = token.replace(str(int((NOW + timedelta(days=7)).timestamp())), "99999999999")
    with pytest.raises(Tampered):  # pushing the expiry back breaks the signature
        verify(forged_later, KEY, NOW + timedelta(days=8))


def test_sign_refuses_what_would_not_parse():
    for kind, ident in (("d", "a.b"), ("d", ""), ("d/x", "a"), ("d", "a" * 65)):
        with pytest.raises(ValueError):
            sign(kind, ident, NOW, KEY)
    with pytest.raises(ValueError):
        sign("d", "a", NOW.replace(tzinfo=None), KEY)


async def test_the_generated_key_survives_a_restart_and_the_env_key_wins(tmp_path):
    db = str(tmp_path / "k.sqlite3")
    plain = load_settings({})
    store = await Store.open(db)
    first = await link_key(store, plain)
    await store.close()
    store = await Store.open(db)
    try:
        assert await link_key(store, plain) == first and len(first) >= 40
        assert await link_key(store, load_settings({"CHIBO_SECRET_KEY": "from the environment"})) == \
            b"from the environment"
    finally:
        await store.close()
    other = await Store.open(str(tmp_path / "other.sqlite3"))
    try:
        assert await link_key(other, plain) != first  # a random key per database
    finally:
        await other.close()


async def test_revoked_and_unknown_links_do_not_resolve(store):
    settings = load_settings({})
    unit_id = await store.create_unit({"kind": "chi_bo", "name": "Chi bộ Thử", "code": "CB", "place": "Hà Nội",
                                       "signer_name": "A", "signer_title": "Bí thư"}, [])
    key = await link_key(store, settings)
    await store.add_link("live", "d", unit_id, None, NOW, NOW + timedelta(days=7))
    token = sign("d", "live", NOW + timedelta(days=7), key)
    assert (await resolve(store, settings, token, NOW)).unit_id == unit_id
    with pytest.raises(Tampered):  # a genuine token for another kind of page
        await resolve(store, settings, token, NOW, kind="u")
    assert await revoke(store, token, NOW) and not await revoke(store, "live", NOW)
    with pytest.raises(Revoked):
        await resolve(store, settings, token, NOW)
    with pytest.raises(Revoked):  # signed with the right key, but never handed out
        await resolve(store, settings, sign("d", "never", NOW + timedelta(days=1), key), NOW)
