"""A Secrets Manager request as the calls AWS makes for it (semantics §10): the operation on the
secret (its resource policy and tags, the request keys of §7.4), then the extra actions and the
KMS calls the operation table of ``services.secretsmanager`` lists, against the secret's key —
or for ``BatchGetSecretValue``, GetSecretValue and Decrypt on each secret. A document given to
PutResourcePolicy or ValidateResourcePolicy is validated once every call is allowed (§3.4, §3.11).

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from ..arn import Arn
from ..evaluation.context import Values
from ..evaluation.request import Attached
from ..evaluation.results import RejectedPolicy
from ..pages import GET_SECRET_VALUE
from ..policy.model import PolicyKind
from ..policy.parsing import read_policy
from ..policy.public import public_statements
from ..policy.refs import PolicyRef, Slot
from ..problems import quoted
from ..services import secretsmanager as sm
from ..world.entities import Key, Secret
from ..world.model import World
from .calls import Call, Caller
from .kms import kms_call
from .plan import Later, Pending, Plan
from .request import Request


def plan_secretsmanager(world: World, request: Request, caller: Caller, plan: Plan) -> None:
    """Plan the calls of a Secrets Manager request: the operation on the secret (named by ARN, or by
    name in the caller's account), then, once it is reached, its extra actions and KMS calls; notes
    why when the secret or its key is unknown."""
    op = request.action.partition(":")[2]
    params = request.parameters
    if op.lower() == "batchgetsecretvalue":
        _batch_get(world, request, caller, plan)
        return
    secret = (
        world.secret(request.resource, account=caller.principal.account) if request.resource != "*" else None
    )
    if secret is None and not request.resource.startswith("arn:") and request.resource != "*":
        plan.note(
            f"no secret named {quoted(request.resource)} in account {caller.principal.account}: "
            "a bare name resolves in the caller's own account; use the ARN across "
            f"accounts (see {GET_SECRET_VALUE})"
        )
    arn, account, region = request.resource, caller.principal.account, None
    if secret is not None:
        arn, account, region = secret.arn, secret.account, secret.region
    elif (parsed := Arn.parse(arn)) is not None:
        account, region = parsed.account or account, parsed.region
    key, old_key = _keys(world, secret, params, account, region, plan)
    keys = sm.request_keys(op, arn if arn != "*" else None, params, key.arn if key else None)
    if secret is not None and secret.region:
        keys.append(("secretsmanager:SecretPrimaryRegion", (secret.region,)))
    plan.call(_on_secret(caller, request.action, secret, arn, account, region, keys, request.context))
    plan.call(Later(partial(_after_main, world, request, caller, secret, arn, account, region, key, old_key)))


def _after_main(
    world: World,
    request: Request,
    caller: Caller,
    secret: Secret | None,
    arn: str,
    account: str,
    region: str | None,
    key: Key | None,
    old_key: Key | None,
    plan: Plan,
) -> None:
    """The extra actions and KMS calls of the operation (§10.2), once the operation is allowed."""
    op, params = request.action.partition(":")[2], request.parameters
    versions = dict(secret.versions) if secret else {}
    steps = sm.plan(
        op,
        params,
        key_is_aws_managed=bool(key and key.aws_managed),
        key_changed=old_key is not None,
        version_id=_version_id(params, versions),
        versions=versions,
    )
    for note in steps.notes:
        plan.note(note)
    unknown = secret is None and op.lower() != "createsecret"
    if unknown and any(s.action.startswith("kms:") for s in steps.steps):
        plan.note(
            f"{request.resource} is not a secret of the world: its key is unknown, so the KMS "
            "calls are not evaluated (AWS answers ResourceNotFoundException for a "
            "secret that does not exist)"
        )
    for sub in steps.steps:
        if unknown and sub.action.startswith("kms:"):
            continue
        target = old_key if sub.target is sm.Target.OLD_KEY else key
        resource = (
            (target.arn if target else arn)
            if sub.action.startswith("kms:")
            else str(request.parameters.get("RotationLambdaARN"))
            if sub.target is sm.Target.LAMBDA
            else arn
        )
        build = partial(_sub_request, world, request, caller, sub, secret, arn, account, region, key, old_key)
        plan.call(Pending(sub.action, resource, caller.principal.arn, sub.purpose, sub.optional, build))
    if op.lower() in ("putresourcepolicy", "validateresourcepolicy"):
        plan.validate = (op, params)


def _on_secret(
    caller: Caller,
    action: str,
    secret: Secret | None,
    arn: str,
    account: str,
    region: str | None,
    keys: Iterable[tuple[str, Values]],
    context: Iterable[tuple[str, Values]],
    purpose: str = "",
) -> Call:
    """A Secrets Manager call on a secret (or on a new secret's ARN): its policy and tags."""
    policy = (
        Attached(
            f"secret policy of {secret.name}", secret.resource_policy, PolicyRef(Slot.SECRET, secret.arn)
        )
        if secret is not None and secret.resource_policy is not None
        else None
    )
    return Call(
        caller,
        action,
        arn,
        account,
        region,
        policy,
        tags=secret.tags if secret else (),
        tag_prefixes=("secretsmanager",),
        keys=tuple(keys),
        context=tuple(context),
        purpose=purpose,
    )


def _keys(
    world: World,
    secret: Secret | None,
    params: Mapping[str, Any],
    account: str,
    region: str | None,
    plan: Plan,
) -> tuple[Key | None, Key | None]:
    """(the key the operation uses, the key it replaces on an UpdateSecret key change)."""
    current = (
        world.secret_key(secret) if secret else (world.aws_managed_key(account, region) if region else None)
    )
    requested = params.get("KmsKeyId")
    if not requested:
        return current, None
    key = world.key(str(requested), account=account, region=region)
    if key is None:
        plan.note(f"KmsKeyId {requested} is not a key of the world")
        return current, None
    changed = secret is not None and current is not None and key.arn != current.arn
    return key, (current if changed else None)


def _sub_request(
    world: World,
    request: Request,
    caller: Caller,
    sub: sm.SubRequest,
    secret: Secret | None,
    arn: str,
    account: str,
    region: str | None,
    key: Key | None,
    old_key: Key | None,
) -> Call:
    if sub.action.startswith("kms:"):
        target = old_key if sub.target is sm.Target.OLD_KEY else key
        via = secret or Secret(arn, arn, account, region or "")
        return kms_call(
            world,
            caller,
            sub.action,
            target,
            target.arn if target else arn,
            request.context,
            via_secret=via,
            purpose=sub.purpose,
            version_id=sub.version_id,
            optional=sub.optional,
        )
    if sub.target is sm.Target.LAMBDA:
        fn = str(request.parameters.get("RotationLambdaARN"))
        parsed = Arn.parse(fn)
        return Call(
            caller,
            sub.action,
            fn,
            parsed.account if parsed else account,
            parsed.region if parsed else region,
            None,
            context=request.context,
            purpose=sub.purpose,
            notes=("Lambda function policies are not modelled",),
        )
    keys = sm.request_keys(sub.action.partition(":")[2], arn, request.parameters, None)
    return _on_secret(caller, sub.action, secret, arn, account, region, keys, request.context, sub.purpose)


def _batch_get(world: World, request: Request, caller: Caller, plan: Plan) -> None:
    account = caller.principal.account
    plan.call(Call(caller, request.action, "*", account, None, None, context=request.context))
    if request.parameters.get("Filters"):
        plan.call(
            Call(
                caller,
                "secretsmanager:ListSecrets",
                "*",
                account,
                None,
                None,
                context=request.context,
                purpose="BatchGetSecretValue with Filters",
            )
        )
    ids = request.parameters.get("SecretIdList") or []
    for ref in ids if isinstance(ids, list) else []:
        secret = world.secret(str(ref), account=account)
        if secret is None:
            plan.note(f"secret {ref} is not in the world")
            continue
        keys = sm.request_keys("GetSecretValue", secret.arn, {}, None)
        plan.call(
            _on_secret(
                caller,
                "secretsmanager:GetSecretValue",
                secret,
                secret.arn,
                secret.account,
                secret.region,
                keys,
                request.context,
                "BatchGetSecretValue needs GetSecretValue on each secret",
            )
        )
        key = world.secret_key(secret)
        plan.call(
            kms_call(
                world,
                caller,
                "kms:Decrypt",
                key,
                key.arn,
                request.context,
                via_secret=secret,
                purpose="decrypt the secret value",
                version_id=dict(secret.versions).get("AWSCURRENT"),
            )
        )


def _version_id(params: Mapping[str, Any], versions: Mapping[str, str]) -> str | None:
    if params.get("VersionId"):
        return str(params["VersionId"])
    return versions.get(str(params.get("VersionStage") or "AWSCURRENT"))


def validate_resource_policy(
    op: str, params: Mapping[str, Any], notes: list[str]
) -> tuple[RejectedPolicy, ...]:
    """PutResourcePolicy/ValidateResourcePolicy check the policy they are given (§3.4, §3.11)."""
    doc = params.get("ResourcePolicy")
    if doc is None:
        return ()
    policy = read_policy(doc, PolicyKind.RESOURCE)
    what = "request ResourcePolicy"
    if not policy.valid:
        return (
            RejectedPolicy(what, what, tuple(p.under("parameters", "ResourcePolicy") for p in policy.errors)),
        )
    broad = public_statements(policy)
    if not broad:
        return ()
    detail = "the policy allows broad access: " + ", ".join(s.label for s in broad)
    if op.lower() == "putresourcepolicy" and params.get("BlockPublicPolicy") is True:
        return (RejectedPolicy(what, what, error="PublicPolicy", why=detail),)
    if op.lower() == "validateresourcepolicy":
        notes.append(f"ValidateResourcePolicy returns PolicyValidationPassed=false: {detail}")
    else:
        notes.append(f"stored without BlockPublicPolicy (false by default): {detail}")
    return ()
