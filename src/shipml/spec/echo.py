"""Spec: bounded echoes of what a user wrote, so a 100 kB value still gives a short message."""

from __future__ import annotations

LIMIT = 200
ELLIPSIS = "…"


def clip(text: str, limit: int = LIMIT) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def echo(value: object, limit: int = LIMIT) -> str:
    """The repr of a user's value, cut to `limit` characters."""
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 4 * limit]  # repr of a long string costs its length; cut it first
    return clip(repr(value), limit)


def dotted(path: tuple[object, ...] | list[object]) -> str:
    """A spec path as the messages name it: `models.ladder[1]`, `(top level)` when empty."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{clip(str(part), 60)}" if text else clip(str(part), 60)
    return clip(text) or "(top level)"
