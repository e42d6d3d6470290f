"""The AWS documentation pages that user-facing text links to, in one place. A problem message, a
note in an explanation, a CLI help text or a scenario's story cites the AWS page that states its
rule (a full URL an attendee can open), never a section of the team's design notes, which
attendees do not have; tests/test_no_section_refs.py keeps it so.

Every URL here was checked against the AWS documentation; ``limits`` takes its quota pages from
here too.
"""

from __future__ import annotations

# -- IAM: how a request is evaluated
EVALUATION_LOGIC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
CROSS_ACCOUNT_EVALUATION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
)
POLICY_TYPES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html"
SESSION_POLICIES = POLICY_TYPES + "#policies_session"
DENY_ALLOW = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
ROOT_USER = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"
PERMISSIONS_BOUNDARIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"

# -- IAM: the policy language
VERSION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
NOT_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
NOT_ACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
RESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
CONDITION_OPERATORS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
MULTIVALUED_KEYS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_condition-single-vs-multi-valued-context-keys.html"
)
GLOBAL_CONDITION_KEYS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
)
POLICY_VARIABLES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
ACCESS_ANALYZER_FINDINGS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"
CONFUSED_DEPUTY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
POLICY_CHECKS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
)
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

# -- STS and roles
ASSUME_ROLE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
ROLE_TRUST_POLICY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html"

# -- AWS Organizations
SCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
RCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
RCP_SYNTAX = (
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"
)
ORGANIZATIONS_QUOTAS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"

# -- AWS KMS
KEY_POLICIES = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"
KEY_POLICY_OVERVIEW = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"
KEY_POLICY_EXTERNAL_ACCOUNTS = (
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"
)
KEY_POLICY_DEFAULT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
KMS_GRANTS = "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"
KMS_CONDITION_KEYS = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"
CREATE_ALIAS = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"
ALIAS_AUTHORIZATION = "https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html"
KMS_QUOTAS = "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"

# -- AWS Secrets Manager
SECRETS_MANAGER_CROSS_ACCOUNT = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html"
)
SECRETS_MANAGER_ENCRYPTION = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"
)
SECRETS_MANAGER_PERMISSIONS = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html"
)
CROSS_ACCOUNT_ROLE_VS_POLICY = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/best-practice_cross-account-role-vs-account.html"
GET_SECRET_VALUE = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html"
PUT_RESOURCE_POLICY = (
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html"
)
UPDATE_SECRET = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecret.html"
PUT_SECRET_VALUE = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html"
CREATE_SECRET = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"
SECRETS_MANAGER_QUOTAS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html"
