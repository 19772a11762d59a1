"""Fixing an issued document (issue 10, point 6): "sửa kế hoạch số 08" reopens its answers at the review;
confirming re-issues the same number; the earlier file stays in /vanban; its deadlines are updated, not
duplicated. The same for a Biên bản (its meeting rewritten, not duplicated), a Nghị quyết and a Kết luận."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import docx
import pytest

from bot.clock import Clock
from bot.issuing import IssueRequest, issue
from bot.revisions import Revision, StaleRevision, match_items
from bot.store.records import Deadline
from handlers.plans import plan_document
from handlers.router import Assistant
from tests.conftest import NOW, ONBOARD, Talk, onboard, select, select_one
from tests.test_issuing_exactly_once import interrupted
from tests.test_meetings import BODY, HEAD, ONBOARD_CELL, ROLL, TAIL, TASK, say_all
from tests.test_plan_flow import confirm, draft

CONFIRM_MINUTES = "Xác nhận và tạo biên bản"


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def sent(talk: Talk) -> tuple[str, bytes]:
    doc = next(o.document for o in talk.last if o.document is not None)
    return doc.filename, doc.data


async def tracker(talk: Talk) -> dict[int, tuple]:
    rows = await select(talk.assistant.store, "SELECT id, kind, title, due, status, snoozed_until FROM deadlines")
    return {r["id"]: tuple(r)[1:] for r in rows}


async def versions(talk: Talk) -> list[tuple]:
    return [tuple(r) for r in await select(talk.assistant.store,
                                           "SELECT document_id, version, number, title FROM document_versions")]


async def plan_08(assistant: Assistant) -> Talk:
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk, number="8")
    assert "Đã lưu kế hoạch 08-KH/CB" in await confirm(talk)
    return talk


async def test_revising_a_plan_keeps_its_number_and_updates_its_deadlines(assistant: Assistant) -> None:
    talk = await plan_08(assistant)
    store = assistant.store
    before = await tracker(talk)
    assert len(before) == 5
    ids = {row[1][:11]: i for i, row in before.items()}
    topic_1, topic_4, report = ids["Chuyên đề 1"], ids["Chuyên đề 4"], ids["Xây dựng kế"]
    await store.mark_deadline_done(1, topic_1, "2026-11-23T09:00:00+07:00")
    await store.snooze_deadline(1, ids["Chuyên đề 2"], date(2027, 3, 1))

    review = await talk.say("sửa kế hoạch số 08")
    assert "Xem lại kế hoạch" in review
    assert "Sửa văn bản đã ban hành: Kế hoạch số 08-KH, 20/11/2026" in review and "giữ nguyên số 08" in review
    # The number is kept: another one typed at its step is refused with the reason.
    await talk.say("sửa 2")
    assert "Bản sửa giữ nguyên số" in await talk.say("9")
    await talk.say("8")
    await talk.say("sửa 5")
    await talk.say("Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (điều chỉnh)")
    await say_all(talk, ["sửa 12", "xóa 1", "Chi ủy", "Xây dựng kế hoạch, báo cáo Đảng ủy trước ngày 10/01/2027.",
                         "Xong"])
    await say_all(talk, ["sửa 9", "xóa 4", "xong"])
    reply = await confirm(talk)
    assert "Đã sửa kế hoạch 08-KH/CB (bản sửa lần 1), số giữ nguyên" in reply
    assert "giữ nguyên 3, cập nhật 1, bỏ 1" in reply

    name, data = sent(talk)
    text = text_of(data)
    assert name == "Kế hoạch 08-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (điều chỉnh).docx"
    assert "Số 08-KH/CB" in text and "Tuyên Quang, ngày 20 tháng 11 năm 2026" in text
    assert "(điều chỉnh)" in text and "trước ngày 10/01/2027" in text and "05/01/2027" not in text
    assert "Quý IV/2027" not in text

    # One document, its number kept; the earlier version kept beside it with its file.
    rows = await select(store, "SELECT id, number, version, title FROM documents")
    assert [tuple(r) for r in rows] == [(1, 8, 2, "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (điều chỉnh)")]
    assert await versions(talk) == [(1, 1, 8, "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027")]

    # The deadlines: not duplicated; the unchanged rows untouched (done stays done, the snooze stays), the
    # changed one updated in its row, the removed one dropped.
    after = await tracker(talk)
    assert len(after) == 4 and topic_4 not in after
    assert after[topic_1] == before[topic_1][:3] + ("done", None)
    assert after[ids["Chuyên đề 2"]][4] == "2027-03-01"
    assert after[report][1:3] == ("Xây dựng kế hoạch, báo cáo Đảng ủy", "2027-01-10")  # its title: what it dates

    # /vanban lists the current version with its mark; the earlier file is one tap away.
    listing = await talk.say("/vanban")
    assert "1. Kế hoạch số 08-KH, 20/11/2026: Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (điều chỉnh) " \
           "(bản sửa lần 1)" in listing
    assert {"Gửi lại 1", "Sửa 1", "Bản cũ 1"} <= set(talk.choices())
    old = await talk.tap("Bản cũ 1")
    assert "bản cũ, không còn hiệu lực" in old and "/vanban sua 1" in old
    name, data = sent(talk)
    assert name == ("Kế hoạch 08-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (bản gốc, đã được "
                    "thay).docx")
    old_text = text_of(data)
    assert "Số 08-KH/CB" in old_text and "05/01/2027" in old_text and "(điều chỉnh)" not in old_text
    await talk.say("/vanban")
    await talk.tap("Gửi lại 1")
    assert "(điều chỉnh)" in text_of(sent(talk)[1])

    # A second revision from /vanban: version 3, two earlier versions listed to choose from.
    await talk.say("/vanban")
    assert "Xem lại kế hoạch" in await talk.tap("Sửa 1")
    assert "(bản sửa lần 2)" in await confirm(talk)
    assert len(await tracker(talk)) == 4
    listing = await talk.say("/vanban bancu 1")
    assert "1. bản gốc" in listing and "2. bản sửa lần 1" in listing
    await talk.tap("Nhận bản sửa lần 1")
    assert "(điều chỉnh)" in text_of(sent(talk)[1]) and sent(talk)[0].endswith("(bản sửa lần 1, đã được thay).docx")


async def test_revise_by_words_with_or_without_diacritics_and_not_found(assistant: Assistant) -> None:
    talk = await plan_08(assistant)
    for words in ["sua ke hoach so 8", "sửa kh 8", "Sửa KH 08", "sửa lại kế hoạch số 08-KH/CB"]:
        reply = await talk.say(words)
        assert "Sửa văn bản đã ban hành: Kế hoạch số 08-KH" in reply, words
        await talk.say("/huy")
    reply = await talk.say("sửa kế hoạch số 99")
    assert "Không tìm thấy kế hoạch số 99 của đơn vị" in reply and "Xin lỗi" not in reply
    assert "sửa biên bản số" in (await talk.say("sửa biên bản")).replace("“", "")
    assert "Không tìm thấy biên bản số 3" in await talk.say("sua bien ban so 3")
    assert "Không tìm thấy văn bản này" in await talk.say("/vanban sua 77")
    assert "chưa được sửa lần nào" in await talk.say("/vanban bancu 1")
    # Nothing was issued by opening and cancelling.
    assert await versions(talk) == []


async def test_a_date_moved_into_another_year_is_refused_for_a_yearly_series(assistant: Assistant) -> None:
    talk = Talk(assistant)
    answers = list(ONBOARD)
    answers[10] = "Theo năm"
    await onboard(talk, answers)
    await draft(talk, number="8")
    await confirm(talk)
    await talk.say("sửa kế hoạch số 8")
    await say_all(talk, ["sửa 1", "05/01/2027"])
    reply = await confirm(talk)
    assert "nằm ngoài năm 2026" in reply and "giữ nguyên số 08" in reply and "Xem lại kế hoạch" in reply
    assert await versions(talk) == []
    await say_all(talk, ["sửa 1", "25/11/2026"])
    assert "Đã sửa kế hoạch 08-KH/CB (bản sửa lần 1)" in await confirm(talk)
    assert "Tuyên Quang, ngày 25 tháng 11 năm 2026" in text_of(sent(talk)[1])
    row = await select_one(assistant.store, "SELECT issued_on, number, series FROM documents")
    assert tuple(row) == ("2026-11-25", 8, "KH:2026")


async def test_a_double_confirm_or_a_restart_makes_one_version(store, monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = await plan_08(assistant)
    await talk.say("sửa kế hoạch số 8")
    await say_all(talk, ["sửa 5", "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (sửa)"])
    # Stopped after rendering, before the transaction: nothing written; a new process confirms once.
    await interrupted(assistant, talk, "Xác nhận và tạo văn bản", monkeypatch, "render")
    assert await versions(talk) == []
    talk.assistant = Assistant(store, Clock(frozen=NOW))
    review = list(talk.last)
    assert "(bản sửa lần 1)" in await talk.say("Xác nhận và tạo văn bản")
    # The same confirm button tapped again (a double tap): the same revision, no second one.
    talk.last = review
    again = await talk.tap("Xác nhận và tạo văn bản")
    assert "đã được tạo" in again and "không tạo thêm bản nào" in again
    assert len(await versions(talk)) == 1
    # Stopped right after the commit: the next message delivers the revision, never a third version.
    await talk.say("sửa kế hoạch số 8")
    await say_all(talk, ["sửa 5", "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (sửa lần hai)"])
    await interrupted(assistant, talk, "Xác nhận và tạo văn bản", monkeypatch, "commit")
    talk.assistant = Assistant(store, Clock(frozen=NOW))
    reply = await talk.say("Xác nhận và tạo văn bản")
    assert "chưa kịp gửi" in reply and "(bản sửa lần 2)" in reply
    assert "(sửa lần hai)" in text_of(sent(talk)[1])
    assert [v[1] for v in await versions(talk)] == [1, 2]
    row = await select_one(store, "SELECT COUNT(*), MAX(version) FROM documents")
    assert tuple(row) == (1, 3)
    assert len(await tracker(talk)) == 5


async def test_a_revision_of_a_replaced_version_is_refused(assistant: Assistant) -> None:
    talk = await plan_08(assistant)
    store = assistant.store
    unit = await store.get_unit(1)
    assert unit is not None
    doc = await store.document(1, 1)
    assert doc is not None

    def request(subject: str) -> IssueRequest:
        answers = {**doc.answers, "subject": subject}
        return IssueRequest(unit=unit, kind=doc.kind, doc_type="KH", issued_on=doc.issued_on, title=subject,
                            answers=answers, created_by="test:u1", file_head="Kế hoạch", file_title=subject,
                            build=lambda n: plan_document(unit, doc.kind, {**answers, "number": n}),
                            revises=Revision(doc.id, 1))

    first, second = await asyncio.gather(issue(store, request("Bản sửa thứ nhất của kế hoạch")),
                                         issue(store, request("Bản sửa thứ hai của kế hoạch")),
                                         return_exceptions=True)
    outcomes = sorted(type(r).__name__ for r in (first, second))
    assert outcomes == ["Issued", "StaleRevision"]
    assert len(await versions(talk)) == 1
    with pytest.raises(StaleRevision):
        await issue(store, request("Lại từ bản gốc"))
    # In the conversation: a draft opened before another revision was confirmed is not saved over it.
    await talk.say("sửa kế hoạch số 8")
    await store.conn.execute("UPDATE documents SET version = version + 1")  # another chat confirmed meanwhile
    reply = await confirm(talk)
    assert "không còn là bản hiện hành" in reply and "/vanban sua 1" in reply
    assert len(await versions(talk)) == 1


async def minutes_and_conclusion(assistant: Assistant) -> Talk:
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_CELL)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap(CONFIRM_MINUTES)
    await talk.tap("Soạn kết luận")
    await talk.tap("20/11/2026")
    await say_all(talk, ["1", "Tuyên Quang", "xong", "T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"])
    assert "Đã lưu kết luận 01-KL/CB" in await talk.tap("Xác nhận và tạo văn bản")
    return talk


async def test_revising_minutes_rewrites_the_meeting_and_offers_its_conclusion(assistant: Assistant) -> None:
    talk = await minutes_and_conclusion(assistant)
    store = assistant.store
    meeting = (await select_one(store, "SELECT id FROM meetings"))["id"]
    task = await tracker(talk)
    await store.mark_deadline_done(1, next(iter(task)), "2026-11-25T09:00:00+07:00")

    review = await talk.say("sửa biên bản số 1")
    assert "Xem lại biên bản" in review and "Sửa văn bản đã ban hành: Biên bản số 01-BB" in review
    await say_all(talk, ["sửa 9", "Phạm Văn Dũng", "Vắng có lý do", "Đi công tác", "Xong", "sửa 18", "3"])
    reply = await talk.tap(CONFIRM_MINUTES)
    assert "Đã sửa biên bản 01-BB/CB (bản sửa lần 1), số giữ nguyên" in reply
    assert "có mặt 3/5 đồng chí" in reply and "kết luận số 01-KL" in reply
    text = text_of(sent(talk)[1])
    assert "Số 01-BB/CB" in text and "đồng chí Phạm Văn Dũng (đi công tác)" in text

    # One meeting, its id kept, its attendance rewritten; the task not duplicated and still done.
    assert [r["id"] for r in await select(store, "SELECT id FROM meetings")] == [meeting]
    rows = {r["person_name"]: (r["status"], r["reason"]) for r in await select(
        store, "SELECT person_name, status, reason FROM attendance WHERE meeting_id = ?", meeting)}
    assert len(rows) == 6 and rows["Phạm Văn Dũng"] == ("excused", "Đi công tác")
    assert rows["Nguyễn Văn An"] == ("present", None)
    after = await tracker(talk)
    assert list(after) == list(task) and next(iter(after.values()))[3] == "done"
    assert [r["meeting_id"] for r in await select(store, "SELECT meeting_id FROM deadlines")] == [meeting]
    assert (await select_one(store, "SELECT COUNT(*) AS n FROM documents"))["n"] == 2

    # The conclusion written from the earlier minutes: revised from the minutes as they are now.
    review = await talk.tap("Sửa kết luận 01")
    assert "Sửa văn bản đã ban hành: Kết luận số 01-KL" in review and "nội dung lấy theo biên bản đã sửa" in review
    assert "Đã sửa kết luận 01-KL/CB (bản sửa lần 1), số giữ nguyên" in await talk.tap("Xác nhận và tạo văn bản")
    text = text_of(sent(talk)[1])
    assert "Số 01-KL/CB" in text and "3/5" in text
    answers = (await store.document(1, 2)).answers  # type: ignore[union-attr]
    assert answers["meeting_id"] == meeting and len(answers["m"]["absent"]) == 2


async def test_revising_a_resolution_by_words(assistant: Assistant) -> None:
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_CELL)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap(CONFIRM_MINUTES)
    await talk.tap("Soạn nghị quyết")
    await talk.tap("20/11/2026")
    await say_all(talk, ["2", "Tuyên Quang", "xong", "T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"])
    assert "Đã lưu nghị quyết 02-NQ/CB" in await talk.tap("Xác nhận và tạo văn bản")
    review = await talk.say("sua nghi quyet 2")
    assert "Sửa văn bản đã ban hành: Nghị quyết số 02-NQ" in review and "biên bản đã sửa" not in review
    await say_all(talk, ["sửa 4", "Xã Kim Phú"])
    assert "Đã sửa nghị quyết 02-NQ/CB (bản sửa lần 1), số giữ nguyên" in await talk.tap("Xác nhận và tạo văn bản")
    text = text_of(sent(talk)[1])
    assert "Số 02-NQ/CB" in text and "Xã Kim Phú, ngày 20 tháng 11 năm 2026" in text
    assert await versions(talk) == [(2, 1, 2, "Nghị quyết sinh hoạt chi bộ thường kỳ tháng 11 năm 2026")]
    assert "Không tìm thấy kết luận số 1" in await talk.say("sửa kết luận 1")


async def test_a_question_added_since_the_document_was_issued_is_asked_first(assistant: Assistant) -> None:
    talk = await plan_08(assistant)
    await assistant.store.conn.execute("UPDATE documents SET answers = json_patch(answers, '{\"place\": null}')")
    reply = await talk.say("sửa kế hoạch số 8")
    assert "Địa danh ghi ở dòng ngày tháng?" in reply and "Xem lại kế hoạch" not in reply
    review = await talk.say("Tuyên Quang")
    assert "Xem lại kế hoạch" in review and "Sửa văn bản đã ban hành: Kế hoạch số 08-KH" in review
    assert "(bản sửa lần 1)" in await confirm(talk)


async def test_a_revised_plan_can_be_shared_again(assistant: Assistant) -> None:
    from bot.reminders.sweeper import Sweeper
    from tests.test_sharing import GROUP, Recorder, in_group, issue_plan

    store = assistant.store
    owner, share = await issue_plan(assistant)
    await in_group(assistant, "/lienket")
    assert "Sẽ gửi tới 1 nhóm Telegram" in await owner.say("Gửi cho chi bộ", choice=share)
    telegram = Recorder()
    await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()
    await owner.say("sửa kế hoạch số 1")
    await say_all(owner, ["sửa 5", "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027 (điều chỉnh)"])
    assert "(bản sửa lần 1)" in await confirm(owner)
    assert "Sẽ gửi tới 1 nhóm Telegram" in await owner.tap("Gửi cho chi bộ")
    await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()
    shares = telegram.shares()
    assert [chat for chat, _ in shares] == [GROUP, GROUP]
    assert shares[1][1].document is not None and "(điều chỉnh)" in text_of(shares[1][1].document.data)
    assert "(bản sửa lần 1)" in shares[1][1].text


def test_items_are_matched_by_kind_wording_and_day() -> None:
    def row(i: int, title: str, due: str, kind: str = "deadline") -> Deadline:
        return Deadline(id=i, unit_id=1, kind=kind, title=title, due=date.fromisoformat(due))

    old = [row(1, "Báo cáo trước ngày 05/01/2027.", "2027-01-05"), row(2, "Nộp đảng phí", "2027-02-01"),
           row(3, "Họp chi ủy", "2027-03-01", "event"), row(4, "Tổng kết", "2027-12-01")]
    new = [{"kind": "deadline", "title": "Báo cáo trước ngày 10/01/2027.", "due": "2027-01-10"},
           {"kind": "deadline", "title": "Nộp đảng phí", "due": "2027-02-01"},
           {"kind": "event", "title": "Họp chi ủy mở rộng", "due": "2027-03-01"},
           {"kind": "deadline", "title": "Việc mới", "due": "2027-04-01"}]
    plan = match_items(old, new)
    assert [i for i, _ in plan.keep] == [2]
    assert sorted(i for i, _ in plan.update) == [1, 3]
    assert [i["title"] for i in plan.add] == ["Việc mới"] and plan.drop == [4]
