"""Read-only import of real accounts into a world (semantics §1.1).

``snapshot(...)`` reads, with boto3, the accounts it is given — boto3 sessions, profile names, or
one session plus the ARNs of roles to assume into each account — in every listed Region:

* STS caller identity (the account of each session);
* IAM authorization details: users (inline and managed policies flattened, groups, boundary,
  tags), groups, roles (trust policy, policies, boundary, tags, service-linked);
* Secrets Manager: every secret, its KMS key, tags, version stages and resource policy;
* KMS: every key (the secrets' and all others), its manager (AWS or CUSTOMER), aliases, tags,
  grants and key policy;
* Organizations, when one of the sessions may read it: accounts and where they sit, SCPs and
  RCPs with their targets, the nodes the default ``FullAWSAccess`` SCP was detached from.

Every client is guarded by ``readonly.guard``: an operation outside ``READ_OPERATIONS`` raises
``ForbiddenOperation`` before anything is sent, and every operation is recorded in
``Snapshot.operations``. Secret values are never read. Every list is paginated, and botocore's
standard retry mode absorbs throttling.

Partial access is normal: a ``ClientError`` on one call (AccessDenied most often) becomes a
*gap* in ``Snapshot.gaps`` — ``{"resource", "what", "operation", "error"}`` — and the import goes
on. What a gap hides is left out of the world or left at ``null`` (an unreadable key policy or
secret policy is ``null``, a principal list that could not be read is missing); whoever analyses
the world must treat results that depend on a gap as unknown.

Errors that are not about one resource propagate: credentials AWS refuses (the first call,
``sts:GetCallerIdentity``, cannot be denied by any policy, so its ``ClientError`` means expired or
invalid credentials), missing credentials, unknown profiles, unreachable endpoints, and
``ForbiddenOperation``. A role of ``role_arns`` that cannot be assumed is a gap on the role ARN,
and the other accounts are imported.

Credentials are held only by the boto3 sessions, in memory, for the duration of the import; the
snapshot holds none and nothing is printed.

AWS pages: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html,
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html,
https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTargetsForPolicy.html,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
"""

from __future__ import annotations

import functools
import json
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypedDict

import boto3  # type: ignore[import-untyped, unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]
from botocore.exceptions import ClientError  # type: ignore[import-untyped, unused-ignore]

from ..world import World
from .readonly import guard

__all__ = ["Gap", "Progress", "Snapshot", "load_snapshot", "snapshot"]

Progress = Callable[[int, int], None]

#: botocore's standard retry mode: exponential backoff with jitter on throttling and transient errors
RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})
SESSION_NAME = "secretslab-import"
_FULL_AWS_ACCESS = "p-FullAWSAccess"
_SCP = "SERVICE_CONTROL_POLICY"
_RCP = "RESOURCE_CONTROL_POLICY"


class Gap(TypedDict):
    """Something the import could not read: which resource, what of it, the call and its error."""

    resource: str
    what: str
    operation: str
    error: str


@dataclass(frozen=True)
class Snapshot:
    """An imported world: ``data`` is the §1.1 world with a top-level ``"gaps"`` list;
    ``operations`` every API operation the import asked for, in order (empty once loaded)."""

    data: dict[str, Any]
    operations: tuple[str, ...] = field(default=(), compare=False)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(self.data.get("gaps", ()))

    @cached_property
    def world(self) -> World:
        """The world, its gaps included (``World.gaps``, ``World.gaps_for``)."""
        return World.from_dict(self.data)

    def save(self, path: str | Path) -> None:
        """Write the world (with its gaps) as a JSON scenario file."""
        Path(path).write_text(json.dumps(self.data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot saved by ``Snapshot.save`` (or a scenario file ``{"world": …}``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("world"), dict):
        data = data["world"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a snapshot is a JSON object (a world), found {type(data).__name__}")
    return Snapshot(data)


def snapshot(
    *,
    sessions: Sequence[Any] | None = None,
    profiles: Sequence[str] | None = None,
    session: Any = None,
    role_arns: Iterable[str] = (),
    regions: Sequence[str] = ("us-east-1",),
    endpoint_url: str | None = None,
    progress: Progress | None = None,
) -> Snapshot:
    """Import the accounts reached by ``sessions`` (boto3 sessions), ``profiles`` (profile
    names), and ``session`` — alone, or assuming each of ``role_arns`` — in ``regions``. Any
    combination works; an account reached twice is imported once; with none of them, boto3's
    default credentials are used. ``endpoint_url`` sends every call to one endpoint (the embedded
    stand-in). ``progress(done, total)`` is called after each account/Region step and once after
    the organization: ``total`` is (accounts × (1 + Regions)) + 1."""
    importer = _Importer(tuple(regions) or ("us-east-1",), endpoint_url, progress)
    return importer.run(sessions, profiles, session, tuple(role_arns))


# -- the import


@dataclass(frozen=True, eq=False)
class _Reach:
    """How to reach an account: a boto3 session, and the temporary credentials of an assumed
    role when there is one (its clients are made from the base session, whose loaded service
    models they share, with those credentials). Held in memory only, never in the snapshot."""

    session: Any
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass
class _Account:
    id: str
    session: _Reach
    caller: str
    name: str | None = None
    org_id: str | None = None
    management_account: str | None = None


class _Importer:
    def __init__(self, regions: tuple[str, ...], endpoint_url: str | None, progress: Progress | None) -> None:
        self.regions = regions
        self.endpoint_url = endpoint_url
        self.progress = progress
        self.operations: list[str] = []
        self.gaps: list[Gap] = []
        self.done = 0
        self.total = 0
        self.clients: dict[tuple[int, str, str], Any] = {}
        self.reaches: list[_Reach] = []  # keeps every reach alive while its id() keys the clients
        self.users: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.secrets: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        # (account, region) -> alias name -> target key id
        self.aliases: dict[tuple[str, str], dict[str, str]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.organization: dict[str, Any] | None = None

    # -- calls

    def client(self, reach: _Reach, service: str, region: str) -> Any:
        key = (id(reach), service, region)
        found = self.clients.get(key)
        if found is None:
            found = reach.session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint_url,
                config=RETRIES,
                **reach.credentials,
            )
            guard(found, self.operations)
            self.clients[key] = found
        return found

    def call(self, client: Any, method: str, gap: tuple[str, str], **params: Any) -> dict[str, Any] | None:
        """One call; a ``ClientError`` becomes the gap ``(resource, what)`` and ``None``."""
        try:
            response: dict[str, Any] = getattr(client, method)(**params)
        except ClientError as exc:
            self.gap(gap[0], gap[1], client, method, exc)
            return None
        return response

    def pages(
        self, client: Any, method: str, gap: tuple[str, str], **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call; a ``ClientError`` ends it with a gap."""
        try:
            yield from client.get_paginator(method).paginate(**params)
        except ClientError as exc:
            self.gap(gap[0], gap[1], client, method, exc)

    def gap(self, resource: str, what: str, client: Any, method: str, exc: Any) -> None:
        operation = client.meta.method_to_api_mapping.get(method, method)
        error = exc.response.get("Error", {}).get("Code") or type(exc).__name__
        self.gaps.append(
            {
                "resource": resource,
                "what": what,
                "operation": f"{client.meta.service_model.signing_name}:{operation}",
                "error": str(error),
            }
        )

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    # -- the whole import

    def run(
        self,
        sessions: Sequence[Any] | None,
        profiles: Sequence[str] | None,
        session: Any,
        role_arns: tuple[str, ...],
    ) -> Snapshot:
        plan = self.plan(sessions, profiles, session, role_arns)
        per_account = 1 + len(self.regions)
        self.total = len(plan) * per_account + 1
        accounts: list[_Account] = []
        for label, get_session in plan:
            account = self.identity(label, get_session)
            if account is None or any(a.id == account.id for a in accounts):
                self.done += per_account - 1
                self.step()
                continue
            accounts.append(account)
            self.iam(account)
            self.step()
            for region in self.regions:
                self.kms(account, region)
                self.secretsmanager(account, region)
                self.step()
        self.organizations(accounts)
        self.foreign_keys(accounts)
        self.step()
        return Snapshot(self.world(accounts), tuple(self.operations))

    def plan(
        self,
        sessions: Sequence[Any] | None,
        profiles: Sequence[str] | None,
        session: Any,
        role_arns: tuple[str, ...],
    ) -> list[tuple[str, Callable[[], _Reach | None]]]:
        """(label, how to reach the account) for each account to import."""
        plan: list[tuple[str, Callable[[], _Reach | None]]] = []
        for i, given in enumerate(sessions or ()):
            plan.append((f"session {i + 1}", functools.partial(self.reach, given)))
        for name in profiles or ():
            plan.append((f"profile {name}", functools.partial(self.profile, name)))
        if role_arns:
            base = self.reach(session if session is not None else boto3.Session())
            for arn in role_arns:
                plan.append((arn, functools.partial(self.assume, base, arn)))
        elif session is not None:
            plan.append(("session", functools.partial(self.reach, session)))
        if not plan:
            plan.append(("default credentials", functools.partial(self.profile, None)))
        return plan

    def reach(self, session: Any, credentials: Mapping[str, str] | None = None) -> _Reach:
        found = _Reach(session, dict(credentials or {}))
        self.reaches.append(found)
        return found

    def profile(self, name: str | None) -> _Reach:
        return self.reach(boto3.Session(profile_name=name))

    def assume(self, base: _Reach, role_arn: str) -> _Reach | None:
        sts = self.client(base, "sts", self.regions[0])
        response = self.call(
            sts,
            "assume_role",
            (role_arn, f"the account of role {role_arn} (cannot assume it)"),
            RoleArn=role_arn,
            RoleSessionName=SESSION_NAME,
        )
        if response is None:
            return None
        credentials = response["Credentials"]
        return self.reach(
            base.session,
            {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            },
        )

    def identity(self, label: str, get_session: Callable[[], _Reach | None]) -> _Account | None:
        session = get_session()
        if session is None:
            return None
        sts = self.client(session, "sts", self.regions[0])
        # no policy can deny GetCallerIdentity: an error here means credentials AWS refuses
        # (expired, invalid), which is the caller's to fix, not a gap — it propagates
        caller = sts.get_caller_identity()
        account = _Account(str(caller["Account"]), session, str(caller["Arn"]))
        org = self.client(session, "organizations", self.regions[0])
        try:
            described = org.describe_organization()["Organization"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code != "AWSOrganizationsNotInUseException":
                self.gap(account.id, "the organization of the account", org, "describe_organization", exc)
        else:
            account.org_id = described.get("Id")
            account.management_account = described.get("MasterAccountId")
        iam = self.client(session, "iam", self.regions[0])
        try:  # the name is cosmetic: no gap when it cannot be read
            aliases = iam.list_account_aliases().get("AccountAliases", [])
        except ClientError:
            aliases = []
        account.name = str(aliases[0]) if aliases else None
        return account

    # -- IAM

    def iam(self, account: _Account) -> None:
        iam = self.client(account.session, "iam", self.regions[0])
        users: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        managed: dict[str, Any] = {}
        read = False
        for page in self.pages(
            iam,
            "get_account_authorization_details",
            (account.id, "the users, groups, roles and policies of the account"),
            Filter=["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"],
        ):
            read = True
            users.extend(page.get("UserDetailList", ()))
            groups.extend(page.get("GroupDetailList", ()))
            roles.extend(page.get("RoleDetailList", ()))
            for policy in page.get("Policies", ()):
                default = next(
                    (v for v in policy.get("PolicyVersionList", ()) if v.get("IsDefaultVersion")), None
                )
                if default is not None:
                    managed[policy["Arn"]] = _document(default.get("Document"))
        if not read:
            return
        group_arns = {g["GroupName"]: g["Arn"] for g in groups}

        def policies(detail: Mapping[str, Any], inline_key: str, owner: str) -> list[Any]:
            docs = [_document(p.get("PolicyDocument")) for p in detail.get(inline_key, ())]
            for attached in detail.get("AttachedManagedPolicies", ()):
                doc = self.managed_policy(iam, attached["PolicyArn"], managed, owner)
                if doc is not None:
                    docs.append(doc)
            return docs

        def boundary(detail: Mapping[str, Any], owner: str) -> Any:
            arn = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            return None if not arn else self.managed_policy(iam, arn, managed, owner)

        for group in groups:
            self.groups.append(
                {"arn": group["Arn"], "policies": policies(group, "GroupPolicyList", group["Arn"])}
            )
        for user in users:
            self.users.append(
                {
                    "arn": user["Arn"],
                    "user_id": user.get("UserId"),
                    "tags": _tags(user.get("Tags")),
                    "groups": [
                        group_arns.get(name, f"arn:aws:iam::{account.id}:group/{name}")
                        for name in user.get("GroupList", ())
                    ],
                    "policies": policies(user, "UserPolicyList", user["Arn"]),
                    "permissions_boundary": boundary(user, user["Arn"]),
                }
            )
        for role in roles:
            self.roles.append(
                {
                    "arn": role["Arn"],
                    "role_id": role.get("RoleId"),
                    "tags": _tags(role.get("Tags")),
                    "trust_policy": _document(role.get("AssumeRolePolicyDocument")),
                    "policies": policies(role, "RolePolicyList", role["Arn"]),
                    "permissions_boundary": boundary(role, role["Arn"]),
                    "service_linked": str(role.get("Path", "")).startswith("/aws-service-role/"),
                }
            )

    def managed_policy(self, iam: Any, arn: str, managed: dict[str, Any], owner: str) -> Any:
        """The default version of a managed policy: from the authorization details, else read
        with GetPolicy + GetPolicyVersion (AWS managed policies the details left out)."""
        if arn in managed:
            return managed[arn]
        what = (arn, f"managed policy {arn} (attached to {owner})")
        described = self.call(iam, "get_policy", what, PolicyArn=arn)
        document = None
        if described is not None:
            version = self.call(
                iam,
                "get_policy_version",
                what,
                PolicyArn=arn,
                VersionId=described["Policy"]["DefaultVersionId"],
            )
            if version is not None:
                document = _document(version["PolicyVersion"].get("Document"))
        managed[arn] = document
        return document

    # -- KMS

    def kms(self, account: _Account, region: str) -> None:
        kms = self.client(account.session, "kms", region)
        aliases: dict[str, list[str]] = {}
        names = self.aliases.setdefault((account.id, region), {})
        for page in self.pages(
            kms, "list_aliases", (account.id, f"KMS aliases of account {account.id} in {region}")
        ):
            for alias in page.get("Aliases", ()):
                target = alias.get("TargetKeyId")
                if target:
                    aliases.setdefault(target, []).append(alias["AliasName"])
                    names[alias["AliasName"]] = target
        key_ids: list[str] = []
        for page in self.pages(
            kms, "list_keys", (account.id, f"KMS keys of account {account.id} in {region}")
        ):
            key_ids.extend(k["KeyId"] for k in page.get("Keys", ()))
        for key_id in key_ids:
            arn = f"arn:aws:kms:{region}:{account.id}:key/{key_id}"
            self.key(kms, arn, account.id, region, aliases.get(key_id, []), readable=True)

    def key(
        self, kms: Any, arn: str, account: str, region: str, aliases: list[str], *, readable: bool
    ) -> dict[str, Any] | None:
        """Describe one key into ``self.keys``; ``readable`` is False for a key of an account
        not imported (DescribeKey works across accounts, GetKeyPolicy does not). A key ARN that
        cannot be described is still listed (it exists), with the gap."""
        described = self.call(kms, "describe_key", (arn, f"KMS key {arn}"), KeyId=arn)
        if described is None and ":key/" not in arn:
            return None  # an alias that could not be resolved
        meta = {} if described is None else described["KeyMetadata"]
        arn = meta.get("Arn", arn)
        # only AWS may create aliases under alias/aws/ (moto reports every key as CUSTOMER)
        aws_alias = any(a.startswith("alias/aws/") for a in aliases)
        manager = "AWS" if meta.get("KeyManager") == "AWS" or aws_alias else "CUSTOMER"
        entry: dict[str, Any] = {
            "arn": arn,
            "account": account,
            "region": region,
            "manager": manager,
            "aliases": sorted(aliases),
            "tags": {},
            "key_policy": None,
        }
        if readable:
            policy = self.call(
                kms, "get_key_policy", (arn, f"key policy of {arn}"), KeyId=arn, PolicyName="default"
            )
            if policy is not None:
                entry["key_policy"] = _document(policy.get("Policy"))
            if manager == "CUSTOMER":  # AWS managed keys carry no tags and only service grants
                for page in self.pages(kms, "list_resource_tags", (arn, f"tags of {arn}"), KeyId=arn):
                    entry["tags"].update(_tags(page.get("Tags"), key="TagKey", value="TagValue"))
                grants = [
                    _grant(g)
                    for page in self.pages(kms, "list_grants", (arn, f"grants of {arn}"), KeyId=arn)
                    for g in page.get("Grants", ())
                ]
                if grants:
                    entry["grants"] = grants
        else:
            self.gaps.append(
                {
                    "resource": arn,
                    "what": f"key policy of {arn} (account {account} was not imported; "
                    "GetKeyPolicy does not work across accounts)",
                    "operation": "kms:GetKeyPolicy",
                    "error": "NotImported",
                }
            )
        self.keys[arn] = entry
        return entry

    # -- Secrets Manager

    def secretsmanager(self, account: _Account, region: str) -> None:
        sm = self.client(account.session, "secretsmanager", region)
        listed: list[dict[str, Any]] = []
        for page in self.pages(
            sm,
            "list_secrets",
            (account.id, f"secrets of account {account.id} in {region}"),
            IncludePlannedDeletion=False,
        ):
            listed.extend(page.get("SecretList", ()))
        for item in listed:
            arn = item["ARN"]
            described = self.call(sm, "describe_secret", (arn, f"secret {arn}"), SecretId=arn) or item
            policy = self.call(sm, "get_resource_policy", (arn, f"resource policy of {arn}"), SecretId=arn)
            stages = described.get("VersionIdsToStages") or described.get("SecretVersionsToStages") or {}
            entry: dict[str, Any] = {
                "arn": arn,
                "name": described.get("Name", item.get("Name")),
                "account": account.id,
                "region": region,
                "kms_key": described.get("KmsKeyId"),  # resolved to a key ARN once all keys are known
                "tags": _tags(described.get("Tags")),
                "versions": {stage: version for version, names in stages.items() for stage in names},
                "resource_policy": None,
            }
            if policy is not None and policy.get("ResourcePolicy"):
                entry["resource_policy"] = _document(policy["ResourcePolicy"])
            self.secrets.append(entry)

    def foreign_keys(self, accounts: list[_Account]) -> None:
        """Resolve each secret's key reference (id, ARN, alias) to a key ARN; describe keys of
        accounts that were not imported from the secret's account."""
        sessions = {a.id: a.session for a in accounts}
        for secret in self.secrets:
            ref = secret["kms_key"]
            if not ref:
                secret["kms_key"] = self.default_key(secret["account"], secret["region"])
                continue
            arn = self.key_arn(str(ref), secret["account"], secret["region"])
            if arn is None or arn not in self.keys:
                target = arn or str(ref)
                owner = target.split(":")[4] if target.startswith("arn:") else secret["account"]
                reader = sessions.get(owner, sessions[secret["account"]])
                kms = self.client(reader, "kms", secret["region"])
                found = self.key(
                    kms,
                    target,
                    owner,
                    secret["region"],
                    [],
                    readable=owner in sessions,
                )
                if found is None:  # an alias nobody could resolve: the secret's key is unknown
                    self.gaps[-1] = {
                        **self.gaps[-1],
                        "resource": secret["arn"],
                        "what": f"KMS key {ref} of secret {secret['arn']}",
                    }
                arn = None if found is None else found["arn"]
            secret["kms_key"] = arn

    def key_arn(self, ref: str, account: str, region: str) -> str | None:
        if ref.startswith("arn:"):
            parts = ref.split(":", 5)
            if parts[5].startswith("alias/"):
                target = self.aliases.get((parts[4], parts[3]), {}).get(parts[5])
                return None if target is None else f"arn:aws:kms:{parts[3]}:{parts[4]}:key/{target}"
            return ref
        if ref.startswith("alias/"):
            target = self.aliases.get((account, region), {}).get(ref)
            return None if target is None else f"arn:aws:kms:{region}:{account}:key/{target}"
        return f"arn:aws:kms:{region}:{account}:key/{ref}"

    def default_key(self, account: str, region: str) -> str | None:
        """``aws/secretsmanager`` of the account and Region when it was imported; otherwise
        ``None``, which the world reads as that AWS managed key with the policy AWS writes."""
        arn = self.key_arn("alias/aws/secretsmanager", account, region)
        return arn if arn in self.keys else None

    # -- Organizations

    def organizations(self, accounts: list[_Account]) -> None:
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

    def organization_of(self, account: _Account, org_id: str) -> dict[str, Any] | None:
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
            document = _document(described["Policy"].get("Content"))
            for target in targets:
                if target in used:
                    name = policy.get("Name") or policy["Id"]
                    out.append({"name": name, "attached_to": target, "document": document})
        return out, detached

    # -- the world

    def world(self, accounts: list[_Account]) -> dict[str, Any]:
        for account in accounts:  # organizations() already added them; keep the import order
            self.accounts.setdefault(
                account.id, {"id": account.id, "name": account.name, "org_id": account.org_id, "org_path": []}
            )
        callers = ", ".join(f"{a.id} as {a.caller}" for a in accounts) or "no account"
        data: dict[str, Any] = {
            "description": f"Read-only import by secretslab of {callers}; Regions {', '.join(self.regions)}.",
            "accounts": list(self.accounts.values()),
        }
        if self.organization is not None:
            data["organization"] = self.organization
        data["principals"] = {"users": self.users, "groups": self.groups, "roles": self.roles, "sessions": []}
        data["secrets"] = self.secrets
        data["kms_keys"] = list(self.keys.values())
        data["gaps"] = self.gaps
        return data


# -- shapes


def _document(value: Any) -> Any:
    """A policy document as a JSON object (IAM returns them URL-encoded; boto3 usually decodes)."""
    if isinstance(value, str):
        text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
        return json.loads(text)
    return value


def _tags(items: Any, *, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {str(t[key]): str(t.get(value, "")) for t in items or ()}


def _grant(grant: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of a grant (no dates)."""
    return {k: grant[k] for k in _GRANT_FIELDS if k in grant}


_GRANT_FIELDS = (
    "GrantId",
    "Name",
    "GranteePrincipal",
    "RetiringPrincipal",
    "IssuingAccount",
    "Operations",
    "Constraints",
)
