"""Checkers for the notebooks' exercises, one per notebook (``check_01`` … ``check_06``). Each one
decides the learner's answer with the package itself (``check_policy``, ``authorize``, ``who_can``,
``diff``) and returns a message that says whether it is right and why: a right answer opens with
``Right``, any other with ``Not yet`` and the reason the package found (the failing step, the reason
code, the statement or condition that did not apply). A checker never raises, whatever it is given
(None, a wrong type, broken JSON), so a notebook still runs top to bottom with its placeholder answer.

The checkers of notebooks 01, 04 and 05 take the notebook's world as a second argument; those of 02
and 03 build their own small worlds, described by ``TAGGING_REQUESTS`` and ``PIECES``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, ParamSpec

from .analysis import diff, who_can
from .authorization import Decision, authorize
from .evaluation.results import Evaluation
from .policy.parsing import check_policy
from .problems import Problem, ScenarioError
from .world import World

RIGHT, NOT_YET = "Right", "Not yet"
GET = "secretsmanager:GetSecretValue"
PROD, APPS = "111111111111", "222222222222"
REGION = "us-east-1"

P = ParamSpec("P")


def _never_raises(check: Callable[P, str]) -> Callable[P, str]:
    """A checker that explains instead of raising: the notebook must run top to bottom."""

    @wraps(check)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> str:
        try:
            return check(*args, **kwargs)
        except Exception as exc:  # any failure becomes a message, never a traceback
            return (
                f"{NOT_YET}: this answer could not be checked ({type(exc).__name__}: {exc}). "
                "Compare its shape with the placeholder answer of the exercise."
            )

    return guarded


# -- shared helpers


def _document(answer: object, what: str) -> tuple[Any, str | None]:
    """(the policy document, None) from a dict or JSON text, or (None, the reason it is not one)."""
    if isinstance(answer, (str, bytes, bytearray)):
        try:
            answer = json.loads(answer)
        except (ValueError, RecursionError) as exc:
            return None, f"{NOT_YET}: the answer is not valid JSON ({exc})."
    if not isinstance(answer, Mapping):
        return None, f"{NOT_YET}: the answer is {what} (a dict or JSON text); got {type(answer).__name__}."
    return dict(answer), None


def _problems_text(problems: Iterable[Problem]) -> str:
    return "\n".join(f"  {p}" for p in problems)


def _why_denied(decision: Decision, focus: str = "") -> str:
    """The failing step, its reason code, and why each statement of the policies whose label
    contains ``focus`` did not apply."""
    step = decision.failed_step
    if step is None:
        return f"{decision.reason.value}: {decision.reason.summary}"
    text = f"denied at {step.action} ({decision.reason.value}: {decision.reason.summary})"
    if focus:
        reasons = _statement_reasons(step.evaluation, focus)
        if reasons:
            text += "; " + "; ".join(reasons)
    return text


def _statement_reasons(evaluation: Evaluation, focus: str) -> list[str]:
    out = []
    for policy in evaluation.policies:
        if focus in policy.label:
            for result in policy.statements():
                if result.why_not:
                    out.append(f"{policy.label}, {result.statement.label}: {result.why_not}")
    return out


def _type_name(value: object) -> str:
    """``list of int`` for a collection, else the type's name."""
    name = type(value).__name__
    if isinstance(value, (list, tuple, set, frozenset)) and value:
        inner = sorted({type(v).__name__ for v in value})
        return f"{name} of {', '.join(inner)}"
    return name


def _short(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


# -- 01 identity-based vs resource-based


DEVS = f"arn:aws:iam::{PROD}:group/devs"
ALICE = f"arn:aws:iam::{PROD}:user/alice"
SHARED_CONFIG = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/shared-config-Hc5Rn8"
#: a secret that does not exist yet, to see whether a policy also grants tomorrow's secrets
_PROBE_SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/payroll-Pr0b3x"


@_never_raises
def check_01(answer: object, world: object = None) -> str:
    """Exercise 01: the identity policy to attach to group ``devs`` so that its members read
    ``team/shared-config`` (GetSecretValue), and nothing more. ``world`` is the world of
    ``data/identity-vs-resource.json``."""
    if not isinstance(world, World) or world.group(DEVS) is None or world.secret(SHARED_CONFIG) is None:
        return f"{NOT_YET}: call check_01(answer, world) with the world of identity-vs-resource.json."
    doc, error = _document(answer, "an identity policy document")
    if error:
        return error
    problems = check_policy(doc, "identity")
    errors = [p for p in problems if p.is_error]
    if errors:
        text = f"{NOT_YET}: AWS would reject this identity policy:\n{_problems_text(errors)}"
        if any(p.code == "PRINCIPAL_NOT_ALLOWED" for p in errors):
            text += (
                "\nAn identity policy names no Principal: the principal is implicit, it is whoever "
                "the policy is attached to (here every member of devs)."
            )
        return text
    data = world.to_dict()
    group = next(g for g in data["principals"]["groups"] if g["arn"] == DEVS)
    group["policies"] = [*group.get("policies", []), doc]
    after = World.from_dict(data)
    decision = authorize(after, {"principal": ALICE, "action": GET, "resource": SHARED_CONFIG})
    if not decision.allowed:
        label = f"policy {len(group['policies'])} of group devs"
        return (
            f"{NOT_YET}: with this policy attached to devs, alice (a member) still cannot read "
            f"team/shared-config: {_why_denied(decision, label)}."
        )
    wanted = (ALICE, SHARED_CONFIG, GET)
    extra = [c for c in diff(world, after).changes if (c.principal, c.resource, c.action) != wanted]
    if extra:
        listed = "; ".join(
            f"{'gains' if c.gained else 'loses'} {c.action} on {_short(c.resource)} for {_short(c.principal)}"
            for c in extra
        )
        return f"{NOT_YET}: alice can read team/shared-config, but the policy changes more: {listed}."
    future = _with_probe_secret(after)
    if authorize(future, {"principal": ALICE, "action": GET, "resource": _PROBE_SECRET}).allowed:
        return (
            f"{NOT_YET}: alice can read team/shared-config, but the policy would also let devs read a "
            "secret created tomorrow (team/payroll): name team/shared-config's ARN (…:secret:"
            "team/shared-config-??????) instead of a wide pattern."
        )
    deciding = decision.main_step.evaluation.deciding_policy if decision.main_step else None
    return (
        f"{RIGHT}: attached to group devs, the policy lets every member read team/shared-config "
        f"({decision.reason.value}, decided by {deciding}), and nothing else changes. No Principal "
        "is needed: in an identity policy the principal is implicit, and a group can only be "
        "granted this way, never by naming it in the secret policy."
    )


def _with_probe_secret(world: World) -> World:
    data = world.to_dict()
    template = next(s for s in data["secrets"] if s["arn"] == SHARED_CONFIG)
    probe = dict(template, arn=_PROBE_SECRET, name="team/payroll", resource_policy=None)
    data["secrets"] = [*data["secrets"], probe]
    return World.from_dict(data)


# -- 02 how AWS decides: conditions


_BOB = f"arn:aws:iam::{PROD}:user/bob"
_NEW_SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/new-Nw4Ze1"

#: (tags passed to CreateSecret or None for no Tags parameter, whether it must be allowed)
TAGGING_REQUESTS: tuple[tuple[dict[str, str] | None, bool], ...] = (
    ({"team": "payments", "env": "dev"}, True),
    ({"team": "payments"}, True),
    ({"owner": "bob"}, False),
    ({"team": "payments", "owner": "bob"}, False),
    (None, False),
)


def tagging_statement(condition: object) -> dict[str, Any]:
    """The statement of exercise 02: bob may create (and tag) secrets under team/ when
    ``condition`` holds."""
    return {
        "Sid": "CreateWithApprovedTags",
        "Effect": "Allow",
        "Action": ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
        "Resource": f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/*",
        "Condition": condition,
    }


def tagging_world(condition: object) -> World:
    """One account, user bob with only ``tagging_statement(condition)``."""
    policy = {"Version": "2012-10-17", "Statement": [tagging_statement(condition)]}
    return World.from_dict(
        {
            "accounts": [{"id": PROD, "name": "dev"}],
            "principals": {"users": [{"arn": _BOB, "policies": [policy]}]},
        }
    )


def tagging_request(tags: Mapping[str, str] | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"Name": "team/new", "SecretString": True}
    if tags is not None:
        parameters["Tags"] = dict(tags)
    return {"principal": _BOB, "action": "secretsmanager:CreateSecret", "resource": _NEW_SECRET,
            "parameters": parameters}  # fmt: skip


@_never_raises
def check_02(answer: object) -> str:
    """Exercise 02: the Condition block that lets bob create secrets carrying only the tag keys
    ``team`` and ``env`` and at least one tag: every request of ``TAGGING_REQUESTS`` must be
    decided as listed."""
    if answer is None or not isinstance(answer, Mapping):
        return (
            f"{NOT_YET}: the answer is a Condition block, a dict such as "
            '{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}; '
            f"got {type(answer).__name__}."
        )
    policy = {"Version": "2012-10-17", "Statement": [tagging_statement(dict(answer))]}
    errors = [p for p in check_policy(policy, "identity") if p.is_error]
    if errors:
        return f"{NOT_YET}: AWS would reject the policy with this Condition:\n{_problems_text(errors)}"
    world = tagging_world(dict(answer))
    wrong = []
    for tags, expected in TAGGING_REQUESTS:
        decision = authorize(world, tagging_request(tags))
        if decision.allowed == expected:
            continue
        shown = "no Tags at all" if tags is None else f"Tags {sorted(tags)}"
        if decision.allowed:
            why = _condition_reasons(decision)
            wrong.append(f"CreateSecret with {shown} is allowed but must be denied ({why})")
        else:
            why = _why_denied(decision, "identity policy")
            wrong.append(f"CreateSecret with {shown} is denied but must be allowed: {why}")
    if wrong:
        return f"{NOT_YET}:\n" + "\n".join(f"  - {w}" for w in wrong)
    return (
        f"{RIGHT}: all {len(TAGGING_REQUESTS)} requests are decided as they must be. ForAllValues "
        "alone is true when aws:TagKeys is absent (no Tags at all); a Null check (aws:TagKeys "
        "false), or an operator that needs the key, is what closes that gap."
    )


def _condition_reasons(decision: Decision) -> str:
    step = decision.main_step
    if step is None:
        return decision.reason.value
    results = [c for d in step.evaluation.deciding for c in d.statement.conditions]
    return "; ".join(c.why for c in results) or "no condition stops it"


# -- 03 cross-account: the pieces of each path


_APP_ROLE = f"arn:aws:iam::{APPS}:role/AppRole"
_APP_SESSION = f"arn:aws:sts::{APPS}:assumed-role/AppRole/worker"
_READER = f"arn:aws:iam::{PROD}:role/SecretReader"
LEGACY = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:app/legacy-Zx9Yw8"
_AWS_KEY = f"arn:aws:kms:{REGION}:{PROD}:key/aws-managed-secretsmanager-0001"
_CMK = f"arn:aws:kms:{REGION}:{PROD}:key/1234abcd-0000-4000-8000-0000000c3a11"

#: the pieces exercise 03 offers: name -> (account that owns it, what it is)
PIECES: dict[str, tuple[str, str]] = {
    "secret-policy": ("prod", "the secret policy of app/legacy grants AppRole GetSecretValue"),
    "cmk": ("prod", "app/legacy is encrypted with a customer managed key instead of aws/secretsmanager"),
    "key-policy": ("prod", "the customer managed key's policy lets AppRole kms:Decrypt via Secrets Manager"),
    "caller-get": ("apps", "AppRole's identity policy allows GetSecretValue on app/legacy"),
    "caller-decrypt": ("apps", "AppRole's identity policy allows kms:Decrypt on prod's keys"),
    "caller-assume": ("apps", "AppRole's identity policy allows sts:AssumeRole on prod's SecretReader"),
    "trust": ("prod", "SecretReader's trust policy trusts AppRole"),
    "reader-get": ("prod", "SecretReader's identity policy allows GetSecretValue on app/legacy"),
}

#: the two ways to read: AppRole directly, or AppRole assuming SecretReader first
PATHS: dict[str, dict[str, Any]] = {
    "direct": {"principal": _APP_SESSION, "action": GET, "resource": LEGACY},
    "through SecretReader": {
        "principal": _APP_SESSION,
        "action": GET,
        "resource": LEGACY,
        "assume_role_chain": [{"role_arn": _READER, "session_name": "worker"}],
    },
}


def _policy(*statements: dict[str, Any]) -> dict[str, Any] | None:
    return {"Version": "2012-10-17", "Statement": list(statements)} if statements else None


def pieces_world(pieces: Iterable[str]) -> World:
    """The two-account world of exercise 03 with exactly ``pieces`` (names of ``PIECES``) in place."""
    has = set(pieces).__contains__
    app_statements = [
        {"Effect": "Allow", "Action": action, "Resource": resource}
        for name, action, resource in (
            ("caller-get", GET, LEGACY),
            ("caller-decrypt", "kms:Decrypt", f"arn:aws:kms:{REGION}:{PROD}:key/*"),
            ("caller-assume", "sts:AssumeRole", _READER),
        )
        if has(name)
    ]
    trusted = _APP_ROLE if has("trust") else f"arn:aws:iam::{PROD}:root"
    key_statements = [
        {"Sid": "EnableIAMPolicies", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": "kms:*", "Resource": "*"},
    ]  # fmt: skip
    if has("key-policy"):
        key_statements.append(
            {"Sid": "AppRoleDecryptsViaSecretsManager", "Effect": "Allow", "Principal": {"AWS": _APP_ROLE},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}}
        )  # fmt: skip
    grant = {"Sid": "AppRoleReads", "Effect": "Allow", "Principal": {"AWS": _APP_ROLE}, "Action": GET,
             "Resource": "*"}  # fmt: skip
    reader_get = {"Effect": "Allow", "Action": GET, "Resource": LEGACY}
    return World.from_dict(
        {
            "accounts": [{"id": PROD, "name": "prod"}, {"id": APPS, "name": "apps"}],
            "principals": {
                "roles": [
                    {"arn": _APP_ROLE, "trust_policy": _policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"Service": "ec2.amazonaws.com"}}), "policies": [_policy(*app_statements)]
                     if app_statements else []},
                    {"arn": _READER, "trust_policy": _policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": trusted}}), "policies": [_policy(reader_get)] if has("reader-get")
                     else []},
                ],
            },
            "secrets": [
                {"arn": LEGACY, "name": "app/legacy", "account": PROD, "region": REGION,
                 "kms_key": _CMK if has("cmk") else _AWS_KEY,
                 "resource_policy": _policy(grant) if has("secret-policy") else None},
            ],
            "kms_keys": [
                {"arn": _AWS_KEY, "account": PROD, "region": REGION, "manager": "AWS",
                 "aliases": ["alias/aws/secretsmanager"], "key_policy": None},
                {"arn": _CMK, "account": PROD, "region": REGION, "manager": "CUSTOMER",
                 "aliases": ["alias/app-legacy"], "key_policy": _policy(*key_statements)},
            ],
        }
    )  # fmt: skip


def _pieces(answer: object) -> tuple[set[str] | None, str | None]:
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (set, frozenset, list, tuple)):
        return None, (
            f"{NOT_YET}: the answer is a set of piece names, such as "
            f'{{"secret-policy", "caller-get"}}; got {type(answer).__name__}.'
        )
    unknown = [p for p in answer if not isinstance(p, str) or p not in PIECES]
    if unknown:
        hints = []
        for p in unknown:
            close = difflib.get_close_matches(str(p), PIECES, n=1)
            hints.append(f"{p!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return None, f"{NOT_YET}: unknown piece(s) {', '.join(hints)}; the pieces are {', '.join(PIECES)}."
    return set(answer), None


@_never_raises
def check_03(answer: object) -> str:
    """Exercise 03: the smallest set of ``PIECES`` that lets AppRole (account apps) read
    app/legacy (account prod, encrypted with aws/secretsmanager). Two sets are right, one for each
    path of ``PATHS``."""
    pieces, error = _pieces(answer)
    if error or pieces is None:
        return error or NOT_YET
    world = pieces_world(pieces)
    decisions = {name: authorize(world, request) for name, request in PATHS.items()}
    working = [name for name, d in decisions.items() if d.allowed]
    if not working:
        lines = [f"  - {name}: {_why_denied(d)}" for name, d in decisions.items()]
        if "key-policy" in pieces and "cmk" not in pieces:
            lines.append(
                "  - key-policy does nothing while app/legacy uses aws/secretsmanager: AWS writes that "
                "key's policy, nobody can edit it, and it only serves principals of prod"
            )
        return f"{NOT_YET}: AppRole cannot read app/legacy with these pieces.\n" + "\n".join(lines)
    best: tuple[str, set[str], dict[str, Decision]] | None = None
    for name in working:
        needed, broken = set(), {}
        for piece in sorted(pieces):
            without = authorize(pieces_world(pieces - {piece}), PATHS[name])
            if not without.allowed:
                needed.add(piece)
                broken[piece] = without
        if best is None or len(needed) < len(best[1]) or (len(needed) == len(best[1]) and name < best[0]):
            best = (name, needed, broken)
    assert best is not None
    name, needed, broken = best
    spare = sorted(pieces - needed)
    if spare:
        return (
            f"{NOT_YET}: AppRole can read app/legacy ({name} path), but {', '.join(spare)} "
            f"{'is' if len(spare) == 1 else 'are'} not needed for it: without "
            f"{'it' if len(spare) == 1 else 'them'} the read still works. Keep only what the path needs."
        )
    why = "\n".join(
        f"  - without {piece} ({PIECES[piece][0]}): {_why_denied(d)}" for piece, d in sorted(broken.items())
    )
    other = (
        "the other right answer goes through an assumed role in prod, which needs no key change"
        if name == "direct"
        else "the other right answer reads directly, after moving the secret to a customer managed key"
    )
    return (
        f"{RIGHT}: the smallest set for the {name} path; every piece is needed:\n{why}\n"
        f"aws/secretsmanager only serves principals of its own account, so a direct read needs a "
        f"customer managed key; {other}."
    )


# -- 04 people come and go


PAYMENTS_TEAM = f"arn:aws:iam::{PROD}:group/payments-team"
PAYMENTS_LEGACY = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:shared/payments-legacy-api-Lg8Ap2"


@_never_raises
def check_04(answer: object, world: object = None) -> str:
    """Exercise 04: the principals to name in the secret policy of shared/payments-legacy-api so
    that exactly the current members of payments-team read it. ``world`` is the world of
    ``data/people-come-and-go.json``; names (``"alice"``) or user ARNs are accepted."""
    if not isinstance(world, World) or world.group(PAYMENTS_TEAM) is None:
        return f"{NOT_YET}: call check_04(answer, world) with the world of people-come-and-go.json."
    secret = world.secret(PAYMENTS_LEGACY)
    if secret is None or secret.resource_policy is None:
        return f"{NOT_YET}: the world has no secret policy on shared/payments-legacy-api to edit."
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)) or not all(isinstance(a, str) for a in answer):
        return (
            f"{NOT_YET}: the answer is a list of user names or ARNs, such as "
            f'["alice", "bob"]; got {_type_name(answer)}.'
        )
    named = [a if a.startswith("arn:") else f"arn:aws:iam::{PROD}:user/{a}" for a in answer]
    data = world.to_dict()
    entry = next(s for s in data["secrets"] if s["arn"] == PAYMENTS_LEGACY)
    policy = entry["resource_policy"]
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    statement = next(s for s in statements if "Principal" in s)
    statement["Principal"] = {"AWS": sorted(set(named))}
    errors = [p for p in check_policy(policy, "resource") if p.is_error]
    if errors:
        text = f"{NOT_YET}: AWS would reject this secret policy:\n{_problems_text(errors)}"
        if any(p.code == "GROUP_PRINCIPAL" for p in errors):
            text += (
                "\nA group cannot be named in a secret policy: that is exactly why the group design "
                "grants the group through its identity policy instead."
            )
        return text
    unknown = [_short(a) for a in named if world.user(a) is None and world.role(a) is None]
    if unknown:
        return (
            f"{NOT_YET}: the world has no principal {', '.join(unknown)}; AWS refuses a secret "
            "policy that names a principal that does not exist."
        )
    after = World.from_dict(data)
    members = {u.arn for u in world.users if PAYMENTS_TEAM in u.groups}
    readers = {w.principal for w in who_can(after, GET, PAYMENTS_LEGACY) if w.kind == "user"}
    problems = [f"{_short(a)} is on the team but cannot read it" for a in sorted(members - readers)]
    problems += [f"{_short(a)} can read it but is not on the team" for a in sorted(readers - members)]
    for arn in sorted(set(named) - members - readers):
        decision = authorize(after, {"principal": arn, "action": GET, "resource": PAYMENTS_LEGACY})
        problems.append(
            f"{_short(arn)} is named although not on the team (denied only because "
            f"{decision.reason.summary}: {decision.deciding_policy}); a stale ARN is a grant waiting "
            "to come back"
        )
    if problems:
        return f"{NOT_YET}:\n" + "\n".join(f"  - {p}" for p in problems)
    names = ", ".join(sorted(_short(a) for a in members))
    return (
        f"{RIGHT}: exactly the team ({names}) reads shared/payments-legacy-api. With a list of ARNs "
        "this edit is due at every joiner and leaver, in every such policy; with the group design one "
        "membership change does it."
    )


# -- 05 what-if analysis


CONTRACTOR = f"arn:aws:iam::{PROD}:user/contractor"
PROD_DB = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/db-AbC123"


@_never_raises
def check_05(answer: object, world: object = None) -> str:
    """Exercise 05: an edited world (a ``World`` or its dict) in which contractor may read prod/db
    and no other access of the world changes. ``world`` is the world of
    ``data/organization-guardrails.json``."""
    if not isinstance(world, World) or world.user(CONTRACTOR) is None or world.secret(PROD_DB) is None:
        return f"{NOT_YET}: call check_05(answer, world) with the world of organization-guardrails.json."
    if isinstance(answer, Mapping):
        try:
            answer = World.from_dict(dict(answer))
        except ScenarioError as exc:
            return f"{NOT_YET}: this is not a world:\n{_problems_text(exc.problems)}"
    if not isinstance(answer, World):
        return (
            f"{NOT_YET}: the answer is the edited world (for example sl.apply_fix(world, fix)); "
            f"got {type(answer).__name__}."
        )
    request = {"principal": CONTRACTOR, "action": GET, "resource": PROD_DB}
    decision = authorize(answer, request)
    if not decision.allowed:
        return (
            f"{NOT_YET}: in this world contractor still cannot read prod/db: "
            f"{_why_denied(decision, 'contractor')}. sl.suggest_fixes(world, request) lists the "
            "smallest edits."
        )
    wanted = (CONTRACTOR, PROD_DB, GET)
    changes = [c for c in diff(world, answer).changes if (c.principal, c.resource, c.action) != wanted]
    if changes:
        listed = "\n".join(f"  {c}" for c in changes)
        return (
            f"{NOT_YET}: contractor can read prod/db, but the edit changes other accesses too:\n{listed}\n"
            "Widen only what the request needs."
        )
    return (
        f"{RIGHT}: contractor reads prod/db ({decision.reason.value}) and the diff shows no other "
        "access gained or lost: the edit is as small as the question."
    )


# -- 06 audit an account (the stand-in's organization)


LEGACY_SECRET, READER_ROLE, ASKED_ROLE = "prod/legacy", "SecretReader", "AppRole"


@_never_raises
def check_06(answer: object, world: object = None) -> str:
    """Exercise 06: a principal other than AppRole that reads prod/legacy through SecretReader.
    ``world`` is the world imported from the stand-in (``seed_demo``), whose account ids vary, so
    the secret and roles are found by name."""
    not_the_world = (
        f"{NOT_YET}: call check_06(answer, world) with the world imported from the stand-in "
        "(the exercise is about its organization: set PROFILE = None)."
    )
    if not isinstance(world, World):
        return not_the_world
    secret = next((s for s in world.secrets if s.name == LEGACY_SECRET), None)
    reader = next((r for r in world.roles if r.name == READER_ROLE), None)
    if secret is None or reader is None:
        return not_the_world
    readers = who_can(world, GET, secret.arn)
    through = {e.principal for e in readers if e.path is not None and e.path.roles[:1] == (reader.arn,)}
    asked = {p for p in through if f":assumed-role/{ASKED_ROLE}/" in p or p.endswith(f":role/{ASKED_ROLE}")}
    if answer is None:
        return f"{NOT_YET}: look for the lines of who_can for {LEGACY_SECRET} that say 'via …{READER_ROLE}'."
    if not isinstance(answer, str):
        return f"{NOT_YET}: the answer is one principal ARN (a str); got {_type_name(answer)}."
    if answer in through - asked:
        direct = authorize(world, {"principal": answer, "action": GET, "resource": secret.arn})
        why = f"{direct.reason.value}: {direct.reason.summary}"
        return (
            f"{RIGHT}: {_short(answer)} reads {LEGACY_SECRET} "
            + ("" if direct.allowed else f"not directly ({why}) but ")
            + f"by assuming {READER_ROLE}: it may assume it (its identity policy allows "
            f"sts:AssumeRole and the trust policy trusts its account), and {READER_ROLE} is in the "
            "secret's account, so aws/secretsmanager trusts it."
        )
    if answer in asked:
        return f"{NOT_YET}: {ASKED_ROLE} is named in the question; which other principal goes that way?"
    return (
        f"{NOT_YET}: {answer} does not reach {LEGACY_SECRET} through {READER_ROLE}. who_can lists "
        f"{len(through)} principal(s) with 'via {reader.arn}'."
    )
