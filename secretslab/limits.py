"""Every size, character and name limit secretslab applies, in one place: the quotas AWS enforces
(each with its AWS page) and the input limits of our own (each with why), semantics §3.13.

How a policy's size is counted (``Count``): AWS counts the JSON text as submitted. A document
given as text is measured as it is; a document given as a parsed object (a dict in a scenario or
in the Python API) is measured by its compact serialisation (no whitespace between tokens,
non-ASCII characters kept as they are), the smallest text that could have been submitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# the AWS pages that state the quotas (every page user-facing text cites lives in ``pages``)
from .pages import ASSUME_ROLE as ASSUME_ROLE
from .pages import CREATE_ALIAS as CREATE_ALIAS
from .pages import CREATE_SECRET as CREATE_SECRET
from .pages import IAM_QUOTAS as IAM_QUOTAS
from .pages import KMS_QUOTAS as KMS_QUOTAS
from .pages import ORGANIZATIONS_QUOTAS as ORGANIZATIONS_QUOTAS
from .pages import SECRETS_MANAGER_QUOTAS as SECRETS_MANAGER_QUOTAS


class Count(StrEnum):
    """How a quota measures a document: every character, characters other than whitespace (IAM
    does not count whitespace), or UTF-8 bytes (KMS)."""

    CHARACTERS = "characters"
    NON_WHITESPACE = "characters, whitespace not counted"
    BYTES = "bytes"


@dataclass(frozen=True, slots=True)
class SizeLimit:
    """One size quota: the largest size allowed, how it is counted, what it applies to and the AWS
    page that states it."""

    limit: int
    count: Count
    what: str
    page: str


# -- policy document sizes (AWS)

#: Secrets Manager: "Resource-based policy length: 20,480 characters" (reference_limits.html).
SECRET_POLICY_CHARS = 20_480
#: IAM: customer managed policy size 6,144 characters; "IAM doesn't count white space"
#: (reference_iam-quotas.html). A permissions boundary is a managed policy.
MANAGED_POLICY_CHARS = 6_144
#: IAM: aggregate size of all inline policies of a user, a role, a group (whitespace not counted).
USER_INLINE_CHARS = 2_048
ROLE_INLINE_CHARS = 10_240
GROUP_INLINE_CHARS = 5_120
#: IAM: role trust policy length 2,048 characters by default (whitespace not counted); an account
#: may have it raised through Service Quotas, up to 4,096 (reference_iam-quotas.html).
TRUST_POLICY_CHARS = 2_048
TRUST_POLICY_CHARS_MAX = 4_096
#: Organizations: maximum size of an SCP and of an RCP document, 5,120 characters
#: (orgs_reference_limits.html).
SCP_CHARS = 5_120
RCP_CHARS = 5_120
#: KMS: key policy document size 32 KB, 32,768 bytes (resource-limits.html).
KEY_POLICY_BYTES = 32_768
#: STS: the plaintext of inline and managed session policies can't exceed 2,048 characters
#: (reference_iam-quotas.html; API_AssumeRole.html, parameter Policy).
SESSION_POLICY_CHARS = 2_048

#: The quota of each policy kind (``PolicyKind`` values). An identity policy is measured against
#: the managed-policy quota; the world also checks each holder's inline aggregate (``world.limits``).
POLICY_SIZE: dict[str, SizeLimit] = {
    "resource": SizeLimit(
        SECRET_POLICY_CHARS, Count.CHARACTERS, "a secret resource policy", SECRETS_MANAGER_QUOTAS
    ),
    "identity": SizeLimit(
        MANAGED_POLICY_CHARS, Count.NON_WHITESPACE, "a customer managed policy", IAM_QUOTAS
    ),
    "boundary": SizeLimit(
        MANAGED_POLICY_CHARS, Count.NON_WHITESPACE, "a managed policy (permissions boundary)", IAM_QUOTAS
    ),
    "trust": SizeLimit(TRUST_POLICY_CHARS, Count.NON_WHITESPACE, "a role trust policy", IAM_QUOTAS),
    "scp": SizeLimit(SCP_CHARS, Count.CHARACTERS, "a service control policy", ORGANIZATIONS_QUOTAS),
    "rcp": SizeLimit(RCP_CHARS, Count.CHARACTERS, "a resource control policy", ORGANIZATIONS_QUOTAS),
    "key": SizeLimit(KEY_POLICY_BYTES, Count.BYTES, "a KMS key policy", KMS_QUOTAS),
    "session": SizeLimit(SESSION_POLICY_CHARS, Count.CHARACTERS, "a session policy", IAM_QUOTAS),
}

#: A role's identity policy may be as large as the role's inline quota: larger than a managed
#: policy it can only be inline, and the role's inline policies together are checked by the world.
ROLE_POLICY_SIZE = SizeLimit(ROLE_INLINE_CHARS, Count.NON_WHITESPACE, "a role's inline policy", IAM_QUOTAS)

#: A session policy in a list that mixes the inline ``Policy`` and managed ``PolicyArns`` (a world's
#: ``session_policies``, a request's ``assume_role_chain``): which one is inline is not recorded,
#: and any of them may be managed, so each is held to the managed-policy quota.
LISTED_SESSION_POLICY = SizeLimit(
    MANAGED_POLICY_CHARS,
    Count.NON_WHITESPACE,
    "a managed session policy (an inline one: 2,048 characters)",
    IAM_QUOTAS,
)

#: The inline-policy aggregate of each kind of holder (IAM quotas page).
INLINE_AGGREGATE: dict[str, SizeLimit] = {
    "user": SizeLimit(USER_INLINE_CHARS, Count.NON_WHITESPACE, "a user's inline policies", IAM_QUOTAS),
    "role": SizeLimit(ROLE_INLINE_CHARS, Count.NON_WHITESPACE, "a role's inline policies", IAM_QUOTAS),
    "group": SizeLimit(GROUP_INLINE_CHARS, Count.NON_WHITESPACE, "a group's inline policies", IAM_QUOTAS),
}

# -- characters and names (AWS)

#: IAM: "Policy documents can contain only the following Unicode characters: horizontal tab
#: (U+0009), linefeed (U+000A), carriage return (U+000D), and characters in the range U+0020 to
#: U+00FF" (reference_iam-quotas.html). A character class: linear time, no backtracking.
POLICY_BAD_CHARACTER = re.compile("[^\t\n\r\x20-\xff]")
#: IAM: names of users, groups, roles and policies are alphanumeric plus ``+=,.@_-`` (ASCII only).
IAM_NAME = re.compile(r"\A[A-Za-z0-9+=,.@_-]+\Z")
#: IAM quotas page, "IAM and STS character limits": user name 64, role name 64, group name 128,
#: policy name 128, path 512.
IAM_NAME_LENGTH: dict[str, int] = {"user": 64, "role": 64, "group": 128, "policy": 128}
IAM_PATH_LENGTH = 512
#: IAM: a path begins and ends with ``/``; between, name characters and ``/``.
IAM_PATH_CHARACTERS = re.compile(r"\A[A-Za-z0-9+=,.@_/-]*\Z")
#: STS AssumeRole, RoleSessionName: 2 to 64 characters of ``[\w+=,.@-]`` (API_AssumeRole.html);
#: ``\w`` there means ASCII letters, digits and underscore.
SESSION_NAME = re.compile(r"\A[A-Za-z0-9_+=,.@-]{2,64}\Z")

#: Secrets Manager CreateSecret, Name: 1 to 512 characters, ASCII letters, digits and ``/_+=.@-``.
SECRET_NAME = re.compile(r"\A[A-Za-z0-9/_+=.@-]{1,512}\Z")
#: KMS CreateAlias, AliasName: ``alias/`` then letters, digits and ``/_-``, 1 to 256 characters in
#: all; ``alias/aws/`` is reserved for AWS managed keys.
KMS_ALIAS = re.compile(r"\Aalias/[A-Za-z0-9/_-]{1,250}\Z")

# -- input limits of our own

#: Our own limit: the deepest nesting of lists and objects a scenario, policy or batch line may
#: have. The deepest real world is about a dozen levels; a bound keeps every recursive reader
#: (Python's JSON and YAML code, the policy reader) far from Python's recursion limit.
MAX_DEPTH = 100
#: Our own limit: digits of an integer. Python refuses to convert more than 4,300 digits
#: (``sys.int_info.default_max_str_digits``); no AWS value is longer than a few dozen digits.
MAX_INT_DIGITS = 1_000
#: Our own limit: the size of a scenario file. The largest imported worlds are a few megabytes; a
#: bound keeps reading a file (or a device given as one) from exhausting memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Our own limit: the length of one batch line (one request with its policies, usually a few KB);
#: a longer line is reported and skipped without being held in memory.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: Our own limit: YAML nodes after aliases are expanded ("billion laughs": a few lines of anchors
#: that expand to billions of values). Counted on the composed node graph, before any value is built.
MAX_YAML_NODES = 1_000_000
#: Our own limit: the values a Python value given to the API holds when walked as JSON would write
#: it, a list or dict held in several places counted each time (shared or cyclic values: a few
#: lines of Python can make a value that expands to billions, as YAML aliases can).
MAX_VALUES = 1_000_000
#: Our own limit: the worker processes a matrix is shared among on this machine (more than its
#: CPUs gains nothing; a cluster is reached through an executor instead).
MAX_WORKERS = 64
#: Our own limit: the places one value reports as nesting too deep or holding a key that is not
#: text (a cyclic value has no end of them); the value is refused at the first anyway.
MAX_DEEP_PLACES = 20
#: Our own limits: the AWS CLI output an import from dumps reads (``aws.dumps``), all files of one
#: account's folder together. Each file is held to ``MAX_FILE_BYTES``; the IAM details of a large account
#: are tens of megabytes, and a bound on the sum and on the count of files keeps a folder given by
#: mistake (a home directory) from being read whole.
MAX_DUMP_BYTES = 256 * 1024 * 1024
MAX_DUMP_FILES = 100_000


#: Organizations: OUs nest at most five levels deep under a root, so the levels above an account
#: are the root, up to five OUs and the account itself (orgs_reference_limits.html).
ORG_LEVELS = 7
#: Organizations: at most five SCPs (and five RCPs) attached to one root, OU or account.
POLICIES_PER_TARGET = 5
