"""PII suspects by value patterns and column names, on small made-up frames."""

from __future__ import annotations

import pandas as pd
import pytest

from shipml.data import find_pii
from shipml.data.pii import luhn_valid

VALID_CARDS = ["4111111111111111", "5500 0000 0000 0004", "3400-0000-0000-009", "4012888888881881"]


def _suspects(values, name: str = "col") -> list[str]:
    df = pd.DataFrame({name: values})
    return [s.reason for s in find_pii(df, [name])]


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ([f"user{i}@example.com" for i in range(20)], "e-mail addresses"),
        (
            ["+1 555 123 4567", "(555) 123-4567", "555-987-6543", "+44 20 7946 0958"] * 5,
            "phone numbers",
        ),
        ([f"10.0.{i}.{i + 1}" for i in range(15)] + ["2001:db8::1", "fe80::1"], "IP addresses"),
        (VALID_CARDS * 5, "payment card numbers"),
        (
            [
                "221B Baker Street",
                "12 Main St",
                "1600 Pennsylvania Ave",
                "4 Privet Drive",
                "742 Evergreen Terrace Rd",
                "10 Downing St.",
            ]
            * 3,
            "street addresses",
        ),
    ],
)
def test_value_patterns(values, fragment):
    reasons = _suspects(values)
    assert len(reasons) == 1
    assert fragment in reasons[0]


def test_luhn():
    assert all(luhn_valid("".join(ch for ch in c if ch.isdigit())) for c in VALID_CARDS)
    assert not luhn_valid("4111111111111112")


def test_invalid_card_numbers_are_not_suspects():
    invalid = ["4111111111111112", "1234567812345678", "5500 0000 0000 0005"] * 5
    assert _suspects(invalid) == []


def test_card_numbers_in_an_integer_column():
    df = pd.DataFrame({"pan": [4111111111111111, 4012888888881881] * 5})
    assert [s.column for s in find_pii(df, ["pan"])] == ["pan"]


def test_person_names_by_values():
    names = [
        "Alice Smith",
        "Bob Jones",
        "Carla M. Diaz",
        "Dan Brown",
        "Eve Adams",
        "Frank Li",
        "Grace Hopper",
        "Hank Moody",
        "Ivy Chen",
        "Jack Ryan",
    ]
    reasons = _suspects(names, name="who")
    assert reasons
    assert "person names" in reasons[0]


def test_few_capitalized_labels_are_not_names():
    assert _suspects(["Very Good", "Premium Cut", "Fair Deal"] * 10) == []


@pytest.mark.parametrize(
    "name", ["name", "First Name", "last_name", "Surname", "customer_name", "email", "phone_number"]
)
def test_strong_column_names(name):
    reasons = _suspects(["x1", "x2"], name=name)
    assert reasons
    assert "names personal data" in reasons[0]


def test_below_half_is_not_a_suspect():
    values = [f"u{i}@example.com" for i in range(4)] + [f"plain {i}" for i in range(6)]
    assert _suspects(values) == []


def test_ordinary_values_are_not_suspects():
    df = pd.DataFrame(
        {
            "date": ["2024-01-15", "2024-02-20", "2023-12-01"] * 5,
            "amount": ["1234.5678", "99.5", "1000.25"] * 5,
            "code": ["5551234567", "5559876543", "5550001111"] * 5,
            "price": [1.5, 2.5, 3.5] * 5,
            "city": ["Oslo", "Rome", "Lima"] * 5,
            "review": ["I liked it a lot, would buy again 10 times"] * 15,
        }
    )
    assert find_pii(df, df.columns) == []


def test_only_the_given_columns_are_checked():
    df = pd.DataFrame({"email": ["a@b.co"] * 3, "other": ["x@y.co"] * 3})
    assert [s.column for s in find_pii(df, ["other", "absent"])] == ["other"]
    assert all(s.kind == "pii" for s in find_pii(df, df.columns))
