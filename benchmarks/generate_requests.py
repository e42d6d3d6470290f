"""Generate a realistic, deterministic batch of requests for ``python -m secretslab simulate``.

The batch simulates one organisation: three member accounts (prod, staging, dev), about 200
principals (IAM users, role sessions, the account roots) and about 300 secrets and KMS keys.
Every principal carries the identity policies it would really have -- an account guardrail
policy, a team policy and a job-function policy (managed, so shared with its peers) plus its
own inline policy, about 30 statements in all -- and carries the same documents each time it
appears. Resources carry their resource policies (secret policies, key policies, role trust
policies, bucket policies); some requests also carry SCPs, RCPs, a permissions boundary or a
session policy.

``--unique-policies`` makes every document of every request distinct (a unique Sid and a
never-matching extra resource on each statement) without changing any decision, for a
worst-case figure with no repetition for the evaluator to exploit.

Run from the repository root::

    python benchmarks/generate_requests.py [--count 10000] [--seed 1] [--unique-policies]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Json = dict[str, Any]
Strings = str | list[str]
Context = dict[str, Strings]
StatementBuilder = Callable[["Owner", random.Random], Json]

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "requests.jsonl"
DEFAULT_UNIQUE_OUT = HERE / "requests-unique.jsonl"

VERSION = "2012-10-17"
ORG_ID = "o-a1b2c3d4e5"
ACCOUNTS = ("111111111111", "222222222222", "333333333333")
ACCOUNT_ENV = {"111111111111": "prod", "222222222222": "staging", "333333333333": "dev"}
NEVER_ACCOUNT = "999999999999"  # appears in no principal or resource: used for --unique-policies
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
REGION_WEIGHTS = (14, 5, 1)  # us-west-2 is outside the allowed regions: a few guardrail denies
ALLOWED_REGIONS = ["us-east-1", "eu-west-1"]
TEAMS = ("payments", "identity", "data", "platform", "web", "search")
SERVICES = ("db", "api-key", "oauth-client", "smtp", "webhook", "signing-key", "redis", "ldap")
FIRST_NAMES = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
    "yuki",
    "zoe",
    "amir",
    "bea",
    "chen",
)
CORP_CIDRS = ["203.0.113.0/24", "198.51.100.0/24"]
VPCES = ("vpce-0a1b2c3d4e5f60718", "vpce-0f1e2d3c4b5a69788", "vpce-0123abcd4567ef890")
VPCE_WEIGHTS = (5, 4, 1)  # the third endpoint is not a trusted one
TRUSTED_VPCES = list(VPCES[:2])
START_TIME = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
TIME_SPAN_S = 120 * 24 * 3600

ROLE_KINDS = ("app", "deploy", "developer")  # one of each per team and account
SHARED_ROLES = ("admin", "readonly", "ci-runner", "break-glass")
SESSIONS_PER_ACCOUNT = 44
USERS_PER_ACCOUNT = 22
SECRETS_PER_ACCOUNT = 75
KEYS_PER_ACCOUNT = 25

SCP_SHARE = 0.40  # requests evaluated inside the organisation (SCPs present)
RCP_SHARE_IN_ORG = 0.70  # of those, the ones whose resource account also has RCPs
SECRET_POLICY_SHARE = 0.85  # secrets with a resource policy (keys and roles always have one)
BOUNDARY_SHARE = 0.30  # principals with a permissions boundary
SESSION_POLICY_SHARE = 0.25  # role sessions created with a session policy


# -- small helpers ------------------------------------------------------------------------------


def statement(
    sid: str,
    effect: str,
    action: Strings,
    resource: Strings,
    condition: Json | None = None,
    *,
    principal: Any = None,
    not_action: bool = False,
    not_resource: bool = False,
) -> Json:
    """One IAM statement; Principal only for resource-based policies and RCPs."""
    stmt: Json = {"Sid": sid, "Effect": effect}
    if principal is not None:
        stmt["Principal"] = principal
    stmt["NotAction" if not_action else "Action"] = action
    stmt["NotResource" if not_resource else "Resource"] = resource
    if condition:
        stmt["Condition"] = condition
    return stmt


def policy(statements: Sequence[Json]) -> Json:
    """A policy document; repeated Sids get a numeric suffix so Sids stay unique."""
    seen: dict[str, int] = {}
    unique = []
    for stmt in statements:
        n = seen.get(stmt["Sid"], 0)
        seen[stmt["Sid"]] = n + 1
        unique.append({**stmt, "Sid": f"{stmt['Sid']}{n}"} if n else stmt)
    return {"Version": VERSION, "Statement": unique}


def one_or_many(rng: random.Random, values: list[str]) -> Strings:
    """Policies write single values both bare and as one-element lists."""
    return values[0] if len(values) == 1 and rng.random() < 0.6 else values


def secret_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}"


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def root_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def other_accounts(account: str) -> list[str]:
    return [a for a in ACCOUNTS if a != account]


def random_suffix(rng: random.Random, n: int = 6) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


# -- the organisation's entities ----------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Whom an identity policy is written for."""

    account: str
    team: str
    env: str
    is_user: bool


@dataclass
class Principal:
    arn: str
    account: str
    kind: str  # "user", "session" or "root"
    name: str  # user name, role name or "root"
    team: str
    tags: dict[str, str]
    identity_policies: list[Json]
    boundary: Json | None = None
    session_policy: Json | None = None
    mfa: str | None = None  # aws:MultiFactorAuthPresent, None when the key is absent
    weight: float = 1.0

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: the role ARN for a role session."""
        if self.kind == "session":
            return role_arn(self.account, self.name)
        return self.arn


@dataclass
class Resource:
    arn: str
    account: str
    region: str
    kind: str  # "secret", "key", "role" or "object"
    team: str
    tags: dict[str, str]
    policy: Json | None


@dataclass
class Pool:
    principals: list[Principal]
    cum_weights: list[float]
    by_kind: dict[str, list[Resource]]
    index: dict[tuple[str, str, str], list[Resource]]  # (kind, account, team)
    scps: dict[str, list[list[Json]]]
    rcps: dict[str, list[list[Json]]]


# -- identity statements ------------------------------------------------------------------------


def pick_region(rng: random.Random) -> str:
    return rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]


def _region(rng: random.Random) -> str:
    return rng.choice([*REGIONS, "*", "*"])


def team_path(o: Owner, rng: random.Random) -> str:
    return secret_arn(_region(rng), o.account, f"{o.env}/{o.team}/*")


def allow_team_read(o: Owner, rng: random.Random) -> Json:
    choices: list[Strings] = [
        "secretsmanager:GetSecretValue",
        ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "secretsmanager:Get*",
        ["secretsmanager:Get*", "secretsmanager:Describe*", "secretsmanager:List*"],
    ]
    action = rng.choice(choices)
    return statement("AllowTeamSecretsRead", "Allow", action, team_path(o, rng))


def allow_abac(o: Owner, rng: random.Random) -> Json:
    cond = {
        "StringEquals": {
            "aws:ResourceTag/team": "${aws:PrincipalTag/team}",
            "aws:ResourceTag/env": "${aws:PrincipalTag/env}",
        }
    }
    action = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
    ]
    return statement("AllowTaggedSecrets", "Allow", action, "*", cond)


def allow_app_secrets(o: Owner, rng: random.Random) -> Json:
    action = rng.choice(["secretsmanager:Describe*", "secretsmanager:GetSecretValue"])
    return statement("AllowAppSecrets", "Allow", action, "arn:aws:secretsmanager:*:*:secret:app-??????")


def allow_kms_via_sm(o: Owner, rng: random.Random) -> Json:
    cond = {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}
    return statement(
        "AllowKmsViaSecretsManager",
        "Allow",
        ["kms:Decrypt", "kms:GenerateDataKey*"],
        f"arn:aws:kms:*:{o.account}:key/*",
        cond,
    )


def allow_kms_team_keys(o: Owner, rng: random.Random) -> Json:
    cond = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    return statement("AllowTeamKeys", "Allow", rng.choice(["kms:*", "kms:Decrypt"]), "*", cond)


def allow_s3_objects(o: Owner, rng: random.Random) -> Json:
    return statement("AllowArtifacts", "Allow", "s3:*Object*", f"arn:aws:s3:::{o.team}-{o.env}-artifacts/*")


def allow_ec2_describe(o: Owner, rng: random.Random) -> Json:
    return statement("AllowEc2Describe", "Allow", "ec2:Describe*", "*")


def allow_assume_team_roles(o: Owner, rng: random.Random) -> Json:
    cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if rng.random() < 0.5 else None
    return statement(
        "AllowAssumeTeamRoles", "Allow", "sts:AssumeRole", f"arn:aws:iam::*:role/{o.team}-*", cond
    )


def allow_list_secrets(o: Owner, rng: random.Random) -> Json:
    return statement("AllowListSecrets", "Allow", "secretsmanager:ListSecrets", "*")


def allow_write_with_mfa(o: Owner, rng: random.Random) -> Json:
    cond = {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
    }
    action = [
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecret",
        "secretsmanager:RotateSecret",
    ]
    return statement("AllowWriteWithMfa", "Allow", action, team_path(o, rng), cond)


def allow_personal(o: Owner, rng: random.Random) -> Json:
    if not o.is_user:
        return allow_team_read(o, rng)
    return statement(
        "AllowPersonalSecrets",
        "Allow",
        "secretsmanager:*",
        secret_arn("*", "${aws:PrincipalAccount}", "users/${aws:username}/*"),
    )


def allow_from_corp(o: Owner, rng: random.Random) -> Json:
    cond = {"IpAddress": {"aws:SourceIp": one_or_many(rng, CORP_CIDRS[: rng.randint(1, 2)])}}
    return statement(
        "AllowFromCorpNetwork",
        "Allow",
        ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        secret_arn("*", o.account, f"{o.env}/*"),
        cond,
    )


def allow_shared_until(o: Owner, rng: random.Random) -> Json:
    cond = {
        "DateLessThan": {
            "aws:CurrentTime": rng.choice(
                ["2025-08-01T00:00:00Z", "2025-09-01T00:00:00Z", "2026-01-01T00:00:00Z"]
            )
        }
    }
    return statement(
        "AllowSharedUntil",
        "Allow",
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:*:*:secret:shared/*",
        cond,
    )


def allow_create_tagged(o: Owner, rng: random.Random) -> Json:
    cond = {
        "StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]},
    }
    return statement(
        "AllowTagOwnSecrets",
        "Allow",
        ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
        team_path(o, rng),
        cond,
    )


def allow_cross_account_read(o: Owner, rng: random.Random) -> Json:
    other = rng.choice(other_accounts(o.account))
    return statement(
        "AllowCrossAccountRead",
        "Allow",
        ["secretsmanager:GetSecretValue", "kms:Decrypt"],
        [secret_arn("*", other, f"*/{o.team}/*"), f"arn:aws:kms:*:{other}:key/*"],
    )


def allow_via_vpce(o: Owner, rng: random.Random) -> Json:
    cond = {"StringEquals": {"aws:SourceVpce": rng.choice(VPCES)}}
    return statement(
        "AllowViaEndpoint",
        "Allow",
        "secretsmanager:GetSecretValue",
        secret_arn(rng.choice(REGIONS), o.account, "*"),
        cond,
    )


def deny_insecure(o: Owner, rng: random.Random) -> Json:
    return statement("DenyInsecureTransport", "Deny", "*", "*", {"Bool": {"aws:SecureTransport": "false"}})


def deny_off_network(o: Owner, rng: random.Random) -> Json:
    cond = {
        "NotIpAddress": {"aws:SourceIp": CORP_CIDRS},
        "StringNotEqualsIfExists": {"aws:SourceVpce": TRUSTED_VPCES},
    }
    return statement("DenyOffNetwork", "Deny", "secretsmanager:GetSecretValue", "*", cond)


def deny_prod_write_without_mfa(o: Owner, rng: random.Random) -> Json:
    action = [
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
    ]
    return statement(
        "DenyProdWriteWithoutMfa",
        "Deny",
        action,
        "arn:aws:secretsmanager:*:*:secret:prod/*",
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    )


def deny_other_teams(o: Owner, rng: random.Random) -> Json:
    cond = {
        "StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
        "Null": {"aws:ResourceTag/team": "false"},
    }
    return statement(
        "DenyOtherTeamsSecrets",
        "Deny",
        ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
        "*",
        cond,
    )


def deny_destructive(o: Owner, rng: random.Random) -> Json:
    action = ["secretsmanager:DeleteSecret", "kms:ScheduleKeyDeletion", "kms:DisableKey"]
    cond = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin*"}} if rng.random() < 0.5 else None
    return statement("DenyDestructive", "Deny", action, "*", cond)


def deny_regions(o: Owner, rng: random.Random) -> Json:
    cond = {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}}
    return statement(
        "DenyOtherRegions",
        "Deny",
        ["iam:*", "sts:*", "organizations:*"],
        "*",
        cond,
        not_action=True,
    )


def deny_foreign_secrets(o: Owner, rng: random.Random) -> Json:
    allowed = sorted({o.account, ACCOUNTS[2]})
    return statement(
        "DenyForeignSecrets",
        "Deny",
        "secretsmanager:*",
        [secret_arn("*", a, "*") for a in allowed],
        not_resource=True,
    )


def deny_previous_versions(o: Owner, rng: random.Random) -> Json:
    cond = {"StringNotEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}
    return statement(
        "DenyNonCurrentVersions",
        "Deny",
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:*:*:secret:prod/*",
        cond,
    )


def deny_retag(o: Owner, rng: random.Random) -> Json:
    cond = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env", "owner"]}}
    return statement(
        "DenyRetagging",
        "Deny",
        ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
        "*",
        cond,
    )


def deny_direct_kms(o: Owner, rng: random.Random) -> Json:
    return statement("DenyDirectDecrypt", "Deny", "kms:Decrypt", "*", {"Null": {"kms:ViaService": "true"}})


def deny_untagged_principals(o: Owner, rng: random.Random) -> Json:
    return statement(
        "DenyUntaggedPrincipals",
        "Deny",
        "secretsmanager:*",
        "*",
        {"Null": {"aws:PrincipalTag/team": "true"}},
    )


def deny_after(o: Owner, rng: random.Random) -> Json:
    return statement(
        "DenyAfterContractEnd",
        "Deny",
        "*",
        "*",
        {"DateGreaterThan": {"aws:CurrentTime": "2025-08-15T00:00:00Z"}},
    )


# Inline policies draw from this catalogue; weights favour the common shapes.
INLINE_CATALOGUE: list[tuple[StatementBuilder, int]] = [
    (allow_team_read, 6),
    (allow_abac, 2),
    (allow_app_secrets, 3),
    (allow_kms_via_sm, 4),
    (allow_kms_team_keys, 2),
    (allow_s3_objects, 3),
    (allow_ec2_describe, 2),
    (allow_assume_team_roles, 2),
    (allow_list_secrets, 2),
    (allow_write_with_mfa, 2),
    (allow_personal, 2),
    (allow_from_corp, 3),
    (allow_shared_until, 2),
    (allow_create_tagged, 1),
    (allow_cross_account_read, 3),
    (allow_via_vpce, 2),
    (deny_off_network, 1),
    (deny_prod_write_without_mfa, 2),
    (deny_other_teams, 1),
    (deny_destructive, 2),
    (deny_foreign_secrets, 1),
    (deny_previous_versions, 1),
    (deny_retag, 1),
    (deny_direct_kms, 1),
]

JOB_FUNCTIONS: dict[str, list[StatementBuilder]] = {
    "app": [
        allow_team_read,
        allow_kms_via_sm,
        allow_via_vpce,
        deny_prod_write_without_mfa,
        deny_direct_kms,
    ],
    "deploy": [
        allow_write_with_mfa,
        allow_create_tagged,
        allow_assume_team_roles,
        allow_s3_objects,
        allow_ec2_describe,
        deny_previous_versions,
    ],
    "developer": [
        allow_team_read,
        allow_kms_team_keys,
        allow_ec2_describe,
        allow_app_secrets,
        allow_shared_until,
        deny_prod_write_without_mfa,
    ],
    "ci-runner": [
        allow_s3_objects,
        allow_assume_team_roles,
        allow_write_with_mfa,
        allow_team_read,
        deny_destructive,
    ],
    "user": [
        allow_team_read,
        allow_personal,
        allow_from_corp,
        allow_list_secrets,
        deny_prod_write_without_mfa,
        deny_destructive,
    ],
}


def readonly_policy() -> Json:
    reads = [
        "secretsmanager:Describe*",
        "secretsmanager:List*",
        "secretsmanager:GetResourcePolicy",
        "kms:Describe*",
        "kms:List*",
        "ec2:Describe*",
        "s3:Get*",
    ]
    return policy(
        [
            statement("ReadOnly", "Allow", reads, "*"),
            statement("NoSecretValues", "Deny", "secretsmanager:GetSecretValue", "*"),
        ]
    )


def admin_policy() -> Json:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return policy(
        [
            statement("AdminWithMfa", "Allow", "*", "*", mfa),
            statement("SecretsAndKeysAdmin", "Allow", ["secretsmanager:*", "kms:*"], "*"),
            statement("AssumeAnyRole", "Allow", "sts:AssumeRole", "arn:aws:iam::*:role/*"),
            statement(
                "DenyDeleteWithoutMfa",
                "Deny",
                ["secretsmanager:DeleteSecret", "kms:ScheduleKeyDeletion"],
                "*",
                {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            ),
        ]
    )


def build_statements(builders: Sequence[StatementBuilder], owner: Owner, rng: random.Random) -> list[Json]:
    return [build(owner, rng) for build in builders]


def inline_policy(owner: Owner, rng: random.Random, contractor: bool = False) -> Json:
    builders, weights = zip(*INLINE_CATALOGUE, strict=True)
    chosen = rng.choices(builders, weights=weights, k=rng.randint(6, 12))
    if contractor:
        chosen.append(deny_after)
    return policy(build_statements(chosen, owner, rng))


def guardrail_policy(account: str, rng: random.Random) -> Json:
    owner = Owner(account, "", ACCOUNT_ENV[account], False)
    builders = [deny_insecure, deny_destructive, deny_regions, deny_untagged_principals]
    if ACCOUNT_ENV[account] == "prod":
        builders += [deny_off_network, deny_previous_versions]
    return policy(build_statements(builders, owner, rng))


def team_policy(owner: Owner, rng: random.Random) -> Json:
    builders = [
        allow_team_read,
        allow_abac,
        allow_kms_via_sm,
        allow_s3_objects,
        allow_list_secrets,
        allow_app_secrets,
        allow_assume_team_roles,
        allow_from_corp,
        allow_write_with_mfa,
        deny_retag,
    ]
    if rng.random() < 0.5:
        builders.append(deny_other_teams)
    return policy(build_statements(builders, owner, rng))


def job_policy(job: str, owner: Owner, rng: random.Random) -> Json:
    if job == "readonly":
        return readonly_policy()
    if job in ("admin", "break-glass"):
        return admin_policy()
    return policy(build_statements(JOB_FUNCTIONS[job], owner, rng))


# -- boundaries and session policies -------------------------------------------------------------


def boundary_policy(team: str) -> Json:
    allowed = [
        "secretsmanager:*",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
        "s3:*Object*",
        "ec2:Describe*",
        "sts:AssumeRole",
    ]
    return policy(
        [
            statement("BoundaryAllow", "Allow", allowed, "*"),
            statement(
                "BoundaryRegions",
                "Deny",
                "*",
                "*",
                {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}},
            ),
            statement(
                "BoundaryNoPolicyChanges",
                "Deny",
                [
                    "secretsmanager:PutResourcePolicy",
                    "secretsmanager:DeleteSecret",
                    "kms:ScheduleKeyDeletion",
                ],
                "*",
            ),
            statement(
                "BoundaryOwnTeam",
                "Deny",
                "secretsmanager:GetSecretValue",
                "*",
                {
                    "StringNotEquals": {"aws:ResourceTag/team": [team, "shared"]},
                    "Null": {"aws:ResourceTag/team": "false"},
                },
            ),
        ]
    )


def session_policy(account: str, team: str, rng: random.Random) -> Json:
    statements = [
        statement(
            "SessionSecrets",
            "Allow",
            ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            secret_arn("*", account, f"{ACCOUNT_ENV[account]}/{team}/*"),
        ),
        statement(
            "SessionKeys",
            "Allow",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            "*",
            {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
        ),
    ]
    if rng.random() < 0.5:
        statements.append(statement("SessionList", "Allow", "secretsmanager:ListSecrets", "*"))
    return policy(statements)


# -- principals ----------------------------------------------------------------------------------


@dataclass
class IdentityLibrary:
    """Managed policies, shared between the principals they are attached to."""

    rng: random.Random
    guardrails: dict[str, Json] = field(default_factory=dict)
    teams: dict[tuple[str, str], Json] = field(default_factory=dict)
    jobs: dict[tuple[str, str, str], Json] = field(default_factory=dict)
    boundaries: dict[str, Json] = field(default_factory=dict)

    def managed(self, owner: Owner, job: str) -> list[Json]:
        acct, team = owner.account, owner.team
        if acct not in self.guardrails:
            self.guardrails[acct] = guardrail_policy(acct, self.rng)
        if (acct, team) not in self.teams:
            self.teams[acct, team] = team_policy(owner, self.rng)
        if (acct, team, job) not in self.jobs:
            self.jobs[acct, team, job] = job_policy(job, owner, self.rng)
        return [self.guardrails[acct], self.teams[acct, team], self.jobs[acct, team, job]]

    def boundary(self, team: str) -> Json:
        if team not in self.boundaries:
            self.boundaries[team] = boundary_policy(team)
        return self.boundaries[team]


def principal_tags(team: str, env: str, rng: random.Random) -> dict[str, str]:
    tags = {"team": team, "env": env}
    if rng.random() < 0.5:
        tags["cost-center"] = f"cc-{rng.randint(100, 999)}"
    return tags


@dataclass(frozen=True)
class Role:
    account: str
    name: str
    team: str
    job: str
    policies: list[Json]
    boundary: Json | None


def build_roles(lib: IdentityLibrary, rng: random.Random) -> list[Role]:
    roles = []
    for account in ACCOUNTS:
        env = ACCOUNT_ENV[account]
        named = [(f"{team}-{kind}", team, kind) for team in TEAMS for kind in ROLE_KINDS]
        named += [(name, "platform", name) for name in SHARED_ROLES]
        for name, team, job in named:
            owner = Owner(account, team, env, is_user=False)
            policies = [*lib.managed(owner, job), inline_policy(owner, rng)]
            boundary = lib.boundary(team) if rng.random() < BOUNDARY_SHARE else None
            roles.append(Role(account, name, team, job, policies, boundary))
    return roles


def role_session(role: Role, n: int, rng: random.Random) -> Principal:
    human = role.job in ("developer", "admin", "readonly", "break-glass")
    session = f"{rng.choice(FIRST_NAMES)}.{n}" if human else f"i-{rng.getrandbits(68):017x}"
    with_policy = rng.random() < SESSION_POLICY_SHARE
    weight = {"app": 6.0, "ci-runner": 3.0, "deploy": 2.0}.get(role.job, 1.0)
    return Principal(
        arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session}",
        account=role.account,
        kind="session",
        name=role.name,
        team=role.team,
        tags=principal_tags(role.team, ACCOUNT_ENV[role.account], rng),
        identity_policies=role.policies,
        boundary=role.boundary,
        session_policy=session_policy(role.account, role.team, rng) if with_policy else None,
        mfa="true" if human else None,
        weight=weight * rng.uniform(0.5, 1.5),
    )


def build_user(account: str, n: int, lib: IdentityLibrary, rng: random.Random) -> Principal:
    team = rng.choice(TEAMS)
    owner = Owner(account, team, ACCOUNT_ENV[account], is_user=True)
    contractor = rng.random() < 0.1
    policies = [*lib.managed(owner, "user"), inline_policy(owner, rng, contractor)]
    boundary = lib.boundary(team) if rng.random() < BOUNDARY_SHARE else None
    name = f"{rng.choice(FIRST_NAMES)}.{team}.{n}"
    return Principal(
        arn=f"arn:aws:iam::{account}:user/{name}",
        account=account,
        kind="user",
        name=name,
        team=team,
        tags=principal_tags(team, owner.env, rng),
        identity_policies=policies,
        boundary=boundary,
        mfa=rng.choice(["true", "false", None]),
        weight=rng.uniform(0.3, 1.2),
    )


def build_principals(rng: random.Random) -> list[Principal]:
    lib = IdentityLibrary(rng)
    roles = build_roles(lib, rng)
    principals = [
        role_session(rng.choice(roles), n, rng) for n in range(SESSIONS_PER_ACCOUNT * len(ACCOUNTS))
    ]
    principals += [build_user(account, n, lib, rng) for account in ACCOUNTS for n in range(USERS_PER_ACCOUNT)]
    principals += [Principal(root_arn(a), a, "root", "root", "", {}, [], weight=0.05) for a in ACCOUNTS]
    return principals


# -- resources and their policies ---------------------------------------------------------------


def team_role_arns(account: str, team: str, rng: random.Random) -> list[str]:
    kinds = rng.sample(ROLE_KINDS, rng.randint(1, 2))
    return [role_arn(account, f"{team}-{kind}") for kind in kinds]


def secret_policy(account: str, team: str, rng: random.Random) -> Json:
    roles = one_or_many(rng, team_role_arns(account, team, rng))
    statements = [
        statement(
            "AllowTeamRoles",
            "Allow",
            "secretsmanager:GetSecretValue",
            "*",
            principal={"AWS": roles},
        )
    ]
    if rng.random() < 0.4:
        other = rng.choice(other_accounts(account))
        statements.append(
            statement(
                "AllowCrossAccount",
                "Allow",
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "*",
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                principal={"AWS": root_arn(other)},
            )
        )
    if rng.random() < 0.4:
        statements.append(
            statement(
                "AllowOrgTeam",
                "Allow",
                "secretsmanager:GetSecretValue",
                "*",
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID, "aws:PrincipalTag/team": team}},
                principal=rng.choice(["*", {"AWS": "*"}]),
            )
        )
    if rng.random() < 0.3:
        statements.append(
            statement(
                "AllowTeamRolePattern",
                "Allow",
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "*",
                {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{team}-*"}},
                principal={"AWS": "*"},
            )
        )
    if rng.random() < 0.5:
        statements.append(
            statement(
                "DenyPolicyChanges",
                "Deny",
                ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"],
                "*",
                {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/admin*"}},
                principal={"AWS": "*"},
            )
        )
    if rng.random() < 0.3:
        statements.append(
            statement(
                "DenyOutsideNetwork",
                "Deny",
                "secretsmanager:GetSecretValue",
                "*",
                {
                    "StringNotEqualsIfExists": {"aws:SourceVpce": TRUSTED_VPCES},
                    "NotIpAddress": {"aws:SourceIp": CORP_CIDRS},
                },
                principal="*",
            )
        )
    return policy(statements)


def key_policy(account: str, region: str, team: str, rng: random.Random) -> Json:
    use = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    ]
    via = {
        "StringEquals": {
            "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
            "kms:CallerAccount": account,
        }
    }
    statements = [
        statement(
            "Enable IAM User Permissions",
            "Allow",
            "kms:*",
            "*",
            principal={"AWS": root_arn(account)},
        ),
        statement(
            "Allow use of the key",
            "Allow",
            use,
            "*",
            principal={"AWS": team_role_arns(account, team, rng)},
        ),
        statement(
            "Allow use through Secrets Manager",
            "Allow",
            ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
            "*",
            via,
            principal={"AWS": "*"},
        ),
    ]
    if rng.random() < 0.4:
        statements.append(
            statement(
                "Allow other accounts",
                "Allow",
                ["kms:Decrypt", "kms:DescribeKey"],
                "*",
                principal={"AWS": [root_arn(a) for a in other_accounts(account)]},
            )
        )
    if rng.random() < 0.3:
        statements.append(
            statement(
                "Allow key administrators",
                "Allow",
                ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion", "kms:DisableKey"],
                "*",
                principal={"AWS": role_arn(account, "admin")},
            )
        )
    return {"Version": VERSION, "Id": "key-consolepolicy-3", "Statement": statements}


def trust_policy(account: str, team: str, job: str, rng: random.Random) -> Json:
    if job in ("admin", "break-glass"):
        cond: Json | None = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    else:
        cond = {"StringEquals": {"aws:PrincipalTag/team": team}} if rng.random() < 0.5 else None
    trusted = [root_arn(account)]
    if rng.random() < 0.3:
        trusted.append(role_arn(ACCOUNTS[2], "ci-runner"))
    trust = statement(
        "TrustAccount",
        "Allow",
        "sts:AssumeRole",
        "*",
        cond,
        principal={"AWS": one_or_many(rng, trusted)},
    )
    del trust["Resource"]  # a trust policy applies to its role: it takes no Resource (§3.12)
    return policy([trust])


def bucket_policy(account: str, bucket: str) -> Json:
    objects = f"arn:aws:s3:::{bucket}/*"
    return policy(
        [
            statement(
                "DenyInsecureTransport",
                "Deny",
                "s3:*",
                [f"arn:aws:s3:::{bucket}", objects],
                {"Bool": {"aws:SecureTransport": "false"}},
                principal="*",
            ),
            statement(
                "AllowOrgRead",
                "Allow",
                "s3:GetObject",
                objects,
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                principal={"AWS": "*"},
            ),
        ]
    )


def secret_name(team: str, env: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return "app"  # matches ...:secret:app-??????
    if roll < 0.18:
        return f"shared/{rng.choice(SERVICES)}"
    if roll < 0.25:
        return f"{rng.choice(['prod', 'staging', 'dev'])}/{team}/{rng.choice(SERVICES)}"
    return f"{env}/{team}/{rng.choice(SERVICES)}-{rng.randint(1, 40)}"


def resource_tags(team: str, env: str, rng: random.Random) -> dict[str, str]:
    if rng.random() < 0.1:
        return {}  # untagged: exercises Null conditions
    tags = {"team": team if rng.random() < 0.9 else "shared", "env": env}
    if rng.random() < 0.3:
        tags["owner"] = rng.choice(FIRST_NAMES)
    return tags


def build_secret(account: str, rng: random.Random) -> Resource:
    team, region, env = rng.choice(TEAMS), pick_region(rng), ACCOUNT_ENV[account]
    name = f"{secret_name(team, env, rng)}-{random_suffix(rng)}"
    pol = secret_policy(account, team, rng) if rng.random() < SECRET_POLICY_SHARE else None
    return Resource(
        secret_arn(region, account, name),
        account,
        region,
        "secret",
        team,
        resource_tags(team, env, rng),
        pol,
    )


def build_key(account: str, rng: random.Random) -> Resource:
    team, region = rng.choice(TEAMS), pick_region(rng)
    key_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    return Resource(
        f"arn:aws:kms:{region}:{account}:key/{key_id}",
        account,
        region,
        "key",
        team,
        resource_tags(team, ACCOUNT_ENV[account], rng),
        key_policy(account, region, team, rng),
    )


def build_roles_as_resources(rng: random.Random) -> list[Resource]:
    named = [(f"{team}-{kind}", team, kind) for team in TEAMS for kind in ROLE_KINDS]
    named += [(name, "platform", name) for name in SHARED_ROLES]
    return [
        Resource(role_arn(a, name), a, "us-east-1", "role", team, {}, trust_policy(a, team, job, rng))
        for a in ACCOUNTS
        for name, team, job in named
    ]


def build_objects(rng: random.Random) -> list[Resource]:
    objects = []
    for account, team in itertools.product(ACCOUNTS, TEAMS):
        bucket = f"{team}-{ACCOUNT_ENV[account]}-artifacts"
        pol = bucket_policy(account, bucket) if rng.random() < 0.5 else None
        for n in range(3):
            objects.append(
                Resource(
                    f"arn:aws:s3:::{bucket}/builds/{n}.zip",
                    account,
                    "us-east-1",
                    "object",
                    team,
                    {},
                    pol,
                )
            )
    return objects


# -- organisation policies ----------------------------------------------------------------------

FULL_AWS_ACCESS = policy([statement("FullAWSAccess", "Allow", "*", "*")])


def scp_guardrails() -> Json:
    return policy(
        [
            statement(
                "DenyOtherRegions",
                "Deny",
                ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*"],
                "*",
                {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}},
                not_action=True,
            ),
            statement("DenyLeaveOrg", "Deny", "organizations:LeaveOrganization", "*"),
            statement(
                "ProtectKeys",
                "Deny",
                ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                "*",
                {
                    "ArnNotLike": {
                        "aws:PrincipalArn": [
                            "arn:aws:iam::*:role/admin",
                            "arn:aws:iam::*:role/break-glass",
                        ]
                    }
                },
            ),
        ]
    )


def scp_prod_account() -> Json:
    return policy(
        [
            statement(
                "AllowListedServices",
                "Allow",
                [
                    "secretsmanager:*",
                    "kms:*",
                    "s3:*",
                    "sts:*",
                    "ec2:Describe*",
                    "iam:Get*",
                    "iam:List*",
                ],
                "*",
            ),
            statement(
                "DenySecretDeletion",
                "Deny",
                ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"],
                "*",
                {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"}},
            ),
            statement(
                "RequireTeamTag",
                "Deny",
                "secretsmanager:*",
                "*",
                {"Null": {"aws:PrincipalTag/team": "true"}},
            ),
        ]
    )


def scp_dev_account() -> Json:
    return policy(
        [
            statement(
                "NoProdSecretsFromDev",
                "Deny",
                "secretsmanager:*",
                "arn:aws:secretsmanager:*:*:secret:prod/*",
            ),
            statement(
                "NoLargeInstances",
                "Deny",
                "ec2:RunInstances",
                "*",
                {"StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}},
            ),
        ]
    )


def build_scps() -> dict[str, list[list[Json]]]:
    root = [FULL_AWS_ACCESS]
    workloads = [FULL_AWS_ACCESS, scp_guardrails()]
    return {
        ACCOUNTS[0]: [root, workloads, [scp_prod_account()]],
        ACCOUNTS[1]: [root, workloads],
        ACCOUNTS[2]: [
            root,
            [FULL_AWS_ACCESS, scp_guardrails()],
            [FULL_AWS_ACCESS, scp_dev_account()],
        ],
    }


RCP_SERVICES = ["secretsmanager:*", "kms:*", "sts:AssumeRole", "s3:*"]


def rcp_org_boundary() -> Json:
    return policy(
        [
            statement(
                "EnforceOrgIdentities",
                "Deny",
                RCP_SERVICES,
                "*",
                {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
                principal="*",
            ),
            statement(
                "EnforceSecureTransport",
                "Deny",
                RCP_SERVICES,
                "*",
                {"BoolIfExists": {"aws:SecureTransport": "false"}},
                principal="*",
            ),
        ]
    )


def rcp_prod_network() -> Json:
    return policy(
        [
            statement(
                "EnforceNetworkPerimeter",
                "Deny",
                "secretsmanager:GetSecretValue",
                "*",
                {
                    "NotIpAddress": {"aws:SourceIp": CORP_CIDRS},
                    "StringNotEqualsIfExists": {"aws:SourceVpce": TRUSTED_VPCES},
                    "BoolIfExists": {"aws:ViaAWSService": "false"},
                },
                principal="*",
            )
        ]
    )


def build_rcps() -> dict[str, list[list[Json]]]:
    root = [rcp_org_boundary()]
    return {ACCOUNTS[0]: [root, [rcp_prod_network()]], ACCOUNTS[1]: [root], ACCOUNTS[2]: [root]}


def build_pool(rng: random.Random) -> Pool:
    principals = build_principals(rng)
    resources = [build_secret(a, rng) for a in ACCOUNTS for _ in range(SECRETS_PER_ACCOUNT)]
    resources += [build_key(a, rng) for a in ACCOUNTS for _ in range(KEYS_PER_ACCOUNT)]
    resources += build_roles_as_resources(rng) + build_objects(rng)
    by_kind: dict[str, list[Resource]] = {}
    index: dict[tuple[str, str, str], list[Resource]] = {}
    for r in resources:
        by_kind.setdefault(r.kind, []).append(r)
        index.setdefault((r.kind, r.account, r.team), []).append(r)
    weights = list(itertools.accumulate(p.weight for p in principals))
    return Pool(principals, weights, by_kind, index, build_scps(), build_rcps())


# -- requests ------------------------------------------------------------------------------------

SECRET_ACTIONS = {
    "GetSecretValue": 55,
    "DescribeSecret": 15,
    "PutSecretValue": 8,
    "ListSecretVersionIds": 5,
    "UpdateSecret": 3,
    "GetResourcePolicy": 3,
    "TagResource": 3,
    "RotateSecret": 3,
    "DeleteSecret": 2,
    "UntagResource": 1,
}
KEY_ACTIONS = {
    "Decrypt": 55,
    "GenerateDataKey": 25,
    "Encrypt": 8,
    "DescribeKey": 8,
    "ReEncryptFrom": 2,
    "ScheduleKeyDeletion": 2,
}
OTHER_ACTIONS = {
    "secretsmanager:ListSecrets": 30,
    "sts:AssumeRole": 30,
    "s3:GetObject": 15,
    "s3:PutObject": 10,
    "ec2:DescribeInstances": 10,
    "kms:ListKeys": 5,
}
TAG_ACTIONS = ("secretsmanager:TagResource", "secretsmanager:UntagResource")


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def pick_resource(kind: str, p: Principal, rng: random.Random, pool: Pool) -> Resource:
    """Mostly the principal's own team in its own account, sometimes another team or account."""
    roll = rng.random()
    same_account = roll < 0.90 or p.kind == "root"
    account = p.account if same_account else rng.choice(other_accounts(p.account))
    team = p.team if roll < 0.80 and p.team else rng.choice(TEAMS)
    candidates = pool.index.get((kind, account, team)) or pool.by_kind[kind]
    return rng.choice(candidates)


def pick_action(p: Principal, rng: random.Random, pool: Pool) -> tuple[str, Resource | None]:
    """An action and its resource; None for actions on "*"."""
    roll = rng.random()
    if roll < 0.70:
        return f"secretsmanager:{weighted(rng, SECRET_ACTIONS)}", pick_resource("secret", p, rng, pool)
    if roll < 0.90:
        return f"kms:{weighted(rng, KEY_ACTIONS)}", pick_resource("key", p, rng, pool)
    action = weighted(rng, OTHER_ACTIONS)
    if action == "sts:AssumeRole":
        return action, pick_resource("role", p, rng, pool)
    if action.startswith("s3:"):
        return action, pick_resource("object", p, rng, pool)
    return action, None


def random_ip(rng: random.Random, via_vpce: bool) -> str:
    if via_vpce:
        return f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    prefix = rng.choices(["203.0.113", "198.51.100", "192.0.2"], weights=(5, 3, 1))[0]
    return f"{prefix}.{rng.randint(1, 254)}"


def request_time(rng: random.Random) -> str:
    moment = START_TIME + dt.timedelta(seconds=rng.randrange(TIME_SPAN_S))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def principal_context(p: Principal, rng: random.Random) -> Context:
    ctx: Context = {
        "aws:PrincipalArn": p.principal_arn,
        "aws:PrincipalAccount": p.account,
        "aws:PrincipalOrgID": ORG_ID,
    }
    if p.kind == "user":
        ctx["aws:username"] = p.name
    for key, value in p.tags.items():
        ctx[f"aws:PrincipalTag/{key}"] = value
    if p.mfa is not None:
        ctx["aws:MultiFactorAuthPresent"] = p.mfa
        if p.mfa == "true":
            ctx["aws:MultiFactorAuthAge"] = str(rng.randint(30, 7200))
    return ctx


def action_context(
    action: str, p: Principal, resource: Resource | None, region: str, rng: random.Random
) -> Context:
    ctx: Context = {}
    if action == "secretsmanager:GetSecretValue":
        ctx["secretsmanager:VersionStage"] = rng.choice(["AWSCURRENT"] * 9 + ["AWSPREVIOUS"])
    if action.startswith("kms:") and resource is not None:
        ctx["kms:CallerAccount"] = p.account
        if rng.random() < 0.75:
            ctx["kms:ViaService"] = f"secretsmanager.{region}.amazonaws.com"
    if action in TAG_ACTIONS:
        keys = rng.sample(["team", "env", "owner", "rotation"], rng.randint(1, 2))
        ctx["aws:TagKeys"] = keys
        if "team" in keys:
            ctx["aws:RequestTag/team"] = rng.choice([p.team or "platform", rng.choice(TEAMS)])
    return ctx


def build_context(
    action: str, p: Principal, resource: Resource | None, region: str, rng: random.Random
) -> Context:
    via_vpce = rng.random() < 0.4
    ctx: Context = {"aws:SourceIp": random_ip(rng, via_vpce)}
    if via_vpce:
        ctx["aws:SourceVpce"] = rng.choices(VPCES, weights=VPCE_WEIGHTS)[0]
    ctx["aws:CurrentTime"] = request_time(rng)
    ctx["aws:SecureTransport"] = "true" if rng.random() < 0.99 else "false"
    ctx["aws:RequestedRegion"] = region
    ctx.update(principal_context(p, rng))
    if resource is not None:
        for key, value in resource.tags.items():
            ctx[f"aws:ResourceTag/{key}"] = value
    ctx.update(action_context(action, p, resource, region, rng))
    return ctx


def org_policies(p: Principal, resource_account: str, rng: random.Random, pool: Pool) -> Json:
    if rng.random() >= SCP_SHARE:
        return {}
    org: Json = {"scps": pool.scps[p.account]}
    if rng.random() < RCP_SHARE_IN_ORG:
        org["rcps"] = pool.rcps[resource_account]
    return org


def build_request(i: int, rng: random.Random, pool: Pool) -> Json:
    p = rng.choices(pool.principals, cum_weights=pool.cum_weights)[0]
    action, resource = pick_action(p, rng, pool)
    regional = resource is not None and resource.kind in ("secret", "key")
    region = resource.region if regional and resource is not None else pick_region(rng)
    resource_account = resource.account if resource is not None else p.account
    return {
        "id": f"req-{i:06d}",
        "principal": p.arn,
        "action": action,
        "resource": resource.arn if resource is not None else "*",
        "resource_account": resource_account,
        "context": build_context(action, p, resource, region, rng),
        "identity_policies": p.identity_policies,
        "resource_policy": resource.policy if resource is not None else None,
        "permissions_boundary": p.boundary,
        "session_policy": p.session_policy,
        **org_policies(p, resource_account, rng, pool),
    }


# -- --unique-policies ---------------------------------------------------------------------------


def uniquify_statement(stmt: Json, tag: str) -> Json:
    """A distinct statement with the same meaning: new Sid, one extra never-matching resource."""
    if "Resource" not in stmt and "NotResource" not in stmt:  # a trust statement
        return {**stmt, "Sid": f"{stmt['Sid']}{tag}"}
    key = "Resource" if "Resource" in stmt else "NotResource"
    values = stmt[key] if isinstance(stmt[key], list) else [stmt[key]]
    never = f"arn:aws:secretsmanager:us-east-1:{NEVER_ACCOUNT}:secret:unique-{tag}"
    return {**stmt, "Sid": f"{stmt['Sid']}{tag}", key: [*values, never]}


def uniquify_policy(doc: Json, tag: str) -> Json:
    return {**doc, "Statement": [uniquify_statement(s, tag) for s in doc["Statement"]]}


def uniquify_request(request: Json, i: int) -> Json:
    tag = f"U{i}"

    def uniq(doc: Json | None) -> Json | None:
        return None if doc is None else uniquify_policy(doc, tag)

    out = dict(request)
    out["identity_policies"] = [uniquify_policy(d, tag) for d in request["identity_policies"]]
    for key in ("resource_policy", "permissions_boundary", "session_policy"):
        out[key] = uniq(request[key])
    for key in ("scps", "rcps"):
        if key in request:
            out[key] = [[uniquify_policy(d, tag) for d in level] for level in request[key]]
    return out


# -- driver --------------------------------------------------------------------------------------


def generate(count: int, seed: int, unique: bool = False) -> Iterator[Json]:
    """The requests, deterministic for a given seed (a smaller count gives a prefix)."""
    rng = random.Random(seed)
    pool = build_pool(rng)
    for i in range(count):
        request = build_request(i, rng, pool)
        yield uniquify_request(request, i) if unique else request


@dataclass
class Summary:
    count: int = 0
    statements: int = 0
    identity_statements: int = 0
    context_keys: int = 0
    present: dict[str, int] = field(default_factory=dict)
    size: int = 0

    def add(self, request: Json, line_bytes: int) -> None:
        self.count += 1
        self.size += line_bytes
        self.context_keys += len(request["context"])
        self.identity_statements += sum(len(d["Statement"]) for d in request["identity_policies"])
        self.statements += sum(len(d["Statement"]) for d in documents(request))
        for key in ("resource_policy", "scps", "rcps", "permissions_boundary", "session_policy"):
            if request.get(key):
                self.present[key] = self.present.get(key, 0) + 1

    def line(self, out: Path) -> str:
        n = max(self.count, 1)

        def share(key: str) -> str:
            return f"{100 * self.present.get(key, 0) / n:.0f}%"

        return (
            f"{self.count} requests, {self.statements / n:.1f} statements/request "
            f"({self.identity_statements / n:.1f} identity), resource policy "
            f"{share('resource_policy')}, SCP {share('scps')}, RCP {share('rcps')}, "
            f"boundary {share('permissions_boundary')}, session policy "
            f"{share('session_policy')}, {self.context_keys / n:.1f} context keys/request, "
            f"{self.size / 1e6:.1f} MB -> {out}"
        )


def documents(request: Json) -> Iterator[Json]:
    """Every policy document of a request."""
    yield from request["identity_policies"]
    for key in ("resource_policy", "permissions_boundary", "session_policy"):
        if request.get(key) is not None:
            yield request[key]
    for key in ("scps", "rcps"):
        for level in request.get(key, []):
            yield from level


def write_requests(out: Path, count: int, seed: int, unique: bool) -> Summary:
    summary = Summary()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for request in generate(count, seed, unique):
            line = json.dumps(request, separators=(",", ":")) + "\n"
            f.write(line)
            summary.add(request, len(line.encode()))
    return summary


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="requests (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output file (default benchmarks/requests.jsonl, or "
        "benchmarks/requests-unique.jsonl with --unique-policies)",
    )
    parser.add_argument(
        "--unique-policies",
        action="store_true",
        help="make every request's policy documents distinct",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or (DEFAULT_UNIQUE_OUT if args.unique_policies else DEFAULT_OUT)
    summary = write_requests(out, args.count, args.seed, args.unique_policies)
    shown = out.resolve()
    print(summary.line(shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
