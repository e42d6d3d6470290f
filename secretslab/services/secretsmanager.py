"""AWS Secrets Manager: which operations work across accounts (§10.4), the request condition keys
an API call carries (§7.4), and the operation table of §10.2 — the extra IAM actions each
operation needs and the KMS calls Secrets Manager makes on the caller's behalf. The table is a
plan of plain values; ``authorization.py`` carries it out against a world.

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
API reference pages API_<Operation>.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..evaluation.context import Values, as_values
from ..evaluation.rules import ServiceRules
from ..pages import PUT_SECRET_VALUE, SECRETS_MANAGER_ENCRYPTION, UPDATE_SECRET
from ..policy import catalog

RULES = ServiceRules(
    service="secretsmanager",
    cross_account_actions=catalog.cross_account_actions("secretsmanager"),
    rcp_supported=True,
)

#: the actions analyses ask about when none are named: read, describe, write, delete
DEFAULT_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
)
VALIDATE_VERSION = "RequestToValidateKeyAccess"  # encryption context of key-validation calls
SERVICE_PRINCIPAL = "secretsmanager.amazonaws.com"


class Target(StrEnum):
    """What a call of an operation acts on: the request's secret, its KMS key (or the new one), the
    key before an UpdateSecret changes it, the rotation Lambda function, or no resource (``*``)."""

    SECRET = "secret"  # the secret of the request
    KEY = "key"  # the key the operation encrypts with (current, or the new KmsKeyId)
    OLD_KEY = "old_key"  # the key before an UpdateSecret key change
    LAMBDA = "lambda"  # the rotation function
    ANY = "*"  # actions without a resource type


@dataclass(frozen=True, slots=True)
class SubRequest:
    """One extra call an operation needs (semantics §10.2): the IAM or KMS action, what it acts on,
    why it is made, the version id in its encryption context, and whether its failure leaves the
    operation standing (``optional``, A7)."""

    action: str
    target: Target
    purpose: str
    version_id: str | None = None  # kms:EncryptionContext:SecretVersionId
    optional: bool = False  # its failure does not fail the operation (A7)


@dataclass(frozen=True, slots=True)
class Plan:
    """The extra calls of one operation, in AWS's order, with notes on what is not modelled."""

    steps: tuple[SubRequest, ...]
    notes: tuple[str, ...] = ()


def has_value(params: Mapping[str, Any]) -> bool:
    """Whether the API parameters carry a secret value (``SecretString`` or ``SecretBinary``)."""
    return bool(params.get("SecretString") or params.get("SecretBinary"))


def plan(
    operation: str,
    params: Mapping[str, Any],
    *,
    key_is_aws_managed: bool,
    key_changed: bool,
    version_id: str | None,
    versions: Mapping[str, str],
) -> Plan:
    """Extra IAM actions and KMS sub-requests of ``operation`` (§10.2), in the order AWS makes them."""
    op = operation.lower()
    if op == "getsecretvalue":
        return Plan((SubRequest("kms:Decrypt", Target.KEY, "decrypt the secret value", version_id),))
    if op == "createsecret":
        return _create(params, key_is_aws_managed)
    if op == "putsecretvalue":
        return _put_value(params, versions)
    if op == "updatesecret":
        return _update(params, key_changed)
    if op == "validateresourcepolicy":
        return Plan(
            (
                SubRequest(
                    "secretsmanager:PutResourcePolicy",
                    Target.SECRET,
                    "ValidateResourcePolicy also requires PutResourcePolicy",
                ),
            )
        )
    if op == "rotatesecret" and params.get("RotationLambdaARN"):
        return Plan((SubRequest("lambda:InvokeFunction", Target.LAMBDA, "invoke the rotation function"),))
    if op == "replicatesecrettoregions" and not key_is_aws_managed:
        return Plan(
            (SubRequest("kms:Decrypt", Target.KEY, "read the primary secret to replicate it", version_id),),
            ("the replica Regions' keys (kms:GenerateDataKey, kms:Encrypt) are not modelled",),
        )
    return Plan(())


def _create(params: Mapping[str, Any], aws_managed: bool) -> Plan:
    steps: list[SubRequest] = []
    if params.get("Tags"):
        steps.append(SubRequest("secretsmanager:TagResource", Target.SECRET, "CreateSecret with Tags"))
    if params.get("AddReplicaRegions"):
        steps.append(
            SubRequest(
                "secretsmanager:ReplicateSecretToRegions",
                Target.SECRET,
                "CreateSecret with AddReplicaRegions",
            )
        )
    notes: list[str] = []
    if has_value(params):
        steps.append(SubRequest("kms:GenerateDataKey", Target.KEY, "encrypt the first version", "(new)"))
        if not aws_managed:
            steps.append(
                SubRequest(
                    "kms:Decrypt",
                    Target.KEY,
                    "CreateSecret with a customer managed key also needs kms:Decrypt",
                    "(new)",
                )
            )
    elif not aws_managed:
        steps.append(
            SubRequest("kms:GenerateDataKey", Target.KEY, "validate access to the key", VALIDATE_VERSION)
        )
        steps.append(SubRequest("kms:Decrypt", Target.KEY, "validate access to the key", VALIDATE_VERSION))
        notes.append(
            "assumed where AWS's pages differ: key-validation calls for a customer managed key "
            f"on CreateSecret without a value (see {SECRETS_MANAGER_ENCRYPTION})"
        )
    return Plan(tuple(steps), tuple(notes))


def _put_value(params: Mapping[str, Any], versions: Mapping[str, str]) -> Plan:
    steps = [
        SubRequest(
            "kms:GenerateDataKey",
            Target.KEY,
            "encrypt the new version",
            params.get("ClientRequestToken") or "(new)",
        )
    ]
    notes = [
        "assumed where AWS's pages differ: a new version needs only kms:GenerateDataKey "
        f"(see {PUT_SECRET_VALUE})"
    ]
    token = params.get("ClientRequestToken")
    if token and token in set(versions.values()):
        steps.append(
            SubRequest(
                "kms:Decrypt",
                Target.KEY,
                "compare with the existing version of the same ClientRequestToken",
                token,
            )
        )
    return Plan(tuple(steps), tuple(notes))


def _update(params: Mapping[str, Any], key_changed: bool) -> Plan:
    steps: list[SubRequest] = []
    notes: list[str] = []
    if key_changed:
        steps.append(
            SubRequest(
                "kms:GenerateDataKey",
                Target.KEY,
                "validate access to the new key",
                VALIDATE_VERSION,
            )
        )
        steps.append(
            SubRequest("kms:Decrypt", Target.KEY, "validate access to the new key", VALIDATE_VERSION)
        )
    if has_value(params) and not key_changed:  # with a key change, the call above covers it
        steps.append(SubRequest("kms:GenerateDataKey", Target.KEY, "encrypt the new version", "(new)"))
    if key_changed:
        steps.append(
            SubRequest(
                "kms:Decrypt",
                Target.OLD_KEY,
                "re-encrypt existing versions: decrypt with the old key",
                optional=True,
            )
        )
        steps.append(
            SubRequest(
                "kms:Encrypt",
                Target.KEY,
                "re-encrypt existing versions under the new key",
                optional=True,
            )
        )
        notes.append(
            "assumed where AWS's pages differ: without these the call succeeds and existing "
            f"versions stay under the old key (see {UPDATE_SECRET})"
        )
    return Plan(tuple(steps), tuple(notes))


# -- request condition keys (§7.4)

_PARAM_KEYS = {
    "VersionStage": "secretsmanager:VersionStage",
    "VersionId": "secretsmanager:VersionId",
    "BlockPublicPolicy": "secretsmanager:BlockPublicPolicy",
    "Name": "secretsmanager:Name",
    "Description": "secretsmanager:Description",
    "RecoveryWindowInDays": "secretsmanager:RecoveryWindowInDays",
    "ForceDeleteWithoutRecovery": "secretsmanager:ForceDeleteWithoutRecovery",
    "RotationLambdaARN": "secretsmanager:RotationLambdaARN",
    "RotateImmediately": "secretsmanager:RotateImmediately",
    "ForceOverwriteReplicaSecret": "secretsmanager:ForceOverwriteReplicaSecret",
}
_NO_SECRET_ID = frozenset({"createsecret", "listsecrets", "getrandompassword", "batchgetsecretvalue"})


def request_keys(
    operation: str, secret_arn: str | None, params: Mapping[str, Any], key_arn: str | None
) -> list[tuple[str, Values]]:
    """Condition keys an API call carries; present only when the caller passed the parameter."""
    keys: list[tuple[str, Values]] = []
    if secret_arn and operation.lower() not in _NO_SECRET_ID:
        keys.append(("secretsmanager:SecretId", (secret_arn,)))  # A16: the full ARN
    for param, key in _PARAM_KEYS.items():
        if param in params and params[param] is not None and not isinstance(params[param], (dict, list)):
            keys.append((key, as_values(params[param])))
    if params.get("KmsKeyId"):
        keys.append(("secretsmanager:KmsKeyId", (str(params["KmsKeyId"]),)))
        if key_arn:
            keys.append(("secretsmanager:KmsKeyArn", (key_arn,)))
    if params.get("RotationRules") is not None:
        keys.append(("secretsmanager:ModifyRotationRules", ("true",)))
    regions = params.get("AddReplicaRegions")
    if isinstance(regions, list):
        names = [r.get("Region", "") if isinstance(r, Mapping) else str(r) for r in regions]
        keys.append(("secretsmanager:AddReplicaRegions", tuple(names)))
    tags = params.get("Tags")
    if isinstance(tags, Mapping):
        keys.extend((f"aws:RequestTag/{k}", (str(v),)) for k, v in tags.items())
        keys.append(("aws:TagKeys", tuple(str(k) for k in tags)))
    elif isinstance(tags, list):  # the API's [{"Key": …, "Value": …}] form
        pairs = [(str(t.get("Key")), str(t.get("Value"))) for t in tags if isinstance(t, Mapping)]
        keys.extend((f"aws:RequestTag/{k}", (v,)) for k, v in pairs)
        keys.append(("aws:TagKeys", tuple(k for k, _ in pairs)))
    return keys
