"""Seeding any world (semantics §1.1) into the stand-in with real boto3 calls: ``seed_world`` creates
its organizations (from the management account: member accounts, nested OUs, SCPs and RCPs,
``FullAWSAccess`` detached where the world says), then its IAM (``seed_iam``), KMS keys and
secrets (``seed_secrets``), and writes the policy documents last, once every id moto picked is in
the returned ``WorldMapping``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from .mapping import WorldMapping
from .seed_calls import dumps, full_aws_access_id, spare_account, wait_for_account
from .seed_iam import IamSeeding
from .seed_secrets import SecretSeeding
from .server import StandIn

if TYPE_CHECKING:
    from ..world import World

__all__ = ["WorldMapping", "seed_world"]


def seed_world(standin: StandIn, world: World) -> WorldMapping:
    """Create ``world`` (semantics §1.1) in the stand-in with real boto3 calls.

    Organizations: one organization per organization id of the world, from its management
    account (the world's, or a spare account when the world names none) — member accounts,
    nested OUs, the SCP and RCP policy types when enabled, SCPs and RCPs attached where the world
    says, ``FullAWSAccess`` detached where it says. IAM: users (path, tags, groups), groups, roles
    (path, tags, trust policy), inline policies (``put_*_policy``, named ``inline-N``),
    permissions boundaries (``create_policy`` + ``put_*_permissions_boundary``). KMS: customer
    managed keys with tags, key policy and aliases; an AWS managed key is not created but looked
    up through its ``alias/aws/...`` (moto makes it on first use), and secrets on it get no
    ``KmsKeyId``. Secrets Manager: secrets with placeholder values, their version stages, tags
    and resource policies.

    Documents are written only once every id is known, translated through the returned
    ``WorldMapping`` (``secretslab.aws.standin``'s docstring says why ids change). Whatever the
    stand-in cannot hold as the world says is listed in ``mapping.skipped``.
    """
    return _WorldSeeder(standin, world.to_dict()).run()


class _WorldSeeder(IamSeeding, SecretSeeding):
    """A world's seeding: its organizations here, IAM, keys and secrets from the mixins, and the
    documents that waited for every id at the end."""

    def run(self) -> WorldMapping:
        data = self.data
        for account in data.get("accounts", []):
            self.map(account["id"], account["id"])
        self.organizations()
        principals = data.get("principals", {})
        self.groups(principals.get("groups", []), principals.get("users", []))
        self.users(principals.get("users", []))
        self.roles(principals.get("roles", []))
        for session in principals.get("sessions", []):
            self.skip(f"session {session['arn']}: sessions are not resources; it is derived from its role")
        self.keys(data.get("kms_keys", []))
        self.secrets(data.get("secrets", []))
        if data.get("gaps"):
            self.skip("gaps: an imported world's gaps are not reproduced")
        for _what, thunk in self.later:
            thunk()
        return self.mapping

    # Organizations

    def organizations(self) -> None:
        data = self.data
        spec = data.get("organization")
        accounts = data.get("accounts", [])
        org_ids: list[str] = [spec["id"]] if spec else []
        for account in accounts:
            if account.get("org_id") and account["org_id"] not in org_ids:
                org_ids.append(account["org_id"])
        used = {a["id"] for a in accounts}
        for org_id in org_ids:
            this = spec if spec and spec["id"] == org_id else None
            mgmt = this.get("management_account") if this else None
            if not mgmt:
                mgmt = spare_account(used)
                used.add(mgmt)
            self.map(mgmt, mgmt)
            self.mapping.management_accounts[org_id] = mgmt
            self.organization(org_id, this, mgmt, [a for a in accounts if a.get("org_id") == org_id])

    def organization(
        self, org_id: str, spec: dict[str, Any] | None, mgmt: str, members: list[dict[str, Any]]
    ) -> None:
        org = self.client("organizations", mgmt)
        self.map(org_id, org.create_organization(FeatureSet="ALL")["Organization"]["Id"])
        root = org.list_roots()["Roots"][0]["Id"]
        world_roots = {spec["root_id"]} if spec else set()
        world_roots |= {a["org_path"][0] for a in members if a.get("org_path")}
        for world_root in world_roots or {"r-root"}:
            self.map(world_root, root)
        for account in members:  # OUs, outermost first
            path = list(account.get("org_path") or [])
            for parent, ou in itertools.pairwise(path):
                if ou not in self.mapping:
                    created = org.create_organizational_unit(ParentId=self.mapping[parent], Name=ou)
                    self.map(ou, created["OrganizationalUnit"]["Id"])
        for account in members:
            if account["id"] == mgmt:
                new_id = mgmt
            else:
                status = org.create_account(
                    AccountName=account.get("name") or account["id"], Email=f"{account['id']}@example.com"
                )["CreateAccountStatus"]
                new_id = wait_for_account(org, status)
                self.map(account["id"], new_id)
            path = account.get("org_path") or []
            if len(path) > 1:
                org.move_account(
                    AccountId=new_id, SourceParentId=root, DestinationParentId=self.mapping[path[-1]]
                )
        if spec is not None:
            self.later.append(("organization policies", lambda: self.org_policies(org, root, spec)))

    def org_policies(self, org: Any, root: str, spec: dict[str, Any]) -> None:
        kinds = (
            ("SERVICE_CONTROL_POLICY", "SCP", spec.get("scp_enabled", True), spec.get("scps", [])),
            ("RESOURCE_CONTROL_POLICY", "RCP", spec.get("rcp_enabled", False), spec.get("rcps", [])),
        )
        for policy_type, label, enabled, policies in kinds:
            if not enabled:
                for policy in policies:
                    self.skip(f"{label} {policy['name']}: the world has {label}s disabled, not attached")
                continue
            if (
                self.attempt(
                    f"{label} policy type", org.enable_policy_type, RootId=root, PolicyType=policy_type
                )
                is None
            ):
                self.skip(f"{label}s: moto's Organizations did not enable {policy_type}")
                continue
            for policy in policies:
                target = self.mapping.get(policy["attached_to"], self.tr(policy["attached_to"]))
                created = self.attempt(
                    f"{label} {policy['name']}",
                    org.create_policy,
                    Content=dumps(self.tr(policy["document"])),
                    Description=f"secretslab {label}",
                    Name=policy["name"],
                    Type=policy_type,
                )
                if created is not None:
                    summary = created["Policy"]["PolicySummary"]
                    self.attempt(
                        f"{label} {policy['name']} attachment",
                        org.attach_policy,
                        PolicyId=summary["Id"],
                        TargetId=target,
                    )
        detached = spec.get("full_aws_access_detached_from") or []
        if detached and spec.get("scp_enabled", True):
            full = full_aws_access_id(org)
            for node in detached:
                if full is None:
                    self.skip(f"FullAWSAccess on {node}: moto has no FullAWSAccess SCP to detach")
                    continue
                self.attempt(
                    f"FullAWSAccess detached from {node}",
                    org.detach_policy,
                    PolicyId=full,
                    TargetId=self.mapping.get(node, node),
                )
