"""Hypothesis strategies for hostile input (issue #9 item 8): malformed policies, scenarios and
batch lines — wrong types at every level, huge and deep values, control characters, digits that
are not ASCII, pathological wildcards, duplicated keys (as raw JSON text) and huge integers.

Each mutating strategy draws a ``Hostile`` value: the document (a JSON value, or raw text when
the hostility cannot be written as a Python value), the JSON path of the element it broke, and
whether AWS would certainly refuse it. The valid documents it starts from are small and fixed so
that a shrunk failing example is readable.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

A, B = "111111111111", "222222222222"
ALICE = f"arn:aws:iam::{A}:user/alice"
APP_ROLE = f"arn:aws:iam::{B}:role/AppRole"
APP_SESSION = f"arn:aws:sts::{B}:assumed-role/AppRole/worker"
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-AbC123"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-0000-4000-8000-00000000c0de"
GET = "secretsmanager:GetSecretValue"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Hostile:
    """A hostile input: ``value`` (a JSON value) or ``text`` (raw JSON or YAML text), ``path``
    the element that was broken (``()`` when the whole input is hostile), and ``must_reject``
    when AWS would certainly refuse it (so accepting it is a wrong answer)."""

    value: Any = None
    text: str | None = None
    path: Path = ()
    must_reject: bool = False
    what: str = ""

    def __repr__(self) -> str:  # hypothesis prints this for a failing example: keep it short
        shown = self.text if self.text is not None else dumps(self.value)
        if len(shown) > 300:
            shown = shown[:300] + f"... ({len(shown)} characters)"
        return f"Hostile({self.what}, path={self.path}, must_reject={self.must_reject}, {shown})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer: the short form too
        printer.text(repr(self))


def dumps(value: Any) -> str:
    """``value`` as JSON text, integers of any size included (the limit on int -> str conversion
    is lifted for the harness's own writing only)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value, ensure_ascii=False)
    finally:
        sys.set_int_max_str_digits(limit)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def base_policy() -> dict[str, Any]:
    """A valid identity policy reaching every element a mutation breaks."""
    return doc(
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": GET,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}},
        }
    )


def base_world() -> dict[str, Any]:
    """Two accounts; AppRole (apps) reads prod/db across accounts through the secret policy and
    the customer managed key; alice (prod) reads it through her identity policy."""
    return {
        "accounts": [
            {"id": A, "name": "prod", "org_id": "o-exampleorg1", "org_path": ["r-root", "ou-prod"]},
            {"id": B, "name": "apps", "org_id": "o-exampleorg1", "org_path": ["r-root", "ou-apps"]},
        ],
        "principals": {
            "users": [
                {
                    "arn": ALICE,
                    "tags": {"team": "payments"},
                    "policies": [doc({"Effect": "Allow", "Action": GET, "Resource": SECRET})],
                }
            ],
            "groups": [],
            "roles": [
                {
                    "arn": APP_ROLE,
                    "role_id": "AROAEXAMPLEAPPROLE01",
                    "trust_policy": doc(
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ),
                    "policies": [
                        doc(
                            {"Effect": "Allow", "Action": GET, "Resource": SECRET},
                            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                        )
                    ],
                }
            ],
        },
        "secrets": [
            {
                "arn": SECRET,
                "name": "prod/db",
                "kms_key": KEY,
                "tags": {"team": "payments"},
                "resource_policy": doc(
                    {"Effect": "Allow", "Principal": {"AWS": APP_ROLE}, "Action": GET, "Resource": "*"}
                ),
            }
        ],
        "kms_keys": [
            {
                "arn": KEY,
                "manager": "CUSTOMER",
                "aliases": ["alias/prod-secrets"],
                "key_policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": APP_ROLE},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                    },
                ),
            }
        ],
    }


def base_request() -> dict[str, Any]:
    """AppRole's session reads prod/db in ``base_world``: allowed."""
    return {"principal": APP_SESSION, "action": GET, "resource": SECRET}


def base_line() -> dict[str, Any]:
    """A batch line alice's identity policy allows."""
    return {
        "id": "x",
        "principal": ALICE,
        "action": GET,
        "resource": SECRET,
        "identity_policies": [doc({"Effect": "Allow", "Action": GET, "Resource": "*"})],
    }


# -- hostile pieces

#: characters outside the policy character set (tab, LF, CR, U+0020-U+00FF), and tricky ones
CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]
OUTSIDE = ["\u0100", "\u200b", "\u202e", "\u2028", "\ufeff", "\uffff", "\U0001f511", "\ud7ff"]
#: twelve digits that are digits to ``str.isdigit`` but not ASCII
FOREIGN_DIGITS = ["\u0661" * 12, "\uff11" * 12, "\u0967" * 12, "\u09e7" * 12, "\U0001d7cf" * 12]

hostile_chars = st.sampled_from(CONTROL + OUTSIDE)


def pathological_patterns(min_groups: int = 8, max_groups: int = 24) -> st.SearchStrategy[str]:
    """Wildcard patterns a backtracking matcher takes exponential time on (``*?*?…b``)."""
    return st.builds(
        lambda parts, tail: "".join(parts) + tail,
        st.lists(
            st.sampled_from(["*?", "*", "?*", "**", "*a", "?"]), min_size=min_groups, max_size=max_groups
        ),
        st.sampled_from(["b", "z", "?b", "x?", "*b"]),
    )


def huge_strings() -> st.SearchStrategy[str]:
    """Long strings (up to 400,000 characters) of one repeated piece."""
    return st.builds(
        lambda piece, n: piece * n,
        st.sampled_from(["a", "*", "*?", "\x00", "\u0661", "$", "${aws:username}", " "]),
        st.integers(2_000, 400_000),
    )


def deep(depth: int, leaf: Any = "x", kind: str = "list") -> Any:
    """A value nested ``depth`` deep, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


#: an integer over Python's 4,300-digit limit for int <-> str conversion
GIANT = 10**5000

huge_ints = st.one_of(
    st.integers(min_value=2**63, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**63)),
    st.builds(lambda: GIANT),  # not st.just: hypothesis would print the value, and cannot
)

#: a JSON value of any type, with hostile strings and numbers
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    huge_ints,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.text(alphabet=st.sampled_from(CONTROL + OUTSIDE + list("a*?$:/")), min_size=1, max_size=12),
    st.sampled_from(FOREIGN_DIGITS),
    pathological_patterns(),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def wrong_type(original: Any) -> st.SearchStrategy[Any]:
    """A value of another JSON type than ``original`` (never null: some fields take it)."""
    if isinstance(original, bool):
        return st.sampled_from(["true", 1, 0, [], {}])
    if isinstance(original, str):
        return st.one_of(
            st.integers(-5, 5),
            huge_ints,
            st.booleans(),
            st.just([]),
            st.just({}),
            st.builds(lambda v: [[v]], scalars),
        )
    if isinstance(original, list):
        return st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.just({"a": 1}))
    if isinstance(original, dict):
        return st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.just([original]))
    return st.one_of(st.text(max_size=5), st.just([]), st.just({}))


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path in ``value`` (the root excluded), in document order."""
    out: list[Path] = []
    stack: list[tuple[Path, Any]] = [(prefix, value)]
    while stack:
        path, node = stack.pop()
        if path:
            out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))
    return out


def get(value: Any, path: Path) -> Any:
    """The element at ``path``."""
    for part in path:
        value = value[part]
    return value


def put(value: Any, path: Path, new: Any) -> None:
    """Replace the element at ``path`` (in place)."""
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = new


def _skip(path: Path) -> bool:
    """Elements whose wrong type AWS may still accept: condition values (AWS reads numbers and
    booleans as strings) and free text."""
    return ("Condition" in path[:-1] and len(path) >= 5) or path[-1:] in (("description",), ("title",))


@st.composite
def mutated(draw: st.DrawFn, base: Any, *, skip_values_in: tuple[str, ...] = ()) -> Hostile:
    """``base`` with one element broken: a wrong JSON type, a hostile string, a huge or deep
    value, a removed element or an unknown key. ``must_reject`` is set for breaks AWS always
    refuses (a wrong type or a character outside the policy character set)."""
    value = copy.deepcopy(base)
    path = draw(st.sampled_from(paths(value)))
    original = get(value, path)
    how = draw(st.sampled_from(["type", "char", "huge", "deep", "json", "remove", "unknown", "digits"]))
    must = False
    if how == "type":
        put(value, path, draw(wrong_type(original)))
        must = not _skip(path)
    elif how == "char" and isinstance(original, str):
        at = draw(st.integers(0, len(original)))
        put(value, path, original[:at] + draw(hostile_chars) + original[at:])
        must = "tags" not in path and not _skip(path)  # a tag value may hold letters beyond U+00FF
    elif how == "huge":
        put(value, path, draw(huge_strings() | huge_ints))
    elif how == "deep":
        put(value, path, deep(draw(st.integers(20, 600)), original, draw(st.sampled_from(["list", "dict"]))))
    elif how == "digits" and isinstance(original, str) and any(c.isdigit() for c in original):
        digits = draw(st.sampled_from(FOREIGN_DIGITS))[0]
        put(value, path, "".join(digits if c.isdigit() else c for c in original))
        must = True
    elif how == "remove" and isinstance(path[-1], str):
        del get(value, path[:-1])[path[-1]]
        path = path[:-1]
    elif how == "unknown" and isinstance(original, dict):
        original[draw(st.sampled_from(["colour", "Effect ", "", "\x00", "arn"]))] = draw(scalars)
    else:
        put(value, path, draw(json_values))
    free = any(p in skip_values_in for p in path if isinstance(p, str))  # any value is valid there
    return Hostile(value=value, path=path, must_reject=must and not free, what=f"{how} at {_jpath(path)}")


@st.composite
def raw_text(draw: st.DrawFn, base: Any) -> Hostile:
    """``base`` as JSON text with a hostility only text can carry: a duplicated key, an integer
    over 4,300 digits, nesting deeper than any parser's recursion, a raw control character, a
    byte order mark, a NaN, or the text cut short."""
    text = json.dumps(base)
    how = draw(st.sampled_from(["duplicate", "bigint", "deep", "control", "bom", "nan", "cut"]))
    what = how
    if how == "duplicate":
        keys = sorted({str(p[-1]) for p in paths(base) if isinstance(p[-1], str)})
        key = draw(st.sampled_from(keys))
        text = text.replace(f'"{key}": ', f'"{key}": null, "{key}": ', 1)
        what = f"duplicate {key!r}"
    elif how == "bigint":
        text = text[:1] + '"n": ' + "9" * draw(st.integers(4_301, 30_000)) + ", " + text[1:]
    elif how == "deep":
        depth = draw(st.integers(1_000, 200_000))
        text = text[:1] + '"n": ' + "[" * depth + "]" * depth + ", " + text[1:]
    elif how == "control":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(hostile_chars) + text[at:]
    elif how == "bom":
        text = "\ufeff" + text
    elif how == "nan":
        text = (
            text[:1]
            + '"n": '
            + draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]))
            + ", "
            + text[1:]
        )
    else:
        text = text[: draw(st.integers(0, len(text) - 1))]
    return Hostile(text=text, must_reject=how in ("duplicate", "bigint", "deep", "cut"), what=what)


def billion_laughs(levels: int, width: int = 10) -> str:
    """A YAML document whose anchors expand to ``width ** levels`` strings (under ``accounts``)."""
    lines = [f"x0: &x0 [{', '.join(['lol'] * width)}]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\naccounts: *x{levels - 1}\n"


yaml_texts = st.one_of(
    st.builds(billion_laughs, st.integers(3, 9)),
    st.just("accounts: &a [*a]\n"),
    st.just("accounts: &a {x: *a}\n"),
    st.just("accounts:\n- id: 111111111111\n  id: 222222222222\n  name: prod\n"),
    st.just("accounts:\n- {id: '111111111111', name: 2012-10-17}\n"),
    st.just("accounts: !!binary AAAA\n"),
    st.just("!!python/object/apply:os.system ['true']\n"),
    st.just("? [a, b]\n: x\n"),
    st.builds(lambda d: "accounts: " + "[" * d + "]" * d + "\n", st.integers(100, 20_000)),
    st.builds(lambda n: f"accounts: [{'9' * n}]\n", st.integers(4_301, 20_000)),
)


def _jpath(path: Path) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


policies = mutated(base_policy())
policy_texts = raw_text(base_policy())
worlds = mutated(base_world())
world_texts = raw_text(base_world())
requests = mutated(base_request())
lines = mutated(base_line(), skip_values_in=("id",))
line_texts = raw_text(base_line())
