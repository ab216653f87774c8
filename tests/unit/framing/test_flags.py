"""Column flags are typed facts framing carries to every later stage, never read from prose."""

from __future__ import annotations

from shipml.core.enums import ColumnFlag, ColumnType
from shipml.framing import frame_problem
from shipml.framing.frame import SuspectColumn
from shipml.pipeline.train import _suspect_warnings

from .conftest import TYPES, make_spec, synthetic_table


def _frame(**sections):
    table = synthetic_table()
    table["email"] = [f"p{i}@example.org" for i in range(len(table))]
    table["phone"] = [f"+44 20 7946 {i % 50:04d}" for i in range(len(table))]
    types = {**TYPES, "email": ColumnType.CATEGORICAL, "phone": ColumnType.CATEGORICAL}
    suspects = [
        SuspectColumn("email", "pii", "e-mail addresses"),
        SuspectColumn("phone", "pii", "phone numbers"),
        SuspectColumn("user", "identifier", "repeats like an id"),
    ]
    spec = make_spec(**sections)
    return frame_problem(spec, table, types, dict.fromkeys(types, "test"), suspects=suspects)


def test_flags_follow_the_profile_and_the_spec_whatever_the_role():
    frame = _frame(features={"exclude": ["phone"], "keep_suspects": ["user"]})
    columns = {c.name: c for c in frame.schema.columns}
    assert columns["email"].flags == {ColumnFlag.PII}
    assert columns["phone"].flags == {ColumnFlag.PII, ColumnFlag.EXCLUDED}
    assert columns["user"].flags == {ColumnFlag.IDENTIFIER}
    assert columns["user"].role == "feature"
    assert columns["email"].role == "passthrough"


def test_a_column_dropped_later_keeps_its_flags_and_gains_the_reason():
    frame = _frame(features={"keep_suspects": ["email"]})
    dropped = frame.without({"email": "leakage suspect: alone AUC 0.99"}, "excluded_feature",
                            ColumnFlag.LEAKAGE)  # fmt: skip
    email = next(c for c in dropped.schema.columns if c.name == "email")
    assert email.flags == {ColumnFlag.PII, ColumnFlag.LEAKAGE}
    assert email.pii
    assert email.role == "passthrough"
    assert "email" not in dropped.features


def test_suspects_left_out_are_announced_and_spec_exclusions_are_not():
    warnings = _suspect_warnings(_frame(features={"exclude": ["phone"]}))
    assert [w.split(" left out:")[0] for w in warnings] == ["user", "email"]
    assert all("suspect" in w for w in warnings)
