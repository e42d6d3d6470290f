"""One statement read into its compiled form (actions and resources split and compiled, operators
resolved, wildcards compiled to linear-time matchers) with its problems, in one pass.

Statements are often new while their elements are not: the same Action lists, Condition blocks,
Principal blocks and Resource ARNs recur across the statements and policies of an organisation,
only a Sid or one resource differing. So, for plain JSON documents (``quotas.plain_json``), what a
statement's elements compile to, with their problems, is remembered by exactly what determines it:
the policy kind, whether the Version substitutes variables, the statement's element names in order,
and the JSON of the values read (its Effect, Action, NotAction, Principal, NotPrincipal and
Condition together; each Resource/NotResource value, and each ARN in it, apart). Remembered
problems are located relative to the statement (or the ARN) and are moved to the path of each
statement that shares them, so every message, code, path and order is the one a full read gives.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ..problems import Problem, ProblemCode, quoted
from . import checks
from .caches import BoundedCache
from .condition_reader import ConditionReader
from .elements import ElementReader, shared_resource_element, static_pattern
from .model import (
    ActionElement,
    Condition,
    Effect,
    PolicyKind,
    PrincipalElement,
    ResourceElement,
    ResourcePattern,
    Statement,
    variable_keys,
)
from .reading import Path, did_you_mean, json_type

STATEMENT_ELEMENTS = (
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

Problems = tuple[Problem, ...]

# What a statement's elements other than Sid and Resource compile to: Effect, Action, Principal,
# conditions, the lower-case keys the conditions read, and the problems before the Sid's (unknown
# elements), between the Sid's and the Resource's (Effect, placement, Action) and after the
# Resource's (Principal, Condition, the RCP principal rule), relative to the statement.
_Rest = tuple[
    Effect | None,
    ActionElement | None,
    PrincipalElement | None,
    tuple[Condition, ...],
    tuple[str, ...],
    Problems,
    Problems,
    Problems,
]
# A Resource/NotResource element, the variable keys of its patterns and its problems (relative).
_Resource = tuple[ResourceElement | None, tuple[str, ...], Problems]
# One ARN of a Resource element: its compiled pattern and its problems (relative to the ARN).
_Pattern = tuple[ResourcePattern, Problems]

_RESTS: BoundedCache[_Rest] = BoundedCache(16384)
_RESOURCES: BoundedCache[_Resource] = BoundedCache(16384)
_PATTERNS: BoundedCache[_Pattern] = BoundedCache(16384)


def _under(problems: Problems, path: Path) -> list[Problem]:
    return [p.under(*path) for p in problems]


class StatementReader(ElementReader, ConditionReader):
    """Reads statements: from the element caches when the document is plain JSON."""

    plain = False  # set by the policy reader for a plain JSON document

    def _statement(self, index: int, raw: Any, path: Path) -> Statement | None:
        if self.plain and type(raw) is dict:
            return self._compiled_statement(index, raw, path)
        if not isinstance(raw, Mapping):
            self.problems.append(
                Problem(
                    ProblemCode.NOT_AN_OBJECT, f"a statement is a JSON object, found {json_type(raw)}", path
                )
            )
            return None
        return self._read_statement(index, raw, path)

    # -- the full read (any Mapping)

    def _read_statement(self, index: int, raw: Mapping[str, Any], path: Path) -> Statement | None:
        self._unknown(raw, STATEMENT_ELEMENTS, path)
        present = {k for k in raw if k in STATEMENT_ELEMENTS}
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

    def _unknown(self, raw: Mapping[str, Any], allowed: tuple[str, ...], path: Path) -> None:
        for key in raw:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.problems.append(
                    Problem(
                        ProblemCode.UNKNOWN_ELEMENT,
                        f"{quoted(key)} is not a policy element here; expected one of {', '.join(allowed)}",
                        (*path, str(key)),
                        hint=hint,
                    )
                )

    # -- the compiled read (a plain JSON statement)

    def _compiled_statement(self, index: int, raw: dict[str, Any], path: Path) -> Statement | None:
        get = raw.get
        kind = self.kind
        variables = self.variables
        rest_key = (
            kind,
            variables,
            orjson.dumps(
                (
                    tuple(raw),
                    get("Effect"),
                    get("Action"),
                    get("NotAction"),
                    get("Principal"),
                    get("NotPrincipal"),
                    get("Condition"),
                )
            ),
        )
        rest = _RESTS.get(rest_key) or _RESTS.recall(rest_key) or _RESTS.put(rest_key, self._rest(raw))
        effect, action, principal, conditions, condition_keys, before, middle, after = rest
        problems = self.problems
        if before:
            problems.extend(_under(before, path))
        sid = get("Sid")
        if sid is not None and not (type(sid) is str and sid.isascii() and sid.isalnum()):
            sid = self._sid(raw, path)  # not plainly [A-Za-z0-9]+: the full check
        if middle:
            problems.extend(_under(middle, path))
        # the Resource/NotResource element, by its value (a string is its own key; anything else
        # its JSON: bytes, never equal to a string)
        if "Resource" in raw:
            has_resource = True
            has_not = "NotResource" in raw
            value = raw["Resource"]
        else:
            has_resource = False
            has_not = "NotResource" in raw
            value = raw["NotResource"] if has_not else None
        key = (kind, variables, has_resource, has_not, value if type(value) is str else orjson.dumps(value))
        found = (
            _RESOURCES.get(key)
            or _RESOURCES.recall(key)
            or _RESOURCES.put(key, self._resource_element(raw, has_resource, has_not, value))
        )
        resource, resource_keys, resource_problems = found
        if resource_problems:
            problems.extend(_under(resource_problems, path))
        if after:
            problems.extend(_under(after, path))
        if effect is None or action is None:
            return None
        return Statement.compiled(
            index,
            sid,
            effect,
            action,
            resource,
            principal,
            conditions,
            raw,
            condition_keys if not resource_keys else tuple(dict.fromkeys((*condition_keys, *resource_keys))),
        )

    def _rest(self, raw: dict[str, Any]) -> _Rest:
        """Read every element but Sid and Resource/NotResource, located relative to the statement."""
        problems = self.problems
        start = len(problems)
        self._unknown(raw, STATEMENT_ELEMENTS, ())
        first = len(problems)
        present = {k for k in raw if k in STATEMENT_ELEMENTS}
        effect = self._effect(raw, ())
        self.add(checks.check_placement(self.kind, effect, present, ()))
        action = self._action(raw, present, ())
        second = len(problems)
        principal = self._principal(raw, present, ())
        conditions = (
            self._conditions(raw.get("Condition"), effect, ("Condition",)) if "Condition" in raw else ()
        )
        if self.kind is PolicyKind.RCP:
            self.add(checks.check_rcp_principal(principal, ()))
        found = tuple(problems[start:])
        del problems[start:]
        keys = tuple(dict.fromkeys(k for c in conditions for k in (c.key_lower, *c.variable_keys)))
        return (
            effect,
            action,
            principal,
            conditions,
            keys,
            found[: first - start],
            found[first - start : second - start],
            found[second - start :],
        )

    def _resource_element(
        self, raw: dict[str, Any], has_resource: bool, has_not: bool, value: Any
    ) -> _Resource:
        """The Resource/NotResource element, each ARN read once (remembered), relative to the statement."""
        kind = self.kind
        if has_resource is not has_not and kind is not PolicyKind.TRUST:
            # the common case: one string or a list of strings, none with a problem
            items = (value,) if type(value) is str else value if type(value) is list else ()
            if items:
                variables = self.variables
                patterns = []
                for text in items:
                    if type(text) is not str:
                        break
                    key = (kind, variables, text)
                    found = _PATTERNS.get(key) or _PATTERNS.recall(key) or self._new_pattern(key, text)
                    if found[1]:
                        break
                    patterns.append(found[0])
                else:
                    compiled = ResourceElement.compiled(tuple(patterns), has_not)
                    if compiled.static:
                        return compiled, (), ()
                    return compiled, variable_keys(tuple(p.template for p in compiled.patterns)), ()
        problems = self.problems
        start = len(problems)
        if has_resource and has_not:
            problems.append(
                Problem(ProblemCode.RESOURCE_AND_NOT_RESOURCE, "found both Resource and NotResource", ())
            )
        present = {k for k in raw if k in ("Resource", "NotResource")}
        self.add(checks.check_missing_resource(kind, present, ()))
        name = "Resource" if has_resource else "NotResource" if has_not else None
        element: ResourceElement | None = None
        if name is not None and kind is not PolicyKind.TRUST:
            values = self._strings(value, (name,))
            if values is not None:
                patterns = []
                for text, vpath in values:
                    pattern, found_problems = self._pattern(text)
                    if found_problems:
                        problems.extend(_under(found_problems, vpath))
                    patterns.append(pattern)
                element = shared_resource_element(tuple(patterns), name == "NotResource")
        found_all = tuple(problems[start:])
        del problems[start:]
        keys = variable_keys(tuple(p.template for p in element.patterns)) if element is not None else ()
        return element, keys, found_all

    def _pattern(self, text: str) -> _Pattern:
        key = (self.kind, self.variables, text)
        return _PATTERNS.get(key) or _PATTERNS.recall(key) or self._new_pattern(key, text)

    def _new_pattern(self, key: tuple[PolicyKind, bool, str], text: str) -> _Pattern:
        """Read the ARN ``text`` (remembered by ``key``): its pattern and its problems."""
        if _plain_arn(text):
            return _PATTERNS.put(key, (ResourcePattern.exact(text), ()))
        problems = self.problems
        start = len(problems)
        self.add(checks.check_resource(self.kind, text, ()))
        template = self._template(text, ())
        pattern = static_pattern(text) if template is None else ResourcePattern.build(text, template)
        found = _PATTERNS.put(key, (pattern, tuple(problems[start:])))
        del problems[start:]
        return found


def _plain_arn(text: str) -> bool:
    """Whether ``text`` is an ARN of six parts or more without wildcards and variables, of which
    there is nothing to say: ``check_resource`` finds no problem in it and it is compared exactly
    (a fresh policy names such an ARN in most statements)."""
    return (
        text.startswith("arn:")
        and "*" not in text
        and "?" not in text
        and "${" not in text
        and text.count(":") >= 5
    )


__all__ = ["STATEMENT_ELEMENTS", "StatementReader"]
