"""The checker of notebook 04 (people come and go): the principals to name in the secret policy
of shared/payments-legacy-api so that exactly the current members of payments-team read it,
decided on the world of ``data/people-come-and-go.json`` with ``who_can``."""

from __future__ import annotations

from ..analysis import who_can
from ..authorization import authorize
from ..policy.parsing import check_policy
from ..problems import ProblemCode
from ..world import World
from .common import GET, NOT_YET, PROD, REGION, RIGHT, never_raises, problems_text, short, type_name

PAYMENTS_TEAM = f"arn:aws:iam::{PROD}:group/payments-team"
PAYMENTS_LEGACY = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:shared/payments-legacy-api-Lg8Ap2"


@never_raises
def check_04(answer: object, world: object = None) -> str:
    """Exercise 04: the principals to name in the secret policy of shared/payments-legacy-api so
    that exactly the current members of payments-team read it. ``world`` is the world of
    ``data/people-come-and-go.json``; names (``"alice"``) or user ARNs are accepted."""
    if not isinstance(world, World) or world.group(PAYMENTS_TEAM) is None:
        return f"{NOT_YET}: call check_04(answer, world) with the world of people-come-and-go.json."
    secret = world.secret(PAYMENTS_LEGACY)
    if secret is None or secret.resource_policy is None:
        return f"{NOT_YET}: the world has no secret policy on shared/payments-legacy-api to edit."
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)) or not all(isinstance(a, str) for a in answer):
        return (
            f"{NOT_YET}: the answer is a list of user names or ARNs, such as "
            f'["alice", "bob"]; got {type_name(answer)}.'
        )
    named = [a if a.startswith("arn:") else f"arn:aws:iam::{PROD}:user/{a}" for a in answer]
    data = world.to_dict()
    entry = next(s for s in data["secrets"] if s["arn"] == PAYMENTS_LEGACY)
    policy = entry["resource_policy"]
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    statement = next(s for s in statements if "Principal" in s)
    statement["Principal"] = {"AWS": sorted(set(named))}
    errors = [p for p in check_policy(policy, "resource") if p.is_error]
    if errors:
        text = f"{NOT_YET}: AWS would reject this secret policy:\n{problems_text(errors)}"
        if any(p.code == ProblemCode.GROUP_PRINCIPAL for p in errors):
            text += (
                "\nA group cannot be named in a secret policy: that is exactly why the group design "
                "grants the group through its identity policy instead."
            )
        return text
    unknown = [short(a) for a in named if world.user(a) is None and world.role(a) is None]
    if unknown:
        return (
            f"{NOT_YET}: the world has no principal {', '.join(unknown)}; AWS refuses a secret "
            "policy that names a principal that does not exist."
        )
    after = World.from_dict(data)
    problems = _team_problems(world, after, named)
    if problems:
        return f"{NOT_YET}:\n" + "\n".join(f"  - {p}" for p in problems)
    names = ", ".join(sorted(short(u.arn) for u in world.users if PAYMENTS_TEAM in u.groups))
    return (
        f"{RIGHT}: exactly the team ({names}) reads shared/payments-legacy-api. With a list of ARNs "
        "this edit is due at every joiner and leaver, in every such policy; with the group design one "
        "membership change does it."
    )


def _team_problems(world: World, after: World, named: list[str]) -> list[str]:
    """How the readers of the secret in ``after`` differ from the team, and which named
    principals are only denied by luck."""
    members = {u.arn for u in world.users if PAYMENTS_TEAM in u.groups}
    readers = {w.principal for w in who_can(after, GET, PAYMENTS_LEGACY) if w.kind == "user"}
    problems = [f"{short(a)} is on the team but cannot read it" for a in sorted(members - readers)]
    problems += [f"{short(a)} can read it but is not on the team" for a in sorted(readers - members)]
    for arn in sorted(set(named) - members - readers):
        decision = authorize(after, {"principal": arn, "action": GET, "resource": PAYMENTS_LEGACY})
        problems.append(
            f"{short(arn)} is named although not on the team (denied only because "
            f"{decision.reason.summary}: {decision.deciding_policy}); a stale ARN is a grant waiting "
            "to come back"
        )
    return problems
