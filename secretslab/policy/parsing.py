"""JSON text or a dict → ``Policy``, collecting every problem before anything is raised.

Three doors, as in jsonschema: ``check_policy`` lists every problem (errors and warnings),
``parse_policy`` raises ``InvalidPolicyError`` (a ``ValueError``) when there is an error, and
``read_policy`` returns the policy with its problems attached, for worlds that must keep an
invalid policy to explain why it is ignored (semantics §3.4). No input makes any of them raise
anything else.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
reference_policies_elements_*.html (semantics §3).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..problems import InvalidPolicyError, PathPart, Problem
from . import checks
from .model import (
    ActionElement,
    Condition,
    Effect,
    Policy,
    PolicyKind,
    PrincipalElement,
    ResourceElement,
    ResourcePattern,
    Statement,
)
from .operators import Family, Operator, parse_operator, policy_value
from .variables import Template, parse_template
from .wildcards import Pieces, plain

Path = tuple[PathPart, ...]

_TOP = ("Version", "Id", "Statement")
_STATEMENT = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_VERSIONS = ("2012-10-17", "2008-10-17")


def parse_policy(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> Policy:
    """The policy; raises ``InvalidPolicyError`` with every problem if AWS would reject it."""
    policy = read_policy(doc, kind)
    if not policy.valid:
        raise InvalidPolicyError(policy.problems, what=policy.kind.label)
    return policy


def check_policy(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> tuple[Problem, ...]:
    """Every problem (errors, then warnings, each in document order); never raises."""
    problems = read_policy(doc, kind).problems
    return tuple(sorted(problems, key=lambda p: not p.is_error))


def read_policy(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> Policy:
    """The policy with its problems attached; never raises (invalid kinds included)."""
    try:
        policy_kind = PolicyKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in PolicyKind)
        problem = Problem("INVALID_FIELD", f"unknown policy kind {kind!r}; expected one of {choices}")
        return Policy(PolicyKind.IDENTITY, None, (), (problem,), doc)
    if isinstance(doc, (str, bytes, bytearray)):
        doc, problems = _load_json(doc)
        if problems and doc is None:
            return Policy(policy_kind, None, (), tuple(problems), None)
    else:
        problems = []
    parser = _Parser(policy_kind)
    parser.problems.extend(problems)
    return parser.policy(doc)


def _load_json(text: str | bytes | bytearray) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                problems.append(
                    Problem(
                        "DUPLICATE_KEY",
                        f"the key {key!r} appears twice in one object; AWS keeps only one of them",
                    )
                )
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs), problems
    except json.JSONDecodeError as exc:
        return None, [Problem("INVALID_JSON", f"{exc.msg} at line {exc.lineno} column {exc.colno}")]
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        return None, [Problem("INVALID_JSON", f"cannot decode the text: {exc}")]


class _Parser:
    def __init__(self, kind: PolicyKind) -> None:
        self.kind = kind
        self.problems: list[Problem] = []
        self.variables = False  # Version 2012-10-17: substitute ${...} (§3.6)

    def add(self, items: list[Problem]) -> None:
        self.problems.extend(items)

    def policy(self, doc: Any) -> Policy:
        if not isinstance(doc, Mapping):
            self.problems.append(Problem("NOT_AN_OBJECT", f"a policy is a JSON object, found {_type(doc)}"))
            return Policy(self.kind, None, (), tuple(self.problems), doc)
        self._unknown(doc, _TOP, ())
        version = self._version(doc)
        policy_id = doc.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.problems.append(
                Problem("INVALID_TYPE", f"Id is a string, found {_type(policy_id)}", ("Id",))
            )
            policy_id = None
        statements = self._statements(doc)
        self._sids(statements)
        policy = Policy(self.kind, version, tuple(statements), (), doc, policy_id)
        self.problems.extend(checks.public_problems(policy))
        return Policy(self.kind, version, policy.statements, tuple(self.problems), doc, policy_id)

    def _version(self, doc: Mapping[str, Any]) -> str | None:
        version = doc.get("Version")
        if version is None:
            self.problems.append(
                Problem(
                    "MISSING_VERSION",
                    "no Version: AWS reads the policy as 2008-10-17, where ${...} is literal text (§3.6)",
                    (),
                    hint='"Version": "2012-10-17"',
                )
            )
            return None
        if version not in _VERSIONS:
            self.problems.append(
                Problem(
                    "INVALID_VERSION",
                    f'Version is {version!r}; expected "2012-10-17" (or the old "2008-10-17")',
                    ("Version",),
                )
            )
            return None
        self.variables = version == "2012-10-17"
        return str(version)

    def _statements(self, doc: Mapping[str, Any]) -> list[Statement]:
        raw = doc.get("Statement")
        if raw is None:
            self.problems.append(Problem("MISSING_STATEMENT", "the policy has no Statement", ()))
            return []
        if isinstance(raw, Mapping):
            items: list[tuple[Path, Any]] = [(("Statement",), raw)]
        elif isinstance(raw, list):
            if not raw:
                self.problems.append(Problem("EMPTY_ELEMENT", "Statement is an empty list", ("Statement",)))
            items = [(("Statement", i), s) for i, s in enumerate(raw)]
        else:
            self.problems.append(
                Problem(
                    "INVALID_TYPE",
                    f"Statement is an object or a list of objects, found {_type(raw)}",
                    ("Statement",),
                )
            )
            return []
        out = []
        for index, (path, item) in enumerate(items):
            statement = self._statement(index, item, path)
            if statement is not None:
                out.append(statement)
        return out

    def _sids(self, statements: list[Statement]) -> None:
        seen: set[str] = set()
        if self.kind in (PolicyKind.KEY, PolicyKind.RESOURCE):
            return
        for s in statements:
            if s.sid is None:
                continue
            if s.sid in seen and s.sid:
                self.problems.append(
                    Problem(
                        "DUPLICATE_SID",
                        f"Sid {s.sid!r} is used twice",
                        ("Statement", s.index, "Sid"),
                    )
                )
            seen.add(s.sid)

    # -- one statement

    def _statement(self, index: int, raw: Any, path: Path) -> Statement | None:
        if not isinstance(raw, Mapping):
            self.problems.append(
                Problem("NOT_AN_OBJECT", f"a statement is a JSON object, found {_type(raw)}", path)
            )
            return None
        self._unknown(raw, _STATEMENT, path)
        present = {k for k in raw if k in _STATEMENT}
        sid = self._sid(raw, path)
        effect = self._effect(raw, path)
        self.add(checks.check_placement(self.kind, effect, present, path))
        action = self._action(raw, present, path)
        resource = self._resource(raw, present, path)
        principal = self._principal(raw, present, path)
        conditions = (
            self._conditions(raw.get("Condition"), effect, (*path, "Condition")) if "Condition" in raw else ()
        )
        if self.kind is PolicyKind.RCP:
            self.add(checks.check_rcp_principal(principal, path))
        if effect is None or action is None:
            return None
        return Statement(index, sid, effect, action, resource, principal, conditions, raw)

    def _sid(self, raw: Mapping[str, Any], path: Path) -> str | None:
        sid = raw.get("Sid")
        if sid is None:
            return None
        if not isinstance(sid, str):
            self.problems.append(
                Problem("INVALID_TYPE", f"Sid is a string, found {_type(sid)}", (*path, "Sid"))
            )
            return None
        self.add(checks.check_sid(self.kind, sid, (*path, "Sid")))
        return sid

    def _effect(self, raw: Mapping[str, Any], path: Path) -> Effect | None:
        if "Effect" not in raw:
            self.problems.append(
                Problem(
                    "MISSING_EFFECT",
                    "the statement has no Effect",
                    path,
                    hint='"Effect": "Allow" or "Effect": "Deny"',
                )
            )
            return None
        value = raw["Effect"]
        if value in ("Allow", "Deny"):
            return Effect(value)
        hint = None
        if isinstance(value, str) and value.capitalize() in ("Allow", "Deny"):
            hint = f"did you mean {value.capitalize()!r}?"
        self.problems.append(
            Problem(
                "INVALID_EFFECT",
                f'Effect is {value!r}; expected "Allow" or "Deny"',
                (*path, "Effect"),
                hint=hint,
            )
        )
        return None

    def _action(self, raw: Mapping[str, Any], present: set[str], path: Path) -> ActionElement | None:
        if "Action" in present and "NotAction" in present:
            self.problems.append(Problem("ACTION_AND_NOT_ACTION", "found both Action and NotAction", path))
        name = "Action" if "Action" in present else "NotAction" if "NotAction" in present else None
        if name is None:
            self.problems.append(Problem("MISSING_ACTION", "found neither Action nor NotAction", path))
            return None
        values = self._strings(raw[name], (*path, name))
        if values is None:
            return None
        for value, vpath in values:
            self.add(checks.check_action(value, vpath))
        if name == "NotAction" and raw.get("Effect") == "Allow" and self.kind is PolicyKind.IDENTITY:
            self.problems.append(
                Problem(
                    "NOT_ACTION_WITH_ALLOW",
                    "Allow with NotAction allows every action not listed, in every service (§4.2)",
                    (*path, name),
                )
            )
        return _action_element(tuple(v for v, _ in values), name == "NotAction")

    def _resource(self, raw: Mapping[str, Any], present: set[str], path: Path) -> ResourceElement | None:
        if "Resource" in present and "NotResource" in present:
            self.problems.append(
                Problem("RESOURCE_AND_NOT_RESOURCE", "found both Resource and NotResource", path)
            )
        self.add(checks.check_missing_resource(self.kind, present, path))
        name = "Resource" if "Resource" in present else "NotResource" if "NotResource" in present else None
        if name is None or self.kind is PolicyKind.TRUST:
            return None
        values = self._strings(raw[name], (*path, name))
        if values is None:
            return None
        patterns = []
        for value, vpath in values:
            self.add(checks.check_resource(self.kind, value, vpath))
            template = self._template(value, vpath)
            patterns.append(
                _static_pattern(value) if template is None else ResourcePattern.build(value, template)
            )
        if all(p.template is None for p in patterns):
            return _static_element(tuple(patterns), name == "NotResource")
        return ResourceElement(tuple(patterns), name == "NotResource")

    def _principal(self, raw: Mapping[str, Any], present: set[str], path: Path) -> PrincipalElement | None:
        name = (
            "Principal" if "Principal" in present else "NotPrincipal" if "NotPrincipal" in present else None
        )
        if name is None or not self.kind.resource_based:
            return None
        value, ppath = raw[name], (*path, name)
        pairs: list[tuple[str, str]] = []
        if value == "*":
            pairs.append(("AWS", "*"))
            self.add(checks.check_principal_value(self.kind, "AWS", "*", ppath))
        elif isinstance(value, Mapping):
            if not value:
                self.problems.append(Problem("EMPTY_ELEMENT", f"{name} is an empty object", ppath))
            for ptype, items in value.items():
                if ptype not in _PRINCIPAL_TYPES:
                    hint = _close(str(ptype), _PRINCIPAL_TYPES)
                    self.problems.append(
                        Problem(
                            "INVALID_PRINCIPAL",
                            f"unknown principal type {ptype!r}; "
                            "expected AWS, Service, Federated or CanonicalUser",
                            (*ppath, str(ptype)),
                            hint=hint,
                        )
                    )
                    continue
                strings = self._strings(items, (*ppath, ptype))
                for item, ipath in strings or ():
                    self.add(checks.check_principal_value(self.kind, ptype, item, ipath))
                    pairs.append((ptype, item))
        else:
            self.problems.append(
                Problem(
                    "INVALID_PRINCIPAL",
                    f'{name} is "*" or an object such as {{"AWS": [ARNs]}}, found {_type(value)} {value!r}',
                    ppath,
                )
            )
        return PrincipalElement.build(name == "NotPrincipal", tuple(pairs))

    # -- conditions

    def _conditions(self, raw: Any, effect: Effect | None, path: Path) -> tuple[Condition, ...]:
        if not isinstance(raw, Mapping):
            self.problems.append(
                Problem(
                    "INVALID_CONDITION",
                    f"Condition is an object of {{operator: {{key: values}}}}, found {_type(raw)}",
                    path,
                )
            )
            return ()
        out: list[Condition] = []
        for op_name, block in raw.items():
            opath = (*path, str(op_name))
            operator = parse_operator(str(op_name))
            if operator is None:
                hint = _suggest_operator(str(op_name))
                self.problems.append(
                    Problem(
                        "UNKNOWN_OPERATOR",
                        f"{op_name!r} is not a condition operator; AWS rejects the policy",
                        opath,
                        hint=hint,
                    )
                )
                continue
            if not isinstance(block, Mapping) or not block:
                self.problems.append(
                    Problem(
                        "INVALID_CONDITION",
                        f"{op_name} maps condition keys to values, found {_type(block)}",
                        opath,
                    )
                )
                continue
            for key, values in block.items():
                condition = self._condition(operator, str(key), values, (*opath, str(key)))
                if condition is not None:
                    self.add(checks.check_condition(condition, effect, (*opath, str(key))))
                    out.append(condition)
        return tuple(out)

    def _condition(self, operator: Any, key: str, raw: Any, path: Path) -> Condition | None:
        items: list[tuple[Any, Path]] = (
            [(v, (*path, i)) for i, v in enumerate(raw)] if isinstance(raw, list) else [(raw, path)]
        )
        if not items:
            self.problems.append(Problem("EMPTY_ELEMENT", f"{key} has no values", path))
            return None
        texts, parsed, templates, pieces = [], [], [], []
        ok = True
        for value, vpath in items:
            read, expected = policy_value(operator.family, value)
            if expected is not None:
                self.problems.append(
                    Problem(
                        "INVALID_CONDITION_VALUE",
                        f"{operator.base} needs {expected}, found {_type(value)} {value!r}",
                        vpath,
                    )
                )
                ok = False
                continue
            text = (
                value if isinstance(value, str) else str(read if operator.family is Family.STRING else value)
            )
            if isinstance(value, bool):
                text = "true" if value else "false"
            template = self._value_template(operator, text, vpath)
            texts.append(text)
            parsed.append(read)
            templates.append(template)
            pieces.append(plain(text))
        if not ok:
            return None
        return _condition(operator, key, tuple(texts), tuple(parsed), tuple(templates), tuple(pieces))

    def _value_template(self, operator: Any, text: str, path: Path) -> Template | None:
        if "${" not in text:
            return None
        if not operator.takes_variables:
            if self.variables:
                self.problems.append(
                    Problem(
                        "VARIABLE_NOT_SUBSTITUTED",
                        f"{operator.base} takes no policy variables: {text!r} is compared literally (§6.1)",
                        path,
                    )
                )
            else:
                self._old_version_variable(text, path)
            return None
        return self._template(text, path)

    def _template(self, text: str, path: Path) -> Template | None:
        if "${" not in text:
            return None
        if not self.variables:
            self._old_version_variable(text, path)
            return None
        template, notes = parse_template(text)
        for note in notes:
            self.problems.append(Problem(note.code, note.message, path))
        return template

    def _old_version_variable(self, text: str, path: Path) -> None:
        self.problems.append(
            Problem(
                "VARIABLES_NEED_2012",
                f"{text!r} holds a policy variable but "
                "the policy is not Version 2012-10-17, so it is literal text (§3.6)",
                path,
                hint='"Version": "2012-10-17"',
            )
        )

    # -- helpers

    def _strings(self, value: Any, path: Path) -> list[tuple[str, Path]] | None:
        if isinstance(value, str):
            return [(value, path)]
        if isinstance(value, list):
            if not value:
                self.problems.append(Problem("EMPTY_ELEMENT", "the list is empty", path))
                return None
            out = []
            for i, item in enumerate(value):
                if isinstance(item, str):
                    out.append((item, (*path, i)))
                else:
                    self.problems.append(
                        Problem("INVALID_TYPE", f"expected a string, found {_type(item)}", (*path, i))
                    )
            return out or None
        self.problems.append(
            Problem(
                "INVALID_TYPE",
                f"expected a string or a list of strings, found {_type(value)}",
                path,
            )
        )
        return None

    def _unknown(self, raw: Mapping[str, Any], allowed: tuple[str, ...], path: Path) -> None:
        for key in raw:
            if key not in allowed:
                hint = _close(str(key), allowed)
                self.problems.append(
                    Problem(
                        "UNKNOWN_ELEMENT",
                        f"{key!r} is not a policy element here; expected one of {', '.join(allowed)}",
                        (*path, str(key)),
                        hint=hint,
                    )
                )


# Elements are immutable and their remembered results depend only on their content, so equal
# elements are built once and shared: parsing is faster and batches reuse each other's results.


@lru_cache(maxsize=16384)
def _action_element(patterns: tuple[str, ...], negated: bool) -> ActionElement:
    return ActionElement.build(patterns, negated)


@lru_cache(maxsize=16384)
def _static_pattern(text: str) -> ResourcePattern:
    return ResourcePattern.build(text, None)


@lru_cache(maxsize=16384)
def _static_element(patterns: tuple[ResourcePattern, ...], negated: bool) -> ResourceElement:
    return ResourceElement(patterns, negated)


_CONDITIONS: dict[tuple[Any, ...], Condition] = {}


def _condition(
    operator: Operator,
    key: str,
    texts: tuple[str, ...],
    parsed: tuple[Any, ...],
    templates: tuple[Template | None, ...],
    pieces: tuple[Pieces, ...],
) -> Condition:
    cache_key = (operator.name, key, texts, templates)
    found = _CONDITIONS.get(cache_key)
    if found is None:
        found = Condition(operator, key, texts, parsed, templates, pieces)
        if len(_CONDITIONS) >= 16384:
            _CONDITIONS.clear()
        _CONDITIONS[cache_key] = found
    return found


def _close(word: str, options: tuple[str, ...]) -> str | None:
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return f"did you mean {lowered[word.lower()]!r}?"
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean {lowered[match[0]]!r}?" if match else None


def _suggest_operator(name: str) -> str | None:
    from .catalog import suggest_operator

    found = suggest_operator(name)
    return f"did you mean {found!r}?" if found else None


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


__all__ = ["check_policy", "parse_policy", "read_policy"]
_ = Pieces  # re-exported type for callers that build conditions
