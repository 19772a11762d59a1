"""Corrections remembered: a recipient line and a signer she changed in one plan come back so in the next one
(the real Assistant over the real SQLite file)."""

from __future__ import annotations

from handlers.remembered import with_superior_line
from tests.conftest import Talk, onboard
from tests.test_plan_flow import THEMATIC, confirm, document_text

RECIPIENTS = len(THEMATIC) - 4  # the "xong" that accepts the suggested recipients


async def plan_until(talk: Talk, number: str, stop: int) -> str:
    reply = ""
    for answer in THEMATIC[:stop]:
        reply = await talk.say(number if answer == "__number__" else answer)
    return reply


async def test_a_corrected_recipient_and_signer_are_offered_in_the_next_plan(assistant):
    talk = Talk(assistant)
    await onboard(talk)  # superior in the profile: "Đảng bộ xã Kim Phú"

    # plan 1: the suggested "(b/c)" line is corrected, another signer signs
    asked = await plan_until(talk, "1", RECIPIENTS)
    assert "1. Đảng ủy xã Kim Phú (b/c)," in asked  # a chi bộ reports to the đảng ủy of its đảng bộ
    await talk.say("xóa 1")
    await talk.say("Ban Thường vụ Đảng ủy xã Kim Phú (b/c),")
    await talk.say("xong")
    await talk.say("1")
    await talk.say("1")
    await talk.say("Nguyễn Văn An")
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(talk)
    assert "Ban Thường vụ Đảng ủy xã Kim Phú (b/c)," in document_text(talk)

    # plan 2: the corrected list is the suggestion, the signer she used comes first
    asked = await plan_until(talk, "2", RECIPIENTS)
    assert "Ban Thường vụ Đảng ủy xã Kim Phú (b/c)," in asked
    await talk.say("xong")
    await talk.say("1")
    await talk.say("1")
    assert talk.choices()[:2] == ["Nguyễn Văn An", "Nguyễn Thị Thược"], talk.choices()
    await talk.say("Nguyễn Văn An")
    assert "Đã lưu kế hoạch 02-KH/CB" in await confirm(talk)
    text = document_text(talk)
    assert "Ban Thường vụ Đảng ủy xã Kim Phú (b/c)," in text


async def test_without_a_correction_the_usual_list_is_offered(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await plan_until(talk, "1", len(THEMATIC))
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(talk)
    asked = await plan_until(talk, "2", RECIPIENTS)
    assert "1. Đảng ủy xã Kim Phú (b/c)," in asked and "Lưu Chi bộ." in asked
    await plan_until_signer(talk)
    assert talk.choices()[:1] == ["Nguyễn Thị Thược"]


async def plan_until_signer(talk: Talk) -> None:
    for answer in ("xong", "1", "1"):
        await talk.say(answer)


def test_the_superior_line_of_another_document_replaces_the_default_one():
    defaults = ["Đảng ủy xã Kim Phú (b/c),", "Chi ủy, đảng viên trong chi bộ,", "Lưu Chi bộ."]
    remembered = ["Đảng ủy xã Kim Phú mới (B/cáo);", "Lưu Chi bộ."]
    assert with_superior_line(defaults, remembered) == [
        "Đảng ủy xã Kim Phú mới (B/cáo);", "Chi ủy, đảng viên trong chi bộ,", "Lưu Chi bộ."]
    assert with_superior_line(defaults, ["Lưu Chi bộ."]) == defaults
