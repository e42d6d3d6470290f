"""The checks on the policies of principals: an identity policy that reads every secret without
conditions (semantics §3.8), and a trust policy that lets another account assume the role with no
condition at all (§11.2).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..arn import account_of
from ..policy.model import Effect, ResourceElement, Statement
from ..policy.refs import Slot
from ..world import World
from .finding import Finding, FindingCode
from .reading import actions, cross_account_allows, finding, resources, statement_path, valid_policies

#: a made-up secret of the identity's account, in a made-up Region: a Resource that matches it
#: matches every secret the account may hold, whatever its Region and name
_PROBE = "arn:aws:secretsmanager:zz-probe-9:{account}:secret:probe/any-secret-AbCdEf"


def identities_reading_all_secrets(world: World) -> Iterator[Finding]:
    """``GetSecretValue`` on every secret, unconditionally: the widest read of the account's secrets,
    which Access Analyzer's least-privilege checks flag (identity policies of users, groups, roles)."""
    for ref, policy in valid_policies(world, Slot.IDENTITY):
        probe = _PROBE.format(account=account_of(ref.holder) or "")
        for s in policy.statements:
            if _reads_everything(s, probe):
                yield finding(
                    world,
                    FindingCode.IDENTITY_READS_ALL_SECRETS,
                    ref,
                    f"{s.label} allows secretsmanager:GetSecretValue (through {actions(s)}) on every "
                    f"secret ({resources(s.resource)}) without conditions",
                    "list the secrets by ARN or prefix (…:secret:team/*), or add a condition such as "
                    "secretsmanager:ResourceTag/team = ${aws:PrincipalTag/team}",
                    within=statement_path(policy, s),
                )


def _reads_everything(s: Statement, probe: str) -> bool:
    if s.effect is not Effect.ALLOW or s.conditions or s.resource is None:
        return False
    return s.action.matches("secretsmanager:getsecretvalue") and _covers(s.resource, probe)


def _covers(element: ResourceElement, arn: str) -> bool:
    # An unresolved policy variable matches nothing (§6.2), so it narrows Resource, widens NotResource.
    listed = any(p.match(arn, _no_variables) is True for p in element.patterns)
    return listed != element.negated


def _no_variables(_key: str) -> str | None:
    return None


def trust_other_accounts_without_condition(world: World) -> Iterator[Finding]:
    """A trust policy that lets another account (or anyone) assume the role with no condition at
    all: the confused-deputy risk that sts:ExternalId and the principal keys address."""
    for ref, policy in valid_policies(world, Slot.TRUST):
        role = world.role(ref.holder)
        if role is None:  # never: the reference comes from the world
            continue
        for s, outsiders in cross_account_allows(policy, role.account):
            if not s.conditions and s.action.matches("sts:assumerole"):
                yield finding(
                    world,
                    FindingCode.TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION,
                    ref,
                    f"{s.label} lets {', '.join(outsiders)} assume {role.name} (account {role.account}) "
                    "with no condition",
                    "add a Condition: sts:ExternalId for a third party, aws:PrincipalOrgID for your "
                    "organization, or aws:PrincipalArn for specific roles",
                    within=statement_path(policy, s),
                )
