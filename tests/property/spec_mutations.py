"""Property-test strategies: specs mangled as dicts, as YAML text and as bytes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import strategies as st

from .spec_values import plausible_specs, words

WRONG_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [None, True, False, 0, -1, 1.5, float("inf"), float("nan"), "", "many", [], {}, [1, "a"]]
    ),
    st.sampled_from(["num_leaf", "C", "learning_rate", "2024-02-30"]).map(lambda k: {k: -1}),
    st.integers(10**20, 10**30),
    st.integers(1_000, 120_000).map(lambda n: "x" * n),
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a spec (mapping keys and list indices)."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        yield (*path, key)
        yield from _places(value, (*path, key))


def _parent(spec: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        spec = spec[key]
    return spec


def _typo(key: str, draw: st.DrawFn) -> str:
    if len(key) < 2:
        return key + "x"
    i = draw(st.integers(0, len(key) - 2))
    return (
        key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        if draw(st.booleans())
        else key[:i] + key[i + 1 :]
    )


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible spec with a few values of the wrong type, unknown or misspelled keys, or a
    key removed."""
    spec = draw(plausible_specs())
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(spec))
        path = draw(st.sampled_from(places))
        parent, key = _parent(spec, path), path[-1]
        how = draw(st.sampled_from(["wrong", "typo", "unknown", "drop"]))
        if how == "wrong":
            parent[key] = draw(WRONG_VALUES)
        elif isinstance(parent, dict) and how == "typo" and isinstance(key, str):
            parent[_typo(key, draw)] = parent.pop(key)
        elif isinstance(parent, dict) and how == "unknown":
            parent[draw(words)] = draw(WRONG_VALUES)
        elif isinstance(parent, dict):
            parent.pop(key)
    return spec


def _bomb(levels: int) -> str:
    lines = ["b0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


EXOTIC_VALUES = st.one_of(
    st.sampled_from(
        [
            "!!float x",
            "!!bool maybe",
            "!!int 1.5",
            "!!int ''",
            "!foo bar",
            "!!python/object:os.system ls",
            "!!binary aGk=",
            "!!set {a: null}",
            "!!str {a: 1}",
            "2024-02-30",
            "2024-13-45 25:61:00",
            "2024-01-01",
            ".inf",
            "-.nan",
            "yes",
            "~",
            "{a: 1, a: 2}",
            "{? [a, b] : 1}",
            "&self [*self]",
            "*nowhere",
            "1:30",
            "0x_",
            "<<",
            "{<<: 3}",
            "'unterminated",
            "[1, 2",
            "@reserved",
            "\t",
        ]
    ),
    st.integers(1, 5_000).map(lambda n: "9" * n),
    st.integers(1, 50_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5_000).map(lambda n: "{a: " * n + "1" + "}" * n),
)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """The YAML of a spec, then text-level mutations the dict form cannot express."""
    spec = draw(st.one_of(plausible_specs(), mutated_specs()))
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        how = draw(st.sampled_from(["value", "duplicate", "anchor", "bomb", "junk"]))
        line = lines[i] if lines else "\n"
        if how == "value" and ": " in line:
            lines[i] = line.split(": ", 1)[0] + ": " + draw(EXOTIC_VALUES) + "\n"
        elif how == "duplicate":
            lines.insert(i, line)
        elif how == "anchor" and ": " in line and line.startswith(" "):
            key, value = line.rstrip("\n").split(": ", 1)
            lines[i] = f"{key}: &shared {value}\n"
            lines.append("extra: *shared\n")
        elif how == "bomb":
            lines[:0] = [_bomb(draw(st.integers(1, 9)))]
        else:
            lines.insert(
                i, draw(st.sampled_from(["- item\n", "  : x\n", "? [a]\n", "key:value\n"]))
            )
    return "".join(lines)


@st.composite
def spec_bytes(draw: st.DrawFn) -> bytes:
    """The bytes written to the spec file: UTF-8 of the text, sometimes broken at the end."""
    data = draw(yaml_texts()).encode("utf-8")
    how = draw(st.sampled_from(["keep"] * 6 + ["truncate", "bad byte", "bom", "crlf", "empty"]))
    if how == "truncate":
        data = data[: draw(st.integers(len(data) // 4, len(data)))]
    elif how == "bad byte":
        i = draw(st.integers(0, len(data)))
        data = (
            data[:i]
            + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x00", b"\x07"]))
            + data[i:]
        )
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif how == "empty":
        data = b"# nothing here\n"
    return data
