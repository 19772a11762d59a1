"""Issue 10, point 5: the wording of every plan kind fits the unit.

Each plan kind is walked through the real Assistant, once for a chi bộ and once for a đảng ủy, taking the
offered suggestions and prefills wherever there are some; everything the engine shows (questions, examples,
suggestions, prefilled lists, the review screen and the document's preview) is collected. A chi bộ must not be
offered a đảng ủy's wording; a đảng ủy is still offered the seeds' wording.
"""

from __future__ import annotations

import re

import pytest

from handlers.draft import Draft
from handlers.plans import KIND_LABELS
from tests.conftest import ONBOARD, Talk, onboard

ONBOARD_DANG_UY = [
    "/batdau", "Tạo đơn vị mới", "Đảng ủy", "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh", "Sở Tư pháp", "ĐU",
    "Tuyên Quang", "Nguyễn Thị Thược", "Bí thư", "ủy, hòa (kiểu mới)", "Theo nhiệm kỳ", "bỏ qua", "Xác nhận và lưu",
]

# Phrases only a đảng ủy (or đảng ủy khối) writes about itself; a chi bộ has no Ban Chấp hành, no office, no
# units below it.
DANG_UY_ONLY = [
    "ở các chi bộ", "các chi bộ", "Văn phòng Đảng ủy", "Ban Tổ chức Đảng ủy", "Thường trực Đảng ủy", "Đảng ủy viên",
    "Ban Chấp hành", "Ban Thường vụ", "Ủy ban Kiểm tra", "trực thuộc", "cấp ủy, tổ chức đảng", "các cấp ủy",
    "cơ quan, đơn vị", "các đơn vị", "Lưu Văn phòng", "T/M ĐẢNG ỦY", "PHÓ BÍ THƯ THƯỜNG TRỰC", "các đảng bộ",
]

# What each kind still offers a đảng ủy, as the seeds write it.
SEED_WORDING = {
    "plan_conference": ["Hội nghị Ban Chấp hành sơ kết, tổng kết", "Thường trực Đảng ủy",
                        "Ban Thường vụ Đảng ủy, Ban Chấp hành Đảng bộ", "Các đồng chí Ủy viên Ủy ban Kiểm tra Đảng ủy",
                        "Bí thư, phó bí thư các đảng bộ, chi bộ trực thuộc", "Văn phòng Đảng ủy",
                        "đề nghị các cấp ủy, tổ chức đảng và các đồng chí được phân công"],
    "plan_model_meeting": ["cấp ủy, tổ chức đảng và đảng viên", "các chi bộ vận dụng phù hợp vào thực tiễn",
                           "Ban Tổ chức Đảng ủy", "Cấp ủy các đảng bộ, chi bộ trực thuộc",
                           "đề nghị các cấp ủy, cơ quan, đơn vị liên quan"],
    "plan_thematic": ["của các cấp ủy, tổ chức đảng, đảng viên",
                      "ở các chi bộ phải được thực hiện ít nhất mỗi quý một lần",
                      "việc nổi cộm của cơ quan, đơn vị", "Thực hiện chuyển đổi số trong cơ quan, đơn vị",
                      "các chi bộ có thể bổ sung, thay thế chuyên đề khác", "Ví dụ: Văn phòng Đảng ủy"],
    "plan_midterm": ["và các chi, đảng bộ cơ sở trực thuộc", "các chi bộ trực thuộc",
                     "Ban Chấp hành, Ban Thường vụ", "Trần Quốc Toàn, Phó Bí thư Thường trực Đảng ủy"],
    "plan_admission": ["Đại diện lãnh đạo Đảng ủy Sở Tư pháp", "Văn phòng Đảng ủy"],
    "plan_generic": ["cấp ủy, tổ chức đảng và đảng viên", "đề nghị các đơn vị, cá nhân liên quan"],
}
# What each kind offers a chi bộ instead.
CHI_BO_WORDING = {
    "plan_conference": ["Hội nghị chi bộ sơ kết, tổng kết", "Chi ủy và toàn thể đảng viên trong chi bộ", "Ví dụ: Chi ủy",
                        "đề nghị chi ủy và các đồng chí đảng viên được phân công"],
    "plan_model_meeting": ["chi ủy và đảng viên trong chi bộ", "chi bộ vận dụng vào sinh hoạt thường kỳ",
                           "Chi bộ Xóm Định Thành thuộc Đảng bộ xã Kim Phú"],
    "plan_thematic": ["Chi bộ tổ chức sinh hoạt chuyên đề năm", "Thực hiện chuyển đổi số ở địa phương, đơn vị",
                      "chi bộ có thể bổ sung, thay thế chuyên đề khác", "việc nổi cộm của địa phương, đơn vị"],
    "plan_midterm": ["Đại hội lần thứ V Chi bộ Xóm Định Thành", "toàn thể đảng viên trong chi bộ", "các tổ đảng",
                     "công tác lãnh đạo, chỉ đạo của Chi ủy"],
    "plan_admission": ["Đại diện Đảng ủy xã Kim Phú (đại biểu cấp ủy cấp trên)", "Chi ủy và toàn thể đảng viên",
                       "Đồng chí Nguyễn Thị Thược, Bí thư Chi bộ: Chủ trì Lễ kết nạp"],
    "plan_generic": ["chi ủy và đảng viên trong chi bộ", "đề nghị chi ủy, các đồng chí đảng viên trong chi bộ"],
}
EVERY_KIND_DANG_UY = ["Các đồng chí Đảng ủy viên,", "Các chi bộ trực thuộc,", "Lưu Văn phòng Đảng ủy.", "T/M ĐẢNG ỦY",
                      "PHÓ BÍ THƯ THƯỜNG TRỰC"]
EVERY_KIND_CHI_BO = ["Đảng ủy xã Kim Phú (b/c),", "Chi ủy, đảng viên trong chi bộ,", "Lưu Chi bộ.", "T/M CHI BỘ"]

# Answers for steps that offer nothing to take.
PAST_DATE, FUTURE_DATE = "18/11/2026", "15/12/2026"
TYPED = {"longtext": "Chuẩn bị nội dung, hoàn thành trước ngày 10/12/2026", "text": "Nội dung thử nghiệm",
         "time": "14 giờ 00", "number": "1"}
CONTROL = {"Bỏ qua", "Xong", "Thêm", "Giữ nguyên", "Trang sau", "Trang trước", "Bỏ tất cả", "Xem tất cả"}


async def walk(assistant, talk: Talk, kind: str) -> str:
    """Draft a plan of `kind` taking the suggestions, confirm it; everything the engine showed, as one text."""
    flows = assistant.engine.flows
    shown = [await say(talk, "/kehoach")]
    shown.append(await tap(talk, next(c for c in talk.choices() if c != "Bỏ qua" and _means(assistant, kind, c))))
    seen: dict[str, int] = {}
    previewed = False
    for _ in range(400):
        saved = await assistant.store.draft(talk.channel, talk.user, talk.user)
        if saved is None:
            return "\n".join(shown)
        draft = Draft.from_json(saved)
        flow = flows[draft.flow]
        if draft.mode == "review":
            if not previewed:
                previewed = True
                shown.append(await tap(talk, "Xem trước"))
            else:
                shown.append(await tap(talk, flow.confirm_label))
            continue
        step = flow.step(draft.cursor)
        where = f"{step.key}"
        if step.type == "group":
            entry = draft.pending_group(step.key)
            if entry is None or entry.field is None:
                shown.append(await tap(talk, "Xong" if entry and entry.items else "Thêm"))
                continue
            step = step.field_named(entry.field)
            where += "." + step.key
        seen[where] = seen.get(where, 0) + 1
        assert seen[where] <= 3, f"stuck at {where}:\n" + "\n".join(shown[-3:])
        shown.append(await answer(talk, draft, step, shown[-1]))
    raise AssertionError("the plan did not end")


async def say(talk: Talk, text: str) -> str:
    """The replies to a message, their choices' labels included."""
    return await talk.say(text) + "\n" + "\n".join(talk.choices())


async def tap(talk: Talk, label: str) -> str:
    return await talk.tap(label) + "\n" + "\n".join(talk.choices())


def _means(assistant, kind: str, label: str) -> bool:
    return label == KIND_LABELS[kind] or (kind == "plan_conference" and "sơ kết, tổng kết" in label)


async def answer(talk: Talk, draft: Draft, step, screen: str) -> str:
    offered = [c for c in talk.choices() if c not in CONTROL]
    if step.type == "list":
        items = draft.pending_list(step.key)
        if items or (items is None and ("Danh sách hiện có" in screen or "Gợi ý" in screen)):
            return await say(talk, "xong")
        if step.optional:
            return await say(talk, "bỏ qua")
        return await say(talk, example(screen) or TYPED["text"])
    if offered:
        return await tap(talk, offered[0])
    if step.type == "date":
        return await say(talk, PAST_DATE if step.key in ("signed_on", "cutoff") else FUTURE_DATE)
    if step.optional:
        return await say(talk, "bỏ qua")
    return await say(talk, example(screen) or TYPED.get(step.type, TYPED["text"]))


def example(screen: str) -> str | None:
    match = re.search(r"^Ví dụ: (.+)$", screen, re.MULTILINE)
    return match.group(1).split(";")[0].strip() if match else None


@pytest.mark.parametrize("kind", list(KIND_LABELS))
async def test_a_chi_bo_is_offered_chi_bo_wording(assistant, kind):
    talk = Talk(assistant)
    await onboard(talk, ONBOARD)
    text = await walk(assistant, talk, kind)
    assert "Đã lưu kế hoạch" in text, text[-2000:]
    folded = text.casefold()
    offending = [phrase for phrase in DANG_UY_ONLY if phrase.casefold() in folded]
    assert not offending, "\n".join(f"{p!r}: …{_around(text, p)}…" for p in offending)
    for phrase in CHI_BO_WORDING[kind] + EVERY_KIND_CHI_BO:
        assert phrase in text, phrase


@pytest.mark.parametrize("kind", list(KIND_LABELS))
async def test_a_dang_uy_keeps_the_seeds_wording(assistant, kind):
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_DANG_UY)
    text = await walk(assistant, talk, kind)
    assert "Đã lưu kế hoạch" in text, text[-2000:]
    for phrase in SEED_WORDING[kind] + EVERY_KIND_DANG_UY:
        assert phrase in text, phrase


def _around(text: str, phrase: str) -> str:
    i = text.casefold().index(phrase.casefold())
    return text[max(0, i - 80): i + len(phrase) + 40].replace("\n", " ")
