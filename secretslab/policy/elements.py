"""The elements of one statement other than Condition: Sid, Effect, Action/NotAction,
Resource/NotResource and Principal/NotPrincipal, each read into the model with its problems.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html,
reference_policies_elements_effect.html, reference_policies_elements_action.html,
reference_policies_elements_notaction.html, reference_policies_elements_resource.html,
reference_policies_elements_notresource.html, reference_policies_elements_principal.html,
reference_policies_elements_notprincipal.html (semantics §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..pages import NOT_ACTION
from ..problems import Problem, ProblemCode, quoted
from . import caches, checks
from .model import (
    ActionElement,
    Effect,
    PolicyKind,
    PrincipalElement,
    ResourceElement,
    ResourcePattern,
)
from .reading import Path, Reader, did_you_mean, json_type

_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class ElementReader(Reader):
    """Reads the elements of a statement; each method returns None when the element is unusable."""

    def _sid(self, raw: Mapping[str, Any], path: Path) -> str | None:
        sid = raw.get("Sid")
        if sid is None:
            return None
        if not isinstance(sid, str):
            self.problems.append(
                Problem(ProblemCode.INVALID_TYPE, f"Sid is a string, found {json_type(sid)}", (*path, "Sid"))
            )
            return None
        self.add(checks.check_sid(self.kind, sid, (*path, "Sid")))
        return sid

    def _effect(self, raw: Mapping[str, Any], path: Path) -> Effect | None:
        if "Effect" not in raw:
            self.problems.append(
                Problem(
                    ProblemCode.MISSING_EFFECT,
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
            hint = f"did you mean {quoted(value.capitalize())}?"
        self.problems.append(
            Problem(
                ProblemCode.INVALID_EFFECT,
                f'Effect is {quoted(value)}; expected "Allow" or "Deny"',
                (*path, "Effect"),
                hint=hint,
            )
        )
        return None

    def _action(self, raw: Mapping[str, Any], present: set[str], path: Path) -> ActionElement | None:
        if "Action" in present and "NotAction" in present:
            self.problems.append(
                Problem(ProblemCode.ACTION_AND_NOT_ACTION, "found both Action and NotAction", path)
            )
        name = "Action" if "Action" in present else "NotAction" if "NotAction" in present else None
        if name is None:
            self.problems.append(
                Problem(ProblemCode.MISSING_ACTION, "found neither Action nor NotAction", path)
            )
            return None
        values = self._strings(raw[name], (*path, name))
        if values is None:
            return None
        for value, vpath in values:
            self.add(checks.check_action(value, vpath))
        if name == "NotAction" and raw.get("Effect") == "Allow" and self.kind is PolicyKind.IDENTITY:
            self.problems.append(
                Problem(
                    ProblemCode.NOT_ACTION_WITH_ALLOW,
                    "Allow with NotAction allows every action not listed, in every service "
                    f"(see {NOT_ACTION})",
                    (*path, name),
                )
            )
        return _action_element(tuple(v for v, _ in values), name == "NotAction")

    def _resource(self, raw: Mapping[str, Any], present: set[str], path: Path) -> ResourceElement | None:
        if "Resource" in present and "NotResource" in present:
            self.problems.append(
                Problem(ProblemCode.RESOURCE_AND_NOT_RESOURCE, "found both Resource and NotResource", path)
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
                static_pattern(value) if template is None else ResourcePattern.build(value, template)
            )
        return shared_resource_element(tuple(patterns), name == "NotResource")

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
                self.problems.append(Problem(ProblemCode.EMPTY_ELEMENT, f"{name} is an empty object", ppath))
            for ptype, items in value.items():
                if ptype not in _PRINCIPAL_TYPES:
                    hint = did_you_mean(str(ptype), _PRINCIPAL_TYPES)
                    self.problems.append(
                        Problem(
                            ProblemCode.INVALID_PRINCIPAL,
                            f"unknown principal type {quoted(ptype)}; "
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
                    ProblemCode.INVALID_PRINCIPAL,
                    f'{name} is "*" or an object such as {{"AWS": [ARNs]}}, '
                    f"found {json_type(value)} {quoted(value)}",
                    ppath,
                )
            )
        return PrincipalElement.build(name == "NotPrincipal", tuple(pairs))

    def _strings(self, value: Any, path: Path) -> list[tuple[str, Path]] | None:
        if isinstance(value, str):
            return [(value, path)]
        if isinstance(value, list):
            if not value:
                self.problems.append(Problem(ProblemCode.EMPTY_ELEMENT, "the list is empty", path))
                return None
            out = []
            for i, item in enumerate(value):
                if isinstance(item, str):
                    out.append((item, (*path, i)))
                else:
                    self.problems.append(
                        Problem(
                            ProblemCode.INVALID_TYPE,
                            f"expected a string, found {json_type(item)}",
                            (*path, i),
                        )
                    )
            return out or None
        self.problems.append(
            Problem(
                ProblemCode.INVALID_TYPE,
                f"expected a string or a list of strings, found {json_type(value)}",
                path,
            )
        )
        return None


# Elements are immutable and their remembered results depend only on their content, so equal
# elements are built once and shared: parsing is faster and batches reuse each other's results.


@lru_cache(maxsize=16384)
def _action_element(patterns: tuple[str, ...], negated: bool) -> ActionElement:
    return ActionElement.build(patterns, negated)


@lru_cache(maxsize=16384)
def static_pattern(text: str) -> ResourcePattern:
    """The compiled pattern of ``text``, a Resource ARN without policy variables (shared)."""
    return ResourcePattern.build(text, None)


@lru_cache(maxsize=16384)
def _static_element(patterns: tuple[ResourcePattern, ...], negated: bool) -> ResourceElement:
    return ResourceElement(patterns, negated)


def shared_resource_element(patterns: tuple[ResourcePattern, ...], negated: bool) -> ResourceElement:
    """The Resource (or NotResource) element of ``patterns``; shared with equal ones when no
    pattern holds policy variables."""
    if all(p.template is None for p in patterns):
        return _static_element(patterns, negated)
    return ResourceElement(patterns, negated)


for _cache in (_action_element, static_pattern, _static_element):
    caches.register(_cache.cache_clear)
