"""A seeded synthetic organisation for the access-matrix benchmark (issue #3): three accounts in
one organisation with SCPs and an RCP, 500 principals (IAM users in groups, and roles, some with
permissions boundaries and ABAC tags) and 200 secrets on customer managed keys and on
aws/secretsmanager, most with secret policies, some shared with another account.

    python benchmarks/generate_org.py [--principals 500] [--secrets 200] [--seed 1] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

Json = dict[str, Any]
HERE = Path(__file__).resolve().parent
V = "2012-10-17"
REGION = "us-east-1"
ORG = "o-synthetic01"
ACCOUNTS = {
    "111111111111": ("prod", "ou-prod"),
    "222222222222": ("apps", "ou-apps"),
    "333333333333": ("dev", "ou-dev"),
}
TEAMS = ("payments", "search", "ledger", "identity", "billing", "mobile", "data", "platform")
ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
)


def policy(*statements: Json) -> Json:
    return {"Version": V, "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> Json:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> Json:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def secret_arn(account: str, name: str, rng: random.Random) -> str:
    suffix = "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(6))
    return f"arn:aws:secretsmanager:{REGION}:{account}:secret:{name}-{suffix}"


def key_arn(account: str, i: int) -> str:
    return f"arn:aws:kms:{REGION}:{account}:key/{i:08d}-0000-4000-8000-{int(account):012d}"


def team_policy(account: str, team: str, rng: random.Random) -> Json:
    prefix = f"arn:aws:secretsmanager:{REGION}:{account}:secret:{team}/"
    if team == "platform":  # the platform team reads every secret of its account
        prefix = f"arn:aws:secretsmanager:{REGION}:{account}:secret:"
    statements = [allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], prefix + "*")]
    if rng.random() < 0.5:
        statements.append(allow("secretsmanager:PutSecretValue", prefix + "app-*"))
    statements.append(
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            f"arn:aws:kms:{REGION}:*:key/*",
            Condition={"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}},
        )
    )
    statements.append(
        deny(
            "secretsmanager:DeleteSecret",
            "*",
            Condition={"StringNotEquals": {"aws:PrincipalTag/role": "admin"}},
        )
    )
    return policy(*statements)


def abac_policy() -> Json:
    return policy(
        allow(
            ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "*",
            Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        )
    )


def generate(principals: int, secrets: int, seed: int) -> Json:
    rng = random.Random(seed)
    accounts = [
        {"id": a, "name": n, "org_id": ORG, "org_path": ["r-root", ou]} for a, (n, ou) in ACCOUNTS.items()
    ]
    accounts.append({"id": "999999999999", "name": "management", "org_id": ORG, "org_path": ["r-root"]})
    ids = list(ACCOUNTS)
    groups = [
        {"arn": f"arn:aws:iam::{a}:group/{t}", "policies": [team_policy(a, t, rng)]}
        for a in ids
        for t in TEAMS
    ]
    users, roles = [], []
    n_roles = principals * 2 // 5
    home = [ids[0]] * 3 + ids  # most people work in prod, where most secrets are
    for i in range(principals - n_roles):
        account, team = rng.choice(home), rng.choice(TEAMS)
        boundary = policy(allow(["secretsmanager:*", "kms:*"])) if rng.random() < 0.2 else None
        users.append(
            {
                "arn": f"arn:aws:iam::{account}:user/{team}/u{i:04d}",
                "user_id": f"AIDA{i:016d}",
                "tags": {"team": team, "role": "admin" if i % 50 == 0 else "dev"},
                "groups": [f"arn:aws:iam::{account}:group/{team}"],
                "policies": [abac_policy()] if rng.random() < 0.3 else [],
                "permissions_boundary": boundary,
            }
        )
    for i in range(n_roles):
        account, team = rng.choice(home), rng.choice(TEAMS)
        trusted = rng.choice(ids)
        roles.append(
            {
                "arn": f"arn:aws:iam::{account}:role/{team}-svc-{i:03d}",
                "role_id": f"AROA{i:016d}",
                "tags": {"team": team, "role": "svc"},
                "trust_policy": policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ),
                "policies": [team_policy(account, team, rng)]
                + ([abac_policy()] if rng.random() < 0.3 else []),
                "permissions_boundary": policy(allow("secretsmanager:*"), allow("kms:Decrypt"))
                if rng.random() < 0.2
                else None,
                "service_linked": False,
            }
        )
    keys, secret_list = [], []
    for account in ids[:2]:
        keys.append(
            {
                "arn": f"arn:aws:kms:{REGION}:{account}:key/aws-managed-{account}",
                "account": account,
                "region": REGION,
                "manager": "AWS",
                "aliases": ["alias/aws/secretsmanager"],
                "tags": {},
                "key_policy": None,
            }
        )
        for i in range(5):
            other = [a for a in ids if a != account]
            keys.append(
                {
                    "arn": key_arn(account, i),
                    "account": account,
                    "region": REGION,
                    "manager": "CUSTOMER",
                    "aliases": [f"alias/{TEAMS[i]}"],
                    "tags": {},
                    "key_policy": policy(
                        {
                            "Sid": "EnableIAM",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "Consumers",
                            "Effect": "Allow",
                            "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in other]},
                            "Action": ["kms:Decrypt", "kms:DescribeKey"],
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                            },
                        },
                    ),
                }
            )
    for i in range(secrets):
        account = ids[0] if i % 4 else ids[1]
        team = TEAMS[i % len(TEAMS)]
        name = f"{team}/{'app' if i % 3 else 'db'}-{i:03d}"
        cmk = rng.random() < 0.6
        key = key_arn(account, i % 5) if cmk else f"arn:aws:kms:{REGION}:{account}:key/aws-managed-{account}"
        rp = None
        if rng.random() < 0.6:
            consumers = rng.sample([r["arn"] for r in roles], 3)
            statements = [
                {
                    "Sid": "Consumers",
                    "Effect": "Allow",
                    "Principal": {"AWS": consumers},
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": "*",
                },
                {
                    "Sid": "DenyOutsideOrg",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "secretsmanager:*",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
                },
            ]
            rp = policy(*statements)
        secret_list.append(
            {
                "arn": secret_arn(account, name, rng),
                "name": name,
                "account": account,
                "region": REGION,
                "kms_key": key,
                "tags": {"team": team},
                "versions": {"AWSCURRENT": f"v-{i:04d}"},
                "resource_policy": rp,
            }
        )
    organization = {
        "id": ORG,
        "root_id": "r-root",
        "management_account": "999999999999",
        "scp_enabled": True,
        "full_aws_access_detached_from": [],
        "scps": [
            {
                "name": "ProtectProd",
                "attached_to": "ou-prod",
                "document": policy(
                    deny(
                        "secretsmanager:DeleteSecret",
                        Condition={"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform-*"}},
                    )
                ),
            }
        ],
        "rcp_enabled": True,
        "rcps": [
            {
                "name": "Perimeter",
                "attached_to": "r-root",
                "document": policy(
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "secretsmanager:*",
                        "Resource": "*",
                        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
                    }
                ),
            }
        ],
    }
    return {
        "accounts": accounts,
        "organization": organization,
        "principals": {"users": users, "groups": groups, "roles": roles, "sessions": []},
        "secrets": secret_list,
        "kms_keys": keys,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=500)
    parser.add_argument("--secrets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "org.json")
    args = parser.parse_args()
    world = generate(args.principals, args.secrets, args.seed)
    args.out.write_text(json.dumps(world))
    n = len(world["principals"]["users"]) + len(world["principals"]["roles"])
    print(f"{n} principals, {len(world['secrets'])} secrets, {len(world['kms_keys'])} keys -> {args.out}")


if __name__ == "__main__":
    main()
