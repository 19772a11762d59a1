"""Script lines of the console (issue 13): `#as NAME` switches the speaking user inside one script, `#time`
moves a frozen clock forward and sends the reminders due by then to every user the script spoke as."""

from __future__ import annotations

import subprocess

from bot.channels.console import exchanges
from tests.conftest import ONBOARD, ROOT, chat_cmd, run_env


def chat(tmp_path, lines: list[str]) -> str:
    script = "\n".join(line.replace("\n", "\\n") for line in lines) + "\n"
    run = subprocess.run(chat_cmd(tmp_path / "db.sqlite3", tmp_path), input=script, capture_output=True, text=True,
                         cwd=ROOT, env=run_env(), timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return run.stdout


def test_as_switches_the_speaking_user_and_back(tmp_path):
    out = chat(tmp_path, [*ONBOARD, "#as hoa", "/hanchot", "#as", "/hanchot"])
    assert "(Người gõ: hoa)" in out and "(Người gõ: local)" in out
    replies = dict(exchanges(out.split("(Người gõ: hoa)", 1)[1]))
    first, second = out.split("(Người gõ: hoa)", 1)[1].split("(Người gõ: local)", 1)
    assert "chưa thuộc đơn vị nào" in first  # hoa is another account: no unit yet
    assert "chưa thuộc đơn vị nào" not in second and replies  # local again: her unit's tracker


def test_time_moves_the_clock_and_reminds_every_user_of_the_script(tmp_path):
    out = chat(tmp_path, [*ONBOARD, "nhắc tôi nộp báo cáo trước 25/11", "Lưu", "#as hoa", "/trogiup",
                          "#time +1d", "#time 2026-11-25T07:05", "#time 2026-11-20T00:00", "#time sớm"])
    assert "(Bây giờ là 24/11/2026 08:00)" in out and "(Bây giờ là 25/11/2026 07:05)" in out
    after = out.split("(Bây giờ là 25/11/2026 07:05)", 1)[1]
    assert "[Tin nhắn gửi local]" in after and "hạn chót là hôm nay (thứ tư, 25/11/2026) — Nộp báo cáo" in after
    assert after.count("Nộp báo cáo") == 1  # sent once
    assert "Không đổi giờ được: “2026-11-20T00:00”" in after and "Không đổi giờ được: “sớm”" in after
