"""Flow declarations: typed steps loaded from data/flows/*.yaml, plus the registry of named hooks.

A flow names its hooks (validators, option and suggestion providers, list-item parsers, the action
run on confirm) as strings; handler modules register the functions under those names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import yaml

from bot.dates import FUTURE, TENSES
from bot.messages import Choice, Outgoing
from bot.tidy import HOWS
from handlers.draft import Draft

if TYPE_CHECKING:
    from handlers.context import Context

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~9x faster, same result

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STEP_TYPES = {"text", "longtext", "date", "time", "number", "choice", "list", "person", "group"}


class Invalid(Exception):
    """A rejected answer; str(exc) is the Vietnamese message shown before asking again."""


@dataclass(frozen=True)
class Step:
    key: str
    type: str
    ask: str
    label: str
    help: str = ""
    example: str = ""
    optional: bool = False
    options: tuple[Choice, ...] = ()
    options_from: str | None = None
    other: bool = False
    suggest: tuple[str, ...] = ()
    suggest_from: str | None = None
    when: dict[str, Any] = field(default_factory=dict)
    validate: str | None = None
    item: str | None = None
    min: float | None = None
    max: float | None = None
    max_len: int | None = None
    in_review: bool = True
    fields: tuple[Step, ...] = ()  # a group's steps, asked again for each item
    prefill: tuple[str, ...] = ()  # a list's starting items, to keep, remove or add to
    tense: str = FUTURE  # a date step: the year of a day typed without one (bot.dates.parse_date)
    tidy: str | None = None  # the kind of text of a typed answer (bot.tidy.HOWS); None: by the step's type

    def field_named(self, key: str) -> Step:
        return next(f for f in self.fields if f.key == key)

    def visible_fields(self, item: dict[str, Any]) -> list[Step]:
        return [f for f in self.fields if f.visible(item)]

    def visible(self, answers: dict[str, Any]) -> bool:
        for key, expected in self.when.items():
            wanted = expected if isinstance(expected, list) else [expected]
            if answers.get(key) not in wanted:
                return False
        return True


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    steps: tuple[Step, ...]
    on_done: str
    intro: str = ""
    review: bool = True
    review_title: str = ""
    confirm_label: str = "Xác nhận"
    preview: str | None = None  # an action that shows the result before confirming
    tidy: bool = False  # typed answers enter a document: tidy them (handlers/tidying.py)

    def step(self, key: str | None) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def visible_steps(self, answers: dict[str, Any]) -> list[Step]:
        return [s for s in self.steps if s.visible(answers)]


# -- registry of named hooks --------------------------------------------------------------------
# Hooks are called in one place per kind, below (run_validator, run_provider, run_action, parse_item).
# Every hook gets the Context of the message being answered; all but item parsers also get the Draft of
# the running flow, whose answers so far, meta and flow name they read.


class Validator(Protocol):
    """Checks or normalises an answer: (ctx, draft, value) -> value; raises Invalid to ask again."""

    def __call__(self, ctx: Context, draft: Draft, value: Any, /) -> Awaitable[Any]: ...


class Provider(Protocol):
    """Options (for `options_from`, as Choices) or suggestions (for `suggest_from`): (ctx, draft) -> list."""

    def __call__(self, ctx: Context, draft: Draft, /) -> Awaitable[Sequence[Choice | str]]: ...


class Action(Protocol):
    """Run on confirm (`on_done`) or to preview: (ctx, draft) -> replies."""

    def __call__(self, ctx: Context, draft: Draft, /) -> Awaitable[list[Outgoing]]: ...


class ItemParser(Protocol):
    """One typed line of a list step -> its item: (ctx, text) -> item; raises Invalid."""

    def __call__(self, ctx: Context, text: str, /) -> Any: ...


@dataclass
class ItemType:
    parse: ItemParser
    show: Callable[[Any], str]
    separator: str = r"[\n;]"  # what separates items typed in one message


VALIDATORS: dict[str, Validator] = {}
PROVIDERS: dict[str, Provider] = {}
ITEMS: dict[str, ItemType] = {}
ACTIONS: dict[str, Action] = {}

ValidatorT = TypeVar("ValidatorT", bound=Validator)
ProviderT = TypeVar("ProviderT", bound=Provider)
ActionT = TypeVar("ActionT", bound=Action)
ParserT = TypeVar("ParserT", bound=ItemParser)


def validator(name: str) -> Callable[[ValidatorT], ValidatorT]:
    def register(fn: ValidatorT) -> ValidatorT:
        VALIDATORS[name] = fn
        return fn

    return register


def provider(name: str) -> Callable[[ProviderT], ProviderT]:
    def register(fn: ProviderT) -> ProviderT:
        PROVIDERS[name] = fn
        return fn

    return register


def action(name: str) -> Callable[[ActionT], ActionT]:
    def register(fn: ActionT) -> ActionT:
        ACTIONS[name] = fn
        return fn

    return register


def item_type(name: str, show: Callable[[Any], str], separator: str = r"[\n;]") -> Callable[[ParserT], ParserT]:
    def register(fn: ParserT) -> ParserT:
        ITEMS[name] = ItemType(parse=fn, show=show, separator=separator)
        return fn

    return register


async def run_validator(name: str, ctx: Context, draft: Draft, value: Any) -> Any:
    return await VALIDATORS[name](ctx, draft, value)


async def run_provider(name: str, ctx: Context, draft: Draft) -> Sequence[Choice | str]:
    return await PROVIDERS[name](ctx, draft)


async def run_action(name: str, ctx: Context, draft: Draft) -> list[Outgoing]:
    return await ACTIONS[name](ctx, draft)


def parse_item(ctx: Context, kind: ItemType, text: str) -> Any:
    return kind.parse(ctx, text)


def item_kind(step: Step) -> ItemType:
    """The item type of a list step (check_hooks made sure there is one)."""
    return ITEMS[step.item or ""]


# -- loading ------------------------------------------------------------------------------------

_STEP_FIELDS = set(Step.__dataclass_fields__)
_FLOW_FIELDS = set(Flow.__dataclass_fields__) - {"name"}


def _step(raw: dict[str, Any], flow: str) -> Step:
    unknown = set(raw) - _STEP_FIELDS
    if unknown:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: unknown fields {sorted(unknown)}")
    if raw.get("type") not in STEP_TYPES:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: unknown type {raw.get('type')!r}")
    if raw.get("tense", FUTURE) not in TENSES:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: tense must be one of {TENSES}")
    if raw.get("tidy") is not None and raw["tidy"] not in HOWS:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: unknown tidy {raw['tidy']!r}")
    values = dict(raw)
    values["options"] = tuple(Choice(o["label"], str(o["value"])) for o in raw.get("options", ()))
    values["suggest"] = tuple(raw.get("suggest", ()))
    values["prefill"] = tuple(raw.get("prefill", ()))
    values["fields"] = tuple(_step(f, flow) for f in raw.get("fields", ()))
    return Step(**values)


def _expand(steps: list[dict[str, Any]], parts: dict[str, list[dict[str, Any]]], flow: str) -> list[dict[str, Any]]:
    """Replace `- use: name` entries by the steps of the shared part `_name`.

    Extra fields beside `use` override the part's fields; the part must then hold a single step.
    """
    out: list[dict[str, Any]] = []
    for raw in steps:
        if "use" not in raw:
            out.append(raw)
            continue
        if raw["use"] not in parts:
            raise ValueError(f"flow {flow}: unknown part {raw['use']!r}")
        part = _expand(parts[raw["use"]], parts, flow)
        overrides = {k: v for k, v in raw.items() if k != "use"}
        if overrides and len(part) != 1:
            raise ValueError(f"flow {flow}: part {raw['use']!r} has several steps; it cannot take overrides")
        out += [{**part[0], **overrides}] if overrides else part
    return out


def load_flows(directory: Path = DATA_DIR / "flows") -> dict[str, Flow]:
    """Every flow of the YAML files in `directory`; top-level keys starting with `_` are shared step lists."""
    documents = [yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER) for p in sorted(directory.glob("*.yaml"))]
    parts = {name[1:]: steps for doc in documents for name, steps in doc.items() if name.startswith("_")}
    flows: dict[str, Flow] = {}
    for doc in documents:
        for name, raw in doc.items():
            if name.startswith("_"):
                continue
            unknown = set(raw) - _FLOW_FIELDS
            if unknown:
                raise ValueError(f"flow {name}: unknown fields {sorted(unknown)}")
            steps = tuple(_step(s, name) for s in _expand(raw["steps"], parts, name))
            keys = [s.key for s in steps]
            if len(keys) != len(set(keys)):
                raise ValueError(f"flow {name}: duplicate step keys")
            flows[name] = Flow(name=name, **{**raw, "steps": steps})
    return flows


def check_hooks(flows: dict[str, Flow]) -> None:
    """Fail at start-up, not mid-conversation, when a flow names a hook nobody registered."""
    for flow in flows.values():
        for name in (flow.on_done, flow.preview):
            if name is not None and name not in ACTIONS:
                raise ValueError(f"flow {flow.name}: no action {name!r}")
        for s in [*flow.steps, *(f for step in flow.steps for f in step.fields)]:
            for name, table in ((s.validate, VALIDATORS), (s.options_from, PROVIDERS),
                                (s.suggest_from, PROVIDERS), (s.item, ITEMS)):
                if name is not None and name not in table:
                    raise ValueError(f"flow {flow.name}: step {s.key}: unknown hook {name!r}")
            if s.type == "list" and s.item is None:
                raise ValueError(f"flow {flow.name}: list step {s.key} needs an item type")
            if s.type == "group" and not s.fields:
                raise ValueError(f"flow {flow.name}: group step {s.key} needs fields")
