"""The checker of notebook 04 (people come and go): the principals to name in the secret policy
of shared/payments-legacy-api so that exactly the current members of payments-team read it,
decided on the world of ``data/people-come-and-go.json`` with ``check_no_new_access`` against
the same policy naming exactly the team, both ways."""

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
    never_raises,
    problems_text,
    short,
    type_name,
    witness_lines,
)

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
    members = sorted(u.arn for u in world.users if PAYMENTS_TEAM in u.groups)
    statement["Principal"] = {"AWS": members}
    team = World.from_dict(data)  # the same policy naming exactly the team: what the answer must match
    problems = _team_problems(after, team, named, set(members))
    if problems:
        return f"{NOT_YET}:\n" + "\n".join(problems)
    names = ", ".join(short(m) for m in members)
    return (
        f"{RIGHT}: exactly the team ({names}) reads shared/payments-legacy-api, and over every request "
        "(every action, principal and secret) the policy allows nothing a policy naming the team "
        "would not. With a list of ARNs this edit is due at every joiner and leaver, in every such "
        "policy; with the group design one membership change does it."
    )


def _team_problems(after: World, team: World, named: list[str], members: set[str]) -> list[str]:
    """What the answer's policy allows that naming the team would not, what it no longer allows,
    and the named principals that are only denied by luck."""
    problems = [
        f"  - {short(w.principal)} can read it but is not on the team"
        for w in check_no_new_access(team, after, actions=[GET]).witnesses
        if w.resource == PAYMENTS_LEGACY
    ]
    problems += [
        f"  - {short(w.principal)} is on the team but cannot read it"
        for w in check_no_new_access(after, team, actions=[GET]).witnesses
        if w.resource == PAYMENTS_LEGACY
    ]
    others = check_no_new_access(team, after)
    extra = [w for w in others.witnesses if (w.action, w.resource) != (GET, PAYMENTS_LEGACY)]
    if extra:
        problems.append(witness_lines(extra))
    for arn in sorted(set(named) - members):
        decision = authorize(after, {"principal": arn, "action": GET, "resource": PAYMENTS_LEGACY})
        if decision.allowed:
            continue
        problems.append(
            f"  - {short(arn)} is named although not on the team (denied only because "
            f"{decision.reason.summary}: {decision.deciding_policy}); a stale ARN is a grant waiting "
            "to come back"
        )
    return problems
