"""The documents of a meeting: its Biên bản (flow `meeting`) and the Nghị quyết / Kết luận written from it
(flow `resolution`, started by `/sinhhoat nghiquyet N` / `/sinhhoat ketluan N`).

On confirm, through the issuing pipeline (bot/issuing.py), in one transaction: the Biên bản (kind
"minutes", doc type BB, its own number series), one `meetings` row, one `attendance` row per roster
member, each task as a deadline row (document_id and meeting_id set), and the draft's completion.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from bot import dates
from bot.documents import Document, Signature, plain_text, render_text
from bot.formats import ROMAN, clock_text, mm, percent, quarter_of, upper_first
from bot.issuing import Issued, IssueRequest, file_name, number_problem, outgoing_documents, pdf_note, series
from bot.messages import Choice, Outgoing
from bot.store.records import NewMeeting, Unit
from bot.templating import environment
from bot.text import apply_spelling
from bot.tidy import sentences
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, provider, validator
from handlers.meetings.attendance import attendance_of, check, periods, resolve
from handlers.meetings.wording import held_phrase, split_conclusion
from handlers.plans import share_choice
from handlers.previews import page_preview
from handlers.reissue import (
    issue_or_explain,
    kept_number_problem,
    revised_document,
    revised_lines,
    revision_of,
)

QUALITY = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
RESOLUTIONS = {"NQ": ("NGHỊ QUYẾT", "Nghị quyết"), "KL": ("KẾT LUẬN", "Kết luận")}
MINUTES_TYPE = "BB"


# -- the documents ----------------------------------------------------------------------------

def _who(text: str, answers: dict[str, Any]) -> str:
    """A speaker or task owner as the minutes name them: a member's full name, else as typed."""
    people = (answers.get("roster") or []) + [{"name": g["name"]} for g in answers.get("guests") or []]
    member = resolve(text, people)
    return member["name"] if member else text


def meeting_name(answers: dict[str, Any]) -> str:
    """'sinh hoạt chi bộ thường kỳ tháng 11 năm 2026', 'sinh hoạt chi bộ chuyên đề quý IV năm 2026'."""
    if answers["kind"] == "thuong_ky":
        p = periods(answers)
        return f"sinh hoạt chi bộ thường kỳ tháng {mm(p['month'])} năm {p['year']}"
    held = date.fromisoformat(answers["held_on"])
    return f"sinh hoạt chi bộ chuyên đề quý {ROMAN[quarter_of(held) - 1]} năm {held.year}"


def title_lines(answers: dict[str, Any]) -> list[str]:
    """The title under BIÊN BẢN: the meeting in capitals, then the topic of a thematic one."""
    lines = [meeting_name(answers).upper()]
    if answers["kind"] == "chuyen_de":
        lines.append(f"Chuyên đề: “{plain_text(answers['topic'])}”")
    return lines


def view(answers: dict[str, Any], unit: Unit | None) -> dict[str, Any]:
    """What the templates print besides the answers themselves: counts, names, derived texts."""
    c = attendance_of(answers)
    against = answers.get("vote_against") or 0
    for_ = answers.get("vote_for") or 0
    v: dict[str, Any] = {
        "c": c,
        "name": meeting_name(answers),
        "start": clock_text(answers["started_at"]),
        "end": clock_text(answers["ended_at"]) if answers.get("ended_at") else "",
        "speeches": [],
        "tasks": [{"owner": _who(t["owner"], answers), "member": resolve(t["owner"], answers.get("roster") or []),
                   "what": t["what"], "due": t["due"]} for t in answers.get("tasks") or []],
        "vote": f"{for_}/{c.present} đồng chí tán thành ({percent(for_, c.present)}), {against} đồng chí không "
                "tán thành" + (f", {c.present - for_ - against} đồng chí không biểu quyết"
                               if c.present - for_ - against > 0 else ""),
        "vote_percent": percent(for_, c.present),
        "quality": QUALITY.get(answers.get("quality") or "", answers.get("quality") or ""),
        "dues": answers.get("dues") or "",
        "periods": periods(answers) if answers["kind"] == "thuong_ky" else None,
        "held": held_phrase(answers),
        "conclusion": split_conclusion(answers),
        "quarter": ROMAN[quarter_of(date.fromisoformat(answers["held_on"])) - 1],
    }
    for speech in answers.get("speeches") or []:
        lines = speech["said"].splitlines() or [""]
        v["speeches"].append({"who": _who(speech["who"], answers), "first": lines[0], "rest": lines[1:]})
    return v


class _Header(TypedDict):
    superior: str
    issuer: str


def _header(unit: Unit) -> _Header:
    style = unit.spelling
    return {"superior": apply_spelling(unit.superior, style).upper(), "issuer": apply_spelling(unit.name, style).upper()}


def minutes_document(unit: Unit, answers: dict[str, Any], number: int | None) -> Document:
    held = date.fromisoformat(answers["held_on"])
    body = environment().get_template("minutes/minutes.md.j2").render(a=answers, v=view(answers, unit), unit=unit)
    style = unit.spelling
    return Document(
        **_header(unit),
        number=f"Số {number:02d}-{MINUTES_TYPE}/{unit.code}" if number else f"Số      -{MINUTES_TYPE}/{unit.code}",
        place_date=f"{unit.place}, {dates.format_date_long(held)}",
        doc_type="BIÊN BẢN",
        subject=apply_spelling("\n".join(title_lines(answers)), style),
        body=apply_spelling(body.strip(), style),
        signature_left=Signature("", "THƯ KÝ", answers["secretary"]),
        signature=Signature("", "CHỦ TRÌ", answers["chair"]),
    )


def resolution_title(answers: dict[str, Any]) -> str:
    return f"{RESOLUTIONS[answers['res_kind']][1]} {meeting_name(answers['m'])}"


def resolution_document(unit: Unit, answers: dict[str, Any]) -> Document:
    m = answers["m"]
    doc_type = answers["res_kind"]
    issued = date.fromisoformat(answers["issued_on"])
    number = answers.get("number")
    body = environment().get_template("minutes/resolution.md.j2").render(
        a=answers, m=m, v=view(m, unit), unit=unit, kind=doc_type)
    style = unit.spelling
    subject = meeting_name(m)
    subject = subject[0].upper() + subject[1:]
    if m["kind"] == "chuyen_de":
        subject += f"\nChuyên đề: “{plain_text(m['topic'])}”"
    return Document(
        **_header(unit),
        number=f"Số {number:02d}-{doc_type}/{unit.code}" if number else f"Số      -{doc_type}/{unit.code}",
        place_date=f"{answers['place']}, {dates.format_date_long(issued)}",
        doc_type=RESOLUTIONS[doc_type][0],
        subject=apply_spelling(subject, style),
        body=apply_spelling(body.strip(), style),
        recipients=[apply_spelling(r, style) for r in sentences.recipients(answers.get("recipients") or [])],
        signature=Signature(answers["authority"], answers["signer_title"], answers["signer_name"]),
    )


# -- actions ----------------------------------------------------------------------------------

@action("meeting.preview")
async def preview(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    answers = draft.answers
    errors, warnings = check(answers, ctx.unit)
    doc = minutes_document(ctx.unit, answers, None)
    name = file_name("Biên bản", None, MINUTES_TYPE, ctx.unit.code, upper_first(meeting_name(answers)))
    picture = await page_preview(ctx, doc, name)  # a picture of the page, or the text
    out = [picture] if picture is not None else [Outgoing(title="Xem trước", text=render_text(doc))]
    notes = [f"Cần sửa: {e}" for e in errors] + [f"Lưu ý: {w}" for w in warnings]
    return out + ([Outgoing(text="\n".join(notes))] if notes else [])


@action("meeting.save")
async def save(ctx: Context, draft: Draft) -> list[Outgoing]:
    unit = ctx.unit
    assert unit is not None
    answers = draft.answers
    errors, warnings = check(answers, unit)
    if errors:
        note = Outgoing(text="Chưa tạo được biên bản vì:\n" + "\n".join(f"- {e}" for e in errors)
                        + "\nXin sửa các mục liên quan (gõ “sửa N”).")
        return [note] + await ctx.engine.start(ctx, "meeting", answers=answers, meta=draft.meta, review=True)
    title = "Biên bản " + meeting_name(answers)
    tasks = [{"kind": "deadline", "title": t["what"], "due": t["due"], "who": _who(t["owner"], answers),
              "source": title} for t in answers.get("tasks") or []]
    revision = revision_of(draft)
    result = await issue_or_explain(ctx, draft, IssueRequest(
        unit=unit, kind="minutes", doc_type=MINUTES_TYPE, issued_on=date.fromisoformat(answers["held_on"]),
        title=title, answers=answers, created_by=f"{ctx.incoming.channel}:{ctx.incoming.user_id}",
        build=lambda number: minutes_document(unit, answers, number), file_head="Biên bản",
        file_title=upper_first(meeting_name(answers)), items=tasks, meeting=new_meeting(answers), draft=ctx.key,
        revises=revision))
    if isinstance(result, list):
        return result
    issued = result
    if revision is not None:
        return await _minutes_revised(ctx, issued, answers, warnings)
    out = outgoing_documents(issued)
    doc_id, meeting_id = issued.doc_id, issued.meeting_id
    c = attendance_of(answers)
    lines = [f"Đã lưu biên bản {issued.shown_number} ({title[0].lower() + title[1:]}; mã văn bản {doc_id}).",
             f"Có mặt {c.present}/{c.due} đồng chí ({c.percent_text}); biểu quyết {view(answers, unit)['vote']}."]
    lines += [f"Lưu ý: {w}" for w in warnings]
    if tasks:
        lines.append(f"Đã đưa {len(tasks)} việc chi bộ giao vào danh sách hạn chót; các việc này sẽ được đưa vào "
                     "chương trình kiểm điểm ở buổi sinh hoạt thường kỳ tới:")
        lines += [f"- {dates.format_date_short(date.fromisoformat(t['due']))}: {t['who']} — {t['title']}"
                  for t in tasks[:10]]
    lines += pdf_note(issued)
    lines.append("Đồng chí có thể soạn luôn nghị quyết hoặc kết luận của buổi sinh hoạt từ các nội dung trên:")
    out.append(Outgoing(text="\n".join(lines), choices=[
        Choice("Soạn nghị quyết", f"/sinhhoat nghiquyet {meeting_id}"),
        Choice("Soạn kết luận", f"/sinhhoat ketluan {meeting_id}"),
        share_choice(doc_id),
    ]))
    return out


async def _minutes_revised(ctx: Context, issued: Issued, answers: dict[str, Any],
                           warnings: list[str]) -> list[Outgoing]:
    """The reply to a revised Biên bản; the Nghị quyết / Kết luận written from it are offered for revising."""
    assert ctx.unit is not None
    c = attendance_of(answers)
    lines = revised_lines("biên bản", issued)
    lines.append(f"Điểm danh và các việc chi bộ giao được cập nhật theo bản sửa (không tạo thêm buổi sinh hoạt): có "
                 f"mặt {c.present}/{c.due} đồng chí ({c.percent_text}).")
    lines += [f"Lưu ý: {w}" for w in warnings] + pdf_note(issued)
    choices = [share_choice(issued.doc_id)]
    written = await ctx.store.resolutions_of_meeting(ctx.unit.id, issued.meeting_id) if issued.meeting_id else []
    if written:
        names = [f"{RESOLUTIONS[t][1].lower()} số {n:02d}-{t}" if n else f"{RESOLUTIONS[t][1].lower()} không số"
                 for _, t, n in written]
        lines.append(f"Buổi sinh hoạt này đã có {', '.join(names)}, soạn theo bản trước của biên bản. Nếu nội dung "
                     "sửa ảnh hưởng đến văn bản đó, chọn “Sửa …” dưới đây để cập nhật theo biên bản đã sửa (giữ nguyên số).")
        choices = [Choice(f"Sửa {RESOLUTIONS[t][1].lower()} {n:02d}" if n else f"Sửa {RESOLUTIONS[t][1].lower()}",
                          f"/vanban sua {doc_id}") for doc_id, t, n in written] + choices
    return outgoing_documents(issued) + [Outgoing(text="\n".join(lines), choices=choices)]


def new_meeting(answers: dict[str, Any]) -> NewMeeting:
    """The meetings row and everyone's attendance, recorded with the minutes."""
    held = date.fromisoformat(answers["held_on"])
    if answers["kind"] == "thuong_ky":
        month, year = (int(x) for x in answers["month"].split("/"))
    else:
        month, year = held.month, held.year
    c = attendance_of(answers)
    excused = dict(c.excused)
    rows = []
    for member in answers.get("roster") or []:
        name = member["name"]
        status = ("exempt" if member["exempt"] else "excused" if name in excused
                  else "absent" if name in c.unexcused else "present")
        rows.append((name, status, excused.get(name)))
    return NewMeeting(kind=answers["kind"], period_year=year, period_month=month, topic=answers.get("topic"),
                      held_on=answers["held_on"], started_at=answers["started_at"], ended_at=answers.get("ended_at"),
                      answers=answers, attendance=tuple(rows))


@action("resolution.preview")
async def resolution_preview(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    answers = draft.answers
    doc = resolution_document(ctx.unit, answers)
    kind = answers["res_kind"]
    name = file_name(RESOLUTIONS[kind][1], answers.get("number"), kind, ctx.unit.code,
                     upper_first(meeting_name(answers["m"])))
    picture = await page_preview(ctx, doc, name)  # a picture of the page, or the text
    return [picture] if picture is not None else [Outgoing(title="Xem trước", text=render_text(doc))]


@provider("resolution.next_number")
async def resolution_next_number(ctx: Context, draft: Draft) -> list[str]:
    assert ctx.unit is not None
    revised = await revised_document(ctx, draft)
    if revised is not None:  # a revision keeps its number
        return [str(revised.number)] if revised.number is not None else []
    answers = draft.answers
    issued = date.fromisoformat(answers["issued_on"])
    return [str(await ctx.store.next_number(ctx.unit.id, series(ctx.unit, answers["res_kind"], issued)))]


@validator("resolution.number")
async def check_resolution_number(ctx: Context, draft: Draft, value: int) -> int:
    if problem := number_problem(value):
        raise Invalid(problem)
    assert ctx.unit is not None
    revised = await revised_document(ctx, draft)
    if revised is not None:
        if problem := kept_number_problem(revised, value):
            raise Invalid(problem)
        return value
    kind = draft.answers["res_kind"]
    doc_series = series(ctx.unit, kind, date.fromisoformat(draft.answers["issued_on"]))
    if await ctx.store.number_taken(ctx.unit.id, doc_series, value):
        free = await ctx.store.next_number(ctx.unit.id, doc_series)
        raise Invalid(f"Số {value:02d}-{kind}/{ctx.unit.code} đã dùng cho một văn bản khác. Số tiếp theo còn trống "
                      f"là {free}.")
    return value


@action("resolution.save")
async def resolution_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    unit = ctx.unit
    assert unit is not None
    answers = draft.answers
    kind = answers["res_kind"]
    number = answers.get("number")
    revision = revision_of(draft)
    result = await issue_or_explain(ctx, draft, IssueRequest(
        unit=unit, kind="resolution", doc_type=kind, issued_on=date.fromisoformat(answers["issued_on"]),
        title=resolution_title(answers), answers=answers, created_by=f"{ctx.incoming.channel}:{ctx.incoming.user_id}",
        build=lambda n: resolution_document(unit, {**answers, "number": n}), file_head=RESOLUTIONS[kind][1],
        file_title=upper_first(meeting_name(answers["m"])), number=number, numbered=number is not None,
        draft=ctx.key, revises=revision))
    if isinstance(result, list):
        return result
    issued = result
    if revision is not None:
        lines = revised_lines(RESOLUTIONS[kind][1].lower(), issued) + pdf_note(issued)
        return outgoing_documents(issued) + [Outgoing(text="\n".join(lines), choices=[share_choice(issued.doc_id)])]
    if issued.renumbered:
        ctx.warn(f"Số vừa chọn đã được dùng trong lúc soạn; văn bản nhận số {issued.number:02d}.")
    out = outgoing_documents(issued)
    lines = [f"Đã lưu {RESOLUTIONS[kind][1].lower()} {issued.shown_number} (mã văn bản {issued.doc_id}). "
             "Gõ /vanban để xem các văn bản."] + pdf_note(issued)
    out.append(Outgoing(text="\n".join(lines), choices=[share_choice(issued.doc_id)]))
    return out


