"""The calls of a live import, through boto3: clients guarded by ``readonly.guard`` (read-only,
every operation recorded), one per account, service and Region, retried with botocore's standard
mode; a ``ClientError`` on one resource becomes a gap and the import goes on.

AWS page: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..extras import require
from .endpoints import is_loopback
from .import_calls import Reach, Reader
from .imported import Progress
from .readonly import guard, guard_session

Config = require("botocore.config", extra="aws", package="boto3").Config
ClientError = require("botocore.exceptions", extra="aws", package="boto3").ClientError

__all__ = ["RETRIES", "BotoCalls"]

#: botocore's standard retry mode: exponential backoff with jitter on throttling and transient errors
RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


class BotoCalls(Reader):
    """How a live import calls AWS: guarded boto3 clients, a ``ClientError`` turned into a gap."""

    def __init__(self, regions: tuple[str, ...], endpoint_url: str | None, progress: Progress | None) -> None:
        super().__init__(regions, endpoint_url, progress)
        self.clients: dict[tuple[int, str, str], Any] = {}
        self.reaches: list[Reach] = []  # keeps every reach alive while its id() keys the clients
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
