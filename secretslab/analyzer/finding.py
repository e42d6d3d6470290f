"""What a finding is: a stable code (``FindingCode``; its severity and title in ``CATALOGUE``), the
ARN it is about, the JSON path of the offending element in the world format (semantics §1.1), the
``PolicyRef`` of the policy it concerns (so a fix or a UI acts on it without parsing the path),
what is wrong and how to fix it.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..pages import (
    ACCESS_ANALYZER_FINDINGS,
    CONFUSED_DEPUTY,
    GRAMMAR,
    KEY_POLICY_DEFAULT,
    POLICY_CHECKS,
    SECRETS_MANAGER_CROSS_ACCOUNT,
    SECRETS_MANAGER_ENCRYPTION,
)
from ..policy.refs import PolicyRef
from ..problems import Severity


class FindingCode(StrEnum):
    """The stable code of a finding: tests and users match on it, never on wording."""

    PUBLIC_SECRET_POLICY = "PUBLIC_SECRET_POLICY"
    CROSS_ACCOUNT_PUT_RESOURCE_POLICY = "CROSS_ACCOUNT_PUT_RESOURCE_POLICY"
    INVALID_POLICY = "INVALID_POLICY"
    EXTERNAL_ACCESS = "EXTERNAL_ACCESS"
    CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY = "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"
    KEY_POLICY_LOCKS_OUT_ACCOUNT = "KEY_POLICY_LOCKS_OUT_ACCOUNT"
    IDENTITY_READS_ALL_SECRETS = "IDENTITY_READS_ALL_SECRETS"
    TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION = "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION"

    @property
    def page(self) -> str:
        """The AWS documentation page about what the finding reports."""
        return FINDING_PAGE[self]


H, M = Severity.HIGH, Severity.MEDIUM

#: code -> (severity, title)
CATALOGUE: dict[FindingCode, tuple[Severity, str]] = {
    FindingCode.PUBLIC_SECRET_POLICY: (
        H,
        "the secret policy lets any principal in, without a pinning condition",
    ),
    FindingCode.CROSS_ACCOUNT_PUT_RESOURCE_POLICY: (H, "another account may rewrite the secret policy"),
    FindingCode.INVALID_POLICY: (H, "AWS would reject this policy; it is ignored in every decision"),
    FindingCode.EXTERNAL_ACCESS: (H, "the secret policy lets in a principal outside the organization"),
    FindingCode.CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY: (
        M,
        "a cross-account grant on a secret encrypted with aws/secretsmanager can never work",
    ),
    FindingCode.KEY_POLICY_LOCKS_OUT_ACCOUNT: (
        M,
        "no principal of the key's own account is in its key policy",
    ),
    FindingCode.IDENTITY_READS_ALL_SECRETS: (M, "an identity policy reads every secret, without conditions"),
    FindingCode.TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION: (
        M,
        "another account may assume the role without any condition",
    ),
}

#: code -> the AWS page about what the finding reports
FINDING_PAGE: dict[FindingCode, str] = {
    FindingCode.PUBLIC_SECRET_POLICY: POLICY_CHECKS,
    FindingCode.CROSS_ACCOUNT_PUT_RESOURCE_POLICY: SECRETS_MANAGER_CROSS_ACCOUNT,
    FindingCode.INVALID_POLICY: GRAMMAR,
    FindingCode.EXTERNAL_ACCESS: ACCESS_ANALYZER_FINDINGS,
    FindingCode.CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY: SECRETS_MANAGER_ENCRYPTION,
    FindingCode.KEY_POLICY_LOCKS_OUT_ACCOUNT: KEY_POLICY_DEFAULT,
    FindingCode.IDENTITY_READS_ALL_SECRETS: POLICY_CHECKS,
    FindingCode.TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION: CONFUSED_DEPUTY,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding of a check on one policy of the world."""

    code: FindingCode
    severity: Severity
    resource: str  # the ARN the finding is about
    location: str  # JSON path in the world format (semantics §1.1)
    message: str
    hint: str
    ref: PolicyRef | None = None  # the policy the finding is about

    def __post_init__(self) -> None:
        # a plain string of a known code is accepted, and kept as its FindingCode
        object.__setattr__(self, "code", FindingCode(self.code))

    @property
    def title(self) -> str:
        """The short title of the finding's code, from ``CATALOGUE``."""
        return CATALOGUE[self.code][1]

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data; ``policy`` (the ``PolicyRef`` as text) only when it
        concerns a policy."""
        out: dict[str, Any] = {
            "code": self.code.value,
            "severity": self.severity.value,
            "title": self.title,
            "resource": self.resource,
            "location": self.location,
            "message": self.message,
            "hint": self.hint,
        }
        if self.ref is not None:
            out["policy"] = str(self.ref)
        return out

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.code.value}: {self.message} ({self.hint})"
