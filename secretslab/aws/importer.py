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

This module runs the import (which accounts, in which order) and builds the world; the readers
are ``import_iam``, ``import_secrets`` (KMS and Secrets Manager) and ``import_organizations``, on
``import_calls`` (the state) and ``import_boto`` (the calls); ``imported`` holds the ``Snapshot``
and its gaps. The same readers map an import from AWS CLI dumps (``import_dumps``).

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..extras import require
from .endpoints import endpoint_of, is_loopback
from .import_boto import RETRIES, BotoCalls
from .import_calls import Account, Reach
from .import_iam import IamReader
from .import_organizations import OrganizationsReader
from .import_secrets import SecretsReader
from .imported import Gap, Progress, Snapshot, load_snapshot

boto3 = require("boto3", extra="aws")
ClientError = require("botocore.exceptions", extra="aws", package="boto3").ClientError

__all__ = ["RETRIES", "SESSION_NAME", "Gap", "Progress", "Snapshot", "load_snapshot", "snapshot"]

SESSION_NAME = "secretslab-import"
DUMMY_KEY = "testing"  # the stand-in's dummy access key id and secret (server.DUMMY_ACCESS_KEY)


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
    stand-in): ``https://``, or ``http://`` only on loopback (``endpoints.endpoint_of`` raises
    ``EndpointRefused`` otherwise, before any credentials are looked up); on loopback, the
    accounts reached without a session or profile use dummy credentials, never the user's.
    ``progress(done, total)`` is called after each account/Region step and once after
    the organization: ``total`` is (accounts × (1 + Regions)) + 1."""
    importer = _Importer(tuple(regions) or ("us-east-1",), endpoint_of(endpoint_url), progress)
    try:
        return importer.run(sessions, profiles, session, tuple(role_arns))
    finally:
        importer.unguard()


class _Importer(BotoCalls, IamReader, SecretsReader, OrganizationsReader):
    """One import: which accounts to reach and how, the readers in order, and the world."""

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
        accounts: list[Account] = []
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
    ) -> list[tuple[str, Callable[[], Reach | None]]]:
        """(label, how to reach the account) for each account to import."""
        plan: list[tuple[str, Callable[[], Reach | None]]] = []
        for i, given in enumerate(sessions or ()):
            plan.append((f"session {i + 1}", functools.partial(self.reach, given)))
        for name in profiles or ():
            plan.append((f"profile {name}", functools.partial(self.profile, name)))
        if role_arns:
            base = self.reach(session if session is not None else self.default_session())
            for arn in role_arns:
                plan.append((arn, functools.partial(self.assume, base, arn)))
        elif session is not None:
            plan.append(("session", functools.partial(self.reach, session)))
        if not plan:
            plan.append(("default credentials", functools.partial(self.profile, None)))
        return plan

    def reach(self, session: Any, credentials: Mapping[str, str] | None = None) -> Reach:
        found = Reach(session, dict(credentials or {}))
        self.guard(session)  # before any client: the credential provider's own calls are recorded too
        self.reaches.append(found)
        return found

    def profile(self, name: str | None) -> Reach:
        return self.reach(boto3.Session(profile_name=name) if name else self.default_session())

    def default_session(self) -> Any:
        """boto3's default credential chain; on a loopback endpoint (the stand-in), dummy
        credentials instead, so the user's own never leave for another local process."""
        if is_loopback(self.endpoint_url):
            return boto3.Session(aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY)
        return boto3.Session()

    def assume(self, base: Reach, role_arn: str) -> Reach | None:
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

    def identity(self, label: str, get_session: Callable[[], Reach | None]) -> Account | None:
        session = get_session()
        if session is None:
            return None
        sts = self.client(session, "sts", self.regions[0])
        # no policy can deny GetCallerIdentity: an error here means credentials AWS refuses
        # (expired, invalid), which is the caller's to fix, not a gap — it propagates
        caller = sts.get_caller_identity()
        account = Account(str(caller["Account"]), session, str(caller["Arn"]))
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

    # -- the world

    def world(self, accounts: list[Account], description: str = "") -> dict[str, Any]:
        callers = ", ".join(f"{a.id} as {a.caller}" for a in accounts) or "no account"
        regions = ", ".join(self.regions)
        return super().world(
            accounts, description or f"Read-only import by secretslab of {callers}; Regions {regions}."
        )
