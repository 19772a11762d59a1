"""Fixing an issued document: "sửa kế hoạch số 08", "sửa biên bản 3", "sửa nghị quyết 2", "sửa kết luận 1"
(with or without diacritics) and "Sửa N" in /vanban (`/vanban sua <id>`) reopen the document's answers at
the review screen of its flow; confirming re-issues it with the same number (bot/revisions.py). Earlier
versions are fetched with `/vanban bancu <id>`.
"""

from __future__ import annotations

import re

from bot import dates
from bot.messages import Choice, OutDocument, Outgoing
from bot.revisions import META_KEY, Revision, revision_label
from bot.store.records import StoredDocument
from bot.text import fold, parse_id
from handlers import plans
from handlers.context import Context

TYPES = {"ke hoach": "KH", "kh": "KH", "bien ban": "BB", "bb": "BB", "nghi quyet": "NQ", "nq": "NQ",
         "ket luan": "KL", "kl": "KL"}
NAMES = {"KH": "kế hoạch", "BB": "biên bản", "NQ": "nghị quyết", "KL": "kết luận"}
_WORDS = "|".join(sorted(TYPES, key=len, reverse=True))
REVISE = re.compile(rf"^(?:sua|sua lai|chinh sua|dinh chinh)\s+(?:lai\s+)?({_WORDS})\b\s*(?:so\s*)?(\d+)?"
                    r"(?:\s*-\s*[a-z]+(?:\s*/\s*[a-z0-9]+)?)?\s*[.!]?$")


def flow_of(ctx: Context, doc: StoredDocument) -> str | None:
    """The flow that wrote the document, None for one the assistant cannot revise."""
    if doc.kind == "minutes":
        return "meeting"
    if doc.kind == "resolution":
        return "resolution"
    if doc.kind in plans.KIND_LABELS and doc.kind in ctx.engine.flows:
        return doc.kind
    return None


async def start_revision(ctx: Context, doc: StoredDocument) -> list[Outgoing]:
    """The document's answers at the review screen of its flow, the draft naming the version it revises."""
    assert ctx.unit is not None
    flow = flow_of(ctx, doc)
    if flow is None or not doc.answers:
        return [Outgoing(text=f"{plans.doc_label(doc)}: văn bản này không soạn bằng trợ lý nên không sửa được ở "
                              f"đây; chỉ gửi lại được tệp: /vanban gui {doc.id}.")]
    answers = dict(doc.answers)
    meta: dict[str, object] = {META_KEY: Revision(doc.id, doc.version).to_meta()}
    kept = f"giữ nguyên số {doc.number:02d}" if doc.number is not None else "vẫn không ghi số"
    note = [f"Sửa văn bản đã ban hành: {plans.doc_label(doc)}. Khi xác nhận, văn bản được ban hành lại, {kept} "
            f"(ngày ban hành giữ nguyên nếu đồng chí không sửa); bản hiện tại được lưu làm bản cũ."]
    if doc.kind == "minutes":
        meta["meeting_id"] = await ctx.store.meeting_of_document(doc.id)
    if doc.kind == "resolution" and isinstance(answers.get("meeting_id"), int):
        meeting = await ctx.store.meeting_answers(ctx.unit.id, answers["meeting_id"])
        if meeting is not None and meeting.answers != answers.get("m"):
            answers["m"] = meeting.answers  # the minutes were revised since: the resolution follows them
            note.append("Biên bản của buổi sinh hoạt đã được sửa sau khi văn bản này ban hành; nội dung lấy theo "
                        "biên bản đã sửa.")
    meta["review_note"] = " ".join(note)
    # A question added to the flow since the document was issued is asked first, then the review.
    complete = all(s.key in answers for s in ctx.engine.flows[flow].visible_steps(answers))
    return await ctx.engine.start(ctx, flow, answers=answers, meta=meta, review=complete)


async def revise_by_words(ctx: Context, text: str) -> list[Outgoing] | None:
    """'sửa kế hoạch số 08', 'sua kh 8', 'sửa biên bản số 3', …; None when the text is not that."""
    match = REVISE.match(fold(text))
    if not match or not ctx.unit:
        return None
    doc_type = TYPES[match.group(1)]
    name = NAMES[doc_type]
    if match.group(2) is None:
        return [Outgoing(text=f"Đồng chí muốn sửa {name} số mấy? Gõ ví dụ “sửa {name} số 8”, hoặc gõ /vanban rồi "
                              "chọn “Sửa N” bên cạnh văn bản cần sửa.")]
    number = parse_id(match.group(2))
    doc = await ctx.store.document_by_number(ctx.unit.id, doc_type, number) if number is not None else None
    if doc is None:
        shown = match.group(2) if len(match.group(2)) <= 12 else match.group(2)[:12] + "…"
        return [Outgoing(text=f"Không tìm thấy {name} số {shown} của đơn vị. Gõ /vanban để xem danh sách văn bản "
                              "đã soạn.")]
    return await start_revision(ctx, doc)


async def cmd_documents(ctx: Context, arg: str) -> list[Outgoing]:
    """/vanban, with `sua <id>` (revise) and `bancu <id> [version]` (earlier versions) besides plans' own."""
    assert ctx.unit is not None
    word, _, rest = arg.partition(" ")
    if fold(word) not in ("sua", "bancu"):
        return await plans.cmd_documents(ctx, arg)
    ident, _, version = rest.strip().partition(" ")
    doc_id = parse_id(ident)
    doc = await ctx.store.document(ctx.unit.id, doc_id) if doc_id is not None else None
    if doc is None:
        return [Outgoing(text="Không tìm thấy văn bản này trong đơn vị. Gõ /vanban để xem danh sách.")]
    if fold(word) == "sua":
        return await start_revision(ctx, doc)
    return await earlier_versions(ctx, doc, version.strip())


async def earlier_versions(ctx: Context, doc: StoredDocument, wanted: str) -> list[Outgoing]:
    """The earlier versions of a document: the only one sent at once, several listed to choose from."""
    assert ctx.unit is not None
    versions = await ctx.store.document_versions(ctx.unit.id, doc.id)
    if not versions:
        return [Outgoing(text=f"{plans.doc_label(doc)}: văn bản chưa được sửa lần nào, không có bản cũ.")]
    if wanted:
        number = parse_id(wanted)
        chosen = next((v for v in versions if v.version == number), None)
        if chosen is None:
            return [Outgoing(text=f"Không có bản cũ này. Gõ /vanban bancu {doc.id} để xem các bản cũ.")]
    elif len(versions) == 1:
        chosen = versions[0]
    else:
        lines = [f"Các bản cũ của {plans.doc_label(doc)}:"]
        lines += [f"{n}. {revision_label(v.version)}, ngày ban hành {dates.format_date_short(v.issued_on)}, được "
                  f"thay ngày {v.superseded_at[8:10]}/{v.superseded_at[5:7]}/{v.superseded_at[:4]}"
                  for n, v in enumerate(versions, 1)]
        return [Outgoing(title="Bản cũ", text="\n".join(lines), choices=[
            Choice(f"Nhận {revision_label(v.version)}", f"/vanban bancu {doc.id} {v.version}") for v in versions])]
    full = await ctx.store.document_version(ctx.unit.id, doc.id, chosen.version)
    assert full is not None and full.content is not None
    stem = full.filename.removesuffix(".docx")
    name = f"{stem} ({revision_label(full.version)}, đã được thay).docx"
    caption = (f"Bản cũ ({revision_label(full.version)}) của {plans.doc_label(doc)} — đã được thay bằng "
               f"{revision_label(doc.version)}.")
    return [Outgoing(text=f"Đây là bản cũ, không còn hiệu lực. Muốn sửa tiếp, xin sửa bản hiện hành: "
                          f"/vanban sua {doc.id}."),
            # No document identity: a link (Zalo) would open the current version, not this one.
            Outgoing(document=OutDocument(name, full.content, caption))]
