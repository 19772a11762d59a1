"""Plans (Kế hoạch): the kinds of the seed plans as flows + templates, numbering, the .docx, /vanban."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot import dates, numbering
from bot.citations import Citation, parse_citation
from bot.documents import Document, Signature, plain_text, render_text
from bot.formats import ROMAN
from bot.issuing import IssueRequest, file_name, number_problem, outgoing_documents, pdf_note, series
from bot.messages import Choice, OutDocument, Outgoing
from bot.revisions import revision_label
from bot.sharing import describe, share_document
from bot.store.records import StoredDocument, Unit
from bot.templating import environment
from bot.text import apply_spelling, fold, parse_id
from bot.tidy import sentences, tidy
from handlers import (
    kinds,  # noqa: F401  (registers the per-kind hooks)
    remembered,
)
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, item_type, provider, validator
from handlers.previews import page_preview
from handlers.reissue import (
    issue_or_explain,
    kept_number_problem,
    revised_document,
    revised_lines,
    revision_of,
)
from handlers.tidying import unit_known

DOC_TYPE = "KH"
KIND_LABELS = {
    "plan_conference": "Hội nghị Ban Chấp hành sơ kết, tổng kết",
    "plan_model_meeting": "Hội nghị chuyên đề, sinh hoạt chi bộ mẫu",
    "plan_thematic": "Sinh hoạt chi bộ theo chuyên đề năm",
    "plan_midterm": "Sơ kết giữa nhiệm kỳ",
    "plan_admission": "Lễ kết nạp đảng viên",
    "plan_generic": "Kế hoạch khác (khung chung)",
}
CHI_BO_LABELS = {"plan_conference": "Hội nghị chi bộ sơ kết, tổng kết"}  # a chi bộ has no Ban Chấp hành
AUTHORITIES = {"chi_bo": "T/M CHI BỘ", "dang_uy": "T/M ĐẢNG ỦY", "dang_uy_khoi": "T/M BAN THƯỜNG VỤ"}


# -- numbering ----------------------------------------------------------------------------------

def _unit(ctx: Context) -> Unit:
    """The unit a plan is written for (plan flows start only for an account with a unit)."""
    assert ctx.unit is not None
    return ctx.unit


def _series(ctx: Context, draft: Draft) -> str:
    return series(_unit(ctx), DOC_TYPE, _issued(ctx, draft))


def _issued(ctx: Context, draft: Draft) -> date:
    value = draft.answers.get("issued_on")
    return date.fromisoformat(value) if value else ctx.clock.today()


@provider("plan.next_number")
async def next_number(ctx: Context, draft: Draft) -> list[str]:
    revised = await revised_document(ctx, draft)
    if revised is not None:  # a revision keeps its number
        return [str(revised.number)] if revised.number is not None else []
    return [str(await ctx.store.next_number(_unit(ctx).id, _series(ctx, draft)))]


@validator("plan.number")
async def check_number(ctx: Context, draft: Draft, value: int) -> int:
    if problem := number_problem(value):
        raise Invalid(problem)
    revised = await revised_document(ctx, draft)
    if revised is not None:
        if problem := kept_number_problem(revised, value):
            raise Invalid(problem)
        return value
    taken = await ctx.store.number_taken(_unit(ctx).id, _series(ctx, draft), value)
    if taken:
        free = await ctx.store.next_number(_unit(ctx).id, _series(ctx, draft))
        raise Invalid(f"Số {value:02d}-{DOC_TYPE}/{_unit(ctx).code} đã dùng cho một văn bản khác trong nhiệm kỳ này. "
                      f"Số tiếp theo còn trống là {free}.")
    return value


@validator("plan.subject")
async def check_subject(ctx: Context, draft: Draft, value: str) -> str:
    value = value.strip().rstrip(".")
    if len(value) < 5:
        raise Invalid("Trích yếu quá ngắn. Xin ghi rõ nội dung kế hoạch, ví dụ “Tổ chức sinh hoạt chi bộ theo "
                      "Chuyên đề năm 2027”.")
    return value[0].upper() + value[1:]


@validator("plan.when")
async def check_when(ctx: Context, draft: Draft, value: str) -> str:
    """A time phrase for an event ("đầu tháng 7/2023", "ngày 20/10/2023"): it must name a real date."""
    try:
        dates.parse_when(value, today=ctx.clock.today(), default_kind="event")
    except dates.DateError as exc:
        raise Invalid(str(exc)) from None
    return value


DATE_LIKE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?|ngày\s*\d{1,2}\s+tháng", re.IGNORECASE)


@validator("plan.duties")
async def check_duties(ctx: Context, draft: Draft, value: str) -> str:
    """Each line that writes a date must write a real one; a deadline already past is accepted with a note."""
    from bot.extract import extract

    today = ctx.clock.today()
    for line in value.splitlines():
        if DATE_LIKE.search(line):
            try:
                dates.parse_when(line, today=today)
            except dates.DateError as exc:
                raise Invalid(f"Dòng “{line.strip()[:60]}”: {exc}") from None
    for item in extract(value, today=today):  # cited documents' dates are history, not deadlines
        if item.kind != "period" and item.due < today:
            ctx.warn(f"Lưu ý: hạn {dates.format_date_short(item.due)} đã qua; tôi vẫn ghi nhận.")
    return value.strip()


@validator("plan.caps")
async def caps(ctx: Context, draft: Draft, value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().upper()


@validator("plan.future")
async def warn_past(ctx: Context, draft: Draft, value: str) -> str:
    if date.fromisoformat(value) < ctx.clock.today():
        ctx.warn(f"Lưu ý: ngày {dates.format_date_short(date.fromisoformat(value))} đã qua; tôi vẫn ghi nhận.")
    return value


# -- suggestions that depend on the unit --------------------------------------------------------

@provider("plan.place")
async def unit_place(ctx: Context, draft: Draft) -> list[str]:
    return [ctx.unit.place] if ctx.unit else []


@provider("plan.kinds")
async def plan_kinds(ctx: Context, draft: Draft) -> list[Choice]:
    """The kinds of plan, named as the unit would name them (the order is the same for every unit)."""
    return [Choice(kind_label(ctx, kind), kind) for kind in KIND_LABELS]


@provider("plan.authorities")
async def authorities(ctx: Context, draft: Draft) -> list[Choice]:
    """A chi bộ signs for the chi bộ (or its chi ủy); a đảng ủy for itself or its Ban Thường vụ ("Khác" for the rest)."""
    first = AUTHORITIES.get(_unit(ctx).kind, "T/M CHI BỘ")
    others = ["T/M CHI BỘ", "T/M CHI ỦY"] if _unit(ctx).kind == "chi_bo" else \
        ["T/M ĐẢNG ỦY", "T/M BAN THƯỜNG VỤ", "T/M CHI BỘ", "T/M CHI ỦY"]
    offered = await remembered.first_used(ctx, "authority", [first] + [a for a in others if a != first])
    return [Choice(a, a) for a in offered]


@provider("plan.signer_titles")
async def signer_titles(ctx: Context, draft: Draft) -> list[Choice]:
    first = _unit(ctx).signer_title
    others = ["BÍ THƯ", "PHÓ BÍ THƯ"] + ([] if _unit(ctx).kind == "chi_bo" else ["PHÓ BÍ THƯ THƯỜNG TRỰC"])
    offered = await remembered.first_used(ctx, "signer_title", [first] + [t for t in others if t != first])
    return [Choice(t, t) for t in offered]


@provider("plan.signer_name")
async def signer_name(ctx: Context, draft: Draft) -> list[str]:
    """The profile's signer; the signer of the last issued document first when she signed it otherwise."""
    return await remembered.first_used(ctx, "signer_name", [_unit(ctx).signer_name])


# -- list items ---------------------------------------------------------------------------------

@item_type("line", show=plain_text, separator="\n")
def parse_line(ctx: Context, text: str) -> str:
    text = re.sub(r"^\s*[-+•]\s*", "", text).strip()
    if not text:
        raise Invalid("Dòng này đang trống.")
    if len(text) > 1500:
        raise Invalid("Mỗi mục tối đa 1.500 ký tự; xin tách thành nhiều mục.")
    return text


@item_type("citation", show=lambda v: v["text"])
def parse_basis(ctx: Context, text: str) -> dict[str, str]:
    """A cited document in the standard form; “Thực hiện …” typed before it is dropped (the plan writes it)."""
    line = re.sub(r"^(?:thực hiện|thuc hien|căn cứ|can cu)\s+", "", parse_line(ctx, text), flags=re.IGNORECASE)
    today = ctx.clock.today()
    try:
        cited = parse_citation(line, today=today, known=unit_known(ctx))
    except dates.DateError as exc:  # CitationError included: a date after today
        raise Invalid(f"Ngày ban hành của văn bản này sai: {exc}") from None
    if not cited.type:  # not a numbered document: tidied like any other answer
        cited = Citation(text=tidy(line, how="phrase", known_names=unit_known(ctx), today=today).text)
    return cited.as_dict()


_QUARTER = re.compile(r"\(?\s*quý\s+(I{1,3}|IV|[1-4])\s*[/.\-]\s*(\d{4})\s*\)?\s*\.?$", re.IGNORECASE)
_ROMAN = {str(n): roman for n, roman in enumerate(ROMAN, 1)}


def show_topic(topic: dict[str, Any]) -> str:
    return topic["title"] + (f" (Quý {topic['quarter']}/{topic['year']})" if topic.get("quarter") else "")


@item_type("topic", show=show_topic)
def parse_topic(ctx: Context, text: str) -> dict[str, Any]:
    """'Nâng cao chất lượng sinh hoạt chi bộ (Quý I/2023)'; the quarter may be left out."""
    text = re.sub(r"^\s*chuyên đề\s*\d*\s*[:.]\s*", "", parse_line(ctx, text), flags=re.IGNORECASE)
    match = _QUARTER.search(text)
    if not match:
        return {"title": text.rstrip(" ."), "quarter": None, "year": None}
    quarter = match.group(1).upper()
    return {"title": text[: match.start()].rstrip(" .;,-"), "quarter": _ROMAN.get(quarter, quarter),
            "year": int(match.group(2))}


# -- the document -------------------------------------------------------------------------------

def plan_document(unit: Unit, kind: str, answers: dict[str, Any]) -> Document:
    issued = date.fromisoformat(answers["issued_on"])
    number = answers.get("number")
    layout = numbering.layout(answers.get("layout"))
    body = environment().get_template(f"plans/{kind}.md.j2").render(
        a=answers, unit=unit, issuer=issuing_body(unit, answers), layout=layout)
    body = numbering.restyle(body, layout.sep)
    style = unit.spelling
    return Document(
        superior=apply_spelling(unit.superior, style).upper(),
        issuer=apply_spelling(unit.name, style).upper(),
        number=f"Số {number:02d}-{DOC_TYPE}/{unit.code}" if number else f"Số      -{DOC_TYPE}/{unit.code}",
        place_date=f"{answers['place']}, {dates.format_date_long(issued)}",
        doc_type="KẾ HOẠCH",
        subject=apply_spelling(plain_text(answers["subject"]), style),
        body=apply_spelling(body.strip(), style),
        recipients=[apply_spelling(plain_text(r), style)
                    for r in sentences.recipients(answers.get("recipients") or [])],
        signature=Signature(answers["authority"], answers["signer_title"], answers["signer_name"]),
    )


def issuing_body(unit: Unit, answers: dict[str, Any]) -> str:
    """Who issues the plan, as the basis paragraph names it: the unit, or its standing committee."""
    if answers.get("authority") == "T/M BAN THƯỜNG VỤ":
        short = re.sub(r"^Đảng [uủỷ]y ", "", unit.name)
        return f"Ban Thường vụ Đảng ủy {short}" if short != unit.name else "Ban Thường vụ"
    return unit.name


def dated_items(doc: Document, source: str, today: date) -> list[dict[str, Any]]:
    """Every dated assignment, event and period the plan sets, for the deadline tracker, by date; each named
    by what it dates (bot/extract/titles.py)."""
    from bot.extract import by_date, extract

    return [{"kind": i.kind, "title": i.label, "due": i.due.isoformat(),
             "start": i.start.isoformat() if i.start else None,
             "time": i.time.strftime("%H:%M") if i.time else None, "who": i.who, "source": source}
            for i in by_date(extract(render_text(doc), today=today))]


# Answers a new plan starts with, not asked but listed in the review ("sửa N" changes them): the value in the
# unit's last plan of the family (an office keeps its habit), else the default.
PRESETS = {"layout": ("plan_", numbering.DEFAULT), "structure": ("plan_midterm", "levels")}


async def presets(ctx: Context, kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """The preset answers of a new plan of `kind` (those `given` left out)."""
    out: dict[str, Any] = {}
    for step in ctx.engine.flows[kind].steps:
        if step.key in PRESETS and step.key not in given:
            family, default = PRESETS[step.key]
            last = await remembered.last_document_with(ctx, step.key, family)
            offered = {o.value for o in step.options}
            out[step.key] = last.answers[step.key] if last and last.answers[step.key] in offered else default
    return out


@action("plan.choose")
async def choose(ctx: Context, draft: Draft) -> list[Outgoing]:
    kind = draft.answers["kind"]
    return await ctx.engine.start(ctx, kind, answers=await presets(ctx, kind, {}),
                                  pending=await remembered.recipients(ctx, kind, {}))


@action("plan.preview")
async def preview(ctx: Context, draft: Draft) -> list[Outgoing]:
    """A picture of the page asked for (handlers/previews.py), or the plan as text."""
    unit, answers = _unit(ctx), draft.answers
    doc = plan_document(unit, draft.flow, answers)
    name = file_name("Kế hoạch", answers.get("number"), DOC_TYPE, unit.code, answers["subject"])
    picture = await page_preview(ctx, doc, name)
    return [picture] if picture is not None else [Outgoing(title="Xem trước", text=render_text(doc))]


@action("plan.save")
async def save(ctx: Context, draft: Draft) -> list[Outgoing]:
    kind, answers = draft.flow, draft.answers
    unit = _unit(ctx)
    today = ctx.clock.today()

    def build(number: int | None) -> Document:
        return plan_document(unit, kind, {**answers, "number": number})

    def items_of(doc: Document, number: int | None) -> list[dict[str, Any]]:
        source = f"Kế hoạch số {number:02d}-{DOC_TYPE}/{unit.code}" if number else f"Kế hoạch “{plain_text(answers['subject'])}”"
        return dated_items(doc, source, today)

    revision = revision_of(draft)
    result = await issue_or_explain(ctx, draft, IssueRequest(
        unit=unit, kind=kind, doc_type=DOC_TYPE, issued_on=date.fromisoformat(answers["issued_on"]),
        title=plain_text(answers["subject"]), answers=answers, created_by=f"{ctx.incoming.channel}:{ctx.incoming.user_id}",
        build=build, file_head="Kế hoạch", file_title=plain_text(answers["subject"]), number=answers.get("number"),
        numbered=answers.get("number") is not None, items_of=items_of, draft=ctx.key, revises=revision))
    if isinstance(result, list):
        return result
    issued = result
    if issued.renumbered:
        ctx.warn(f"Số vừa chọn đã được dùng trong lúc soạn; kế hoạch nhận số {issued.number:02d}.")
    items = issued.items
    if revision is not None:
        lines = revised_lines("kế hoạch", issued) + pdf_note(issued)
        return outgoing_documents(issued) + [Outgoing(text="\n".join(lines), choices=[share_choice(issued.doc_id)])]
    lines = [f"Đã lưu kế hoạch {issued.shown_number} (mã văn bản {issued.doc_id})."]
    if items:
        lines.append(f"Đã đưa {len(items)} mốc thời gian của kế hoạch vào danh sách hạn chót:")
        lines += [f"- {dates.format_date_short(date.fromisoformat(i['due']))}: {i['title']}" for i in items[:10]]
        if len(items) > 10:
            lines.append(f"- … và {len(items) - 10} mốc khác (gõ /hanchot để xem).")
    lines += pdf_note(issued)
    return outgoing_documents(issued) + [Outgoing(text="\n".join(lines), choices=[share_choice(issued.doc_id)])]


# -- commands -----------------------------------------------------------------------------------

async def cmd_plan(ctx: Context, arg: str) -> list[Outgoing]:
    return await ctx.engine.start(ctx, "plan")


DOC_NAMES = {"KH": "Kế hoạch", "BB": "Biên bản", "NQ": "Nghị quyết", "KL": "Kết luận", "BC": "Báo cáo"}


REVISABLE = ("minutes", "resolution")  # besides the plan kinds (KIND_LABELS)


def doc_label(doc: StoredDocument) -> str:
    number = f"số {doc.number:02d}-{doc.doc_type}" if doc.number else "không số"
    name = DOC_NAMES.get(doc.doc_type, doc.doc_type)
    revised = f" ({revision_label(doc.version)})" if doc.version > 1 else ""
    return f"{name} {number}, {dates.format_date_short(doc.issued_on)}: {doc.title}{revised}"


def document_choices(n: int, doc: StoredDocument) -> list[Choice]:
    """The choices of document `n` of the /vanban list: send it again, revise it, its earlier versions."""
    out = [Choice(f"Gửi lại {n}", f"/vanban gui {doc.id}")]
    if doc.kind in KIND_LABELS or doc.kind in REVISABLE:
        out.append(Choice(f"Sửa {n}", f"/vanban sua {doc.id}"))
    if doc.version > 1:
        out.append(Choice(f"Bản cũ {n}", f"/vanban bancu {doc.id}"))
    return out


async def cmd_documents(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    action_word, _, ident = arg.partition(" ")
    if fold(action_word) in ("gui", "lamlai", "chiase") and ident.strip():
        doc_id = parse_id(ident)
        doc = await ctx.store.document(ctx.unit.id, doc_id) if doc_id is not None else None
        if doc is None:
            return [Outgoing(text="Không tìm thấy văn bản này trong đơn vị.")]
        if fold(action_word) == "gui":
            return [Outgoing(document=OutDocument(doc.filename, doc.content or b"", doc_label(doc),
                                                  ctx.unit.id, doc.id))]
        if fold(action_word) == "chiase":
            return await share(ctx, doc)
        return await redo(ctx, doc)
    docs = await ctx.store.documents(ctx.unit.id)
    if not docs:
        return [Outgoing(text="Đơn vị chưa có văn bản nào. Gõ /kehoach để soạn kế hoạch đầu tiên.")]
    lines = [f"{n}. {doc_label(d)}" for n, d in enumerate(docs, 1)]
    lines.append("Chọn “Gửi lại N” để nhận lại tệp, “Sửa N” để sửa văn bản đã ban hành (giữ nguyên số), “Bản cũ N” "
                 "để nhận bản trước khi sửa; hoặc gõ “làm lại từ kế hoạch số N” để soạn văn bản mới (số mới) từ bản cũ.")
    return [Outgoing(title="Văn bản đã soạn", text="\n".join(lines),
                     choices=[c for n, d in enumerate(docs, 1) for c in document_choices(n, d)])]


def share_choice(doc_id: int) -> Choice:
    """The choice offered once a document is issued: send it to the unit's group and members (bot/sharing.py)."""
    return Choice("Gửi cho chi bộ", f"/vanban chiase {doc_id}")


async def share(ctx: Context, doc: StoredDocument) -> list[Outgoing]:
    """Queue the document for the unit's linked groups and its members on other apps; say where it goes."""
    assert ctx.unit is not None
    text = f"{ctx.unit.name} gửi các đồng chí văn bản: {doc_label(doc)}."
    shared = await share_document(ctx.store, ctx.unit.id, doc.id, text,
                                  (ctx.incoming.channel, ctx.incoming.user_id))
    if not shared.recipients:
        return [Outgoing(text="Chưa có nơi nào để gửi: chi bộ chưa liên kết nhóm chat nào và chưa có đảng viên nào "
                              "khác dùng trợ lý. Gõ /lienket trong nhóm chat của chi bộ, hoặc /moi để mời đảng viên.")]
    if not shared.added:
        return [Outgoing(text=f"Văn bản này đã được gửi cho chi bộ ({describe(shared.recipients)}); "
                              "tôi không gửi lại lần nữa.")]
    lines = [f"Sẽ gửi tới {describe(shared.added)}."]
    if len(shared.added) < len(shared.recipients):
        lines.append("Những nơi đã nhận văn bản này trước đó không nhận lại.")
    lines.append("Văn bản được gửi đi trong khoảng một phút.")
    return [Outgoing(text=" ".join(lines))]


async def redo(ctx: Context, doc: StoredDocument) -> list[Outgoing]:
    """A new draft from an old plan's answers: everything kept but its number and date."""
    if doc.kind not in KIND_LABELS:
        return [Outgoing(text="Chỉ soạn lại được từ một kế hoạch. Văn bản này chỉ gửi lại được: "
                              f"/vanban gui {doc.id}.")]
    answers = {k: v for k, v in doc.answers.items() if k not in ("number", "issued_on")}
    return [Outgoing(text=f"Soạn bản mới từ: {doc_label(doc)}. Các câu trả lời cũ được giữ; tôi chỉ hỏi lại số và "
                          "ngày ban hành.")] + await ctx.engine.start(ctx, doc.kind, answers=answers)


REDO = re.compile(r"^(?:lam lai|soan lai|lam moi) (?:tu |theo )?(?:ke hoach|kh) (?:so )?(\d+)")


async def redo_by_number(ctx: Context, text: str) -> list[Outgoing] | None:
    match = REDO.match(fold(text))
    if not match or not ctx.unit:
        return None
    number = parse_id(match.group(1))
    doc = await ctx.store.document_by_number(ctx.unit.id, DOC_TYPE, number) if number is not None else None
    if doc is None:
        shown = match.group(1) if len(match.group(1)) <= 12 else match.group(1)[:12] + "…"
        return [Outgoing(text=f"Không tìm thấy kế hoạch số {shown} của đơn vị. Gõ /vanban để xem danh sách.")]
    return await redo(ctx, doc)


# The kinds named in words (folded, abbreviations written out; handlers/intents.py reads the message):
# "soạn kế hoạch kết nạp đảng viên", "lập kh sơ kết giữa nhiệm kỳ", "kế hoạch sinh hoạt chuyên đề năm 2027".
KIND_WORDS = (("ket nap", "plan_admission"), ("giua nhiem ky", "plan_midterm"), ("giua ky", "plan_midterm"),
              ("chi bo mau", "plan_model_meeting"), ("sinh hoat mau", "plan_model_meeting"),
              ("hoi nghi chuyen de", "plan_model_meeting"), ("chuyen de", "plan_thematic"),
              ("so ket", "plan_conference"), ("tong ket", "plan_conference"), ("khung chung", "plan_generic"),
              ("ke hoach khac", "plan_generic"))


def kind_in_words(words: str) -> str | None:
    """The plan kind the folded words name, None when they name none."""
    return next((kind for named, kind in KIND_WORDS if re.search(rf"\b{named}\b", words)), None)


def kind_label(ctx: Context, kind: str) -> str:
    """A kind's name as the unit would name it."""
    return CHI_BO_LABELS.get(kind, KIND_LABELS[kind]) if _unit(ctx).kind == "chi_bo" else KIND_LABELS[kind]


async def start_kind(ctx: Context, kind: str | None, answers: dict[str, Any] | None = None) -> list[Outgoing]:
    """The flow of a plan kind, with the answers the words gave and the remembered recipients; the
    chooser of kinds when `kind` is None."""
    if kind is None:
        return await ctx.engine.start(ctx, "plan")
    given = dict(answers or {})
    given |= await presets(ctx, kind, given)
    return await ctx.engine.start(ctx, kind, answers=given, pending=await remembered.recipients(ctx, kind, given))
