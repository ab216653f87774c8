"""The bounded YAML reader: size, UTF-8, nesting, aliases, tags and keys, each a SpecError."""

from __future__ import annotations

import time

import pytest
import yaml

from shipml.core.errors import SpecError
from shipml.spec import load_spec
from shipml.spec.load import parse_yaml
from shipml.spec.yaml_reader import MAX_BYTES, read_yaml

from .conftest import MINIMAL_YAML


def refusal(write_spec, text: str | bytes) -> str:
    """The message `load_spec` refuses the text with (bytes are written as they are)."""
    path = write_spec("")
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return str(info.value)


def billion_laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return MINIMAL_YAML + "\n".join(lines) + "\n"


def test_a_spec_over_one_megabyte_is_refused_before_parsing(write_spec):
    text = MINIMAL_YAML + "# " + "x" * MAX_BYTES + "\n"
    message = refusal(write_spec, text)
    assert "over 1 MB" in message
    assert len(message) < 300


def test_text_over_one_megabyte_is_refused_by_parse_yaml_too():
    with pytest.raises(SpecError, match="over 1 MB"):
        parse_yaml("a: " + "é" * (MAX_BYTES // 2 + 1), "s.yaml")


def test_a_file_that_is_not_utf8_names_the_line_and_column_of_the_bad_byte(write_spec):
    message = refusal(write_spec, b"name: caf\xe9\n")
    assert "not UTF-8" in message
    assert "line 1, column 10" in message
    assert "0xe9" in message
    later = refusal(write_spec, b"name: t\ndata: {train: \xc3\xa9\xff.csv}\n")
    assert "line 2, column 16" in later


def test_a_depth_7_alias_bomb_is_refused_at_once_with_a_short_message(write_spec):
    started = time.perf_counter()
    message = refusal(write_spec, billion_laughs(7))
    assert time.perf_counter() - started < 0.5
    assert "alias" in message
    assert "line 8" in message  # a4 (10**5 strings), where the expansion crosses 100,000
    assert len(message) < 300


def test_a_few_aliases_within_the_limit_still_load(write_spec):
    text = MINIMAL_YAML + "features:\n  exclude: &drop [a, b]\n  keep_suspects: *drop\n"
    spec = load_spec(write_spec(text)).spec
    assert spec.features.keep_suspects == ["a", "b"] == spec.features.exclude


@pytest.mark.parametrize("depth", [101, 1_000, 100_000])
def test_deep_flow_nesting_is_refused_naming_the_line(write_spec, depth):
    text = MINIMAL_YAML + "objective: {kpis: " + "[" * depth + "]" * depth + "}\n"
    started = time.perf_counter()
    message = refusal(write_spec, text)
    assert time.perf_counter() - started < 1.0
    assert "deeper than 100 levels" in message
    assert "line 4" in message


def test_deep_nesting_of_mappings_is_refused(write_spec):
    depth = 100_000
    message = refusal(write_spec, MINIMAL_YAML + "x: " + "{a: " * depth + "1" + "}" * depth + "\n")
    assert "deeper than 100 levels" in message


def test_nesting_of_100_levels_is_read():
    value = read_yaml("x: " + "[" * 99 + "]" * 99 + "\n", "s.yaml")
    depth = 1
    inner = value["x"]
    while inner:
        inner, depth = inner[0], depth + 1
    assert depth == 99


def test_aliases_that_nest_past_the_limit_are_refused():
    text = "a0: &a0 " + "[" * 60 + "]" * 60 + "\na1: " + "[" * 60 + "*a0" + "]" * 60 + "\n"
    with pytest.raises(SpecError, match="deeper than 100 levels"):
        read_yaml(text, "s.yaml")


def test_a_recursive_alias_is_refused():
    with pytest.raises(SpecError, match=r"line 1: the alias \*a refers to a node that contains"):
        read_yaml("a: &a [1, *a]\n", "s.yaml")


def test_an_alias_before_its_anchor_is_refused():
    with pytest.raises(SpecError, match=r"line 2: the alias \*b comes before any anchor"):
        read_yaml("a: 1\nc: *b\n", "s.yaml")


def test_a_wide_flat_document_past_the_node_limit_is_refused():
    with pytest.raises(SpecError, match="past 100,000 values"):
        read_yaml("x: [" + ",".join(["1"] * 100_001) + "]\n", "s.yaml")


def test_an_impossible_date_as_a_path_is_just_text(write_spec):
    text = "name: t\ndata:\n  train: a.csv\n  test: 2024-02-30\ntarget: {column: y}\n"
    assert load_spec(write_spec(text)).spec.data.test == "2024-02-30"


def test_an_impossible_date_in_a_date_field_names_the_key(write_spec):
    text = (
        "name: t\ndata: {train: a, period: {column: d, start: 2024-02-30}}\ntarget: {column: y}\n"
    )
    message = refusal(write_spec, text)
    assert "data.period.start:" in message
    assert "'2024-02-30'" in message


def test_a_good_date_in_a_date_field_is_read_as_a_date(write_spec):
    text = (
        "name: t\ndata: {train: a, period: {column: d, start: 2024-01-01}}\ntarget: {column: y}\n"
    )
    period = load_spec(write_spec(text)).spec.data.period
    assert period is not None
    assert period.start is not None
    assert period.start.isoformat() == "2024-01-01"


@pytest.mark.parametrize(
    ("line", "path", "words"),
    [
        ("seed: !!float x", "seed:", "cannot be read as a number"),
        ("explain: {enabled: !!bool maybe}", "explain.enabled:", "cannot be read as a boolean"),
        ("seed: !!int 1.5", "seed:", "cannot be read as an integer"),
        ("seed: !!int ''", "seed:", "cannot be read as an integer"),
        ("task: !foo bar", "task:", "the tag !foo is not allowed"),
        ("task: !!python/object:os.system ls", "task:", "is not allowed"),
        ("features: !!set {a: null}", "features:", "the tag !!set is not allowed"),
        ("features: !!str {a: 1}", "features:", "the tag !!str does not fit a mapping"),
        ("task: !!map x", "task:", "does not fit a value"),
        ("seed: " + "9" * 5000, "seed:", "cannot be read as an integer"),
    ],
)
def test_a_value_its_tag_cannot_read_names_the_key_and_the_line(write_spec, line, path, words):
    message = refusal(write_spec, MINIMAL_YAML + line + "\n")
    assert message.startswith(path)
    assert words in message
    assert "(line 4)" in message
    assert len(message) < 600


def test_keys_equal_as_values_are_duplicates():
    with pytest.raises(SpecError, match="appears twice"):
        read_yaml("costs: {1: 2.0, 1.0: 3.0}\n", "s.yaml")


def test_a_duplicate_key_is_refused_naming_both_lines(write_spec):
    message = refusal(write_spec, MINIMAL_YAML + "seed: 1\nseed: 2\n")
    assert message.startswith("seed: the key 'seed' appears twice (lines 4 and 5)")
    nested = refusal(write_spec, MINIMAL_YAML + "validation:\n  folds: 3\n  folds: 4\n")
    assert nested.startswith("validation.folds: the key 'folds' appears twice (lines 5 and 6)")


def test_a_list_as_a_mapping_key_is_refused_naming_the_path(write_spec):
    message = refusal(write_spec, MINIMAL_YAML + "features:\n  ? [a, b]\n  : 1\n")
    assert message.startswith("features: a key is a list (line 5)")


def test_merge_keys_read_as_safe_load_reads_them():
    text = "a: &a {x: 1, y: 2}\nb: &b {x: 3, z: 4}\nc: {<<: [*a, *b], w: 0, y: 9}\nd: {<<: *b}\n"
    assert read_yaml(text, "s.yaml") == yaml.safe_load(text)


def test_a_merge_of_a_value_is_refused():
    with pytest.raises(SpecError, match=r"merge \(<<\) takes a mapping"):
        read_yaml("a: {<<: 3}\n", "s.yaml")


SAFE_LOAD_VALUES = """\
ints: [1, -2, 0x1f, 0o17, 1_000, 1:30, +3]
floats: [1.5, -0.25, 1.0e+3, .inf, -.Inf]
strings: [1e5, abc, "yes", 'on', "2024-01-01"]
bools: [yes, No, true, FALSE, on, off, y, n]
nulls: [~, null, Null, ]
keys: {1: a, 2.5: b, false: c, null: d, "k": e}
block: |
  two
  lines
"""


def test_plain_values_are_those_of_safe_load():
    assert read_yaml(SAFE_LOAD_VALUES, "s.yaml") == yaml.safe_load(SAFE_LOAD_VALUES)


def test_timestamps_and_a_bare_equals_sign_stay_the_text_written():
    text = "a: 2024-01-01\nb: 2024-01-01 10:00:00\nc: 2024-13-45\nd: =\n"
    assert read_yaml(text, "s.yaml") == {
        "a": "2024-01-01",
        "b": "2024-01-01 10:00:00",
        "c": "2024-13-45",  # safe_load raises ValueError here
        "d": "=",
    }


def test_a_control_character_names_the_line_and_column(write_spec):
    message = refusal(write_spec, MINIMAL_YAML + 'objective: {description: "é\x07"}\n')
    assert "not valid YAML (line 4, column 28)" in message


def test_two_documents_are_refused_naming_the_line(write_spec):
    assert "line 4" in refusal(write_spec, MINIMAL_YAML + "---\nname: u\n")
