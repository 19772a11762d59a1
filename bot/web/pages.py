"""The HTML of the web pages: small, Vietnamese, readable on a phone, no script. Every value is escaped."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date
from html import escape

from bot.dates import format_date_short

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;padding:16px;
background:#f6f4ef;color:#1c1c1c;font-size:18px;line-height:1.5}
main{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:20px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:22px;margin:0 0 12px;color:#a50e0e}
dl{margin:0 0 20px}dt{font-size:15px;color:#555;margin-top:10px}dd{margin:0;font-weight:600}
a.button{display:block;text-align:center;text-decoration:none;font-size:19px;font-weight:700;
padding:16px;margin:12px 0;border-radius:10px;background:#a50e0e;color:#fff}
a.button.second{background:#fff;color:#a50e0e;border:2px solid #a50e0e}
p.note{font-size:15px;color:#555}
img{width:100%;height:auto;border:1px solid #ddd}
input[type=file]{display:block;width:100%;font-size:17px;margin:12px 0;padding:12px 0}
button{display:block;width:100%;font-size:19px;font-weight:700;padding:16px;margin:12px 0;border:0;
border-radius:10px;background:#a50e0e;color:#fff}
p.error{color:#a50e0e;font-weight:600}
"""

# A strict policy: nothing but the one inline style above (by its hash), images from this site and forms
# posted back to it (the upload page, bot/web/upload.py).
CSP = ("default-src 'none'; style-src 'sha256-"
       + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
       + "'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

DOC_NAMES = {"KH": "Kế hoạch", "BB": "Biên bản", "NQ": "Nghị quyết", "KL": "Kết luận", "BC": "Báo cáo"}


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex, nofollow\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


@dataclass(frozen=True)
class DocumentView:
    """What the document page shows."""

    title: str
    doc_type: str  # KH, BB, …
    number: str  # "Số 68-KH/ĐU", or "" for a document without a number
    issued_on_text: str
    unit: str
    superior: str
    docx_href: str
    pdf_href: str | None  # None: no PDF on this server
    preview_href: str | None  # a picture of page 1, when one can be made


def number_text(number: int | None, doc_type: str, unit_code: str) -> str:
    return f"Số {number:02d}-{doc_type}/{unit_code}" if number else ""


def document_page(view: DocumentView) -> str:
    kind = DOC_NAMES.get(view.doc_type, view.doc_type)
    rows = [("Loại văn bản", kind)]
    if view.number:
        rows.append(("Số, ký hiệu", view.number))
    rows += [("Ngày ban hành", view.issued_on_text), ("Đơn vị ban hành", view.unit)]
    if view.superior:
        rows.append(("Cấp trên", view.superior))
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    buttons = f'<a class="button" href="{escape(view.docx_href)}">Tải tệp Word (.docx)</a>'
    if view.pdf_href:
        buttons += f'<a class="button second" href="{escape(view.pdf_href)}">Tải tệp PDF</a>'
    else:
        buttons += ('<p class="note">Máy chủ chưa cài LibreOffice nên chưa có bản PDF; tệp .docx mở được bằng '
                    "Word, WPS hoặc Google Tài liệu.</p>")
    picture = (f'<p><img src="{escape(view.preview_href)}" alt="Trang 1 của văn bản"></p>' if view.preview_href else "")
    body = (f"<h1>{escape(kind)}: {escape(view.title)}</h1><dl>{facts}</dl>{buttons}{picture}"
            '<p class="note">Đường dẫn này có hạn dùng 7 ngày. Xin đừng chuyển tiếp cho người ngoài chi bộ.</p>')
    return _page(f"{kind} — {view.title}", body)


ERRORS: dict[str, tuple[int, str, str]] = {
    "tampered": (403, "Đường dẫn không hợp lệ",
                 "Đường dẫn này không đúng hoặc đã bị sửa. Xin mở lại đường dẫn trong tin nhắn của Trợ lý Chi bộ, "
                 "hoặc nhờ trợ lý gửi lại văn bản."),
    "unknown": (404, "Không tìm thấy văn bản",
                "Văn bản của đường dẫn này không còn trong hệ thống. Xin nhờ Trợ lý Chi bộ gửi lại văn bản."),
    "expired": (410, "Đường dẫn đã hết hạn",
                "Đường dẫn này đã quá 7 ngày nên không dùng được nữa. Xin nhắn Trợ lý Chi bộ để nhận đường dẫn mới."),
    "revoked": (410, "Đường dẫn đã bị thu hồi",
                "Đường dẫn này đã bị thu hồi. Xin nhắn Trợ lý Chi bộ để nhận đường dẫn mới."),
    "picture": (404, "Không tìm thấy ảnh",
                "Ảnh này không còn trên máy chủ (ảnh được giữ 7 ngày). Xin nhắn Trợ lý Chi bộ để xem lại."),
    "broken": (500, "Có lỗi ở máy chủ", "Máy chủ chưa mở được văn bản này. Xin thử lại sau ít phút."),
}


def error_page(reason: str) -> tuple[int, str]:
    """The status and page for a link that cannot be followed (a key of ERRORS)."""
    status, title, text = ERRORS[reason]
    return status, _page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>")


def date_text(day: date) -> str:
    return format_date_short(day)
