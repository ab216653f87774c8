"""The base of every spec section: frozen, closed to unknown keys, no NaN."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def label(value: object, field: str) -> str:
    if isinstance(value, bool):
        raise ValueError(
            f"YAML read an unquoted {value} as a boolean; quote the class label "
            f'(for example {field}: "Yes") so it matches the labels in the data'
        )
    return str(value)
