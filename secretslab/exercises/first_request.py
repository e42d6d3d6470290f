"""The checker of notebook 00 (your first request): AppRole in account apps cannot read prod/legacy
in account prod. The read is an implicit deny at the ``kms:Decrypt`` Secrets Manager makes for the
caller, and two pieces are missing there, one on each side of the cross-account call: a key policy
that lets AppRole's account decrypt (the AWS managed key ``aws/secretsmanager`` only lets its own
account use it, and nobody can change its policy) and an identity-based policy of AppRole that
allows ``kms:Decrypt`` on that key. The attendee names the policy that lacks a grant; either piece
is right, and the answer explains both, each shown by deciding the read again with only that piece
added (semantics §8.7, §9.6, §10.5)."""

from __future__ import annotations

import copy
from typing import Any

from ..authorization import Decision, authorize
from ..evaluation.results import PolicyResult
from ..evaluation.stages import PolicyRole
from ..world import World
from .common import APPS, GET, NOT_YET, PROD, REGION, RIGHT, never_raises

READER = f"arn:aws:sts::{APPS}:assumed-role/AppRole/worker"
APP_ROLE = f"arn:aws:iam::{APPS}:role/AppRole"
PROD_LEGACY = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/legacy-Zx9Yw8"
PROD_DB_SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/db-AbC123"
DECRYPT = "kms:Decrypt"
SCENARIO = "data/cross-account-read.json"


@never_raises
def check_00(answer: object, world: World | None = None) -> str:
    """``Right`` when ``answer`` names a policy of the failed ``kms:Decrypt`` call that lacks the grant
    (the key policy, or AppRole's identity-based policy), with why both are needed; ``Not yet``
    with a hint otherwise. ``world`` is the notebook's world (``data/cross-account-read.json``)."""
    if not isinstance(world, World):
        return f"{NOT_YET}: pass the notebook's world too: check_00(answer, world) (from {SCENARIO})."
    decision = _read(world)
    step = decision.failed_step
    if decision.allowed or step is None:
        return (
            f"{NOT_YET}: in this world AppRole reads prod/legacy; run the notebook from the top ({SCENARIO})"
        )
    if not isinstance(answer, str) or not answer.strip() or answer.strip() in ("...", "…"):
        return (
            f"{NOT_YET}: write, as text, the label of the policy that lacks a grant, as the decision "
            f"prints it under the call that failed ({step.action})."
        )
    wanted = _words(answer)
    if wanted.startswith("secret policy"):
        main = decision.main_step
        grant = main.evaluation.deciding_policy if main is not None else None
        return (
            f"{NOT_YET}: the secret policy already grants AppRole ({grant}): the {GET} call is allowed. "
            f"Look at the call that failed, {step.action}."
        )
    policy = _named(step.evaluation.policies, wanted)
    if policy is None:
        return (
            f"{NOT_YET}: no policy of the failed {step.action} call is called {answer.strip()!r}. Copy a "
            "label from decision.steps[1].evaluation.policies (each has a .label)."
        )
    if policy.role not in (PolicyRole.RESOURCE, PolicyRole.IDENTITY) or step.action != DECRYPT:
        return f"{NOT_YET}: {policy.label} does not need to grant anything for this call; it denies nothing."
    return f"{RIGHT}: {policy.label} is one of the two missing pieces.\n" + _both_pieces(world, step.resource)


def _read(world: World) -> Decision:
    return authorize(world, {"principal": READER, "action": GET, "resource": PROD_LEGACY})


#: AWS's names for the two sides, as the decision labels them at a KMS call
_ALIASES = (("identity-based policy", "identity policy"), ("resource-based policy", "key policy"))


def _words(answer: str) -> str:
    """The answer lower-cased, spaces collapsed, without a leading ``the``, in the labels' words."""
    words = " ".join(answer.lower().split()).removeprefix("the ")
    for name, label in _ALIASES:
        if words.startswith(name):
            return label + words[len(name) :]
    return words


def _named(policies: tuple[PolicyResult, ...], wanted: str) -> PolicyResult | None:
    """The policy whose label is ``wanted``, or starts with it when ``wanted`` names a kind of
    policy (``key policy``, ``identity policy``)."""
    for policy in policies:
        label = policy.label.lower()
        if label == wanted or (wanted.endswith("policy") and label.startswith(wanted)):
            return policy
    return None


def _both_pieces(world: World, key: str) -> str:
    """Why both sides are needed, each shown by deciding the read with only the other piece added."""
    own_key = _key_of(world, PROD_DB_SECRET)
    identity_only = _read(_edited(world, decrypt_on=key))
    key_only = _read(_edited(world, encrypt_with=own_key, drop_decrypt=True))
    both = _read(_edited(world, encrypt_with=own_key))
    return "\n".join(
        [
            "A cross-account kms:Decrypt needs an allow on both sides, and both are missing:",
            "  - the key's side: the AWS managed key aws/secretsmanager only lets principals of its own "
            "account use it, and nobody can change its key policy. With only AppRole's identity policy "
            f"fixed, the read is still denied: {_outcome(identity_only)}.",
            "  - the caller's side: AppRole's identity policy allows kms:Decrypt only on the key of "
            "prod/db. With a key policy that grants AppRole but no identity statement for that key: "
            f"{_outcome(key_only)}.",
            "  Both at once: encrypt prod/legacy with the customer managed key of prod/db (its key "
            f"policy grants AppRole, AppRole's identity policy names it): {_outcome(both)}.",
        ]
    )


def _outcome(decision: Decision) -> str:
    step = decision.failed_step
    if step is None:
        return f"{decision.decision.upper()} {decision.reason.value}"
    return f"{decision.reason.value} at {step.action} ({decision.reason.summary})"


def _key_of(world: World, secret: str) -> str:
    found = world.secret(secret)
    if found is None or found.kms_key is None:
        raise ValueError(f"the world has no {secret} with a KMS key; use {SCENARIO}")
    return found.kms_key


def _edited(
    world: World,
    *,
    decrypt_on: str | None = None,
    encrypt_with: str | None = None,
    drop_decrypt: bool = False,
) -> World:
    """The world with AppRole allowed kms:Decrypt on ``decrypt_on``, prod/legacy encrypted with
    ``encrypt_with``, and AppRole's kms:Decrypt statements dropped when ``drop_decrypt``."""
    data = copy.deepcopy(world.to_dict())  # never edit what the world hands out
    role: dict[str, Any] = next(r for r in data["principals"]["roles"] if r["arn"] == APP_ROLE)
    policies = role.setdefault("policies", [])
    if drop_decrypt:
        for policy in policies:
            policy["Statement"] = [s for s in _statements(policy) if not _grants_decrypt(s)]
    if decrypt_on is not None:
        policies.append({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": DECRYPT, "Resource": decrypt_on}]})  # fmt: skip
    if encrypt_with is not None:
        next(s for s in data["secrets"] if s["arn"] == PROD_LEGACY)["kms_key"] = encrypt_with
    return World.from_dict(data)


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy.get("Statement", [])
    return list(found) if isinstance(found, list) else [found]


def _grants_decrypt(statement: dict[str, Any]) -> bool:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    granted = any(a.lower() in ("kms:decrypt", "kms:*", "*") for a in actions)
    return statement.get("Effect") == "Allow" and granted
