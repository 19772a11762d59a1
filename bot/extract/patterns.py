"""The regular expressions of the extractor, over cleaned, accented text (see bot/extract/__init__.py)."""

from __future__ import annotations

import re

NGAY = r"(?:ngày|mùng|mồng)"
LEFT = r"(?<![\w/.\-])"  # a number that does not continue another one
END = r"(?![\w/]|[.\-]\d)"  # ... and is not continued
YW = r"(?:\s*,?\s*năm\s*\d{4}|\s*[/.\-]\s*\d{4})"  # ", năm 2023" or "/2023" after a month
A_WORD = r"\d{1,2}\s+tháng\s*\d{1,2}(?:\s*,?\s*năm\s*\d{4})?"
A_NUM = r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{4})?"
A_MONTH = rf"tháng\s*\d{{1,2}}{YW}?"
B_WORD = rf"\d{{1,2}}\s+tháng\s*\d{{1,2}}{YW}?"
B_NUM = r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-](?:\d{4}|\d{2}))?"
TO = r"\s*(?:đến|tới|-|–)\s*"

# Every expression starts at a digit or at one of these words; checking that first (a cheap guard
# in front of the alternation) makes the scan about six times faster.
STARTS = "ngày|mùng|mồng|từ|quý|qúy|đầu|giữa|cuối|tháng|trong|cả|năm|sáu|ba|chín"
EXPR = re.compile(
    rf"(?=[\dnmtqđgcsb])(?:(?<!\w)(?=(?:{STARTS})(?![^\W\d]))|(?=\d))(?:"
    + "|".join([
        # blank template dates: not items, but consumed so "tháng 10 năm 2023" is not read as a month
        rf"(?P<blank>(?<!\w){NGAY}[\s.…_]*(?:tháng[\s.…_]*(?:\d{{1,2}})?[\s.…_]*năm\s*\d{{0,4}}"
        rf"|/[\s.…_]*(?:\d{{1,2}})?[\s.…_]*/\s*\d{{2,4}}))",
        # ranges
        rf"(?P<range>(?<!\w)từ\s+(?:{NGAY}\s*)?(?:{A_WORD}|{A_NUM}|{A_MONTH}|\d{{1,2}}(?![\d/.\-]))"
        rf"{TO}(?:hết\s+)?(?:{NGAY}\s*)?(?:{B_WORD}|{B_NUM}|{A_MONTH})(?!\d|[/.\-]\d)"
        rf"|(?:(?<!\w){NGAY}\s*|{LEFT})(?:{A_WORD}|{A_NUM}){TO}(?:{NGAY}\s*)?(?:{B_WORD}|{B_NUM})(?!\d|[/.\-]\d))",
        rf"(?P<dayrange>{LEFT}\d{{1,2}}\s*[-–]\s*\d{{1,2}}/\d{{1,2}}(?:/\d{{4}})?{END})",
        # one day
        rf"(?P<day>(?:(?<!\w)(?P<ng>{NGAY})\s*|{LEFT})(?:\d{{1,2}}(?P<s1>[/.\-])\d{{1,2}}(?P=s1)(?:\d{{4}}|\d{{2}}){END}"
        rf"|\d{{1,2}}\s+tháng\s*\d{{1,2}}(?:\s*,?\s*năm\s*\d{{4}}|[/.\-]\d{{4}})(?!\d)))",
        rf"(?P<dm>(?:(?<!\w)(?P<ng2>{NGAY})\s*|{LEFT})\d{{1,2}}(?:\s*(?P<s2>[/.\-])\s*\d{{1,2}}|\s+tháng\s*\d{{1,2}})"
        r"(?!\d|\s*[/.\-]\s*\d|\s*,?\s*năm\s*\d))",
        # periods
        r"(?P<quarter>(?<!\w)(?:quý|qúy)\s*(?:iv|iii|ii|i|[1-4])(?!\w)(?:\s*(?:[/.\-]|,?\s*năm)\s*\d{4}(?!\d))?)",
        r"(?P<half>(?<!\w)(?:\d{1,2}|sáu|ba|chín)\s+tháng\s+(?:đầu|cuối)\s+năm(?:\s*,?\s*\d{4}(?!\d)|(?!\w)))",
        rf"(?P<month>(?<!\w)(?:(?:đầu|giữa|cuối)\s+)?tháng\s*\d{{1,2}}{YW}?(?!\d|\s*[/.\-]\s*\d))",
        rf"(?P<monthbare>(?:(?<!\w)(?:đầu|giữa|cuối)\s+)?{LEFT}\d{{1,2}}[/.\-]\d{{4}}(?!\w|[/.\-]\d))",
        r"(?P<year>(?<!\w)(?:trong|cả)\s+năm\s+\d{4}(?!\d)|(?:(?<=hết\s)|(?<=:\s))năm\s+\d{4}(?!\d)(?!\s*[-–]\s*\d))",
    ])
    + ")",
    re.I,
)
GROUPS = ("blank", "range", "dayrange", "day", "dm", "quarter", "half", "month", "monthbare", "year")
PERIOD_GROUPS = ("range", "dayrange", "quarter", "half", "month", "monthbare", "year")
YEAR4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")
DAYRANGE_SPACES = re.compile(r"\s*[-–]\s*")

TIME = (r"(?<![\w:/.,])\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{1,2}(?!\d)(?:\s*phút)?)?(?:\s*(?:sáng|trưa|chiều|tối|đêm))?(?!\w)"
         r"|(?<![\w:/.])\d{1,2}:\d{2}(?!\d)")
WD = r"(?<!\w)(?<!lần\s)(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7](?!\d))|chủ\s*nhật)(?!\w)"
BEFORE = re.compile(
    rf"(?:(?:(?P<t>{TIME})|{WD}|(?<!\w)(?:buổi\s+)?(?:sáng|chiều|tối|trưa)(?!\w)|(?<!\w)hồi(?!\w))[\s,;:\-–()]*)+\Z",
    re.I)
TIME_ONLY = re.compile(TIME, re.I)
AFTER = re.compile(  # used with match(line, pos): no \A
    rf"(?:\s*\(\s*{WD}\s*\))?(?:[\s,;]*(?:(?:vào\s+)?(?:lúc|hồi)\s*)?(?P<t>{TIME}))?", re.I)

# Cues: kind per alternative.
CUE_DEADLINE = (r"thời\s+gian\s+hoàn\s+thành|thời\s+hạn(?:\s+hoàn\s+thành)?|hạn\s+chót|hạn\s+cuối"
                 r"|hoàn\s+thành(?:\s+xong)?(?:\s+trước)?|xong(?:\s+trước|\s+trong)?|trước"
                 r"|chậm\s+nhất(?:\s+là)?|muộn\s+nhất(?:\s+là)?|(?:đến\s+)?hết|hạn(?!\s*chế)")
CUE_EVENT = (r"thời\s+gian\s+dự\s+kiến\s*:?|dự\s+kiến(?:\s+(?:tổ\s+chức|tiến\s+hành|họp|diễn\s+ra))?"
              r"|vào\s+lúc|lúc|tổ\s+chức\s+vào|diễn\s+ra(?:\s+vào)?"
              r"|khai\s+mạc(?:\s+vào)?|họp(?:\s+vào)?|thời\s+gian\s*:")
CUE_LABEL = r"thời\s+gian\s+(?:tiến\s+hành|thực\s+hiện|tổ\s+chức)\s*:?"
CUE = rf"(?<!\w)(?:(?P<dl>{CUE_DEADLINE})|(?P<ev>{CUE_EVENT})|(?P<lb>{CUE_LABEL}))(?!\w)"
CUE_RE = re.compile(CUE, re.I)
TRUOC_END = re.compile(r"trước$", re.I)
CHAIN = re.compile(rf"(?:{CUE}[\s:,(\-–]*(?:(?:là|vào|trong|khoảng)\s+)*)+\Z", re.I)
CUE_WINDOW = 80
# A deadline cue right after an uncued day: "ngày 15/6/2023 là hạn chót", "ngày 15/6/2023 hoàn thành".
DEADLINE_AFTER = re.compile(
    r"[\s,:\-–]*(?:là\s+)?(?:hạn\s+chót|hạn\s+cuối|thời\s+hạn|hạn(?!\s*chế)|hoàn\s+thành|xong)(?!\w)", re.I)

# A label that names a deadline, a few words before its colon: "Hạn chót nộp hồ sơ: 30/9/2024".
DEADLINE_LABEL = re.compile(r"(?<!\w)(?:hạn\s+chót|hạn\s+cuối|thời\s+hạn|hạn(?!\s*chế))(?!\w)[^:;.]{0,40}:\s*\Z", re.I)

# A time label a few words before its colon: "Thời gian tổ chức Đại hội: Quý III/2025".
TIME_LABEL = re.compile(r"(?<!\w)thời\s+gian(?!\w)[^:;.]{0,50}:\s*\Z", re.I)

# Citations, issue dates, cut-offs.
DOCNUM = re.compile(
    r"\d+[a-z]?\s*[-–]\s*[A-ZĐ]{1,8}[a-z]?\s*/\s*[A-ZĐa-zđ0-9.]+(?:[-/][A-ZĐa-zđ0-9.]+)*"
    r"|\d+(?:/\d{2,4})?/[A-ZĐ]{1,8}-[A-ZĐa-zđ0-9]+(?:-[A-ZĐa-zđ0-9]+)*")
DOCNUM_GAP = re.compile(r"[\s,;:()]*(?:(?:ban\s+hành|ký)\s+)?(?:vào\s+)?\Z", re.I)
DOCTYPE_BEFORE = re.compile(
    r"(?<!\w)(?:nghị\s+quyết|chỉ\s+thị|kết\s+luận|hướng\s+dẫn|kế\s+hoạch|thông\s+báo|quyết\s+định|công\s+văn"
    r"|quy\s+định|quy\s+chế|chương\s+trình|thông\s+tri|nghị\s+định|thông\s+tư|luật|tờ\s+trình|đề\s+án"
    r"|điều\s+lệ|văn\s+bản|hiến\s+pháp)(?!\w)(?!\s+này)[^.;:!?]{0,60}?(?:,\s*)?(?:(?:ban\s+hành|ký)\s+)?\Z",
    re.I)
# "Tuyên Quang, ngày 22 tháng 11 năm 2022", "Hà Nội, ngày 28/02/2023", "Thành phố Hồ Chí Minh, ngày   tháng 10 năm 2023"
ISSUE_LINE = re.compile(
    r"^[A-ZĐÀ-Ỹ][^\d,;:()\-+]{1,60},\s*(?:ngày|Ngày)[\s.…_]*(?:\d{1,2})?[\s.…_]*"
    r"(?:tháng[\s.…_]*(?:\d{1,2})?[\s.…_]*năm|[/.\-][\s.…_]*(?:\d{1,2})?[\s.…_]*[/.\-])\s*\d{4}\s*\.?$")
# A day that dates no action of the plan: a law passed, a document signed, a body founded, a rule in force.
HISTORY_BEFORE = re.compile(
    r"(?<!\w)(?:thông\s+qua|ban\s+hành|ký|thành\s+lập|phê\s+duyệt|công\s+bố|hiệu\s+lực(?:\s+thi\s+hành)?"
    r"(?:\s+(?:kể\s+)?từ)?|hôm\s+nay)[\s,]*(?:vào\s+)?(?:(?:lúc|hồi)\s+[^,;.]{1,25}[\s,]+)?\Z", re.I)
CUTOFF = re.compile(r"(?<!\w)(?:thời\s+điểm|mốc\s+thời\s+gian|số\s+liệu|tính\s+đến|tính\s+từ)(?!\w)", re.I)

# Topic-attached periods.
BULLET = re.compile(r"^\s*(?:[-+•–]\s*|\d+(?:\.\d+)*\s*[.)\-–]\s*|[a-zđ]\)\s*)", re.I)
PAREN_BEFORE = re.compile(r"\(\s*(?:(?:thực\s+hiện|thời\s+gian|trong|vào)\s*:?\s*)*\Z", re.I)
PAREN_AFTER = re.compile(r"\s*\)\s*[.;,:]?\s*\Z")
LABEL_BEFORE = re.compile(r"^\s*(?:[-+•–]\s*|\d+(?:\.\d+)*\s*[.)\-–]\s*|[a-zđ]\)\s*)?(?:trong\s+)?\Z", re.I)
LABEL_AFTER = re.compile(r"\s*[:\-–]\s*\S")

ROMAN = re.compile(r"^(?P<n>[IVX]{1,5})\s*[.\-–)/:]\s*(?P<rest>\S.*)$")
NUMBERED = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s*[.\-–)]\s*(?P<rest>\S.*)$")
FOOTER = re.compile(r"^nơi\s+nhận\b", re.I)
NO_WHO_SECTION = re.compile(r"MỤC\s+ĐÍCH|YÊU\s+CẦU", re.I)
BODY = re.compile(
    r"(?:(?:các|tập\s+thể|toàn\s+thể|mỗi|từng)\s+)?(?:đồng\s+chí\s+|đ/c\s+)?"
    r"(?:đảng\s+(?:bộ|(?:ủy|uỷ)\s*viên|(?:ủy|uỷ)|viên|đoàn)|chi\s+(?:bộ|(?:ủy|uỷ)|đoàn)|cấp\s+(?:(?:ủy|uỷ)|cơ\s+sở|khối|trên|dưới)"
    r"|ban(?!\s+hành)|văn\s+phòng|(?:ủy|uỷ)\s+(?:ban|viên)|ubkt|ubnd|ub|thường\s+(?:trực|vụ)|(?:phó\s+)?bí\s+thư"
    r"|đồng\s+chí|đ/c|cơ\s+quan|tổ\s+chức\s+(?:cơ\s+sở|đảng)|tccs\w*|tổ\s+đảng|công\s+đoàn|đoàn"
    r"|hội(?!\s+(?:nghị|thảo|thi|diễn))|mặt\s+trận|lãnh\s+đạo(?=(?-i:\s+[A-ZĐ])|\s+(?:cơ\s+quan|đơn\s+vị|các))"
    r"|cán\s+bộ|trường(?!\s+hợp)"
    r"|phòng(?!\s+(?:chống|ngừa))|bch|btv|bộ\s+phận)(?!\w)",
    re.I)
# Where an assignee's name ends: the first verb of the assignment (lower case only, so "Ban Chỉ đạo",
# "Ủy ban Kiểm tra" stay whole; "cơ quan tham mưu" is a name).
WHO_END = re.compile(
    r"\s(?:chủ\s+trì|phối\s+hợp|xây\s+dựng|(?:tổ\s+chức\s+)?thực\s+hiện|triển\s+khai|(?<!cơ quan )tham\s+mưu"
    r"|(?<!các )(?<!những )tổ\s+chức(?!\s+(?:cơ\s+sở|đảng|đoàn|chính\s+trị))"
    r"|hướng\s+dẫn|chỉ\s+đạo|chịu\s+trách\s+nhiệm|có\s+trách\s+nhiệm|căn\s+cứ|báo\s+cáo|gửi|theo\s+dõi"
    r"|tổng\s+hợp|chuẩn\s+bị|cử|kiểm\s+tra|đôn\s+đốc|phát\s+hành|theo|nghiên\s+cứu|hoàn\s+thành|tiếp\s+tục"
    r"|quán\s+triệt|rà\s+soát|lựa\s+chọn|bố\s+trí|đảm\s+bảo|bảo\s+đảm|thẩm\s+định|tham\s+dự|tham\s+gia"
    r"|giúp(?!\s+việc))(?!\w)")
DOI_VOI = re.compile(r"^(?:đối\s+với|giao(?:\s+cho)?)\s+", re.I)
GIAO = re.compile(r"(?<!\w)(?<!được\s)[Gg]iao\s+(?:cho\s+)?")
CHU_TRI = re.compile(r"^(?P<x>.{3,120}?)\s+chủ\s+trì(?!\w)")
THUC_HIEN_LINE = re.compile(r"^(?P<x>.{3,150}?)\s+thực\s+hiện\s*[;.,]?\s*$")
LABEL = re.compile(r"^(?P<x>[^:]{2,80}?)\s*:\s*(?P<rest>.*)$")
SENTENCE_END = re.compile(r"[.!?]\s+")
CLAUSE_END = re.compile(r"[;.!?](?=\s)")
MARKUP_KEY = re.compile(r"[*#_`\\]+")
