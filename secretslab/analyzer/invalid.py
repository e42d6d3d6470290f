"""The check on policies AWS would reject (semantics §3.4): one ``INVALID_POLICY`` finding per such
policy, wherever it is attached, listing the first of its errors (``World.problems`` has them all).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..problems import json_path
from ..world import World
from .finding import Finding, FindingCode
from .reading import finding

#: errors spelt out in the message; the rest are counted
_LISTED = 3


def invalid_policies(world: World) -> Iterator[Finding]:
    """One finding per policy AWS would reject; its problems (``World.problems``) say where."""
    for ref, policy in world.policies():
        errors = policy.errors
        if not errors:
            continue
        path = world.policy_path(ref)
        listed = "; ".join(f"{p.code} at {json_path((*path, *p.path))}" for p in errors[:_LISTED])
        more = f" and {len(errors) - _LISTED} more" if len(errors) > _LISTED else ""
        yield finding(
            world,
            FindingCode.INVALID_POLICY,
            ref,
            f"AWS would reject this {policy.kind.label} ({listed}{more}), so no decision uses it",
            "fix the errors listed by World.problems (or check_policy on the document)",
        )
