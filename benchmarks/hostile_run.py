"""The hostile run of issue #9: a fixed, reproducible catalogue of malformed, oversized,
pathological and abusive inputs tried through every door of secretslab — the API, the command
line, scenario files (JSON and YAML), batch lines, snapshots and the policy playground — and
each outcome sorted into one class:

- ``ok``: accepted with the expected answer (inputs AWS accepts);
- ``located``: refused with the package's error naming where (the JSON path, and the file when
  the input came from one; the option for a bad argument);
- ``clear``: refused with the package's error, but without that location;
- ``wrong``: accepted (or answered) although it should be refused, or answered wrongly;
- ``hang``: still running after the time limit (``--timeout``, default 10 s);
- ``loss``: a file that existed was modified, truncated or removed, or output was lost;
- ``internal``: a traceback, "internal error", a crash, or a non-package exception escaping the API.

Every trial runs in its own process (the CLI as ``python -m secretslab``; API trials as this
script with ``--child``), with ``PYTHONPATH=ROOT``, in its own temporary directory, under a time
limit and a memory limit, so that a hang or a crash cannot stop the run. The catalogue is built
from ``--seed`` (default 9) plus hand-written trials for every example named in issue #9 items
1-6; it does not depend on ROOT, so two checkouts are compared on the same inputs.

    python benchmarks/hostile_run.py --root /path/to/checkout --json hostile.json
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import http.server
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLASSES = ("ok", "located", "clear", "wrong", "hang", "loss", "internal")
DOORS = ("api", "cli", "scenario", "batch", "snapshot", "widget")
MEMORY_LIMIT = 3 << 30  # bytes of address space per trial: a runaway input fails, the machine does not
MAX_MESSAGE = 2000  # characters: a longer problem message quotes too much of the value

# -- the values the catalogue is made of

A, B = "111111111111", "222222222222"
ALICE = f"arn:aws:iam::{A}:user/alice"
APP_ROLE = f"arn:aws:iam::{B}:role/AppRole"
APP_SESSION = f"arn:aws:sts::{B}:assumed-role/AppRole/worker"
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-AbC123"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-0000-4000-8000-00000000c0de"
GET = "secretsmanager:GetSecretValue"
PATHOLOGICAL = "*?" * 15 + "b"  # the family of issue #9 item 1: a backtracking matcher hangs on it
ARABIC_DIGITS = "\u0661" * 12
FULLWIDTH_DIGITS = "\uff11" * 12
DEVANAGARI_DIGITS = "\u0967" * 12


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    """A policy document."""
    return {"Version": version, "Statement": list(statements)}


def base_policy() -> dict[str, Any]:
    """A valid identity policy with every element the mutations reach."""
    return doc(
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": GET,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}},
        }
    )


def base_world() -> dict[str, Any]:
    """Two accounts: alice (prod) reads prod/db through her identity policy; AppRole (apps) reads it
    across accounts through the secret policy and the customer managed key's policy."""
    return {
        "accounts": [
            {"id": A, "name": "prod", "org_id": "o-exampleorg1", "org_path": ["r-root", "ou-prod"]},
            {"id": B, "name": "apps", "org_id": "o-exampleorg1", "org_path": ["r-root", "ou-apps"]},
        ],
        "principals": {
            "users": [
                {
                    "arn": ALICE,
                    "tags": {"team": "payments"},
                    "policies": [doc({"Sid": "Read", "Effect": "Allow", "Action": GET, "Resource": SECRET})],
                }
            ],
            "groups": [],
            "roles": [
                {
                    "arn": APP_ROLE,
                    "role_id": "AROAEXAMPLEAPPROLE01",
                    "tags": {"team": "payments"},
                    "trust_policy": doc(
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ),
                    "policies": [
                        doc(
                            {"Sid": "Read", "Effect": "Allow", "Action": GET, "Resource": SECRET},
                            {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                        )
                    ],
                    "permissions_boundary": None,
                    "service_linked": False,
                }
            ],
            "sessions": [],
        },
        "secrets": [
            {
                "arn": SECRET,
                "name": "prod/db",
                "account": A,
                "region": "us-east-1",
                "kms_key": KEY,
                "tags": {"team": "payments"},
                "versions": {"AWSCURRENT": "v-0002"},
                "resource_policy": doc(
                    {
                        "Sid": "AppsRead",
                        "Effect": "Allow",
                        "Principal": {"AWS": APP_ROLE},
                        "Action": GET,
                        "Resource": "*",
                    }
                ),
            }
        ],
        "kms_keys": [
            {
                "arn": KEY,
                "account": A,
                "region": "us-east-1",
                "manager": "CUSTOMER",
                "aliases": ["alias/prod-secrets"],
                "tags": {},
                "key_policy": doc(
                    {
                        "Sid": "EnableIAMPolicies",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "AppsDecrypt",
                        "Effect": "Allow",
                        "Principal": {"AWS": APP_ROLE},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                    },
                ),
            }
        ],
    }


def base_request() -> dict[str, Any]:
    """AppRole's session reads prod/db across accounts: allowed."""
    return {"principal": APP_SESSION, "action": GET, "resource": SECRET}


ALLOWED = {"decision": "allow", "reason": "ALLOWED_CROSS_ACCOUNT"}


def base_line(**fields: Any) -> dict[str, Any]:
    """A batch line alice's identity policy allows."""
    line = {
        "id": "x",
        "principal": ALICE,
        "action": GET,
        "resource": SECRET,
        "identity_policies": [doc({"Effect": "Allow", "Action": GET, "Resource": "*"})],
    }
    line.update(fields)
    return line


def role_chain(count: int) -> dict[str, Any]:
    """A user who reaches a secret only through a chain of ``count`` roles (issue #9 item 3)."""
    roles = []
    for i in range(1, count + 1):
        caller = f"arn:aws:iam::{A}:user/start" if i == 1 else f"arn:aws:iam::{A}:role/r{i - 1}"
        nxt = [
            doc(
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{A}:role/r{i + 1}"}
            )
        ]
        last = [doc({"Effect": "Allow", "Action": GET, "Resource": "*"})]
        roles.append(
            {
                "arn": f"arn:aws:iam::{A}:role/r{i}",
                "trust_policy": doc(
                    {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"}
                ),
                "policies": last if i == count else nxt,
            }
        )
    return _small_world(
        [
            {
                "arn": f"arn:aws:iam::{A}:user/start",
                "policies": [
                    doc(
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Resource": f"arn:aws:iam::{A}:role/r1",
                        }
                    )
                ],
            }
        ],
        roles,
    )


def trusting_roles(count: int) -> dict[str, Any]:
    """``count`` roles that may all assume one another; only the last reads the secret."""
    roles = []
    for i in range(1, count + 1):
        policies = [
            doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{A}:role/*"})
        ]
        if i == count:
            policies.append(doc({"Effect": "Allow", "Action": GET, "Resource": "*"}))
        roles.append(
            {
                "arn": f"arn:aws:iam::{A}:role/m{i}",
                "trust_policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ),
                "policies": policies,
            }
        )
    user = {
        "arn": f"arn:aws:iam::{A}:user/start",
        "policies": [
            doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{A}:role/*"})
        ],
    }
    return _small_world([user], roles)


SMALL_SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:s-AbC123"
SMALL_KEY = f"arn:aws:kms:us-east-1:{A}:key/a1a1a1a1-0000-4000-8000-000000000001"


def _small_world(users: list[Any], roles: list[Any]) -> dict[str, Any]:
    return {
        "accounts": [{"id": A, "name": "prod", "org_id": None, "org_path": []}],
        "principals": {"users": users, "roles": roles},
        "secrets": [{"arn": SMALL_SECRET, "kms_key": SMALL_KEY, "resource_policy": None}],
        "kms_keys": [{"arn": SMALL_KEY, "manager": "AWS", "aliases": ["alias/aws/secretsmanager"]}],
    }


# -- trials


@dataclass
class Trial:
    """One hostile input: the door it goes through, the family it belongs to, what it is, whether
    it must be refused (``expect="reject"``) or answered (``expect="answer"``), and how to run it."""

    id: str
    door: str
    group: str
    what: str
    expect: str
    spec: dict[str, Any] = field(default_factory=dict)


def text_file(text: str) -> dict[str, str]:
    """A file of the trial, given as text."""
    return {"text": text}


def bytes_file(data: bytes) -> dict[str, str]:
    """A file of the trial, given as bytes (not UTF-8, say)."""
    return {"b64": base64.b64encode(data).decode()}


def dumps(value: Any) -> str:
    """JSON text, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False)


def yaml_dump(value: Any) -> str:
    """YAML text in block style, keys in order."""
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


class Catalogue:
    """Builds the trials: hand-written ones for the examples of issue #9, then seeded families."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.trials: list[Trial] = []

    def add(self, door: str, group: str, what: str, expect: str, **spec: Any) -> None:
        """Add one trial."""
        self.trials.append(Trial(f"{door}-{len(self.trials):04d}", door, group, what, expect, spec))

    # convenience builders, one per door

    def api_check(
        self,
        group: str,
        what: str,
        text: str,
        kind: str = "identity",
        *,
        expect: str = "reject",
        where: str | None = None,
    ) -> None:
        """A policy text through ``check_policy``."""
        self.add("api", group, what, expect, op="check_policy", text=text, kind=kind, where=where)

    def cli(
        self,
        group: str,
        what: str,
        argv: list[str],
        files: dict[str, Any] | None = None,
        *,
        expect: str = "reject",
        locate: list[str] | None = None,
        **spec: Any,
    ) -> None:
        """A command line, with the files it reads."""
        self.add("cli", group, what, expect, argv=argv, files=files or {}, locate=locate, **spec)

    def scenario(
        self,
        group: str,
        what: str,
        content: str | bytes,
        name: str = "scenario.json",
        *,
        expect: str = "reject",
        where: str | None = None,
        request: dict[str, Any] | None = None,
        answer: Any = None,
    ) -> None:
        """A scenario file through ``load_scenario``."""
        f = text_file(content) if isinstance(content, str) else bytes_file(content)
        self.add(
            "scenario",
            group,
            what,
            expect,
            op="load_scenario",
            files={name: f},
            file=name,
            where=where,
            request=request,
            answer=answer,
        )

    def batch(
        self,
        group: str,
        what: str,
        line: str | bytes,
        *,
        expect: str = "reject",
        answer: Any = None,
        where: str | None = None,
    ) -> None:
        """One batch line through ``Simulator.run``."""
        raw = line.encode() if isinstance(line, str) else line
        self.add(
            "batch",
            group,
            what,
            expect,
            op="batch",
            line=base64.b64encode(raw).decode(),
            answer=answer,
            where=where,
        )

    def authorize(
        self,
        group: str,
        what: str,
        request: Any,
        *,
        world: Any = None,
        expect: str = "reject",
        answer: Any = None,
        where: str | None = None,
    ) -> None:
        """A request through ``authorize`` on a world (the base world by default)."""
        self.add(
            "api",
            group,
            what,
            expect,
            op="authorize",
            world=world or base_world(),
            request=request,
            answer=answer,
            where=where,
        )

    # -- the catalogue

    def build(self) -> list[Trial]:
        """Every trial, in a fixed order."""
        self.issue_1()
        self.issue_2()
        self.issue_3()
        self.issue_4()
        self.issue_5()
        self.issue_6()
        self.policy_families()
        self.scenario_families()
        self.batch_families()
        self.snapshot_trials()
        self.widget_trials()
        self.cli_arguments()
        return self.trials

    def issue_1(self) -> None:
        """Linear-time matching: pathological wildcards everywhere a wildcard is matched."""
        action = "secretsmanager:" + PATHOLOGICAL
        g = "issue-1"
        policy = doc({"Effect": "Allow", "Action": action, "Resource": "*"})
        self.api_check(g, "pathological wildcard action (check_policy)", dumps(policy), expect="answer")
        self.cli(
            g,
            "pathological wildcard action (check)",
            ["check", "p.json"],
            {"p.json": text_file(dumps(policy))},
            expect="answer",
            answer={"rc": [0]},
        )
        world = base_world()
        world["principals"]["roles"][0]["policies"][0]["Statement"][0]["Action"] = action
        self.authorize(
            g,
            "pathological action in an identity policy (authorize)",
            base_request(),
            world=world,
            expect="answer",
            answer={"decision": "deny"},
        )
        self.cli(
            g,
            "pathological action in a scenario (validate)",
            ["validate", "s.json"],
            {"s.json": text_file(dumps(world))},
            expect="answer",
            answer={"rc": [0]},
        )
        self.cli(
            g,
            "pathological action in a scenario (authorize)",
            [
                "authorize",
                "s.json",
                "--principal",
                APP_SESSION,
                "--action",
                GET,
                "--resource",
                SECRET,
                "--json",
            ],
            {"s.json": text_file(dumps(world))},
            expect="answer",
            answer={"rc": [0], "stdout_has": ['"decision": "deny"']},
        )
        self.cli(
            g,
            "pathological action (who-can)",
            ["who-can", "s.json", "--action", GET, "--resource", SECRET],
            {"s.json": text_file(dumps(world))},
            expect="answer",
            answer={"rc": [0]},
        )
        self.cli(
            g,
            "pathological action (lint)",
            ["lint", "s.json"],
            {"s.json": text_file(dumps(world))},
            expect="answer",
            answer={"rc": [0, 1]},
        )
        line = base_line(identity_policies=[policy])
        self.cli(
            g,
            "pathological action in a batch (simulate)",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(dumps(line) + "\n")},
            expect="answer",
            answer={"rc": [0], "stdout_has": ['"implicit_deny"']},
        )
        self.batch(
            g,
            "pathological action in a batch line",
            dumps(line),
            expect="answer",
            answer={"outcome": "implicit_deny"},
        )
        resource = doc(
            {
                "Effect": "Allow",
                "Action": GET,
                "Resource": "arn:aws:secretsmanager:*:*:secret:" + PATHOLOGICAL,
            }
        )
        self.batch(
            g,
            "pathological resource in a batch line",
            dumps(base_line(identity_policies=[resource])),
            expect="answer",
            answer={"outcome": "implicit_deny"},
        )
        cond = doc(
            {
                "Effect": "Allow",
                "Action": GET,
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalTag/team": PATHOLOGICAL}},
            }
        )
        self.batch(
            g,
            "pathological StringLike value in a batch line",
            dumps(base_line(identity_policies=[cond], context={"aws:PrincipalTag/team": "a" * 40})),
            expect="answer",
            answer={"outcome": "implicit_deny"},
        )
        arnlike = doc(
            {
                "Effect": "Allow",
                "Action": GET,
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:*:*:*:" + PATHOLOGICAL}},
            }
        )
        self.batch(
            g,
            "pathological ArnLike value in a batch line",
            dumps(
                base_line(identity_policies=[arnlike], context={"aws:SourceArn": "arn:aws:s3:::" + "a" * 40})
            ),
            expect="answer",
            answer={"outcome": "implicit_deny"},
        )
        principal = doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": GET,
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:" + PATHOLOGICAL}},
            }
        )
        self.batch(
            g,
            "pathological principal pattern in a secret policy (batch)",
            dumps(base_line(identity_policies=[], resource_policy=principal)),
            expect="answer",
            answer={"outcome": "implicit_deny"},
        )
        w2 = base_world()
        w2["principals"]["roles"][0]["policies"][0]["Statement"][0]["Resource"] = (
            "arn:aws:secretsmanager:*:*:secret:" + PATHOLOGICAL
        )
        self.authorize(
            g,
            "pathological resource in an identity policy (authorize)",
            base_request(),
            world=w2,
            expect="answer",
            answer={"decision": "deny"},
        )
        self.add(
            "widget",
            g,
            "pathological action typed in the playground",
            "answer",
            op="playground",
            text=dumps(doc({"Effect": "Allow", "Action": action, "Resource": "*"})),
            answer={"decided": True},
        )

    def issue_2(self) -> None:
        """Limits AWS enforces, and input limits of our own."""
        g = "issue-2"
        for kind, limit in (
            ("resource", 20480),
            ("identity", 10240),
            ("trust", 2048),
            ("scp", 5120),
            ("rcp", 5120),
            ("key", 32768),
            ("session", 2048),
            ("boundary", 6144),
        ):
            self.api_check(
                g, f"{kind} policy over its size limit ({limit})", sized_policy(kind, limit * 2), kind
            )
        big = sized_policy("resource", 30000)
        self.cli(
            g,
            "secret policy over 20,480 characters (check --kind resource)",
            ["check", "--kind", "resource", "p.json"],
            {"p.json": text_file(big)},
            locate=["p.json"],
        )
        world = base_world()
        world["secrets"][0]["resource_policy"] = json.loads(sized_policy("resource", 30000))
        self.scenario(
            g,
            "secret policy over 20,480 characters in a scenario",
            dumps(world),
            where="$.secrets[0].resource_policy",
        )
        for ch, name in (
            ("\u20ac", "euro sign"),
            ("\x01", "control character"),
            ("\U0001f600", "emoji"),
            ("\x00", "NUL"),
            ("\u2028", "line separator"),
        ):
            p = base_policy()
            p["Statement"][0]["Resource"] = f"arn:aws:secretsmanager:us-east-1:{A}:secret:a{ch}b"
            self.api_check(
                g, f"{name} in a resource ARN (charset)", dumps(p), where="$.Statement[0].Resource"
            )
        for value, name in (
            (A + "\n", "account id with a trailing newline"),
            (ARABIC_DIGITS, "Arabic-Indic digits"),
            (FULLWIDTH_DIGITS, "fullwidth digits"),
            ("11111111111", "eleven digits"),
            (" " + A, "leading space"),
        ):
            p = doc({"Effect": "Allow", "Principal": {"AWS": value}, "Action": GET, "Resource": "*"})
            self.api_check(g, f"Principal {name}", dumps(p), "resource", where="$.Statement[0].Principal")
            w = base_world()
            w["accounts"][1]["id"] = value
            self.scenario(g, f"scenario account id: {name}", dumps(w), where="$.accounts[1].id")
            req = {"principal": f"arn:aws:iam::{value}:root", "action": GET, "resource": SECRET}
            self.authorize(g, f"request principal root with {name}", req, where="$.principal")
            self.batch(
                g,
                f"batch resource_account: {name}",
                dumps(base_line(resource_account=value)),
                where="$.resource_account",
            )
        self.cli(
            g,
            "request principal root with Arabic-Indic digits (authorize)",
            [
                "authorize",
                "s.json",
                "--principal",
                f"arn:aws:iam::{ARABIC_DIGITS}:root",
                "--action",
                GET,
                "--resource",
                SECRET,
            ],
            {"s.json": text_file(dumps(base_world()))},
            locate=["--principal"],
        )
        for name, bad in (("alice!", "character !"), ("a" * 65, "65 characters"), ("", "empty")):
            w = base_world()
            w["principals"]["users"][0]["arn"] = f"arn:aws:iam::{A}:user/{name}"
            self.scenario(g, f"IAM user name: {bad}", dumps(w), where="$.principals.users[0].arn")
            w = base_world()
            w["principals"]["roles"][0]["arn"] = f"arn:aws:iam::{B}:role/{name}"
            self.scenario(g, f"IAM role name: {bad}", dumps(w), where="$.principals.roles[0].arn")
        for session, bad in (
            ("a b", "a space"),
            ("x", "one character"),
            ("s" * 65, "65 characters"),
            ("a/b", "a slash"),
        ):
            req = {
                **base_request(),
                "principal": f"arn:aws:iam::{B}:root",
                "assume_role_chain": [{"role_arn": APP_ROLE, "session_name": session}],
            }
            self.authorize(g, f"session name with {bad}", req, where="$.assume_role_chain[0].session_name")
        # input limits of our own
        laughs = "\n".join(
            [f"a0: &a0 [{', '.join(['x'] * 10)}]"]
            + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
        )
        self.scenario(g, "YAML billion laughs in a condition value", yaml_laughs(laughs), "laughs.yaml")
        self.cli(
            g,
            "YAML billion laughs (validate)",
            ["validate", "laughs.yaml"],
            {"laughs.yaml": text_file(yaml_laughs(laughs))},
            locate=["laughs.yaml"],
        )
        dup = dumps(base_world()).replace(
            '"Sid": "AppsRead", "Effect": "Allow"', '"Sid": "AppsRead", "Effect": "Deny", "Effect": "Allow"'
        )
        self.scenario(
            g,
            "duplicated Effect in a secret policy in a JSON scenario",
            dup,
            where="$.secrets[0].resource_policy.Statement[0]",
        )
        self.cli(
            g,
            "duplicated Effect in a secret policy (validate)",
            ["validate", "s.json"],
            {"s.json": text_file(dup)},
            locate=["s.json", "Statement[0]"],
        )
        ydup = yaml_dump(base_world()).replace("Sid: AppsRead\n", "Sid: AppsRead\n      Effect: Deny\n", 1)
        self.scenario(
            g,
            "duplicated Effect in a secret policy in a YAML scenario",
            ydup,
            "s.yaml",
            where="$.secrets[0].resource_policy.Statement[0]",
        )
        ydate = yaml_dump(base_world()).replace("Version: '2012-10-17'", "Version: 2012-10-17")
        self.scenario(
            g,
            "unquoted YAML date as Version",
            ydate,
            "date.yaml",
            where="$.secrets[0].resource_policy.Version",
        )
        self.cli(
            g,
            "unquoted YAML date as Version (validate)",
            ["validate", "date.yaml"],
            {"date.yaml": text_file(ydate)},
            locate=["date.yaml", "Version"],
        )
        deep = (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:x", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:x": ' + "[" * 100000 + "]" * 100000 + "}}}]}"
        )
        self.api_check(g, "condition value nested 100,000 deep", deep)
        self.batch(
            g,
            "batch line nested 100,000 deep",
            '{"id": 1, "context": {"a": ' + "[" * 100000 + "]" * 100000 + "}}",
        )

    def issue_3(self) -> None:
        """No silent answers."""
        g = "issue-3"
        s = {"s.json": text_file(dumps(base_world()))}
        typo = "secretsmanager:GetSecretValu"
        self.authorize(
            g,
            "request action that does not exist (typo)",
            {**base_request(), "action": typo},
            where="$.action",
        )
        self.authorize(
            g,
            "request principal not in the scenario",
            {**base_request(), "principal": f"arn:aws:iam::{A}:user/nobody"},
            where="$.principal",
        )
        self.authorize(
            g,
            "request resource not in the scenario",
            {**base_request(), "resource": SECRET.replace("prod/db", "prod/dc")},
            where="$.resource",
        )
        self.authorize(
            g, "wildcard request action", {**base_request(), "action": "secretsmanager:*"}, where="$.action"
        )
        self.authorize(
            g,
            "wildcard request resource",
            {**base_request(), "resource": f"arn:aws:secretsmanager:us-east-1:{A}:secret:*"},
            where="$.resource",
        )
        self.batch(g, "batch action typo", dumps(base_line(action=typo)), where="$.action")
        self.batch(
            g, "batch wildcard action", dumps(base_line(action="secretsmanager:Get*")), where="$.action"
        )
        self.batch(
            g, "batch kms action typo", dumps(base_line(action="kms:Decrpyt", resource=KEY)), where="$.action"
        )
        for cmd in (
            ["authorize", "s.json", "--principal", APP_SESSION, "--resource", SECRET],
            ["who-can", "s.json", "--resource", SECRET],
            ["paths", "s.json", "--principal", APP_SESSION, "--resource", SECRET],
            ["fix", "s.json", "--principal", ALICE, "--resource", SECRET],
            ["matrix", "s.json"],
        ):
            self.cli(
                g,
                f"{cmd[0]} --action with a typo",
                [*cmd, "--action", typo],
                s,
                locate=["--action", "GetSecretValue"],
            )
        self.cli(
            g,
            "who-can --action notanaction",
            ["who-can", "s.json", "--action", "notanaction", "--resource", SECRET],
            s,
            locate=["--action"],
        )
        self.cli(
            g,
            "authorize --principal not in the scenario",
            [
                "authorize",
                "s.json",
                "--principal",
                f"arn:aws:iam::{A}:user/nobody",
                "--action",
                GET,
                "--resource",
                SECRET,
            ],
            s,
            locate=["--principal"],
        )
        self.cli(
            g,
            "who-can --resource not in the scenario",
            ["who-can", "s.json", "--action", GET, "--resource", SECRET + "x"],
            s,
            locate=["--resource"],
        )
        self.cli(
            g,
            "fix --limit 0",
            [
                "fix",
                "s.json",
                "--principal",
                ALICE,
                "--action",
                "secretsmanager:DeleteSecret",
                "--resource",
                SECRET,
                "--limit",
                "0",
            ],
            s,
            locate=["--limit"],
        )
        self.cli(
            g,
            "fix --limit -1",
            [
                "fix",
                "s.json",
                "--principal",
                ALICE,
                "--action",
                "secretsmanager:DeleteSecret",
                "--resource",
                SECRET,
                "--limit",
                "-1",
            ],
            s,
            locate=["--limit"],
        )
        chain = {"c.json": text_file(dumps(role_chain(50)))}
        self.cli(
            g,
            "who-can through a 50-role chain",
            ["who-can", "c.json", "--action", GET, "--resource", SMALL_SECRET],
            chain,
            expect="answer",
            answer={"rc": [0], "stdout_has": ["user/start"]},
        )
        self.add(
            "api",
            g,
            "who_can through a 50-role chain",
            "answer",
            op="who_can",
            world=role_chain(50),
            action=GET,
            resource=SMALL_SECRET,
            answer={"has": f"arn:aws:iam::{A}:user/start"},
        )
        many = {"m.json": text_file(dumps(trusting_roles(40)))}
        self.cli(
            g,
            "paths on 40 mutually trusting roles",
            [
                "paths",
                "m.json",
                "--principal",
                f"arn:aws:iam::{A}:user/start",
                "--action",
                GET,
                "--resource",
                SMALL_SECRET,
            ],
            many,
            expect="answer",
            answer={"rc": [0], "stdout_has": ["m40"]},
        )
        lines = dumps(base_line(id="good")) + "\n" + dumps(base_line(id="bad", action=7)) + "\n"
        self.cli(
            g,
            "simulate with a failing line exits non-zero, every result written",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(lines)},
            locate=["b.jsonl:2"],
            stdout_lines=2,
        )
        w = base_world()
        w["accounts"].append(dict(w["accounts"][0]))
        self.scenario(g, "the same account twice", dumps(w), where="$.accounts[2]")
        w = base_world()
        w["kms_keys"].append({**w["kms_keys"][0], "arn": KEY.replace("c0de", "c0df")})
        self.scenario(g, "one alias on two keys", dumps(w), where="$.kms_keys[1].aliases[0]")
        w = base_world()
        w["principals"]["roles"].append(
            {
                **w["principals"]["roles"][0],
                "arn": f"arn:aws:iam::{B}:role/team/AppRole",
                "role_id": "AROAEXAMPLEAPPROLE02",
            }
        )
        self.scenario(g, "two roles with one name (different paths)", dumps(w), where="$.principals.roles[1]")
        w = base_world()
        w["principals"]["roles"].append(
            {**w["principals"]["roles"][0], "arn": f"arn:aws:iam::{B}:role/Other"}
        )
        self.scenario(g, "two roles with one unique id", dumps(w), where="$.principals.roles[1].role_id")
        w = base_world()
        w["accounts"][0]["name"] = ""
        self.scenario(g, "empty account name", dumps(w), where="$.accounts[0].name")
        w = base_world()
        w["secrets"][0]["name"] = ""
        self.scenario(g, "empty secret name", dumps(w), where="$.secrets[0].name")
        w = base_world()
        w["principals"]["users"][0]["arn"] = ALICE.replace("arn:aws:", "arn:aws-moon:")
        self.scenario(g, "unknown partition", dumps(w), where="$.principals.users[0].arn")
        w = base_world()
        w["kms_keys"][0]["grants"] = "all of them"
        self.scenario(g, "garbage grants", dumps(w), where="$.kms_keys[0].grants")
        wrapped = {"world": base_world(), "expectations": [{"request": 7, "decision": "maybe"}]}
        self.scenario(g, "garbage expectations", dumps(wrapped), where="$.expectations[0]")
        self.cli(
            g,
            "garbage expectations (validate)",
            ["validate", "e.json"],
            {"e.json": text_file(dumps(wrapped))},
            locate=["e.json", "expectations"],
        )

    def issue_4(self) -> None:
        """Nothing lost."""
        g = "issue-4"
        lines = dumps(base_line()) + "\n"
        self.cli(
            g,
            "simulate -o onto its own input",
            ["simulate", "b.jsonl", "-o", "b.jsonl"],
            {"b.jsonl": text_file(lines)},
            protect=["b.jsonl"],
            locate=["b.jsonl"],
        )
        self.cli(
            g,
            "simulate -o through a symlink",
            ["simulate", "b.jsonl", "-o", "link.jsonl"],
            {"b.jsonl": text_file(lines), "victim.txt": text_file("keep me\n")},
            symlinks={"link.jsonl": "victim.txt"},
            protect=["victim.txt"],
            locate=["link.jsonl"],
        )
        self.cli(
            g,
            "simulate -o whose write fails half-way (file size limit)",
            ["simulate", "big.jsonl", "-o", "out.jsonl"],
            {"big.jsonl": text_file(lines * 400), "out.jsonl": text_file("previous results\n")},
            fsize=4096,
            protect=["out.jsonl"],
            locate=["out.jsonl"],
        )
        self.cli(
            g,
            "simulate -o /dev/full",
            ["simulate", "b.jsonl", "-o", "/dev/full"],
            {"b.jsonl": text_file(lines)},
            lost_if_ok=True,
            locate=["/dev/full"],
        )
        s = text_file(dumps(base_world()))
        self.cli(
            g,
            "export -o onto the scenario file",
            ["export", "s.json", "-o", "s.json"],
            {"s.json": s},
            protect=["s.json"],
            locate=["s.json"],
        )
        self.cli(
            g,
            "export through a symlink it did not create",
            ["export", "s.json", "-o", "out"],
            {"s.json": s, "victim.txt": text_file("keep me\n")},
            dirs=["out"],
            symlinks={f"out/{A}.json": "../victim.txt"},
            protect=["victim.txt"],
            locate=[f"{A}.json"],
        )
        self.cli(
            g,
            "export whose write fails half-way (file size limit)",
            ["export", "s.json", "-o", "out"],
            {"s.json": s, f"out/{A}.json": text_file("{}\n")},
            dirs=["out"],
            fsize=512,
            protect=[f"out/{A}.json"],
            locate=[f"{A}.json"],
        )
        big = 2**64 + 1
        self.batch(
            g,
            "batch id above 2^64 comes back exactly",
            dumps(base_line(id=big)),
            expect="answer",
            answer={"outcome": "allow", "id_text": str(big)},
        )
        self.cli(
            g,
            "simulate: batch id above 2^64 comes back exactly",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(dumps(base_line(id=big)) + "\n")},
            expect="answer",
            answer={"rc": [0], "stdout_has": [f'"id":{big}', f'"id": {big}'], "any": True},
        )
        self.cli(
            g,
            "simulate: batch id 1e400",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(dumps(base_line()).replace('"id": "x"', '"id": 1e400') + "\n")},
            locate=["b.jsonl:1"],
        )
        self.add(
            "snapshot",
            g,
            "snapshot save through a symlink",
            "reject",
            op="snapshot_save",
            files={"snap.json": text_file(dumps(base_world())), "victim.txt": text_file("keep me\n")},
            symlinks={"link.json": "victim.txt"},
            target="link.json",
            protect=["victim.txt"],
            io=True,
        )
        self.add(
            "snapshot",
            g,
            "snapshot save whose write fails half-way",
            "reject",
            op="snapshot_save",
            files={"snap.json": text_file(dumps(base_world())), "old.json": text_file("{}\n")},
            target="old.json",
            fsize=1024,
            protect=["old.json"],
            io=True,
        )

    def issue_5(self) -> None:
        """Errors users can act on."""
        g = "issue-5"
        huge = "9" * 5000
        self.api_check(
            g,
            "integer of 5,000 digits in a condition",
            '{"Version": "2012-10-17", "Statement": [{"Effect": '
            '"Allow", "Action": "s3:x", "Resource": "*", "Condition": {"NumericEquals": {"s3:max-keys": '
            + huge
            + "}}}]}",
        )
        text = dumps(base_world()).replace('"AWSCURRENT": "v-0002"', '"AWSCURRENT": ' + huge)
        self.scenario(
            g, "integer of 5,000 digits in a JSON scenario", text, where="$.secrets[0].versions.AWSCURRENT"
        )
        self.scenario(
            g,
            "integer of 5,000 digits in a YAML scenario",
            yaml_dump(base_world()).replace("AWSCURRENT: v-0002", "AWSCURRENT: " + huge),
            "s.yaml",
            where="$.secrets[0].versions.AWSCURRENT",
        )
        self.cli(
            g,
            "integer of 5,000 digits (validate)",
            ["validate", "s.json"],
            {"s.json": text_file(text)},
            locate=["s.json"],
        )
        self.cli(
            g,
            "integer of 5,000 digits (check)",
            ["check", "p.json"],
            {"p.json": text_file(dumps(base_policy()).replace('"payments"', huge))},
            locate=["p.json"],
        )
        deep = '{"accounts": ' + "[" * 200000 + "]" * 200000 + "}"
        self.scenario(g, "JSON scenario nested 200,000 deep", deep)
        self.cli(
            g,
            "JSON scenario nested 200,000 deep (validate)",
            ["validate", "d.json"],
            {"d.json": text_file(deep)},
            locate=["d.json"],
        )
        self.cli(
            g,
            "policy nested 200,000 deep (check)",
            ["check", "d.json"],
            {"d.json": text_file("[" * 200000 + "]" * 200000)},
            locate=["d.json"],
        )
        ydeep = "accounts: " + "[" * 5000 + "]" * 5000 + "\n"
        self.scenario(g, "YAML scenario nested 5,000 deep", ydeep, "d.yaml")
        circular = "accounts: &a [*a]\n"
        self.scenario(g, "circular YAML", circular, "c.yaml")
        self.cli(
            g,
            "circular YAML (validate)",
            ["validate", "c.yaml"],
            {"c.yaml": text_file(circular)},
            locate=["c.yaml"],
        )
        circ2 = yaml_dump(base_world()).replace("tags:\n    team: payments", "tags: &t\n    team: *t", 1)
        self.scenario(g, "circular YAML inside tags", circ2, "c2.yaml")
        self.add("api", g, "NUL in a scenario path", "reject", op="load_scenario_path", path="a\x00b.json")
        self.add(
            "api",
            g,
            "NUL in a policy path (read_policy on a path-like)",
            "reject",
            op="check_policy",
            text="\x00",
            kind="identity",
        )
        self.add(
            "snapshot",
            g,
            "a snapshot that is not JSON",
            "reject",
            op="load_snapshot",
            files={"snap.json": text_file("not json at all\n")},
            file="snap.json",
            locate=["snap.json"],
        )
        self.add(
            "snapshot",
            g,
            "a snapshot that is a JSON array",
            "reject",
            op="load_snapshot",
            files={"snap.json": text_file("[1, 2]\n")},
            file="snap.json",
            locate=["snap.json"],
        )
        self.add(
            "snapshot",
            g,
            "a snapshot that is not UTF-8",
            "reject",
            op="load_snapshot",
            files={"snap.json": bytes_file(b"\xff\xfe{\x00}")},
            file="snap.json",
            locate=["snap.json"],
        )
        self.cli(
            g,
            "a snapshot that is not JSON (who-can)",
            ["who-can", "snap.json", "--action", GET, "--resource", SECRET],
            {"snap.json": text_file("not json\n")},
            locate=["snap.json"],
        )
        self.cli(
            g,
            "a FIFO as a scenario (validate)",
            ["validate", "fifo.json"],
            fifos=["fifo.json"],
            locate=["fifo.json"],
        )
        self.scenario_fifo(g)
        self.cli(g, "closed stdin (simulate)", ["simulate"], close_fds=[0], locate=["stdin"])
        self.cli(
            g,
            "closed stdout (simulate)",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(dumps(base_line()) + "\n")},
            close_fds=[1],
            lost_if_ok=True,
        )
        self.cli(
            g,
            "closed stdout (check)",
            ["check", "p.json"],
            {"p.json": text_file(dumps(base_policy()))},
            close_fds=[1],
            lost_if_ok=True,
        )
        many = (dumps(base_line()) + "\n") * 3000
        self.cli(
            g,
            "broken pipe (simulate | head -1)",
            ["simulate", "b.jsonl"],
            {"b.jsonl": text_file(many)},
            expect="answer",
            broken_pipe=True,
            answer={"quiet": True},
        )
        self.cli(g, "demo-aws --seconds nan", ["demo-aws", "--seconds", "nan"], locate=["--seconds"])
        self.cli(g, "demo-aws --seconds -1", ["demo-aws", "--seconds", "-1"], locate=["--seconds"])
        self.cli(g, "demo-aws --seconds inf", ["demo-aws", "--seconds", "inf"], locate=["--seconds"])
        for args, opt in (
            (["--region", "us east 1"], "--region"),
            (["--region", "../../etc"], "--region"),
            (["--endpoint-url", "ftp://127.0.0.1/x"], "--endpoint-url"),
            (["--endpoint-url", "not a url"], "--endpoint-url"),
            (["--role-arn", "not-an-arn"], "--role-arn"),
            (["--role-arn", f"arn:aws:iam::{A}:user/alice"], "--role-arn"),
        ):
            self.cli(
                g,
                f"import {' '.join(args)}",
                ["import", *args, "-o", "out.json"],
                locate=[opt],
                must_not_say=NETWORK,
            )
        self.api_check(
            g,
            "DUPLICATE_KEY located at the object that holds it",
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", '
            '"Action": "s3:x", "Resource": "*"}]}',
            where="$.Statement[0]",
        )
        self.api_check(
            g,
            "a message quotes a 1 MB value (bounded)",
            dumps(doc({"Effect": "Allow", "Action": "x" * 1_000_000, "Resource": "*"})),
            where="$.Statement[0].Action",
        )

    def scenario_fifo(self, g: str) -> None:
        """A FIFO given to ``load_scenario``: it must not block."""
        self.add(
            "scenario",
            g,
            "a FIFO as a scenario (load_scenario)",
            "reject",
            op="load_scenario",
            files={},
            fifos=["fifo.json"],
            file="fifo.json",
        )

    def issue_6(self) -> None:
        """Credentials and the import."""
        g = "issue-6"
        for url in ("http://example.com", "http://10.255.255.1:9", "http://[::ffff:10.0.0.1]:9"):
            self.cli(
                g,
                f"import --endpoint-url {url} (credentials in clear)",
                ["import", "--endpoint-url", url, "-o", "out.json"],
                locate=["--endpoint-url"],
                must_not_say=NETWORK,
            )
        self.cli(
            g,
            "import --endpoint-url loopback sends dummy credentials, not the user's",
            ["import", "--endpoint-url", "{ENDPOINT}", "-o", "out.json"],
            expect="answer",
            listen=True,
            answer={"no_real_credentials": True},
        )

    # -- seeded families

    def policy_families(self) -> None:
        """Seeded policy families: wrong types, duplicated keys, characters, sizes, wildcards, digits."""
        rng = self.rng
        g = "malformed"
        wrong: list[tuple[tuple[Any, ...], list[Any]]] = [
            (("Version",), ["2012-10-18", "", 2012, None, ["2012-10-17"], {"v": 1}, "2012-10-17 "]),
            (("Statement",), [7, "Allow", True, None, {"Effect": 1}]),
            (("Statement", 0), [7, "x", [], True, None]),
            (("Statement", 0, "Sid"), [7, [], {}, True]),
            (("Statement", 0, "Effect"), ["allow", "ALLOW", "Allow ", 1, None, [], ["Allow"], ""]),
            (("Statement", 0, "Action"), [1, {}, None, True, [1], "", [[GET]], "secretsmanager"]),
            (("Statement", 0, "Resource"), [1, {}, None, [None], "", [[]]]),
            (("Statement", 0, "Condition"), ["x", [], 1, True]),
            (("Statement", 0, "Condition", "StringEquals"), ["x", [], 1, None]),
            (
                ("Statement", 0, "Condition", "StringEquals", "aws:PrincipalTag/team"),
                [{}, [["a"]], {"a": "b"}],
            ),
        ]
        for path, values in wrong:
            for value in values:
                p = base_policy()
                put(p, path, value)
                self.api_check(g, f"{jpath(path)} = {short(value)}", dumps(p), where=jpath(path))
        # one in three, through the command line as well
        for path, values in wrong:
            value = rng.choice(values)
            p = base_policy()
            put(p, path, value)
            self.cli(
                g,
                f"check: {jpath(path)} = {short(value)}",
                ["check", "p.json"],
                {"p.json": text_file(dumps(p))},
                locate=["p.json", jpath(path)[:14]],
            )
        for name in ("Tagz", "effect", "Resources", "Condtion"):
            p = base_policy()
            p["Statement"][0][name] = "x"
            self.api_check(g, f"unknown element {name}", dumps(p), where=f"$.Statement[0].{name}")
        p = base_policy()
        p["Statement"][0]["Principal"] = "*"
        self.api_check(g, "Principal in an identity policy", dumps(p), where="$.Statement[0].Principal")
        # duplicated keys, as raw text
        for key in ("Effect", "Action", "Resource", "Sid"):
            text = dumps(base_policy()).replace(f'"{key}": ', f'"{key}": "dup", "{key}": ', 1)
            self.api_check(g, f"duplicated {key}", text, where="$.Statement[0]")
        self.api_check(g, "duplicated Statement", dumps(base_policy())[:-1] + ', "Statement": []}', where="$")
        # control characters and characters outside the policy character set, in every string
        g = "abusive"
        strings = [
            ("Statement", 0, "Sid"),
            ("Statement", 0, "Action"),
            ("Statement", 0, "Resource"),
            ("Statement", 0, "Condition", "StringEquals", "aws:PrincipalTag/team"),
        ]
        bad_chars = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)] + [
            "\u0100",
            "\u200b",
            "\u202e",
            "\ufeff",
            "\uffff",
            "\U0001f511",
            "\u0661",
            "\ud7ff",
        ]
        for _ in range(30):
            path = rng.choice(strings)
            ch = rng.choice(bad_chars)
            p = base_policy()
            original = get(p, path)
            at = rng.randrange(len(original) + 1)
            put(p, path, original[:at] + ch + original[at:])
            self.api_check(g, f"U+{ord(ch):04X} in {jpath(path)}", dumps(p), where=jpath(path))
        # oversized: every kind, random factor over its limit, padded by statements or by one long value
        g = "oversized"
        limits = {
            "identity": 10240,
            "resource": 20480,
            "trust": 2048,
            "scp": 5120,
            "rcp": 5120,
            "key": 32768,
            "session": 2048,
            "boundary": 6144,
        }
        for _ in range(16):
            kind = rng.choice(sorted(limits))
            size = int(limits[kind] * rng.uniform(1.2, 40))
            self.api_check(
                g,
                f"{kind} policy of about {size} characters",
                sized_policy(kind, size, rng.random() < 0.5),
                kind,
            )
        for size in (10**6, 4 * 10**6):
            self.api_check(
                g,
                f"one Resource of {size} characters",
                dumps(doc({"Effect": "Allow", "Action": GET, "Resource": "a" * size})),
            )
        self.api_check(
            g,
            "100,000 statements",
            dumps(doc(*[{"Effect": "Allow", "Action": GET, "Resource": "*"}] * 100000)),
        )
        self.api_check(
            g,
            "100,000 actions in one statement",
            dumps(doc({"Effect": "Allow", "Action": [f"s3:A{i}" for i in range(100000)], "Resource": "*"})),
        )
        for depth in (64, 1000, 50000):
            self.api_check(
                g,
                f"Condition value nested {depth} deep",
                dumps(base_policy()).replace('"payments"', "[" * depth + '"payments"' + "]" * depth),
            )
        for digits in (4301, 20000, 10**6):
            self.api_check(
                g,
                f"an integer of {digits} digits as Version",
                dumps(base_policy()).replace('"2012-10-17"', "1" * digits),
            )
        # pathological wildcards that AWS accepts: answered, in bounded time
        g = "pathological"
        for _ in range(14):
            k = rng.randrange(8, 24)
            tail = rng.choice(["b", "z", "?b", "x?"])
            pattern = "".join(rng.choice(["*?", "*", "?*", "**", "*a"]) for _ in range(k)) + tail
            where = rng.choice(["Action", "Resource", "StringLike"])
            if where == "Action":
                stmt = {"Effect": "Allow", "Action": "secretsmanager:" + pattern, "Resource": "*"}
            elif where == "Resource":
                stmt = {
                    "Effect": "Allow",
                    "Action": GET,
                    "Resource": f"arn:aws:secretsmanager:*:{A}:secret:" + pattern,
                }
            else:
                stmt = {
                    "Effect": "Allow",
                    "Action": GET,
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:PrincipalTag/team": pattern}},
                }
            self.api_check(g, f"{where} pattern {pattern}", dumps(doc(stmt)), expect="answer")
            self.batch(
                g,
                f"{where} pattern {pattern} (batch)",
                dumps(base_line(identity_policies=[doc(stmt)], context={"aws:PrincipalTag/team": "a" * 60})),
                expect="answer",
                answer={"outcome": "implicit_deny"},
            )
        # non-ASCII digits wherever an account id is read
        g = "abusive"
        for digits in (ARABIC_DIGITS, FULLWIDTH_DIGITS, DEVANAGARI_DIGITS):
            for kind, principal in (
                ("resource", {"AWS": digits}),
                ("resource", {"AWS": f"arn:aws:iam::{digits}:root"}),
                ("trust", {"AWS": f"arn:aws:iam::{digits}:role/x"}),
            ):
                p = doc(
                    {
                        "Effect": "Allow",
                        "Principal": principal,
                        "Action": "sts:AssumeRole" if kind == "trust" else GET,
                        **({} if kind == "trust" else {"Resource": "*"}),
                    }
                )
                self.api_check(
                    g,
                    f"{kind} policy Principal {short(principal)}",
                    dumps(p),
                    kind,
                    where="$.Statement[0].Principal",
                )

    def scenario_families(self) -> None:
        """Seeded scenario families: wrong types at every field, broken policies, unknown fields,
        abusive identifiers, files that are not scenarios."""
        rng = self.rng
        g = "malformed"
        world = base_world()
        paths = [p for p in walk(world) if not _in_policy(p)]
        rng.shuffle(paths)
        for i, path in enumerate(paths[:60]):
            value = get(world, path)
            replacement = rng.choice(wrong_types(value))
            w = base_world()
            put(w, path, replacement)
            yaml_file = i % 3 == 2
            name = "s.yaml" if yaml_file else "s.json"
            content = yaml_dump(w) if yaml_file else dumps(w)
            self.scenario(
                g, f"{jpath(path)} = {short(replacement)} ({name})", content, name, where=jpath(path)
            )
            if i % 4 == 0:
                self.cli(
                    g,
                    f"validate: {jpath(path)} = {short(replacement)}",
                    ["validate", name],
                    {name: text_file(content)},
                    locate=[name, jpath(path)[:16]],
                )
        # policies inside a scenario: the policy mutations, located under the policy's path
        policy_paths = [
            ("secrets", 0, "resource_policy"),
            ("kms_keys", 0, "key_policy"),
            ("principals", "roles", 0, "trust_policy"),
            ("principals", "users", 0, "policies", 0),
        ]
        for _ in range(16):
            at = rng.choice(policy_paths)
            w = base_world()
            inner = rng.choice([("Statement", 0, "Effect"), ("Statement", 0, "Action"), ("Version",)])
            value = rng.choice([7, None, ["x"], {"y": 1}, "allow"])
            put(w, (*at, *inner), value)
            self.scenario(g, f"{jpath((*at, *inner))} = {short(value)}", dumps(w), where=jpath(at))
        # unknown fields, at every object
        # (tags and versions are maps of the user's own keys: any key is valid there)
        objects = [
            p
            for p in walk(world)
            if isinstance(get(world, p), dict) and not _in_policy(p) and p[-1] not in ("tags", "versions")
        ]
        for path in objects[:12]:
            w = base_world()
            get(w, path)["colour"] = "blue"
            self.scenario(g, f"unknown field at {jpath(path)}", dumps(w), where=jpath((*path, "colour")))
        # abusive values in identifiers
        g = "abusive"
        for _ in range(20):
            path = rng.choice(
                [
                    ("accounts", 0, "id"),
                    ("principals", "users", 0, "arn"),
                    ("secrets", 0, "arn"),
                    ("secrets", 0, "name"),
                    ("kms_keys", 0, "arn"),
                    ("principals", "roles", 0, "role_id"),
                    ("secrets", 0, "region"),
                    ("kms_keys", 0, "aliases", 0),
                ]
            )
            w = base_world()
            value = get(w, path)
            kind = rng.choice(["control", "huge", "digits", "space"])
            if kind == "control":
                ch = rng.choice(["\x00", "\x1b", "\n", "\u202e", "\x7f"])
                bad = value[:5] + ch + value[5:]
            elif kind == "huge":
                bad = value + "a" * rng.choice([3000, 100_000, 2_000_000])
            elif kind == "digits":
                bad = (
                    value.replace("1", "\u0661").replace("2", "\u0662")
                    if any(c in value for c in "12")
                    else value + "\u0661"
                )
            else:
                bad = " " + value + " "
            put(w, path, bad)
            self.scenario(g, f"{jpath(path)}: {kind}", dumps(w), where=jpath(path))
        # not a scenario at all
        g = "malformed"
        for content, what in (
            ("", "empty file"),
            ("null", "null"),
            ("[]", "a JSON array"),
            ('"world"', "a string"),
            ("{", "truncated JSON"),
            ("\ufeff{}", "a BOM"),
            ("NaN", "NaN"),
            ('{"world": 7}', "world is a number"),
            ('{"accounts": Infinity}', "Infinity"),
        ):
            self.scenario(g, f"scenario file: {what}", content)
        self.scenario(g, "scenario file: UTF-16", dumps(base_world()).encode("utf-16"))
        self.scenario(g, "scenario file: invalid UTF-8", b'{"accounts": "\xff\xfe"}')
        for content, what in (
            ("- 1\n- 2\n", "a YAML list"),
            ("a: [\n", "broken YAML"),
            ("!!python/object:os.system {}\n", "a python tag"),
            ("accounts: !!binary AAAA\n", "binary tag"),
            ("? [1, 2]\n: x\n", "a list as a key"),
            ("1: x\n", "an integer key"),
        ):
            self.scenario(g, f"YAML scenario: {what}", content, "s.yaml")

    def batch_families(self) -> None:
        """Seeded batch-line families, and a sample of them through ``simulate``."""
        rng = self.rng
        g = "malformed"
        fields = {
            "principal": [1, [], {}, None, "", "alice", "arn:aws:iam::111111111111:group/devs", ALICE + "\n"],
            "action": [1, [], None, "", "GetSecretValue", "secretsmanager:", ":x"],
            "resource": [1, [], {}, "", "arn:aws:secretsmanager"],
            "context": ["x", [], 1, {"aws:SourceIp": {}}, {"aws:SourceIp": [[1]]}, {"": "x"}],
            "identity_policies": ["x", {}, [1], [None], [[]]],
            "resource_policy": ["x", [], 1],
            "permissions_boundary": ["x", [], 1],
            "session_policy": ["x", [], 1],
            "scps": ["x", [1], [[1]], {}],
            "rcps": ["x", [1], [[1]], {}],
            "resource_account": [1, "x", "", [], A + " ", "1" * 13],
        }
        for name, values in fields.items():
            for value in values:
                self.batch(
                    g, f"batch {name} = {short(value)}", dumps(base_line(**{name: value})), where=f"$.{name}"
                )
        for raw, what in (
            ("[]", "an array"),
            ("7", "a number"),
            ('"x"', "a string"),
            ("null", "null"),
            ("{", "truncated"),
            ('{"id": 1, "id": 2}', "a duplicated id"),
            ("\ufeff{}", "a BOM"),
        ):
            self.batch(g, f"batch line: {what}", raw)
        self.batch(g, "batch line: invalid UTF-8", b'{"id": "\xff"}')
        self.batch(g, "batch line: unknown field", dumps(base_line(resourse="*")), where="$.resourse")
        dup = dumps(base_line()).replace('"action": ', '"action": "kms:Decrypt", "action": ', 1)
        self.batch(g, "batch line: duplicated action", dup, where="$")
        g = "oversized"
        for size in (10**5, 5 * 10**6):  # long, but no rule refuses it: answered, in bounded time
            self.batch(
                g,
                f"batch context value of {size} characters",
                dumps(base_line(context={"aws:PrincipalTag/team": "a" * size})),
                expect="answer",
                answer={"outcome": "allow"},
            )
        self.batch(
            g,
            "batch identity policy of 1 MB",
            dumps(base_line(identity_policies=[json.loads(sized_policy("identity", 10**6))])),
            where="$.identity_policies[0]",
        )
        self.batch(
            g,
            "batch with 10,000 SCP levels",
            dumps(base_line(scps=[[doc({"Effect": "Allow", "Action": "*", "Resource": "*"})]] * 10000)),
            where="$.scps",
        )
        self.batch(
            g,
            "batch context integer of 5,000 digits",
            dumps(base_line()).replace(
                '"id": "x"', '"id": "x", "context": {"s3:max-keys": ' + "9" * 5000 + "}"
            ),
            where="$.context",
        )
        g = "abusive"
        for _ in range(12):
            name = rng.choice(["principal", "action", "resource"])
            line = base_line()
            ch = rng.choice(["\x00", "\n", "\u202e", "\u0661", "\x1b"])
            at = rng.randrange(len(line[name]) + 1)
            line[name] = line[name][:at] + ch + line[name][at:]
            self.batch(g, f"batch {name} with U+{ord(ch):04X}", dumps(line), where=f"$.{name}")
        # the simulate command on a few of them
        g = "malformed"
        chosen = rng.sample([t for t in self.trials if t.door == "batch" and t.expect == "reject"], 8)
        for t in chosen:
            raw = base64.b64decode(t.spec["line"])
            self.cli(
                g,
                f"simulate: {t.what}",
                ["simulate", "b.jsonl"],
                {"b.jsonl": bytes_file(raw + b"\n")},
                locate=["b.jsonl:1"],
                stdout_lines=1,
            )

    def snapshot_trials(self) -> None:
        """Snapshots that are not snapshots, through ``load_snapshot``."""
        g = "malformed"
        for content, what in (
            ("", "empty"),
            ("{", "truncated"),
            ("7", "a number"),
            ('{"world": []}', "world a list"),
            ('{"gaps": 7}', "gaps a number"),
            ('{"gaps": [{"resource": 1}]}', "a garbage gap"),
            ('{"accounts": "x"}', "accounts a string"),
            ("[" * 100000 + "]" * 100000, "nested deep"),
            ('{"accounts": [' + "9" * 5000 + "]}", "a 5,000-digit integer"),
        ):
            self.add(
                "snapshot",
                g,
                f"snapshot: {what}",
                "reject",
                op="load_snapshot",
                files={"snap.json": text_file(content)},
                file="snap.json",
                locate=["snap.json"],
            )
        self.add(
            "snapshot",
            g,
            "snapshot: a directory",
            "reject",
            op="load_snapshot",
            files={},
            dirs=["snap.json"],
            file="snap.json",
            locate=["snap.json"],
        )
        self.add(
            "snapshot",
            g,
            "snapshot: a missing file",
            "reject",
            op="load_snapshot",
            files={},
            file="snap.json",
            locate=["snap.json"],
        )

    def widget_trials(self) -> None:
        """Hostile text typed into the policy playground."""
        g = "abusive"
        for text, what in (
            ("", "empty"),
            ("{", "truncated JSON"),
            ("[" * 100000, "100,000 brackets"),
            (
                '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", '
                '"Action": "s3:x", "Resource": "*"}}',
                "a duplicated Effect",
            ),
            (dumps(doc({"Effect": "Allow", "Action": GET, "Resource": "a" * 200000})), "a 200 kB Resource"),
            (dumps(base_policy()).replace('"payments"', "9" * 5000), "a 5,000-digit integer"),
            (dumps(base_policy()).replace("Read", "Re\x00ad"), "a NUL in Sid"),
            (
                dumps(
                    doc(
                        {
                            "Effect": "Allow",
                            "Action": GET,
                            "Resource": f"arn:aws:secretsmanager:us-east-1:{ARABIC_DIGITS}:secret:x",
                        }
                    )
                ),
                "Arabic-Indic digits in an ARN",
            ),
        ):
            self.add("widget", g, f"playground text: {what}", "reject", op="playground", text=text)

    def cli_arguments(self) -> None:
        """Hostile command-line arguments."""
        g = "abusive"
        s = {"s.json": text_file(dumps(base_world()))}
        auth = ["authorize", "s.json", "--principal", APP_SESSION, "--action", GET, "--resource", SECRET]
        self.cli(
            g,
            "authorize --param SecretString={ (not JSON: read as a string)",
            [*auth, "--param", "SecretString={"],
            s,
            expect="answer",
            answer={"rc": [0], "stdout_has": ["ALLOW"]},
        )
        for extra, opt in (
            (["--context", "aws:SourceIp"], "--context"),
            (["--context", "=x"], "--context"),
            (["--assume", "not-an-arn"], "--assume"),
            (["--context", "aws:SourceIp=" + "1" * 100000], "--context"),
            (["--param", "VersionStage=" + "9" * 5000], "--param"),
            (["--context", "aws:CurrentTime=2026-13-45T99:99:99Z"], "--context"),
            (["--assume", f"arn:aws:iam::{A}:role/" + "r" * 100000], "--assume"),
        ):
            self.cli(g, f"authorize {extra[0]} {short(extra[1])}", [*auth, *extra], s, locate=[opt])
        for argv, opt in (
            (["check", "--kind", "bogus", "p.json"], "--kind"),
            (["check", "missing.json"], "missing.json"),
            (["check", "."], "."),
            (["validate", "missing.json"], "missing.json"),
            (["diff", "s.json", "missing.json"], "missing.json"),
            (["matrix", "s.json", "--principal", "x" * 50000], "--principal"),
            (["matrix", "s.json", "--action", "secretsmanager:" + PATHOLOGICAL], "--action"),
            (["paths", "s.json", "--principal", "", "--action", GET, "--resource", SECRET], "--principal"),
            (
                [
                    "fix",
                    "s.json",
                    "--principal",
                    ALICE,
                    "--action",
                    GET,
                    "--resource",
                    SECRET,
                    "--limit",
                    "9" * 5000,
                ],
                "--limit",
            ),
        ):
            self.cli(
                g,
                " ".join(short(a) for a in argv),
                argv,
                {**s, "p.json": text_file(dumps(base_policy()))},
                locate=[opt],
            )
        self.cli(
            g,
            "check a binary file",
            ["check", "p.json"],
            {"p.json": bytes_file(bytes(range(256)))},
            locate=["p.json"],
        )
        self.cli(
            g,
            "validate a UTF-16 file",
            ["validate", "s.json"],
            {"s.json": bytes_file(dumps(base_world()).encode("utf-16"))},
            locate=["s.json"],
        )
        self.cli(
            g,
            "simulate a 5 MB line (answered)",
            ["simulate", "b.jsonl"],
            {
                "b.jsonl": text_file(
                    dumps(base_line(context={"aws:PrincipalTag/team": "a" * 5 * 10**6})) + "\n"
                )
            },
            expect="answer",
            answer={"rc": [0], "stdout_has": ['"allow"']},
        )


NETWORK = (
    r"(?i)could not connect|connect timeout|EndpointConnectionError|Connection refused|"
    r"Name or service not known|Temporary failure in name resolution|ReadTimeout"
)


def yaml_laughs(anchors: str) -> str:
    """A YAML scenario whose secret policy's condition value expands to 10^9 strings."""
    world = yaml_dump(base_world())
    cond = "          Condition:\n            StringEquals:\n              aws:PrincipalTag/team: *a8\n"
    world = world.replace("        Resource: '*'\n", "        Resource: '*'\n" + cond, 1)
    return (
        "x-anchors:\n"
        + "\n".join("  " + line for line in anchors.splitlines())
        + "\n"
        + world.replace("accounts:", "accounts:", 1)
    )


def sized_policy(kind: str, size: int, one_value: bool = False) -> str:
    """A valid policy of ``kind`` of about ``size`` characters, padded by statements or one long value."""
    principal = (
        {"Principal": {"AWS": f"arn:aws:iam::{A}:root"}} if kind in ("resource", "key", "trust") else {}
    )
    action = "sts:AssumeRole" if kind == "trust" else GET
    resource = {} if kind == "trust" else {"Resource": "*"}
    effect = "Deny" if kind == "rcp" else "Allow"
    if kind == "rcp":
        principal = {"Principal": "*"}
    stmt = {"Effect": effect, **principal, "Action": action, **resource}
    if one_value:
        stmt["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": "p" * size}}
        return dumps(doc(stmt))
    one = len(dumps(stmt)) + 2
    return dumps(doc(*[{**stmt, "Sid": f"S{i}"} for i in range(size // one + 1)]))


def put(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    """Replace the element at ``path`` (in place)."""
    for part in path[:-1]:
        obj = obj[part]
    obj[path[-1]] = value


def get(obj: Any, path: tuple[Any, ...]) -> Any:
    """The element at ``path``."""
    for part in path:
        obj = obj[part]
    return obj


def jpath(path: tuple[Any, ...]) -> str:
    """``path`` as a JSON path (``$.a[0].b``)."""
    out = "$"
    for part in path:
        out += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if str(part).isidentifier() else f"['{part}']")
        )
    return out


def short(value: Any) -> str:
    """``value`` as JSON of at most 40 characters, for descriptions."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


_POLICY_FIELDS = {"policies", "trust_policy", "resource_policy", "key_policy", "permissions_boundary"}


def _in_policy(path: tuple[Any, ...]) -> bool:
    return any(p in _POLICY_FIELDS for p in path)


def walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in ``value`` (leaves, lists and objects), the root excluded."""
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += walk(v, (*path, i))
    return out


def wrong_types(value: Any) -> list[Any]:
    """Values of another JSON type than ``value`` (null excluded: some fields take it)."""
    if isinstance(value, bool):
        return ["yes", 1, [], {}]
    if isinstance(value, str):
        return [7, 1.5, True, [value], {"v": value}]
    if isinstance(value, list):
        return ["x", 7, {"a": 1}, True]
    if isinstance(value, dict):
        return ["x", 7, [value], False]
    return ["x", [], {}]


# -- running one trial


def classify_child(trial: Trial, result: dict[str, Any] | None, rc: int, stderr: str) -> tuple[str, str]:
    """The class of an API trial run in a child process, and the evidence."""
    if result is None:
        return "internal", f"no result (exit {rc}): {stderr[-300:]}"
    if result["kind"] == "raised":
        if not result["package"] and not (trial.spec.get("io") and result["type"] in _IO_ERRORS):
            return "internal", f"{result['type']}: {result['message'][:300]}"
        if trial.expect == "answer":
            return "wrong", f"refused: {result['type']}: {result['message'][:300]}"
        return located(trial, result.get("problems"), result["message"]), result["message"][:300]
    value = result["value"]
    if trial.expect == "reject":
        problems = value.get("problems") if isinstance(value, dict) else None
        if problems and any(p["severity"] == "error" for p in problems):
            return located(trial, problems, ""), "; ".join(p["message"][:120] for p in problems[:3])
        return "wrong", f"accepted: {short(value)}"
    answer = trial.spec.get("answer") or {}
    if (
        isinstance(value, dict)
        and value.get("problems")
        and any(p["severity"] == "error" for p in value["problems"])
    ):
        return "wrong", "refused: " + "; ".join(p["message"][:120] for p in value["problems"][:3])
    for key, want in answer.items():
        if key == "has":
            if want not in json.dumps(value):
                return "wrong", f"{want} missing from {short(value)}"
        elif key == "id_text":
            if value.get("id_text") != want:
                return "wrong", f"id came back as {value.get('id_text')}"
        elif value.get(key) != want:
            return "wrong", f"{key} = {value.get(key)!r}, expected {want!r}"
    return "ok", short(value)


_IO_ERRORS = {"OSError", "PermissionError", "IsADirectoryError", "FileNotFoundError", "FileExistsError"}


def located(trial: Trial, problems: list[dict[str, Any]] | None, message: str) -> str:
    """``located`` when every error names where it is (and the file, and the expected path when
    the trial gives them) and quotes a bounded part of the value; ``clear`` otherwise."""
    where = trial.spec.get("where")
    file = trial.spec.get("file")
    if problems:
        errs = [p for p in problems if p.get("severity", "error") == "error"] or problems
        if any(len(p.get("message", "")) > MAX_MESSAGE for p in errs):
            return "clear"
        for p in errs:
            # without an expected element, the document itself ("$") is where a whole-document problem is
            has_where = not where or p.get("path", "$") != "$" or re.search(r"line \d+", p.get("message", ""))
            if not has_where:
                return "clear"
        if file and not any(file in (p.get("source") or "") + p.get("message", "") for p in errs):
            return "clear"
        if where and not any(_near(p.get("path", "$"), where) for p in errs):
            return "clear"
        return "located"
    if len(message) > 4 * MAX_MESSAGE:
        return "clear"
    names = trial.spec.get("locate") or ([file] if file else [])
    if names and all(n in message for n in names) and (re.search(r"\$[.\[]|line \d+", message) or not where):
        return "located"
    return "clear"


def _near(path: str, where: str) -> bool:
    """Whether a problem at ``path`` locates something at ``where``: the same element, inside
    it, or the object that holds it (the root excepted)."""
    if path == "$" or where == "$":
        return path == where
    return path.startswith(where) or where.startswith(path)


def files_state(root: Path) -> dict[str, str]:
    """Every file and symlink under ``root`` with its content hash (or link target)."""
    out = {}
    for p in root.rglob("*"):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def prepare(trial: Trial, work: Path) -> None:
    """Create the trial's directories, files, symlinks and FIFOs in ``work``."""
    for d in trial.spec.get("dirs", ()):
        (work / d).mkdir(parents=True, exist_ok=True)
    for name, f in trial.spec.get("files", {}).items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            base64.b64decode(f["b64"]) if "b64" in f else f["text"].encode("utf-8", "surrogatepass")
        )
    for name, target in trial.spec.get("symlinks", {}).items():
        (work / name).symlink_to(target)
    for name in trial.spec.get("fifos", ()):
        os.mkfifo(work / name)


def limits(fsize: int | None, close: tuple[int, ...] = ()) -> Any:
    """The ``preexec_fn`` of a trial: the memory limit, an optional file size limit (a write fails
    half-way) and file descriptors to close (stdin or stdout)."""

    def apply() -> None:
        """Applied in the child before it runs."""
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        for fd in close:
            os.close(fd)

    return apply


class Listener:
    """A loopback HTTP endpoint that records the Authorization headers it receives and answers 500."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            """Records the Authorization header, answers 500."""

            def do_POST(self) -> None:
                """Record and refuse."""
                seen.append(self.headers.get("Authorization", ""))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                """Quiet."""
                pass

        self.seen = seen
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()


REAL_KEY = "AKIAHOSTILERUNREAL01"


def run_trial(trial: Trial, root: Path, timeout: float) -> dict[str, Any]:
    """Run one trial in a fresh process and temporary directory; its class and evidence."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        work = Path(tmp)
        prepare(trial, work)
        before = files_state(work)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().endswith("_PROXY") and not k.startswith("AWS_")
        }
        env.update(
            PYTHONPATH=str(root),
            AWS_ACCESS_KEY_ID=REAL_KEY,
            AWS_SECRET_ACCESS_KEY="hostile-run-secret",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_CONFIG_FILE=str(work / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-creds"),
            PYTHONHASHSEED="0",
            MPLBACKEND="Agg",
        )
        listener = Listener() if trial.spec.get("listen") else None
        started = time.perf_counter()
        try:
            if trial.door == "cli":
                cls, evidence = run_cli(trial, work, env, timeout, listener)
            else:
                cls, evidence = run_child(trial, work, env, timeout)
        finally:
            if listener:
                listener.close()
        seconds = time.perf_counter() - started
        if cls != "hang":
            after = files_state(work)
            for name in trial.spec.get("protect", ()):
                if after.get(name) != before.get(name):
                    cls, evidence = (
                        "loss",
                        f"{name} was {'changed' if name in after else 'removed'}; {evidence}",
                    )
    return {
        "id": trial.id,
        "door": trial.door,
        "group": trial.group,
        "what": trial.what,
        "expect": trial.expect,
        "class": cls,
        "seconds": round(seconds, 3),
        "evidence": evidence[:600],
    }


def _spawn(
    argv: list[str], work: Path, env: dict[str, str], stdin: Any, stdout: Any, preexec: Any
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        cwd=work,
        env=env,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=preexec,
        start_new_session=True,
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_child(trial: Trial, work: Path, env: dict[str, str], timeout: float) -> tuple[str, str]:
    """An API trial: this script with ``--child`` in a fresh process; its class and evidence."""
    payload = json.dumps({"door": trial.door, **trial.spec}).encode()
    argv = [sys.executable, str(Path(__file__).resolve()), "--child"]
    proc = _spawn(argv, work, env, subprocess.PIPE, subprocess.PIPE, limits(trial.spec.get("fsize")))
    try:
        out, err = proc.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return "hang", f"over {timeout:g} s"
    result = None
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("@@RESULT "):
            result = json.loads(line[9:])
    return classify_child(trial, result, proc.returncode, err.decode(errors="replace"))


def run_cli(
    trial: Trial, work: Path, env: dict[str, str], timeout: float, listener: Listener | None
) -> tuple[str, str]:
    """A command-line trial: ``python -m secretslab`` in a fresh process; its class and evidence."""
    spec = trial.spec
    argv = [a.replace("{ENDPOINT}", listener.url) if listener else a for a in spec["argv"]]
    close = tuple(spec.get("close_fds", ()))
    stdin = None if 0 in close else subprocess.DEVNULL
    cmd = [sys.executable, "-m", "secretslab", *argv]
    proc = _spawn(
        cmd, work, env, stdin, None if 1 in close else subprocess.PIPE, limits(spec.get("fsize"), close)
    )
    try:
        if spec.get("broken_pipe"):
            assert proc.stdout is not None
            proc.stdout.readline()
            proc.stdout.close()
            proc.wait(timeout=timeout)
            out, err = b"", proc.stderr.read() if proc.stderr else b""
        else:
            out, err = proc.communicate(timeout=timeout)
            out = out or b""
    except subprocess.TimeoutExpired:
        _kill(proc)
        return "hang", f"over {timeout:g} s"
    rc = proc.returncode
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    said = f"exit {rc}: {stderr.strip()[:400]}"
    if (
        "Traceback (most recent call last)" in stderr
        or "internal error" in stderr
        or rc == 70
        or (rc < 0 and not spec.get("broken_pipe"))
    ):
        return "internal", said
    if spec.get("must_not_say") and re.search(spec["must_not_say"], stderr + stdout):
        return "wrong", "tried the network: " + said
    answer = spec.get("answer") or {}
    if trial.expect == "answer":
        if answer.get("quiet"):
            return ("ok", said) if not stderr.strip() or "Broken pipe" not in stderr else ("clear", said)
        if answer.get("no_real_credentials"):
            assert listener is not None
            if any(REAL_KEY in h for h in listener.seen):
                return "wrong", "sent the user's credentials to the endpoint"
            return ("ok", f"{len(listener.seen)} request(s), none with the user's key; " + said)
        if rc not in answer.get("rc", [0]):
            return "wrong", said
        wanted = answer.get("stdout_has", [])
        hits = [w in stdout for w in wanted]
        if wanted and not (any(hits) if answer.get("any") else all(hits)):
            return "wrong", f"stdout lacks {wanted}: {stdout[:300]}"
        return "ok", f"exit {rc}"
    # must be refused
    if spec.get("stdout_lines") is not None:
        got = len([x for x in stdout.splitlines() if x.strip()])
        if got != spec["stdout_lines"]:
            return "loss", f"{got} result line(s) of {spec['stdout_lines']}; " + said
    if rc == 0:
        if spec.get("lost_if_ok"):
            return "loss", "exit 0 with its output lost"
        return "wrong", f"exit 0: {stdout[:200]}"
    text = stderr + stdout
    names = spec.get("locate") or []
    if len(stderr) > 8 * MAX_MESSAGE:
        return "clear", said
    if names and all(any(alias in text for alias in aliases(n)) for n in names):
        return "located", said
    return "clear", said


#: where a command-line option ends up in the request it builds (a problem may name either)
_OPTION_FIELDS = {"--assume": "$.assume_role_chain", "--param": "$.parameters"}


def aliases(name: str) -> tuple[str, ...]:
    """The names that locate ``name``: an option, or the request field it fills."""
    if not name.startswith("--"):
        return (name,)
    return (name, _OPTION_FIELDS.get(name, "$." + name[2:].replace("-", "_")))


# -- the child: one API trial, in its own process


def child() -> None:
    """Run the API trial read from stdin and print its result (returned value or raised error)."""
    spec = json.loads(sys.stdin.buffer.read())
    try:
        value = _child_op(spec)
        result: dict[str, Any] = {"kind": "returned", "value": value}
    except BaseException as exc:
        problems = getattr(exc, "problems", None)
        module = type(exc).__module__
        result = {
            "kind": "raised",
            "type": type(exc).__name__,
            "package": module.startswith("secretslab"),
            "message": _text(exc),
            "problems": [_problem(p) for p in problems] if isinstance(problems, (list, tuple)) else None,
            "trace": traceback.format_exc()[-1500:],
        }
    sys.stdout.write("@@RESULT " + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0)


def _text(exc: BaseException) -> str:
    try:
        return str(exc)[: 20 * MAX_MESSAGE]
    except Exception as inner:
        return f"<unprintable: {type(inner).__name__}>"


def _problem(p: Any) -> dict[str, Any]:
    return {
        "code": str(p.code),
        "severity": str(p.severity.value),
        "path": p.json_path,
        "message": str(p.message),
        "source": p.source,
    }


def _loaded(world: Any) -> dict[str, Any]:
    """A world that loaded: its errors, when it reports any (a policy AWS would refuse is kept in
    the world as not attached and reported in ``World.problems``), else accepted."""
    errors = [p for p in world.problems if p.is_error]
    return {"problems": [_problem(p) for p in errors]} if errors else {"loaded": True}


def _child_op(spec: dict[str, Any]) -> Any:
    import secretslab as sl

    op = spec["op"]
    if op == "check_policy":
        return {"problems": [_problem(p) for p in sl.check_policy(spec["text"], spec["kind"])]}
    if op == "authorize":
        world = sl.World.from_dict(spec["world"])
        d = sl.authorize(world, spec["request"]).to_dict()
        return {"decision": d.get("decision"), "reason": d.get("reason")}
    if op == "who_can":
        world = sl.World.from_dict(spec["world"])
        return {"who": str(sl.who_can(world, spec["action"], spec["resource"]))[:20000]}
    if op == "load_scenario":
        world = sl.load_scenario(spec["file"])
        if spec.get("request"):
            return sl.authorize(world, spec["request"]).to_dict()
        return _loaded(world)
    if op == "load_scenario_path":
        return _loaded(sl.load_scenario(spec["path"]))
    if op == "batch":
        from secretslab.batch import Simulator

        line = base64.b64decode(spec["line"])
        results = list(Simulator().run([line], source="batch.jsonl"))
        r = results[0]
        if "error" in r:
            return {
                "problems": [{**p, "severity": p.get("severity", "error")} for p in r["error"]["problems"]]
            }

        # the API gives an id back as the Python value it was (an int of any size): json writes it
        ident = json.dumps(r["id"]) if r.get("id") is not None else None
        return {"outcome": r.get("outcome"), "reason": r.get("reason"), "id_text": ident}
    if op == "load_snapshot":
        from secretslab.aws.imported import load_snapshot

        snap = load_snapshot(spec["file"])
        snap.world  # noqa: B018 - reading the world is the point
        return {"loaded": True}
    if op == "snapshot_save":
        from secretslab.aws.imported import load_snapshot

        load_snapshot("snap.json").save(spec["target"])
        return {"saved": True}
    if op == "playground":
        from secretslab.widgets.playground import PolicyPlayground

        world = sl.World.from_dict(base_world())
        app = PolicyPlayground(world)
        app.text.value = spec["text"]
        rendered = app.render()
        problems = [_problem(p) for p in rendered.problems]
        return {"problems": problems, "decided": rendered.decision is not None}
    raise SystemExit(f"unknown op {op}")


# -- the run


def main(argv: list[str] | None = None) -> int:
    """Build the catalogue, run it and print the table (and write ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout to test (default: this repository)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per trial (default 10)")
    parser.add_argument("--only", choices=DOORS, action="append", help="only this door (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="trials run at once (default 2)")
    parser.add_argument("--seed", type=int, default=9, help="seed of the generated families (default 9)")
    parser.add_argument("--json", type=Path, help="write every trial's outcome here")
    parser.add_argument("--list", action="store_true", help="list the catalogue and stop")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child()
        return 0
    trials = Catalogue(args.seed).build()
    if args.only:
        trials = [t for t in trials if t.door in args.only]
    if args.list:
        for t in trials:
            print(f"{t.id}  {t.group:<12} {t.expect:<6} {t.what}")
        return 0
    root = args.root.resolve()
    started = time.perf_counter()
    done = 0

    def one(t: Trial) -> dict[str, Any]:
        """Run one trial and say so on stderr unless it went well."""
        nonlocal done
        r = run_trial(t, root, args.timeout)
        done += 1
        if r["class"] not in ("ok", "located"):
            print(f"[{done}/{len(trials)}] {r['class']:<8} {t.id} {t.what[:70]}", file=sys.stderr, flush=True)
        return r

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(one, trials))
    print(table(results))
    print()
    print(table(results, "group"))
    print(
        f"\n{len(results)} trials on {root} in {time.perf_counter() - started:.0f} s "
        f"(timeout {args.timeout:g} s, seed {args.seed})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "root": str(root),
                    "seed": args.seed,
                    "timeout": args.timeout,
                    "counts": counts(results),
                    "families": counts(results, "group"),
                    "trials": results,
                },
                indent=1,
            )
            + "\n"
        )
    return 0


def counts(results: list[dict[str, Any]], by: str = "door") -> dict[str, dict[str, int]]:
    """Per door (or per ``group``: the issue item or the generated family), and in total: how
    many trials, and how many of each class."""
    keys = DOORS if by == "door" else sorted({r[by] for r in results})
    out: dict[str, dict[str, int]] = {}
    for key in (*keys, "total"):
        rows = [r for r in results if key in ("total", r[by])]
        if rows:
            c = Counter(r["class"] for r in rows)
            out[key] = {"tried": len(rows), **{k: c.get(k, 0) for k in CLASSES}}
    return out


def table(results: list[dict[str, Any]], by: str = "door") -> str:
    """The counts as a Markdown table."""
    header = [by if by == "door" else "family", "tried", "ok", "located", "clear", "wrong acceptance", "hang"]
    header += ["loss", "internal"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, c in counts(results, by).items():
        cells = [key if key != "total" else "**total**", str(c["tried"]), *(str(c[k]) for k in CLASSES)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
