"""One call of a request, planned and then evaluated: who makes it (a ``Caller``: the principal
with the policies that apply to it), the action and resource, the resource's account, Region,
tags and resource-based policy, the keys the call carries and the context the caller supplied.
``evaluate_call`` builds the request context (semantics §7) and hands one ``EvalRequest`` with
the service's rules to the engine.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import NamedTuple

from ..evaluation.context import Context, Values, request_context
from ..evaluation.engine import evaluate
from ..evaluation.kms_grants import KmsGrant
from ..evaluation.memo import Memo
from ..evaluation.principals import Principal
from ..evaluation.request import Attached, EvalRequest
from ..evaluation.results import RejectedPolicy
from ..services import rules_for
from ..world.model import World
from .decision import Step

Pairs = tuple[tuple[str, Values], ...]


@dataclass(frozen=True, slots=True)
class Caller:
    """A principal with the policies that apply to it."""

    principal: Principal
    identity: tuple[Attached, ...]
    boundary: Attached | None
    session: tuple[Attached, ...]

    @classmethod
    def of(cls, world: World, arn: str, callers: dict[str, Caller] | None = None) -> Caller:
        """The caller of a world's principal, remembered in ``callers`` (by default the world's:
        a world never changes)."""
        if callers is None:
            callers = remembered(world).callers
        found = callers.get(arn)
        if found is None:
            principal = world.principal(arn)
            found = cls(
                principal,
                world.identity_policies(principal),
                world.boundary(principal),
                world.session_policies(principal),
            )
            callers[arn] = found
        return found


class Call(NamedTuple):  # a NamedTuple: immutable, and cheap to build for every call planned
    """One call the request needs: ``caller`` calls ``action`` on ``resource``."""

    caller: Caller
    action: str
    resource: str
    account: str  # the resource's account
    region: str | None
    policy: Attached | None  # the resource's resource-based policy
    tags: tuple[tuple[str, str], ...] = ()  # the resource's tags
    tag_prefixes: tuple[str, ...] = ()  # services whose <service>:ResourceTag/ keys alias them
    keys: Pairs = ()  # keys the call carries (derived by AWS, or by the service making it)
    context: Pairs = ()  # keys the caller supplied
    aws_managed_key: bool = False
    purpose: str = ""
    optional: bool = False  # its failure does not fail the request (A7)
    notes: tuple[str, ...] = ()  # said when the call is made
    notes_after: tuple[str, ...] = ()  # said once the call is allowed
    #: policies passed with the call that the service refuses it for, before deciding anything
    #: (a malformed session policy given to AssumeRole)
    refused: tuple[RejectedPolicy, ...] = ()
    kms_grants: tuple[KmsGrant, ...] = ()  # the grants on the key of a KMS call (§9.10)


def evaluate_call(world: World, call: Call, notes: list[str], memo: Memo | None = None) -> Step:
    """The call's evaluation; notes about the context go into ``notes``. ``memo``: what the
    engine remembers for this world (by default the world's own)."""
    principal = call.caller.principal
    context, ignored = call_context(world, call)
    notes.extend(ignored)
    req = EvalRequest(
        principal,
        call.action,
        call.resource,
        call.account,
        context,
        rules_for(call.action, call.resource),
        call.caller.identity,
        call.caller.boundary,
        call.caller.session,
        call.policy,
        world.scp_levels(principal.account),
        world.rcp_levels(call.account),
        call.aws_managed_key,
        kms_grants=call.kms_grants,
    )
    evaluation = evaluate(req, memo or remembered(world).memo)
    return Step(call.action, call.resource, evaluation, call.purpose, call.optional)


def call_context(world: World, call: Call) -> tuple[Context, list[str]]:
    """The request context of a call (semantics §7): the keys AWS derives from the caller and from
    the resource's account, organization, Region and tags, the keys the call carries and those the
    caller supplied; with a note for each supplied key it ignores."""
    acct = world.account(call.account)
    org = world.organization
    org_id = acct.org_id or (org.id if org and call.account == org.management_account else None)
    return request_context(
        call.caller.principal,
        account=call.account,
        world=True,
        region=call.region,
        tags=call.tags,
        org_id=org_id,
        org_path=acct.org_path or ((org.root_id,) if org and org_id == org.id else ()),
        tag_prefixes=call.tag_prefixes,
        keys=call.keys,
        given=call.context,
    )


class _Remembered:
    """What authorizing on one world remembers: the engine's memo and the callers."""

    __slots__ = ("callers", "memo")

    def __init__(self) -> None:
        self.memo = Memo()
        self.callers: dict[str, Caller] = {}


#: per world, held weakly: dropped with the world
_REMEMBERED: weakref.WeakKeyDictionary[World, _Remembered] = weakref.WeakKeyDictionary()


def remembered(world: World) -> _Remembered:
    """What authorizing on ``world`` remembers (created on first use, dropped with the world)."""
    found = _REMEMBERED.get(world)
    if found is None:
        found = _REMEMBERED[world] = _Remembered()
    return found
