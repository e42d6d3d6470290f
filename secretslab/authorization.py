"""``authorize(world, request)``: the full decision on a request, as AWS makes it — the AssumeRole
chain first (§11), then the action with the extra IAM actions it needs and, for Secrets Manager,
the KMS calls the service makes on the caller's behalf with ``kms:ViaService``,
``kms:CallerAccount`` and the encryption context (§7.5, §10). Every sub-request is one
``Evaluation``; the decision is the first failing step's (§12, §13).

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .arn import Arn
from .checks import public_statements
from .context import IDENTITY_KEYS, Context, Values, principal_keys, resource_keys
from .engine import Attached, EvalRequest, evaluate
from .evaluation import Evaluation, Outcome, Reason
from .parsing import read_policy
from .policy import PolicyKind
from .principals import Principal, PrincipalType
from .request import AssumeRoleStep, Request
from .services import secretsmanager as sm
from .world import Gap, Key, Secret, World, overlay_tags

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


@dataclass(frozen=True, slots=True)
class Caller:
    """A principal with the policies that apply to it."""

    principal: Principal
    identity: tuple[Attached, ...]
    boundary: Attached | None
    session: tuple[Attached, ...]

    @classmethod
    def of(cls, world: World, arn: str) -> Caller:
        """The caller of a world's principal (remembered: the world does not change)."""
        cache: dict[str, Caller] = world._index.setdefault("callers", {})
        found = cache.get(arn)
        if found is None:
            principal = world.principal(arn)
            found = cls(
                principal,
                world.identity_policies(principal),
                world.boundary(principal),
                world.session_policies(principal),
            )
            cache[arn] = found
        return found


@dataclass(frozen=True, slots=True)
class Step:
    """One sub-request of a decision and its evaluation."""

    action: str
    resource: str
    evaluation: Evaluation
    purpose: str = ""
    optional: bool = False  # its failure does not fail the request (A7)

    @property
    def allowed(self) -> bool:
        return self.evaluation.allowed

    @property
    def principal(self) -> str:
        return self.evaluation.principal.arn

    def to_dict(self) -> dict[str, Any]:
        ev = self.evaluation
        out: dict[str, Any] = {
            "action": self.action,
            "resource": self.resource,
            "principal": self.principal,
            "decision": ev.outcome.decision,
            "outcome": ev.outcome.value,
            "reason": ev.reason.value,
        }
        if ev.deciding_policy:
            out["deciding_policy"] = ev.deciding_policy
        if self.purpose:
            out["purpose"] = self.purpose
        if self.optional:
            out["optional"] = True
        return out


@dataclass(frozen=True, slots=True)
class ValidationError:
    policy: str  # the kind of policy ("secret resource policy", "request ResourcePolicy")
    error: str  # MalformedPolicyDocument | PublicPolicy
    detail: str
    problems: tuple[dict[str, Any], ...] = ()
    where: str | None = None  # which policy of the world

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy": self.policy, "error": self.error, "detail": self.detail}
        if self.where:
            out["where"] = self.where
        if self.problems:
            out["problems"] = list(self.problems)
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    request: Request
    steps: tuple[Step, ...]
    outcome: Outcome
    reason: Reason
    validation_errors: tuple[ValidationError, ...] = ()
    notes: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()  # data an import could not read that this decision depends on

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    @property
    def unknown(self) -> bool:
        """Whether the decision depends on something the world could not read (issue #5): then
        it is the decision on what is known, not a guess about the rest."""
        return bool(self.gaps)

    @property
    def decision(self) -> str:
        return self.outcome.decision

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if not s.allowed and not s.optional), None)

    @property
    def deciding_policy(self) -> str | None:
        step = self.failed_step or self.main_step
        return step.evaluation.deciding_policy if step else None

    @property
    def main_step(self) -> Step | None:
        """The step of the requested action itself (after the AssumeRole chain)."""
        index = len(self.request.assume_role_chain)
        return self.steps[index] if len(self.steps) > index else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": self.decision,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
            "deciding_policy": self.deciding_policy,
            "steps": [s.to_dict() for s in self.steps],
            "validation_errors": [v.to_dict() for v in self.validation_errors],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.gaps:
            out["unknown"] = True
            out["gaps"] = [
                {"resource": g.resource, "what": g.what, "operation": g.operation, "error": g.error}
                for g in self.gaps
            ]
        return out

    def __str__(self) -> str:
        from .explain import decision_text

        return decision_text(self)

    def _repr_html_(self) -> str:
        from .explain import decision_html

        return decision_html(self)


def authorize(world: World, request: Request | Mapping[str, Any]) -> Decision:
    """The decision on ``request`` in ``world`` (a ``Request`` or a dict in the §1.2 format)."""
    if not isinstance(request, Request):
        request = Request.from_dict(request)
    return _Authorizer(world, request).run()


class _Authorizer:
    def __init__(self, world: World, request: Request) -> None:
        self.world = world
        self.request = request
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self.validation: list[ValidationError] = []

    def run(self) -> Decision:
        decision = self._run()
        if not self.world.gaps:
            return decision
        return replace(decision, gaps=self.world.gaps_for(_refs(decision)))

    def _run(self) -> Decision:
        caller: Caller | None = Caller.of(self.world, self.request.principal)
        for step in self.request.assume_role_chain:
            assert caller is not None
            caller = self.assume_role(caller, step)
            if caller is None:
                return self.decision()
        assert caller is not None
        self.action(caller)
        return self.decision()

    def decision(self) -> Decision:
        notes = tuple(dict.fromkeys([*self.notes, *(n for s in self.steps for n in s.evaluation.notes)]))
        ignored: dict[str, ValidationError] = {}
        for step in self.steps:  # policies of the world that AWS would have refused (§3.4)
            for inv in step.evaluation.invalid:
                ignored.setdefault(
                    inv.label,
                    ValidationError(
                        inv.kind or inv.label,
                        "MalformedPolicyDocument",
                        inv.detail,
                        tuple(p.to_dict() for p in inv.problems),
                        where=inv.label,
                    ),
                )
        errors = (*ignored.values(), *self.validation)
        failed = next((s for s in self.steps if not s.allowed and not s.optional), None)
        if failed is not None:
            return Decision(
                self.request,
                tuple(self.steps),
                failed.evaluation.outcome,
                failed.evaluation.reason,
                errors,
                notes,
            )
        if self.validation:  # the request's own policy parameter is refused
            reason = (
                Reason.PUBLIC_POLICY_BLOCKED
                if self.validation[0].error == "PublicPolicy"
                else Reason.INVALID_POLICY
            )
            return Decision(self.request, tuple(self.steps), Outcome.IMPLICIT_DENY, reason, errors, notes)
        main = self.steps[min(len(self.request.assume_role_chain), len(self.steps) - 1)]
        return Decision(self.request, tuple(self.steps), Outcome.ALLOW, main.evaluation.reason, errors, notes)

    # -- one evaluation

    def check(
        self,
        caller: Caller,
        action: str,
        resource: str,
        *,
        account: str,
        region: str | None,
        policy: Attached | None,
        tags: Iterable[tuple[str, str]] = (),
        tag_prefixes: tuple[str, ...] = (),
        keys: Iterable[tuple[str, Values]] = (),
        context: Iterable[tuple[str, Values]] = (),
        aws_managed_key: bool = False,
        purpose: str = "",
        optional: bool = False,
    ) -> Step:
        world, principal = self.world, caller.principal
        acct = world.account(account)
        org = world.organization
        org_id = acct.org_id or (org.id if org and account == org.management_account else None)
        org_path = acct.org_path or ((org.root_id,) if org and org_id == org.id else ())
        base = _base_context(principal, account, region, tuple(tags), org_id, org_path, tag_prefixes)
        derived = list(keys)
        given = []
        for key, values in context:  # principal keys are always derived, never taken (§7.1)
            if _principal_key(key):
                self.notes.append(
                    f"{key} in the request context is ignored: AWS derives it from the principal"
                )
            else:
                given.append((key, values))
        if principal.type is PrincipalType.SESSION and not any(
            k.lower() == "aws:tokenissuetime" for k, _ in given
        ):
            now = next((v for k, v in given if k.lower() == "aws:currenttime"), None)
            if now:
                derived.append(("aws:TokenIssueTime", now))
        ctx = base.extended([*derived, *given])
        req = EvalRequest(
            principal,
            action,
            resource,
            account,
            ctx,
            caller.identity,
            caller.boundary,
            caller.session,
            policy,
            world.scp_levels(principal.account),
            world.rcp_levels(account),
            aws_managed_key,
        )
        step = Step(action, resource, evaluate(req), purpose, optional)
        self.steps.append(step)
        return step

    # -- AssumeRole (§11)

    def assume_role(self, caller: Caller, step: AssumeRoleStep) -> Caller | None:
        refused = [p for p in step.session_policies if not p.valid]
        if refused:  # STS refuses the call before it decides anything (§3, MalformedPolicyDocument)
            for i, policy in enumerate(refused):
                self.validation.append(
                    ValidationError(
                        "session policy",
                        "MalformedPolicyDocument",
                        "; ".join(p.message for p in policy.errors),
                        tuple(p.to_dict() for p in policy.errors),
                        where=f"session policy {i + 1} passed to AssumeRole {step.role_arn}",
                    )
                )
            return None
        result = self.assume_role_check(
            caller, step.role_arn, step.context, step.session_name, step.session_tags
        )
        if not result.allowed:
            return None
        role = self.world.role(step.role_arn)
        assert role is not None
        session_arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{step.session_name}"
        base = self.world.principal(session_arn)
        principal = base.with_(
            role_arn=role.arn,
            unique_id=role.role_id,
            tags=overlay_tags(role.tags, step.session_tags),  # session tags win (§11.3)
            has_boundary=role.permissions_boundary is not None,
            service_linked=role.service_linked,
            notes=(),
        )
        identity = self.world.identity_policies(principal)
        session = tuple(
            Attached(f"session policy {i + 1} passed to AssumeRole {step.session_name}", p)
            for i, p in enumerate(step.session_policies)
        )
        return Caller(principal, identity, self.world.boundary(principal), session)

    def assume_role_check(
        self,
        caller: Caller,
        role_arn: str,
        context: Iterable[tuple[str, Values]],
        session_name: str | None = None,
        session_tags: Iterable[tuple[str, str]] = (),
    ) -> Step:
        role = self.world.role(role_arn)
        arn = Arn.parse(role_arn)
        account = arn.account if arn else caller.principal.account
        keys: list[tuple[str, Values]] = []
        if session_name:
            keys.append(("sts:RoleSessionName", (session_name,)))
        tags = list(session_tags)
        if tags:
            keys += [(f"aws:RequestTag/{k}", (v,)) for k, v in tags]
            keys.append(("aws:TagKeys", tuple(k for k, _ in tags)))
        if role is None:
            self.notes.append(f"role {role_arn} is not in the world: it has no trust policy")
            policy = None
            role_tags: tuple[tuple[str, str], ...] = ()
        else:
            role_arn = role.arn
            policy = (
                Attached(f"trust policy of role {role.name}", role.trust_policy)
                if role.trust_policy
                else None
            )
            role_tags = role.tags
        return self.check(
            caller,
            "sts:AssumeRole",
            role_arn,
            account=account,
            region=None,
            policy=policy,
            tags=role_tags,
            tag_prefixes=("iam",),
            keys=keys,
            context=context,
            purpose="assume the role",
        )

    # -- the requested action

    def action(self, caller: Caller) -> None:
        action = self.request.action
        service = action.partition(":")[0].lower()
        context = self.request.context
        if service == "secretsmanager":
            self.secretsmanager(caller)
        elif service == "kms":
            key = self.world.key(self.request.resource, account=caller.principal.account)
            self.kms(caller, action, key, self.request.resource, context, via_secret=None, purpose="")
        elif action.lower() == "sts:assumerole":
            self.assume_role_check(caller, self.request.resource, context)
        else:
            resource = self.request.resource
            arn = Arn.parse(resource)
            account = arn.account if arn and arn.account else caller.principal.account
            self.check(
                caller,
                action,
                resource,
                account=account,
                region=arn.region if arn else None,
                policy=None,
                context=context,
            )

    def kms(
        self,
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
    ) -> Step:
        keys: list[tuple[str, Values]] = [("kms:CallerAccount", (caller.principal.account,))]
        if key is None:
            arn = Arn.parse(resource)
            self.notes.append(f"KMS key {resource} is not in the world: it has no key policy")
            return self.check(
                caller,
                action,
                resource,
                account=arn.account if arn else caller.principal.account,
                region=arn.region if arn else None,
                policy=None,
                keys=keys,
                context=context,
                purpose=purpose,
                optional=optional,
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
        policy = Attached(f"key policy of {key.label}", key.key_policy) if key.key_policy else None
        if key.has_grants:
            self.notes.append(f"grants on {key.label} are not evaluated (§9.10)")
        return self.check(
            caller,
            action,
            key.arn,
            account=key.account,
            region=key.region,
            policy=policy,
            tags=key.tags,
            keys=keys,
            context=context,
            aws_managed_key=key.aws_managed,
            purpose=purpose,
            optional=optional,
        )

    # -- Secrets Manager (§10)

    def secretsmanager(self, caller: Caller) -> None:
        req, world = self.request, self.world
        op = req.action.partition(":")[2]
        params = req.parameters
        if op.lower() == "batchgetsecretvalue":
            self.batch_get(caller, params)
            return
        secret = world.secret(req.resource, account=caller.principal.account) if req.resource != "*" else None
        if secret is None and not req.resource.startswith("arn:") and req.resource != "*":
            self.notes.append(
                f"no secret named {req.resource!r} in account {caller.principal.account}: "
                "a bare name resolves in the caller's own account; use the ARN across "
                "accounts (§10.4)"
            )
        arn = secret.arn if secret else req.resource
        parsed = Arn.parse(arn)
        account = (
            secret.account
            if secret
            else parsed.account
            if parsed and parsed.account
            else caller.principal.account
        )
        region = secret.region if secret else parsed.region if parsed else None
        key, old_key = self.secret_keys(secret, params, account, region)
        keys = sm.request_keys(op, arn if arn != "*" else None, params, key.arn if key else None)
        if secret is not None and secret.region:
            keys.append(("secretsmanager:SecretPrimaryRegion", (secret.region,)))
        main = self.on_secret(caller, req.action, secret, arn, account, region, keys)
        if not main.allowed:
            return
        versions = dict(secret.versions) if secret else {}
        plan = sm.plan(
            op,
            params,
            key_is_aws_managed=bool(key and key.aws_managed),
            key_changed=old_key is not None,
            version_id=self.version_id(params, versions),
            versions=versions,
        )
        self.notes.extend(plan.notes)
        unknown = secret is None and op.lower() != "createsecret"
        if unknown and any(s.action.startswith("kms:") for s in plan.steps):
            self.notes.append(
                f"{req.resource} is not a secret of the world: its key is unknown, so the KMS "
                "calls are not evaluated (AWS answers ResourceNotFoundException for a "
                "secret that does not exist, §10.9)"
            )
        for sub in plan.steps:
            if unknown and sub.action.startswith("kms:"):
                continue
            step = self.sub_request(caller, sub, secret, arn, account, region, key, old_key)
            if not step.allowed and not step.optional:
                return
        if op.lower() in ("putresourcepolicy", "validateresourcepolicy"):
            self.validate_resource_policy(op, params)

    def on_secret(
        self,
        caller: Caller,
        action: str,
        secret: Secret | None,
        arn: str,
        account: str,
        region: str | None,
        keys: Iterable[tuple[str, Values]],
        purpose: str = "",
    ) -> Step:
        """A Secrets Manager check on a secret (or on a new secret's ARN): its policy and tags."""
        return self.check(
            caller,
            action,
            arn,
            account=account,
            region=region,
            policy=_secret_policy(secret),
            tags=secret.tags if secret else (),
            tag_prefixes=("secretsmanager",),
            keys=keys,
            context=self.request.context,
            purpose=purpose,
        )

    def secret_keys(
        self, secret: Secret | None, params: Mapping[str, Any], account: str, region: str | None
    ) -> tuple[Key | None, Key | None]:
        """(the key the operation uses, the key it replaces on an UpdateSecret key change)."""
        world = self.world
        current = (
            world.secret_key(secret)
            if secret
            else (world.aws_managed_key(account, region) if region else None)
        )
        requested = params.get("KmsKeyId")
        if not requested:
            return current, None
        key = world.key(str(requested), account=account, region=region)
        if key is None:
            self.notes.append(f"KmsKeyId {requested} is not a key of the world")
            return current, None
        changed = secret is not None and current is not None and key.arn != current.arn
        return key, (current if changed else None)

    def sub_request(
        self,
        caller: Caller,
        sub: sm.SubRequest,
        secret: Secret | None,
        arn: str,
        account: str,
        region: str | None,
        key: Key | None,
        old_key: Key | None,
    ) -> Step:
        if sub.action.startswith("kms:"):
            target = old_key if sub.target is sm.Target.OLD_KEY else key
            via = secret or Secret(arn, arn, account, region or "")
            return self.kms(
                caller,
                sub.action,
                target,
                target.arn if target else arn,
                self.request.context,
                via_secret=via,
                purpose=sub.purpose,
                version_id=sub.version_id,
                optional=sub.optional,
            )
        if sub.target is sm.Target.LAMBDA:
            fn = str(self.request.parameters.get("RotationLambdaARN"))
            parsed = Arn.parse(fn)
            self.notes.append("Lambda function policies are not modelled")
            return self.check(
                caller,
                sub.action,
                fn,
                account=parsed.account if parsed else account,
                region=parsed.region if parsed else region,
                policy=None,
                context=self.request.context,
                purpose=sub.purpose,
            )
        return self.on_secret(
            caller,
            sub.action,
            secret,
            arn,
            account,
            region,
            sm.request_keys(sub.action.partition(":")[2], arn, self.request.parameters, None),
            purpose=sub.purpose,
        )

    def batch_get(self, caller: Caller, params: Mapping[str, Any]) -> None:
        req = self.request
        main = self.check(
            caller,
            req.action,
            "*",
            account=caller.principal.account,
            region=None,
            policy=None,
            context=req.context,
        )
        if not main.allowed:
            return
        if (
            params.get("Filters")
            and not self.check(
                caller,
                "secretsmanager:ListSecrets",
                "*",
                account=caller.principal.account,
                region=None,
                policy=None,
                context=req.context,
                purpose="BatchGetSecretValue with Filters",
            ).allowed
        ):
            return
        ids = params.get("SecretIdList") or []
        for ref in ids if isinstance(ids, list) else []:
            secret = self.world.secret(str(ref), account=caller.principal.account)
            if secret is None:
                self.notes.append(f"secret {ref} is not in the world")
                continue
            step = self.on_secret(
                caller,
                "secretsmanager:GetSecretValue",
                secret,
                secret.arn,
                secret.account,
                secret.region,
                sm.request_keys("GetSecretValue", secret.arn, {}, None),
                purpose="BatchGetSecretValue needs GetSecretValue on each secret",
            )
            if not step.allowed:
                return
            key = self.world.secret_key(secret)
            versions = dict(secret.versions)
            if not self.kms(
                caller,
                "kms:Decrypt",
                key,
                key.arn,
                req.context,
                via_secret=secret,
                purpose="decrypt the secret value",
                version_id=versions.get("AWSCURRENT"),
            ).allowed:
                return

    @staticmethod
    def version_id(params: Mapping[str, Any], versions: Mapping[str, str]) -> str | None:
        if params.get("VersionId"):
            return str(params["VersionId"])
        return versions.get(str(params.get("VersionStage") or "AWSCURRENT"))

    def validate_resource_policy(self, op: str, params: Mapping[str, Any]) -> None:
        """PutResourcePolicy/ValidateResourcePolicy check the policy they are given (§3.4, §3.11)."""
        doc = params.get("ResourcePolicy")
        if doc is None:
            return
        policy = read_policy(doc, PolicyKind.RESOURCE)
        if not policy.valid:
            errors = policy.errors
            self.validation.append(
                ValidationError(
                    "request ResourcePolicy",
                    "MalformedPolicyDocument",
                    "; ".join(p.message for p in errors),
                    tuple(p.under("parameters", "ResourcePolicy").to_dict() for p in errors),
                )
            )
            return
        broad = public_statements(policy)
        if not broad:
            return
        detail = "the policy allows broad access: " + ", ".join(s.label for s in broad)
        if op.lower() == "putresourcepolicy" and params.get("BlockPublicPolicy") is True:
            self.validation.append(ValidationError("request ResourcePolicy", "PublicPolicy", detail))
        elif op.lower() == "validateresourcepolicy":
            self.notes.append(f"ValidateResourcePolicy returns PolicyValidationPassed=false: {detail}")
        else:
            self.notes.append(f"stored without BlockPublicPolicy (false by default): {detail}")


@lru_cache(maxsize=8192)
def _base_context(
    principal: Principal,
    account: str,
    region: str | None,
    tags: tuple[tuple[str, str], ...],
    org_id: str | None,
    org_path: tuple[str, ...],
    tag_prefixes: tuple[str, ...],
) -> Context:
    """The keys AWS derives from the caller and the resource (§7.1–7.2), shared by every request
    between them; a request adds its own keys with ``Context.extended``."""
    return Context.of(
        [
            *principal_keys(principal),
            *_resource_keys(account, region, tags, org_id, org_path, tag_prefixes),
            ("aws:ViaAWSService", ("false",)),
        ]
    )


@lru_cache(maxsize=4096)
def _resource_keys(
    account: str,
    region: str | None,
    tags: tuple[tuple[str, str], ...],
    org_id: str | None,
    org_path: tuple[str, ...],
    tag_prefixes: tuple[str, ...],
) -> tuple[tuple[str, Values], ...]:
    return tuple(
        resource_keys(
            account, region, dict(tags), org_id=org_id, org_path_=org_path, tag_prefixes=tag_prefixes
        )
    )


def _refs(decision: Decision) -> set[str]:
    """Every principal, role, resource and account a decision looked at (to find its gaps)."""
    refs = {decision.request.principal, decision.request.resource}
    for step in decision.steps:
        ev = step.evaluation
        p = ev.principal
        refs.update(
            x for x in (p.arn, p.role_arn, p.source_user, p.account, ev.resource, ev.resource_account) if x
        )
    return refs


def _secret_policy(secret: Secret | None) -> Attached | None:
    if secret is None or secret.resource_policy is None:
        return None
    return Attached(f"secret policy of {secret.name}", secret.resource_policy)


def _principal_key(key: str) -> bool:
    lower = key.lower()
    return (
        lower in IDENTITY_KEYS
        or lower.startswith("aws:principaltag/")
        or lower in ("aws:principalorgid", "aws:principalorgpaths", "aws:principalisawsservice")
    )


def _sm_only(key: str) -> bool:
    """Keys of the Secrets Manager request that the KMS sub-request does not carry (§7.5)."""
    lower = key.lower()
    return lower.startswith("secretsmanager:") or lower.startswith("aws:requesttag/") or lower in _FAS_DROPPED
