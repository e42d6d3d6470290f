"""Reading the organization for an import, through the first imported account that may (its
management account first): accounts and the OU path of each, SCPs and RCPs with the targets they
apply to, and the nodes the AWS managed ``FullAWSAccess`` SCP was detached from; what the
organization hides becomes a gap on every imported account in it.

AWS page: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTargetsForPolicy.html
"""

from __future__ import annotations

from typing import Any

from .import_calls import Account, Reader
from .imported import Gap

__all__ = ["OrganizationsReader"]

_FULL_AWS_ACCESS = "p-FullAWSAccess"
_SCP = "SERVICE_CONTROL_POLICY"
_RCP = "RESOURCE_CONTROL_POLICY"


class OrganizationsReader(Reader):
    """The Organizations part of an import."""

    def organizations(self, accounts: list[Account]) -> None:
        """Read the organization through the first session that may (the management account's
        first); accounts of an organization that could not be read keep their org_id only."""
        for account in accounts:
            self.accounts[account.id] = {
                "id": account.id,
                "name": account.name,
                "org_id": account.org_id,
                "org_path": [],
            }
        org_ids = list(dict.fromkeys(a.org_id for a in accounts if a.org_id))
        for org_id in org_ids:
            members = sorted(
                (a for a in accounts if a.org_id == org_id),
                key=lambda a: a.id != a.management_account,
            )
            if self.organization is not None:  # a world models one organization
                self.gaps.extend(
                    {
                        "resource": member.id,
                        "what": f"SCPs and RCPs that apply to account {member.id}: its organization "
                        f"{org_id} is not the one imported ({self.organization['id']})",
                        "operation": "organizations:ListRoots",
                        "error": "NotModelled",
                    }
                    for member in members
                )
                continue
            failures: list[Gap] = []
            for member in members:
                before = len(self.gaps)
                organization = self.organization_of(member, org_id)
                failures = self.gaps[before:]
                del self.gaps[before:]
                if organization is not None:
                    self.organization = organization
                    break
            # what the organization hides decides for every imported account in it
            for failure in failures:
                for member in members:
                    self.gaps.append(
                        {
                            "resource": member.id,
                            "what": f"SCPs and RCPs that apply to account {member.id}: {failure['what']}",
                            "operation": failure["operation"],
                            "error": failure["error"],
                        }
                    )

    def organization_of(self, account: Account, org_id: str) -> dict[str, Any] | None:
        """Read the organization ``org_id`` as ``account`` sees it: its accounts' names and OU paths
        go to ``accounts``; returned is the §1.1 organization (root, enabled policy types, the
        custom SCPs and RCPs of nodes that hold accounts, where FullAWSAccess is detached), or None
        when its root cannot be listed."""
        org = self.client(account.session, "organizations", self.regions[0])
        what = (org_id, f"the structure, SCPs and RCPs of organization {org_id}")
        roots = [r for page in self.pages(org, "list_roots", what) for r in page.get("Roots", ())]
        if not roots:
            return None
        root = roots[0]
        enabled = {t["Type"] for t in root.get("PolicyTypes", ()) if t.get("Status") == "ENABLED"}
        names: dict[str, str | None] = {}
        for page in self.pages(org, "list_accounts", (org_id, f"the accounts of organization {org_id}")):
            for item in page.get("Accounts", ()):
                names[item["Id"]] = item.get("Name")
        paths: dict[str, list[str]] = {}
        queue: list[tuple[str, list[str]]] = [(root["Id"], [root["Id"]])]
        while queue:
            parent, path = queue.pop(0)
            for page in self.pages(
                org, "list_accounts_for_parent", (parent, f"the accounts under {parent}"), ParentId=parent
            ):
                for item in page.get("Accounts", ()):
                    paths[item["Id"]] = path
                    names.setdefault(item["Id"], item.get("Name"))
            for page in self.pages(
                org,
                "list_organizational_units_for_parent",
                (parent, f"the OUs under {parent}"),
                ParentId=parent,
            ):
                for ou in page.get("OrganizationalUnits", ()):
                    queue.append((ou["Id"], [*path, ou["Id"]]))
        for account_id, name in names.items():
            known = self.accounts.setdefault(
                account_id, {"id": account_id, "name": None, "org_id": org_id, "org_path": []}
            )
            known["org_id"] = org_id
            known["org_path"] = paths.get(account_id, [])
            known["name"] = name or known["name"]
        # a policy attached to an empty OU applies to no account: the world leaves it out
        used = {root["Id"], *(n for p in paths.values() for n in p), *paths}
        scps, detached = self.org_policies(org, _SCP, used) if _SCP in enabled else ([], set())
        rcps, _ = self.org_policies(org, _RCP, used) if _RCP in enabled else ([], set())
        return {
            "id": org_id,
            "root_id": root["Id"],
            "management_account": account.management_account,
            "scp_enabled": _SCP in enabled,
            "full_aws_access_detached_from": sorted(detached),
            "scps": scps,
            "rcp_enabled": _RCP in enabled,
            "rcps": rcps,
        }

    def org_policies(self, org: Any, kind: str, used: set[str]) -> tuple[list[dict[str, Any]], set[str]]:
        """The custom policies of ``kind`` per target, and the nodes without FullAWSAccess."""
        out: list[dict[str, Any]] = []
        detached: set[str] = set()
        label = "SCPs" if kind == _SCP else "RCPs"
        listed = [
            p
            for page in self.pages(org, "list_policies", (kind, f"the {label}"), Filter=kind)
            for p in page.get("Policies", ())
        ]
        for policy in listed:
            targets = [
                t["TargetId"]
                for page in self.pages(
                    org,
                    "list_targets_for_policy",
                    (policy["Id"], f"the targets of {policy.get('Name')}"),
                    PolicyId=policy["Id"],
                )
                for t in page.get("Targets", ())
            ]
            if policy.get("AwsManaged"):
                if kind == _SCP and policy["Id"] == _FULL_AWS_ACCESS:
                    detached = used - set(targets)
                continue  # RCPFullAWSAccess is implicit and cannot be detached (§1.1)
            if not any(t in used for t in targets):
                continue
            described = self.call(
                org,
                "describe_policy",
                (policy["Id"], f"the document of {policy.get('Name')}"),
                PolicyId=policy["Id"],
            )
            if described is None:
                continue
            document = self.document(
                described["Policy"].get("Content"),
                policy["Id"],
                f"the document of {policy.get('Name')}",
                "organizations:DescribePolicy",
            )
            if document is None:
                continue
            for target in targets:
                if target in used:
                    name = policy.get("Name") or policy["Id"]
                    out.append({"name": name, "attached_to": target, "document": document})
        return out, detached
