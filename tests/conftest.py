from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from bot.store import Store
from handlers.router import Assistant

ROOT = Path(__file__).resolve().parent.parent

# No LibreOffice start-ups outside tests/test_pdf.py: in this process and in every subprocess a test starts.
os.environ["CHIBO_PDF"] = "off"
NOW = datetime.fromisoformat("2026-11-23T08:00:00+07:00")  # a Monday


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(str(tmp_path / "test.sqlite3"))
    yield store
    await store.close()


class Talk:
    """Drives the Assistant like a channel would, keeping the last offered choices."""

    def __init__(self, assistant: Assistant, user: str = "u1", channel: str = "test"):
        self.assistant = assistant
        self.user = user
        self.channel = channel
        self.last: list[Outgoing] = []

    async def say(self, text: str = "", choice: str | None = None) -> str:
        inc = Incoming(channel=self.channel, chat_id=self.user, user_id=self.user, text=text, choice=choice,
                       user_name="Tester")
        self.last = await self.assistant.handle(inc)
        return "\n".join(o.plain() for o in self.last)

    async def tap(self, label: str) -> str:
        for out in reversed(self.last):
            for c in out.choices:
                if c.label == label:
                    return await self.say(label, choice=c.value)
        raise AssertionError(f"no choice {label!r} in {[c.label for o in self.last for c in o.choices]}")

    def choices(self) -> list[str]:
        return [c.label for o in self.last for c in o.choices]


@pytest.fixture
def clock():
    return Clock(frozen=NOW)


@pytest.fixture
async def fake():
    """The fake Telegram Bot API server on 127.0.0.1 (tests/fakes/telegram.py)."""
    from tests.fakes.telegram import FakeTelegram

    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def assistant(store):
    return Assistant(store, Clock(frozen=NOW))


ONBOARD = [
    "/batdau", "Tạo đơn vị mới", "Chi bộ", "Đảng bộ xã Kim Phú", "Xóm Định Thành", "CB", "Tuyên Quang",
    "Nguyễn Thị Thược", "Bí thư", "ủy, hòa (kiểu mới)", "Theo nhiệm kỳ",
    "Nguyễn Văn An\nTrần Thị Bình, dự bị\nLê Văn Cường, miễn", "xong", "Xác nhận và lưu",
]


async def onboard(talk: Talk, answers: list[str] = ONBOARD) -> str:
    reply = ""
    for answer in answers:
        reply = await talk.say(answer)
    return reply
