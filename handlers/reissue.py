"""What the save actions of every numbered document share when the draft revises an issued document
(bot/revisions.py): the document revised, issuing or explaining why not, and the reply's lines.

The flows are the same as for a new document; a revision is a draft whose meta names the document and the
version it was opened from (handlers/revise.py starts it at the review screen).
"""

from __future__ import annotations

from dataclasses import replace

from bot.issuing import Issued, IssueRequest, issue
from bot.messages import Outgoing
from bot.revisions import Revision, RevisionRefused, StaleRevision, revision_label
from bot.store.records import StoredDocument
from handlers import audit
from handlers.context import Context
from handlers.draft import Draft


def revision_of(draft: Draft) -> Revision | None:
    return Revision.from_meta(draft.meta)


async def revised_document(ctx: Context, draft: Draft) -> StoredDocument | None:
    """The document the draft revises (its current version), None for a draft of a new document."""
    revision = revision_of(draft)
    if revision is None or ctx.unit is None:
        return None
    return await ctx.store.document(ctx.unit.id, revision.doc_id)


def kept_number_problem(doc: StoredDocument, value: int) -> str | None:
    """Why number `value` cannot be typed for a revision of `doc` (None: it is the kept number)."""
    if doc.number is not None and value == doc.number:
        return None
    kept = f"số {doc.number:02d}" if doc.number is not None else "không ghi số"
    return (f"Bản sửa giữ nguyên số của văn bản đã ban hành ({kept}). Muốn lấy số mới, xin hủy việc sửa (/huy) "
            "rồi soạn văn bản mới từ văn bản này.")


async def issue_or_explain(ctx: Context, draft: Draft, request: IssueRequest) -> Issued | list[Outgoing]:
    """Issue the request; a revision that cannot be issued is explained instead (nothing is written): a date
    outside the number's year or term brings the review back with the reason, a revision of a version
    replaced meanwhile tells her to reopen the current one."""
    if request.audit is None:
        request = replace(request, audit=audit.note(ctx, "document.issue"))
    try:
        return await issue(ctx.store, request)
    except RevisionRefused as exc:
        return [Outgoing(text=str(exc))] + await ctx.engine.start(ctx, draft.flow, answers=draft.answers,
                                                                  meta=draft.meta, review=True)
    except StaleRevision as exc:
        revision = revision_of(draft)
        doc_id = revision.doc_id if revision else 0
        return [Outgoing(text=(
            f"Văn bản này đã được sửa ở một cuộc trò chuyện khác trong lúc đồng chí đang sửa (nay là "
            f"{revision_label(exc.current)}), nên bản đang sửa không còn là bản hiện hành; tôi không lưu đè lên. "
            f"Xin sửa bản hiện hành: gõ /vanban sua {doc_id}."))]


def revised_lines(name: str, issued: Issued) -> list[str]:
    """'Đã sửa kế hoạch 08-KH/CB (bản sửa lần 1), số giữ nguyên…' and what happened to its dated items."""
    kept = "số giữ nguyên, " if issued.number is not None else ""
    lines = [f"Đã sửa {name} {issued.shown_number} ({revision_label(issued.version)}), {kept}văn bản đề "
             f"{issued.document.place_date.rpartition(', ')[2]}. Bản trước vẫn được lưu: gõ /vanban bancu "
             f"{issued.doc_id} để nhận lại."]
    c = issued.changes
    if c is not None and (c.kept or c.updated or c.added or c.dropped):
        parts = [f"giữ nguyên {c.kept}" if c.kept else "", f"cập nhật {c.updated}" if c.updated else "",
                 f"thêm {c.added}" if c.added else "", f"bỏ {c.dropped}" if c.dropped else ""]
        lines.append("Các mốc thời gian của văn bản trong danh sách hạn chót: " + ", ".join(p for p in parts if p)
                     + " (không tạo trùng; việc đã hoàn thành vẫn giữ trạng thái; lời nhắc đã gửi không gửi lại).")
    return lines
