"""A draft reads and writes exactly the JSON document the engine has always saved in the drafts table."""

from __future__ import annotations

import json
from typing import Any

from handlers.draft import Draft, GroupEntry

# Captured from the engine before drafts were typed: the sample flow while its list step is being
# typed, and the grouped flow in the middle of its group's second item.
LIST_ROW = (
    '{"flow": "sample", "answers": {"name": "Họp", "body": null, "day": "2026-12-01", "at": "08:00", '
    '"count": 10, "kind": "thuong_ky"}, "meta": {}, "cursor": "people", "history": ["name", "body", "day", '
    '"at", "count", "kind"], "mode": "ask", "return_to_review": false, "seq": 8, "offered": [["Xong", '
    '"__done__"]], "pending": {"people": [{"name": "Nguyễn Văn An", "status": "chinh_thuc", "exempt": false}, '
    '{"name": "Trần Thị Bình", "status": "du_bi", "exempt": false}]}}'
)
GROUP_ROW = (
    '{"flow": "grouped", "answers": {}, "meta": {}, "cursor": "meetings", "history": [], "mode": "ask", '
    '"return_to_review": false, "seq": 8, "offered": [["Thường kỳ", "thuong_ky"], ["Chuyên đề", "chuyen_de"]], '
    '"pending": {"meetings": {"items": [{"cell": "Chi bộ 01", "kind": "chuyen_de", "topic": "Chuyển đổi số", '
    '"day": "2024-03-28", "place": null}], "item": {"cell": "Chi bộ 4"}, "field": "kind"}}}'
)
REVIEW_ROW = (
    '{"flow": "deadline", "answers": {"title": "Nộp báo cáo", "when": {"text": "15/6"}, "who": null}, '
    '"meta": {"id": 7}, "cursor": null, "history": [], "mode": "review", "return_to_review": false, '
    '"seq": 3, "offered": [["Lưu", "__confirm__"]], "pending": {}}'
)
# Saved before lists and groups existed: no "pending".
OLD_ROW = (
    '{"flow": "sample", "answers": {"name": "Họp"}, "meta": {}, "cursor": "body", "history": ["name"], '
    '"mode": "ask", "return_to_review": false, "seq": 2, "offered": [["Bỏ qua", "__skip__"]]}'
)


def test_saved_drafts_round_trip_unchanged():
    for row in (LIST_ROW, GROUP_ROW, REVIEW_ROW, OLD_ROW):
        data: dict[str, Any] = json.loads(row)
        draft = Draft.from_json(data)
        assert draft.to_json() == data
        assert json.dumps(draft.to_json(), ensure_ascii=False) == row


def test_typed_fields():
    draft = Draft.from_json(json.loads(GROUP_ROW))
    entry = draft.pending_group("meetings")
    assert entry == GroupEntry(items=[{"cell": "Chi bộ 01", "kind": "chuyen_de", "topic": "Chuyển đổi số",
                                       "day": "2024-03-28", "place": None}],
                               item={"cell": "Chi bộ 4"}, field="kind")
    assert draft.pending_list("meetings") is None
    assert draft.offered == [("Thường kỳ", "thuong_ky"), ("Chuyên đề", "chuyen_de")]
    listed = Draft.from_json(json.loads(LIST_ROW))
    assert listed.pending_list("people") == [
        {"name": "Nguyễn Văn An", "status": "chinh_thuc", "exempt": False},
        {"name": "Trần Thị Bình", "status": "du_bi", "exempt": False}]
    assert listed.mode == "ask" and listed.cursor == "people" and listed.seq == 8


def test_old_draft_gains_pending_only_at_a_list():
    draft = Draft.from_json(json.loads(OLD_ROW))
    assert draft.pending == {} and "pending" not in draft.to_json()
    draft.hold("people", [])
    draft.release("people")
    assert draft.to_json()["pending"] == {}

