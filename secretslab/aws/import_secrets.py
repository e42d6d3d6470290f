"""Reading an account's KMS keys and secrets for an import, per Region: every key (manager, aliases,
tags, grants, key policy), every secret (KMS key, tags, version stages, resource policy — never
its value), then each secret's key reference (id, ARN or alias) resolved to a key ARN, describing
keys of accounts that were not imported (their key policy stays unknown: a gap).

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html,
https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
"""

from __future__ import annotations

from typing import Any

from .import_calls import Account, Reader, grant_of, tags_of

__all__ = ["SecretsReader"]


class SecretsReader(Reader):
    """The KMS and Secrets Manager part of an import."""

    # -- KMS

    def kms(self, account: Account, region: str) -> None:
        """Read every KMS key of ``account`` in ``region``, with its aliases, into ``keys``; failed
        calls leave gaps."""
        kms = self.client(account.session, "kms", region)
        aliases: dict[str, list[str]] = {}
        names = self.aliases.setdefault((account.id, region), {})
        for page in self.pages(
            kms, "list_aliases", (account.id, f"KMS aliases of account {account.id} in {region}")
        ):
            for alias in page.get("Aliases", ()):
                target = alias.get("TargetKeyId")
                if target:
                    aliases.setdefault(target, []).append(alias["AliasName"])
                    names[alias["AliasName"]] = target
        key_ids: list[str] = []
        for page in self.pages(
            kms, "list_keys", (account.id, f"KMS keys of account {account.id} in {region}")
        ):
            key_ids.extend(k["KeyId"] for k in page.get("Keys", ()))
        for key_id in key_ids:
            arn = f"arn:aws:kms:{region}:{account.id}:key/{key_id}"
            self.key(kms, arn, account.id, region, aliases.get(key_id, []), readable=True)

    def key(
        self, kms: Any, arn: str, account: str, region: str, aliases: list[str], *, readable: bool
    ) -> dict[str, Any] | None:
        """Describe one key into ``self.keys``; ``readable`` is False for a key of an account
        not imported (DescribeKey works across accounts, GetKeyPolicy does not). A key ARN that
        cannot be described is still listed (it exists), with the gap."""
        described = self.call(kms, "describe_key", (arn, f"KMS key {arn}"), KeyId=arn)
        if described is None and ":key/" not in arn:
            return None  # an alias that could not be resolved
        meta = {} if described is None else described["KeyMetadata"]
        arn = meta.get("Arn", arn)
        # only AWS may create aliases under alias/aws/ (moto reports every key as CUSTOMER)
        aws_alias = any(a.startswith("alias/aws/") for a in aliases)
        manager = "AWS" if meta.get("KeyManager") == "AWS" or aws_alias else "CUSTOMER"
        entry: dict[str, Any] = {
            "arn": arn,
            "account": account,
            "region": region,
            "manager": manager,
            "aliases": sorted(aliases),
            "tags": {},
            "key_policy": None,
        }
        if readable:
            policy = self.call(
                kms, "get_key_policy", (arn, f"key policy of {arn}"), KeyId=arn, PolicyName="default"
            )
            if policy is not None:
                entry["key_policy"] = self.document(
                    policy.get("Policy"), arn, f"key policy of {arn}", "kms:GetKeyPolicy"
                )
            if manager == "CUSTOMER":  # AWS managed keys carry no tags and only service grants
                for page in self.pages(kms, "list_resource_tags", (arn, f"tags of {arn}"), KeyId=arn):
                    entry["tags"].update(tags_of(page.get("Tags"), key="TagKey", value="TagValue"))
                grants = self.grants(
                    [
                        grant_of(g)
                        for page in self.pages(kms, "list_grants", (arn, f"grants of {arn}"), KeyId=arn)
                        for g in page.get("Grants", ())
                    ],
                    arn,
                )
                if grants:
                    entry["grants"] = grants
        else:
            self.gaps.append(
                {
                    "resource": arn,
                    "what": f"key policy of {arn} (account {account} was not imported; "
                    "GetKeyPolicy does not work across accounts)",
                    "operation": "kms:GetKeyPolicy",
                    "error": "NotImported",
                }
            )
        self.keys[arn] = entry
        return entry

    def secretsmanager(self, account: Account, region: str) -> None:
        """Read every secret of ``account`` in ``region`` (described, with its resource policy; never
        its value) into ``secrets``; failed calls leave gaps."""
        sm = self.client(account.session, "secretsmanager", region)
        listed: list[dict[str, Any]] = []
        for page in self.pages(
            sm,
            "list_secrets",
            (account.id, f"secrets of account {account.id} in {region}"),
            IncludePlannedDeletion=False,
        ):
            listed.extend(page.get("SecretList", ()))
        for item in listed:
            arn = item["ARN"]
            described = self.call(sm, "describe_secret", (arn, f"secret {arn}"), SecretId=arn) or item
            policy = self.call(sm, "get_resource_policy", (arn, f"resource policy of {arn}"), SecretId=arn)
            stages = described.get("VersionIdsToStages") or described.get("SecretVersionsToStages") or {}
            entry: dict[str, Any] = {
                "arn": arn,
                "name": described.get("Name", item.get("Name")),
                "account": account.id,
                "region": region,
                "kms_key": described.get("KmsKeyId"),  # resolved to a key ARN once all keys are known
                "tags": tags_of(described.get("Tags")),
                "versions": {stage: version for version, names in stages.items() for stage in names},
                "resource_policy": None,
            }
            if policy is not None and policy.get("ResourcePolicy"):
                entry["resource_policy"] = self.document(
                    policy["ResourcePolicy"],
                    entry["arn"],
                    f"secret policy of {entry['arn']}",
                    "secretsmanager:GetResourcePolicy",
                )
            self.secrets.append(entry)

    def foreign_keys(self, accounts: list[Account]) -> None:
        """Resolve each secret's key reference (id, ARN, alias) to a key ARN; describe keys of
        accounts that were not imported from the secret's account."""
        sessions = {a.id: a.session for a in accounts}
        for secret in self.secrets:
            ref = secret["kms_key"]
            if not ref:
                secret["kms_key"] = self.default_key(secret["account"], secret["region"])
                continue
            arn = self.key_arn(str(ref), secret["account"], secret["region"])
            if arn is None or arn not in self.keys:
                target = arn or str(ref)
                owner = target.split(":")[4] if target.startswith("arn:") else secret["account"]
                reader = sessions.get(owner, sessions[secret["account"]])
                kms = self.client(reader, "kms", secret["region"])
                found = self.key(
                    kms,
                    target,
                    owner,
                    secret["region"],
                    [],
                    readable=owner in sessions,
                )
                if found is None:  # an alias nobody could resolve: the secret's key is unknown
                    self.gaps[-1] = {
                        **self.gaps[-1],
                        "resource": secret["arn"],
                        "what": f"KMS key {ref} of secret {secret['arn']}",
                    }
                arn = None if found is None else found["arn"]
            secret["kms_key"] = arn

    def key_arn(self, ref: str, account: str, region: str) -> str | None:
        """The key ARN a secret's ``KmsKeyId`` names (a key id, key ARN, alias name or alias ARN) in
        ``account`` and ``region``; None for an alias the import did not read."""
        if ref.startswith("arn:"):
            parts = ref.split(":", 5)
            if parts[5].startswith("alias/"):
                target = self.aliases.get((parts[4], parts[3]), {}).get(parts[5])
                return None if target is None else f"arn:aws:kms:{parts[3]}:{parts[4]}:key/{target}"
            return ref
        if ref.startswith("alias/"):
            target = self.aliases.get((account, region), {}).get(ref)
            return None if target is None else f"arn:aws:kms:{region}:{account}:key/{target}"
        return f"arn:aws:kms:{region}:{account}:key/{ref}"

    def default_key(self, account: str, region: str) -> str | None:
        """``aws/secretsmanager`` of the account and Region when it was imported; otherwise
        ``None``, which the world reads as that AWS managed key with the policy AWS writes."""
        arn = self.key_arn("alias/aws/secretsmanager", account, region)
        return arn if arn in self.keys else None
