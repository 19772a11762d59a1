"""The limits on an untrusted plan file (or pasted plan), checked before the work they bound.

A file is refused with a Vietnamese message that names the limit. The cheap checks (upload size, the
zip directory of a .docx, the length of the text) run before the expensive step they protect; the
worker (bot/extract/worker.py) bounds the rest: its wall time and its memory.
"""

from __future__ import annotations

import os
import zipfile

MB = 1024 * 1024

MAX_UPLOAD = 10 * MB  # bytes of a file sent (Telegram's own cap for bots to download is 20 MB)
MAX_PART = 30 * MB  # uncompressed bytes of one member of a .docx package (a 300-page plan: ~5 MB of XML)
MAX_UNZIPPED = 100 * MB  # uncompressed bytes of all members together (pictures included)
MAX_RATIO = 100  # uncompressed / compressed size of one member larger than RATIO_FROM (Word's XML: 5-30)
RATIO_FROM = 1 * MB
MAX_MEMBERS = 2000  # files inside one .docx package (a real plan has 10-50)
MAX_TEXT = 1_000_000  # characters of text in one plan, about 300 pages; read in ~3 s
MAX_ITEMS = 200  # dated items found in one plan (a real plan has 5-60)
WORKER_SECONDS = 20.0  # wall time of one reading job; the job is killed after it
WORKER_MEMORY = 512 * MB  # address space of one reading job (RLIMIT_AS); a 300-page plan needs ~150 MB
WORKERS = max(1, (os.cpu_count() or 2) - 1)  # reading jobs at the same time (a core stays the bot's); more wait
WORKER_NICE = 10  # a reading job runs at a lower priority than the bot

FIX = "Xin mở tệp bằng Word, lưu lại rồi gửi lại; nếu kế hoạch quá dài, xin tách thành các tệp nhỏ hơn."


def mb(size: float) -> str:
    """A size in MB, Vietnamese style: “12,3 MB”, “10 MB”."""
    value = size / MB
    text = f"{value:.0f}" if value >= 100 or value == int(value) else f"{value:.1f}".replace(".", ",")
    return f"{text} MB"


def number(n: int) -> str:
    """An integer with Vietnamese thousands separators: 1.000.000."""
    return f"{n:,}".replace(",", ".")


def check_upload(size: int, name: str) -> None:
    """A file larger than MAX_UPLOAD is refused before it is read."""
    if size > MAX_UPLOAD:
        raise ValueError(f"Tệp “{name}” quá lớn: {mb(size)}, vượt giới hạn {mb(MAX_UPLOAD)} cho một tệp. "
                         "Tôi chưa đọc tệp này; xin gửi tệp nhỏ hơn (tách kế hoạch thành nhiều tệp nếu cần).")


def check_package(package: zipfile.ZipFile, name: str) -> None:
    """The zip directory of a .docx, read before anything is unpacked: how many members, the declared
    uncompressed size of each and of all, and each large member's compression ratio. (zipfile never
    unpacks more than the declared size: a member that would is a broken file.)"""
    members = package.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValueError(f"Tệp “{name}” có {number(len(members))} phần bên trong, vượt giới hạn "
                         f"{number(MAX_MEMBERS)} phần của một tệp Word. Tôi không mở tệp này. {FIX}")
    total = sum(m.file_size for m in members)
    biggest = max(members, key=lambda m: m.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_PART:
        raise ValueError(f"Tệp “{name}” quá lớn: một phần bên trong giải nén ra {mb(biggest.file_size)}, vượt "
                         f"giới hạn {mb(MAX_PART)} cho một phần. Tôi không mở tệp này (có thể là tệp hỏng hoặc tệp độc hại). {FIX}")
    if total > MAX_UNZIPPED:
        raise ValueError(f"Tệp “{name}” quá lớn: giải nén ra {mb(total)}, vượt giới hạn {mb(MAX_UNZIPPED)}. "
                         f"Tôi không mở tệp này. {FIX}")
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise ValueError(f"Tệp “{name}” bị nén bất thường: một phần giải nén ra gấp {number(ratio)} lần, vượt "
                             f"giới hạn {MAX_RATIO} lần. Tôi không mở tệp này (có thể là tệp hỏng hoặc tệp độc "
                             f"hại). {FIX}")


def check_text(length: int, name: str) -> None:
    """A text longer than MAX_TEXT characters is not searched for dates."""
    if length > MAX_TEXT:
        what = f"Văn bản trong tệp “{name}”" if name else "Văn bản gửi lên"
        raise ValueError(f"{what} quá dài: {number(length)} ký tự, vượt giới hạn {number(MAX_TEXT)} ký tự "
                         "(khoảng 300 trang). Xin tách kế hoạch thành các phần nhỏ hơn rồi gửi từng phần.")


def check_items(count: int, name: str) -> None:
    """More dated items than MAX_ITEMS are too many to review in one chat (and to send)."""
    if count > MAX_ITEMS:
        what = f"tệp “{name}”" if name else "văn bản gửi lên"
        raise ValueError(f"Tôi tìm thấy {number(count)} mốc thời gian trong {what}, vượt giới hạn {MAX_ITEMS} mốc "
                         "cho một lần nhập. Xin tách kế hoạch thành các phần nhỏ hơn rồi gửi từng phần.")


def timed_out(name: str) -> str:
    what = f"Đọc tệp “{name}”" if name else "Đọc văn bản này"
    seconds = f"{WORKER_SECONDS:g}".replace(".", ",")
    return (f"{what} mất quá nhiều thời gian (vượt giới hạn {seconds} giây) nên tôi đã dừng. "
            f"Các việc khác vẫn tiếp tục bình thường. {FIX}")


def out_of_memory(name: str) -> str:
    what = f"Đọc tệp “{name}”" if name else "Đọc văn bản này"
    return f"{what} cần quá nhiều bộ nhớ (vượt giới hạn {mb(WORKER_MEMORY)}) nên tôi đã dừng. {FIX}"


def failed(name: str) -> str:
    what = f"tệp “{name}”" if name else "văn bản này"
    return (f"Tôi không đọc xong được {what}: việc đọc vượt giới hạn bộ nhớ ({mb(WORKER_MEMORY)}) hoặc thời gian "
            f"xử lý, hoặc tệp bị hỏng, nên tôi đã dừng. {FIX}")
