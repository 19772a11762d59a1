"""Settings from the environment and an optional .env file in the working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_DB = "chibo.sqlite3"
DEFAULT_TZ = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    db_path: str
    tz: str
    telegram_token: str
    telegram_api_base: str
    public_url: str
    webhook_secret: str
    secret_key: str = ""  # signs links (CHIBO_SECRET_KEY); empty: a key generated once and kept in the database
    zalo_token: str = ""
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    return Settings(
        db_path=env.get("CHIBO_DB") or DEFAULT_DB,
        tz=env.get("CHIBO_TZ") or DEFAULT_TZ,
        telegram_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_base=(env.get("TELEGRAM_API_BASE") or "https://api.telegram.org").rstrip("/"),
        public_url=(env.get("CHIBO_PUBLIC_URL") or "").rstrip("/"),
        webhook_secret=env.get("CHIBO_WEBHOOK_SECRET", ""),
        secret_key=env.get("CHIBO_SECRET_KEY", "").strip(),
        zalo_token=env.get("ZALO_BOT_TOKEN", "").strip(),
        zalo_api_base=(env.get("ZALO_API_BASE") or "https://bot-api.zaloplatforms.com").rstrip("/"),
    )
