"""Spec: a first pass over YAML events that bounds nesting and alias expansion before composing.

Iterative (no recursion), so 100,000 levels of `[[[...` answer at once. A scalar counts 1, a
collection 1 plus its children, an alias its anchor's expanded size: an alias bomb (billion
laughs) is refused at the alias that crosses the limit, before anything is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from shipml.core.errors import SpecError
from shipml.spec.echo import clip

MAX_DEPTH = 100
MAX_NODES = 100_000
DEPTH_FIX = "a spec needs a few levels of sections; flatten the structure"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    anchor: str | None
    size: int = 1
    height: int = 1


@dataclass(slots=True)
class _Tally:
    stack: list[_Open]
    anchors: dict[str, tuple[int, int]]  # anchor -> (expanded size, height)
    total: int = 0


def check_shape(text: str, origin: str) -> None:
    """Raise `SpecError` when the YAML nests deeper than MAX_DEPTH or expands past MAX_NODES."""
    tally = _Tally(stack=[], anchors={})
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            _open(tally, event, origin)
        elif isinstance(event, yaml.CollectionEndEvent):
            done = tally.stack.pop()
            _record(tally, done.anchor, done.size, done.height)
        elif isinstance(event, yaml.ScalarEvent):
            _count(tally, event, 1, 0, origin)
            _record(tally, event.anchor, 1, 0)
        elif isinstance(event, yaml.AliasEvent):
            size, height = _alias(tally, event, origin)
            _count(tally, event, size, height, origin)
            _record(tally, None, size, height)


def _open(tally: _Tally, event: yaml.Event, origin: str) -> None:
    _count(tally, event, 1, 1, origin)
    tally.stack.append(_Open(anchor=getattr(event, "anchor", None)))


def _count(tally: _Tally, event: yaml.Event, size: int, height: int, origin: str) -> None:
    """Add a node's expanded size to the document and check depth and size at its line."""
    tally.total += size
    if len(tally.stack) + height > MAX_DEPTH:
        raise _refuse(
            event,
            origin,
            f"the YAML nests deeper than {MAX_DEPTH} levels",
            DEPTH_FIX,
        )
    if tally.total > MAX_NODES:
        alias = isinstance(event, yaml.AliasEvent)
        what = "this alias expands" if alias else "the values reach"
        raise _refuse(
            event,
            origin,
            f"{what} past {MAX_NODES:,} values in all{' (an alias bomb?)' if alias else ''}",
            "write the values out, or use far fewer anchors and aliases"
            if alias
            else "a spec is a few hundred settings; check that this is the spec",
        )


def _record(tally: _Tally, anchor: str | None, size: int, height: int) -> None:
    """Fold a finished node into its parent, and remember its size when it is anchored."""
    if anchor is not None:
        tally.anchors[anchor] = (size, height)
    if tally.stack:
        parent = tally.stack[-1]
        parent.size += size
        parent.height = max(parent.height, 1 + height)


def _alias(tally: _Tally, event: yaml.Event, origin: str) -> tuple[int, int]:
    anchor = str(getattr(event, "anchor", ""))
    if any(o.anchor == anchor for o in tally.stack):
        raise _refuse(
            event,
            origin,
            f"the alias *{clip(anchor, 60)} refers to a node that contains it",
            "a spec cannot be recursive; write the value out",
        )
    if anchor not in tally.anchors:
        raise _refuse(
            event,
            origin,
            f"the alias *{clip(anchor, 60)} comes before any anchor &{clip(anchor, 60)}",
            "define the anchor first, or write the value out",
        )
    return tally.anchors[anchor]


def _refuse(event: yaml.Event, origin: str, problem: str, fix: str) -> SpecError:
    line = event.start_mark.line + 1 if event.start_mark else 1
    return SpecError(f"{origin}, line {line}: {problem}", fix=fix)
