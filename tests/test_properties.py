"""Property tests (hypothesis) for the laws of AWS policy evaluation.

Each law is a consequence of the decision procedure of semantics §8 (pseudocode §8.11) and of
AWS's own description of it,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
("an explicit deny in any policy overrides any allow"; every request starts as an implicit deny;
statements and policies of one type are OR-ed; SCPs, RCPs, boundaries and session policies only
restrict). Requests are generated as batch lines (``secretslab.batch``) and decided with
``Simulator().evaluate``; every generated line is valid (a ``LineError`` fails the test).

Generator balance, measured on two 3000-example samples of ``lines()`` (see also
``pytest --hypothesis-show-statistics``, which prints the outcome events of every law): ALLOW
46–51 %, EXPLICIT_DENY 15–17 %, IMPLICIT_DENY 35–38 %; 70 % same-account and 30 % cross-account
requests; a resource-based policy on 85 % of them, SCPs on 24 %, RCPs on 12 %, a permissions
boundary on 23 % and a session policy on 18 %. Allow statements are often aimed at the request
(its action, resource and caller); without that the ALLOW share was 12 % and the monotonicity
laws were nearly vacuous. ``test_generated_lines_cover_every_outcome`` keeps it that way.

One package bug was found and fixed (parser and evaluation totality: dates at the ends of the
calendar raised OverflowError); ``test_dates_at_the_calendar_edges_*`` keep it fixed.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from secretslab import (
    Evaluation,
    InvalidPolicyError,
    Outcome,
    ScenarioError,
    World,
    authorize,
    check_policy,
    parse_policy,
    read_policy,
)
from secretslab.batch import LineError, Simulator
from secretslab.evaluation.context import as_values
from secretslab.evaluation.target import typed_value_problem
from secretslab.problems import CODES

from .conftest import PUBLIC_CASES, load_cases

KINDS = ("identity", "resource", "key", "trust", "scp", "rcp", "boundary", "session")

# --------------------------------------------------------------------------------------------
# Vocabulary: two accounts, a few principals, two secrets, a key and a role.

A, B = "111111111111", "222222222222"
SECRET_A = f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-AbC123"
SECRET_A2 = f"arn:aws:secretsmanager:us-east-1:{A}:secret:dev/app-XyZ789"
SECRET_B = f"arn:aws:secretsmanager:us-east-1:{B}:secret:prod/db-QwE456"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_TARGET = f"arn:aws:iam::{A}:role/Target"

ALICE = f"arn:aws:iam::{A}:user/alice"
SESSION_A = f"arn:aws:sts::{A}:assumed-role/Reader/s1"
ROOT_A = f"arn:aws:iam::{A}:root"
FED_A = f"arn:aws:sts::{A}:federated-user/carol"
BOB = f"arn:aws:iam::{B}:user/bob"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/Reader/s2"

CALLERS = st.sampled_from([ALICE, ALICE, ALICE, SESSION_A, SESSION_A, ROOT_A, FED_A, BOB, SESSION_B])

#: request action -> the resources it is asked on
ACTIONS: dict[str, list[str]] = {
    "secretsmanager:GetSecretValue": [SECRET_A, SECRET_A, SECRET_A2, SECRET_B],
    "secretsmanager:DescribeSecret": [SECRET_A, SECRET_A2, SECRET_B],
    "secretsmanager:PutSecretValue": [SECRET_A, SECRET_B],
    "secretsmanager:DeleteSecret": [SECRET_A],
    "secretsmanager:ListSecrets": ["*"],
    "kms:Decrypt": [KEY_A],
    "kms:GenerateDataKey": [KEY_A],
    "sts:AssumeRole": [ROLE_TARGET],
}
REQUEST_ACTIONS = st.sampled_from(
    [
        *["secretsmanager:GetSecretValue"] * 4,
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:ListSecrets",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "sts:AssumeRole",
    ]
)
#: the kind of resource-based policy each service reads (semantics §3.1, §9, §11)
RESOURCE_KIND = {"secretsmanager": "resource", "kms": "key", "sts": "trust"}

ACTION_PATTERNS = st.sampled_from(
    [
        "secretsmanager:GetSecretValue",
        "secretsmanager:Get*",
        "secretsmanager:*",
        "secretsmanager:*",
        "secretsmanager:*Secret*",
        "secretsmanager:?etSecretValue",
        "SecretsManager:getsecretvalue",
        "secretsmanager:Describe*",
        "secretsmanager:List*",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "kms:Decrypt",
        "kms:*",
        "kms:GenerateDataKey*",
        "sts:AssumeRole",
        "sts:*",
        "*",
        "*",
    ]
)
RESOURCE_PATTERNS = st.sampled_from(
    [
        "*",
        "*",
        "*",
        SECRET_A,
        SECRET_A2,
        SECRET_B,
        f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-??????",
        f"arn:aws:secretsmanager:*:{A}:secret:*",
        f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/*",
        f"arn:aws:secretsmanager:us-east-1:{B}:secret:*",
        "arn:aws:secretsmanager:*",
        f"arn:aws:secretsmanager:us-east-1:{A}:secret:${{aws:username}}-*",
        KEY_A,
        f"arn:aws:kms:*:{A}:key/*",
        ROLE_TARGET,
        "arn:aws:iam::*:role/*",
    ]
)
PRINCIPAL_VALUES = st.sampled_from(
    [
        "*",
        "*",
        A,
        A,
        BOB,
        f"arn:aws:iam::{A}:root",
        B,
        f"arn:aws:iam::{B}:root",
        ALICE,
        BOB,
        f"arn:aws:iam::{A}:role/Reader",
        f"arn:aws:iam::{B}:role/Reader",
        SESSION_A,
        FED_A,
    ]
)

#: (operator, key, value) triples; the keys are those the generated contexts may carry
CONDITIONS = st.sampled_from(
    [
        ("StringEquals", "aws:PrincipalAccount", A),
        ("StringEquals", "aws:PrincipalAccount", [A, B]),
        ("StringNotEquals", "aws:PrincipalAccount", B),
        ("StringEquals", "aws:SourceVpce", "vpce-1"),
        ("StringNotEquals", "aws:SourceVpce", "vpce-1"),
        ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1"),
        ("StringNotEqualsIfExists", "aws:SourceVpce", ["vpce-1", "vpce-2"]),
        ("StringLike", "aws:PrincipalArn", f"arn:aws:iam::{A}:*"),
        ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Reader"),
        ("ArnNotLike", "aws:PrincipalArn", f"arn:aws:iam::{B}:*"),
        ("Bool", "aws:MultiFactorAuthPresent", "true"),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
        ("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
        ("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.0.2.0/24"]),
        ("Null", "aws:SourceVpce", "true"),
        ("Null", "aws:SourceVpce", "false"),
        ("StringEquals", "secretsmanager:VersionStage", "AWSCURRENT"),
        ("StringEquals", "aws:ResourceTag/team", "payments"),
        ("StringEqualsIgnoreCase", "aws:ResourceTag/Team", "PAYMENTS"),
        ("ForAnyValue:StringEquals", "aws:TagKeys", "team"),
        ("ForAllValues:StringLike", "aws:TagKeys", ["team", "env*"]),
        ("NumericLessThan", "secretsmanager:RecoveryWindowInDays", "10"),
        ("StringLike", "aws:userid", "AIDA*"),
        ("StringEquals", "aws:username", "alice"),
        ("StringEquals", "aws:SourceVpce", ["vpce-1", "vpce-2"]),
        ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "203.0.113.0/24"]),
        ("StringLike", "aws:PrincipalArn", [f"arn:aws:iam::{A}:user/*", "arn:aws:iam::*:role/Reader"]),
        ("ForAnyValue:StringLike", "aws:TagKeys", ["te*", "env"]),
        ("StringLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:*"),  # §6 variable
        ("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team, 'payments'}"),
    ]
)
CONTEXT_VALUES: dict[str, list[Any]] = {
    "aws:SourceVpce": ["vpce-1", "vpce-2"],
    "aws:SourceIp": ["10.1.2.3", "192.0.2.7", "203.0.113.9"],
    "aws:MultiFactorAuthPresent": ["true", "false", True],
    "secretsmanager:VersionStage": ["AWSCURRENT", "AWSPREVIOUS"],
    "aws:ResourceTag/team": ["payments", "other"],
    "aws:TagKeys": [["team"], ["team", "env"], []],
    "secretsmanager:RecoveryWindowInDays": ["7", "30"],
}
#: a key no generated context ever carries (semantics §5.3: a positive operator is then false)
ABSENT_KEY = "aws:RequestTag/secretslab-never-set"

# --------------------------------------------------------------------------------------------
# Policy strategies, one per kind of policy (semantics §3.3–§3.12: what each kind accepts).


def rarely(draw: st.DrawFn, n: int) -> bool:
    """True with probability 1/n — and False on hypothesis's favourite (all-zero) draws, so
    the simplest examples are the common shape, not the rare one."""
    return draw(st.integers(0, n - 1)) == n - 1


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


@st.composite
def condition_blocks(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for op, key, value in draw(st.lists(CONDITIONS, min_size=1, max_size=2)):
        block.setdefault(op, {})[key] = value
    return block


@st.composite
def principal_elements(draw: st.DrawFn) -> Any:
    values = draw(st.lists(PRINCIPAL_VALUES, min_size=1, max_size=3, unique=True))
    if values == ["*"] and draw(st.booleans()):
        return "*"
    element: dict[str, Any] = {"AWS": _one_or_list(values)}
    if rarely(draw, 10):
        element["Service"] = "secretsmanager.amazonaws.com"
    return element


def aimed_actions(action: str) -> list[str]:
    """Action patterns that match ``action`` (§4.1: case-insensitive, ``*`` and ``?``)."""
    service, _, name = action.partition(":")
    return [
        action,
        action.upper(),
        f"{service}:*",
        "*",
        f"{service}:{name[:3]}*",
        f"{service}:*{name[-5:]}",
        f"{service}:?{name[1:]}",
    ]


def aimed_resources(resource: str) -> list[str]:
    """Resource patterns that match ``resource`` (§4.3–§4.4)."""
    if resource == "*":
        return ["*"]
    parts = resource.split(":")
    out = [resource, "*", ":".join([*parts[:3], "*", *parts[4:]]), ":".join(parts[:3]) + ":*"]
    if ":secret:" in resource:
        out.append(resource[:-6] + "??????")
    return out


def aimed_principals(caller: str) -> list[Any]:
    """Principal elements that name ``caller``, its role or its account (§4.5)."""
    account = caller.split(":")[4]
    out: list[Any] = ["*", {"AWS": account}, {"AWS": f"arn:aws:iam::{account}:root"}]
    if ":assumed-role/" in caller:
        role = caller.split("/")[1]
        out += [{"AWS": f"arn:aws:iam::{account}:role/{role}"}, {"AWS": [caller, ALICE]}]
    elif not caller.endswith(":root"):
        out.append({"AWS": caller})
    return out


@st.composite
def statements(
    draw: st.DrawFn, kind: str, effect: str | None = None, target: tuple[str, str, str] | None = None
) -> dict[str, Any]:
    """A statement that a policy of ``kind`` accepts (AWS would store it). With a ``target``
    (action, resource), Allow statements are often aimed at it, so that generated requests are
    allowed often enough for the laws to bite."""
    if kind == "rcp":
        effect = "Deny"  # custom RCPs are Deny-only (§3.10)
    if effect is None:
        effect = "Deny" if rarely(draw, 10) else "Allow"
    aimed = target is not None and (rarely(draw, 6) if effect == "Deny" else not rarely(draw, 2))
    s: dict[str, Any] = {"Effect": effect}
    if aimed:
        assert target is not None
        actions = [draw(st.sampled_from(aimed_actions(target[0])))]
        actions += draw(st.lists(ACTION_PATTERNS, max_size=1))
    else:
        actions = draw(st.lists(ACTION_PATTERNS, min_size=1, max_size=3))
    if kind != "rcp" and not aimed and rarely(draw, 8):
        s["NotAction"] = _one_or_list(actions)
    else:
        s["Action"] = _one_or_list(actions)
    if kind in ("resource", "key", "trust", "rcp"):
        if kind == "rcp":
            s["Principal"] = "*"
        elif effect == "Deny" and kind != "trust" and rarely(draw, 5):
            s["NotPrincipal"] = {
                "AWS": _one_or_list(
                    draw(
                        st.lists(
                            PRINCIPAL_VALUES.filter(lambda v: v != "*"), min_size=1, max_size=3, unique=True
                        )
                    )
                )
            }
        elif aimed:
            assert target is not None
            s["Principal"] = draw(st.sampled_from(aimed_principals(target[2])))
        else:
            s["Principal"] = draw(principal_elements())
    if kind == "trust":
        pass  # a trust policy applies to its role: no Resource (§3.12)
    elif kind in ("resource", "key", "rcp"):
        roll = draw(st.integers(0, 9))
        if kind == "key" and roll == 9:
            pass  # a key-policy statement without Resource applies to nothing (§3.7)
        elif roll < 7:
            s["Resource"] = "*"
        else:
            s["Resource"] = _one_or_list(draw(st.lists(RESOURCE_PATTERNS, min_size=1, max_size=2)))
    elif aimed:
        assert target is not None
        s["Resource"] = draw(st.sampled_from(aimed_resources(target[1])))
    else:
        resources = _one_or_list(draw(st.lists(RESOURCE_PATTERNS, min_size=1, max_size=3)))
        s["NotResource" if rarely(draw, 10) else "Resource"] = resources
    if kind == "rcp":
        if not rarely(draw, 4):
            s["Condition"] = draw(
                st.sampled_from(
                    [
                        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [A, B]}},
                        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [A, B]}},
                        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [A]}},
                        {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
                        {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
                    ]
                )
            )
    elif rarely(draw, 3 if effect == "Allow" else 2):
        s["Condition"] = draw(condition_blocks())
    return s


@st.composite
def policies(draw: st.DrawFn, kind: str, target: tuple[str, str, str] | None = None) -> dict[str, Any]:
    stmts = draw(st.lists(statements(kind, target=target), min_size=1, max_size=3))
    doc: dict[str, Any] = {} if rarely(draw, 10) else {"Version": "2012-10-17"}
    doc["Statement"] = stmts[0] if len(stmts) == 1 and draw(st.booleans()) else stmts
    return doc


FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@st.composite
def scp_levels(draw: st.DrawFn, target: tuple[str, str, str] | None = None) -> list[list[dict[str, Any]]]:
    """Root → OU → account, each node with FullAWSAccess (usually) and maybe more SCPs (§8.3)."""
    levels = []
    for _ in range(draw(st.integers(1, 3))):
        level = []
        if not rarely(draw, 15):
            level.append(copy.deepcopy(FULL_ACCESS))
        level += draw(st.lists(policies("scp", target), max_size=2))
        levels.append(level)
    return levels


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), max_size=4, unique=True))
    return {k: draw(st.sampled_from(CONTEXT_VALUES[k])) for k in keys}


@st.composite
def lines(
    draw: st.DrawFn, action: str | None = None, resource: str | None = None, principal: str | None = None
) -> dict[str, Any]:
    """One batch line (``secretslab.batch`` format) with realistic, valid policies."""
    action = action or draw(REQUEST_ACTIONS)
    resource = resource or draw(st.sampled_from(ACTIONS[action]))
    principal = principal or draw(CALLERS)
    rkind = RESOURCE_KIND[action.partition(":")[0]]
    line: dict[str, Any] = {
        "id": "p",
        "principal": principal,
        "action": action,
        "resource": resource,
        "context": draw(contexts()),
    }
    target = (action, resource, principal)
    line["identity_policies"] = draw(st.lists(policies("identity", target), max_size=3))
    if rarely(draw, 4):
        line["permissions_boundary"] = draw(policies("boundary", target))
    if rarely(draw, 5):
        line["session_policy"] = draw(policies("session", target))
    if not rarely(draw, 5):
        line["resource_policy"] = draw(policies(rkind, target))
    if draw(st.integers(0, 9)) >= 7:
        line["scps"] = draw(scp_levels(target))
    if rarely(draw, 5):
        line["rcps"] = draw(st.lists(st.lists(policies("rcp"), max_size=2), min_size=1, max_size=2))
    return line


# --------------------------------------------------------------------------------------------
# Helpers: evaluate a line, and walk the policies it holds.

PERMISSIVENESS = {Outcome.EXPLICIT_DENY: 0, Outcome.IMPLICIT_DENY: 1, Outcome.ALLOW: 2}


def decide(line: dict[str, Any], simulator: Simulator | None = None) -> Evaluation:
    """The evaluation of a generated line; generated lines must be valid."""
    try:
        return (simulator or Simulator()).evaluate(line)
    except LineError as exc:  # a generator bug, or the package rejecting a policy AWS stores
        pytest.fail(f"generated line rejected: {exc}\n{json.dumps(line, indent=1)}")


Path = tuple[Any, ...]


def slots(line: dict[str, Any]) -> list[tuple[str, Path]]:
    """(kind, path) of every policy document in the line."""
    out: list[tuple[str, Path]] = []
    for i, _ in enumerate(line.get("identity_policies") or ()):
        out.append(("identity", ("identity_policies", i)))
    if line.get("permissions_boundary") is not None:
        out.append(("boundary", ("permissions_boundary",)))
    if line.get("session_policy") is not None:
        out.append(("session", ("session_policy",)))
    if line.get("resource_policy") is not None:
        out.append((RESOURCE_KIND[line["action"].partition(":")[0]], ("resource_policy",)))
    for name, kind in (("scps", "scp"), ("rcps", "rcp")):
        for i, level in enumerate(line.get(name) or ()):
            for j, _ in enumerate(level):
                out.append((kind, (name, i, j)))
    return out


def get(line: dict[str, Any], path: Path) -> Any:
    node: Any = line
    for part in path:
        node = node[part]
    return node


def statement_list(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's statements as a list (a lone statement object is normalised, §3.2)."""
    if isinstance(doc["Statement"], dict):
        doc["Statement"] = [doc["Statement"]]
    statements_: list[dict[str, Any]] = doc["Statement"]
    return statements_


def statement_refs(line: dict[str, Any], effect: str | None = None) -> list[tuple[str, Path, int]]:
    """(kind, policy path, statement index) of every statement, optionally of one Effect."""
    out = []
    for kind, path in slots(line):
        stmts = get(line, path)["Statement"]
        stmts = [stmts] if isinstance(stmts, dict) else stmts
        out += [(kind, path, i) for i, s in enumerate(stmts) if effect in (None, s["Effect"])]
    return out


def with_statement(line: dict[str, Any], path: Path | None, statement: dict[str, Any]) -> dict[str, Any]:
    """A copy of the line with ``statement`` added to the policy at ``path`` (None: to a new
    identity policy, which is OR-ed with the others, §3.2)."""
    new = copy.deepcopy(line)
    if path is None:
        new.setdefault("identity_policies", []).append({"Version": "2012-10-17", "Statement": [statement]})
    else:
        statement_list(get(new, path)).append(statement)
    return new


def placeholder(kind: str) -> dict[str, Any]:
    """An Allow that matches no generated request: what a policy is once its last statement is
    removed (a policy with no statement at all is not storable, §3.2)."""
    s: dict[str, Any] = {"Effect": "Allow", "Action": "secretslab:NeverRequested"}
    if kind in ("resource", "key", "trust"):
        s["Principal"] = {"AWS": f"arn:aws:iam::{A}:root"}
    if kind != "trust":
        s["Resource"] = "*"
    return s


def add_targets(line: dict[str, Any], effect: str) -> list[tuple[str, Path | None]]:
    """Where a statement of ``effect`` can be added: every policy, or a new identity policy."""
    targets: list[tuple[str, Path | None]] = [("identity", None)]
    targets += [(k, p) for k, p in slots(line) if not (effect == "Allow" and k == "rcp")]
    return targets


def explain(before: Evaluation, after: Evaluation, line: dict[str, Any], new: dict[str, Any]) -> str:
    return (
        f"{before.outcome.value}/{before.reason.value} -> {after.outcome.value}/"
        f"{after.reason.value}\nbefore: {json.dumps(line)}\nafter:  {json.dumps(new)}"
    )


LAW = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# --------------------------------------------------------------------------------------------
# 1. Parser totality (semantics §3; parsing.py promises "No input makes any of them raise
#    anything else").

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["*", "Allow", "Deny", "2012-10-17", A])
)
ELEMENT_NAMES = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "AWS",
    "Service",
    "StringEquals",
    "ForAllValues:StringLike",
    "NumericLessThanIfExists",
    "Null",
    "IpAddress",
    "DateGreaterThan",
    "BinaryEquals",
    "Bool",
    "ArnLike",
    "aws:SourceIp",
    "aws:PrincipalTag/${aws:username}",
    "effect",
    "statement",
]
json_keys = st.text(max_size=8) | st.sampled_from(ELEMENT_NAMES)
json_like = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_keys, inner, max_size=5),
    max_leaves=25,
)


def _containers(node: Any) -> Iterator[Any]:
    """Every dict and list of a JSON tree, the root first."""
    if isinstance(node, (dict, list)):
        yield node
        for child in node.values() if isinstance(node, dict) else node:
            yield from _containers(child)


@st.composite
def near_valid(draw: st.DrawFn) -> Any:
    """A valid policy of some kind with one to three elements mutated anywhere in the tree."""
    doc = copy.deepcopy(draw(policies(draw(st.sampled_from(KINDS)))))
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(list(_containers(doc))))
        if isinstance(target, dict):
            op = draw(st.sampled_from(["replace", "delete", "add", "rename", "wrap"]))
            key = draw(st.sampled_from(sorted(target))) if target else None
            if op == "add" or key is None:
                target[draw(json_keys)] = draw(json_like)
            elif op == "replace":
                target[key] = draw(json_like)
            elif op == "delete":
                del target[key]
            elif op == "rename":
                target[draw(st.sampled_from([key.lower(), key.upper(), key + " ", "Not" + key]))] = (
                    target.pop(key)
                )
            else:
                target[key] = [target[key]] if draw(st.booleans()) else {"AWS": target[key]}
        elif target:
            i = draw(st.integers(0, len(target) - 1))
            if draw(st.booleans()):
                target[i] = draw(json_like)
            else:
                target.append(copy.deepcopy(target[i]))
        else:
            target.append(draw(json_like))
    return doc


@st.composite
def malformed_text(draw: st.DrawFn) -> Any:
    text = json.dumps(draw(policies(draw(st.sampled_from(KINDS)))))
    how = draw(st.sampled_from(["cut", "insert", "garbage", "bytes", "dupkey", "deep"]))
    if how == "cut":
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]
    if how == "insert":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(st.sampled_from([*'{}[],:"\\', "NaN", "\x00", "\ud800"])) + text[i:]
    if how == "garbage":
        return draw(st.text(max_size=40))
    if how == "bytes":
        return draw(st.binary(max_size=40)) if draw(st.booleans()) else text.encode("utf-16")
    if how == "dupkey":
        return text.replace('"Statement":', '"Statement": [], "Statement":', 1)
    return "[" * draw(st.integers(1000, 200_000))


def _check_problems(problems: Any, kind: str) -> None:
    assert isinstance(problems, tuple)
    for p in problems:
        assert p.code in CODES, (kind, p)
        assert isinstance(p.json_path, str) and p.json_path.startswith("$"), (kind, p)
        assert isinstance(p.message, str) and p.message.strip(), (kind, p)
        json.dumps(p.to_dict())


def _assert_total(doc: Any) -> None:
    for kind in KINDS:
        try:
            problems = check_policy(doc, kind)
        except Exception as exc:
            pytest.fail(f"check_policy({doc!r:.200}, {kind!r}) raised {exc!r}")
        _check_problems(problems, kind)
        has_error = any(p.is_error for p in problems)
        try:
            policy = parse_policy(doc, kind)
        except InvalidPolicyError as exc:
            assert has_error, (kind, problems)
            assert any(p.is_error for p in exc.problems)
            _check_problems(exc.problems, kind)
        except Exception as exc:
            pytest.fail(f"parse_policy({doc!r:.200}, {kind!r}) raised {exc!r}")
        else:
            assert not has_error and policy.valid, (kind, problems)
        assert read_policy(doc, kind).valid is not has_error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=json_like
    | st.dictionaries(st.sampled_from(ELEMENT_NAMES), json_like, max_size=4)
    | st.builds(lambda s: {"Version": "2012-10-17", "Statement": s}, json_like)
)
def test_parser_is_total_on_any_json_value(doc: Any) -> None:
    """§3 (validation): for any JSON value and every policy kind, ``check_policy`` returns
    problems with a catalogued code, a ``$`` path and a message; ``parse_policy`` raises only
    ``InvalidPolicyError``, exactly when there is an error. AWS rejects what it cannot store and
    evaluates only what it stored (§3.4;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    _assert_total(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=near_valid())
def test_parser_is_total_on_near_valid_policies(doc: Any) -> None:
    """§3.2–§3.12: a valid policy with mutated elements (wrong types, renamed, removed, wrapped,
    duplicated) is reported, never crashes the parser."""
    _assert_total(doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=malformed_text())
def test_parser_is_total_on_malformed_json_text(text: Any) -> None:
    """§3: JSON text that is cut, corrupted, binary, nested too deeply or with duplicate keys
    yields located problems (INVALID_JSON, DUPLICATE_KEY…), never another exception."""
    _assert_total(text)


@settings(max_examples=100, deadline=None)
@given(kind=st.text(max_size=12).filter(lambda k: k not in KINDS), doc=json_like | policies("identity"))
def test_read_policy_with_an_unknown_kind_never_raises(kind: str, doc: Any) -> None:
    """§3.1 lists the policy kinds; any other kind is a reported problem, not an exception."""
    policy = read_policy(doc, kind)
    assert not policy.valid
    _check_problems(policy.problems, kind)
    _check_problems(check_policy(doc, kind), kind)
    with pytest.raises(InvalidPolicyError):
        parse_policy(doc, kind)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=lines(), data=st.data())
def test_bad_input_lines_raise_only_line_error(line: dict[str, Any], data: st.DataObject) -> None:
    """§1 (a located error per bad input): a batch line with one field replaced by any JSON
    value is decided or rejected with ``LineError``, never another exception."""
    field = data.draw(
        st.sampled_from(
            [
                "principal",
                "action",
                "resource",
                "resource_account",
                "context",
                "identity_policies",
                "resource_policy",
                "permissions_boundary",
                "session_policy",
                "scps",
                "rcps",
                "unknown",
            ]
        )
    )
    line[field] = data.draw(json_like)
    try:
        Simulator().evaluate(line)
    except LineError as exc:
        _check_problems(tuple(exc.problems), field)
    except Exception as exc:
        pytest.fail(f"{field}={line[field]!r:.200} raised {exc!r}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=json_like
    | st.dictionaries(
        st.sampled_from(["accounts", "organization", "principals", "secrets", "kms_keys", "users", "arn"]),
        json_like,
    )
)
def test_world_reader_raises_only_scenario_error(world: Any) -> None:
    """§1.1: a malformed world is rejected with ``ScenarioError`` listing located problems."""
    try:
        World.from_dict(world)
    except ScenarioError as exc:
        _check_problems(tuple(exc.problems), "world")
    except Exception as exc:
        pytest.fail(f"World.from_dict({world!r:.200}) raised {exc!r}")


# Condition values of every operator family (§5.4–§5.12), and the request values they meet.

BASE_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
]


@st.composite
def operator_names(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(BASE_OPERATORS))
    if rarely(draw, 3):
        name += "IfExists"
    if rarely(draw, 3):
        name = draw(st.sampled_from(["ForAnyValue:", "ForAllValues:", "ForSomeValues:"])) + name
    if rarely(draw, 12):
        name = draw(st.sampled_from([name.lower(), name + " ", "Not" + name, name[:-1]]))
    return name


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """ISO 8601 dates of every precision, near the ends of the calendar too, with zones."""
    edge = st.sampled_from  # the ends of the calendar and of each field are where bugs live
    text = f"{draw(edge([1, 1, 1970, 2024, 9999]) | st.integers(0, 10000)):04d}"
    if not rarely(draw, 4):
        text += f"-{draw(edge([1, 1, 2, 12]) | st.integers(0, 13)):02d}"
        if not rarely(draw, 4):
            text += f"-{draw(edge([1, 1, 28, 29, 31]) | st.integers(0, 32)):02d}"
            if draw(st.booleans()):
                text += draw(st.sampled_from(["T", " "]))
                text += f"{draw(st.integers(0, 24)):02d}:{draw(st.integers(0, 60)):02d}"
                if draw(st.booleans()):
                    text += f":{draw(st.integers(0, 60)):02d}"
                    if rarely(draw, 3):
                        text += "." + str(draw(st.integers(0, 999999)))
    if draw(st.booleans()):
        text += draw(
            st.sampled_from(["Z", "+00:00", "-00:00", "+00:01", "+14:00", "-12:00", "+0530", "-0800"])
        )
    return text


CONDITION_TEXTS = (
    date_texts()
    | st.integers(-(10**13), 10**13).map(str)
    | st.floats(allow_nan=True).map(str)
    | st.sampled_from(
        [
            "10.0.0.0/8",
            "10.1.2.3",
            "::1",
            "2001:db8::/32",
            "10.0.0.0/33",
            "1.2.3",
            "010.1.2.3",
            "::ffff:10.1.2.3",
            "dGVzdA==",
            "not base64",
            "true",
            "FALSE",
            "",
            " ",
            "*",
            "?",
            "${aws:username}",
            "${aws:PrincipalTag/team, 'x'}",
            "${",
            "${}",
            "${ aws:username }",
            "${*}${?}${$}",
            "arn:aws:iam::*:role/*",
            f"arn:aws:iam::{A}:user/alice",
            "arn:*",
            "1e400",
            "-0",
            "0x10",
        ]
    )
    | st.text(max_size=10)
)
CONDITION_KEYS = st.sampled_from(
    [
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:TokenIssueTime",
        "aws:SourceIp",
        "aws:TagKeys",
        "aws:PrincipalTag/team",
        "aws:PrincipalArn",
        "aws:username",
        "aws:MultiFactorAuthPresent",
        "secretsmanager:RecoveryWindowInDays",
        "secretsmanager:AddReplicaRegions",
        "aws:userid",
        "kms:EncryptionContext:SecretARN",
        "custom:Anything",
        "aws:ResourceTag/${aws:username}",
    ]
)


NUMBER_TEXTS = (
    st.integers(-(10**6), 10**6).map(str)
    | st.floats().map(str)
    | st.sampled_from(["1e400", "-0", ".5", "5.", " 7 ", "1_000", "0x10", "∞"])
)
IP_TEXTS = st.sampled_from(
    [
        "10.0.0.0/8",
        "10.1.2.3",
        "10.1.2.3/32",
        "0.0.0.0/0",
        "::/0",
        "::1",
        "2001:db8::/32",
        "10.0.0.0/33",
        "1.2.3",
        "010.1.2.3",
        "::ffff:10.1.2.3",
        "10.0.0.1/8",
        "fe80::1%eth0",
        "256.1.1.1",
    ]
)
#: operator family (by name prefix) -> values of the right shape, often near their edges
TYPED_TEXTS = {
    "Date": date_texts() | st.integers(-(10**12), 10**12).map(str),
    "Numeric": NUMBER_TEXTS,
    "IpAddress": IP_TEXTS,
    "NotIpAddress": IP_TEXTS,
    "Bool": st.sampled_from(["true", "false", "True", "FALSE", "yes", ""]),
    "Null": st.sampled_from(["true", "false", "maybe"]),
    "BinaryEquals": st.sampled_from(["dGVzdA==", "dGVzdA", "", "!!", "AAAA"]),
}


def _typed_texts(operator: str) -> Any:
    base = operator.rpartition(":")[2]
    for prefix, strategy in TYPED_TEXTS.items():
        if base.startswith(prefix):
            return strategy
    return CONDITION_TEXTS


@st.composite
def fuzzed_conditions(draw: st.DrawFn) -> dict[str, Any]:
    """Condition blocks whose values usually suit their operator (so that evaluation is reached)
    and sometimes do not (so that the parser's reading of values is exercised)."""
    block: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 2))):
        operator = draw(operator_names())
        texts = CONDITION_TEXTS if rarely(draw, 3) else _typed_texts(operator)
        if rarely(draw, 6):
            value = draw(json_scalars | st.lists(json_scalars, max_size=2))
        else:
            value = draw(texts | st.lists(texts, min_size=1, max_size=3))
        block.setdefault(operator, {})[draw(CONDITION_KEYS)] = value
    return block


@st.composite
def fuzzed_contexts(draw: st.DrawFn, block: dict[str, Any]) -> dict[str, Any]:
    """Request values for the keys the block reads, of the operator's type or not."""
    context: dict[str, Any] = {}
    for operator, keys in block.items():
        for key in keys:
            if rarely(draw, 5):
                continue  # absent key (§5.3)
            texts = CONDITION_TEXTS if rarely(draw, 3) else _typed_texts(operator)
            context[key] = draw(texts | st.lists(texts, max_size=3))
    return context


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=fuzzed_conditions(), effect=st.sampled_from(["Allow", "Deny"]), data=st.data())
def test_conditions_of_every_operator_are_total(
    block: dict[str, Any], effect: str, data: st.DataObject
) -> None:
    """§5 (every operator family, IfExists, set qualifiers, Null; values of every type), §6
    (variables): the parser reports any condition value it cannot read (§3) and never raises
    anything else; a policy it accepts is then evaluated against any request values — dates,
    numbers, addresses, base64, wrong types, several values — to an outcome (§5.5: a
    wrong-typed request value just does not match), never an exception.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    context = data.draw(fuzzed_contexts(block))
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": "*", "Resource": "*", "Condition": block}],
    }
    _assert_total(doc)
    if not read_policy(doc, "identity").valid:
        return
    line = {
        "principal": ALICE,
        "action": "secretsmanager:GetSecretValue",
        "resource": SECRET_A,
        "context": context,
        "identity_policies": [doc, FULL_ACCESS],
    }
    try:
        evaluation = Simulator().evaluate(line)
    except LineError as exc:
        # The one refusal allowed: a request value AWS could never send for a key of a typed kind
        # (aws:SourceIp that is no IP address, aws:CurrentTime that is no date): refused at the
        # door rather than silently not matching (issue #9: no silent answers).
        for problem in exc.problems:
            key = problem.path[-1] if problem.path[:1] == ("context",) else None
            values = context.get(key) if isinstance(key, str) else None
            wrong = typed_value_problem(key, as_values(values)) if values is not None else None
            if wrong is None:
                pytest.fail(f"valid policy rejected: {exc}")
        event("typed request value refused")
        return
    except Exception as exc:
        pytest.fail(f"evaluation raised {exc!r}")
    event(f"{effect}: {evaluation.outcome.value}")


FUZZ_ACTIONS = st.sampled_from(
    [
        "*",
        "**",
        "?",
        "secretsmanager:*",
        "secretsmanager:Get*",
        "secretsmanager:g?tsecretvalue",
        "secretsmanager:*Secret*",
        "secretsmanager:",
        ":GetSecretValue",
        "a:b:c",
        "kms:*Key*",
        "*:*",
        "sts:AssumeRole?",
        "sts:Assume*Role*",
        "secretsmanager:NoSuchAction",
        "nosuchservice:Do",
        "secretsmanager:GetSecretValue ",
        "${aws:username}:*",
        "",
    ]
)
FUZZ_RESOURCES = st.sampled_from(
    [
        "*",
        "?",
        "**",
        "arn:*",
        "arn:aws:secretsmanager:*",
        "arn:aws:*:us-east-1:*:*",
        f"arn:aws:secretsmanager:us-east-1:{A}:secret:*",
        f"arn:aws:secretsmanager:*:{A}:secret:prod/db-??????",
        f"arn:aws:secretsmanager:us-east-1:{A}:secret:${{aws:username}}-??????",
        "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team, 'prod'}/*",
        "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*",
        "arn:aws:secretsmanager:*:*:secret:${",
        "arn:aws:secretsmanager:*:*:secret:${}",
        "arn:aws:secretsmanager:*:*:secret:${*}${?}${$}",
        "arn:aws:secretsmanager:*:*:secret:${ aws:username }",
        "arn:aws:secretsmanager:*:*:secret:a${aws:username}b${aws:userid}",
        "${aws:username}",
        "arn:aws:kms:*:*:key/*",
        "arn:aws:kms:us-east-1:*:*",
        "arn:aws:iam::*:role/T*",
        "arn:aws:iam::*:*",
        "arn",
        "arn:",
        "arn:aws",
        "arn:aws:secretsmanager",
        "not an arn",
        "",
    ]
)
FUZZ_PRINCIPALS = st.sampled_from(
    [
        "*",
        A,
        "12345",
        f"arn:aws:iam::{A}:root",
        ALICE,
        BOB,
        f"arn:aws:iam::{A}:role/Reader",
        f"arn:aws:iam::{A}:role/app-*",
        f"arn:aws:iam::{A}:group/g",
        SESSION_A,
        FED_A,
        f"arn:aws:sts::{A}:assumed-role/Reader/*",
        f"arn:aws:sts::{A}:assumed-role/Reader",
        f"arn:aws:iam::{A}:user/*",
        "arn:aws:iam::*:root",
        "secretsmanager.amazonaws.com",
        "cognito-identity.amazonaws.com",
        "",
    ]
)
FUZZ_TEXT = st.text(alphabet="arn:aws*?${}/-_ .:'", max_size=24)


def _fuzz(vocabulary: Any) -> Any:
    """Mostly words of the vocabulary, sometimes free text; a string or a (rarely empty) list."""
    element = st.integers(0, 5).flatmap(lambda i: FUZZ_TEXT if i == 5 else vocabulary)
    return st.integers(0, 7).flatmap(
        lambda i: (
            st.lists(element, max_size=3)
            if i == 7
            else element
            if i < 4
            else st.lists(element, min_size=1, max_size=3)
        )
    )


@st.composite
def fuzzed_statements(draw: st.DrawFn) -> dict[str, Any]:
    """Statements whose Action/Resource/Principal strings are near the edges of the grammar:
    wildcards everywhere, policy variables (well- and ill-formed), truncated ARNs."""
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    for names, vocabulary in (
        (("Action", "NotAction"), FUZZ_ACTIONS),
        (("Resource", "NotResource"), FUZZ_RESOURCES),
    ):
        # usually exactly one of the pair (§3.2); sometimes neither or both
        chosen = [names[1] if rarely(draw, 4) else names[0]]
        if rarely(draw, 10):
            chosen = draw(st.sampled_from([[], list(names)]))
        for name in chosen:
            s[name] = draw(_fuzz(vocabulary))
    if draw(st.booleans()):
        s["NotPrincipal" if rarely(draw, 4) else "Principal"] = draw(
            st.sampled_from(["*", {"AWS": "*"}])
            | st.dictionaries(
                st.sampled_from(["AWS", "AWS", "Service", "Federated", "aws"]),
                _fuzz(FUZZ_PRINCIPALS),
                min_size=1,
                max_size=2,
            )
        )
    if rarely(draw, 3):
        s["Condition"] = draw(fuzzed_conditions())
    return s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statement=fuzzed_statements(), caller=CALLERS, action=REQUEST_ACTIONS, data=st.data())
def test_fuzzed_statements_parse_and_evaluate_totally(
    statement: dict[str, Any], caller: str, action: str, data: st.DataObject
) -> None:
    """§3–§4, §6: statements with edge-case Action/Resource/Principal strings (wildcards,
    malformed or unresolvable policy variables, partial ARNs, groups and partial-wildcard
    principals) are reported by the parser of every kind, and each kind that accepts one
    evaluates it, in its place, to an outcome without raising.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    _assert_total(doc)
    resource = data.draw(st.sampled_from(ACTIONS[action]))
    rkind = RESOURCE_KIND[action.partition(":")[0]]
    fields = {
        "identity": "identity_policies",
        "boundary": "permissions_boundary",
        "session": "session_policy",
        rkind: "resource_policy",
        "scp": "scps",
        "rcp": "rcps",
    }
    for kind, field in fields.items():
        if not read_policy(doc, kind).valid:
            continue
        line: dict[str, Any] = {
            "principal": caller,
            "action": action,
            "resource": resource,
            "context": {"aws:PrincipalTag/team": "prod"},
            "identity_policies": [FULL_ACCESS],
        }
        line[field] = [doc] if field == "identity_policies" else [[doc]] if field in ("scps", "rcps") else doc
        try:
            evaluation = Simulator().evaluate(line)
        except Exception as exc:
            pytest.fail(f"{kind}: {json.dumps(doc)} raised {exc!r}")
        event(f"{kind}: {evaluation.outcome.value}")


OVERFLOWING_DATES = ["0001+00:01", "9999-12-31 23:59-00:01"]


@pytest.mark.parametrize("date", OVERFLOWING_DATES)
def test_dates_at_the_calendar_edges_do_not_crash_the_parser(date: str) -> None:
    """§3/§5.6, parser totality: a Date condition value such as ``0001+00:01`` must be reported
    (INVALID_CONDITION_VALUE) or accepted, not raise ``OverflowError`` out of ``check_policy``
    (found by ``test_conditions_of_every_operator_are_total``)."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": date}},
            }
        ],
    }
    _check_problems(check_policy(doc, "identity"), "identity")


@pytest.mark.parametrize("date", OVERFLOWING_DATES)
def test_dates_at_the_calendar_edges_do_not_crash_evaluation(date: str) -> None:
    """§5.5–§5.6: a request value that is not a usable date makes a Date condition not match
    (so this Allow does not apply), or — when it is no date at all, which AWS never sends for
    aws:CurrentTime — is refused at the door with a located error (issue #9: no silent answers);
    nothing else is raised out of ``Simulator.evaluate``."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
            }
        ],
    }
    line = {
        "principal": ALICE,
        "action": "secretsmanager:GetSecretValue",
        "resource": SECRET_A,
        "context": {"aws:CurrentTime": date},
        "identity_policies": [doc],
    }
    try:
        assert Simulator().evaluate(line).outcome is Outcome.IMPLICIT_DENY
    except LineError as exc:
        assert [p.json_path for p in exc.problems] == ["$.context['aws:CurrentTime']"]


# --------------------------------------------------------------------------------------------
# 2–3, 7. Monotonicity: Deny statements only ever deny, Allow statements only ever allow.


@LAW
@given(line=lines(), data=st.data())
def test_adding_a_deny_statement_never_grants(line: dict[str, Any], data: st.DataObject) -> None:
    """§8.2, §8.11: a Deny statement only takes part in the explicit-deny step, which wins over
    every allow. So adding one (to any policy: identity, boundary, session, resource, SCP, RCP)
    leaves the outcome unchanged or makes it EXPLICIT_DENY: a deny never becomes an allow, an
    explicit deny stays explicit.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    before = decide(line)
    kind, path = data.draw(st.sampled_from(add_targets(line, "Deny")))
    new = with_statement(line, path, data.draw(statements(kind, "Deny")))
    after = decide(new)
    event(f"before: {before.outcome.value}")
    event(f"after: {after.outcome.value}")
    assert after.outcome in (before.outcome, Outcome.EXPLICIT_DENY), explain(before, after, line, new)


@LAW
@given(line=lines(), data=st.data())
def test_adding_an_allow_statement_never_denies(line: dict[str, Any], data: st.DataObject) -> None:
    """§8.2–§8.7, §8.11: every Allow the procedure consults (identity, boundary, session, SCP
    levels, resource-policy grants) is an OR of statements, and each gate is monotone in them.
    So adding an Allow statement never turns an ALLOW into a deny and never lifts an explicit
    deny: the outcome is unchanged, or becomes ALLOW.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    before = decide(line)
    kind, path = data.draw(st.sampled_from(add_targets(line, "Allow")))
    new = with_statement(line, path, data.draw(statements(kind, "Allow")))
    after = decide(new)
    event(f"before: {before.outcome.value}")
    event(f"after: {after.outcome.value}")
    assert after.outcome in (before.outcome, Outcome.ALLOW), explain(before, after, line, new)
    if before.outcome is Outcome.EXPLICIT_DENY:
        assert after.outcome is Outcome.EXPLICIT_DENY, explain(before, after, line, new)


@LAW
@given(line=lines(), data=st.data())
def test_removing_an_allow_statement_never_grants(line: dict[str, Any], data: st.DataObject) -> None:
    """§8.2–§8.7, §8.11 (the converse of adding an Allow): removing an Allow statement never
    turns a deny into an allow and never creates an explicit deny; an ALLOW may become an
    IMPLICIT_DENY.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    refs = statement_refs(line, "Allow")
    assume(refs)
    kind, path, index = data.draw(st.sampled_from(refs))
    before = decide(line)
    new = copy.deepcopy(line)
    stmts = statement_list(get(new, path))
    del stmts[index]
    if not stmts:
        stmts.append(placeholder(kind))
    after = decide(new)
    event(f"before: {before.outcome.value}")
    event(f"after: {after.outcome.value}")
    assert after.outcome in (before.outcome, Outcome.IMPLICIT_DENY), explain(before, after, line, new)
    if before.outcome is not Outcome.ALLOW:
        assert after.outcome is before.outcome, explain(before, after, line, new)


def _widen(statement: dict[str, Any], element: str) -> None:
    if element == "Action":
        statement.pop("NotAction", None)
        statement["Action"] = "*"
    elif element == "Resource":
        statement.pop("NotResource", None)
        statement["Resource"] = "*"
    else:
        statement["Principal"] = "*"


@LAW
@given(line=lines(), data=st.data())
def test_widening_an_allow_to_a_wildcard_never_denies(line: dict[str, Any], data: st.DataObject) -> None:
    """§4.1, §4.3, §4.5 with §8.6–§8.7: replacing an Allow statement's Action/NotAction by
    ``"*"`` (or its Resource/NotResource by ``"*"``, or a resource-based Allow's Principal by
    ``"*"``, the strongest, DIRECT, match kind) makes the statement apply to a superset of
    requests. The decision is monotone in applying Allow statements, so an ALLOW stays ALLOW and
    an explicit deny stays explicit; only an implicit deny may become ALLOW. (The law is about
    the outcome only: a wider Allow in a boundary or session policy still cannot grant on its
    own.)
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    refs = statement_refs(line, "Allow")
    assume(refs)
    kind, path, index = data.draw(st.sampled_from(refs))
    choices = ["Action"] + (["Resource"] if kind != "trust" else [])
    choices += ["Principal"] if kind in ("resource", "key", "trust") else []
    element = data.draw(st.sampled_from(choices))
    before = decide(line)
    new = copy.deepcopy(line)
    _widen(statement_list(get(new, path))[index], element)
    after = decide(new)
    event(f"before: {before.outcome.value}")
    event(f"widened Allow {element}: {before.outcome.value} -> {after.outcome.value}")
    assert after.outcome in (before.outcome, Outcome.ALLOW), explain(before, after, line, new)
    if before.outcome is Outcome.EXPLICIT_DENY:
        assert after.outcome is Outcome.EXPLICIT_DENY, explain(before, after, line, new)


@LAW
@given(line=lines(), data=st.data())
def test_widening_a_deny_to_a_wildcard_never_grants(line: dict[str, Any], data: st.DataObject) -> None:
    """§4.1, §4.3 with §8.2: a Deny whose Action (or Resource) becomes ``"*"`` applies to a
    superset of requests, so the outcome is unchanged or becomes EXPLICIT_DENY.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    refs = statement_refs(line, "Deny")
    if not refs:  # no Deny yet: add a (narrow) one first, then widen it
        kind, at = data.draw(st.sampled_from(add_targets(line, "Deny")))
        line = with_statement(line, at, data.draw(statements(kind, "Deny")))
        refs = statement_refs(line, "Deny")
    kind, path, index = data.draw(st.sampled_from(refs))
    element = data.draw(st.sampled_from(["Action", "Resource"] if kind != "trust" else ["Action"]))
    before = decide(line)
    new = copy.deepcopy(line)
    _widen(statement_list(get(new, path))[index], element)
    after = decide(new)
    event(f"before: {before.outcome.value}")
    assert after.outcome in (before.outcome, Outcome.EXPLICIT_DENY), explain(before, after, line, new)


@LAW
@given(line=lines(), data=st.data())
def test_an_applying_deny_in_any_policy_wins(line: dict[str, Any], data: st.DataObject) -> None:
    """§8.2 ("an explicit deny in any policy overrides any allow"): a Deny statement that matches
    the request's action, resource, principal and conditions, put in any policy that applies
    (identity, boundary, session, resource-based, any SCP or RCP level), makes the outcome
    EXPLICIT_DENY, whatever else the policies say — root user and cross-account callers
    included.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    kind, path = data.draw(st.sampled_from(add_targets(line, "Deny")))
    deny: dict[str, Any] = {
        "Effect": "Deny",
        "Action": data.draw(st.sampled_from(aimed_actions(line["action"]))),
    }
    if kind in ("resource", "key", "trust", "rcp"):
        deny["Principal"] = data.draw(
            st.sampled_from(["*", {"AWS": "*"}] if kind == "rcp" else aimed_principals(line["principal"]))
        )
    if kind != "trust":
        deny["Resource"] = data.draw(
            st.sampled_from(aimed_resources(line["resource"]) if kind not in ("resource", "key") else ["*"])
        )
    if data.draw(st.booleans()):
        deny["Condition"] = {"StringEquals": {"aws:PrincipalAccount": line["principal"].split(":")[4]}}
    before = decide(line)
    new = with_statement(line, path, deny)
    after = decide(new)
    event(f"before: {before.outcome.value}")
    assert after.outcome is Outcome.EXPLICIT_DENY, explain(before, after, line, new)


@LAW
@given(line=lines(), data=st.data())
def test_boundaries_session_policies_scps_and_rcps_never_grant(
    line: dict[str, Any], data: st.DataObject
) -> None:
    """§8 summary, §8.3, §8.4, §8.6–§8.7 ("SCPs, RCPs, permissions boundaries and session
    policies can only turn an allow into a deny"): attaching a permissions boundary or a session
    policy where there was none, or one more SCP or RCP level (an organization node; a node
    without any SCP allows nothing), never makes the outcome more permissive
    (EXPLICIT_DENY < IMPLICIT_DENY < ALLOW).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    principal = line["principal"]
    target = (line["action"], line["resource"], principal)
    choices = []
    if "permissions_boundary" not in line and not principal.endswith(":root"):
        choices.append("boundary")
    if "session_policy" not in line and (":assumed-role/" in principal or ":federated-user/" in principal):
        choices.append("session")
    choices += ["scp", "rcp"]
    what = data.draw(st.sampled_from(choices))
    new = copy.deepcopy(line)
    if what == "boundary":
        new["permissions_boundary"] = data.draw(policies("boundary", target))
    elif what == "session":
        new["session_policy"] = data.draw(policies("session", target))
    elif what == "scp":
        level = data.draw(st.lists(policies("scp", target), max_size=2))
        if data.draw(st.integers(0, 3)) != 3:  # usually with FullAWSAccess
            level.insert(0, copy.deepcopy(FULL_ACCESS))
        new.setdefault("scps", []).append(level)
    else:
        new.setdefault("rcps", []).append(data.draw(st.lists(policies("rcp"), max_size=2)))
    before = decide(line)
    after = decide(new)
    event(f"added {what}: {before.outcome.value} -> {after.outcome.value}")
    assert PERMISSIVENESS[after.outcome] <= PERMISSIVENESS[before.outcome], explain(before, after, line, new)


# --------------------------------------------------------------------------------------------
# 4. Order independence.


def _shuffled(
    line: dict[str, Any], shuffle: Callable[[list[Any]], None], organization: bool = True
) -> dict[str, Any]:
    new = copy.deepcopy(line)
    for _kind, path in slots(new):
        shuffle(statement_list(get(new, path)))
    if new.get("identity_policies"):
        shuffle(new["identity_policies"])
    for name in ("scps", "rcps") if organization else ():
        for level in new.get(name) or ():
            shuffle(level)
        if new.get(name):
            shuffle(new[name])  # every level must allow, and denies count at every level (§8.3)
    return new


@LAW
@given(line=lines(), rnd=st.integers(0, 2**32).map(random.Random))
def test_statement_and_policy_order_never_change_the_outcome(line: dict[str, Any], rnd: Any) -> None:
    """§8.9 (and §3.2: statements and policies of one type are OR-ed): shuffling the statements
    of every policy, the identity policies, the SCPs/RCPs of each organization level and the
    levels themselves, or reversing all of them, gives the same outcome; so does stating every
    statement and every identity policy twice (an OR is idempotent; SCPs and RCPs are not doubled:
    at most five attach to one target, orgs_reference_limits.html).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    before = decide(line)
    event(f"outcome: {before.outcome.value}")

    def doubled(items: list[Any]) -> None:
        items.extend(copy.deepcopy(items))

    shuffles = (_shuffled(line, rnd.shuffle), _shuffled(line, list.reverse), _shuffled(line, doubled, False))
    for new in shuffles:
        after = decide(new)
        assert after.outcome is before.outcome, explain(before, after, line, new)


def _recase(text: str, rnd: Any) -> str:
    return "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in text)


@LAW
@given(line=lines(), rnd=st.integers(0, 2**32).map(random.Random))
def test_case_of_actions_and_condition_key_names_never_matters(line: dict[str, Any], rnd: Any) -> None:
    """§4.1 (action matching is case-insensitive, prefix and name) and §5.2 (condition key
    names, tag keys included, are case-insensitive, in the policy and in the request): changing
    the case of every Action/NotAction pattern, every condition key name in the policies and
    every key name of the request context gives the same outcome and reason.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    new = copy.deepcopy(line)
    for _kind, path in slots(new):
        for statement in statement_list(get(new, path)):
            for name in ("Action", "NotAction"):
                if name in statement:
                    value = statement[name]
                    statement[name] = (
                        [_recase(v, rnd) for v in value] if isinstance(value, list) else _recase(value, rnd)
                    )
            for operator, keys in statement.get("Condition", {}).items():
                statement["Condition"][operator] = {_recase(k, rnd): v for k, v in keys.items()}
    new["context"] = {_recase(k, rnd): v for k, v in new["context"].items()}
    before, after = decide(line), decide(new)
    event(f"outcome: {before.outcome.value}")
    assert (after.outcome, after.reason) == (before.outcome, before.reason), explain(before, after, line, new)


def _positive(operator: str) -> bool:
    """Operators whose several values are OR-ed (§5.1): not negated, not ForAllValues."""
    return "Not" not in operator and not operator.startswith("ForAllValues")


def _splits(statement: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Every way to split one list-valued OR-element of the statement into one statement per
    value: Action, Resource, Principal's AWS list, or the values of a positive condition."""
    out = []
    for name in ("Action", "Resource"):
        if isinstance(statement.get(name), list) and len(statement[name]) > 1:
            out.append([{**statement, name: v} for v in statement[name]])
    principal = statement.get("Principal")
    if isinstance(principal, dict) and isinstance(principal.get("AWS"), list) and len(principal["AWS"]) > 1:
        out.append([{**statement, "Principal": {**principal, "AWS": v}} for v in principal["AWS"]])
    for operator, keys in statement.get("Condition", {}).items():
        for key, values in keys.items():
            if _positive(operator) and isinstance(values, list) and len(values) > 1:
                out.append(
                    [
                        {**statement, "Condition": {**statement["Condition"], operator: {**keys, key: v}}}
                        for v in values
                    ]
                )
    return out


@LAW
@given(line=lines(), data=st.data())
def test_a_list_is_the_or_of_its_values(line: dict[str, Any], data: st.DataObject) -> None:
    """§3.2 (statements are OR-ed), §4.1 and §4.3 ("a list matches if any entry matches"), §4.5
    (principals), §5.1 (several values of a positive operator are OR-ed): replacing a statement
    whose Action, Resource, Principal or positive-condition value is a list by one statement per
    value gives the same outcome. (NotAction, NotResource, NotPrincipal and negated operators
    are ANDs of negations and are not split.)
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    options = [
        (path, i, split)
        for _kind, path, i in statement_refs(line)
        for split in _splits(statement_list(get(copy.deepcopy(line), path))[i])
    ]
    assume(options)
    path, index, split = data.draw(st.sampled_from(options))
    new = copy.deepcopy(line)
    statements_ = statement_list(get(new, path))
    statements_[index : index + 1] = copy.deepcopy(split)
    before, after = decide(line), decide(new)
    event(f"outcome: {before.outcome.value}")
    assert after.outcome is before.outcome, explain(before, after, line, new)


# --------------------------------------------------------------------------------------------
# 5. Statements that can never apply.

IMPOSSIBLE = st.sampled_from(
    [
        {"StringEquals": {ABSENT_KEY: "x"}},  # §5.3: a positive operator on an absent key is false
        {"StringLike": {ABSENT_KEY: "*"}},
        {"ForAnyValue:StringEquals": {ABSENT_KEY: ["a", "b"]}},  # §5.14: absent key → false
        {"NumericLessThan": {ABSENT_KEY: "5"}},
        {"Bool": {ABSENT_KEY: "true"}},
        {"Null": {"aws:PrincipalArn": "true"}},  # §5.12, §7.1: always present
        {"StringEquals": {"aws:PrincipalAccount": "999999999999"}},  # no caller is in that account
        {"StringEquals": {"aws:ViaAWSService": "true"}, "Null": {ABSENT_KEY: "false"}},
    ]
)


@LAW
@given(line=lines(), data=st.data())
def test_a_statement_whose_condition_never_holds_changes_nothing(
    line: dict[str, Any], data: st.DataObject
) -> None:
    """§4 (a statement applies only if its condition block is true), §5.1, §5.3, §5.12: adding
    an Allow or a Deny whose condition can never hold for the request — a positive operator on a
    key absent from the context, ``Null: true`` on a key AWS always sets — leaves the outcome
    and the §12 reason unchanged.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    effect = data.draw(st.sampled_from(["Allow", "Deny"]))
    kind, path = data.draw(st.sampled_from(add_targets(line, effect)))
    statement = data.draw(statements(kind, effect))
    statement["Condition"] = copy.deepcopy(data.draw(IMPOSSIBLE))
    before = decide(line)
    new = with_statement(line, path, statement)
    after = decide(new)
    event(f"outcome: {before.outcome.value}")
    assert (after.outcome, after.reason) == (before.outcome, before.reason), explain(before, after, line, new)


# --------------------------------------------------------------------------------------------
# 6. Determinism.


def _summary(evaluation: Any) -> tuple[Any, ...]:
    return evaluation.outcome, evaluation.reason, json.dumps(evaluation.to_dict(), sort_keys=True)


@st.composite
def batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Lines that share their policy documents, as a real batch does (so the Simulator's parse
    cache and the statement/condition memos are hit), with other callers, actions of the same
    service, resources and contexts; and an unrelated line or two."""
    base = draw(lines())
    service = base["action"].partition(":")[0]
    same_service = [a for a in ACTIONS if a.startswith(service + ":")]
    out = [base]
    for _ in range(draw(st.integers(1, 6))):
        variant = dict(base)
        variant["principal"] = draw(CALLERS)
        variant["action"] = draw(st.sampled_from(same_service))
        variant["resource"] = draw(st.sampled_from(ACTIONS[variant["action"]]))
        variant["context"] = draw(contexts())
        out.append(variant)
    out += draw(st.lists(lines(), max_size=2))
    return draw(st.permutations(out))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches())
def test_evaluation_is_deterministic_and_independent_of_history(batch: list[dict[str, Any]]) -> None:
    """§8.9, §12: the decision is a function of the request. The same line evaluated twice by
    one ``Simulator`` (whose caches and statement memos are then warm), by a fresh one, and
    after other lines sharing its policies in a shared one, gives the same outcome, reason and
    explanation; the explanation is JSON.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    shared = Simulator()
    in_batch = [_summary(decide(line, shared)) for line in batch]
    for line, seen in zip(batch, in_batch, strict=True):
        fresh = _summary(decide(line))
        again = _summary(decide(line, shared))
        assert seen == fresh == again, json.dumps(line)
    for line, seen in zip(reversed(batch), reversed(in_batch), strict=True):
        assert _summary(decide(line, shared)) == seen, json.dumps(line)


def _world(
    line: dict[str, Any], secret_policy: dict[str, Any] | None, key_policy: dict[str, Any]
) -> dict[str, Any]:
    """A §1.1 world holding alice (account A) with the line's identity policies and boundary,
    bob (account B), and SECRET_A encrypted with a customer managed key."""
    return {
        "accounts": [
            {"id": A, "name": "prod", "org_id": None, "org_path": []},
            {"id": B, "name": "other", "org_id": None, "org_path": []},
        ],
        "principals": {
            "users": [
                {
                    "arn": ALICE,
                    "user_id": "AIDAEXAMPLEALICE",
                    "tags": {"team": "payments"},
                    "groups": [],
                    "policies": line.get("identity_policies") or [],
                    "permissions_boundary": line.get("permissions_boundary"),
                },
                {
                    "arn": BOB,
                    "user_id": "AIDAEXAMPLEBOB",
                    "tags": {},
                    "groups": [],
                    "policies": line.get("identity_policies") or [],
                    "permissions_boundary": None,
                },
            ],
            "groups": [],
            "roles": [],
            "sessions": [],
        },
        "secrets": [
            {
                "arn": SECRET_A,
                "name": "prod/db",
                "account": A,
                "region": "us-east-1",
                "kms_key": KEY_A,
                "tags": {"team": "payments"},
                "versions": {"AWSCURRENT": "v-2", "AWSPREVIOUS": "v-1"},
                "resource_policy": secret_policy,
            }
        ],
        "kms_keys": [
            {
                "arn": KEY_A,
                "account": A,
                "region": "us-east-1",
                "manager": "CUSTOMER",
                "aliases": ["alias/prod"],
                "tags": {},
                "key_policy": key_policy,
            }
        ],
    }


ENABLE_IAM = {
    "Sid": "EnableIAM",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    caller=st.sampled_from([ALICE, ALICE, BOB]),
    operation=st.sampled_from(["GetSecretValue", "DescribeSecret", "PutSecretValue", "DeleteSecret"]),
    context=contexts(),
    data=st.data(),
)
def test_authorize_is_deterministic_and_its_decision_is_json(
    caller: str, operation: str, context: dict[str, Any], data: st.DataObject
) -> None:
    """§12 (decision output), §10 (Secrets Manager operations with their KMS sub-requests):
    ``authorize`` on a generated world twice gives the same decision, and ``to_dict()`` is
    JSON.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    target = (f"secretsmanager:{operation}", SECRET_A, caller)
    line = data.draw(lines(*target))
    line["identity_policies"] += data.draw(
        st.lists(policies("identity", ("kms:Decrypt", KEY_A, caller)), max_size=1)
    )
    secret_policy = data.draw(st.none() | policies("resource", target))
    key_extra = data.draw(st.lists(statements("key", target=("kms:Decrypt", KEY_A, caller)), max_size=2))
    world = World.from_dict(
        _world(line, secret_policy, {"Version": "2012-10-17", "Statement": [ENABLE_IAM, *key_extra]})
    )
    request = {
        "principal": caller,
        "action": f"secretsmanager:{operation}",
        "resource": SECRET_A,
        "context": context,
    }
    if operation == "PutSecretValue":
        request["parameters"] = {"SecretString": True}
    first = authorize(world, request)
    second = authorize(world, request)
    again = authorize(
        World.from_dict(
            _world(line, secret_policy, {"Version": "2012-10-17", "Statement": [ENABLE_IAM, *key_extra]})
        ),
        request,
    )
    event(f"outcome: {first.outcome.value}")
    text = json.dumps(first.to_dict(), sort_keys=True)
    assert text == json.dumps(second.to_dict(), sort_keys=True) == json.dumps(again.to_dict(), sort_keys=True)
    assert first.outcome in Outcome


def test_public_cases_decide_deterministically_as_json() -> None:
    """§12–§13: every public case, decided twice on one world and once on a fresh world, gives
    the same JSON decision."""
    cases = load_cases(PUBLIC_CASES)
    assert cases
    for case in cases:
        world = World.from_dict(case["world"])
        first = json.dumps(authorize(world, case["request"]).to_dict(), sort_keys=True)
        second = json.dumps(authorize(world, case["request"]).to_dict(), sort_keys=True)
        fresh = json.dumps(
            authorize(World.from_dict(case["world"]), case["request"]).to_dict(), sort_keys=True
        )
        assert first == second == fresh, case["id"]


# --------------------------------------------------------------------------------------------
# Guard: the generators are not vacuous.


def test_generated_lines_cover_every_outcome() -> None:
    """The laws above are only meaningful if generated requests are often allowed: sample the
    generator (deterministically) and require a sizeable share of each outcome (measured: about
    46 % ALLOW, see the module docstring)."""
    seen: dict[Outcome, int] = {o: 0 for o in Outcome}

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(line=lines())
    def sample(line: dict[str, Any]) -> None:
        seen[decide(line).outcome] += 1

    sample()
    total = sum(seen.values())
    shares = {o.value: round(n / total, 2) for o, n in seen.items()}
    assert seen[Outcome.ALLOW] / total >= 0.3, shares
    # The derandomized sample depends on Hypothesis's version: explicit deny measured 8 % (6.155)
    # and above 10 % (6.170); 5 % of 400 is still 20 explicit denies for the laws to act on.
    assert all(n / total >= 0.05 for n in seen.values()), shares
