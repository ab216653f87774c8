"""Data: load the table, type its columns, check it against the spec and profile it."""

from shipml.data.casting import apply_types
from shipml.data.columns import ColumnTyping, infer_column_types
from shipml.data.contract import check_contract
from shipml.data.pii import find_pii
from shipml.data.profile import ColumnProfile, DatasetProfile, profile_table, render_profile_text
from shipml.data.sources import fingerprint, load_frame
from shipml.data.suspects import Suspect

__all__ = [
    "ColumnProfile",
    "ColumnTyping",
    "DatasetProfile",
    "Suspect",
    "apply_types",
    "check_contract",
    "find_pii",
    "fingerprint",
    "infer_column_types",
    "load_frame",
    "profile_table",
    "render_profile_text",
]
