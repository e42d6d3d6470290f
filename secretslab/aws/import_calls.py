"""The state of an import and the shapes it reads, without boto3: how an account is reached
(``Reach``, held in memory only) and what is known of it (``Account``); ``Reader``, what one
import has read so far and its gaps (how it calls AWS is ``import_boto``'s for a live import,
``import_dumps``'s for files of AWS CLI output); policy documents, tags and grants as JSON.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..fields import Fields
from ..problems import quoted
from ..world.read_grants import read_grants
from .imported import Gap, Progress

__all__ = ["Account", "Reach", "Reader", "document_of", "grant_of", "tags_of"]


@dataclass(frozen=True, eq=False)
class Reach:
    """How to reach an account: a boto3 session, and the temporary credentials of an assumed
    role when there is one (its clients are made from the base session, whose loaded service
    models they share, with those credentials). Held in memory only, never in the snapshot."""

    session: Any
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass
class Account:
    """An account being imported: its id, how it is reached, who the import is there (the
    caller's ARN), its alias and its organization as the account itself sees it."""

    id: str
    session: Reach
    caller: str
    name: str | None = None
    org_id: str | None = None
    management_account: str | None = None


class Reader:
    """The state of one import: what has been read so far (principals, secrets, keys and aliases,
    accounts, the organization), its gaps and progress steps. How calls are made is a
    subclass's (``client``, ``call``, ``pages``, ``gap``): boto3 clients guarded read-only for a
    live import (``import_boto.BotoCalls``), files of AWS CLI output for an import from dumps
    (``import_dumps``) — the readers of ``import_iam`` and ``import_secrets`` map both alike."""

    def __init__(self, regions: tuple[str, ...], endpoint_url: str | None, progress: Progress | None) -> None:
        self.regions = regions
        self.endpoint_url = endpoint_url
        self.progress = progress
        self.operations: list[str] = []
        self.gaps: list[Gap] = []
        self.done = 0
        self.total = 0
        self.users: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.secrets: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        # (account, region) -> alias name -> target key id
        self.aliases: dict[tuple[str, str], dict[str, str]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.organization: dict[str, Any] | None = None

    def client(self, reach: Reach, service: str, region: str) -> Any:
        """What answers the calls of ``service`` in ``region`` for this reach."""
        raise NotImplementedError

    def call(self, client: Any, method: str, gap: tuple[str, str], **params: Any) -> dict[str, Any] | None:
        """One call; a failure becomes the gap ``(resource, what)`` and ``None``."""
        raise NotImplementedError

    def pages(
        self, client: Any, method: str, gap: tuple[str, str], **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call; a failure ends it with a gap."""
        raise NotImplementedError

    def document(self, value: Any, resource: str, what: str, operation: str) -> Any:
        """A policy document as read by ``document_of``; one that cannot be read (not JSON, nested
        too deeply) becomes a gap on ``resource`` and ``None``, and the import goes on: one bad
        policy must not lose the whole account."""
        try:
            return document_of(value)
        except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
            if isinstance(exc, json.JSONDecodeError):
                why = f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            else:
                why = "nested too deeply" if isinstance(exc, RecursionError) else quoted(str(exc), 80)
            self.gaps.append(
                {
                    "resource": resource,
                    "what": what,
                    "operation": operation,
                    "error": f"MalformedPolicyDocument: {why}",
                }
            )
            return None

    def grants(self, grants: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        """The grants of ``key`` the world can read; one it cannot (a shape KMS's ListGrants does
        not give) becomes a gap on the key, and the import goes on (issue #9: one bad item is a
        gap, not a lost import)."""
        kept = []
        for grant in grants:
            reader = Fields(None)
            read_grants(reader, [grant], ())
            if not reader.problems:
                kept.append(grant)
                continue
            self.gaps.append(
                {
                    "resource": key,
                    "what": f"grant {quoted(grant.get('GrantId'))} of {key}",
                    "operation": "kms:ListGrants",
                    "error": f"InvalidGrant: {reader.problems[0].message}",
                }
            )
        return kept

    def world(self, accounts: list[Account], description: str) -> dict[str, Any]:
        """The §1.1 world of what was read, with its gaps; ``accounts`` in the import's order."""
        for account in accounts:  # organizations() already added them; keep the import order
            self.accounts.setdefault(
                account.id, {"id": account.id, "name": account.name, "org_id": account.org_id, "org_path": []}
            )
        data: dict[str, Any] = {"description": description, "accounts": list(self.accounts.values())}
        if self.organization is not None:
            data["organization"] = self.organization
        data["principals"] = {"users": self.users, "groups": self.groups, "roles": self.roles, "sessions": []}
        data["secrets"] = self.secrets
        data["kms_keys"] = list(self.keys.values())
        data["gaps"] = self.gaps
        return data

    def step(self) -> None:
        """One more step done: tell ``progress``."""
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def document_of(value: Any) -> Any:
    """A policy document as a JSON object (IAM returns them URL-encoded; boto3 usually decodes)."""
    if isinstance(value, str):
        text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
        return json.loads(text)
    return value


def tags_of(items: Any, *, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's list of tags as ``{key: value}`` (KMS names the fields ``TagKey``/``TagValue``)."""
    return {str(t[key]): str(t.get(value, "")) for t in items or ()}


def grant_of(grant: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of a grant (no dates)."""
    return {k: grant[k] for k in _GRANT_FIELDS if k in grant}


_GRANT_FIELDS = (
    "GrantId",
    "Name",
    "GranteePrincipal",
    "RetiringPrincipal",
    "IssuingAccount",
    "Operations",
    "Constraints",
)
