"""The one-time upload page: how a plan from above reaches the assistant from a channel that sends no files (Zalo).

GET /u/<token> shows a form with one file input; POST /u/<token> (multipart) takes the file, checks its type and
hands it to `on_upload` as an Incoming of the link's chat with the file attached — the same path as a file sent
on Telegram, so the worker (bot/extract/worker.py) reads it within every limit and the replies go to the chat.
The token in the URL is the capability (no cookie, no session); the link is revoked when a file is accepted.
The body is capped before it is parsed: a declared Content-Length over the cap is refused unread, and a body
that grows past it (chunked, or a lying length) is cut off as it streams in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import PurePosixPath

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

from bot.clock import Clock
from bot.config import Settings
from bot.extract.files import check_suffix
from bot.extract.limits import MAX_UPLOAD, mb
from bot.links import UPLOAD, why_not
from bot.messages import Attachment, Incoming
from bot.store import Store
from bot.store.records import Link
from bot.web.pages import _page

log = logging.getLogger(__name__)

MAX_BODY = MAX_UPLOAD + 64 * 1024  # the file plus the multipart framing
MAX_NAME = 120  # characters of a file name kept
APPS = {"zalo": "Zalo", "telegram": "Telegram"}

OnUpload = Callable[[Incoming], Awaitable[None]]

ERRORS: dict[str, tuple[int, str, str]] = {
    "tampered": (403, "Đường dẫn không hợp lệ",
                 "Đường dẫn này không đúng hoặc đã bị sửa. Xin mở lại đường dẫn trong tin nhắn của Trợ lý Chi bộ, "
                 "hoặc nhắn “gửi kế hoạch” để nhận đường dẫn mới."),
    "expired": (410, "Đường dẫn đã hết hạn",
                "Đường dẫn gửi tệp chỉ dùng được trong 24 giờ. Xin nhắn “gửi kế hoạch” cho Trợ lý Chi bộ để nhận "
                "đường dẫn mới."),
    "revoked": (410, "Đường dẫn đã được dùng",
                "Đường dẫn này chỉ dùng được một lần và đã nhận một tệp. Muốn gửi tệp khác, xin nhắn “gửi kế hoạch” "
                "cho Trợ lý Chi bộ để nhận đường dẫn mới."),
    "too_large": (413, "Tệp quá lớn",
                  f"Tệp vượt giới hạn {mb(MAX_UPLOAD)} nên chưa được nhận. Xin gửi tệp nhỏ hơn (tách kế hoạch thành "
                  "nhiều tệp nếu cần); đường dẫn vẫn dùng được."),
    "broken": (500, "Có lỗi ở máy chủ",
               "Máy chủ chưa chuyển được tệp cho trợ lý. Xin nhắn “gửi kế hoạch” cho Trợ lý Chi bộ để nhận đường "
               "dẫn mới rồi thử lại."),
}


class BodyTooLarge(Exception):
    """The request body grew past MAX_BODY."""


def _error(reason: str) -> HTMLResponse:
    status, title, text = ERRORS[reason]
    return HTMLResponse(_page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"), status_code=status)


def form_page(action: str, app: str, problem: str = "") -> str:
    """The form; `problem`: why the last file was not taken (shown above the form: a second chance)."""
    error = f'<p class="error">{escape(problem)}</p>' if problem else ""
    body = (
        "<h1>Gửi kế hoạch của cấp trên</h1>"
        f"{error}"
        "<p>Chọn tệp Word (.docx) hoặc tệp văn bản (.txt) trên điện thoại rồi bấm “Gửi tệp”. Trợ lý đọc tệp, tìm "
        f"các hạn chót trong đó và trả lời trong {escape(app)}.</p>"
        f'<form method="post" action="{escape(action)}" enctype="multipart/form-data">'
        '<input type="file" name="file" required accept=".docx,.txt,.md,'
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain">'
        '<button type="submit">Gửi tệp</button></form>'
        f'<p class="note">Tệp tối đa {escape(mb(MAX_UPLOAD))}. Đường dẫn dùng được một lần, trong 24 giờ; xin đừng '
        "chuyển tiếp cho người khác.</p>"
    )
    return _page("Gửi kế hoạch của cấp trên", body)


def received_page(name: str, app: str) -> str:
    title = "Đã nhận tệp"
    return _page(title, f"<h1>{escape(title)}</h1><p>Đã nhận tệp “{escape(name)}”. Trợ lý đang đọc tệp; xin quay lại "
                        f"{escape(app)} để tiếp tục.</p>")


def clean_name(filename: str | None) -> str:
    """The last part of a file name as the browser sent it, without control characters, at most MAX_NAME long."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:MAX_NAME]
    return name


def capped(receive: Receive, limit: int) -> Receive:
    """`receive` that raises BodyTooLarge once more than `limit` bytes of body came in."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped


def upload_routes(store: Store, settings: Settings, clock: Clock, on_upload: OnUpload) -> list[Route]:
    """GET and POST /u/<token>; `on_upload` gets the file as an Incoming of the link's chat (`chibo serve` hands
    it to that chat's channel, which answers in the chat)."""

    async def link_of(request: Request) -> Link | HTMLResponse:
        link = await why_not(store, settings, request.path_params["token"], clock.now(), UPLOAD)
        return _error(link) if isinstance(link, str) else link

    async def show(request: Request) -> Response:
        link = await link_of(request)
        if isinstance(link, Response):
            return link
        return HTMLResponse(form_page(request.url.path, APPS.get(link.channel or "", "ứng dụng nhắn tin")))

    async def take(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:  # refused unread
            return _error("too_large")
        link = await link_of(request)
        if isinstance(link, Response):
            return link
        if link.channel is None or link.chat_id is None or link.user_id is None:
            return _error("tampered")
        app = APPS.get(link.channel, "ứng dụng nhắn tin")
        limited = Request(request.scope, capped(request.receive, MAX_BODY))
        try:
            async with limited.form(max_files=1, max_fields=4) as form:
                part = form.get("file")
                if not isinstance(part, UploadFile) or not part.filename:
                    return HTMLResponse(form_page(request.url.path, app, "Xin chọn một tệp trước khi bấm “Gửi tệp”."),
                                        status_code=400)
                name = clean_name(part.filename) or "tệp"
                data = await part.read()
        except BodyTooLarge:
            return _error("too_large")
        except MultiPartException:
            return HTMLResponse(form_page(request.url.path, app, "Tệp gửi lên bị lỗi giữa chừng. Xin chọn lại tệp."),
                                status_code=400)
        try:
            check_suffix(name)
        except ValueError as exc:  # a second chance: the link stays usable
            return HTMLResponse(form_page(request.url.path, app, str(exc)), status_code=415)
        if not await store.revoke_link(link.id, clock.now()):  # used once: a second POST at the same time loses
            return _error("revoked")
        log.info("upload link %s: a file of %d bytes for %s:%s", link.id, len(data), link.channel, link.chat_id)
        incoming = Incoming(channel=link.channel, chat_id=link.chat_id, user_id=link.user_id,
                            attachment=Attachment(name=name, data=data))
        try:
            await on_upload(incoming)
        except Exception:
            log.exception("the upload of link %s could not be handed over", link.id)
            return _error("broken")
        return HTMLResponse(received_page(name, app))

    return [
        Route("/u/{token}", show, methods=["GET"]),
        Route("/u/{token}", take, methods=["POST"]),
    ]
