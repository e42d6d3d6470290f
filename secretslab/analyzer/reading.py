"""What the checks share: the policies of a slot that AWS would store (through ``World.policies``,
so no check keeps its own list of where policies live), a finding located by ``World.policy_path``,
the principals an Allow statement lets in from outside an account (semantics §4.5), and the
wording of actions and resources in messages.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..arn import account_of
from ..policy.model import Condition, Effect, Policy, PrincipalElement, ResourceElement, Statement
from ..policy.refs import PolicyRef, Slot
from ..problems import PathPart, json_path
from ..world import World
from .finding import CATALOGUE, Finding, FindingCode

Path = tuple[PathPart, ...]


def valid_policies(world: World, slot: Slot) -> Iterator[tuple[PolicyRef, Policy]]:
    """The policies in ``slot`` that AWS would store; invalid ones are reported once, as
    INVALID_POLICY, as the engine sets them aside (§3.4)."""
    return ((ref, policy) for ref, policy in world.policies() if ref.slot is slot and policy.valid)


def finding(
    world: World, code: FindingCode, ref: PolicyRef, message: str, hint: str, *, within: Path = ()
) -> Finding:
    """A finding on the policy ``ref`` names, at ``within`` inside it (the whole policy by default)."""
    location = json_path((*world.policy_path(ref), *within))
    return Finding(code, CATALOGUE[code][0], resource_of(world, ref), location, message, hint, ref)


def resource_of(world: World, ref: PolicyRef) -> str:
    """The ARN a finding on ``ref`` is about: its holder's, or the organization's for an SCP or RCP
    (its id when the world does not say which account manages it)."""
    org = world.organization
    if ref.slot not in (Slot.SCP, Slot.RCP) or org is None:
        return ref.holder
    if not org.management_account:
        return org.id
    return f"arn:aws:organizations::{org.management_account}:organization/{org.id}"


def statement_path(policy: Policy, statement: Statement) -> Path:
    """``Statement[i]``, or ``Statement`` when the document holds a single statement object."""
    source = policy.source
    single = isinstance(source, Mapping) and isinstance(source.get("Statement"), Mapping)
    return ("Statement",) if single else ("Statement", statement.index)


# -- principals outside an account (§4.5)


def cross_account_allows(policy: Policy, owner: str) -> Iterator[tuple[Statement, tuple[str, ...]]]:
    """Allow statements with the principals they let in from outside ``owner`` ("*" counts unless
    a condition confines it to ``owner``; aws:PrincipalOrgID does not: it spans accounts)."""
    for s in policy.statements:
        p = allowed(s)
        if p is None:
            continue
        outsiders = [name for name, account in named(p) if account != owner]
        if p.wildcard and not any(_confines(c, owner) for c in s.conditions):
            outsiders.insert(0, '"*"')
        if outsiders:
            yield s, tuple(outsiders)


_EQUALITY = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})


def _confines(condition: Condition, owner: str) -> bool:
    """Whether the condition keeps a "*" principal inside ``owner`` (every value names it)."""
    op = condition.operator
    if op.base not in _EQUALITY or op.if_exists or op.qualifier == "ForAllValues" or not condition.values:
        return False
    if condition.key_lower == "aws:principalaccount":
        return all(v == owner for v in condition.values)
    if condition.key_lower == "aws:principalarn":
        return all(account_of(v) == owner for v in condition.values)  # a wildcard account is not owner
    return False


def named(p: PrincipalElement) -> list[tuple[str, str]]:
    """(principal as shown, its account) for every AWS principal the element names (§4.5)."""
    shown = [(f"account {a}", a) for a in sorted(p.accounts)]
    shown += [(f"arn:aws:iam::{a}:role/{name}", a) for a, name in sorted(p.roles)]
    shown += [(arn, account_of(arn) or "") for arn in sorted((*p.users, *p.sessions, *p.federated_users))]
    return shown


def allowed(statement: Statement) -> PrincipalElement | None:
    """The principals an Allow statement names (NotPrincipal with Allow is invalid, §3.5)."""
    p = statement.principal
    return p if statement.effect is Effect.ALLOW and p is not None and not p.negated else None


# -- wording


def actions(statement: Statement) -> str:
    """The statement's actions as a message says them: ``NotAction`` first when negated."""
    prefix = "NotAction " if statement.action.negated else ""
    return prefix + ", ".join(statement.action.patterns)


def resources(element: ResourceElement | None) -> str:
    """The element's resources as a message says them: ``NotResource`` first when negated, ``no
    Resource`` when absent."""
    if element is None:
        return "no Resource"
    prefix = "NotResource " if element.negated else ""
    return prefix + ", ".join(p.text for p in element.patterns)
