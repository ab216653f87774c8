"""The data layer's public names are pinned: a change here is a change of the contract."""

from __future__ import annotations

import shipml.data


def test_all_is_pinned():
    assert sorted(shipml.data.__all__) == [
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
    assert all(hasattr(shipml.data, name) for name in shipml.data.__all__)
