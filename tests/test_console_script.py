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


def test_a_join_request_reaches_the_managers_with_its_answers(tmp_path):
    """A member who joined with a code made for nobody says who she is: the owner's chat gets the request (sent by
    the sweep, once) and confirms it."""
    out = chat(tmp_path, [*ONBOARD, "/moi", "Đảng viên", "Để đồng chí ấy tự chọn",
                          "#as binh", "/batdau", "Tham gia bằng mã mời", "$MA_MOI", "Trần Thị Bình", "/viec",
                          "#as", "/thanhvien xac nhan console:binh", "#as binh", "/viec"])
    request = ("Tài khoản “binh” trên máy tính (chibo chat) đã tham gia Chi bộ Xóm Định Thành với vai trò đảng viên "
               "và cho biết mình là đồng chí Trần Thị Bình trong danh sách đảng viên.")
    assert "Đã gửi đề nghị: đồng chí là Trần Thị Bình." in out
    assert out.count(request) == 1  # to the owner, once
    pushed = out.split("[Tin nhắn gửi local]", 1)[1]
    assert pushed.lstrip("\n").split("\n")[0] == request + " Xin đồng chí xác nhận (hoặc xem /thanhvien)."
    assert "Đã xác nhận" in out.split("> /thanhvien xac nhan console:binh", 1)[1]
    assert "chưa được gắn với tên nào" in out.split("> /viec")[1] and "chưa được gắn" not in out.split("> /viec")[2]
