"""The boxes and arrows of the access diagram, before they are laid out: a box for the caller,
each role assumed (semantics §11), the secret and the KMS key, an arrow per evaluated step from
the box that acts to the box acted on — the KMS calls Secrets Manager makes for the caller start
at the secret (§10, forward access sessions) — and, greyed, the resources of the calls in
``Decision.plan`` that were never reached. Working state of ``diagram``; never returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..arn import Arn
from ..authorization import Decision, PlannedStep, Step
from ..evaluation.principals import Principal, PrincipalType
from ..world import World
from .names import account_of, operation, short_name


@dataclass(slots=True)
class Node:
    """A box of the access diagram while it is laid out."""

    key: str
    account: str
    kind: str
    name: str
    col: int
    reached: bool = True
    after: str | None = None  # not reached: the box it would have been reached from
    row: int = 0
    x: float = 0.0  # left edge
    y: float = 0.0  # centre
    w: float = 0.0


@dataclass(slots=True)
class Edge:
    """An arrow of the access diagram: one step, from the box that acts to the box acted on."""

    src: str
    dst: str
    step: Step
    number: int
    label: str = ""
    slot: float = 0.0  # y of the label
    gap: tuple[float, float] = (0.0, 0.0)  # x span of the label's gap between columns
    out_y: float = 0.0
    in_y: float = 0.0


def diagram_graph(decision: Decision, world: World | None) -> tuple[dict[str, Node], list[Edge]]:
    """The boxes, in order of appearance, each one column right of the box that reaches it,
    and an arrow per step."""
    req = decision.request
    nodes: dict[str, Node] = {}
    _principal_node(nodes, decision.steps[0].principal if decision.steps else req.principal)
    sessions = [s.session_name for s in req.assume_role_chain]
    edges: list[Edge] = []
    hops = 0  # AssumeRole calls so far (sts:TagSession and sts:SetSourceIdentity are not hops)
    for number, step in enumerate(decision.steps, 1):
        src = _source(step, nodes)
        dst = _call_target(step.action, step.resource, step.evaluation.resource_account)
        hop = step.action.lower() == "sts:assumerole"
        if dst not in nodes:
            session = sessions[hops] if dst.startswith("role:") and hop and hops < len(sessions) else None
            account = step.evaluation.resource_account
            nodes[dst] = _resource_node(dst, step.resource, account, world, nodes[src].col + 1, session)
        via = src != _principal_key(step.principal)  # a KMS call Secrets Manager makes (§10)
        edges.append(Edge(src, dst, step, number, _edge_label(step, number, via=via)))
        hops += hop
    _add_unreached(nodes, decision, world)
    return nodes, edges


def _principal_key(arn: str) -> str:
    """A role session is drawn in its role's box."""
    parsed = Arn.parse(arn)
    if parsed and parsed.service == "sts" and parsed.resource_type == "assumed-role":
        return f"role:{parsed.account}:{parsed.resource_id.split('/')[0]}"
    return arn


_PRINCIPAL_KINDS = {
    PrincipalType.USER: "IAM user",
    PrincipalType.SESSION: "role session",
    PrincipalType.ROOT: "root user",
    PrincipalType.FEDERATED: "federated user",
}


def _principal_node(nodes: dict[str, Node], arn: str) -> str:
    key = _principal_key(arn)
    if key not in nodes:
        p = Principal.from_arn(arn)
        kind = _PRINCIPAL_KINDS[p.type] if p else "principal"
        name = "root" if p and p.type is PrincipalType.ROOT else short_name(arn)
        nodes[key] = Node(key, p.account if p else account_of(arn), kind, name, 0)
    return key


def _source(step: Step, nodes: dict[str, Node]) -> str:
    """KMS calls that Secrets Manager makes for the caller start at the secret (§10, FAS)."""
    if step.action.lower().startswith("kms:"):
        secret = step.evaluation.context.single("kms:encryptioncontext:secretarn")
        if secret and secret in nodes:
            return secret
    return _principal_node(nodes, step.principal)


def _call_target(action: str, resource: str, account: str) -> str:
    """The box a call acts on: a role assumed is drawn in its role's box, ``*`` per account."""
    if action.lower() == "sts:assumerole":
        arn = Arn.parse(resource)
        return f"role:{arn.account}:{arn.name}" if arn else resource
    return f"*:{account}" if resource == "*" else resource


def _resource_node(
    key: str, resource: str, account: str, world: World | None, col: int, session: str | None = None
) -> Node:
    arn = Arn.parse(resource)
    if arn is None:
        return Node(key, account, "any resource" if resource == "*" else "resource", resource, col)
    kind, name = f"{arn.service} {arn.resource_type}".strip(), short_name(resource)
    if arn.service == "iam" and arn.resource_type == "role":
        kind = f"IAM role · session {session}" if session else "IAM role"
    elif arn.service == "secretsmanager":
        secret = world.secret(resource) if world else None
        kind, name = "secret", secret.name if secret else name
    elif arn.service == "kms":
        found = world.key(resource) if world else None
        if found is not None:
            kind = f"KMS key ({'AWS' if found.aws_managed else 'customer'} managed)"
            name = found.label.removeprefix("alias/")
        else:
            kind = "KMS key"
    return Node(key, arn.account or account, kind, name, col)


def _add_unreached(nodes: dict[str, Node], decision: Decision, world: World | None) -> None:
    """A greyed box for each resource the plan's unreached calls aim at (``Decision.plan``),
    remembering the box the call would have started from: the roles of the chain still to be
    assumed, the secret, the key Secrets Manager would have called KMS with."""
    sessions = [hop.session_name for hop in decision.request.assume_role_chain]
    secret: str | None = None  # the secret of the latest Secrets Manager call planned so far
    hops = 0  # AssumeRole calls planned so far
    for planned in decision.plan:
        hop = planned.action.lower() == "sts:assumerole"
        i, hops = hops, hops + hop
        if planned.action.lower().startswith("secretsmanager:") and Arn.parse(planned.resource):
            secret = planned.resource
        dst = _call_target(planned.action, planned.resource, account_of(planned.resource))
        if planned.reached or dst in nodes or Arn.parse(planned.resource) is None:
            continue
        src = _planned_source(planned, secret, nodes)
        hop = hop and i < len(sessions)
        node = _resource_node(
            dst, planned.resource, "?", world, nodes[src].col + 1, sessions[i] if hop else None
        )
        nodes[dst] = _unreached(node, src)


def _planned_source(planned: PlannedStep, secret: str | None, nodes: dict[str, Node]) -> str:
    """The box an unreached call starts from. The plan does not say which secret a KMS call is
    made through: Secrets Manager makes it for the call on the secret just before it (§10)."""
    if secret is not None and secret in nodes and planned.action.lower().startswith("kms:"):
        return secret
    return _principal_node(nodes, planned.principal)


def _unreached(node: Node, after: str) -> Node:
    node.reached = False
    node.after = after
    node.kind = f"{node.kind} · not reached"
    return node


def _edge_label(step: Step, number: int, *, via: bool = False) -> str:
    """The call, the principal it is made as (each hop's caller: the user, the role session of
    each role assumed; ``for`` when Secrets Manager makes it on the caller's behalf, §10) and the
    reason code."""
    optional = " (optional)" if step.optional else ""
    who = f"{'for' if via else 'as'} {short_name(step.principal)}"
    return f"{number}. {operation(step.action)}{optional}\n{who}\n{step.evaluation.reason.value}"
