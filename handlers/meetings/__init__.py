"""Chi bộ meetings: `/sinhhoat` logs a meeting and returns its Biên bản; the monthly and quarterly rhythm.

attendance: the roster, the counts and the rules (pure logic); hooks: what the `meeting` flow calls;
facts (+ facts_hooks): several facts read from one message (absentees, votes, tasks);
documents: the Biên bản, the Nghị quyết / Kết luận and their actions; rhythm: `/nhipsinhhoat`, `/thongke`;
commands: `/sinhhoat` and questions in plain words; notice (+ notice_roll): `/thongbao`, the members' answers,
the absences they announced offered at the roll call. Importing the package registers the flow hooks.
"""

from __future__ import annotations

from handlers.meetings import attendance, documents, facts_hooks, hooks, notice, notice_roll, rhythm
from handlers.meetings.commands import cmd_meeting, free_text, start_minutes, start_resolution
from handlers.meetings.rhythm import cmd_rhythm, cmd_statistics

__all__ = ["attendance", "cmd_meeting", "cmd_rhythm", "cmd_statistics", "documents", "facts_hooks", "free_text", "hooks",
           "notice", "notice_roll", "rhythm", "start_minutes", "start_resolution"]
