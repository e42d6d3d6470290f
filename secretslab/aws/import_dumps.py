"""An import without credentials, from the AWS CLI output users already have (``dumps``: the
layout of a folder, and its files read and checked). The IAM, KMS and Secrets Manager readers of
a live import (``import_iam``, ``import_secrets``) map the dumps: each call they make is answered
from the files, and a file that is not there fails the call the way an AccessDenied does, so
what is missing becomes a gap — results that depend on it are unknown, never guessed. boto3 is
not needed.

Organizations is not part of the dumps: the world has no organization, so no SCP or RCP is
modelled (``ORGANIZATION_NOTE`` says so to the user).

AWS page: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from .dumps import KEY_FOLDERS, SECRET_FOLDERS, AccountDumps, RegionDumps, dump_folders
from .import_calls import Account, Reach
from .import_iam import IamReader
from .import_secrets import SecretsReader
from .imported import Snapshot

__all__ = ["ORGANIZATION_NOTE", "NotInDumps", "snapshot_from_dumps"]

ORGANIZATION_NOTE = (
    "AWS Organizations is not part of the dumps: no SCP or RCP is modelled, so a decision an "
    "SCP or RCP would deny may show as allowed"
)


class NotInDumps(Exception):
    """A call the dumps cannot answer: which operation, and the file that would have answered it;
    for a listing, ``partial`` holds the pages of what the dumps still name (secrets or keys with
    files of their own), read with the gap."""

    def __init__(self, operation: str, missing: str, partial: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(f"{operation}: {missing}")
        self.operation = operation
        self.missing = missing
        self.partial = tuple(partial)


def snapshot_from_dumps(folders: Sequence[str | os.PathLike[str]]) -> Snapshot:
    """The world of the dumps in ``folders`` (one account each; layout in ``aws.dumps``), with a
    gap for each piece that is not there. Raises ``ScenarioError``, every problem located (file,
    JSON path, what was expected), when a file is not what its name says."""
    dumps = dump_folders(list(folders))
    reader = _DumpReader(dumps)
    return Snapshot(reader.run(), tuple(reader.operations))


class _Answers:
    """Answers one account's calls of one service in one Region from its dumps, in the shapes boto3
    returns; a call they cannot answer raises ``NotInDumps``."""

    def __init__(self, dumps: AccountDumps, service: str, region: str) -> None:
        self.dumps = dumps
        self.service = service
        self.region = dumps.regions.get(region) or RegionDumps(region, os.path.join(dumps.folder, region))

    def where(self, name: str, key: str = "") -> str:
        """The file that answers, relative to the account's folder, for messages."""
        region = self.region.region
        if name in KEY_FOLDERS or name in SECRET_FOLDERS:  # a key's file is named after it
            return os.path.join(self.dumps.folder, region, name, f"{key or '*'}.json")
        if name == "get-account-authorization-details.json":
            return os.path.join(self.dumps.folder, name)
        return os.path.join(self.dumps.folder, region, name)

    # -- IAM

    def get_account_authorization_details(self, **_: Any) -> Iterator[dict[str, Any]]:
        """The authorization details, as one page."""
        if self.dumps.authorization_details is None:
            name = "get-account-authorization-details.json"
            raise NotInDumps("iam:GetAccountAuthorizationDetails", f"{self.where(name)} is absent or empty")
        yield self.dumps.authorization_details

    def get_policy(self, PolicyArn: str, **_: Any) -> dict[str, Any]:
        """A managed policy the details left out: the dumps have no other source."""
        raise NotInDumps(
            "iam:GetPolicy",
            f"{PolicyArn} is attached but not in the Policies of "
            f"{self.where('get-account-authorization-details.json')} (dump it without --filter)",
        )

    # -- KMS

    def list_aliases(self, **_: Any) -> Iterator[dict[str, Any]]:
        """The Region's aliases."""
        if self.region.aliases is None:
            raise NotInDumps("kms:ListAliases", f"{self.where('list-aliases.json')} is absent or empty")
        yield {"Aliases": self.region.aliases}

    def list_keys(self, **_: Any) -> Iterator[dict[str, Any]]:
        """Every key the Region's dumps name (listed, or with a file of its own). list-keys.json
        may be left out when every key has files of its own; empty (ListKeys refused), or absent
        with no key file, the Region's keys are a gap."""
        page = {"Keys": [{"KeyId": key_id} for key_id in self.region.key_ids()]}
        name = "list-keys.json"
        if self.region.listed_keys is None and (name in self.region.refused or not page["Keys"]):
            why = "is empty" if name in self.region.refused else "is absent and no key has files of its own"
            raise NotInDumps("kms:ListKeys", f"{self.where(name)} {why}", [page] if page["Keys"] else [])
        yield page

    def _key_id(self, key: str, operation: str) -> str:
        """The key id of a key ARN of this account and Region; another's is not in these dumps."""
        parts = key.split(":", 5)
        if "alias/" in key:
            raise NotInDumps(operation, f"{key} is not an alias of {self.where('list-aliases.json')}")
        if key.startswith("arn:") and (
            len(parts) < 6 or parts[3] != self.region.region or parts[4] != self.dumps.account
        ):
            raise NotInDumps(operation, f"{key} is not a key of the dumps in {self.dumps.folder}")
        return key.rsplit("/", 1)[-1]

    def describe_key(self, KeyId: str, **_: Any) -> dict[str, Any]:
        """The key's metadata."""
        key_id = self._key_id(KeyId, "kms:DescribeKey")
        meta = self.region.described_keys.get(key_id)
        if meta is None:
            raise NotInDumps("kms:DescribeKey", f"{self.where('describe-key', key_id)} is absent or empty")
        return {"KeyMetadata": meta}

    def get_key_policy(self, KeyId: str, **_: Any) -> dict[str, Any]:
        """The key's policy."""
        key_id = self._key_id(KeyId, "kms:GetKeyPolicy")
        policy = self.region.key_policies.get(key_id)
        if policy is None:
            raise NotInDumps("kms:GetKeyPolicy", f"{self.where('get-key-policy', key_id)} is absent or empty")
        return {"Policy": policy}

    def list_resource_tags(self, KeyId: str, **_: Any) -> Iterator[dict[str, Any]]:
        """The key's tags."""
        key_id = self._key_id(KeyId, "kms:ListResourceTags")
        tags = self.region.key_tags.get(key_id)
        if tags is None:
            raise NotInDumps(
                "kms:ListResourceTags", f"{self.where('list-resource-tags', key_id)} is absent or empty"
            )
        yield {"Tags": tags}

    def list_grants(self, KeyId: str, **_: Any) -> Iterator[dict[str, Any]]:
        """The key's grants."""
        key_id = self._key_id(KeyId, "kms:ListGrants")
        grants = self.region.key_grants.get(key_id)
        if grants is None:
            raise NotInDumps("kms:ListGrants", f"{self.where('list-grants', key_id)} is absent or empty")
        yield {"Grants": grants}

    # -- Secrets Manager

    def list_secrets(self, **_: Any) -> Iterator[dict[str, Any]]:
        """Every secret the Region's dumps name: listed, or with a file of its own."""
        listed = {s["ARN"]: s for s in self.region.listed_secrets or ()}
        for files in (self.region.described_secrets, self.region.secret_policies):
            for arn, data in files.items():
                listed.setdefault(
                    arn, {"ARN": arn, "Name": data.get("Name")} if data.get("Name") else {"ARN": arn}
                )
        page = {"SecretList": list(listed.values())}
        if self.region.listed_secrets is None:  # ListSecrets refused or not run: other secrets may exist
            known = f"; only the {len(listed)} secret(s) with files of their own are read" if listed else ""
            raise NotInDumps(
                "secretsmanager:ListSecrets",
                f"{self.where('list-secrets.json')} is absent or empty{known}",
                [page] if listed else [],
            )
        yield page

    def describe_secret(self, SecretId: str, **_: Any) -> dict[str, Any]:
        """The secret's description: describe-secret's, else its entry of list-secrets (the same
        fields); without either, its KMS key, tags and version stages are unknown."""
        found = self.region.described_secrets.get(SecretId)
        if found is None:
            found = next((s for s in self.region.listed_secrets or () if s["ARN"] == SecretId), None)
        if found is None:
            raise NotInDumps(
                "secretsmanager:DescribeSecret",
                f"neither {self.where('describe-secret')} nor {self.where('list-secrets.json')} "
                "describes it: its KMS key, tags and version stages are unknown",
            )
        return found

    def get_resource_policy(self, SecretId: str, **_: Any) -> dict[str, Any]:
        """The secret's resource policy output."""
        found = self.region.secret_policies.get(SecretId)
        if found is None:
            raise NotInDumps(
                "secretsmanager:GetResourcePolicy", f"no file of {self.where('get-resource-policy')} names it"
            )
        return found


class _DumpReader(IamReader, SecretsReader):
    """An import whose calls are answered from dumps: the live import's IAM, KMS and Secrets
    Manager readers, each account in the order given, each Region of its folder."""

    def __init__(self, dumps: list[AccountDumps]) -> None:
        regions = sorted({r for d in dumps for r in d.regions})
        super().__init__(tuple(regions) or ("us-east-1",), None, None)
        self.dumps = dumps

    def client(self, reach: Reach, service: str, region: str) -> Any:
        return _Answers(reach.session, service, region)

    def call(self, client: Any, method: str, gap: tuple[str, str], **params: Any) -> dict[str, Any] | None:
        try:
            response: dict[str, Any] = getattr(client, method)(**params)
        except NotInDumps as exc:
            self.missing(gap, exc)
            return None
        self.operations.append(_OPERATIONS[method])
        return response

    def pages(
        self, client: Any, method: str, gap: tuple[str, str], **params: Any
    ) -> Iterator[dict[str, Any]]:
        try:
            pages = list(getattr(client, method)(**params))
        except NotInDumps as exc:
            self.missing(gap, exc)
            yield from exc.partial  # what the dumps still name, with the gap for the rest
            return
        self.operations.append(_OPERATIONS[method])
        yield from pages

    def missing(self, gap: tuple[str, str], exc: NotInDumps) -> None:
        """The gap of a call the dumps could not answer: the file that would have answered it."""
        self.gaps.append(
            {
                "resource": gap[0],
                "what": gap[1],
                "operation": exc.operation,
                "error": f"NotInDumps: {exc.missing}",
            }
        )

    def run(self) -> dict[str, Any]:
        accounts = []
        for dumps in self.dumps:
            account = Account(dumps.account, Reach(dumps), dumps.caller or f"dumps in {dumps.folder}")
            accounts.append(account)
            self.iam(account)
            for region in sorted(dumps.regions):
                self.kms(account, region)
                self.secretsmanager(account, region)
        self.foreign_keys(accounts)
        sources = ", ".join(f"{d.account} ({d.folder})" for d in self.dumps) or "no account"
        regions = ", ".join(sorted({r for d in self.dumps for r in d.regions})) or "none"
        return self.world(
            accounts,
            f"Import by secretslab from AWS CLI dumps of {sources}; Regions {regions}. {ORGANIZATION_NOTE}.",
        )


#: the AWS operation behind each call the readers make, as ``readonly.READ_OPERATIONS`` names it
_OPERATIONS = {
    "get_account_authorization_details": "iam:GetAccountAuthorizationDetails",
    "get_policy": "iam:GetPolicy",
    "list_aliases": "kms:ListAliases",
    "list_keys": "kms:ListKeys",
    "describe_key": "kms:DescribeKey",
    "get_key_policy": "kms:GetKeyPolicy",
    "list_resource_tags": "kms:ListResourceTags",
    "list_grants": "kms:ListGrants",
    "list_secrets": "secretsmanager:ListSecrets",
    "describe_secret": "secretsmanager:DescribeSecret",
    "get_resource_policy": "secretsmanager:GetResourcePolicy",
}
