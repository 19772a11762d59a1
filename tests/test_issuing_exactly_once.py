"""Issuing exactly once through the real Assistant: a repeated confirm, an interrupted one, two managers
racing for one number, out-of-range numbers and ids, hostile subjects (issue rows 3-7)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import issuing
from bot.channels.console import Console
from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from handlers.router import Assistant
from tests.conftest import NOW, Talk, make_invite, onboard, select, select_one
from tests.test_meetings import BODY, HEAD, ONBOARD_CELL, ROLL, TAIL, TASK, say_all
from tests.test_plan_flow import THEMATIC, confirm, draft

APOLOGY = "Xin lỗi, tôi gặp lỗi"


def files(talk: Talk) -> list[str]:
    return [o.document.filename for o in talk.last if o.document is not None]


async def counts(assistant: Assistant) -> tuple[int, int, int, int]:
    row = await select_one(assistant.store, "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM meetings), "
                                            "(SELECT COUNT(*) FROM attendance), (SELECT COUNT(*) FROM deadlines)")
    assert row is not None
    return tuple(row)  # type: ignore[return-value]


async def test_a_double_confirm_answers_with_the_same_plan(assistant: Assistant) -> None:
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk)
    last = list(talk.last)
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(talk)
    first = files(talk)
    before = await counts(assistant)
    talk.last = last  # the same button tapped again (a double tap), then the label typed
    again = await confirm(talk)
    assert "đã được tạo: Kế hoạch số 01-KH" in again and APOLOGY not in again
    assert files(talk) == first[:1]
    again = await talk.say("Xác nhận và tạo văn bản")
    assert "đã được tạo" in again and files(talk) == first[:1]
    assert await counts(assistant) == before
    # The next conversation replaces the mark: a plan drafted afterwards is issued as number 02.
    await draft(talk, number="2")
    assert "Đã lưu kế hoạch 02-KH/CB" in await confirm(talk)


async def interrupted(assistant: Assistant, talk: Talk, label: str, monkeypatch: pytest.MonkeyPatch,
                      point: str) -> None:
    """Tap `label` and stop the process's work at `point` of issue(), as a kill would."""
    monkeypatch.setenv(issuing.PAUSE_ENV, point)
    task = asyncio.create_task(talk.tap(label))
    for _ in range(500):
        await asyncio.sleep(0.01)
        if point == "render" or (await counts(assistant))[0]:
            break
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.delenv(issuing.PAUSE_ENV)


@pytest.mark.parametrize("point", ["commit", "pdf"])
async def test_a_meeting_issued_but_never_sent_is_delivered_on_the_next_message(
        store, monkeypatch: pytest.MonkeyPatch, point: str) -> None:
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_CELL)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await interrupted(assistant, talk, "Xác nhận và tạo biên bản", monkeypatch, point)
    committed = await counts(assistant)
    assert committed == (1, 1, 6, 1)
    # A new process (a new Assistant on the same database) gets the confirm again: the stored minutes.
    talk = Talk(Assistant(store, Clock(frozen=NOW)))
    reply = await talk.say("Xác nhận và tạo biên bản")
    assert "chưa kịp gửi: Biên bản số 01-BB" in reply and APOLOGY not in reply
    assert files(talk) == ["Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"]
    stored = await select_one(store, "SELECT filename, content FROM documents")
    assert stored is not None and [o.document.data for o in talk.last if o.document] == [stored["content"]]
    assert "đã được tạo" in await talk.say("Xác nhận và tạo biên bản")  # and once more: still the same
    assert await counts(talk.assistant) == committed
    assert "Số buổi sinh hoạt: 1 (thường kỳ 1" in await talk.say("/thongke")


async def test_an_undelivered_plan_comes_before_the_answer_to_another_message(
        store, monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk)
    await interrupted(assistant, talk, "Xác nhận và tạo văn bản", monkeypatch, "commit")
    reply = await talk.say("/vanban")
    assert reply.index("chưa kịp gửi") < reply.index("Văn bản đã soạn")
    assert files(talk) == ["Kế hoạch 01-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027.docx"]
    assert "chưa kịp gửi" not in await talk.say("/vanban")  # delivered once
    assert (await counts(assistant))[0] == 1


async def test_interrupted_before_the_commit_the_confirm_issues_once(store, monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk)
    last = list(talk.last)
    await interrupted(assistant, talk, "Xác nhận và tạo văn bản", monkeypatch, "render")
    assert await counts(assistant) == (0, 0, 0, 0)
    talk.last = last
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(talk)
    assert (await counts(assistant))[0] == 1


async def test_the_console_resends_an_undelivered_document_on_restart(
        store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = Talk(assistant, channel="console")
    await onboard(talk)
    await draft(talk)
    await interrupted(assistant, talk, "Xác nhận và tạo văn bản", monkeypatch, "commit")
    restarted = Assistant(store, Clock(frozen=NOW))
    resumed = await restarted.resume("console", "u1", "u1")
    assert "chưa kịp gửi" in resumed[0].plain()
    assert [o.document.filename for o in resumed if o.document] == [
        "Kế hoạch 01-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027.docx"]
    # Killed again before the console could write the file: the next start sends it again (never lost).
    assert "chưa kịp gửi" in (await restarted.resume("console", "u1", "u1"))[0].plain()
    await restarted.delivered("console", "u1", "u1")  # what the console does once it has shown the replies
    assert await Assistant(store, Clock(frozen=NOW)).resume("console", "u1", "u1") == []


async def test_a_reply_the_channel_never_sent_comes_again_with_the_next_answer(assistant: Assistant) -> None:
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk)
    inc = Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user, text="Xác nhận và tạo văn bản")
    replies = await assistant.handle(inc)  # the channel then fails to send them (no `delivered`)
    assert [o.document.filename for o in replies if o.document]
    reply = await talk.say("/vanban")
    assert "chưa kịp gửi" in reply and "Văn bản đã soạn" in reply
    assert "chưa kịp gửi" not in await talk.say("/vanban")  # sent with that answer: delivered
    assert (await counts(assistant))[0] == 1


# -- row 5: two managers of one unit, one number ----------------------------------------------------

async def test_two_managers_confirming_the_same_number_at_once_get_two_plans(assistant: Assistant) -> None:
    owner, deputy = Talk(assistant, "u1"), Talk(assistant, "u2")
    await onboard(owner)
    code = (await make_invite(owner)).split("Mã mời: ")[1].split()[0]
    await deputy.say("/batdau")
    await deputy.tap("Tham gia bằng mã mời")
    await deputy.say(code)
    joined = await assistant.store.account("test", "u2")  # a manager (an invite's role: the "members" helper)
    await assistant.store.link_account("test", "u2", joined.unit_id, "manager", joined.display_name)
    assert "2. Số kế hoạch: 1" in await draft(owner) and "2. Số kế hoạch: 1" in await draft(deputy)
    replies = await asyncio.gather(confirm(owner), confirm(deputy))
    assert not any(APOLOGY in r for r in replies), replies
    numbers = sorted(r["number"] for r in await select(assistant.store, "SELECT number FROM documents"))
    assert numbers == [1, 2]
    loser = next(r for r in replies if "02-KH/CB" in r)
    assert "Số vừa chọn đã được dùng trong lúc soạn; kế hoạch nhận số 02" in loser
    assert "Đã lưu kế hoạch 02-KH/CB" in loser
    assert any("Đã lưu kế hoạch 01-KH/CB" in r for r in replies)


# -- row 7: numbers and ids out of range --------------------------------------------------------------

@pytest.mark.parametrize("typed", ["9223372036854775807", "1.000.000.000.000", "10000", "0",
                                   "99999999999999999999999"])
async def test_a_plan_number_out_of_range_is_refused_with_a_message(assistant: Assistant, typed: str) -> None:
    talk = Talk(assistant)
    await onboard(talk)
    for answer in THEMATIC[:3]:
        await talk.say(answer)
    reply = await talk.say(typed)
    assert APOLOGY not in reply
    assert "từ 1 đến 9999" in reply or "không được nhỏ hơn" in reply or "Số này quá lớn" in reply, reply
    assert talk.choices()[0] == "1"  # the suggestion still works, asked again
    assert "Số kế hoạch" not in await talk.say("9999")  # the highest number is taken: the next question
    assert await select(assistant.store, "SELECT * FROM documents") == []


async def test_a_resolution_number_out_of_range_is_refused(assistant: Assistant) -> None:
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_CELL)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await talk.tap("Soạn nghị quyết")
    await talk.say("20/11/2026")
    reply = await talk.say("9223372036854775807")
    assert "Số văn bản phải là một số từ 1 đến 9999." in reply and APOLOGY not in reply
    assert talk.choices()[0] == "1"


async def test_a_huge_legacy_number_does_not_break_the_next_suggestion(assistant: Assistant) -> None:
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk)
    await confirm(talk)
    # A number typed before the bound existed (the tester's 9223372036854775807).
    await assistant.store.conn.execute("UPDATE documents SET number = 9223372036854775807")
    await assistant.store.conn.execute("UPDATE number_series SET last = 9223372036854775807")
    reply = await draft(talk, number="2")
    assert APOLOGY not in reply and "Xem lại kế hoạch" in reply
    assert "Đã lưu kế hoạch 02-KH/CB" in await confirm(talk)


@pytest.mark.parametrize("command", [
    "/vanban gui 99999999999999999999999", "/vanban gui 9223372036854775808", "/vanban gui 0",
    "/vanban lamlai 99999999999999999999999", "/vanban gui ²", "/vanban gui " + "9" * 5000,
    "làm lại từ kế hoạch số 99999999999999999999999", "làm lại từ kế hoạch số " + "9" * 5000,
    "/sinhhoat nghiquyet 99999999999999999999999", "/sinhhoat ketluan ²",
    "/hanchot xong 99999999999999999999999", "/hanchot xem ²", "/hanchot hoan 1 ²",
])
async def test_ids_out_of_range_are_not_found(assistant: Assistant, command: str) -> None:
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say(command)
    assert APOLOGY not in reply
    assert "Không tìm thấy" in reply, reply


# -- row 6: hostile subjects --------------------------------------------------------------------------

@pytest.mark.parametrize("subject", [
    "Tổ chức sinh hoạt\x00chi bộ năm 2027",
    "Tổ chức sinh hoạt chi bộ " + "\U0001F600" * 80,
    "Tổ chức \u202eсинх\u202c sinh hoạt\u200b\x1b[2J chi bộ",
])
async def test_a_hostile_subject_is_issued_written_and_sent_again(
        assistant: Assistant, subject: str, tmp_path: Path) -> None:
    talk = Talk(assistant, channel="console")
    await onboard(talk)
    await draft(talk, replace={6: subject})
    reply = await confirm(talk)
    assert "Đã lưu kế hoạch 01-KH/CB" in reply and APOLOGY not in reply
    console = Console(assistant, user_id="u1", out_dir=tmp_path / "out", stdout=open(tmp_path / "log", "w"))
    console.show(talk.last)  # the file is written: no "embedded null byte", no "File name too long"
    written = list((tmp_path / "out").iterdir())
    assert len(written) == 1 and written[0].name.startswith("Kế hoạch 01-KH-CB - Tổ chức")
    assert len(written[0].name.removesuffix(".docx").encode()) <= issuing.NAME_BYTES
    doc_id = (await select(assistant.store, "SELECT id FROM documents"))[0]["id"]
    await talk.say(f"/vanban gui {doc_id}")
    assert files(talk) == [written[0].name]


def test_the_console_reports_a_file_it_cannot_write(tmp_path: Path) -> None:
    blocked = tmp_path / "out"
    blocked.write_text("a file where the folder should be")
    log = tmp_path / "log"
    with log.open("w") as stdout:
        console = Console(None, user_id="u1", out_dir=blocked, stdout=stdout)
        console.show([Outgoing(text="Đã lưu."), Outgoing(document=issuing.OutDocument("a.docx", b"x")),
                      Outgoing(document=issuing.OutDocument("b\x00.docx", b"x"))])
    shown = log.read_text()
    assert shown.count("Không ghi được tệp") == 2 and "/vanban" in shown
