"""The condition operators as a table of small values: each base operator has a family (how
values are read and compared) and, for negated operators, a positive twin; ``IfExists`` and the
``ForAnyValue:``/``ForAllValues:`` qualifiers are parsed once here and applied once, for every
operator, in ``conditions.py`` (semantics §5).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any

from .wildcards import Pieces, any_matcher, arn_matcher, like_matcher


class Family(StrEnum):
    """How an operator's values are read and compared (semantics §5): strings, numbers, dates,
    booleans, base64 binary, IP ranges, ARNs, or Null's presence test."""

    STRING = "string"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "bool"
    BINARY = "binary"
    IP = "ip"
    ARN = "arn"
    NULL = "null"


#: base operator -> (family, positive twin or None when the operator is itself positive)
_TABLE: dict[str, tuple[Family, str | None]] = {
    "StringEquals": (Family.STRING, None),
    "StringNotEquals": (Family.STRING, "StringEquals"),
    "StringEqualsIgnoreCase": (Family.STRING, None),
    "StringNotEqualsIgnoreCase": (Family.STRING, "StringEqualsIgnoreCase"),
    "StringLike": (Family.STRING, None),
    "StringNotLike": (Family.STRING, "StringLike"),
    "NumericEquals": (Family.NUMERIC, None),
    "NumericNotEquals": (Family.NUMERIC, "NumericEquals"),
    "NumericLessThan": (Family.NUMERIC, None),
    "NumericLessThanEquals": (Family.NUMERIC, None),
    "NumericGreaterThan": (Family.NUMERIC, None),
    "NumericGreaterThanEquals": (Family.NUMERIC, None),
    "DateEquals": (Family.DATE, None),
    "DateNotEquals": (Family.DATE, "DateEquals"),
    "DateLessThan": (Family.DATE, None),
    "DateLessThanEquals": (Family.DATE, None),
    "DateGreaterThan": (Family.DATE, None),
    "DateGreaterThanEquals": (Family.DATE, None),
    "Bool": (Family.BOOL, None),
    "BinaryEquals": (Family.BINARY, None),
    "IpAddress": (Family.IP, None),
    "NotIpAddress": (Family.IP, "IpAddress"),
    "ArnEquals": (Family.ARN, None),
    "ArnLike": (Family.ARN, None),
    "ArnNotEquals": (Family.ARN, "ArnEquals"),
    "ArnNotLike": (Family.ARN, "ArnLike"),
    "Null": (Family.NULL, None),
}

#: families whose values take policy variables (§6.1; Bool does not, A11)
_VARIABLE_FAMILIES = frozenset({Family.STRING, Family.ARN})


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator as written, parsed: its base operator, the
    ``ForAnyValue``/``ForAllValues`` qualifier and ``IfExists``, its family and its positive twin
    (itself unless negated). Made by ``parse_operator``."""

    name: str  # as written in the policy
    base: str  # without qualifier and IfExists
    qualifier: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool
    family: Family
    positive: str  # the positive twin (itself when not negated)

    @property
    def negated(self) -> bool:
        """Whether the operator is a negated one (``StringNotEquals``, ``NotIpAddress``…), which is
        true when no value matches."""
        return self.positive != self.base

    @property
    def takes_variables(self) -> bool:
        """Whether its values may hold policy variables (string and ARN operators, §6.1)."""
        return self.family in _VARIABLE_FAMILIES


@lru_cache(maxsize=1024)
def parse_operator(name: str) -> Operator | None:
    """The operator, or None when AWS has no operator of that name (case-sensitive)."""
    qualifier: str | None = None
    rest = name
    if ":" in name:
        qualifier, _, rest = name.partition(":")
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            return None
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    entry = _TABLE.get(base)
    if entry is None or (if_exists and base == "Null") or (qualifier and base == "Null"):
        return None
    family, twin = entry
    return Operator(name, base, qualifier, if_exists, family, twin or base)


# -- reading values


def policy_value(family: Family, raw: Any) -> tuple[Any, str | None]:
    """(value ready to compare, None) or (None, what was expected) for a policy value."""
    if not isinstance(raw, (str, int, float)):  # JSON's scalars: a tuple or set given in Python
        return None, "a string, number or boolean"  # is not the text of its repr
    text = _text(raw)
    if family in (Family.STRING, Family.ARN):
        return text, None
    if family is Family.NUMERIC:
        number = _number(text)
        return (number, None) if number is not None else (None, "a number such as 14 or 1.5")
    if family is Family.DATE:
        when = parse_date(text)
        return (when, None) if when is not None else (None, "an ISO 8601 date or epoch seconds")
    if family in (Family.BOOL, Family.NULL):
        flag = _bool(text)
        return (flag, None) if flag is not None else (None, '"true" or "false"')
    if family is Family.BINARY:
        try:
            return base64.b64decode(text, validate=True), None
        except (binascii.Error, ValueError):
            return None, "base64-encoded bytes"
    try:
        return ipaddress.ip_network(text, strict=False), None
    except ValueError:
        return None, "an IPv4/IPv6 address or CIDR block such as 203.0.113.0/24"


def request_value(family: Family, text: str) -> Any:
    """The request value read for ``family``, or None when it has the wrong type (§5.5)."""
    if family in (Family.STRING, Family.ARN):
        return text
    if family is Family.NUMERIC:
        return _number(text)
    if family is Family.DATE:
        return parse_date(text)
    if family is Family.BOOL:
        return _bool(text)
    if family is Family.BINARY:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return text.encode()
    try:
        return ipaddress.ip_address(text.split("/")[0])
    except ValueError:
        return None


def compare(positive: str, policy: Any, pieces: Pieces | None, value: Any) -> bool:
    """Whether the request ``value`` satisfies the *positive* operator for one policy value.
    ``pieces`` is the policy value as wildcard pieces (string and ARN families)."""
    if positive == "StringEquals":
        return bool(value == _joined(pieces))
    if positive == "StringEqualsIgnoreCase":
        return bool(value.casefold() == _joined(pieces).casefold())
    if positive == "StringLike":
        return like_matcher(pieces or ()).matches(value)
    if positive in ("ArnEquals", "ArnLike"):
        return arn_matcher(pieces or ()).matches(value)
    if positive == "IpAddress":
        return bool(value.version == policy.version and value in policy)
    if positive in ("Bool", "BinaryEquals"):
        return bool(value == policy)
    return _ordered(positive, policy, value)


def matcher(
    positive: str,
    family: Family,
    parsed: tuple[Any, ...],
    pieces: tuple[Pieces, ...],
    texts: tuple[str, ...],
) -> Callable[[str], bool]:
    """A fast test "does this request value satisfy the positive operator for one of the values",
    compiled once for conditions without policy variables."""
    if positive == "StringEquals":
        exact = frozenset(texts)
        return exact.__contains__
    if positive == "StringEqualsIgnoreCase":
        return partial(_folded_in, frozenset(t.casefold() for t in texts))
    if positive == "StringLike":
        return any_matcher(tuple(like_matcher(p) for p in pieces)).matches
    if family in (Family.BOOL, Family.BINARY):
        return partial(_value_in, family, frozenset(parsed))
    if family is Family.IP:
        blocks = tuple((n.version, int(n.network_address), int(n.netmask)) for n in parsed)
        return partial(_in_blocks, blocks)
    return partial(_compares, positive, family, tuple(zip(parsed, pieces, strict=True)))


# The tests above are partials of module-level functions, not closures, so that a parsed policy
# (and a world holding it) can be pickled to the worker processes of an executor.


def _folded_in(folded: frozenset[str], raw: str) -> bool:
    return raw.casefold() in folded


def _value_in(family: Family, wanted: frozenset[Any], raw: str) -> bool:
    return request_value(family, raw) in wanted


def _compares(positive: str, family: Family, values: tuple[tuple[Any, Pieces], ...], raw: str) -> bool:
    value = request_value(family, raw)
    return value is not None and any(compare(positive, p, pc, value) for p, pc in values)


def _in_blocks(blocks: tuple[tuple[int, int, int], ...], raw: str) -> bool:
    """IpAddress over integers: addresses in a request are parsed at every evaluation."""
    parsed = _ipv4(raw)
    if parsed is not None:
        return any(v == 4 and parsed & mask == net for v, net, mask in blocks)
    address = request_value(Family.IP, raw)
    if address is None:
        return False
    number = int(address)
    return any(v == address.version and number & mask == net for v, net, mask in blocks)


def _ipv4(raw: str) -> int | None:
    parts = raw.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            return None
        octet = int(part)
        if octet > 255:
            return None
        value = value << 8 | octet
    return value


def _ordered(positive: str, policy: float, value: float) -> bool:
    suffix = positive.removeprefix("Numeric").removeprefix("Date")
    if suffix == "Equals":
        return value == policy
    if suffix == "LessThan":
        return value < policy
    if suffix == "LessThanEquals":
        return value <= policy
    if suffix == "GreaterThan":
        return value > policy
    return value >= policy


def _joined(pieces: Pieces | None) -> str:
    return "".join(text for text, _ in pieces or ())


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _number(text: str) -> float | None:
    if not re.fullmatch(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*", text):
        return None
    return float(text)


def _bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    return True if lowered == "true" else False if lowered == "false" else None


_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 date or of a number of epoch seconds, as AWS reads a Date
    condition value (§5.6); None when it is not a date."""
    try:
        return _parse_date(text)
    except (OverflowError, ValueError):  # beyond the calendar Python can represent: not a date
        return None


def _parse_date(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 (W3C profile) date or of epoch seconds (§5.6)."""
    text = text.strip()
    if re.fullmatch(r"-?\d{1,11}(\.\d+)?", text) and len(text) != 4:
        return float(text)
    if len(text) >= 20 and text[10] == "T":  # the common full form: the C parser is fastest
        try:
            parsed = datetime.fromisoformat(text)
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
        except ValueError:
            pass
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        when = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        when -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when.timestamp() + (float(fraction) if fraction else 0.0)
