"""The boxes and arrows of the access diagram, before they are laid out: a box for the caller,
each role assumed (semantics §11), the secret and the KMS key, an arrow per evaluated step from
the box that acts to the box acted on — the KMS calls Secrets Manager makes for the caller start
at the secret (§10, forward access sessions) — and, greyed, what the request aimed at but never
reached. Working state of ``diagram``; never returned to callers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..arn import Arn
from ..authorization import Decision, Step
from ..evaluation.principals import Principal, PrincipalType
from ..services import secretsmanager as sm
from ..world import Key, Secret, World
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
    for number, step in enumerate(decision.steps, 1):
        src, dst = _source(step, nodes), _target_key(step)
        if dst not in nodes:
            session = sessions[len(edges)] if dst.startswith("role:") and len(edges) < len(sessions) else None
            account = step.evaluation.resource_account
            nodes[dst] = _resource_node(dst, step.resource, account, world, nodes[src].col + 1, session)
        edges.append(Edge(src, dst, step, number, _edge_label(step, number)))
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


def _target_key(step: Step) -> str:
    if step.action.lower() == "sts:assumerole":
        arn = Arn.parse(step.resource)
        return f"role:{arn.account}:{arn.name}" if arn else step.resource
    return f"*:{step.evaluation.resource_account}" if step.resource == "*" else step.resource


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
    """The roles, secret and key the request aimed at that no step reached, greyed, each
    remembering the box it would have been reached from."""
    req = decision.request
    previous = next(iter(nodes))
    for col, hop in enumerate(req.assume_role_chain, 1):
        arn = Arn.parse(hop.role_arn)
        key = f"role:{arn.account}:{arn.name}" if arn else hop.role_arn
        if key not in nodes:
            node = _resource_node(key, hop.role_arn, "?", world, col, hop.session_name)
            nodes[key] = _unreached(node, previous)
        previous = key
    secret = world.secret(req.resource) if world and req.resource != "*" else None
    target = secret.arn if secret else req.resource
    if Arn.parse(target) is None:
        return
    if target not in nodes:
        col = len(req.assume_role_chain) + 1
        nodes[target] = _unreached(_resource_node(target, target, "?", world, col), previous)
    if secret is None or world is None or decision.allowed:
        return
    kms_key = world.secret_key(secret)
    if kms_key.arn not in nodes and _uses_key(decision, secret, kms_key):
        node = _resource_node(kms_key.arn, kms_key.arn, kms_key.account, world, nodes[target].col + 1)
        nodes[kms_key.arn] = _unreached(node, target)


def _uses_key(decision: Decision, secret: Secret, key: Key) -> bool:
    """Whether the Secrets Manager operation would call KMS with the secret's key (§10.2)."""
    req = decision.request
    service, _, op = req.action.partition(":")
    if service.lower() != "secretsmanager":
        return False
    plan = sm.plan(
        op,
        req.parameters,
        key_is_aws_managed=key.aws_managed,
        key_changed=False,
        version_id=None,
        versions=dict(secret.versions),
    )
    return any(s.action.lower().startswith("kms:") for s in plan.steps)


def _unreached(node: Node, after: str) -> Node:
    node.reached = False
    node.after = after
    node.kind = f"{node.kind} · not reached"
    return node


def _edge_label(step: Step, number: int) -> str:
    optional = " (optional)" if step.optional else ""
    return f"{number}. {operation(step.action)}{optional}\n{step.evaluation.reason.value}"
