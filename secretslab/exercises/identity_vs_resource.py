"""The checker of notebook 01 (identity-based versus resource-based policies): the identity
policy that lets group devs read team/shared-config, and nothing more, decided on the world of
``data/identity-vs-resource.json`` with ``authorize`` and ``check_no_new_access`` (every request,
secrets that do not exist yet included)."""

from __future__ import annotations

from ..analysis import check_no_new_access
from ..authorization import authorize
from ..policy.parsing import check_policy
from ..problems import ProblemCode
from ..world import World
from .common import (
    GET,
    NOT_YET,
    PROD,
    REGION,
    RIGHT,
    beyond,
    never_raises,
    policy_document,
    problems_text,
    why_denied,
    witness_lines,
)

DEVS = f"arn:aws:iam::{PROD}:group/devs"
ALICE = f"arn:aws:iam::{PROD}:user/alice"
SHARED_CONFIG = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/shared-config-Hc5Rn8"


@never_raises
def check_01(answer: object, world: object = None) -> str:
    """Exercise 01: the identity policy to attach to group ``devs`` so that its members read
    ``team/shared-config`` (GetSecretValue), and nothing more. ``world`` is the world of
    ``data/identity-vs-resource.json``."""
    if not isinstance(world, World) or world.group(DEVS) is None or world.secret(SHARED_CONFIG) is None:
        return f"{NOT_YET}: call check_01(answer, world) with the world of identity-vs-resource.json."
    doc, error = policy_document(answer, "an identity policy document")
    if error:
        return error
    problems = check_policy(doc, "identity")
    errors = [p for p in problems if p.is_error]
    if errors:
        text = f"{NOT_YET}: AWS would reject this identity policy:\n{problems_text(errors)}"
        if any(p.code == ProblemCode.PRINCIPAL_NOT_ALLOWED for p in errors):
            text += (
                "\nAn identity policy names no Principal: the principal is implicit, it is whoever "
                "the policy is attached to (here every member of devs)."
            )
        return text
    data = world.to_dict()
    group = next(g for g in data["principals"]["groups"] if g["arn"] == DEVS)
    group["policies"] = [*group.get("policies", []), doc]
    after = World.from_dict(data)
    decision = authorize(after, {"principal": ALICE, "action": GET, "resource": SHARED_CONFIG})
    if not decision.allowed:
        label = f"policy {len(group['policies'])} of group devs"
        return (
            f"{NOT_YET}: with this policy attached to devs, alice (a member) still cannot read "
            f"team/shared-config: {why_denied(decision, label)}."
        )
    members = {u.arn for u in world.users if DEVS in u.groups}
    result = check_no_new_access(world, after)
    extra = beyond(
        result, lambda w: (w.principal in members, w.action, w.resource) == (True, GET, SHARED_CONFIG)
    )
    if extra:
        new = [w for w in extra if w.resource not in {s.arn for s in world.secrets}]
        hint = (
            " A secret created tomorrow under a wide pattern is readable too: name team/shared-config's "
            "ARN (…:secret:team/shared-config-??????) instead."
            if new
            else " Grant only GetSecretValue, on team/shared-config only."
        )
        return (
            f"{NOT_YET}: alice can read team/shared-config, but the policy grants more than that. "
            f"Over every request ({result.scope.requests}, secrets that do not exist yet included):\n"
            f"{witness_lines(extra)}\n{hint.strip()}"
        )
    deciding = decision.main_step.evaluation.deciding_policy if decision.main_step else None
    return (
        f"{RIGHT}: attached to group devs, the policy lets every member read team/shared-config "
        f"({decision.reason.value}, decided by {deciding}), and of {result.scope.requests} requests "
        "(every action, principal and secret, secrets that do not exist yet included) it allows no "
        "other. No Principal "
        "is needed: in an identity policy the principal is implicit, and a group can only be "
        "granted this way, never by naming it in the secret policy."
    )
