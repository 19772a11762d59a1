"""`chibo`: the command line. The commands and their options are contracts: see the README."""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import shutil
import socket
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot import redact
from bot.config import load_settings
from bot.store.postgresql import is_url, shown_url

if TYPE_CHECKING:
    from bot.extract import Item


def _parser(settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chibo", description="Trợ lý Chi bộ")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the assistant in this terminal (no token needed)")
    chat.add_argument("--db", default=settings.db_path, help="SQLite file (default: $CHIBO_DB or chibo.sqlite3)")
    chat.add_argument("--out", default="out", help="folder for generated documents (default: out)")
    chat.add_argument("--user", default="local", help="console user id (default: local)")
    chat.add_argument("--now", help="freeze the clock at this ISO date-time, e.g. 2026-11-23T08:00")

    tg = sub.add_parser("telegram", help="run the Telegram bot (long polling, or webhook with --webhook-url)")
    tg.add_argument("--db", default=settings.db_path)
    tg.add_argument("--webhook-url", help="public HTTPS URL Telegram should post updates to")
    tg.add_argument("--listen", default="0.0.0.0", help="webhook mode: address to listen on")
    tg.add_argument("--port", type=int, default=8443, help="webhook mode: port to listen on")

    zalo = sub.add_parser("zalo", help="chibo serve with only the Zalo channel (ZALO_BOT_TOKEN, ZALO_API_BASE)")
    zalo.add_argument("--db", default=settings.db_path)
    zalo.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    zalo.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")

    extract = sub.add_parser("extract", help="list the dated items of a plan (.txt, .md or .docx)")
    extract.add_argument("path", help="the plan file")
    extract.add_argument("--json", action="store_true", help="print a JSON array")

    serve = sub.add_parser("serve", help="run every channel whose token is set, the document pages and /healthz")
    serve.add_argument("--db", default=settings.db_path)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the port (default: 1; more need PostgreSQL and webhooks)")

    migrate = sub.add_parser("migrate", help="bring the database's schema up to date, then exit (before workers start)")
    migrate.add_argument("--db", default=settings.db_path, help="SQLite file or postgresql:// URL (default: $CHIBO_DB)")

    backup = sub.add_parser("backup", help="copy the database safely while the bot runs (PostgreSQL: pg_dump)")
    backup.add_argument("path", help="where to write the copy")
    backup.add_argument("--db", default=settings.db_path)
    return parser


def fail(message: str) -> NoReturn:
    """A mistake in the command line or the configuration: one line on stderr, exit code 2."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


def _frozen(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now: không đọc được thời điểm “{value}”; ví dụ đúng: 2026-11-23T08:00")


def _writable_folder(folder: Path, what: str) -> None:
    """`folder` exists, is a folder and can be written, or the run stops with one clear line."""
    if not folder.exists():
        fail(f"{what}: không có thư mục “{folder}”. Xin tạo thư mục này trước, hoặc chọn đường dẫn khác.")
    if not folder.is_dir():
        fail(f"{what}: “{folder}” là một tệp, không phải thư mục.")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{what}: không có quyền ghi vào thư mục “{folder}”.")


def check_db(db: str) -> None:
    """The database file given by --db (or CHIBO_DB): its folder must exist; it is created if missing. A
    postgresql:// URL is checked by connecting (`open_store`)."""
    if is_url(db):
        return
    path = Path(db)
    if path.is_dir():
        fail(f"--db: “{db}” là một thư mục; xin ghi đường dẫn của tệp cơ sở dữ liệu, ví dụ {path / 'chibo.sqlite3'}.")
    _writable_folder(path.parent if str(path.parent) else Path("."), f"--db {db}")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        fail(f"--db: không có quyền đọc và ghi tệp “{db}”.")


def check_out(out: str) -> None:
    """The folder for documents (--out): created when needed, so its nearest existing parent must be writable."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        fail(f"--out: “{out}” là một tệp, không phải thư mục; xin chọn một thư mục để ghi văn bản.")
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        fail(f"--out: không tạo được thư mục “{out}” vì “{existing}” là một tệp.")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"--out: không có quyền ghi vào thư mục “{existing}”.")


async def open_store(db: str):
    """The store on --db, or one clear line when the file is not a database the app can use, or the PostgreSQL
    server cannot be reached (its password never printed)."""
    import psycopg
    from psycopg_pool import PoolTimeout

    from bot.store import Store

    try:
        return await Store.open(db)
    except (sqlite3.DatabaseError, OSError) as exc:
        fail(f"--db: không mở được cơ sở dữ liệu “{db}” ({exc}).")
    except ValueError as exc:  # a setting of the PostgreSQL store (CHIBO_DB_POOL, CHIBO_CLAIM_LEASE)
        fail(f"--db: {exc}.")
    except (psycopg.Error, PoolTimeout) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__  # one line
        fail(f"--db: không kết nối được cơ sở dữ liệu PostgreSQL “{shown_url(db)}” ({detail}).")


async def _chat(args, settings) -> None:
    from bot.channels.console import Console
    from bot.clock import Clock
    from handlers.router import Assistant

    frozen = _frozen(args.now)
    check_db(args.db)
    check_out(args.out)
    store = await open_store(args.db)
    try:
        assistant = Assistant(store, Clock(settings.tz, frozen))
        await Console(assistant, user_id=args.user, out_dir=Path(args.out)).run()
    finally:
        await store.close()


def listening_socket(host: str, port: int, command: str = "chibo serve") -> socket.socket:
    """The server's socket, bound before anything starts: a taken port is one clear line and exit code 2."""
    if not 0 <= port <= 65535:
        fail(f"{command}: cổng {port} không hợp lệ; xin chọn một số từ 1 đến 65535.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        fail(f"{command}: không hiểu địa chỉ “{host}”; ví dụ đúng: --host 127.0.0.1")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"{command}: cổng {port} trên {host} đang được một chương trình khác dùng; "
                 "xin dừng chương trình đó hoặc chọn cổng khác (--port).")
        fail(f"{command}: không mở được cổng {port} trên {host} ({exc.strerror}).")
    return sock


async def check_channels(settings, *, zalo: bool, telegram: bool) -> None:
    """Each channel's token accepted by its server (getMe), or one clear line and exit code 2."""
    if zalo:
        from bot.channels.zalo import check_token as zalo_check
        from bot.channels.zalo_api import ZaloBot

        async with ZaloBot(settings.zalo_token, settings.zalo_api_base) as bot:
            problem = await zalo_check(bot)
        if problem is not None:
            fail(problem)
    if telegram:
        from telegram.error import InvalidToken, NetworkError

        from bot.channels.telegram import check_token as telegram_check

        try:
            await telegram_check(settings)
        except InvalidToken:
            fail("TELEGRAM_BOT_TOKEN không đúng: máy chủ Telegram từ chối mã này. Kiểm tra lại mã do "
                 "@BotFather cấp.")
        except NetworkError as exc:
            fail(f"Không kết nối được máy chủ Telegram ({settings.telegram_api_base}): {exc}")


def check_workers(workers: int, db: str, settings, *, chat: bool, command: str = "chibo serve") -> None:
    """--workers: 1, or more on a PostgreSQL store with webhooks (only one process may poll for updates)."""
    from bot.web.serve import webhook_mode

    if workers < 1:
        fail(f"{command}: --workers {workers} không hợp lệ; xin chọn một số từ 1 trở lên.")
    if workers == 1:
        return
    if not is_url(db):
        fail(f"{command} --workers {workers}: nhiều tiến trình cần một cơ sở dữ liệu PostgreSQL dùng chung "
             "(--db hoặc CHIBO_DB dạng postgresql://…); với tệp SQLite xin chạy --workers 1.")
    if chat and not webhook_mode(settings):
        fail(f"{command} --workers {workers}: nhiều tiến trình cần webhook (CHIBO_PUBLIC_URL dạng https://…) vì "
             "chỉ một tiến trình được nhận tin nhắn bằng long polling; xin đặt CHIBO_PUBLIC_URL hoặc chạy --workers 1.")


async def _serve(args, settings, *, only_zalo: bool = False) -> None:
    from bot.web.serve import webhook_mode

    command = "chibo zalo" if only_zalo else "chibo serve"
    if only_zalo and not settings.zalo_token:
        fail("Thiếu ZALO_BOT_TOKEN: đặt biến môi trường này (hoặc ghi vào tệp .env) bằng mã bot do “Zalo Bot "
             "Manager” gửi, rồi chạy lại “chibo zalo”.")
    zalo = bool(settings.zalo_token)
    telegram = bool(settings.telegram_token) and not only_zalo
    check_db(args.db)
    await check_channels(settings, zalo=zalo, telegram=telegram)
    sock = listening_socket(args.host, args.port, command)
    try:
        _serve_notes(command, settings, zalo=zalo, telegram=telegram)
        store = await open_store(args.db)
    except BaseException:
        sock.close()
        raise
    names = [name for name, on in (("Zalo", zalo), ("Telegram", telegram)) if on]
    mode = "webhook" if webhook_mode(settings) else "long polling"
    running = f"; kênh: {', '.join(names)} ({mode})" if names else ""
    print(f"{command}: đang phục vụ tại http://{args.host}:{sock.getsockname()[1]}{running}", file=sys.stderr,
          flush=True)
    await _serve_on(sock, store, args, settings, zalo=zalo, telegram=telegram)


def _serve_notes(command: str, settings, *, zalo: bool, telegram: bool) -> None:
    if not (zalo or telegram):
        print(f"{command}: chưa đặt ZALO_BOT_TOKEN hay TELEGRAM_BOT_TOKEN nên không chạy kênh trò chuyện nào; "
              "chỉ phục vụ các trang văn bản và /healthz.", file=sys.stderr, flush=True)
    elif zalo and not settings.public_url:
        print(f"{command}: chưa đặt CHIBO_PUBLIC_URL nên văn bản gửi qua Zalo không kèm đường dẫn tải về.",
              file=sys.stderr, flush=True)


async def _serve_on(sock: socket.socket, store, args, settings, *, zalo: bool, telegram: bool,
                    tagged: bool = False) -> None:
    """Serve the application on the bound `sock` until stopped; `tagged`: a worker of several (its pid in a
    response header)."""
    import uvicorn

    from bot.clock import Clock
    from bot.links import link_key
    from bot.web.serve import serve_app
    from bot.web.workers import tag_responses

    try:
        await link_key(store, settings)  # the first run makes the key now, not on the first link
        app = serve_app(store, settings, Clock(settings.tz), zalo=zalo, telegram=telegram)
        config = uvicorn.Config(tag_responses(app) if tagged else app, access_log=False,
                                log_config=None,  # the paths hold the links' tokens
                                log_level="info" if args.verbose else "warning", server_header=False,
                                lifespan="on")
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()
        await store.close()


def _serve_workers(args, settings) -> int:
    """`chibo serve --workers N` (N > 1): checked and bound here, served by N forked workers (bot/web/workers.py)."""
    import dataclasses
    import secrets

    from bot.web.serve import webhook_mode
    from bot.web.workers import Workers

    command = "chibo serve"
    zalo, telegram = bool(settings.zalo_token), bool(settings.telegram_token)
    check_workers(args.workers, args.db, settings, chat=zalo or telegram)
    asyncio.run(check_channels(settings, zalo=zalo, telegram=telegram))
    if webhook_mode(settings) and not settings.webhook_secret:  # one secret for every worker's webhook
        settings = dataclasses.replace(settings, webhook_secret=secrets.token_urlsafe(32))
        redact.remember(settings.webhook_secret)
    sock = listening_socket(args.host, args.port, command)
    _serve_notes(command, settings, zalo=zalo, telegram=telegram)

    async def work() -> None:
        await _serve_on(sock, await open_store(args.db), args, settings, zalo=zalo, telegram=telegram, tagged=True)

    names = [name for name, on in (("Zalo", zalo), ("Telegram", telegram)) if on]
    running = f"; kênh: {', '.join(names)} (webhook)" if names else ""
    print(f"{command}: đang phục vụ tại http://{args.host}:{sock.getsockname()[1]} với {args.workers} tiến trình"
          f"{running}", file=sys.stderr, flush=True)
    try:
        return Workers(args.workers, lambda number: asyncio.run(work()), command=command).run()
    finally:
        sock.close()


async def _migrate(args) -> None:
    from bot.store.migrations import LATEST

    check_db(args.db)
    store = await open_store(args.db)
    try:
        version = await store.schema_version()
    finally:
        await store.close()
    print(f"Cơ sở dữ liệu {shown_url(args.db)}: lược đồ phiên bản {version} (mới nhất: {LATEST}).")


async def _backup(args) -> None:
    pg = is_url(args.db)
    if pg and shutil.which("pg_dump") is None:
        fail("chibo backup: sao lưu PostgreSQL cần lệnh pg_dump (gói postgresql-client, cùng phiên bản chính với "
             "máy chủ); xin cài rồi chạy lại.")
    if not pg and not Path(args.db).is_file():
        fail(f"Không có cơ sở dữ liệu {args.db}")
    target = Path(args.path)
    if target.is_dir():
        fail(f"chibo backup: “{target}” là một thư mục; xin ghi tên tệp bản sao, ví dụ {target / 'chibo-backup.sqlite3'}.")
    if target.exists():
        fail(f"chibo backup: tệp “{target}” đã có; xin chọn tên khác để không ghi đè.")
    _writable_folder(target.parent, "chibo backup")
    store = await open_store(args.db)
    try:
        await store.backup(args.path)
    except OSError as exc:  # pg_dump refused (its own words)
        fail(f"chibo backup: pg_dump không sao lưu được ({exc}).")
    finally:
        await store.close()
    restore = f" (khôi phục: pg_restore --clean --if-exists --no-owner -d <URL> {args.path})" if pg else ""
    print(f"Đã sao lưu {shown_url(args.db)} vào {args.path}{restore}")


def _human(item: Item) -> str:
    from bot.dates import format_when

    labels = {"deadline": "Hạn chót", "event": "Sự kiện", "period": "Thời gian thực hiện"}
    head = f"{labels[item.kind]}: {format_when(item)}"
    if item.who:
        head += f" — {item.who}"
    return f"{item.label}\n   {head}\n   “{item.quote}”"


def extract_command(path: str, as_json: bool, *, today: date) -> int:
    """``chibo extract PATH [--json]``: print the dated items of a plan; 2 when the file is unreadable."""
    from bot.extract import by_date, extract, read_text

    try:
        text = read_text(Path(path))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    items = extract(text, today=today)
    if as_json:
        print(json.dumps([i.as_json() for i in items], ensure_ascii=False, indent=2))
        return 0
    name = Path(path).name
    if not items:
        print(f"Không tìm thấy hạn chót, sự kiện hay mốc thời gian nào trong “{name}”.")
        return 0
    print(f"Tìm thấy {len(items)} mốc thời gian trong “{name}” (theo thứ tự ngày):")
    for n, item in enumerate(by_date(items), 1):
        print(f"{n}. {_human(item)}")
    return 0


def main(argv: list[str] | None = None) -> None:
    os.umask(0o077)  # the database, its -wal/-shm, backups, documents and folders: the owner's only
    settings = load_settings()
    args = _parser(settings).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact.install([settings.telegram_token, settings.webhook_secret, settings.secret_key, settings.zalo_token])
    try:
        if args.command == "chat":
            asyncio.run(_chat(args, settings))
        elif args.command == "serve" and args.workers == 1:
            asyncio.run(_serve(args, settings))
        elif args.command == "serve":
            raise SystemExit(_serve_workers(args, settings))
        elif args.command == "backup":
            asyncio.run(_backup(args))
        elif args.command == "migrate":
            asyncio.run(_migrate(args))
        elif args.command == "extract":
            from bot.clock import Clock

            raise SystemExit(extract_command(args.path, args.json, today=Clock(settings.tz).today()))
        elif args.command == "telegram":
            from bot.channels.telegram import run_telegram

            check_db(args.db)
            run_telegram(settings, db_path=args.db, webhook_url=args.webhook_url, listen=args.listen, port=args.port)
        elif args.command == "zalo":
            asyncio.run(_serve(args, settings, only_zalo=True))
    except KeyboardInterrupt:
        print("\nTạm biệt!", file=sys.stderr)
    except BrokenPipeError:  # the reader (e.g. `| head`) went away
        sys.stderr.close()
