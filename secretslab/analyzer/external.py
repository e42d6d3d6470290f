"""External access: a secret policy that lets in a principal of an account outside the secret's
organization, IAM Access Analyzer's zone of trust when it is an organization. Like the other
checks it is lint on one policy: an RCP or SCP may still deny what it reports (notebook 05's
perimeter RCP does), and removing that guardrail would open the access at once.

Limits: the zone of trust is the organization of the secret's account (``Account.org_id``, else
the world's organization); a world that says nothing of organizations has no zone to compare
with, and the check stays silent. An account the world does not list is outside. ``"*"`` without
a pinning condition is PUBLIC_SECRET_POLICY's, not repeated here.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html (zone of
trust), https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html (Secrets
Manager secrets are analyzed), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..policy.refs import Slot
from ..world import World
from .finding import Finding, FindingCode
from .reading import actions, allowed, finding, named, statement_path, valid_policies


def secrets_shared_outside_the_organization(world: World) -> Iterator[Finding]:
    """Each Allow of a secret policy naming a principal (account, role, user, session) of an
    account outside the organization of the secret's account."""
    for ref, policy in valid_policies(world, Slot.SECRET):
        secret = world.secret(ref.holder)
        if secret is None:
            continue
        org = _organization_of(world, secret.account)
        if org is None:
            continue  # no zone of trust to compare with
        for s in policy.statements:
            p = allowed(s)
            if p is None:
                continue
            outside = [name for name, account in named(p) if _organization_of(world, account) != org]
            if outside:
                yield finding(
                    world,
                    FindingCode.EXTERNAL_ACCESS,
                    ref,
                    f"{s.label} allows {', '.join(outside)} ({actions(s)}) on {secret.name}: outside "
                    f"organization {org}, the zone of trust; an RCP or SCP may deny it today, the "
                    "secret policy does not",
                    "if the sharing is not intended, remove these principals; if it is, record it as "
                    "reviewed, as an IAM Access Analyzer external access finding would be",
                    within=statement_path(policy, s),
                )


def _organization_of(world: World, account: str) -> str | None:
    """The organization id of ``account``: its own ``org_id``, else the world's organization when
    it is that organization's management account; None when the world does not say."""
    listed = world.account(account)
    if listed.org_id:
        return listed.org_id
    org = world.organization
    if org is not None and org.management_account == account:
        return org.id
    return None
