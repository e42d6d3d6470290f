"""ipywidgets apps for the notebooks: a cross-account scenario builder, a policy playground and a
what-if explorer. Each app is a pure render function from a frozen state to a frozen ``Rendered``
(the decision or diff it computed, its HTML and its figure as a PNG), plus a thin class wiring
controls to it: observers call the render function and put the HTML into an ``ipywidgets.HTML``
and the PNG into an ``ipywidgets.Image`` (no kernel needed, no pyplot state, nothing leaks into
cell outputs). Invalid input is shown inline with its JSON path and hint while the last good
result stays on screen; an observer never raises. Renders are memoized on their (hashable) state
and the parts of a world that do not change are computed once, so a control change re-renders in
well under 100 ms. The AWS rules shown are those of semantics.md §8–§11: the cross-account
recipe https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
and the role-assumption alternative
https://docs.aws.amazon.com/secretsmanager/latest/userguide/best-practice_cross-account-role-vs-account.html.
"""

from __future__ import annotations

import copy
import html
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .analysis import DEFAULT_ACTIONS, AccessMatrix, Diff, access_matrix, diff, world_principals
from .authorization import Decision, Step, authorize
from .authorization.explain import decision_html
from .fixes import Fix, suggest_fixes
from .policy.model import PolicyKind
from .policy.parsing import read_policy
from .problems import PathPart, Problem, ScenarioError, json_path
from .world import World
from .world.scenario import load_scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GET_SECRET_VALUE = "secretsmanager:GetSecretValue"
PNG_DPI = 80  # the notebooks show figures at about 800 px wide; more dots only cost render time
_GREEN, _RED, _GREY = "#1a7f37", "#b42318", "#666"


# -- what every app renders


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one render produced. ``problems`` holds input problems (errors first): when one is
    an error there is no result, and the apps keep showing their last good one."""

    html: str
    figure: Figure | None = None
    png: bytes = b""
    decision: Decision | None = None
    problems: tuple[Problem, ...] = ()
    fix: Fix | None = None
    diff: Diff | None = None
    world: World | None = None
    matrix: AccessMatrix | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI)
    return buffer.getvalue()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(arn: str) -> str:
    """The part of an ARN after the account: ``role/AppRole``, ``secret:prod/db-AbC123``."""
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def _mark(allowed: bool) -> str:
    # words as well as colours, for colour-blind readers
    colour, word = (_GREEN, "✓ allowed") if allowed else (_RED, "✗ denied")
    return f"<b style='color:{colour}'>{word}</b>"


def _problems_html(problems: Iterable[Problem], title: str) -> str:
    items = []
    for p in problems:
        colour = _RED if p.is_error else "#9a6700"
        where = f"{_e(p.source)} " if p.source else ""
        hint = f"<br><i>hint: {_e(p.hint)}</i>" if p.hint else ""
        items.append(
            f"<li><b style='color:{colour}'>{_e(p.severity.value)}</b> {where}<code>{_e(p.json_path)}</code> "
            f"<code>{_e(p.code)}</code>: {_e(p.message)}{hint}</li>"
        )
    return f"<div class='secretslab-problems'><p><b>{_e(title)}</b></p><ul>{''.join(items)}</ul></div>"


def _steps_html(steps: Sequence[Step], planned: Sequence[str] = ()) -> str:
    """The decision hop by hop; planned hops an earlier failure kept from running are listed too."""
    rows = []
    for i, step in enumerate(steps, 1):
        ev = step.evaluation
        rows.append(
            f"<tr><td>{i}</td><td><code>{_e(_short(step.principal))}</code></td>"
            f"<td><code>{_e(step.action)}</code></td><td><code>{_e(_short(step.resource))}</code></td>"
            f"<td>{_mark(step.allowed)}</td><td><code>{_e(ev.reason.value)}</code><br>"
            f"{_e(ev.deciding_policy or ev.reason.summary)}</td></tr>"
        )
    done = [s.action for s in steps]
    for action in planned[len(done) :] if done == list(planned[: len(done)]) else ():
        rows.append(
            f"<tr><td>–</td><td></td><td><code>{_e(action)}</code></td><td></td>"
            f"<td style='color:{_GREY}'>not reached</td>"
            f"<td style='color:{_GREY}'>an earlier hop failed</td></tr>"
        )
    head = "<tr><th>hop</th><th>caller</th><th>action</th><th>resource</th><th>decision</th><th>why</th></tr>"
    return f"<table class='secretslab-hops'>{head}{''.join(rows)}</table>"


def _explanation(decision: Decision) -> str:
    return (
        f"<details><summary><b>Explanation</b> (every policy, statement by statement)</summary>"
        f"{decision_html(decision)}</details>"
    )


# -- 1. the cross-account scenario builder (semantics §10.5, §10.6, §9.5, §9.6, §11.2)

PROD, APPS, REGION = "111111111111", "222222222222", "us-east-1"
CONSUMER_ROLE = f"arn:aws:iam::{APPS}:role/AppRole"
CONSUMER = f"arn:aws:sts::{APPS}:assumed-role/AppRole/app"  # the caller: a session of AppRole
READER_ROLE = f"arn:aws:iam::{PROD}:role/SecretReader"
SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/db-AbC123"
CMK = f"arn:aws:kms:{REGION}:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_MANAGED_KEY = f"arn:aws:kms:{REGION}:{PROD}:key/0000aaaa-0000-4000-8000-0000000a3500"

KEY_OPTIONS = (("customer managed key alias/prod-db", "cmk"), ("AWS managed key aws/secretsmanager", "aws"))
GRANT_OPTIONS = (
    ("nothing", "none"),
    ("the consumer role AppRole", "role"),
    (f"the consumer account {APPS}", "account"),
)
PATH_OPTIONS = (("direct", "direct"), ("assume role SecretReader in prod", "assume_role"))
_GRANTEE = {"role": CONSUMER_ROLE, "account": f"arn:aws:iam::{APPS}:root"}


@dataclass(frozen=True, slots=True)
class BuilderChoices:
    """The set-up of a cross-account read of secret prod/db (account 111111111111, prod) by role
    AppRole (account 222222222222, apps). ``identity_get``/``identity_decrypt`` are the identity
    policy of whoever makes the read: AppRole on the direct path, SecretReader (prod) when AppRole
    first assumes it; on that path AppRole's own policy always allows ``sts:AssumeRole``."""

    key: str = "cmk"  # "cmk" | "aws"
    secret_policy: str = "role"  # what the secret policy grants: "none" | "role" | "account"
    key_policy: str = "role"  # what the customer managed key's policy grants (the AWS one is fixed)
    identity_get: bool = True  # the reader's identity policy allows secretsmanager:GetSecretValue
    identity_decrypt: bool = True  # ... and kms:Decrypt on the key's ARN
    path: str = "direct"  # "direct" | "assume_role"
    trust: bool = True  # SecretReader's trust policy trusts account 222222222222 (else only prod)

    def __post_init__(self) -> None:
        for name, options in (
            ("key", KEY_OPTIONS),
            ("secret_policy", GRANT_OPTIONS),
            ("key_policy", GRANT_OPTIONS),
            ("path", PATH_OPTIONS),
        ):
            allowed = [value for _, value in options]
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} is one of {allowed}, not {getattr(self, name)!r}")

    @classmethod
    def of(cls, choices: BuilderChoices | Mapping[str, Any]) -> BuilderChoices:
        return choices if isinstance(choices, BuilderChoices) else cls(**dict(choices))


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trust(account: str, sid: str) -> dict[str, Any]:
    principal = {"AWS": f"arn:aws:iam::{account}:root"}
    return _doc({"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def build_world(choices: BuilderChoices | Mapping[str, Any]) -> dict[str, Any]:
    """The §1.1 world of the choices: accounts 111111111111 (prod: secret prod/db, its key, and on
    the assume-role path role SecretReader) and 222222222222 (apps: role AppRole)."""
    c = BuilderChoices.of(choices)
    key_arn = CMK if c.key == "cmk" else AWS_MANAGED_KEY
    reads = []
    if c.identity_get:
        reads.append({"Sid": "ReadProdDb", "Effect": "Allow", "Action": GET_SECRET_VALUE, "Resource": SECRET})
    if c.identity_decrypt:  # by key ARN: an alias ARN would never authorize the key (§9.5)
        reads.append(
            {"Sid": "DecryptProdDbKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}
        )
    app_role: dict[str, Any] = {
        "arn": CONSUMER_ROLE,
        "trust_policy": _trust(APPS, "AppsAccount"),
        "policies": [],
    }
    roles = [app_role]
    if c.path == "direct":
        app_role["policies"] = [_doc(*reads)] if reads else []
    else:
        assume = {
            "Sid": "AssumeSecretReader",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": READER_ROLE,
        }
        app_role["policies"] = [_doc(assume)]
        trust = _trust(APPS, "TrustAppsAccount") if c.trust else _trust(PROD, "TrustProdOnly")
        roles.append({"arn": READER_ROLE, "trust_policy": trust, "policies": [_doc(*reads)] if reads else []})
    secret_policy = None
    if c.secret_policy != "none":
        secret_policy = _doc(
            {
                "Sid": "ConsumerRead",
                "Effect": "Allow",
                "Principal": {"AWS": _GRANTEE[c.secret_policy]},
                "Action": GET_SECRET_VALUE,
                "Resource": "*",
            }
        )
    if c.key == "cmk":
        statements = [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if c.key_policy != "none":
            statements.append(
                {
                    "Sid": "ConsumerDecryptViaSecretsManager",
                    "Effect": "Allow",
                    "Principal": {"AWS": _GRANTEE[c.key_policy]},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                    },
                }
            )
        key = {
            "arn": CMK,
            "account": PROD,
            "region": REGION,
            "manager": "CUSTOMER",
            "aliases": ["alias/prod-db"],
            "key_policy": _doc(*statements),
        }
    else:  # AWS writes this key's policy (§9.6): the reader fills in its template
        key = {
            "arn": AWS_MANAGED_KEY,
            "account": PROD,
            "region": REGION,
            "manager": "AWS",
            "aliases": ["alias/aws/secretsmanager"],
        }
    return {
        "accounts": [
            {"id": PROD, "name": "prod", "org_id": None, "org_path": []},
            {"id": APPS, "name": "apps", "org_id": None, "org_path": []},
        ],
        "principals": {"users": [], "groups": [], "roles": roles},
        "secrets": [
            {
                "arn": SECRET,
                "name": "prod/db",
                "account": PROD,
                "region": REGION,
                "kms_key": key_arn,
                "resource_policy": secret_policy,
            }
        ],
        "kms_keys": [key],
    }


def builder_request(choices: BuilderChoices | Mapping[str, Any]) -> dict[str, Any]:
    """AppRole's session reads prod/db, directly or after assuming SecretReader (§1.2)."""
    request: dict[str, Any] = {"principal": CONSUMER, "action": GET_SECRET_VALUE, "resource": SECRET}
    if BuilderChoices.of(choices).path == "assume_role":
        request["assume_role_chain"] = [{"role_arn": READER_ROLE, "session_name": "app"}]
    return request


def render_builder(choices: BuilderChoices | Mapping[str, Any]) -> Rendered:
    """The decision per hop, the access diagram, the explanation and, when denied, the smallest
    fix (the first of ``suggest_fixes``)."""
    return _render_builder(BuilderChoices.of(choices))


@lru_cache(maxsize=64)  # about 0.7 MB a render (its figure)
def _render_builder(choices: BuilderChoices) -> Rendered:
    from . import viz

    world = World.from_dict(build_world(choices))
    request = builder_request(choices)
    decision = authorize(world, request)
    fix = None if decision.allowed else next(iter(suggest_fixes(world, request, limit=1)), None)
    figure = viz.access_diagram(decision, world)
    planned = [
        *(["sts:AssumeRole"] if choices.path == "assume_role" else []),
        GET_SECRET_VALUE,
        "kms:Decrypt",
    ]
    parts = [
        f"<p style='font-size:1.1em'>{_mark(decision.allowed)} <code>{_e(decision.reason.value)}</code>: "
        f"{_e(decision.reason.summary)}</p>",
        _steps_html(decision.steps, planned),
    ]
    if not decision.allowed:
        failed = decision.failed_step
        where = f" at <code>{_e(failed.action)}</code>" if failed else ""
        if fix is not None:
            parts.append(f"<p><b>Denied{where}. Smallest fix:</b> {_e(fix.description)}</p>")
        else:
            parts.append(f"<p><b>Denied{where}.</b> No policy change alone can allow this request.</p>")
    parts.append(_explanation(decision))
    return Rendered(
        "<div class='secretslab-builder'>" + "".join(parts) + "</div>",
        figure,
        _png(figure),
        decision,
        fix=fix,
        world=world,
    )


# -- 2. the policy playground


@dataclass(frozen=True, slots=True)
class PolicySlot:
    """A policy of a world that the playground can edit, and where it sits in the §1.1 format."""

    label: str  # "identity policy of role AppRole", "secret policy of app/db", "key policy of alias/x"
    path: tuple[PathPart, ...]
    kind: PolicyKind
    nullable: bool = False  # a secret may have no policy; a principal may have no identity policy

    @property
    def json_path(self) -> str:
        return json_path(self.path)


WorldSource = World | Mapping[str, Any] | str | os.PathLike[str]


def as_world(world: WorldSource) -> World:
    """A world from a ``World``, a §1.1 dict or a scenario file."""
    if isinstance(world, World):
        return world
    if isinstance(world, Mapping):
        return World.from_dict(world)
    return load_scenario(os.fspath(world))


@lru_cache(maxsize=16)
def _world_data(world: World) -> dict[str, Any]:
    """The world's §1.1 dict, made once per world (``World`` hashes by identity). Shared: never mutate."""
    return world.to_dict()


def _numbered(what: str, index: int, count: int, owner: str) -> str:
    return f"{what} of {owner}" if count == 1 else f"{what} {index + 1} of {owner}"


@lru_cache(maxsize=16)
def editable_policies(world: World) -> tuple[PolicySlot, ...]:
    """Identity policies of users, groups and roles (a first one for a principal that has none),
    role trust policies, secret policies and customer managed key policies. The policy of an AWS
    managed key is written by AWS and cannot be changed (§9.6)."""
    data = _world_data(world)
    slots = []
    for collection in ("users", "groups", "roles"):
        for i, entity in enumerate(data.get("principals", {}).get(collection) or ()):
            owner = f"{collection[:-1]} {entity['arn'].rsplit('/', 1)[-1]}"
            base: tuple[PathPart, ...] = ("principals", collection, i)
            docs = entity.get("policies") or []
            slots += [
                PolicySlot(
                    _numbered("identity policy", j, len(docs), owner),
                    (*base, "policies", j),
                    PolicyKind.IDENTITY,
                )
                for j in range(len(docs))
            ]
            if not docs:
                slots.append(
                    PolicySlot(
                        f"identity policy of {owner} (none yet)",
                        (*base, "policies", 0),
                        PolicyKind.IDENTITY,
                        nullable=True,
                    )
                )
            if entity.get("trust_policy") is not None:
                slots.append(
                    PolicySlot(f"trust policy of {owner}", (*base, "trust_policy"), PolicyKind.TRUST)
                )
    for i, secret in enumerate(data.get("secrets") or ()):
        name = secret.get("name") or _short(secret["arn"])
        slots.append(
            PolicySlot(
                f"secret policy of {name}",
                ("secrets", i, "resource_policy"),
                PolicyKind.RESOURCE,
                nullable=True,
            )
        )
    for i, key in enumerate(data.get("kms_keys") or ()):
        if key.get("manager") != "AWS":
            label = (key.get("aliases") or [_short(key["arn"])])[0]
            slots.append(PolicySlot(f"key policy of {label}", ("kms_keys", i, "key_policy"), PolicyKind.KEY))
    return tuple(slots)


def _get(data: Any, path: Sequence[PathPart]) -> Any:
    for part in path:
        if isinstance(data, list):
            if not isinstance(part, int) or part >= len(data):
                return None
            data = data[part]
        elif isinstance(data, Mapping):
            data = data.get(part)
        else:
            return None
    return data


def _replaced(data: Any, path: Sequence[PathPart], value: Any) -> Any:
    """``data`` with ``value`` at ``path``, copying only the containers on the way (``data`` is
    shared). In a list, ``None`` removes the element and an index one past the end appends."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(head, int):
        out = list(data)
        if head < len(out):
            new = _replaced(out[head], rest, value)
            if new is None and not rest:
                del out[head]
            else:
                out[head] = new
        elif not (value is None and not rest):
            out.append(_replaced(None, rest, value))
        return out
    base = dict(data) if isinstance(data, Mapping) else {}
    base[str(head)] = _replaced(base.get(str(head)), rest, value)
    return base


def slot_text(world: World, slot: PolicySlot) -> str:
    """The policy's JSON as the world holds it (``null`` when there is none)."""
    return json.dumps(_get(_world_data(world), slot.path), indent=2)


def read_slot(slot: PolicySlot, text: str) -> tuple[Any, tuple[Problem, ...]]:
    """The document typed for ``slot`` and its problems (errors first), each located by its JSON
    path inside the document and named by the policy (``source``). ``null`` or nothing removes a
    nullable policy."""
    if slot.nullable and text.strip() in ("", "null"):
        return None, ()
    policy = read_policy(text, slot.kind)
    ordered = sorted(policy.problems, key=lambda p: not p.is_error)
    return policy.source, tuple(p.under(source=slot.label) for p in ordered)


FIGURE_OPTIONS = (("evaluation flow", "flow"), ("access diagram", "diagram"))


@dataclass(frozen=True, slots=True)
class PlaygroundState:
    """A world, the text typed for some of its policies (by the slot's JSON path) and a request."""

    world: World
    edits: tuple[tuple[str, str], ...]
    principal: str
    action: str
    resource: str
    figure: str = "flow"  # "flow": the evaluation flow of the deciding step; "diagram": every hop


def render_playground(state: PlaygroundState) -> Rendered:
    """The request decided in the world with the typed policies; or, when a typed policy is not
    valid JSON or not a policy AWS would accept, its problems (nothing decided)."""
    return _render_playground(state)


@lru_cache(maxsize=64)  # about 0.7 MB a render (its figure)
def _render_playground(state: PlaygroundState) -> Rendered:
    from . import viz

    slots = {s.json_path: s for s in editable_policies(state.world)}
    data: Any = _world_data(state.world)
    problems: list[Problem] = []
    for where, text in state.edits:
        slot = slots.get(where)
        if slot is None:
            problems.append(
                Problem("UNKNOWN_REFERENCE", "the world has no editable policy here", source=where)
            )
            continue
        doc, found = read_slot(slot, text)
        problems += found
        if not any(p.is_error for p in found):
            data = _replaced(data, slot.path, doc)
    problems.sort(key=lambda p: not p.is_error)
    if any(p.is_error for p in problems):
        return Rendered(
            _problems_html(problems, "Not evaluated: fix these problems first"), problems=tuple(problems)
        )
    request = {"principal": state.principal, "action": state.action, "resource": state.resource}
    try:
        world = World.from_dict(data)
        decision = authorize(world, request)
    except ScenarioError as exc:
        located = sorted((*problems, *exc.problems), key=lambda p: not p.is_error)
        return Rendered(_problems_html(located, "Not evaluated"), problems=tuple(located))
    step = decision.failed_step or decision.main_step
    figure: Figure | None
    if state.figure == "diagram":
        figure = viz.access_diagram(decision, world)
    else:
        figure = viz.evaluation_flow(step.evaluation) if step is not None else None
    warnings = _problems_html(problems, "Warnings (AWS accepts the policy)") if problems else ""
    return Rendered(
        warnings + decision_html(decision),
        figure,
        _png(figure) if figure is not None else b"",
        decision,
        problems=tuple(problems),
        world=world,
    )


# -- 3. the what-if explorer


@dataclass(frozen=True, slots=True)
class StatementToggle:
    """One statement of a secret, key or identity policy, which the explorer can switch off."""

    key: str  # "<policy JSON path>#<index>", stable and unique
    label: str  # "secret policy of app/db · AppsRead"
    policy: tuple[PathPart, ...]
    index: int


@dataclass(frozen=True, slots=True)
class KeySwap:
    """The keys a secret can be switched to: its own first, then its customer managed key or
    ``aws/secretsmanager`` (for a secret on ``aws/secretsmanager``: the customer managed keys of
    its account and Region)."""

    secret: str
    label: str
    options: tuple[tuple[str, str], ...]  # (label, key ARN)


@dataclass(frozen=True, slots=True, eq=False)
class WhatIfBase:
    """What does not change while exploring a world: its statements, key choices and the access
    matrix before any change."""

    world: World
    action: str
    statements: tuple[StatementToggle, ...]
    swaps: tuple[KeySwap, ...]
    before: AccessMatrix


def _statements(doc: Any) -> list[Any]:
    raw = doc.get("Statement") if isinstance(doc, Mapping) else None
    return raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []


def whatif_base(world: WorldSource, action: str = GET_SECRET_VALUE) -> WhatIfBase:
    w = as_world(world)
    toggles = []
    for slot in editable_policies(w):
        if slot.kind not in (PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.KEY):
            continue
        for i, statement in enumerate(_statements(_get(_world_data(w), slot.path))):
            sid = statement.get("Sid") if isinstance(statement, Mapping) else None
            name = f"{sid}" if sid else f"statement {i + 1}"
            toggles.append(StatementToggle(f"{slot.json_path}#{i}", f"{slot.label} · {name}", slot.path, i))
    swaps = []
    for secret in w.secrets:
        current = w.secret_key(secret)
        if current.aws_managed:
            others = [
                (f"{k.label} (customer managed)", k.arn)
                for k in w.keys
                if not k.aws_managed and (k.account, k.region) == (secret.account, secret.region)
            ]
        else:
            managed = w.aws_managed_key(secret.account, secret.region)
            others = [(f"{managed.label} (AWS managed)", managed.arn)]
        if others:
            kind = "AWS managed" if current.aws_managed else "customer managed"
            swaps.append(
                KeySwap(secret.arn, secret.name, ((f"{current.label} ({kind})", current.arn), *others))
            )
    before = access_matrix(w, actions=(action,))
    return WhatIfBase(w, action, tuple(toggles), tuple(swaps), before)


@dataclass(frozen=True, slots=True)
class WhatIfState:
    base: WhatIfBase
    off: frozenset[str] = frozenset()  # StatementToggle.key of the statements switched off
    keys: tuple[tuple[str, str], ...] = ()  # (secret ARN, key ARN) of the secrets given another key


def whatif_world(state: WhatIfState) -> dict[str, Any]:
    """The base world's §1.1 dict with the statements switched off and the keys swapped. A secret
    policy left without statements is removed; an identity policy too; a key policy cannot be
    removed and AWS rejects an empty one (§3.2), so requests needing that key become INVALID_POLICY."""
    base = state.base
    data = copy.deepcopy(_world_data(base.world))
    by_policy: dict[tuple[PathPart, ...], set[int]] = {}
    for toggle in base.statements:
        if toggle.key in state.off:
            by_policy.setdefault(toggle.policy, set()).add(toggle.index)
    emptied = []
    for path, indexes in by_policy.items():
        doc = _get(data, path)
        kept = [s for i, s in enumerate(_statements(doc)) if i not in indexes]
        doc["Statement"] = kept
        if not kept and path[-1] != "key_policy":
            emptied.append(path)
    for path in sorted(emptied, reverse=True):  # later list positions first: indexes stay right
        data = _replaced(data, path, None)
    listed = {k["arn"] for k in data.get("kms_keys") or ()}
    for secret_arn, key_arn in state.keys:
        secret = next(s for s in data["secrets"] if s["arn"] == secret_arn)
        secret["kms_key"] = key_arn
        if key_arn not in listed:  # aws/secretsmanager as AWS would create it (§9.6)
            key = base.world.aws_managed_key(secret["account"], secret["region"])
            data.setdefault("kms_keys", []).append(
                {
                    "arn": key.arn,
                    "account": key.account,
                    "region": key.region,
                    "manager": "AWS",
                    "aliases": list(key.aliases),
                }
            )
            listed.add(key_arn)
    return data


def render_whatif(state: WhatIfState) -> Rendered:
    """The diff heatmap (before → after, for the base's action) and the accesses gained and lost."""
    return _render_whatif(state)


@lru_cache(maxsize=64)  # about 0.7 MB a render (its figure)
def _render_whatif(state: WhatIfState) -> Rendered:
    from . import viz

    base = state.base
    try:
        after = World.from_dict(whatif_world(state))
    except ScenarioError as exc:
        return Rendered(_problems_html(exc.problems, "The changed world is not valid"), problems=exc.problems)
    matrix = access_matrix(
        after, actions=(base.action,), principals=base.before.principals, resources=base.before.resources
    )
    changes = diff(base.world, after, actions=(base.action,))
    figure = viz.diff_heatmap(base.before, matrix, action=base.action)
    edits = len(state.off) + len(state.keys)
    parts = [
        f"<p><b>{edits} change(s)</b> to the world: {len(changes.gained)} access(es) gained, "
        f"{len(changes.lost)} lost for <code>{_e(base.action)}</code>.</p>"
    ]
    for title, group, sign in (("Gained", changes.gained, "+"), ("Lost", changes.lost, "−")):
        if group:
            items = "".join(
                f"<li><b>{sign}</b> <code>{_e(_short(c.principal))}</code> on "
                f"<code>{_e(_short(c.resource))}</code>: "
                f"<code>{_e(c.before.value)}</code> → <code>{_e(c.after.value)}</code>"
                f" ({_e('; '.join(c.responsible))})</li>"
                for c in group
            )
            parts.append(f"<p><b>{title}</b></p><ul>{items}</ul>")
    invalid = [p for p in after.problems if p.is_error]
    if invalid:
        parts.append(_problems_html(invalid, "AWS would reject these policies of the changed world"))
    return Rendered(
        "<div class='secretslab-whatif'>" + "".join(parts) + "</div>",
        figure,
        _png(figure),
        diff=changes,
        world=after,
        matrix=matrix,
    )


def clear_caches() -> None:
    """Forget remembered renders (not the per-world data), e.g. to time renders from cold."""
    for cached in (_render_builder, _render_playground, _render_whatif):
        cached.cache_clear()


# -- the widgets: thin shells wiring controls to the render functions


def _ipw() -> Any:
    """ipywidgets, imported on first use. It ships no type information: its objects are Any here."""
    return import_module("ipywidgets")


_WIDE = {"description_width": "initial"}


class _App:
    """What the apps share: notebook display, and observers that never raise. ``status`` shows
    problems and errors, ``html``/``image`` the last good result."""

    widget: Any
    status: Any
    html: Any
    image: Any

    def __init__(self) -> None:
        w = _ipw()
        self.status = w.HTML()
        self.html = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.rendered: Rendered | None = None  # the latest render, good or not
        self.last_good: Rendered | None = None
        self._quiet = False  # set while several controls change at once: render once, afterwards

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def render(self) -> Rendered:
        raise NotImplementedError

    def refresh(self, change: Any = None) -> Rendered | None:
        """Render the controls' state and show it; never raises (it runs inside observers)."""
        if self._quiet:
            return None
        try:
            rendered = self.render()
        except Exception as exc:  # shown, not raised: an observer must not break the notebook
            self.status.value = (
                f"<p style='color:{_RED}'><b>Could not render:</b> {_e(type(exc).__name__)}: {_e(exc)}</p>"
                + self._kept()
            )
            return None
        self.rendered = rendered
        if rendered.ok:
            self.last_good = rendered
            self.html.value = rendered.html
            self.image.value = rendered.png
            self.status.value = ""
        else:
            self.status.value = rendered.html + self._kept()
        return rendered

    def _kept(self) -> str:
        return "<p><i>The result below is the last good one.</i></p>" if self.last_good else ""

    def _observe(self, controls: Iterable[Any]) -> None:
        for control in controls:
            control.observe(self.refresh, names="value")


class ScenarioBuilder(_App):
    """Build a cross-account read of a secret piece by piece and watch each hop's decision."""

    def __init__(self, choices: BuilderChoices | Mapping[str, Any] | None = None) -> None:
        super().__init__()
        w = _ipw()
        c = BuilderChoices.of(choices or BuilderChoices())
        self.key = w.ToggleButtons(options=KEY_OPTIONS, value=c.key, description="Secret's key:", style=_WIDE)
        self.secret_policy = w.Dropdown(
            options=GRANT_OPTIONS, value=c.secret_policy, description="Secret policy grants:", style=_WIDE
        )
        self.key_policy = w.Dropdown(
            options=GRANT_OPTIONS, value=c.key_policy, description="Key policy grants:", style=_WIDE
        )
        self.identity_get = w.Checkbox(value=c.identity_get, indent=False, layout=w.Layout(width="auto"))
        self.identity_decrypt = w.Checkbox(
            value=c.identity_decrypt, indent=False, layout=w.Layout(width="auto")
        )
        self.path = w.ToggleButtons(options=PATH_OPTIONS, value=c.path, description="Path:", style=_WIDE)
        self.trust = w.Checkbox(
            value=c.trust,
            indent=False,
            layout=w.Layout(width="auto"),
            description=f"SecretReader's trust policy trusts account {APPS}",
        )
        self.controls = (
            self.key,
            self.secret_policy,
            self.key_policy,
            self.identity_get,
            self.identity_decrypt,
            self.path,
            self.trust,
        )
        self.widget = w.VBox([*self.controls, self.status, self.image, self.html])
        self._observe(self.controls)
        self.refresh()

    @property
    def choices(self) -> BuilderChoices:
        return BuilderChoices(**{f.name: getattr(self, f.name).value for f in fields(BuilderChoices)})

    def render(self) -> Rendered:
        c = self.choices
        reader = "AppRole" if c.path == "direct" else "SecretReader"
        self.identity_get.description = f"{reader}'s identity policy allows secretsmanager:GetSecretValue"
        self.identity_decrypt.description = f"{reader}'s identity policy allows kms:Decrypt on the key"
        self.key_policy.disabled = c.key == "aws"  # AWS writes aws/secretsmanager's policy (§9.6)
        self.trust.disabled = c.path == "direct"
        return render_builder(c)


class PolicyPlayground(_App):
    """Edit one policy's JSON, pick a request, see the decision. The text typed for each policy
    is kept (switching policies and back restores it) and every typed policy is in effect."""

    def __init__(self, world: WorldSource, policy_path: str | None = None) -> None:
        super().__init__()
        w = _ipw()
        self.world = as_world(world)
        self.slots = editable_policies(self.world)
        if not self.slots:
            raise ValueError("the world has no policy the playground can edit")
        self.drafts: dict[str, str] = {}  # slot JSON path -> text typed, when it differs from the world's
        start = self._slot(policy_path) if policy_path is not None else self.slots[0]
        self.policy = w.Dropdown(
            options=[(s.label, s.json_path) for s in self.slots],
            value=start.json_path,
            description="Policy:",
            style=_WIDE,
            layout=w.Layout(width="auto"),
        )
        self.text = w.Textarea(
            value=slot_text(self.world, start),
            continuous_update=False,
            layout=w.Layout(width="100%", height="18em"),
        )
        self.reset = w.Button(description="Reset this policy")
        principals = world_principals(self.world)
        self.principal = w.Dropdown(
            options=[(_short(p), p) for p in principals], description="Principal:", style=_WIDE
        )
        self.action = w.Dropdown(
            options=list(DEFAULT_ACTIONS), value=GET_SECRET_VALUE, description="Action:", style=_WIDE
        )
        self.secret = w.Dropdown(
            options=[(s.name, s.arn) for s in self.world.secrets], description="Secret:", style=_WIDE
        )
        self.figure = w.ToggleButtons(
            options=FIGURE_OPTIONS, value="flow", description="Figure:", style=_WIDE
        )
        self.policy.observe(self._switch, names="value")
        self.text.observe(self._typed, names="value")
        self.reset.on_click(self._reset)
        self._observe((self.principal, self.action, self.secret, self.figure))
        self.widget = w.VBox(
            [
                self.policy,
                self.text,
                self.reset,
                w.HBox([self.principal, self.action, self.secret]),
                self.figure,
                self.status,
                self.html,
                self.image,
            ]
        )
        self.refresh()

    def _slot(self, ref: str) -> PolicySlot:
        """A slot by JSON path (``$.secrets[0].resource_policy``, ``$`` optional) or by label."""
        path = ref if ref.startswith("$") else f"$.{ref}"
        found = next((s for s in self.slots if ref in (s.label, s.json_path) or s.json_path == path), None)
        if found is None:
            raise ValueError(f"no editable policy {ref!r}; choose one of {[s.json_path for s in self.slots]}")
        return found

    @property
    def current(self) -> PolicySlot:
        return self._slot(self.policy.value)

    def state(self) -> PlaygroundState:
        request = (self.principal.value, self.action.value, self.secret.value)
        return PlaygroundState(self.world, tuple(self.drafts.items()), *request, figure=self.figure.value)

    def render(self) -> Rendered:
        return render_playground(self.state())

    def _typed(self, change: Any = None) -> None:
        try:
            slot = self.current
            if self.text.value == slot_text(self.world, slot):
                self.drafts.pop(slot.json_path, None)
            else:
                self.drafts[slot.json_path] = self.text.value
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{_RED}'>{_e(exc)}</p>"
            return
        self.refresh()

    def _switch(self, change: Any = None) -> None:
        try:
            slot = self.current
            self.text.value = self.drafts.get(slot.json_path, slot_text(self.world, slot))  # fires _typed
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{_RED}'>{_e(exc)}</p>"

    def _reset(self, button: Any = None) -> None:
        self._quiet = True
        try:
            self.drafts.pop(self.current.json_path, None)
            self.text.value = slot_text(self.world, self.current)
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{_RED}'>{_e(exc)}</p>"
        finally:
            self._quiet = False
        self.refresh()


class WhatIfExplorer(_App):
    """Switch statements off and swap keys; see which accesses are gained and lost."""

    def __init__(self, world: WorldSource, action: str = GET_SECRET_VALUE) -> None:
        super().__init__()
        w = _ipw()
        self.base = whatif_base(world, action)
        self.checkboxes: dict[str, Any] = {
            t.key: w.Checkbox(value=True, description=t.label, indent=False, layout=w.Layout(width="auto"))
            for t in self.base.statements
        }
        self.keys: dict[str, Any] = {
            s.secret: w.Dropdown(
                options=list(s.options), value=s.options[0][1], description=f"Key of {s.label}:", style=_WIDE
            )
            for s in self.base.swaps
        }
        self.reset = w.Button(description="Back to the scenario")
        self.reset.on_click(self._reset)
        self._observe([*self.checkboxes.values(), *self.keys.values()])
        statements = w.VBox(
            [w.HTML("<b>Statements</b> (untick to switch one off)"), *self.checkboxes.values()]
        )
        self.widget = w.VBox(
            [statements, *self.keys.values(), self.reset, self.status, self.image, self.html]
        )
        self.refresh()

    def state(self) -> WhatIfState:
        off = frozenset(k for k, box in self.checkboxes.items() if not box.value)
        originals = {s.secret: s.options[0][1] for s in self.base.swaps}
        keys = tuple((arn, box.value) for arn, box in self.keys.items() if box.value != originals[arn])
        return WhatIfState(self.base, off, keys)

    def render(self) -> Rendered:
        return render_whatif(self.state())

    def _reset(self, button: Any = None) -> None:
        self._quiet = True
        try:
            for box in self.checkboxes.values():
                box.value = True
            for swap in self.base.swaps:
                self.keys[swap.secret].value = swap.options[0][1]
        finally:
            self._quiet = False
        self.refresh()


class ProgressBar:
    """A notebook progress bar for long runs: ``progress(done, total)`` callables such as
    ``secretslab.aws.snapshot(progress=...)``. It shows "label: done/total" next to an
    ``ipywidgets.IntProgress``, is displayed by the cell that returns it, and turns green at the
    end. The terminal counterpart is ``secretslab.progress.Progress``."""

    def __init__(self, label: str = "import") -> None:
        w = _ipw()
        self.label = label
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="300px"))
        self.text = w.Label(f"{label}: starting")
        self.widget = w.HBox([self.bar, self.text])

    def __call__(self, done: int, total: int) -> None:
        self.bar.max = max(total, 1)
        self.bar.value = min(done, self.bar.max)
        self.text.value = f"{self.label}: {done}/{total}"
        if total and done >= total:
            self.bar.bar_style = "success"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
