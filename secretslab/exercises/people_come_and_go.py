"""The checker of notebook 04 (people come and go): the principals to name in the secret policy
of shared/payments-legacy-api so that exactly the current members of payments-team read it,
decided on the world of ``data/people-come-and-go.json`` with ``check_no_new_access`` against
the same policy naming exactly the team, both ways."""

from __future__ import annotations

from ..analysis import check_no_new_access, who_can
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
    ``data/people-come-and-go.json``; names (``"alice"``), user ARNs, account ids or account
    root ARNs are accepted (naming an account is never the answer: it delegates to its IAM policies)."""
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
    named = [_principal_arn(a) for a in answer]
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
    accounts = sorted({a for n in named if (a := _account_root(n)) is not None and not _exists(world, n)})
    if accounts:
        return (
            f"{NOT_YET}: the world has no account {', '.join(accounts)}; the team to name is in "
            f"account {PROD}."
        )
    unknown = [short(a) for a in named if not _exists(world, a)]
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
    problems += _account_lines(after, named)
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


def _exists(world: World, arn: str) -> bool:
    """Whether ``arn`` names a user or role of the world, or the root of one of its accounts
    (which always exists: naming it names the account)."""
    account = _account_root(arn)
    if account is not None:
        return any(a.id == account for a in world.accounts)
    return world.user(arn) is not None or world.role(arn) is not None


def _account_root(arn: str) -> str | None:
    """The account id of an account principal (``arn:aws:iam::<id>:root``), else None."""
    head, _, tail = arn.rpartition(":")
    parts = head.split(":")
    if tail == "root" and len(parts) == 5 and parts[:3] == ["arn", "aws", "iam"] and parts[4].isdigit():
        return parts[4]
    return None


def _principal_arn(name: str) -> str:
    """The ARN an answer's entry names: an ARN as given, an account id as its root (as AWS reads
    ``"AWS": "111111111111"``), anything else as a user of the exercise's account."""
    if name.startswith("arn:"):
        return name
    if len(name) == 12 and name.isdigit():
        return f"arn:aws:iam::{name}:root"
    return f"arn:aws:iam::{PROD}:user/{name}"


def _account_lines(after: World, named: list[str]) -> list[str]:
    """Why naming an account is not naming the team: it delegates to the account's IAM policies,
    so who reads the secret is whoever they allow, today and after every later grant."""
    lines = []
    for arn in sorted(set(named)):
        account = _account_root(arn)
        if account is None:
            continue
        readers = sorted(
            short(e.principal)
            for e in who_can(after, GET, PAYMENTS_LEGACY)
            if _account(e.principal) == account
        )
        lines.append(
            f"  - {arn} names the account {account}, not a person: AWS then lets anyone in that "
            "account whose identity policy allows secretsmanager:GetSecretValue read it, so the "
            "account's IAM policies decide, not this list (today: "
            f"{', '.join(readers) or 'nobody'} read it; tomorrow: whoever is granted it). "
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts"
        )
    return lines


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""
