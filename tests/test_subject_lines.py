"""The subject (trích yếu) under the document type breaks where a person would (issue 15, point 1)."""

from __future__ import annotations

import time

import pytest

from bot.subject_lines import SAFETY, TEXT_WIDTH, subject_lines
from bot.text_width import width_mm

SUBJECTS = [
    "Tổ chức Hội nghị Ban Chấp hành lần thứ 14 sơ kết công tác xây dựng Đảng 9 tháng đầu năm 2023, triển khai "
    "phương hướng nhiệm vụ 3 tháng cuối năm 2023",
    "Tổ chức sơ kết công tác giữa nhiệm kỳ Đại hội lần thứ III Đảng bộ Khối các trường Đại học, Cao đẳng Hà Nội "
    "và các chi, đảng bộ cơ sở trực thuộc",
    "Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội Đảng bộ Khối lần thứ VIII nhiệm kỳ 2020 - 2025",
    "Tổ chức Lễ kết nạp đảng viên mới cho quần chúng Trần Thị Mai và quần chúng Nguyễn Văn Hải, Chi bộ Khu phố 3",
    "Về việc học tập, quán triệt và triển khai thực hiện Nghị quyết Hội nghị lần thứ 8 Ban Chấp hành Trung ương "
    "Đảng khóa XIII trong toàn Đảng bộ xã Tân Phú năm 2024",
]


def fits(line: str) -> bool:
    return width_mm(line, 14, bold=True) <= TEXT_WIDTH - SAFETY


@pytest.mark.parametrize("subject", SUBJECTS)
def test_lines_fit_keep_every_word_and_never_split_a_number(subject):
    lines = subject_lines(subject)
    assert " ".join(lines) == subject
    assert all(fits(line) for line in lines)
    assert len(lines) > 1 and all(len(line.split()) > 1 for line in lines)  # no word alone on a line
    for before, after in zip(lines, lines[1:], strict=False):
        last, first = before.split()[-1], after.split()[0]
        assert not first[0].isdigit(), (before, after)  # not "năm / 2023"
        assert not (last[0].isdigit() and first in ("tháng", "năm", "ngày")), (before, after)  # not "9 / tháng"
        assert last not in ("của", "và", "các", "về"), (before, after)


def test_seed_000_breaks_after_its_phrases():
    assert subject_lines(SUBJECTS[0]) == [
        "Tổ chức Hội nghị Ban Chấp hành lần thứ 14",
        "sơ kết công tác xây dựng Đảng 9 tháng đầu năm 2023,",
        "triển khai phương hướng nhiệm vụ 3 tháng cuối năm 2023",
    ]


def test_a_short_subject_and_the_lines_she_typed_stay():
    assert subject_lines("Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023") == [
        "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023"]
    typed = "Tổ chức sơ kết công tác giữa nhiệm kỳ\nĐảng bộ Khối\n\n  và các chi bộ trực thuộc "
    assert subject_lines(typed) == ["Tổ chức sơ kết công tác giữa nhiệm kỳ", "Đảng bộ Khối", "và các chi bộ trực thuộc"]


def test_any_input_is_set_quickly():
    start = time.perf_counter()
    lines = subject_lines("chữ " * 3000 + "x" * 500)
    assert time.perf_counter() - start < 2
    assert lines[-1] == "x" * 500 and all(fits(line) for line in lines[:-1])
