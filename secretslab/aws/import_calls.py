"""The calls an import makes and the shapes it reads: how an account is reached (``Reach``, held in
memory only) and what is known of it (``Account``); ``Reader``, the state of one import whose
every client is guarded (read-only, recorded) and retried with botocore's standard mode, and
whose ``ClientError`` on one resource becomes a gap; policy documents, tags and grants as JSON.

AWS page: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..extras import require
from ..fields import Fields
from ..problems import quoted
from ..world.read_grants import read_grants
from .endpoints import is_loopback
from .imported import Gap, Progress
from .readonly import guard, guard_session

Config = require("botocore.config", extra="aws", package="boto3").Config
ClientError = require("botocore.exceptions", extra="aws", package="boto3").ClientError

__all__ = ["RETRIES", "Account", "Reach", "Reader", "document_of", "grant_of", "tags_of"]

#: botocore's standard retry mode: exponential backoff with jitter on throttling and transient errors
RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


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
    """The state of one import and its calls: clients guarded by ``readonly.guard`` (one per
    account, service and Region), a ``ClientError`` turned into a gap, progress steps, and what
    has been read so far (principals, secrets, keys and aliases, accounts, the organization)."""

    def __init__(self, regions: tuple[str, ...], endpoint_url: str | None, progress: Progress | None) -> None:
        self.regions = regions
        self.endpoint_url = endpoint_url
        self.progress = progress
        self.operations: list[str] = []
        self.gaps: list[Gap] = []
        self.done = 0
        self.total = 0
        self.clients: dict[tuple[int, str, str], Any] = {}
        self.reaches: list[Reach] = []  # keeps every reach alive while its id() keys the clients
        self.users: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.secrets: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        # (account, region) -> alias name -> target key id
        self.aliases: dict[tuple[str, str], dict[str, str]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.organization: dict[str, Any] | None = None
        # loopback (the stand-in) is never reached through HTTP(S)_PROXY
        self.config = RETRIES.merge(Config(proxies={})) if is_loopback(endpoint_url) else RETRIES
        self.unguards: dict[int, tuple[Any, Any]] = {}  # id(session) -> removes its session-wide guard

    def guard(self, session: Any) -> None:
        """Guard ``session`` itself (once), so the clients botocore makes for it — the STS client
        of a role profile's credential provider — are read-only and recorded too."""
        if id(session) not in self.unguards and hasattr(session, "events"):
            self.unguards[id(session)] = (session, guard_session(session, self.operations))

    def unguard(self) -> None:
        """Remove the session-wide guards once the import is over (the sessions may be the caller's)."""
        for _, remove in self.unguards.values():
            remove()
        self.unguards.clear()

    def client(self, reach: Reach, service: str, region: str) -> Any:
        """The guarded client of ``service`` in ``region`` for this reach (made once)."""
        key = (id(reach), service, region)
        found = self.clients.get(key)
        if found is None:
            found = reach.session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint_url,
                config=self.config,
                **reach.credentials,
            )
            guard(found, self.operations)
            self.clients[key] = found
        return found

    def call(self, client: Any, method: str, gap: tuple[str, str], **params: Any) -> dict[str, Any] | None:
        """One call; a ``ClientError`` becomes the gap ``(resource, what)`` and ``None``."""
        try:
            response: dict[str, Any] = getattr(client, method)(**params)
        except ClientError as exc:
            self.gap(gap[0], gap[1], client, method, exc)
            return None
        return response

    def pages(
        self, client: Any, method: str, gap: tuple[str, str], **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call; a ``ClientError`` ends it with a gap."""
        try:
            yield from client.get_paginator(method).paginate(**params)
        except ClientError as exc:
            self.gap(gap[0], gap[1], client, method, exc)

    def gap(self, resource: str, what: str, client: Any, method: str, exc: Any) -> None:
        """Record that ``what`` of ``resource`` could not be read: the operation and its error."""
        operation = client.meta.method_to_api_mapping.get(method, method)
        error = exc.response.get("Error", {}).get("Code") or type(exc).__name__
        self.gaps.append(
            {
                "resource": resource,
                "what": what,
                "operation": f"{client.meta.service_model.signing_name}:{operation}",
                "error": str(error),
            }
        )

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
