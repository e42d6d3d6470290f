"""Read each entity of the world format (semantics §1.1) — an account, the organization with
its SCPs and RCPs, a user, group, role or session, a secret, a KMS key, a gap — with every
problem located by its JSON path (``fields.Fields``). Policies are parsed for their kind and kept
even when AWS would refuse them: ``World.problems`` reports those.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..arn import Arn
from ..fields import Fields, Path
from ..limits import LISTED_SESSION_POLICY, ROLE_POLICY_SIZE, SizeLimit
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import ProblemCode, quoted
from .entities import (
    Account,
    Gap,
    Group,
    Key,
    Organization,
    OrgPolicy,
    Role,
    Secret,
    Session,
    User,
    aws_managed_key_policy,
)
from .quotas import trust_policy_size, trust_quota_problem
from .read_grants import read_grants

REQUIRED, OPTIONAL = True, False

_GAP = {"resource": REQUIRED, "what": REQUIRED, "operation": OPTIONAL, "error": OPTIONAL}
_ACCOUNT = {
    "id": REQUIRED,
    "name": OPTIONAL,
    "org_id": OPTIONAL,
    "org_path": OPTIONAL,
    "role_trust_policy_length": OPTIONAL,
}
_ORG = {
    "id": REQUIRED,
    "root_id": REQUIRED,
    "management_account": OPTIONAL,
    "scp_enabled": OPTIONAL,
    "full_aws_access_detached_from": OPTIONAL,
    "scps": OPTIONAL,
    "rcp_enabled": OPTIONAL,
    "rcps": OPTIONAL,
}
_ORG_POLICY = {"name": REQUIRED, "attached_to": REQUIRED, "document": REQUIRED}
_USER = {
    "arn": REQUIRED,
    "user_id": OPTIONAL,
    "tags": OPTIONAL,
    "groups": OPTIONAL,
    "policies": OPTIONAL,
    "permissions_boundary": OPTIONAL,
}
_GROUP = {"arn": REQUIRED, "policies": OPTIONAL}
_ROLE = {
    "arn": REQUIRED,
    "role_id": OPTIONAL,
    "tags": OPTIONAL,
    "trust_policy": OPTIONAL,
    "policies": OPTIONAL,
    "permissions_boundary": OPTIONAL,
    "service_linked": OPTIONAL,
}
_SESSION = {
    "arn": REQUIRED,
    "role": OPTIONAL,
    "session_name": OPTIONAL,
    "session_policies": OPTIONAL,
    "session_tags": OPTIONAL,
    "source_principal": OPTIONAL,
}
_SECRET = {
    "arn": REQUIRED,
    "name": OPTIONAL,
    "account": OPTIONAL,
    "region": OPTIONAL,
    "kms_key": OPTIONAL,
    "tags": OPTIONAL,
    "versions": OPTIONAL,
    "resource_policy": OPTIONAL,
}
_KEY = {
    "arn": REQUIRED,
    "account": OPTIONAL,
    "region": OPTIONAL,
    "manager": OPTIONAL,
    "aliases": OPTIONAL,
    "tags": OPTIONAL,
    "key_policy": OPTIONAL,
    "grants": OPTIONAL,
}


def own_copy(document: Any) -> Any:
    """A copy of a policy document given as data, for the world to keep as the policy's source:
    the caller may edit its dict afterwards (exercises and what-if analyses edit a world's dict to
    build the next world) without editing this world. Text is immutable and kept as it is; a
    document too deep to copy is kept too, and its parser reports the depth."""
    if isinstance(document, (str, bytes)):
        return document
    try:
        return copy.deepcopy(document)
    except RecursionError:
        return document


class EntityReader(Fields):
    """One reader of entities; problems collect in ``problems``."""

    def policy(
        self, value: Any, path: Path, kind: PolicyKind, size_limit: SizeLimit | None = None
    ) -> Policy | None:
        """The policy (kept even when AWS would refuse it: ``World.problems`` reports it), its size
        checked against ``size_limit`` when the holder's quota is not its kind's."""
        if value is None:
            return None
        return read_policy(own_copy(value), kind, size_limit=size_limit)

    def policies(
        self, value: Any, path: Path, kind: PolicyKind, what: str, size_limit: SizeLimit | None = None
    ) -> tuple[Policy, ...]:
        """A list of policy documents of ``kind``, each parsed (kept even when AWS would refuse it); a
        null entry is a problem."""
        out = []
        for ipath, item in self.items(value, path, what):
            if item is None:  # a hole would shift every later policy's position
                self.problem(
                    ProblemCode.INVALID_FIELD, f"each entry of {what} is a policy document, found null", ipath
                )
                continue
            out.append(read_policy(own_copy(item), kind, size_limit=size_limit))
        return tuple(out)

    # -- the world

    def gap(self, value: Any, path: Path) -> Gap | None:
        """A gap of an imported world (resource and what are required), or None with problems."""
        raw = self.obj(value, path, _GAP, "a gap")
        if raw is None:
            return None
        resource = self.string(raw.get("resource"), (*path, "resource"), "resource", optional=False)
        what = self.string(raw.get("what"), (*path, "what"), "what", optional=False)
        operation = self.string(raw.get("operation"), (*path, "operation"), "operation") or ""
        error = self.string(raw.get("error"), (*path, "error"), "error") or ""
        return Gap(resource, what, operation, error) if resource and what else None

    def account(self, value: Any, path: Path) -> Account | None:
        """An account, or None with problems."""
        raw = self.obj(value, path, _ACCOUNT, "an account")
        if raw is None:
            return None
        account_id = self.account_id(raw.get("id"), (*path, "id"), "id")
        org_id = self.string(raw.get("org_id"), (*path, "org_id"), "org_id")
        org_path = self.strings(raw.get("org_path"), (*path, "org_path"), "org_path")
        name = self.string(raw.get("name"), (*path, "name"), "name")
        quota = self.trust_quota(raw.get("role_trust_policy_length"), (*path, "role_trust_policy_length"))
        return Account(account_id, name, org_id, org_path, quota) if account_id else None

    # -- limits that depend on the holder (semantics §3.13, ``quotas``)

    trust_quotas: dict[str, int] = {}  # noqa: RUF012 - replaced per reader by the world reader

    def trust_quota(self, value: Any, path: Path) -> int | None:
        """An account's raised role trust policy quota, or None (the default) with a problem when
        it is not a number AWS allows."""
        if value is None:
            return None
        message = trust_quota_problem(value)
        if message:
            self.problem(ProblemCode.INVALID_FIELD, message, path)
            return None
        return int(value)

    def trust_size(self, role_arn: str | None) -> SizeLimit | None:
        """The size limit of the trust policy of ``role_arn``, by its account's quota."""
        account = role_arn.split(":")[4] if role_arn else ""
        return trust_policy_size(self.trust_quotas.get(account))

    def organization(self, value: Any, path: Path) -> Organization | None:
        """The organization with its SCPs and RCPs (problems recorded); None when absent or not an object."""
        if value is None:
            return None
        raw = self.obj(value, path, _ORG, "the organization")
        if raw is None:
            return None
        return Organization(
            id=self.string(raw.get("id"), (*path, "id"), "id", optional=False) or "",
            root_id=self.string(raw.get("root_id"), (*path, "root_id"), "root_id", optional=False) or "",
            management_account=self.account_id(
                raw.get("management_account"), (*path, "management_account"), "management_account"
            ),
            scp_enabled=self.flag(raw.get("scp_enabled"), (*path, "scp_enabled"), "scp_enabled", True),
            full_aws_access_detached_from=frozenset(
                self.strings(
                    raw.get("full_aws_access_detached_from"),
                    (*path, "full_aws_access_detached_from"),
                    "full_aws_access_detached_from",
                )
            ),
            scps=self.org_policies(raw.get("scps"), (*path, "scps"), PolicyKind.SCP),
            rcp_enabled=self.flag(raw.get("rcp_enabled"), (*path, "rcp_enabled"), "rcp_enabled", False),
            rcps=self.org_policies(raw.get("rcps"), (*path, "rcps"), PolicyKind.RCP),
        )

    def org_policies(self, value: Any, path: Path, kind: PolicyKind) -> tuple[OrgPolicy, ...]:
        """The SCP or RCP entries of the organization (name, node attached to, document of ``kind``);
        an entry with problems is left out."""
        out = []
        for ipath, item in self.items(value, path, path[-1] if isinstance(path[-1], str) else ""):
            raw = self.obj(item, ipath, _ORG_POLICY, f"an {kind.value.upper()} entry")
            if raw is None:
                continue
            name = self.string(raw.get("name"), (*ipath, "name"), "name", optional=False)
            node = self.string(raw.get("attached_to"), (*ipath, "attached_to"), "attached_to", optional=False)
            policy = self.policy(raw.get("document"), (*ipath, "document"), kind)
            if name and node and policy is not None:
                out.append(OrgPolicy(name, node, policy))
        return tuple(out)

    def user(self, value: Any, path: Path) -> User | None:
        """A user, or None with problems."""
        raw = self.obj(value, path, _USER, "a user")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("user",))
        user = User(
            arn=arn or "",
            user_id=self.unique_id(raw.get("user_id"), (*path, "user_id"), "user_id", "AIDA"),
            tags=self.tags(raw.get("tags"), (*path, "tags")),
            groups=tuple(g for g in self.strings(raw.get("groups"), (*path, "groups"), "groups")),
            policies=self.policies(raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies"),
            permissions_boundary=self.policy(
                raw.get("permissions_boundary"),
                (*path, "permissions_boundary"),
                PolicyKind.BOUNDARY,
            ),
        )
        return user if arn else None

    def group(self, value: Any, path: Path) -> Group | None:
        """A group, or None with problems."""
        raw = self.obj(value, path, _GROUP, "a group")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("group",))
        policies = self.policies(raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies")
        return Group(arn, policies) if arn else None

    def role(self, value: Any, path: Path) -> Role | None:
        """A role, or None with problems."""
        raw = self.obj(value, path, _ROLE, "a role")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("role",))
        role = Role(
            arn=arn or "",
            role_id=self.unique_id(raw.get("role_id"), (*path, "role_id"), "role_id", "AROA"),
            tags=self.tags(raw.get("tags"), (*path, "tags")),
            trust_policy=self.policy(
                raw.get("trust_policy"), (*path, "trust_policy"), PolicyKind.TRUST, self.trust_size(arn)
            ),
            policies=self.policies(
                raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies", ROLE_POLICY_SIZE
            ),
            permissions_boundary=self.policy(
                raw.get("permissions_boundary"),
                (*path, "permissions_boundary"),
                PolicyKind.BOUNDARY,
            ),
            service_linked=self.flag(
                raw.get("service_linked"), (*path, "service_linked"), "service_linked", False
            ),
        )
        return role if arn else None

    def session(self, value: Any, path: Path) -> Session | None:
        """A role or federated-user session, or None with problems; the role and session name default
        to those of the ARN."""
        raw = self.obj(value, path, _SESSION, "a session")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "sts", ("assumed-role", "federated-user"))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        parts = parsed.resource_id.split("/")
        default_role = (
            f"arn:aws:iam::{parsed.account}:role/{parts[0]}" if parsed.resource_type == "assumed-role" else ""
        )
        role = self.string(raw.get("role"), (*path, "role"), "role") or default_role
        return Session(
            arn=arn,
            role=role,
            session_name=self.string(raw.get("session_name"), (*path, "session_name"), "session_name")
            or parts[-1],
            session_policies=self.policies(
                raw.get("session_policies"),
                (*path, "session_policies"),
                PolicyKind.SESSION,
                "session_policies",
                LISTED_SESSION_POLICY,
            ),
            session_tags=self.tags(raw.get("session_tags"), (*path, "session_tags")),
            source_principal=self.string(
                raw.get("source_principal"), (*path, "source_principal"), "source_principal"
            ),
        )

    def secret(self, value: Any, path: Path) -> Secret | None:
        """A secret, or None with problems; account, Region and name default to those of the ARN, and
        must agree with it."""
        raw = self.obj(value, path, _SECRET, "a secret")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "secretsmanager", ("secret",))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        account = self.account_id(raw.get("account"), (*path, "account"), "account") or parsed.account
        region = self.string(raw.get("region"), (*path, "region"), "region") or parsed.region
        if account != parsed.account:
            self.problem(
                ProblemCode.INVALID_FIELD,
                f"account {account} differs from the ARN's {parsed.account}",
                (*path, "account"),
            )
        if region != parsed.region:
            self.problem(
                ProblemCode.INVALID_FIELD,
                f"region {region} differs from the ARN's {parsed.region}",
                (*path, "region"),
            )
        versions = raw.get("versions") or {}
        if not isinstance(versions, Mapping) or not all(isinstance(v, str) for v in versions.values()):
            self.problem(
                ProblemCode.INVALID_FIELD, "versions is an object of stage: version id", (*path, "versions")
            )
            versions = {}
        name = self.string(raw.get("name"), (*path, "name"), "name") or _secret_name(parsed.resource_id)
        return Secret(
            arn,
            name,
            account,
            region,
            self.string(raw.get("kms_key"), (*path, "kms_key"), "kms_key"),
            self.tags(raw.get("tags"), (*path, "tags")),
            tuple((str(k), str(v)) for k, v in versions.items()),
            self.policy(raw.get("resource_policy"), (*path, "resource_policy"), PolicyKind.RESOURCE),
        )

    def key(self, value: Any, path: Path) -> Key | None:
        """A KMS key, or None with problems; account and Region default to those of the ARN, and
        without a key policy it has the one AWS writes (AWS managed) or the API's default (customer
        managed)."""
        raw = self.obj(value, path, _KEY, "a KMS key")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "kms", ("key",))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        account = self.account_id(raw.get("account"), (*path, "account"), "account") or parsed.account
        region = self.string(raw.get("region"), (*path, "region"), "region") or parsed.region
        manager = raw.get("manager", "CUSTOMER")
        if manager not in ("AWS", "CUSTOMER"):
            self.problem(
                ProblemCode.INVALID_FIELD,
                f'manager is "AWS" or "CUSTOMER", found {quoted(manager)}',
                (*path, "manager"),
            )
            manager = "CUSTOMER"
        aliases = tuple(
            a if a.startswith("alias/") else f"alias/{a}"
            for a in self.strings(raw.get("aliases"), (*path, "aliases"), "aliases")
        )
        doc = raw.get("key_policy")
        if doc is None:  # §9.6: AWS writes the managed key's policy; §9.3: the API's default policy
            doc = (
                aws_managed_key_policy(account, region)
                if manager == "AWS"
                else {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            )
        policy = self.policy(doc, (*path, "key_policy"), PolicyKind.KEY)
        return Key(
            arn,
            account,
            region,
            manager,
            aliases,
            self.tags(raw.get("tags"), (*path, "tags")),
            policy,
            read_grants(self, raw.get("grants"), (*path, "grants")),
        )

    # -- cross-references


def _secret_name(resource_id: str) -> str:
    """``prod/db`` of ``prod/db-AbC123`` (the six-character suffix, §2.3)."""
    head, sep, tail = resource_id.rpartition("-")
    return head if sep and len(tail) == 6 else resource_id
