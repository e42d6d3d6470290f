"""The error a caller sees from AWS for a denied request, derived from the decision the core
recorded: which call failed (the requested action, the KMS call Secrets Manager made for the
caller, an AssumeRole hop) and the reason code of that call.

AWS writes most access denied messages as ``User: <principal ARN> is not authorized to perform:
<action> on resource: <resource ARN> <context>``, where the context is ``with an explicit deny in a
<type> policy`` or ``because no <type> policy allows the <action> action``; when several policy
types deny, the message names only one of them; an SCP implicit deny is worded ``because no service
control policy allows …`` here, although AWS notes that such a message may say "explicit deny"
even when the denial is implicit. Some services (AWS STS among them) do not add the
context. When the ``kms:Decrypt`` that Secrets Manager makes for the caller is denied, the caller of
``GetSecretValue`` sees Secrets Manager's own ``Access to KMS is not allowed`` (AWS re:Post lists it
with a variant for a secret on ``aws/secretsmanager`` read from another account, "You can't access
a secret from a different AWS account if you encrypt the secret with the default KMS service key",
which secretslab does not choose between); the sentence of the KMS call itself is kept in
``AccessDenied.call``. Messages may also carry the ARN of the denying
policy and an authorization ID; secretslab does not invent either.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html,
https://repost.aws/knowledge-center/secrets-manager-cross-account-key (``Access to KMS is not
allowed``), https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
(``PublicPolicyException``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..evaluation.results import Reason

if TYPE_CHECKING:
    from .decision import Decision, Step

#: the policy type each denial names, as AWS words it in access denied messages (semantics §12 codes)
_EXPLICIT = {
    Reason.EXPLICIT_DENY_IDENTITY: "an identity-based policy",
    Reason.EXPLICIT_DENY_BOUNDARY: "a permissions boundary",
    Reason.EXPLICIT_DENY_SESSION: "a session policy",
    Reason.EXPLICIT_DENY_RESOURCE: "a resource-based policy",
    Reason.EXPLICIT_DENY_SCP: "a service control policy",
    Reason.EXPLICIT_DENY_RCP: "a resource control policy",
}
_IMPLICIT = {
    Reason.NO_APPLICABLE_ALLOW: "identity-based policy",
    Reason.XACCT_NO_IDENTITY_GRANT: "identity-based policy",
    Reason.XACCT_NO_RESOURCE_GRANT: "resource-based policy",
    Reason.KMS_KEY_POLICY_NO_GRANT: "resource-based policy",
    Reason.PB_IMPLICIT_DENY: "permissions boundary",
    Reason.SESSION_POLICY_IMPLICIT_DENY: "session policy",
    Reason.SCP_IMPLICIT_DENY: "service control policy",
}
_CODE = {"sts": "AccessDenied"}  # the error code each service returns; AccessDeniedException otherwise
KMS_NOT_ALLOWED = "Access to KMS is not allowed"
PUBLIC_POLICY = (
    "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad "
    "access to the secret."
)


@dataclass(frozen=True, slots=True)
class AccessDenied:
    """What the caller of a denied request gets back: the error ``code``, the API ``operation`` it
    called, the ``message``, and ``call``, the authorization sentence of the call that failed (the
    same as the message, except when Secrets Manager reports a failed KMS call in its own words).
    ``str()`` is the line the AWS CLI prints."""

    code: str
    operation: str
    message: str
    call: str

    def __str__(self) -> str:
        return f"An error occurred ({self.code}) when calling the {self.operation} operation: {self.message}"


def authorization_sentence(step: Step) -> str:
    """``User: … is not authorized to perform: … on resource: …`` with the context AWS adds for the
    reason of ``step`` (none for AWS STS, which gives no context, nor for a reason with no policy
    type, such as an action that cannot be used across accounts)."""
    reason = step.evaluation.reason
    text = f"User: {step.principal} is not authorized to perform: {step.action} on resource: {step.resource}"
    if step.action.split(":", 1)[0].lower() == "sts":
        return text
    if reason in _EXPLICIT:
        return f"{text} with an explicit deny in {_EXPLICIT[reason]}"
    if reason in _IMPLICIT:
        return f"{text} because no {_IMPLICIT[reason]} allows the {step.action} action"
    return text


def access_denied(decision: Decision) -> AccessDenied | None:
    """The error AWS returns for ``decision``; None when it is allowed, or when it failed for a reason
    that is not an authorization check (a policy AWS refuses as malformed)."""
    if decision.allowed:
        return None
    requested = decision.request.action
    service, _, operation = requested.partition(":")
    if decision.reason is Reason.PUBLIC_POLICY_BLOCKED:
        return AccessDenied("PublicPolicyException", operation, PUBLIC_POLICY, PUBLIC_POLICY)
    step = decision.failed_step
    if step is None:
        return None
    call = authorization_sentence(step)
    failed_service = step.action.split(":", 1)[0].lower()
    if failed_service == "kms" and service.lower() == "secretsmanager":
        return AccessDenied("AccessDeniedException", operation, KMS_NOT_ALLOWED, call)
    if failed_service == "sts" and service.lower() != "sts":  # an AssumeRole hop of the chain failed
        return AccessDenied(_CODE["sts"], step.action.split(":", 1)[1], call, call)
    return AccessDenied(_CODE.get(service.lower(), "AccessDeniedException"), operation, call, call)
