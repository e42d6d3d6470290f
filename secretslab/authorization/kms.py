"""Calls to AWS KMS: made by the caller directly, or by Secrets Manager on the caller's behalf in
a forward access session (semantics §7.5) — the same principal and policies, with
``kms:ViaService``, ``kms:CallerAccount``, the secret's encryption context and ``aws:CalledVia``,
and without the Secrets Manager request keys and the network keys that do not travel with it.
The key's policy is the resource-based policy; the key's grants are a third way to be allowed
(§9.10, evaluated by the engine).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

from collections.abc import Iterable

from ..arn import Arn
from ..evaluation.context import Values
from ..evaluation.request import Attached
from ..policy.refs import PolicyRef, Slot
from ..services import secretsmanager as sm
from ..world.entities import Key, Secret
from ..world.model import World
from .calls import Call, Caller

#: network keys a forward access session does not carry to KMS (§7.5; the FAS page keeps
#: aws:SourceIp for requests that reached a public endpoint, see the note on A9)
_FAS_DROPPED = frozenset(
    {
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:vpcsourceip",
        "aws:sourcevpcarn",
        "aws:tagkeys",
        "aws:viaawsservice",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
    }
)


def kms_call(
    world: World,
    caller: Caller,
    action: str,
    key: Key | None,
    resource: str,
    context: Iterable[tuple[str, Values]],
    *,
    via_secret: Secret | None,
    purpose: str,
    version_id: str | None = None,
    optional: bool = False,
) -> Call:
    """``caller`` calling ``action`` on a key (directly, or through Secrets Manager)."""
    keys: list[tuple[str, Values]] = [("kms:CallerAccount", (caller.principal.account,))]
    if key is None:
        arn = Arn.parse(resource)
        return Call(
            caller,
            action,
            resource,
            arn.account if arn else caller.principal.account,
            arn.region if arn else None,
            None,
            keys=tuple(keys),
            context=tuple(context),
            purpose=purpose,
            optional=optional,
            notes=(f"KMS key {resource} is not in the world: it has no key policy",),
        )
    if via_secret is not None:  # a forward access session from Secrets Manager (§7.5)
        service = f"secretsmanager.{via_secret.region}.amazonaws.com"
        keys += [
            ("kms:ViaService", (service,)),
            ("kms:EncryptionContext:SecretARN", (via_secret.arn,)),
            ("kms:EncryptionContextKeys", ("SecretARN", "SecretVersionId")),
            ("aws:ViaAWSService", ("true",)),
            ("aws:CalledVia", (sm.SERVICE_PRINCIPAL,)),
            ("aws:CalledViaFirst", (sm.SERVICE_PRINCIPAL,)),
            ("aws:CalledViaLast", (sm.SERVICE_PRINCIPAL,)),
        ]
        if version_id:
            keys.append(("kms:EncryptionContext:SecretVersionId", (version_id,)))
        context = [(k, v) for k, v in context if not _sm_only(k)]
    # an AWS managed key the world does not list has its policy, but no place in the world
    ref = PolicyRef(Slot.KEY, key.arn) if world.key(key.arn) is key else None
    policy = Attached(f"key policy of {key.label}", key.key_policy, ref) if key.key_policy else None
    return Call(
        caller,
        action,
        key.arn,
        key.account,
        key.region,
        policy,
        tags=key.tags,
        keys=tuple(keys),
        context=tuple(context),
        aws_managed_key=key.aws_managed,
        purpose=purpose,
        optional=optional,
        kms_grants=key.grants,
    )


def _sm_only(key: str) -> bool:
    """Keys of the Secrets Manager request that the KMS sub-request does not carry (§7.5)."""
    lower = key.lower()
    return lower.startswith("secretsmanager:") or lower.startswith("aws:requesttag/") or lower in _FAS_DROPPED
