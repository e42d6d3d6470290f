"""The checker of notebook 01 (identity-based versus resource-based policies): the identity
policy that lets group devs read team/shared-config, and nothing more, decided on the world of
``data/identity-vs-resource.json`` with ``authorize`` and ``diff``."""

from __future__ import annotations

from ..analysis import diff
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
    never_raises,
    policy_document,
    problems_text,
    short,
    why_denied,
)

DEVS = f"arn:aws:iam::{PROD}:group/devs"
ALICE = f"arn:aws:iam::{PROD}:user/alice"
SHARED_CONFIG = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/shared-config-Hc5Rn8"
#: a secret that does not exist yet, to see whether a policy also grants tomorrow's secrets
_PROBE_SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/payroll-Pr0b3x"


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
    wanted = (ALICE, SHARED_CONFIG, GET)
    extra = [c for c in diff(world, after).changes if (c.principal, c.resource, c.action) != wanted]
    if extra:
        listed = "; ".join(
            f"{'gains' if c.gained else 'loses'} {c.action} on {short(c.resource)} for {short(c.principal)}"
            for c in extra
        )
        return f"{NOT_YET}: alice can read team/shared-config, but the policy changes more: {listed}."
    future = _with_probe_secret(after)
    if authorize(future, {"principal": ALICE, "action": GET, "resource": _PROBE_SECRET}).allowed:
        return (
            f"{NOT_YET}: alice can read team/shared-config, but the policy would also let devs read a "
            "secret created tomorrow (team/payroll): name team/shared-config's ARN (…:secret:"
            "team/shared-config-??????) instead of a wide pattern."
        )
    deciding = decision.main_step.evaluation.deciding_policy if decision.main_step else None
    return (
        f"{RIGHT}: attached to group devs, the policy lets every member read team/shared-config "
        f"({decision.reason.value}, decided by {deciding}), and nothing else changes. No Principal "
        "is needed: in an identity policy the principal is implicit, and a group can only be "
        "granted this way, never by naming it in the secret policy."
    )


def _with_probe_secret(world: World) -> World:
    """``world`` with one more secret like team/shared-config but without a secret policy."""
    data = world.to_dict()
    template = next(s for s in data["secrets"] if s["arn"] == SHARED_CONFIG)
    probe = dict(template, arn=_PROBE_SECRET, name="team/payroll", resource_policy=None)
    data["secrets"] = [*data["secrets"], probe]
    return World.from_dict(data)
