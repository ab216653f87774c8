"""Spec: YAML nodes to plain values, by a small walk that knows each value's key path.

Only the standard tags (map, seq, str, int, float, bool, null, merge) are allowed; timestamps
stay strings (pydantic reads date fields, naming the key); a duplicate key, a key that is not a
plain value and a value its tag cannot read are errors naming the path and the line. Nesting was
bounded by `yaml_shape` first, so the recursion here is shallow.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from shipml.core.errors import SpecError
from shipml.spec.echo import clip, dotted, echo

Path = tuple[str | int, ...]
_Y = "tag:yaml.org,2002:"
STR, TIMESTAMP, VALUE = _Y + "str", _Y + "timestamp", _Y + "value"
MAP, SEQ, MERGE = _Y + "map", _Y + "seq", _Y + "merge"
READ = {_Y + "int": "an integer", _Y + "float": "a number", _Y + "bool": "a boolean"}
READ |= {_Y + "null": "null"}
TEXT = {STR, TIMESTAMP, VALUE, MERGE}  # `<<` as a value (not a key) stays text
_constructor = SafeConstructor()
_NODE_KIND = {yaml.ScalarNode: "value", yaml.SequenceNode: "list", yaml.MappingNode: "mapping"}


def build(node: yaml.Node, path: Path = ()) -> Any:
    """The plain value of a composed node: dicts, lists, str, int, float, bool and None."""
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path)
    if isinstance(node, yaml.SequenceNode):
        _expect(node, SEQ, path)
        return [build(item, (*path, i)) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        _expect(node, MAP, path)
        return _mapping(node, path)
    raise _error(node, path, f"a YAML node of kind {type(node).__name__} is not allowed", "")


def _scalar(node: yaml.ScalarNode, path: Path) -> Any:
    if node.tag in TEXT:
        return node.value
    if node.tag not in READ:
        _expect(node, STR, path)  # raises: a tag that is neither standard nor fits a value
    try:
        return _constructor.yaml_constructors[node.tag](_constructor, node)
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError):
        raise _error(
            node,
            path,
            f"{echo(node.value)} cannot be read as {READ[node.tag]}",
            f"write {READ[node.tag]} there, or quote the value to keep it as text",
        ) from None


def _expect(node: yaml.Node, tag: str, path: Path) -> None:
    if node.tag == tag:
        return
    shown = clip(node.tag.replace(_Y, "!!"), 60)
    kind = _NODE_KIND[type(node)]
    known = node.tag in {*TEXT, *READ, MAP, SEQ}
    problem = (
        f"the tag {shown} does not fit a {kind}" if known else f"the tag {shown} is not allowed"
    )
    raise _error(node, path, problem, "remove the tag; a spec holds plain values, lists, mappings")


def _mapping(node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    merged: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            kind = _NODE_KIND[type(key_node)]
            raise _error(key_node, path, f"a key is a {kind}", "write each key as plain text")
        key = "<<" if key_node.tag == MERGE else _scalar(key_node, path)
        line = key_node.start_mark.line + 1
        if key in lines:
            raise _error(
                key_node,
                (*path, str(key)),
                f"the key {echo(key, 60)} appears twice (lines {lines[key]} and {line})",
                "keep one; YAML would silently keep only the last",
                at_line=False,
            )
        lines[key] = line
        if key_node.tag == MERGE:
            merged = _merge(value_node, path)
        else:
            out[key] = build(value_node, (*path, str(key)))
    return merged | out


def _merge(node: yaml.Node, path: Path) -> dict[Any, Any]:
    """`<<: *base` or `<<: [*a, *b]`: the mappings merged in, the first one winning."""
    sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
    merged: dict[Any, Any] = {}
    for source in reversed(sources):
        if not isinstance(source, yaml.MappingNode):
            raise _error(source, path, "a merge (<<) takes a mapping or a list of mappings", "")
        merged |= build(source, path)
    return merged


def _error(
    node: yaml.Node, path: Path, problem: str, fix: str, *, at_line: bool = True
) -> SpecError:
    line = node.start_mark.line + 1 if node.start_mark else 1
    text = f"{problem} (line {line})" if at_line else problem
    return SpecError(text, where=dotted(path), fix=fix or None)
