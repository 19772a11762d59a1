"""The web application behind `chibo serve`: the health check, the document pages of signed links (the page,
the .docx, and with LibreOffice the PDF and a picture of page 1), and the pictures sent on Zalo by address
(`/p/<token>.png`, bot/pictures.py).

`create_app(store, settings, clock)` builds it over an open store; the caller owns the store and the server
(bot/cli.py runs it with uvicorn, the tests on a port of their own). The channels' webhooks come next.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from cachetools import LRUCache
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import pdf
from bot.clock import Clock
from bot.config import Settings
from bot.links import DOCUMENT, why_not
from bot.pictures import stored_picture
from bot.store import Store
from bot.store.records import StoredDocument, Unit
from bot.web.files import DOCX, PDF, PNG, content_disposition
from bot.web.pages import CSP, DocumentView, date_text, document_page, error_page, number_text

log = logging.getLogger(__name__)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token is in the URL: never hand it to another site
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode("ascii")),
    (b"cache-control", b"no-store"),  # the pages and files of a link are private and may be revoked
]
PDF_CACHE = 8  # PDFs and pictures of page 1 kept in memory (a conversion takes seconds)


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response, errors and unknown paths included."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


def pdf_available() -> bool:
    """LibreOffice is installed and CHIBO_PDF is not "off": a PDF and a picture of page 1 can be made."""
    return pdf.available()


def _error(reason: str) -> HTMLResponse:
    status, body = error_page(reason)
    return HTMLResponse(body, status_code=status)


Found = tuple[Unit, StoredDocument]


def create_app(store: Store, settings: Settings, clock: Clock) -> Starlette:
    converted: LRUCache[tuple[int, str], bytes] = LRUCache(PDF_CACHE)  # (document id, "pdf" | "png") → bytes
    converting = asyncio.Semaphore(1)  # one LibreOffice at a time, whatever the number of visitors

    async def found(request: Request) -> Found | HTMLResponse:
        """The unit and document of the request's token, or the page saying why there is none."""
        link = await why_not(store, settings, request.path_params["token"], clock.now(), DOCUMENT)
        if isinstance(link, str):
            return _error(link)
        unit = await store.get_unit(link.unit_id)
        doc = await store.document(link.unit_id, link.document_id) if link.document_id is not None else None
        if unit is None or doc is None or doc.content is None:
            return _error("unknown")
        return unit, doc

    def handler(serve: Callable[[Request, Unit, StoredDocument], Awaitable[Response]]
                ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            result = await found(request)
            if isinstance(result, Response):
                return result
            return await serve(request, *result)
        return endpoint

    async def page(request: Request, unit: Unit, doc: StoredDocument) -> Response:
        base = request.url.path.rstrip("/")
        view = DocumentView(
            title=doc.title, doc_type=doc.doc_type, number=number_text(doc.number, doc.doc_type, unit.code),
            issued_on_text=date_text(doc.issued_on), unit=unit.name, superior=unit.superior,
            docx_href=f"{base}/docx", pdf_href=f"{base}/pdf" if pdf_available() else None, preview_href=f"{base}/page1.png" if pdf_available() else None)
        return HTMLResponse(document_page(view))

    async def docx_file(request: Request, unit: Unit, doc: StoredDocument) -> Response:
        assert doc.content is not None
        return Response(doc.content, media_type=DOCX,
                        headers={"content-disposition": content_disposition(doc.filename)})

    async def convert(doc: StoredDocument, kind: str) -> bytes | None:
        """The PDF or the picture of page 1 of `doc`, from the cache or made now (None: conversion failed); the
        picture is drawn from the PDF, so asking for both converts once."""
        assert doc.content is not None
        key = (doc.id, kind)
        data = converted.get(key)
        if data is None:
            if kind == "pdf":
                async with converting:
                    data = await pdf.to_pdf(doc.content, doc.filename)
            else:
                whole = await convert(doc, "pdf")
                picture = await pdf.pdf_page(whole, 1) if whole is not None else None
                data = picture.png if picture is not None else None
            if data is not None:
                converted[key] = data
        return data

    async def pdf_file(request: Request, unit: Unit, doc: StoredDocument) -> Response:
        if not pdf_available():
            return _error("unknown")
        data = await convert(doc, "pdf")
        if data is None:
            return _error("broken")
        name = doc.filename.removesuffix(".docx") + ".pdf"
        return Response(data, media_type=PDF, headers={"content-disposition": content_disposition(name)})

    async def page_picture(request: Request, unit: Unit, doc: StoredDocument) -> Response:
        if not pdf_available():
            return _error("unknown")
        data = await convert(doc, "png")
        return _error("broken") if data is None else Response(data, media_type=PNG)

    async def shared_picture(request: Request) -> Response:
        data = await stored_picture(store, request.path_params["token"], clock.now())
        return _error("picture") if data is None else Response(data, media_type=PNG)

    async def healthz(request: Request) -> Response:
        if await store.reachable():
            return PlainTextResponse("ok")
        return PlainTextResponse("database unreachable", status_code=503)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("web request failed: %s", type(exc).__name__)  # no path: it holds the token
        return _error("broken")

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/d/{token}", handler(page), methods=["GET"]),
            Route("/d/{token}/docx", handler(docx_file), methods=["GET"]),
            Route("/d/{token}/pdf", handler(pdf_file), methods=["GET"]),
            Route("/d/{token}/page1.png", handler(page_picture), methods=["GET"]),
            Route("/p/{token}.png", shared_picture, methods=["GET"]),
        ],
        exception_handlers={Exception: server_error},
    )
    app.add_middleware(SecurityHeaders)
    return app
