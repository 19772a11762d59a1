"""The text of a plan file: .txt/.md as UTF-8, .docx paragraphs and table cells in document order."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

from bot.extract.limits import check_package, check_text, check_upload

SUPPORTED_SUFFIXES = (".docx", ".txt", ".md")


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether an error (or one it came from) is memory running out; lxml reports it as a syntax error."""
    while exc is not None:
        if isinstance(exc, MemoryError) or "ERR_NO_MEMORY" in str(getattr(exc, "error_log", "")):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _docx_text(data: bytes, name: str) -> str:
    bad = (f"Tệp “{name}” không phải tệp Word .docx hợp lệ (tệp bị hỏng hoặc sai định dạng). "
           "Vui lòng mở tệp bằng Word, lưu lại dưới dạng .docx rồi gửi lại.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError(bad)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_package(package, name)  # before python-docx unpacks anything
    except zipfile.BadZipFile as exc:
        raise ValueError(bad) from exc
    from docx import Document
    from docx.table import Table

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx fails in many ways on a broken package
        if _out_of_memory(exc):
            raise MemoryError from exc
        raise ValueError(bad) from exc
    out: list[str] = []
    length = 0
    seen: set = set()  # the cells' XML elements (kept alive here, so identity is stable): a merged cell repeats

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell)
            else:
                nonlocal length
                out.append(block.text)
                length += len(block.text) + 1
                check_text(length, name)  # stop early: the text is only ever longer

    try:
        walk(doc)
    except ValueError:
        raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise MemoryError from exc
        raise ValueError(bad) from exc
    return "\n".join(out)


def check_suffix(name: str) -> str:
    """The lower-case suffix of a plan file's name; ValueError (Vietnamese) for a type not read."""
    suffix = Path(name).suffix.lower()
    if suffix == ".doc":
        raise ValueError(f"Tệp “{name}” là định dạng Word cũ (.doc), chưa đọc được. "
                         "Vui lòng mở bằng Word, chọn Lưu thành (Save As) dạng .docx rồi gửi lại.")
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(f"Không đọc được tệp “{name}”: chỉ hỗ trợ tệp Word .docx hoặc văn bản .txt, .md.")
    return suffix


def text_of(data: bytes, name: str) -> str:
    """The text of a plan file's bytes, `name` saying its type; the limits of bot/extract/limits.py are
    checked before each step they bound. Raises ValueError with a Vietnamese message."""
    suffix = check_suffix(name)
    check_upload(len(data), name)
    if not data:
        raise ValueError(f"Tệp “{name}” trống, không có nội dung.")
    if suffix == ".docx":
        text = _docx_text(data, name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"Tệp “{name}” không phải văn bản UTF-8. "
                             "Vui lòng lưu lại với bảng mã UTF-8 (Unicode) rồi gửi lại.") from None
    check_text(len(text), name)
    if not text.strip():
        raise ValueError(f"Tệp “{name}” trống, không có chữ nào.")
    return unicodedata.normalize("NFC", text)


def read_text(path: Path) -> str:
    """The text of a plan: .txt/.md as UTF-8 (a BOM is fine), .docx paragraphs and table cells in
    document order. The file's size is checked before it is read (bot/extract/limits.py). Raises
    ValueError with a Vietnamese message for anything it cannot read."""
    path = Path(path)
    check_suffix(path.name)
    try:
        check_upload(path.stat().st_size, path.name)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"Không tìm thấy tệp “{path}”.") from None
    except IsADirectoryError:
        raise ValueError(f"“{path}” là một thư mục, không phải tệp.") from None
    except OSError as exc:
        raise ValueError(f"Không mở được tệp “{path}”: {exc.strerror or exc}.") from None
    return text_of(data, path.name)
