"""Why-not fixes: the fewest policy changes that turn a denied request into an allowed one. The
first failing step's §12 reason code says what is missing (an exact Allow on the side lacking it,
the removal of the deciding Deny or of what makes a policy invalid, a customer managed key instead
of ``aws/secretsmanager``); each candidate is applied to a copy of the world and the request
decided again, going on from the new first failing step — a breadth-first search over sets of at
most four changes. A fix also names what else it grants or takes away among the world's accesses.
A secret the world does not hold yet (CreateSecret) is granted as ``name-??????``: its random
suffix is drawn at creation, so no fix can name it in advance.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
(§8), https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
(§10.5), https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
(§9.5), https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html (§9.6),
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html (``??????``).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from functools import partial
from typing import Any

from .arn import account_of
from .authorization import Decision, Step, authorize
from .authorization.request import Request
from .evaluation.principals import Principal, PrincipalType
from .evaluation.results import Reason
from .policy.model import Effect, PolicyKind
from .policy.parsing import read_policy
from .policy.refs import PolicyRef, Slot
from .problems import require_at_least_one
from .services import resource_type
from .world import Key, Role, Session, User, World

ADD, REMOVE, USE_CMK = "add_statement", "remove_statement", "use_customer_managed_key"
MAX_CHANGES = 4
#: the accesses decided before and after a fix, to name what else it grants or takes away
PROBE_ACTIONS = tuple(f"secretsmanager:{a}" for a in ("GetSecretValue", "DescribeSecret", "PutSecretValue"))
_READS = ("get", "describe", "list", "batchget", "decrypt")  # action names that change nothing
_WHERE = {"identity policy": Slot.IDENTITY, "session policy": Slot.SESSION,
          "permissions boundary": Slot.BOUNDARY}  # fmt: skip
#: resource-based policies: where "Resource": "*" is the resource itself (§3.7–3.8)
_RESOURCE_BASED = frozenset({Slot.SECRET, Slot.KEY, Slot.TRUST})
Access = tuple[str, str, str]  # (who, action, secret ARN)
Group = tuple["Change", ...]


@dataclass(frozen=True, slots=True)
class Change:
    """One edit of one policy: ``ref`` says which (``World.with_policy`` makes it), ``policy``
    names it as explanations do ("identity policy of role AppRole"), ``target`` is the ARN of its
    holder or an SCP's node. ``use_customer_managed_key`` targets the secret, its ``statement``
    is the new key's policy and its ``ref`` the new key's."""

    action: str  # "add_statement" | "remove_statement" | "use_customer_managed_key"
    policy: str
    account: str
    target: str
    statement: Mapping[str, Any] | None
    description: str
    ref: PolicyRef
    name: str | None = None  # the name of what the change creates: a new SCP, a new key's alias

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data: every field (copied, so the caller may edit it) and ``ref``
        as text."""
        out = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "ref"}
        out["ref"] = str(self.ref)
        return out


@dataclass(frozen=True, slots=True)
class Fix:
    """A set of policy changes that allows a denied request: the changes, the request's decision on
    the changed world (an allow) and a description that also names what else the changes grant or
    take away."""

    changes: tuple[Change, ...]
    decision: Decision  # the request decided again on the changed world: an allow
    description: str

    def to_dict(self) -> dict[str, Any]:
        """The fix as JSON-ready data: description, changes and the new decision."""
        changes = [c.to_dict() for c in self.changes]
        return {"description": self.description, "changes": changes, "decision": self.decision.to_dict()}


def suggest_fixes(world: World, request: Request | Mapping[str, Any], *, limit: int = 5) -> tuple[Fix, ...]:
    """Up to ``limit`` verified fixes of a denied request, best first; () when it is allowed or
    no policy change can allow it (XACCT_UNSUPPORTED_ACTION, PUBLIC_POLICY_BLOCKED…). Raises
    ``ScenarioError`` when ``limit`` is not at least 1."""
    require_at_least_one(limit, "limit")
    req = request if isinstance(request, Request) else Request.from_dict(request)
    if authorize(world, req).allowed:
        return ()
    found = sorted(_search(world, req, limit), key=lambda item: _rank(item[0]))[:limit]
    before = _accesses(world, req)
    return tuple(_fix(req, changes, new, decision, before) for changes, new, decision in found)


def apply_fix(world: World, fix: Fix | tuple[Change, ...]) -> World:
    """A new world with the fix's changes made (``World.with_policy``); ``world`` is not touched."""
    for change in fix.changes if isinstance(fix, Fix) else fix:
        if change.action == USE_CMK:
            world = _with_cmk(world, change)
            continue
        current = world.policy(change.ref)
        doc = _edited(current.source if current is not None else None, change)
        if doc is not None:
            world = world.with_policy(change.ref, doc, name=change.name)
        elif current is not None:
            world = world.without_policy(change.ref)
    return world


def _with_cmk(world: World, change: Change) -> World:
    """The secret ``change.target`` encrypted under a new customer managed key (§9.6)."""
    assert change.ref is not None
    secret = next(s for s in world.secrets if s.arn == change.target)
    alias = change.name or f"alias/{secret.name}"
    policy = read_policy(copy.deepcopy(dict(change.statement or {})), PolicyKind.KEY)
    key = Key(change.ref.holder, change.account, secret.region, "CUSTOMER", (alias,), (), policy)
    secrets = tuple(replace(s, kms_key=key.arn) if s is secret else s for s in world.secrets)
    return replace(world, keys=(*world.keys, key), secrets=secrets)


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
            for group in [g for make in makers for g in make(current, decision, step)]:
                combined = changes + group
                key = frozenset(json.dumps([c.action, str(c.ref), c.statement]) for c in combined)
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
        based = c.action == USE_CMK or (c.ref is not None and c.ref.slot in _RESOURCE_BASED)
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


def _caller_side(where: str, world: World, decision: Decision, step: Step) -> list[Group]:
    """The caller's side: an identity-policy Allow (§8.6 c, §8.7), or room in its boundary or its
    world session's policies (§11.3), in the first policy or a new one."""
    p, slot = step.evaluation.principal, _WHERE[where]
    owner = world.session(p.arn) if slot is Slot.SESSION else _owner(world, p)
    if owner is None or (slot is Slot.BOUNDARY and getattr(owner, "permissions_boundary", None) is None):
        return []  # the root user has no identity policies; nothing to widen without a boundary
    if isinstance(owner, Session) and not owner.session_policies:
        return []  # a session without session policies is not limited by them
    name = f"session {owner.session_name}" if isinstance(owner, Session) else owner.name
    policies = owner.session_policies if isinstance(owner, Session) else owner.policies
    words = name if isinstance(owner, Session) else f"{type(owner).__name__.lower()} {name}"
    label = f"{where}{' 1' if len(policies) > 1 and slot is not Slot.BOUNDARY else ''} of {words}"
    ref = PolicyRef(slot, owner.arn, None if slot is Slot.BOUNDARY else 0)
    statement = _statement(step, pending=_pending(world, decision, step))
    grant = _grant_text(step, statement)
    text = f"Add an Allow of {grant} to the {label}: so far it does not let {_caller(p)} do it."
    return [(Change(ADD, label, account_of(owner.arn) or "", owner.arn, statement, text, ref),)]


def _resource_grant(
    world: World, decision: Decision, step: Step, *, only: str = "secret key role"
) -> list[Group]:
    """XACCT_NO_RESOURCE_GRANT, KMS_KEY_POLICY_NO_GRANT, TRUST_POLICY_NO_MATCH: the secret, key or
    trust policy must name the caller (§8.7, §9.4–9.5, §11.2)."""
    p, kind = step.evaluation.principal, resource_type(step.resource)
    kind = kind or ("secret" if step.action.lower().startswith("secretsmanager:") else "")
    holder: Any = None
    if kind == "secret" and kind in only:
        holder = world.secret(step.resource)
        label, slot = (f"secret policy of {holder.name}", Slot.SECRET) if holder else ("", Slot.SECRET)
    elif kind == "key" and kind in only:
        unlisted = (world.secret_key(s) for s in world.secrets)  # aws/secretsmanager may be (§9.6)
        holder = world.key(step.resource) or next((k for k in unlisted if k.arn == step.resource), None)
        if holder is not None and holder.aws_managed:  # its policy cannot be edited (§9.6)
            reason = step.evaluation.reason
            return _use_cmk(world, decision, step) if reason is Reason.XACCT_NO_RESOURCE_GRANT else []
        label, slot = (f"key policy of {holder.label}", Slot.KEY) if holder else ("", Slot.KEY)
    elif kind == "role" and kind in only:
        holder = world.role(step.resource)
        label, slot = (f"trust policy of role {holder.name}", Slot.TRUST) if holder else ("", Slot.TRUST)
    if holder is None:
        return []
    statement = _statement(step, p.principal_arn, pending=_pending(world, decision, step))
    ref = PolicyRef(slot, holder.arn)
    text = f"Add to the {label} an Allow naming {_caller(p)} for {_grant_text(step)}."
    return [(Change(ADD, label, holder.account, holder.arn, statement, text, ref),)]


def _use_cmk(world: World, decision: Decision, step: Step) -> list[Group]:
    """§9.6: encrypt the secret under a new customer managed key whose policy keeps what
    ``aws/secretsmanager`` allowed its own account, and lets the caller use it for this secret
    for every KMS call the request makes with it (from the decision's plan)."""
    ctx, p = step.evaluation.context, step.evaluation.principal
    via, arn = ctx.single("kms:viaservice"), ctx.single("kms:encryptioncontext:secretarn")
    secret = world.secret(arn or "")
    if secret is None or not via:
        return []
    alias = f"alias/{secret.name}"
    alias += "-key" if world.key(alias, account=secret.account, region=secret.region) else ""
    actions = sorted({c.action for c in decision.plan if c.resource == step.resource} or {step.action})
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
    ref = PolicyRef(Slot.KEY, _cmk_arn(secret.arn))
    label = f"key policy of {alias}"
    return [(Change(USE_CMK, label, secret.account, secret.arn, policy, text, ref, alias),)]


def _scp_grant(world: World, decision: Decision, step: Step) -> list[Group]:
    """SCP_IMPLICIT_DENY: every level from the root to the account must allow (§8.3)."""
    org, p = world.organization, step.evaluation.principal
    node = next((lv.node for lv in step.evaluation.scp_levels if not lv.allowed), None)
    if org is None or node is None:
        return []
    statement = _statement(step, pending=_pending(world, decision, step))
    label, grant = f"SCP Allow{step.action.partition(':')[2]} at {node}", _grant_text(step, statement)
    ref = PolicyRef(Slot.SCP, node, len(org.scps))
    text = f"Attach to {node} an SCP allowing {grant}: {node} blocks {_caller(p)} and all accounts under it."
    name, account = f"Allow{step.action.partition(':')[2]}", org.management_account or p.account
    return [(Change(ADD, label, account, node, statement, text, ref, name),)]


def _remove_denies(world: World, decision: Decision, step: Step) -> list[Group]:
    """EXPLICIT_DENY_*: an explicit deny wins over every allow (§8.2); only removing it helps."""
    out: list[Group] = []
    for deciding in step.evaluation.deciding:
        ref, label, statement = deciding.policy.ref, deciding.policy.label, deciding.statement.statement
        last = (
            ref is not None
            and ref.slot in (Slot.KEY, Slot.TRUST)
            and len(deciding.policy.policy.statements) < 2
        )
        if statement.effect is not Effect.DENY or ref is None or last:
            continue  # not in the world (the request's session policies), or it cannot be left empty
        who, what = _caller(step.evaluation.principal), f"{step.action} on {step.resource}"
        text = f"Remove the Deny {statement.label} from the {label}, which denies {who} {what}; it may deny "
        text += "other requests too, and removing it allows them."
        out.append((Change(REMOVE, label, *_holder(world, ref), statement.source, text, ref),))
    return out


def _remove_invalid(world: World, decision: Decision, step: Step) -> list[Group]:
    """INVALID_POLICY: AWS would refuse the policy, so none of it applies (§3.4): remove the
    statements its errors point at."""
    out: list[Group] = []
    for bad in step.evaluation.invalid:
        policy = world.policy(bad.ref) if bad.ref is not None else None
        if bad.ref is None or policy is None:
            continue  # not in the world (a policy passed in the request)
        doc = policy.source
        raw = doc.get("Statement") if isinstance(doc, Mapping) else None
        raw = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
        where = {(*p.path, 0)[1] for p in bad.problems if p.path[:1] == ("Statement",)}
        indices = sorted(i for i in where if isinstance(i, int) and i < len(raw))
        if not indices or len(indices) < len(where):
            continue  # an error outside the statements: no statement to remove
        what = f"{step.action} on {step.resource}"
        make = partial(Change, REMOVE, bad.label, *_holder(world, bad.ref))
        text = f"of the {bad.label}: AWS refuses the policy ({bad.detail}), so none of it counts for {what}."
        out.append(tuple(make(raw[i], f"Remove statement {i + 1} {text}", bad.ref) for i in indices))
    return out


_IDENTITY = partial(_caller_side, "identity policy")
#: reason code -> what can make the step pass; none for XACCT_UNSUPPORTED_ACTION, ROOT_CANNOT_ASSUME_ROLE
_MAKERS: dict[Reason, tuple[Callable[[World, Decision, Step], list[Group]], ...]] = {
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


def _statement(step: Step, principal: str | None = None, *, pending: str | None = None) -> dict[str, Any]:
    """An Allow of exactly the step; a resource-based one names ``principal`` on ``"*"``, the resource
    (§3.7–3.8, none in a trust policy §3.12). KMS calls pinned to Secrets Manager and the secret (§9.9).
    A secret that does not exist yet is named by ``pending`` (``…:secret:name-??????``, see
    ``_pending``), never by a suffix nobody knows before CreateSecret draws it."""
    out: dict[str, Any] = {"Effect": "Allow"} | ({"Principal": {"AWS": principal}} if principal else {})
    out["Action"] = step.action
    if principal is None or resource_type(step.resource) != "role":
        out["Resource"] = step.resource if principal is None else "*"
        if principal is None and pending is not None and _is_secret(step.resource):
            out["Resource"] = pending
    ctx = step.evaluation.context
    via, secret = ctx.single("kms:viaservice"), ctx.single("kms:encryptioncontext:secretarn")
    if via and step.action.lower().startswith("kms:"):
        out["Condition"] = {"StringEquals": {"kms:ViaService": via}}
        if secret and pending is not None:
            out["Condition"]["StringLike"] = {"kms:EncryptionContext:SecretARN": pending}
        elif secret:
            out["Condition"]["StringEquals"]["kms:EncryptionContext:SecretARN"] = secret
    return out


def _holder(world: World, ref: PolicyRef) -> tuple[str, str]:
    """(account, ARN or node) of what holds the policy ``ref`` names."""
    if ref.slot in (Slot.SCP, Slot.RCP):
        org = world.organization
        return (org.management_account or "" if org else ""), ref.holder
    return account_of(ref.holder) or "", ref.holder


def _owner(world: World, p: Principal) -> User | Role | None:
    """The IAM user or role whose identity policies and boundary apply to ``p`` (§1.1)."""
    if p.type in (PrincipalType.USER, PrincipalType.FEDERATED):
        return world.user(p.source_user or p.arn)
    return world.role(p.role_arn or "") if p.type is PrincipalType.SESSION else None


def _pending(world: World, decision: Decision, step: Step) -> str | None:
    """``arn:…:secret:name-??????`` when the secret ``step`` acts on (or decrypts for) is not in the
    world yet — CreateSecret, or any request on a secret still to be made: Secrets Manager appends
    six random characters at creation, so a grant can only match them with ``??????``
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html).
    The name is the request's ``Name``, else the ARN's without a six-character suffix."""
    arn = step.resource
    if not _is_secret(arn):
        arn = step.evaluation.context.single("kms:encryptioncontext:secretarn") or ""
    if ":secret:" not in arn or _WILD.search(arn) or world.secret(arn) is not None:
        return None
    head, name = arn.rsplit(":secret:", 1)
    named = decision.request.parameters.get("Name")
    name = named if isinstance(named, str) and named and not _WILD.search(named) else _SUFFIX.sub("", name)
    return f"{head}:secret:{name}-??????"


def _is_secret(arn: str) -> bool:
    return arn.startswith("arn:") and arn.split(":", 5)[2:3] == ["secretsmanager"] and ":secret:" in arn


_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}\Z")  # the random characters Secrets Manager appends (§2.3)
_WILD = re.compile(r"[*?]")


def _grant_text(step: Step, statement: Mapping[str, Any] | None = None) -> str:
    """The step as a fix names it, with the secret ``statement`` matches (``name-??????`` for one
    not made yet) when it is given."""
    secret = step.evaluation.context.single("kms:encryptioncontext:secretarn")
    if statement:
        like = statement.get("Condition", {}).get("StringLike", {})
        secret = like.get("kms:EncryptionContext:SecretARN", secret)
    via = f" through Secrets Manager for secret {secret}" if secret and step.action.startswith("kms:") else ""
    resource = statement.get("Resource", step.resource) if statement else step.resource
    return f"{step.action} on {resource}{via}"


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
    return frozenset(
        x for x in probes if authorize(world, Request(x[0], x[1], x[2], req.context), plan=False).allowed
    )
