"""Why-not fixes: the fewest policy changes that turn a denied request into an allowed one. The
first failing step's §12 reason code says what is missing (an exact Allow on the side lacking it,
the removal of the deciding Deny or of what makes a policy invalid, a customer managed key instead
of ``aws/secretsmanager``); each candidate is applied to a copy of the world and the request
decided again, going on from the new first failing step — a breadth-first search over sets of at
most four changes. A fix also names what else it grants or takes away among the world's accesses.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
(§8), https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
(§10.5), https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
(§9.5), https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html (§9.6).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import partial
from itertools import chain
from typing import Any

from .arn import account_of
from .authorization import Decision, Step, authorize
from .authorization.request import Request
from .evaluation.principals import Principal, PrincipalType
from .evaluation.results import Reason
from .policy.model import Effect
from .services import resource_type
from .services import secretsmanager as sm
from .world import Role, Session, User, World

ADD, REMOVE, USE_CMK = "add_statement", "remove_statement", "use_customer_managed_key"
MAX_CHANGES = 4
#: the accesses decided before and after a fix, to name what else it grants or takes away
PROBE_ACTIONS = tuple(f"secretsmanager:{a}" for a in ("GetSecretValue", "DescribeSecret", "PutSecretValue"))
_READS = ("get", "describe", "list", "batchget", "decrypt")  # action names that change nothing
_FIELDS = {"identity policy": "policies", "session policy": "session_policies",  # world format, §1.1
           "permissions boundary": "permissions_boundary", "secret policy": "resource_policy",
           "key policy": "key_policy", "trust policy": "trust_policy"}  # fmt: skip
_HOLDERS: dict[str, tuple[str, Callable[[World, str], Any]]] = {  # resource-based policies
    "secret": ("secret policy of {0.name}", lambda w, arn: w.secret(arn)),
    "key": (
        "key policy of {0.label}",
        lambda w, arn: (
            w.key(arn)
            or next(  # aws/secretsmanager may be
                (k for k in map(w.secret_key, w.secrets) if k.arn == arn), None
            )
        ),
    ),  # unlisted (§9.6)
    "role": ("trust policy of role {0.name}", lambda w, arn: w.role(arn)),
}
_RESOURCE_BASED = tuple(words.partition(" of")[0] for words, _ in _HOLDERS.values())
Access = tuple[str, str, str]  # (who, action, secret ARN)
Group = tuple["Change", ...]


@dataclass(frozen=True, slots=True)
class Change:
    """One edit of one policy, named as explanations name it ("identity policy of role AppRole");
    ``target`` is the ARN of its holder, or an SCP's node. ``use_customer_managed_key`` targets
    the secret, and its ``statement`` is the new key's policy."""

    action: str  # "add_statement" | "remove_statement" | "use_customer_managed_key"
    policy: str
    account: str
    target: str
    statement: Mapping[str, Any] | None
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Fix:
    changes: tuple[Change, ...]
    decision: Decision  # the request decided again on the changed world: an allow
    description: str

    def to_dict(self) -> dict[str, Any]:
        changes = [c.to_dict() for c in self.changes]
        return {"description": self.description, "changes": changes, "decision": self.decision.to_dict()}


def suggest_fixes(world: World, request: Request | Mapping[str, Any], *, limit: int = 5) -> tuple[Fix, ...]:
    """Up to ``limit`` verified fixes of a denied request, best first; () when it is allowed or
    no policy change can allow it (XACCT_UNSUPPORTED_ACTION, PUBLIC_POLICY_BLOCKED…)."""
    req = request if isinstance(request, Request) else Request.from_dict(request)
    if authorize(world, req).allowed:
        return ()
    found = sorted(_search(world, req, limit), key=lambda item: _rank(item[0]))[:limit]
    before = _accesses(world, req)
    return tuple(_fix(req, changes, new, decision, before) for changes, new, decision in found)


def apply_fix(world: World, fix: Fix | tuple[Change, ...]) -> World:
    """A new world with the fix's changes made in its JSON format (§1.1); ``world`` is not touched."""
    data = copy.deepcopy(world.to_dict())
    for change in fix.changes if isinstance(fix, Fix) else fix:
        if change.action == USE_CMK:
            secret = next(s for s in data["secrets"] if s["arn"] == change.target)
            secret["kms_key"], alias = _cmk_arn(secret["arn"]), change.policy.removeprefix("key policy of ")
            policy = copy.deepcopy(change.statement)
            data.setdefault("kms_keys", []).append(
                {"arn": secret["kms_key"], "account": change.account, "region": secret["region"],
                 "manager": "CUSTOMER", "aliases": [alias], "key_policy": policy})  # fmt: skip
        else:
            doc, put = _slot(data, change.policy, change.target)
            put(_edited(doc, change))
    return World.from_dict(data)


def _search(world: World, req: Request, limit: int) -> list[tuple[Group, World, Decision]]:
    """Change sets ending in an allow, fewest changes first; none holds one found (needless changes)."""
    level: list[tuple[Group, World, Decision]] = [((), world, authorize(world, req))]
    seen: set[frozenset[str]] = set()
    found: list[tuple[Group, World, Decision]] = []
    done: list[frozenset[str]] = []
    while level and len(found) < limit:
        deeper: list[tuple[Group, World, Decision]] = []
        for changes, current, decision in level:
            if (step := decision.failed_step) is None:
                continue  # the request's own policy parameter is refused (§3.11): no world change helps
            makers = _MAKERS.get(step.evaluation.reason, ())
            for group in [g for make in makers for g in make(current, req, step)]:
                combined = changes + group
                key = frozenset(json.dumps([c.action, c.policy, c.target, c.statement]) for c in combined)
                if len(combined) > MAX_CHANGES or key in seen or any(d <= key for d in done):
                    continue
                seen.add(key)
                new = apply_fix(current, group)
                after = authorize(new, req)
                (found if after.allowed else deeper).append((combined, new, after))
                done += [key] if after.allowed else []
        level = deeper
    return found


def _rank(changes: Group) -> tuple[int, bool, bool, int]:
    """Fewer changes; no ``*``/``?`` granted (``"Resource": "*"`` of a resource-based policy is the
    resource, §3.7–3.8); no write granted to another account (§10.7); fewer accounts touched."""
    wild = foreign = False
    for c in changes:
        based = c.action == USE_CMK or c.policy.startswith(_RESOURCE_BASED)
        doc = c.statement if c.action != REMOVE and c.statement is not None else {}
        for s in [doc["Statement"][-1]] if c.action == USE_CMK else [doc] if doc else []:
            keys = ("Action", "Principal", "Condition", *(() if based else ("Resource",)))
            wild |= any(ch in json.dumps(s.get(k)) for k in keys for ch in "*?")
            actions = [s["Action"]] if isinstance(s["Action"], str) else s["Action"]
            writes = any(not a.partition(":")[2].lower().startswith(_READS) for a in actions)
            accounts = set(re.findall(r"\d{12}", json.dumps(s.get("Principal")))) - {c.account}
            foreign |= writes and bool(accounts)
    return (len(changes), wild, foreign, len({c.account for c in changes}))


# -- candidate changes, by reason code (§12)


def _caller_side(where: str, world: World, req: Request, step: Step) -> list[Group]:
    """The caller's side: an identity-policy Allow (§8.6 c, §8.7), or room in its boundary or its
    world session's policies (§11.3), in the first policy or a new one."""
    p = step.evaluation.principal
    owner = world.session(p.arn) if where == "session policy" else _owner(world, p)
    if owner is None or not (where == "identity policy" or getattr(owner, _FIELDS[where])):
        return []  # the root user has no identity policies; nothing to widen without a boundary
    name = f"session {owner.session_name}" if isinstance(owner, Session) else owner.name
    policies = owner.session_policies if isinstance(owner, Session) else owner.policies
    words = name if isinstance(owner, Session) else f"{type(owner).__name__.lower()} {name}"
    label = f"{where}{' 1' if len(policies) > 1 and where != 'permissions boundary' else ''} of {words}"
    text = f"Add an Allow of {_grant_text(step)} to the {label}: so far it does not let {_caller(p)} do it."
    return [(Change(ADD, label, account_of(owner.arn) or "", owner.arn, _statement(step), text),)]


def _resource_grant(world: World, req: Request, step: Step, *, only: str = "secret key role") -> list[Group]:
    """XACCT_NO_RESOURCE_GRANT, KMS_KEY_POLICY_NO_GRANT, TRUST_POLICY_NO_MATCH: the secret, key or
    trust policy must name the caller (§8.7, §9.4–9.5, §11.2)."""
    p, kind = step.evaluation.principal, resource_type(step.resource)
    kind = kind or ("secret" if step.action.lower().startswith("secretsmanager:") else "")
    words, find = _HOLDERS[kind] if kind and kind in only else ("", None)
    holder = find(world, step.resource) if find else None
    if getattr(holder, "aws_managed", False):  # its policy cannot be edited (§9.6)
        return _use_cmk(world, req, step) if step.evaluation.reason is Reason.XACCT_NO_RESOURCE_GRANT else []
    if holder is None:
        return []
    label, statement = words.format(holder), _statement(step, p.principal_arn)
    text = f"Add to the {label} an Allow naming {_caller(p)} for {_grant_text(step)}."
    return [(Change(ADD, label, holder.account, holder.arn, statement, text),)]


def _use_cmk(world: World, req: Request, step: Step) -> list[Group]:
    """§9.6: encrypt the secret under a new customer managed key whose policy keeps what
    ``aws/secretsmanager`` allowed its own account, and lets the caller use it for this secret."""
    ctx, p = step.evaluation.context, step.evaluation.principal
    via, arn = ctx.single("kms:viaservice"), ctx.single("kms:encryptioncontext:secretarn")
    secret = world.secret(arn or "")
    if secret is None or not via:
        return []
    alias = f"alias/{secret.name}"
    alias += "-key" if world.key(alias, account=secret.account, region=secret.region) else ""
    plan = sm.plan(req.action.partition(":")[2], req.parameters, key_is_aws_managed=False,
                   key_changed=False, version_id=None, versions=dict(secret.versions))  # fmt: skip
    actions = sorted({s.action for s in plan.steps if s.target is sm.Target.KEY} or {step.action})
    keep = {"kms:CallerAccount": secret.account, "kms:ViaService": via}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{secret.account}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Keep what aws/secretsmanager allowed its own account", "Effect": "Allow",
         "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": keep}},
        _statement(step, p.principal_arn) | {"Action": actions}]}  # fmt: skip
    text = f"Encrypt secret {secret.name} with a new customer managed key {alias} (UpdateSecret KmsKeyId) "
    text += f"whose key policy lets {_caller(p)} use {', '.join(actions)} through Secrets Manager for it: "
    text += "aws/secretsmanager cannot be edited and never works across accounts."
    return [(Change(USE_CMK, f"key policy of {alias}", secret.account, secret.arn, policy, text),)]


def _scp_grant(world: World, req: Request, step: Step) -> list[Group]:
    """SCP_IMPLICIT_DENY: every level from the root to the account must allow (§8.3)."""
    org, p = world.organization, step.evaluation.principal
    node = next((lv.node for lv in step.evaluation.scp_levels if not lv.allowed), None)
    if org is None or node is None:
        return []
    label, grant = f"SCP Allow{step.action.partition(':')[2]} at {node}", _grant_text(step)
    text = f"Attach to {node} an SCP allowing {grant}: {node} blocks {_caller(p)} and all accounts under it."
    return [(Change(ADD, label, org.management_account or p.account, node, _statement(step), text),)]


def _remove_denies(world: World, req: Request, step: Step) -> list[Group]:
    """EXPLICIT_DENY_*: an explicit deny wins over every allow (§8.2); only removing it helps."""
    out: list[Group] = []
    for deciding in step.evaluation.deciding:
        label, statement = deciding.policy.label, deciding.statement.statement
        holder = _holder(world, step, label)
        last = label.startswith(("key policy", "trust policy")) and len(deciding.policy.policy.statements) < 2
        if statement.effect is not Effect.DENY or holder is None or last:
            continue  # not in the world (the request's session policies), or it cannot be left empty
        who, what = _caller(step.evaluation.principal), f"{step.action} on {step.resource}"
        text = f"Remove the Deny {statement.label} from the {label}, which denies {who} {what}; it may deny "
        text += "other requests too, and removing it allows them."
        out.append((Change(REMOVE, label, holder[1], holder[0], statement.source, text),))
    return out


def _remove_invalid(world: World, req: Request, step: Step) -> list[Group]:
    """INVALID_POLICY: AWS would refuse the policy, so none of it applies (§3.4): remove the
    statements its errors point at."""
    out: list[Group] = []
    for bad in step.evaluation.invalid:
        holder = _holder(world, step, bad.label)
        doc = _slot(world.to_dict(), bad.label, holder[0])[0] if holder else None
        raw = doc.get("Statement") if isinstance(doc, Mapping) else None
        raw = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
        where = {(*p.path, 0)[1] for p in bad.problems if p.path[:1] == ("Statement",)}
        indices = sorted(i for i in where if isinstance(i, int) and i < len(raw))
        if holder is None or not indices or len(indices) < len(where):
            continue  # an error outside the statements: no statement to remove
        what, make = f"{step.action} on {step.resource}", partial(Change, REMOVE, bad.label, *holder[::-1])
        text = f"of the {bad.label}: AWS refuses the policy ({bad.detail}), so none of it counts for {what}."
        out.append(tuple(make(raw[i], f"Remove statement {i + 1} {text}") for i in indices))
    return out


_IDENTITY = partial(_caller_side, "identity policy")
#: reason code -> what can make the step pass; none for XACCT_UNSUPPORTED_ACTION, ROOT_CANNOT_ASSUME_ROLE
_MAKERS: dict[Reason, tuple[Callable[[World, Request, Step], list[Group]], ...]] = {
    # same account, a key or trust policy naming the caller is enough too (§9.4, §11.2)
    Reason.NO_APPLICABLE_ALLOW: (_IDENTITY, partial(_resource_grant, only="key role")),
    Reason.XACCT_NO_IDENTITY_GRANT: (_IDENTITY,),
    Reason.PB_IMPLICIT_DENY: (partial(_caller_side, "permissions boundary"),),
    Reason.SESSION_POLICY_IMPLICIT_DENY: (partial(_caller_side, "session policy"),),
    Reason.XACCT_NO_RESOURCE_GRANT: (_resource_grant,),
    Reason.KMS_KEY_POLICY_NO_GRANT: (_resource_grant,),
    Reason.TRUST_POLICY_NO_MATCH: (_resource_grant,),
    Reason.SCP_IMPLICIT_DENY: (_scp_grant,),
    Reason.INVALID_POLICY: (_remove_invalid,),
    **{r: (_remove_denies,) for r in Reason if r.value.startswith("EXPLICIT_DENY_")},
}


def _statement(step: Step, principal: str | None = None) -> dict[str, Any]:
    """An Allow of exactly the step; a resource-based one names ``principal`` on ``"*"``, the resource
    (§3.7–3.8, none in a trust policy §3.12). KMS calls pinned to Secrets Manager and the secret (§9.9)."""
    out: dict[str, Any] = {"Effect": "Allow"} | ({"Principal": {"AWS": principal}} if principal else {})
    out["Action"] = step.action
    if principal is None or resource_type(step.resource) != "role":
        out["Resource"] = step.resource if principal is None else "*"
    ctx = step.evaluation.context
    via, secret = ctx.single("kms:viaservice"), ctx.single("kms:encryptioncontext:secretarn")
    if via and step.action.lower().startswith("kms:"):
        pinned = {"kms:ViaService": via} | ({"kms:EncryptionContext:SecretARN": secret} if secret else {})
        out["Condition"] = {"StringEquals": pinned}
    return out


def _holder(world: World, step: Step, label: str) -> tuple[str, str] | None:
    """(ARN or node, account) of what holds the policy a step's explanation labels."""
    p, org, kind = step.evaluation.principal, world.organization, label.partition(" of ")[2].split(" ")[0]
    if label[:4] in ("SCP ", "RCP "):
        return (label.rsplit(" at ", 1)[1], org.management_account or "") if org else None
    found: Any = _owner(world, p)
    if label.startswith(_RESOURCE_BASED):
        found = world.key(step.resource) or world.role(step.resource) or world.secret(step.resource)
    elif kind == "session":
        found = world.session(p.arn)
    elif kind == "group":
        name = "/" + label.rsplit(" ", 1)[1]
        found = next((g for g in getattr(found, "groups", ()) if g.endswith(name)), None)
    arn = found if isinstance(found, str) else getattr(found, "arn", None)
    return (arn, account_of(arn) or "") if arn else None


def _owner(world: World, p: Principal) -> User | Role | None:
    """The IAM user or role whose identity policies and boundary apply to ``p`` (§1.1)."""
    if p.type in (PrincipalType.USER, PrincipalType.FEDERATED):
        return world.user(p.source_user or p.arn)
    return world.role(p.role_arn or "") if p.type is PrincipalType.SESSION else None


def _grant_text(step: Step) -> str:
    secret = step.evaluation.context.single("kms:encryptioncontext:secretarn")
    via = f" through Secrets Manager for secret {secret}" if secret and step.action.startswith("kms:") else ""
    return f"{step.action} on {step.resource}{via}"


def _caller(p: Principal) -> str:
    if p.type is PrincipalType.SESSION:
        return f"role {p.principal_arn} (session {p.arn})"
    return f"the root user of {p.account}" if p.type is PrincipalType.ROOT else p.arn


def _cmk_arn(secret_arn: str) -> str:
    _, _, _, region, account, _ = secret_arn.split(":", 5)
    return f"arn:aws:kms:{region}:{account}:key/{uuid.uuid5(uuid.NAMESPACE_URL, secret_arn)}"


def _edited(doc: Any, change: Change) -> Any:
    """The policy document with the change made; None when no statement is left."""
    doc = dict(doc) if isinstance(doc, Mapping) else {"Version": "2012-10-17"}
    raw = doc.get("Statement", [])
    statements = [raw] if isinstance(raw, Mapping) else list(raw)
    if change.action == ADD:
        statements.append(copy.deepcopy(dict(change.statement or {})))
    elif change.statement in statements:
        statements.remove(change.statement)
    return doc | {"Statement": statements} if statements else None


def _slot(data: dict[str, Any], label: str, target: str) -> tuple[Any, Callable[[Any], None]]:
    """The document a label names (None if there is none yet) and how to put it back; putting
    None deletes it (the policy is detached, the resource policy deleted)."""
    if label[:4] in ("SCP ", "RCP "):
        name, kind = label[4:].rsplit(" at ")[0], f"{label[:3].lower()}s"  # "scps" or "rcps"
        entries = data["organization"].setdefault(kind, [])
        entry = next((e for e in entries if (e["name"], e["attached_to"]) == (name, target)), None)
        if entry is None:
            entries.append(entry := {"name": name, "attached_to": target, "document": None})
        return entry["document"], lambda doc: entry.update(document=doc) if doc else entries.remove(entry)
    head, _, _ = label.partition(" of ")
    number = re.search(r" (\d+)$", head)
    field = _FIELDS[head[: number.start()] if number else head]
    holders = [*data.get("secrets", []), *data.get("kms_keys", []), *chain(*data["principals"].values())]
    entity = next(e for e in holders if e["arn"] == target)
    if not field.endswith("policies"):
        return entity.get(field), lambda doc: entity.__setitem__(field, doc)
    docs, i = entity.setdefault(field, []), int(number.group(1)) - 1 if number else 0
    put = partial(docs.__setitem__, slice(i, i + 1))  # [doc] replaces or appends it, [] deletes it
    return (docs[i] if i < len(docs) else None), lambda doc: put([doc] if doc else [])


def _fix(req: Request, changes: Group, new: World, decision: Decision, before: frozenset[Access]) -> Fix:
    """The fix, naming the other accesses it grants or takes away (an unlisted session is its role)."""
    step, after = decision.main_step, _accesses(new, req)
    assert step is not None  # an allowed decision reached its main step
    p = step.evaluation.principal
    who = p.arn if p.type is not PrincipalType.SESSION or new.session(p.arn) else p.principal_arn
    gained, lost = sorted(after - before - {(who, req.action, step.resource)}), sorted(before - after)
    text = " ".join(c.description for c in changes)
    text += " It also allows: " + "; ".join(access_text(*a) for a in gained) + "." if gained else ""
    text += " It takes away: " + "; ".join(access_text(*a) for a in lost) + "." if lost else ""
    return Fix(changes, decision, text)


def access_text(who: str, action: str, resource: str) -> str:
    """How a fix's description names an access it grants or takes away besides the request's."""
    return f"{who} may call {action} on {resource}"


def _accesses(world: World, req: Request) -> frozenset[Access]:
    """Which of the world's users, roles and sessions may do which probe on which of its secrets."""
    whos = [*(u.arn for u in world.users), *(r.arn for r in world.roles), *(s.arn for s in world.sessions)]
    probes = ((who, a, s.arn) for who in whos for s in world.secrets for a in PROBE_ACTIONS)
    return frozenset(x for x in probes if authorize(world, Request(x[0], x[1], x[2], req.context)).allowed)
