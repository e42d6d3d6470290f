"""Whether a request names only what exists: an action the catalogue holds for a service
secretslab models, and a principal, roles and a resource the world holds. A name that does not
exist is an error with the closest names that do ("did you mean"), never an answer about
something else (issue #9: a typo in an action was decided as ``XACCT_UNSUPPORTED_ACTION``, a
typo in a principal as a caller with no policies).

What counts as held: a user listed in the world; a session of a listed role (any session name);
the root user or a federated user of an account the world knows (listed, or owning an entity);
for Secrets Manager and KMS, a secret or key the world lists (``CreateSecret`` names a secret
that does not exist yet; a Region's ``aws/secretsmanager`` key is created by AWS when first
used); for ``sts:AssumeRole`` and each hop of the chain, a listed role. Other services' resources
are taken as given (the world does not model them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..arn import Arn
from ..evaluation.principals import Principal, PrincipalType
from ..evaluation.target import action_problem
from ..policy.catalog import closest, resource_types
from ..problems import PathPart, Problem, ProblemCode, did_you_mean, request_error
from ..world.model import World
from .request import Request

_FIRST_TIME = ("secretsmanager:createsecret",)  # the request names a secret it creates
_AWS_MANAGED_ALIAS = "alias/aws/secretsmanager"


def check_request(world: World, request: Request) -> None:
    """Raise ``UnknownNameError`` (with suggestions) when ``request`` names an action, principal,
    role or resource that does not exist in ``world`` or the catalogue."""
    problems = request_problems(world, request)
    if problems:
        raise request_error(problems)


def request_problems(world: World, request: Request) -> tuple[Problem, ...]:
    """Every name of ``request`` that does not exist, located by its JSON path in the request
    format, each with the closest names that do."""
    problems: list[Problem] = []
    action = action_problem(request.action)
    if action is not None:
        problems.append(action)
    problems.extend(_principal_problems(world, request.principal))
    account = Principal.from_arn(request.principal)
    caller_account = account.account if account else None
    for i, hop in enumerate(request.assume_role_chain):
        if world.role(hop.role_arn) is None:
            problems.append(
                _unknown("role", hop.role_arn, ("assume_role_chain", i, "role_arn"), _roles(world))
            )
        else:
            role_arn = Arn.parse(hop.role_arn)
            caller_account = role_arn.account if role_arn else caller_account
    if action is None:
        problems.extend(_resource_problems(world, request, caller_account))
    return tuple(problems)


def holds_principal(world: World, arn: str) -> bool:
    """Whether ``arn`` is a principal of ``world`` (a request it signs is not an error)."""
    return not _principal_problems(world, arn)


def name_problems(
    world: World, principals: Iterable[str], resources: Iterable[str], actions: Iterable[str]
) -> tuple[Problem, ...]:
    """The problems of the names an analysis asks about (every principal × resource × action),
    located at their position in each list: ``principals[2]``, ``actions[0]``."""
    ps, rs, acts = tuple(principals), tuple(resources), tuple(actions)
    problems: list[Problem] = []
    for i, action in enumerate(acts):
        found = action_problem(action, ("actions", i))
        if found is not None:
            problems.append(found)
    for i, principal in enumerate(ps):
        problems.extend(replace(p, path=("principals", i)) for p in _principal_problems(world, principal))
    valid = [a for a in acts if action_problem(a) is None]
    for i, resource in enumerate(rs):
        for action in valid:
            probe = Request(ps[0] if ps else "", action, resource)
            refused = _resource_problems(world, probe, _account(ps[0]) if ps else None)
            if refused:
                problems.extend(replace(p, path=("resources", i)) for p in refused)
                break
    return tuple(problems)


def _account(principal: str) -> str | None:
    parsed = Principal.from_arn(principal)
    return parsed.account if parsed else None


def _principal_problems(world: World, arn: str) -> list[Problem]:
    path: tuple[PathPart, ...] = ("principal",)
    if "*" in arn or "?" in arn:
        return [
            Problem(
                ProblemCode.WILDCARD_IN_REQUEST,
                f"a request is signed by one principal, found the wildcard {_short(arn)}",
                path,
                "give the ARN of a user, a role session or an account's root user",
            )
        ]
    principal = Principal.from_arn(arn)
    if principal is None:
        return [
            Problem(
                ProblemCode.INVALID_FIELD,
                f"{_short(arn)} is not a principal that signs requests "
                "(root, user, assumed-role or federated-user ARN)",
                path,
                did_you_mean(closest(arn, tuple(_principals(world, None)))),
            )
        ]
    kind = principal.type
    if kind is PrincipalType.USER and world.user(arn) is None:
        return [_unknown("user", arn, path, _principals(world, principal))]
    if kind is PrincipalType.SESSION and world.role(principal.role_arn or "") is None:
        return [_unknown("role", principal.role_arn or arn, path, _principals(world, principal))]
    # the account set costs a walk of the world: asked only of a root or federated principal
    rooted = kind in (PrincipalType.ROOT, PrincipalType.FEDERATED)
    if rooted and principal.account not in _accounts(world) and world.session(arn) is None:
        return [_unknown("account", principal.account, path, _principals(world, principal))]
    return []


def _resource_problems(world: World, request: Request, account: str | None) -> list[Problem]:
    action, resource = request.action, request.resource
    if action.lower() == "secretsmanager:batchgetsecretvalue":
        return _batch_get_problems(world, request, account)
    types = resource_types(action)
    if not types:  # a service the world does not model, or an action on no resource ("*")
        return []
    path: tuple[PathPart, ...] = ("resource",)
    lower = action.lower()
    if "*" in resource or "?" in resource:
        return [
            Problem(
                ProblemCode.WILDCARD_IN_REQUEST,
                f"{action} acts on one resource, found the wildcard {_short(resource)}",
                path,
                "give the ARN of one resource",
            )
        ]
    service = lower.partition(":")[0]
    if service == "secretsmanager" and lower not in _FIRST_TIME:
        if world.secret(resource, account=account) is not None:
            return []
        if not resource.startswith("arn:"):  # a bare name resolves in the caller's account (§10.4)
            elsewhere = tuple(s.arn for s in world.secrets if s.name == resource)
            if elsewhere:
                return [
                    Problem(
                        ProblemCode.UNKNOWN_REFERENCE,
                        f"account {account} holds no secret named {_short(resource)}: a bare name "
                        "resolves in the caller's own account; across accounts, use the ARN",
                        path,
                        did_you_mean(elsewhere),
                        suggestions=elsewhere,
                    )
                ]
        return [_unknown("secret", resource, path, _secrets(world))]
    kms_unknown = world.key(resource, account=account) is None and not resource.endswith(_AWS_MANAGED_ALIAS)
    if service == "kms" and kms_unknown:
        return [_unknown("KMS key", resource, path, _keys(world))]
    if lower == "sts:assumerole" and world.role(resource) is None:
        return [_unknown("role", resource, path, _roles(world))]
    return []


def _batch_get_problems(world: World, request: Request, account: str | None) -> list[Problem]:
    """The secrets a ``BatchGetSecretValue`` names in ``SecretIdList`` that the world does not hold."""
    ids = request.parameters.get("SecretIdList")
    if not isinstance(ids, list):
        return []
    return [
        _unknown("secret", str(ref), ("parameters", "SecretIdList", i), _secrets(world))
        for i, ref in enumerate(ids)
        if world.secret(str(ref), account=account) is None
    ]


def _unknown(what: str, name: str, path: tuple[PathPart, ...], names: Iterable[str]) -> Problem:
    suggestions = closest(name, tuple(dict.fromkeys(names)))
    return Problem(
        ProblemCode.UNKNOWN_REFERENCE,
        f"the world holds no {what} {_short(name)}",
        path,
        did_you_mean(suggestions),
        suggestions=suggestions,
    )


def _short(text: str, limit: int = 120) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _accounts(world: World) -> set[str]:
    """Every account the world knows: listed, or owning one of its entities."""
    found = {a.id for a in world.accounts}
    for arn in (*(u.arn for u in world.users), *(r.arn for r in world.roles), *(g.arn for g in world.groups)):
        parsed = Arn.parse(arn)
        if parsed and parsed.account:
            found.add(parsed.account)
    found.update(s.account for s in world.secrets)
    found.update(k.account for k in world.keys)
    if world.organization is not None and world.organization.management_account:
        found.add(world.organization.management_account)
    return found


def _principals(world: World, asked: Principal | None) -> list[str]:
    """The principals a request could name, a role's session under the session name asked for."""
    session = asked.arn.rsplit("/", 1)[-1] if asked and asked.type is PrincipalType.SESSION else "session"
    roles = []
    for role in world.roles:
        arn = Arn.parse(role.arn)
        if arn is not None:
            roles.append(f"arn:{arn.partition}:sts::{arn.account}:assumed-role/{role.name}/{session}")
    roots = [f"arn:aws:iam::{a}:root" for a in sorted(_accounts(world))]
    return [*(u.arn for u in world.users), *roles, *(s.arn for s in world.sessions), *roots]


def _roles(world: World) -> list[str]:
    return [r.arn for r in world.roles]


def _secrets(world: World) -> list[str]:
    return [x for s in world.secrets for x in (s.arn, s.name)]


def _keys(world: World) -> list[str]:
    return [x for k in world.keys for x in (k.arn, *k.aliases)]
