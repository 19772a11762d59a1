"""Issue 13's scenario, tests/scenarios/members.txt, read back: what the console printed, the database it left and
the December Biên bản (python-docx)."""

from __future__ import annotations

import sqlite3

import docx


def test_roles_after_the_invitations(replay):
    run = replay("members")
    with sqlite3.connect(run.db) as conn:
        roles = dict(conn.execute("SELECT user_id, role FROM accounts"))
        unit_name = conn.execute("SELECT name FROM units").fetchone()[0]
        people = dict(conn.execute("SELECT a.user_id, p.name FROM accounts a JOIN people p ON p.id = a.person_id"))
    assert roles == {"local": "owner", "cuong": "manager", "an": "member"}
    assert people == {"cuong": "Lê Văn Cường", "an": "Nguyễn Văn An"}
    assert unit_name == "Chi bộ Xóm Định Thành"  # the member could not change it


def test_the_members_task_was_reminded_to_her_once_and_done_by_her(replay):
    run = replay("members")
    reminders = run.stdout.split("[Tin nhắn gửi an]")[1:]  # printed while another user typed
    assert len(reminders) == 1 and "Chủ trì tổng vệ sinh đường làng, ngõ xóm" in reminders[0].split("\n\n")[0]
    with sqlite3.connect(run.db) as conn:
        done = conn.execute("SELECT d.status, d.done_by, d.done_by_name, p.name FROM deadlines d JOIN people p "
                            "ON p.id = d.person_id WHERE d.title LIKE 'Chủ trì tổng vệ sinh%'").fetchall()
    assert done == [("done", "console:an", "Nguyễn Văn An", "Nguyễn Văn An")]


def test_the_absence_answered_to_the_notice_is_in_the_next_minutes(replay):
    run = replay("members")
    [december] = [p for p in run.documents if p.name.startswith("Biên bản 02-BB-CB")]
    text = "\n".join(p.text for p in docx.Document(str(december)).paragraphs)
    assert "+ Vắng có lý do: 1 đồng chí: đồng chí Nguyễn Văn An (đi công tác)." in text
    assert "đã hoàn thành (đ/c Nguyễn Văn An báo xong ngày 26/11)" in text  # November's task, reviewed
    with sqlite3.connect(run.db) as conn:
        replies = conn.execute("SELECT p.name, r.status, r.reason FROM notice_replies r JOIN people p "
                               "ON p.id = r.person_id").fetchall()
    assert replies == [("Nguyễn Văn An", "absent", "đi công tác")]
