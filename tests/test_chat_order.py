"""One chat answered in order across worker processes: two stores on one PostgreSQL database stand for two
workers; while one holds a chat's session, the other's answer to that chat waits, and other chats do not."""

from __future__ import annotations

import asyncio

from bot.clock import Clock
from bot.messages import Incoming
from bot.store import Store
from handlers.router import Assistant
from tests.conftest import NOW


async def test_a_chat_waits_for_its_session_in_another_worker_other_chats_do_not(pg_url):
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    other_worker = Assistant(second, Clock(frozen=NOW))
    try:
        async with first.chat_session("telegram", "7"):
            same_chat = asyncio.create_task(other_worker.handle(Incoming("telegram", "7", "7", text="/batdau")))
            other_chat = await asyncio.wait_for(other_worker.handle(Incoming("telegram", "8", "8", text="/batdau")), 10)
            assert other_chat and not same_chat.done()  # chat 8 answered while chat 7 waits for the first worker
            await asyncio.sleep(0.3)
            assert not same_chat.done()
        replies = await asyncio.wait_for(same_chat, 10)  # released: answered at once
        assert [r.text for r in replies] == [r.text for r in other_chat]
    finally:
        await first.close()
        await second.close()


async def test_on_sqlite_a_chat_session_takes_no_lock(tmp_path):
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    async with store.chat_session("telegram", "7"), store.chat_session("telegram", "7"):  # one process: no wait
        assert await store.schema_version() > 0
    await store.close()
