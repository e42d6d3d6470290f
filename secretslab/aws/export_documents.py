"""Policy documents as the export reads them, plain JSON: the strings in a document, its
statements, the IAM users and roles its principals name (AWS checks they exist), a key policy's
own ARN as ``*``, whether a key policy lets the account administer the key (KMS's lockout safety
check), a trust policy that trusts nobody; IAM paths and CloudFormation tags.

AWS page: https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (the lockout safety check)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..arn import Arn
from ..policy.wildcards import action_matcher

__all__ = [
    "NOBODY",
    "Json",
    "administrable",
    "cfn_tags",
    "iam_path",
    "principal_arns",
    "self_resource",
    "strings",
]

#: a JSON value (a policy document, or part of a template)
Json = Any


#: the trust policy of a role the world gives none: a Deny of sts:AssumeRole for everyone
NOBODY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def iam_path(arn: str) -> str:
    """``/team/`` of ``arn:aws:iam::1:role/team/Name``; ``/`` without a path."""
    resource = arn.split(":", 5)[5]
    inner = resource.partition("/")[2]
    return "/" + inner.rsplit("/", 1)[0] + "/" if "/" in inner else "/"


def cfn_tags(tags: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Tags as CloudFormation's ``Tags`` property."""
    return [{"Key": k, "Value": v} for k, v in tags]


def strings(value: Json) -> Iterator[str]:
    """Every string in a JSON value, depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def _statements(doc: Json) -> list[dict[str, Any]]:
    found = doc.get("Statement", []) if isinstance(doc, dict) else []
    found = found if isinstance(found, list) else [found]
    return [s for s in found if isinstance(s, dict)]


def principal_arns(doc: Json) -> Iterator[str]:
    """IAM user and role ARNs named in ``Principal``/``NotPrincipal`` (those AWS checks exist)."""
    for s in _statements(doc):
        for element in ("Principal", "NotPrincipal"):
            principal = s.get(element)
            if isinstance(principal, dict):
                for text in strings(principal.get("AWS", [])):
                    arn = Arn.parse(text)
                    if (
                        arn
                        and arn.service == "iam"
                        and arn.resource_type in ("user", "role")
                        and "*" not in text
                    ):
                        yield text


def self_resource(doc: Json, key_arn: str) -> Json:
    """A key policy's ``Resource`` naming the key itself means "this key", as ``*`` does (§9.2);
    ``*`` avoids a template resource that refers to itself."""
    if not isinstance(doc, dict):
        return doc
    out = dict(doc)
    statements = []
    for s in _statements(doc):
        s = dict(s)
        resource = s.get("Resource")
        if resource == key_arn or (isinstance(resource, list) and key_arn in resource):
            s["Resource"] = "*"
        statements.append(s)
    if isinstance(doc.get("Statement"), list):
        out["Statement"] = statements
    elif statements:
        out["Statement"] = statements[0]
    return out


def administrable(doc: Json, account: str) -> bool:
    """True when an unconditional Allow lets the account (its IAM policies) call
    kms:PutKeyPolicy: what KMS's lockout safety check asks of the deploying principal."""
    roots = {account, f"arn:aws:iam::{account}:root", "*"}
    for s in _statements(doc):
        if s.get("Effect") != "Allow" or "Condition" in s or "Principal" not in s:
            continue
        principal = s["Principal"]
        named = set(strings(principal.get("AWS", []) if isinstance(principal, dict) else principal))
        actions = s.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if named & roots and any(action_matcher(str(a)).matches("kms:putkeypolicy") for a in actions):
            return True
    return False
