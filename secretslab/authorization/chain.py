"""Role assumption (semantics §11): the ``sts:AssumeRole`` call of each hop of a request's chain,
checked against the role's trust policy (its resource-based policy) with ``sts:RoleSessionName``,
the session tags and the source identity, and the session it yields — the role's policies, its
boundary, the session policies passed to the call, role tags overlaid by session tags (§11.3).
STS refuses the call outright when a session policy is malformed.

Passing session tags also needs ``sts:TagSession``, passing a source identity also needs
``sts:SetSourceIdentity``: permissions-only actions of the same call, each evaluated like
``sts:AssumeRole`` itself against the trust policy (and, across accounts, the caller's identity
policies), so a missing one denies the AssumeRole (§11.2).

AWS pages: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from ..arn import Arn
from ..evaluation.context import Values
from ..evaluation.request import Attached
from ..evaluation.results import RejectedPolicy
from ..policy.refs import PolicyRef, Slot
from ..world.entities import overlay_tags
from ..world.model import World
from .calls import Call, Caller
from .request import AssumeRoleStep


def refused_session_policies(step: AssumeRoleStep) -> tuple[RejectedPolicy, ...]:
    """The session policies STS refuses the call for (MalformedPolicyDocument, §3)."""
    return tuple(
        RejectedPolicy(
            f"session policy {i + 1} passed to AssumeRole {step.role_arn}",
            "session policy",
            policy.errors,
        )
        for i, policy in enumerate(p for p in step.session_policies if not p.valid)
    )


def assume_role_calls(
    world: World,
    caller: Caller,
    role_arn: str,
    context: Iterable[tuple[str, Values]],
    session_name: str | None = None,
    session_tags: Iterable[tuple[str, str]] = (),
    source_identity: str | None = None,
) -> list[Call]:
    """The calls of one AssumeRole: ``sts:AssumeRole`` on ``role_arn``, then ``sts:TagSession``
    when session tags are passed and ``sts:SetSourceIdentity`` when a source identity is — each
    with the same trust policy, resource and request keys (§11.2)."""
    tags = tuple(session_tags)
    context = tuple(context)
    first = assume_role_call(world, caller, role_arn, context, session_name, tags, source_identity)
    calls = [first]
    if tags:
        calls.append(
            first._replace(
                action="sts:TagSession",
                purpose="AssumeRole passes session tags: sts:TagSession must be allowed too",
                notes=(),
            )
        )
    if source_identity is not None:
        calls.append(
            first._replace(
                action="sts:SetSourceIdentity",
                purpose="AssumeRole passes a source identity: sts:SetSourceIdentity must be allowed too",
                notes=(),
            )
        )
    return calls


def assume_role_call(
    world: World,
    caller: Caller,
    role_arn: str,
    context: Iterable[tuple[str, Values]],
    session_name: str | None = None,
    session_tags: Iterable[tuple[str, str]] = (),
    source_identity: str | None = None,
) -> Call:
    """``caller`` calling ``sts:AssumeRole`` on ``role_arn`` (its trust policy and tags), with the
    request keys of the call: ``sts:RoleSessionName``, ``aws:RequestTag/*`` and ``aws:TagKeys``
    for session tags, ``sts:SourceIdentity`` for a source identity."""
    role = world.role(role_arn)
    arn = Arn.parse(role_arn)
    account = arn.account if arn else caller.principal.account
    keys: list[tuple[str, Values]] = []
    if session_name:
        keys.append(("sts:RoleSessionName", (session_name,)))
    tags = list(session_tags)
    if tags:
        keys += [(f"aws:RequestTag/{k}", (v,)) for k, v in tags]
        keys.append(("aws:TagKeys", tuple(k for k, _ in tags)))
    if source_identity is not None:
        keys.append(("sts:SourceIdentity", (source_identity,)))
    if role is None:
        return Call(
            caller,
            "sts:AssumeRole",
            role_arn,
            account,
            None,
            None,
            tag_prefixes=("iam",),
            keys=tuple(keys),
            context=tuple(context),
            purpose="assume the role",
            notes=(f"role {role_arn} is not in the world: it has no trust policy",),
        )
    policy = (
        Attached(f"trust policy of role {role.name}", role.trust_policy, PolicyRef(Slot.TRUST, role.arn))
        if role.trust_policy
        else None
    )
    return Call(
        caller,
        "sts:AssumeRole",
        role.arn,
        account,
        None,
        policy,
        tags=role.tags,
        tag_prefixes=("iam",),
        keys=tuple(keys),
        context=tuple(context),
        purpose="assume the role",
    )


def assume_role_parameters(
    parameters: Mapping[str, Any],
) -> tuple[str | None, tuple[tuple[str, str], ...], str | None, list[str]]:
    """(RoleSessionName, Tags, SourceIdentity, notes) of a request for ``sts:AssumeRole`` itself:
    ``Tags`` as AWS's list of ``{"Key", "Value"}`` or as an object; a note for a parameter whose
    shape is not understood (it is then not passed)."""
    notes: list[str] = []
    name = parameters.get("RoleSessionName")
    raw = parameters.get("Tags")
    tags: list[tuple[str, str]] = []
    if isinstance(raw, Mapping):
        tags = [(str(k), str(v)) for k, v in raw.items()]
    elif isinstance(raw, list) and all(isinstance(t, Mapping) and "Key" in t for t in raw):
        tags = [(str(t["Key"]), str(t.get("Value", ""))) for t in raw]
    elif raw is not None:
        notes.append(
            'parameters.Tags is not [{"Key": ..., "Value": ...}] or an object: no session tags passed'
        )
    source = parameters.get("SourceIdentity")
    if source is not None and not isinstance(source, str):
        notes.append("parameters.SourceIdentity is not a string: no source identity passed")
        source = None
    return (name if isinstance(name, str) and name else None), tuple(tags), source, notes


def session_caller(world: World, step: AssumeRoleStep, before: Caller | None = None) -> Caller:
    """Who calls after the hop: the role's session (without policies when the role is not in
    the world: then the hop is never allowed, but the calls after it are still planned). Its
    source identity is the one the hop passed, else the one of the caller ``before`` it: it
    persists through role chaining (id_credentials_temp_control-access_monitor.html)."""
    source = step.source_identity
    if source is None and before is not None:
        source = before.principal.source_identity
    role = world.role(step.role_arn)
    if role is None:
        arn = Arn.parse(step.role_arn)
        account, name = (arn.account, arn.name) if arn else ("", step.role_arn)
        caller = Caller.of(world, f"arn:aws:sts::{account}:assumed-role/{name}/{step.session_name}")
        if source is None:
            return caller
        return replace(caller, principal=caller.principal.with_(source_identity=source))
    session_arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{step.session_name}"
    principal = world.principal(session_arn).with_(
        role_arn=role.arn,
        unique_id=role.role_id,
        tags=overlay_tags(role.tags, step.session_tags),  # session tags win (§11.3)
        has_boundary=role.permissions_boundary is not None,
        service_linked=role.service_linked,
        notes=(),
        source_identity=source,
    )
    session = tuple(
        Attached(f"session policy {i + 1} passed to AssumeRole {step.session_name}", p)
        for i, p in enumerate(step.session_policies)
    )
    return Caller(principal, world.identity_policies(principal), world.boundary(principal), session)
