"""The web pages (app shell): signed document links now, the channels' webhooks next. See bot/web/app.py."""

from bot.web.app import create_app

__all__ = ["create_app"]
