"""The boto3 calls and shapes that seeding the stand-in shares: the demo (``demo``) and any world
(``seeding``) write policy documents as compact JSON, tags in IAM's shape, placeholder secret
values and version tokens the same on every run; ``Seeder`` holds one world's seeding: its
``WorldMapping``, the clients per account, and the calls whose failure only means the stand-in
lacks a piece.
"""

from __future__ import annotations

import importlib
import json
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from .mapping import Table, WorldMapping, compile_table, rewrite
from .server import DEFAULT_ACCOUNT, StandIn

__all__ = [
    "DENY_ALL_TRUST",
    "PLACEHOLDER_VALUE",
    "POLICY_VERSION",
    "TOKEN_NAMESPACE",
    "Seeder",
    "arn_parts",
    "dumps",
    "full_aws_access_id",
    "iam_parts",
    "iam_tags",
    "moto_implements",
    "spare_account",
    "version_token",
    "wait_for_account",
]

PLACEHOLDER_VALUE = "placeholder: secretslab stand-in, not a secret"
POLICY_VERSION = "2012-10-17"
#: uuid5 namespace of the ClientRequestTokens the seeders derive from names and version ids
TOKEN_NAMESPACE = uuid.UUID("5ec2e7a1-0000-4000-8000-00000000a001")
DENY_ALL_TRUST = {
    "Version": POLICY_VERSION,
    "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def dumps(document: Any) -> str:
    """A policy document as compact JSON (a string is passed as it is)."""
    return document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))


def iam_parts(arn: str) -> tuple[str, str, str, str]:
    """(account, kind, path, name) of an IAM ARN ``arn:aws:iam::ACCOUNT:kind/path/name``."""
    parts = arn.split(":", 5)
    kind, _, rest = parts[5].partition("/")
    *middle, name = rest.split("/")
    path = "/" + "".join(p + "/" for p in middle) if middle else "/"
    return parts[4], kind, path, name


def arn_parts(arn: str) -> tuple[str, str]:
    """(region, account) of an ARN."""
    parts = arn.split(":", 5)
    return parts[3], parts[4]


def iam_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    """Tags as IAM and Secrets Manager take them."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def wait_for_account(org: Any, status: dict[str, Any]) -> str:
    """The id of the account a ``CreateAccount`` made, once it has succeeded."""
    for _ in range(100):
        if status["State"] == "SUCCEEDED":
            return str(status["AccountId"])
        if status["State"] == "FAILED":
            raise RuntimeError(f"CreateAccount failed: {status.get('FailureReason')}")
        time.sleep(0.05)
        status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])[
            "CreateAccountStatus"
        ]
    raise RuntimeError("CreateAccount did not finish")


def full_aws_access_id(org: Any) -> str | None:
    """The policy id of the AWS managed ``FullAWSAccess`` SCP, if moto has it."""
    for page in org.get_paginator("list_policies").paginate(Filter="SERVICE_CONTROL_POLICY"):
        for policy in page["Policies"]:
            if policy.get("AwsManaged") and policy["Name"] == "FullAWSAccess":
                return str(policy["Id"])
    return None


def version_token(version_id: str) -> str:
    """A ClientRequestToken (32-64 characters) for a world version id, the same on every run."""
    if 32 <= len(version_id) <= 64 and re.fullmatch(r"[A-Za-z0-9-]+", version_id):
        return version_id
    return str(uuid.uuid5(TOKEN_NAMESPACE, version_id))


def moto_implements(service: str, response_class: str, operation: str) -> bool:
    """Whether moto's server answers ``operation`` (it answers the others with a 500 page and
    an error log line)."""
    try:
        module = importlib.import_module(f"moto.{service}.responses")
    except ImportError:  # pragma: no cover
        return True
    return hasattr(getattr(module, response_class, None), operation)


def spare_account(used: Iterable[str]) -> str:
    """An account id for a management account the world does not name."""
    taken = set(used)
    candidate = int(DEFAULT_ACCOUNT)
    while f"{candidate:012d}" in taken:
        candidate += 1
    return f"{candidate:012d}"


class Seeder:
    """One world's seeding: the world as a dict, its ``WorldMapping`` so far, and the writes that
    wait until every id is known (``later``: trust, key, secret and identity policies name
    principals and keys that may not exist yet)."""

    def __init__(self, standin: StandIn, data: dict[str, Any]):
        self.standin = standin
        self.data = data
        self.mapping = WorldMapping()
        self._compiled: Table = None
        self.later: list[tuple[str, Any]] = []  # (what, thunk) run once every id is mapped

    def tr(self, value: Any) -> Any:
        """``value`` with the world's ids replaced by the stand-in's known so far."""
        if self._compiled is None:
            self._compiled = compile_table({k: v for k, v in self.mapping.items() if k != v})
        return rewrite(value, self._compiled)

    def map(self, world_id: str, standin_id: str) -> None:
        """Record that ``world_id`` is ``standin_id`` in the stand-in."""
        self.mapping[world_id] = standin_id
        self._compiled = None

    def client(self, service: str, account: str, region: str | None = None) -> Any:
        """A client of ``service`` acting in the stand-in account ``account``."""
        region = region or self.standin.region
        session = self.standin.account_session(account, region=region)
        return self.standin.client(service, region=region, session=session)

    def skip(self, text: str) -> None:
        """Say, in one sentence, what the stand-in does not hold as the world says."""
        self.mapping.skipped.append(text)

    def attempt(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a call whose failure means only that the stand-in lacks this piece."""
        from botocore.exceptions import ClientError  # type: ignore[import-untyped, unused-ignore]
        from botocore.parsers import ResponseParserError  # type: ignore[import-untyped, unused-ignore]

        try:
            return call(*args, **kwargs)
        except ClientError as error:
            self.skip(f"{what}: {error}")
        except ResponseParserError:  # moto answers an operation it does not implement with a 500 page
            self.skip(f"{what}: moto does not implement {getattr(call, '__name__', 'this operation')}")
        return None
