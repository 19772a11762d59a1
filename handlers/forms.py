"""Flow declarations: typed steps loaded from data/flows/*.yaml, plus the registry of named hooks.

A flow names its hooks (validators, option and suggestion providers, list-item parsers, the action
run on confirm) as strings; handler modules register the functions under those names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~9x faster, same result

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STEP_TYPES = {"text", "longtext", "date", "time", "number", "choice", "list", "person", "group"}


class Invalid(Exception):
    """A rejected answer; str(exc) is the Vietnamese message shown before asking again."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Step:
    key: str
    type: str
    ask: str
    label: str
    help: str = ""
    example: str = ""
    optional: bool = False
    options: tuple[Option, ...] = ()
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

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def visible_steps(self, answers: dict[str, Any]) -> list[Step]:
        return [s for s in self.steps if s.visible(answers)]


# -- registry of named hooks --------------------------------------------------------------------

Validator = Callable[[Any, Any], Awaitable[Any]]  # (value, ctx) -> value, raises Invalid
Provider = Callable[[Any, dict[str, Any]], Awaitable[list[Any]]]  # (ctx, answers) -> options/suggestions
Action = Callable[[Any, dict[str, Any], dict[str, Any]], Awaitable[list[Any]]]  # (ctx, answers, meta)


@dataclass
class ItemType:
    parse: Callable[[str], Any]  # raises Invalid
    show: Callable[[Any], str]
    separator: str = r"[\n;]"  # what separates items typed in one message


VALIDATORS: dict[str, Validator] = {}
PROVIDERS: dict[str, Provider] = {}
ITEMS: dict[str, ItemType] = {}
ACTIONS: dict[str, Action] = {}


def validator(name: str):
    def register(fn):
        VALIDATORS[name] = fn
        return fn

    return register


def provider(name: str):
    def register(fn):
        PROVIDERS[name] = fn
        return fn

    return register


def action(name: str):
    def register(fn):
        ACTIONS[name] = fn
        return fn

    return register


def item_type(name: str, show: Callable[[Any], str], separator: str = r"[\n;]"):
    def register(fn):
        ITEMS[name] = ItemType(parse=fn, show=show, separator=separator)
        return fn

    return register


# -- loading ------------------------------------------------------------------------------------

_STEP_FIELDS = set(Step.__dataclass_fields__)
_FLOW_FIELDS = set(Flow.__dataclass_fields__) - {"name"}


def _step(raw: dict[str, Any], flow: str) -> Step:
    unknown = set(raw) - _STEP_FIELDS
    if unknown:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: unknown fields {sorted(unknown)}")
    if raw.get("type") not in STEP_TYPES:
        raise ValueError(f"flow {flow}: step {raw.get('key')}: unknown type {raw.get('type')!r}")
    values = dict(raw)
    values["options"] = tuple(Option(str(o["value"]), o["label"]) for o in raw.get("options", ()))
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
