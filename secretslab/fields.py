"""Typed reading of JSON fields that records a located problem (code, JSON path, what was found
and what was expected, "did you mean") instead of raising: the reader of world files and of
requests share it, then raise ``ScenarioError`` once with every problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from .arn import ACCOUNT_ID, Arn
from .names import session_name_problem
from .problems import PathPart, Problem, ProblemCode, quoted

Path = tuple[PathPart, ...]
_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
Tags = tuple[tuple[str, str], ...]


class Fields:
    """Typed field reading that records a located problem instead of raising."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, code: ProblemCode, message: str, path: Path, hint: str | None = None) -> None:
        """Record a problem at ``path`` (with this reader's source)."""
        self.problems.append(Problem(code, message, path, hint, self.source))

    def obj(self, value: Any, path: Path, spec: Mapping[str, bool], what: str) -> Mapping[str, Any] | None:
        """``value`` when it is a JSON object, else None with a problem; each field not in ``spec``
        (field -> required; with a "did you mean") and each required field missing is a problem
        too."""
        if not isinstance(value, Mapping):
            self.problem(
                ProblemCode.INVALID_FIELD, f"{what} is a JSON object, found {json_kind(value)}", path
            )
            return None
        for key in value:
            if key not in spec:
                close = difflib.get_close_matches(str(key), list(spec), n=1, cutoff=0.6)
                self.problem(
                    ProblemCode.UNKNOWN_FIELD,
                    f"{what} has no field {quoted(key)}; expected {', '.join(spec)}",
                    (*path, str(key)),
                    f"did you mean {quoted(close[0])}?" if close else None,
                )
        for key, required in spec.items():
            if required and key not in value:
                self.problem(ProblemCode.MISSING_FIELD, f"{what} needs {quoted(key)}", path)
        return value

    def items(self, value: Any, path: Path, what: str) -> list[tuple[Path, Any]]:
        """``(path, item)`` for each item of a list; none for None, and a problem for anything but a list."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(ProblemCode.INVALID_FIELD, f"{what} is a list, found {json_kind(value)}", path)
            return []
        return [((*path, i), v) for i, v in enumerate(value)]

    def string(self, value: Any, path: Path, what: str, *, optional: bool = True) -> str | None:
        """``value`` when it is a non-empty string; None when it is None and ``optional``, or (with a
        problem) when it is anything else."""
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            found = "an empty string" if value == "" else json_kind(value)
            self.problem(ProblemCode.INVALID_FIELD, f"{what} is a non-empty string, found {found}", path)
            return None
        return value

    def unique_id(self, value: Any, path: Path, what: str, prefix: str) -> str | None:
        """``value`` when it can be an IAM unique id: ASCII letters and digits (``-`` and ``_`` are
        taken too, as example ids write them), at most 128 characters; None when absent, or (with
        a problem) when it is not one (reference_identifiers.html#identifiers-unique-ids). IAM's
        own start with ``prefix`` (AIDA for a user, AROA for a role) but the AWS stand-in's do not,
        and an imported world must load: the prefix is only suggested."""
        text = self.string(value, path, what)
        if text is None:
            return None
        if len(text) > 128 or not _ID_CHARACTERS.issuperset(text):
            self.problem(
                ProblemCode.INVALID_FIELD,
                f"{what} is letters and digits ({prefix}… in AWS), found {quoted(text)}",
                path,
                "see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids",
            )
            return None
        return text

    def account_id(self, value: Any, path: Path, what: str) -> str | None:
        """``value`` when it is a 12-digit account id; None when absent, or (with a problem) when it
        is not one."""
        text = self.string(value, path, what)
        if text is not None and not ACCOUNT_ID.match(text):
            message = f"{what} is a 12-digit account id, found {quoted(text)}"
            self.problem(ProblemCode.INVALID_FIELD, message, path)
            return None
        return text

    def session_name(self, value: Any, path: Path, what: str) -> str | None:
        """``value`` when it is a role session name AWS accepts (2 to 64 characters of
        ``[\\w+=,.@-]``, semantics §3.13); None when absent, or (with a problem) when it is not one."""
        text = self.string(value, path, what)
        if text is not None and (message := session_name_problem(text)):
            self.problem(ProblemCode.INVALID_NAME, message, path)
            return None
        return text

    def flag(self, value: Any, path: Path, what: str, default: bool) -> bool:
        """``value`` when it is a boolean; ``default`` when it is None, or (with a problem) when it is
        anything else."""
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(
                ProblemCode.INVALID_FIELD, f"{what} is true or false, found {json_kind(value)}", path
            )
            return default
        return value

    def strings(self, value: Any, path: Path, what: str) -> tuple[str, ...]:
        """Every non-empty string of a list, a problem for each other item."""
        out = []
        for ipath, item in self.items(value, path, what):
            text = self.string(item, ipath, f"each entry of {what}", optional=False)
            if text is not None:
                out.append(text)
        return tuple(out)

    def tags(self, value: Any, path: Path) -> Tags:
        """An object of tag key to string value as ``(key, value)`` pairs; a problem for anything else."""
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            self.problem(
                ProblemCode.INVALID_FIELD, f"tags are an object of key: value, found {json_kind(value)}", path
            )
            return ()
        out = []
        for key, item in value.items():
            if not isinstance(item, str):
                self.problem(
                    ProblemCode.INVALID_FIELD,
                    f"tag {quoted(key)} has a string value, found {json_kind(item)}",
                    (*path, str(key)),
                )
                continue
            out.append((str(key), item))
        return tuple(out)

    def arn(self, value: Any, path: Path, what: str, service: str, types: tuple[str, ...]) -> str | None:
        """``value`` when it is an ARN of ``service`` with a 12-digit account and (when ``types`` is
        given) one of those resource types; else None with a problem showing the expected shape."""
        text = self.string(value, path, what, optional=False)
        if text is None:
            return None
        arn = Arn.parse(text)
        if (
            arn is None
            or arn.service != service
            or not ACCOUNT_ID.match(arn.account)
            or (types and arn.resource_type not in types)
        ):
            shape = {
                "user": "arn:aws:iam::ACCOUNT:user/NAME",
                "group": "arn:aws:iam::ACCOUNT:group/NAME",
                "role": "arn:aws:iam::ACCOUNT:role/NAME",
                "assumed-role": "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION",
                "secret": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX",
                "key": "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID",
            }.get(types[0] if types else "", "an ARN")
            message = f"{what} is an ARN like {shape}, found {quoted(text)}"
            self.problem(ProblemCode.INVALID_FIELD, message, path)
            return None
        return text


def json_kind(value: Any) -> str:
    """What JSON ``value`` is, for a message that says what was found ("a string", "a list", …)."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)
