"""Time ``who_can`` and ``access_paths`` on an imported organisation (issue #12: 2,000 roles and
500 secrets, each answer in under 10 s).

The organisation is seeded and written as the AWS CLI output ``scripts/aws-dumps.sh`` leaves
(one folder per account, ``secretslab import --from-dumps`` layout), then imported through
``snapshot_from_dumps`` exactly as the CLI does, so the world has the shapes, notes and gaps of a
real import. Four accounts (prod, staging, dev, security); in each:

- users in team groups; the groups' managed policies let them assume their team's roles;
- roles of five kinds, each with its trust policy: service roles (Lambda, EC2: no principal of
  the world can assume them), team roles (trust the account), deploy roles (trust the team's
  roles of their account: chains of two), cross-account roles (trust the deploy roles of the
  other accounts and the security account's auditors: chains of three, across accounts) and
  break-glass roles (trust a few users by ARN, with MFA);
- managed policies per team (read the team's secrets and decrypt with its key, assume the next
  roles of a chain) and inline policies on some roles, some with explicit denies;
- secrets of each team on the team's customer managed key or on ``aws/secretsmanager``, most
  with a resource policy (grant another account's cross-account role, deny other teams by
  ``aws:PrincipalTag``); the keys' policies enable IAM policies and grant the team's roles.

Organizations is not part of the dumps; with ``--scps`` (the default) the imported world is given
the organisation a live import with Organizations access would add: the four accounts in
OUs with SCPs. One secret's resource policy is left unreadable (an empty file, as a refused
``get-resource-policy`` leaves), so the import has a gap, as real ones do.

    python benchmarks/bench_who.py [--roles 2000] [--secrets 500] [--seed 1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

Json = dict[str, Any]
V = "2012-10-17"
REGION = "us-east-1"
ORG = "o-whobench01"
ACCOUNTS = {
    "410000000001": ("prod", "ou-workloads"),
    "410000000002": ("staging", "ou-workloads"),
    "410000000003": ("dev", "ou-sandbox"),
    "410000000004": ("security", "ou-security"),
}
SECURITY = "410000000004"
TEAMS = ("payments", "search", "ledger", "identity", "billing", "mobile", "data", "platform")
GET = "secretsmanager:GetSecretValue"


def _policy(*statements: Json) -> Json:
    return {"Version": V, "Statement": list(statements)}


def _role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _key_id(account: str, team: int) -> str:
    return f"{team:08x}-{account[-4:]}-4000-8000-{int(account):012d}"


def _plan_roles(account: str, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, team, name) of each role of an account."""
    kinds = ("service",) * 6 + ("team",) * 7 + ("deploy",) * 4 + ("cross",) * 2 + ("breakglass",)
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)] if account != SECURITY or i % 4 else "auditor"
        team = TEAMS[rng.randrange(len(TEAMS))]
        out.append((kind, team, f"{kind}-{team}-{i:04d}"))
    return out


def _trust(kind: str, account: str, team: str, users: list[str], rng: random.Random) -> Json:
    assume = "sts:AssumeRole"
    if kind == "service":
        service = rng.choice(("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"))
        return _policy({"Effect": "Allow", "Principal": {"Service": service}, "Action": assume})
    if kind in ("team", "auditor"):
        return _policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": assume}
        )
    if kind == "deploy":  # the team's roles of the account, by name pattern
        return _policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": assume,
                "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/team-{team}-*"}},
            }
        )
    if kind == "cross":  # deploy roles of the other accounts, and the security account
        others = [a for a in ACCOUNTS if a != account]
        return _policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in others]},
                "Action": assume,
                "Condition": {
                    "ArnLike": {
                        "aws:PrincipalArn": [
                            f"arn:aws:iam::*:role/deploy-{team}-*",
                            f"arn:aws:iam::{SECURITY}:role/auditor-*",
                        ]
                    }
                },
            }
        )
    chosen = rng.sample(users, min(2, len(users)))  # breakglass: named users, with MFA
    return _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": chosen or f"arn:aws:iam::{account}:root"},
            "Action": assume,
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )


def _managed(account: str, team: int) -> list[Json]:
    """The managed policies of a team in an account: read its secrets, assume the next roles."""
    name = TEAMS[team]
    key = f"arn:aws:kms:{REGION}:{account}:key/{_key_id(account, team)}"
    secrets = f"arn:aws:secretsmanager:{REGION}:{account}:secret:{name}/*"
    read = _policy(
        {"Effect": "Allow", "Action": [GET, "secretsmanager:DescribeSecret"], "Resource": secrets},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
        {"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"},
    )
    assume_team = _policy(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": f"arn:aws:iam::{account}:role/team-{name}-*",
        }
    )
    assume_deploy = _policy(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": f"arn:aws:iam::{account}:role/deploy-{name}-*",
        }
    )
    assume_cross = _policy(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::*:role/cross-{name}-*"},
        {
            "Effect": "Deny",
            "Action": "secretsmanager:DeleteSecret",
            "Resource": "*",
        },
    )
    names = ("read", "assume-team", "assume-deploy", "assume-cross")
    docs = (read, assume_team, assume_deploy, assume_cross)
    return [
        {
            "PolicyName": f"{name}-{n}",
            "Arn": f"arn:aws:iam::{account}:policy/{name}-{n}",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": d, "VersionId": "v1", "IsDefaultVersion": True}],
        }
        for n, d in zip(names, docs, strict=True)
    ]


def _attached(account: str, team: str, *which: str) -> list[Json]:
    return [
        {"PolicyName": f"{team}-{w}", "PolicyArn": f"arn:aws:iam::{account}:policy/{team}-{w}"} for w in which
    ]


def _details(account: str, roles: int, users: int, rng: random.Random) -> Json:
    """The output of ``aws iam get-account-authorization-details`` for one account."""
    user_list, user_arns = [], []
    for i in range(users):
        team = TEAMS[i % len(TEAMS)]
        arn = f"arn:aws:iam::{account}:user/{team}-user-{i:03d}"
        user_arns.append(arn)
        user_list.append(
            {
                "Path": "/",
                "UserName": f"{team}-user-{i:03d}",
                "UserId": f"AIDA{account}{i:08d}",
                "Arn": arn,
                "GroupList": [f"{team}-engineers"],
                "UserPolicyList": [],
                "AttachedManagedPolicies": [],
                "Tags": [{"Key": "team", "Value": team}],
            }
        )
    groups = [
        {
            "Path": "/",
            "GroupName": f"{team}-engineers",
            "GroupId": f"AGPA{account}{t:08d}",
            "Arn": f"arn:aws:iam::{account}:group/{team}-engineers",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": _attached(account, team, "assume-team"),
        }
        for t, team in enumerate(TEAMS)
    ]
    role_list = []
    for i, (kind, team, name) in enumerate(_plan_roles(account, roles, rng)):
        which = {
            "service": ("read",),
            "team": ("read", "assume-deploy"),
            "deploy": ("assume-cross",),
            "cross": ("read",),
            "breakglass": ("read", "assume-team", "assume-deploy"),
            "auditor": ("assume-cross",),
        }[kind]
        inline = []
        if i % 5 == 0:
            inline.append(
                {
                    "PolicyName": "no-secret-deletes",
                    "PolicyDocument": _policy(
                        {"Effect": "Deny", "Action": ["secretsmanager:DeleteSecret"], "Resource": "*"}
                    ),
                }
            )
        if kind == "breakglass":
            inline.append(
                {
                    "PolicyName": "everything",
                    "PolicyDocument": _policy(
                        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}
                    ),
                }
            )
        role_list.append(
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": f"AROA{account}{i:08d}",
                "Arn": _role_arn(account, name),
                "AssumeRolePolicyDocument": _trust(kind, account, team, user_arns, rng),
                "RolePolicyList": inline,
                "AttachedManagedPolicies": _attached(account, team, *which),
                "Tags": [{"Key": "team", "Value": team}],
            }
        )
    policies = [p for t in range(len(TEAMS)) for p in _managed(account, t)]
    return {
        "UserDetailList": user_list,
        "GroupDetailList": groups,
        "RoleDetailList": role_list,
        "Policies": policies,
    }


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _secret_policy(account: str, team: str, rng: random.Random) -> Json | None:
    if rng.random() < 0.25:
        return None
    other = rng.choice([a for a in ACCOUNTS if a != account])
    return _policy(
        {
            "Sid": "CrossAccountRead",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
            "Action": GET,
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{other}:role/cross-{team}-*"}},
        },
        {
            "Sid": "OnlyTheTeam",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"],
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": team}},
        },
    )


def write_dumps(
    root: Path, *, roles: int = 2000, secrets: int = 500, users: int = 40, seed: int = 1
) -> list[Path]:
    """Write the organisation's dumps under ``root``, one folder per account; return the folders.
    ``roles``, ``secrets`` and ``users`` are totals over the accounts (``users`` per account)."""
    rng = random.Random(seed)
    folders = []
    n = len(ACCOUNTS)
    for a, account in enumerate(ACCOUNTS):
        folder = root / ACCOUNTS[account][0]
        folders.append(folder)
        per_roles = roles // n + (1 if a < roles % n else 0)
        per_secrets = secrets // n + (1 if a < secrets % n else 0)
        _write(
            folder / "get-caller-identity.json",
            {"UserId": "AIDAAUDITOR", "Account": account, "Arn": f"arn:aws:iam::{account}:user/auditor"},
        )
        _write(folder / "get-account-authorization-details.json", _details(account, per_roles, users, rng))
        region = folder / REGION
        listed, aliases, keys = [], [], []
        for t, team in enumerate(TEAMS):
            key_id = _key_id(account, t)
            keys.append({"KeyId": key_id, "KeyArn": f"arn:aws:kms:{REGION}:{account}:key/{key_id}"})
            aliases.append(
                {
                    "AliasName": f"alias/{team}",
                    "AliasArn": f"arn:aws:kms:{REGION}:{account}:alias/{team}",
                    "TargetKeyId": key_id,
                }
            )
            arn = keys[-1]["KeyArn"]
            _write(
                region / "describe-key" / f"{key_id}.json",
                {
                    "KeyMetadata": {
                        "AWSAccountId": account,
                        "KeyId": key_id,
                        "Arn": arn,
                        "KeyManager": "CUSTOMER",
                    }
                },
            )
            key_policy = _policy(
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "OtherAccountsDecryptThroughSecretsManager",
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{o}:root" for o in ACCOUNTS if o != account]},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                    },
                },
            )
            _write(
                region / "get-key-policy" / f"{key_id}.json",
                {"Policy": json.dumps(key_policy), "PolicyName": "default"},
            )
            _write(
                region / "list-resource-tags" / f"{key_id}.json",
                {"Tags": [{"TagKey": "team", "TagValue": team}]},
            )
            _write(region / "list-grants" / f"{key_id}.json", {"Grants": []})
        for i in range(per_secrets):
            team = TEAMS[rng.randrange(len(TEAMS))]
            name = f"{team}/app-{i:03d}"
            suffix = "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(6))
            arn = f"arn:aws:secretsmanager:{REGION}:{account}:secret:{name}-{suffix}"
            entry: Json = {
                "ARN": arn,
                "Name": name,
                "Tags": [{"Key": "team", "Value": team}],
                "SecretVersionsToStages": {f"v-{i:04d}": ["AWSCURRENT"]},
            }
            if rng.random() < 0.8:
                entry["KmsKeyId"] = f"alias/{team}"
            listed.append(entry)
            _write(
                region / "describe-secret" / f"{i}.json",
                {k: v for k, v in entry.items() if k != "SecretVersionsToStages"},
            )
            if a == 0 and i == 1:  # a refused get-resource-policy leaves an empty file: a gap
                (region / "get-resource-policy").mkdir(parents=True, exist_ok=True)
                (region / "get-resource-policy" / f"{i}.json").write_text("", encoding="utf-8")
                continue
            document = _secret_policy(account, team, rng)
            out: Json = {"ARN": arn, "Name": name}
            if document is not None:
                out["ResourcePolicy"] = json.dumps(document)
            _write(region / "get-resource-policy" / f"{i}.json", out)
        _write(region / "list-secrets.json", {"SecretList": listed})
        _write(region / "list-aliases.json", {"Aliases": aliases})
        _write(region / "list-keys.json", {"Keys": keys})
    return folders


def organization() -> Json:
    """The organisation a live import with Organizations access would add (the dumps have none)."""
    deny_delete = _policy(
        {
            "Effect": "Deny",
            "Action": "secretsmanager:DeleteSecret",
            "Resource": "*",
            "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/breakglass-*"}},
        }
    )
    return {
        "id": ORG,
        "root_id": "r-who1",
        "management_account": "410000000000",
        "scp_enabled": True,
        "full_aws_access_detached_from": [],
        "scps": [
            {"name": "ProtectSecrets", "attached_to": "ou-workloads", "document": deny_delete},
            {
                "name": "SandboxNoSecretsWrites",
                "attached_to": "ou-sandbox",
                "document": _policy(
                    {"Effect": "Deny", "Action": "secretsmanager:PutSecretValue", "Resource": "*"}
                ),
            },
        ],
        "rcp_enabled": False,
        "rcps": [],
    }


def import_world(folders: list[Path], *, scps: bool = True) -> Any:
    """The world ``secretslab import --from-dumps`` makes of ``folders`` (with the organisation of
    ``organization()`` when ``scps``), and the snapshot's gaps."""
    from secretslab import World
    from secretslab.aws.import_dumps import snapshot_from_dumps

    snap = snapshot_from_dumps(folders)
    data = snap.data
    if scps:
        data = dict(data)
        data["organization"] = organization()
        data["description"] = (
            f"{data.get('description', '')} The organisation was added by benchmarks/bench_who.py."
        )
        data["accounts"] = [
            {**acct, "org_id": ORG, "org_path": ["r-who1", ACCOUNTS[acct["id"]][1]]}
            for acct in data["accounts"]
        ]
    return World.from_dict(data), snap.gaps


def _short(arn: str) -> str:
    return (
        arn.rsplit(":", 2)[-2] + ":" + arn.rsplit(":", 1)[-1] if ":secret:" in arn else arn.rsplit(":", 1)[-1]
    )


def _team_of(arn: str) -> str:
    name = arn.rsplit(":", 1)[-1].split("/")[-2 if "assumed-role" in arn else -1]
    return (
        name.split("-")[1] if name.count("-") >= 2 and name.split("-")[0] not in TEAMS else name.split("-")[0]
    )


def who_questions(world: Any, seed: int) -> list[tuple[str, str]]:
    """(action, secret) of each timed ``who_can``: a secret with a resource policy, the secret
    whose policy the import could not read, a secret of the sandbox account, and a delete."""
    rng = random.Random(seed)
    secrets = [s for s in world.secrets]
    with_policy = [s.arn for s in secrets if s.resource_policy is not None]
    gap = sorted(g.resource for g in world.gaps if ":secret:" in g.resource)
    dev = [s.arn for s in secrets if s.account == "410000000003"]
    return [
        (GET, with_policy[0]),
        *((GET, g) for g in gap[:1]),
        (GET, rng.choice(dev)),
        ("secretsmanager:DeleteSecret", rng.choice(with_policy)),
    ]


def path_questions(world: Any, seed: int) -> list[tuple[str, str, str]]:
    """(principal, action, secret) of each timed ``access_paths``: users and role sessions asking
    for a secret of their team in another account (the chains go team -> deploy -> cross-account
    role), and one for another team's secret (every chain denied)."""
    from secretslab.analysis import session_of

    rng = random.Random(seed)
    by_team: dict[tuple[str, str], list[str]] = {}
    for s in world.secrets:
        by_team.setdefault((s.account, s.name.split("/")[0]), []).append(s.arn)
    users = [u.arn for u in world.users]
    team_roles = [r.arn for r in world.roles if r.arn.rsplit("/", 1)[1].startswith("team-")]
    out = []
    for principal in (
        users[0],
        users[len(users) // 2],
        session_of(team_roles[0]),
        session_of(team_roles[-1]),
    ):
        account = principal.split(":")[4]
        team = _team_of(principal)
        other = [key for key in by_team if key[0] != account and key[1] == team] or [
            key for key in by_team if key[0] != account
        ]
        out.append((principal, GET, rng.choice(by_team[rng.choice(other)])))
    home = users[0].split(":")[4]
    strangers = [key for key in by_team if key[0] == home and key[1] != _team_of(users[0])]
    out.append((users[0], GET, rng.choice(by_team[rng.choice(strangers)])))
    return out


def _timed(call: Any) -> tuple[float, Any]:
    """The wall-clock seconds of ``call()`` and its result; the CPU seconds are added to
    ``CPU`` (on a shared machine the wall clock also counts the time other processes ran)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - started, result


CPU: list[float] = []  # the CPU seconds of each ``_timed`` call, in order


def main() -> None:
    from secretslab import World
    from secretslab.analysis import access_paths, who_can

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--secrets", type=int, default=500)
    parser.add_argument("--users", type=int, default=40, help="users per account")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-scps", action="store_true", help="the world exactly as the dumps give it")
    parser.add_argument(
        "--answers", type=Path, help="write every answer (JSON) here, to compare two versions"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-who-") as tmp:  # named by gaps: DUMPS in --answers
        seconds, folders = _timed(
            lambda: write_dumps(
                Path(tmp), roles=args.roles, secrets=args.secrets, users=args.users, seed=args.seed
            )
        )
        print(f"dumps written in {seconds:.2f} s")
        seconds, (world, gaps) = _timed(lambda: import_world(folders, scps=not args.no_scps))
    print(
        f"imported in {seconds:.2f} s: {len(world.accounts)} accounts, {len(world.users)} users, "
        f"{len(world.roles)} roles, {len(world.secrets)} secrets, {len(world.keys)} keys, {len(gaps)} gap(s)"
    )
    data = world.to_dict()
    slowest = 0.0
    path_answers: list[Any] = []
    print("access_paths, each on a world of its own (cold: nothing remembered yet):")
    for principal, action, secret in path_questions(world, args.seed):
        cold = World.from_dict(data)
        seconds, paths = _timed(lambda: access_paths(cold, principal, action, secret))  # noqa: B023
        slowest = max(slowest, seconds)
        path_answers.append([paths.stopped, *([p.describe(), p.to_dict()] for p in paths)])
        allowed = sum(1 for p in paths if p.allowed)
        longest = max((len(p.roles) for p in paths if p.allowed), default=0)
        print(
            f"  {_short(principal)} {action} {_short(secret)}: {seconds:.2f} s ({CPU[-1]:.2f} s CPU), "
            f"{len(paths)} paths "
            f"({allowed} allowed, up to {longest} roles){'; ' + paths.stopped if paths.stopped else ''}"
        )
    answers: list[Any] = []
    print("who_can, one world (the first question cold, the others reuse its role graph):")
    for action, secret in who_questions(world, args.seed):
        seconds, found = _timed(lambda: who_can(world, action, secret))  # noqa: B023
        slowest = max(slowest, seconds)
        answers.append([[w.to_dict(), str(w), w.path.to_dict() if w.path else None] for w in found])
        chained = sum(1 for w in found if w.path and w.path.roles)
        unknown = sum(1 for w in found if w.unknown)
        print(
            f"  {action} {_short(secret)}: {seconds:.2f} s ({CPU[-1]:.2f} s CPU), {len(found)} answers "
            f"({chained} via roles, {unknown} unknown)"
        )
    answers += path_answers
    print(f"slowest answer: {slowest:.2f} s (target: under 10 s)")
    if args.answers:
        text = json.dumps(answers, indent=1, sort_keys=True, default=str).replace(tmp, "DUMPS")
        args.answers.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
