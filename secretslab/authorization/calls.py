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

from ..evaluation.context import Values, request_context
from ..evaluation.engine import evaluate
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
    def of(cls, world: World, arn: str) -> Caller:
        """The caller of a world's principal."""
        principal = world.principal(arn)
        return cls(
            principal,
            world.identity_policies(principal),
            world.boundary(principal),
            world.session_policies(principal),
        )


@dataclass(frozen=True, slots=True)
class Call:
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
    notes_after: tuple[str, ...] = ()  # said when the call is allowed
    #: policies passed with the call that the service refuses it for, before deciding anything
    #: (a malformed session policy given to AssumeRole)
    refused: tuple[RejectedPolicy, ...] = ()


def evaluate_call(world: World, call: Call, notes: list[str]) -> Step:
    """The call's evaluation; notes about the context go into ``notes``."""
    principal = call.caller.principal
    acct = world.account(call.account)
    org = world.organization
    org_id = acct.org_id or (org.id if org and call.account == org.management_account else None)
    context, ignored = request_context(
        principal,
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
    )
    return Step(call.action, call.resource, evaluate(req, _memo(world)), call.purpose, call.optional)


#: what the engine remembers for each world's policies, dropped with the world
_MEMOS: weakref.WeakKeyDictionary[World, Memo] = weakref.WeakKeyDictionary()


def _memo(world: World) -> Memo:
    found = _MEMOS.get(world)
    if found is None:
        found = _MEMOS[world] = Memo()
    return found
