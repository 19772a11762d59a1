"""Hooks (validators, providers, item types) used only by one kind of plan, one module per kind."""

from handlers.kinds import admission, midterm, model_meeting  # noqa: F401  (importing registers the hooks)
