"""Data: personal data suspects found by column names and value patterns (no NER model)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable

import pandas as pd

from shipml.data.columns import spread_sample
from shipml.data.suspects import Suspect

_SAMPLE = 2000
_SHARE = 0.5
_PII_NAMES = frozenset(
    {
        "name", "first_name", "firstname", "last_name", "lastname", "surname", "full_name",
        "fullname", "customer_name", "given_name", "family_name", "email", "e_mail",
        "email_address", "phone", "phone_number", "telephone", "mobile", "cell_phone", "ssn",
        "social_security_number", "passport_number", "ip", "ip_address", "address",
        "street_address", "home_address", "credit_card", "card_number", "credit_card_number",
        "date_of_birth", "dob", "birth_date", "birthdate",
    }
)  # fmt: skip
_EMAIL = re.compile(r"^[\w.+%-]+@[\w-]+(\.[\w-]+)+$")
_PHONE = re.compile(r"^(\+\d{1,3}[\s.-]?)?(\(\d{1,4}\)[\s.-]?)?\d{2,4}([\s.-]\d{2,4}){1,4}$")
_PLUS_PHONE = re.compile(r"^\+\d{7,15}$")
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_CARD = re.compile(r"^\d{4}([ -]?\d{3,4}){2,4}$|^\d{13,19}$")
_NAME = re.compile(r"^[A-Z][a-z'’-]+(\s+[A-Z][a-z'’.-]*){1,2}$")
_STREET = re.compile(
    r"^\d+[A-Za-z]?\s+([\w.'-]+\s+){1,5}"
    r"(st|street|ave|avenue|road|rd|blvd|boulevard|lane|ln|drive|dr|court|ct|way|place|pl)\b\.?",
    re.IGNORECASE,
)


def find_pii(df: pd.DataFrame, columns: Iterable[str]) -> list[Suspect]:
    """Columns whose name is a personal-data name, or whose sampled values are mostly PII."""
    found: list[Suspect] = []
    for name in columns:
        if name not in df.columns:
            continue
        reason = _name_reason(str(name)) or _value_reason(df[name])
        if reason:
            found.append(Suspect(column=name, kind="pii", reason=reason))
    return found


def luhn_valid(digits: str) -> bool:
    """The checksum every payment card number passes."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _name_reason(name: str) -> str | None:
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if key in _PII_NAMES:
        return f"the column name {name!r} names personal data"
    return None


def _value_reason(series: pd.Series) -> str | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    if pd.api.types.is_float_dtype(dtype):
        return None
    integer = pd.api.types.is_integer_dtype(dtype)
    values = spread_sample(series.dropna(), _SAMPLE).astype("str").str.strip()
    if values.empty:
        return None
    checks = (("payment card numbers", _is_card),) if integer else _CHECKS
    for label, check in checks:
        share = float(values.map(check).mean())
        if share >= _SHARE:
            return f"{share:.0%} of sampled values look like {label}"
    if not integer and _names_share(values) >= _SHARE:
        return "most sampled values look like person names (two or three capitalized words)"
    return None


def _is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def _is_phone(value: str) -> bool:
    if not (_PHONE.match(value) or _PLUS_PHONE.match(value)) or _DATE.match(value):
        return False
    # Separators or a leading + tell a phone number from a plain code or a decimal number.
    if not (value.startswith("+") or len(re.findall(r"[\s.()-]+", value)) >= 2):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 7 <= digits <= 15 and not _is_card(value)


def _is_ip(value: str) -> bool:
    if not (("." in value or ":" in value) and len(value) <= 45):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_card(value: str) -> bool:
    if not _CARD.match(value):
        return False
    digits = re.sub(r"\D", "", value)
    return 13 <= len(digits) <= 19 and digits.strip("0") != "" and luhn_valid(digits)


def _is_street(value: str) -> bool:
    return bool(_STREET.match(value))


def _names_share(values: pd.Series) -> float:
    """Share of name-shaped values, counted only when varied (not a few category labels)."""
    if values.nunique() < max(5, 0.5 * len(values)):
        return 0.0
    return float(values.str.match(_NAME.pattern).mean())


_CHECKS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("e-mail addresses", _is_email),
    ("payment card numbers", _is_card),
    ("IP addresses", _is_ip),
    ("phone numbers", _is_phone),
    ("street addresses", _is_street),
)
