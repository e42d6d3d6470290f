"""Seeding a world's KMS keys and secrets into the stand-in: customer managed keys with tags,
aliases and (once every id is known) key policies; AWS managed keys looked up through moto's
``alias/aws/...`` rather than created; secrets with placeholder values, their KMS key, tags,
version stages (through fixed ClientRequestTokens) and resource policies.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from .seed_calls import PLACEHOLDER_VALUE, TOKEN_NAMESPACE, Seeder, arn_parts, dumps, iam_tags, version_token

__all__ = ["SecretSeeding"]


class SecretSeeding(Seeder):
    """The KMS and Secrets Manager part of ``seed_world``."""

    # KMS

    def keys(self, keys: list[dict[str, Any]]) -> None:
        """Create the world's KMS keys (customer managed ones; AWS managed ones found through moto's
        aliases) and map their ARNs and key ids; grants are not created, and ``skipped`` says so."""
        id_count: dict[str, int] = {}
        for key in keys:
            key_id = key["arn"].rsplit("/", 1)[-1]
            id_count[key_id] = id_count.get(key_id, 0) + 1
        for key in keys:
            region, account = arn_parts(self.tr(key["arn"]))
            kms = self.client("kms", account, region)
            world_id = key["arn"].rsplit("/", 1)[-1]
            if key.get("manager") == "AWS":
                created = self.aws_managed_key(kms, key)
            else:
                created = self.customer_key(kms, key)
            if created is None:
                continue
            self.map(key["arn"], created["Arn"])
            if id_count[world_id] == 1:
                self.map(world_id, created["KeyId"])
            if key.get("grants"):
                self.skip(f"key {key['arn']}: grants are not created in the stand-in")

    def aws_managed_key(self, kms: Any, key: dict[str, Any]) -> dict[str, Any] | None:
        """The metadata of moto's key behind the first ``alias/aws/...`` alias of an AWS managed key,
        or None (noted) when moto has none."""
        for alias in key.get("aliases", []):
            if alias.startswith("alias/aws/"):
                found = self.attempt(f"AWS managed key {key['arn']}", kms.describe_key, KeyId=alias)
                if found is not None:
                    self.skip(
                        f"AWS managed key {key['arn']}: moto's {alias} stands in, with moto's default "
                        "key policy (not AWS's) and KeyManager CUSTOMER"
                    )
                    return dict(found["KeyMetadata"])
        self.skip(f"AWS managed key {key['arn']}: no alias/aws/... alias moto knows, not created")
        return None

    def customer_key(self, kms: Any, key: dict[str, Any]) -> dict[str, Any]:
        """Create a customer managed key with its tags and aliases (``alias/aws/...`` is reserved to
        AWS: skipped); its key policy is put later. Returns the new key's metadata."""
        tags = [{"TagKey": k, "TagValue": v} for k, v in (key.get("tags") or {}).items()]
        created: dict[str, Any] = kms.create_key(Description=f"secretslab: {key['arn']}", Tags=tags)[
            "KeyMetadata"
        ]
        for alias in key.get("aliases", []):
            if alias.startswith("alias/aws/"):
                self.skip(f"alias {alias} of customer managed key {key['arn']}: reserved for AWS")
                continue
            kms.create_alias(AliasName=self.tr(alias), TargetKeyId=created["KeyId"])
        if key.get("key_policy") is not None:
            document = key["key_policy"]
            self.later.append(
                (
                    f"key policy of {key['arn']}",
                    lambda: self.attempt(
                        f"key policy of {key['arn']}",
                        kms.put_key_policy,
                        KeyId=created["KeyId"],
                        PolicyName="default",
                        Policy=dumps(self.tr(document)),
                    ),
                )
            )
        else:
            self.skip(f"key {key['arn']}: no key policy in the world; moto's default key policy stands in")
        return created

    def secrets(self, secrets: list[dict[str, Any]]) -> None:
        """Create the world's secrets, after mapping each version id to the ClientRequestToken that
        reproduces it."""
        keys = {k["arn"]: k for k in self.data.get("kms_keys", [])}
        for secret in secrets:
            for version_id in (secret.get("versions") or {}).values():
                self.map(version_id, version_token(version_id))
        for secret in secrets:
            self.secret(secret, keys)

    def secret(self, secret: dict[str, Any], keys: dict[str, dict[str, Any]]) -> None:
        """Create one secret with a placeholder value, its key, tags and version stages; its resource
        policy is put later. What the stand-in cannot hold as the world says goes to ``skipped``."""
        arn = self.tr(secret["arn"])
        region, account = arn_parts(arn)
        sm = self.client("secretsmanager", account, region)
        name = self.tr(secret["name"])
        tags = iam_tags(secret.get("tags") or {})
        resource = arn.split(":secret:", 1)[-1]
        suffix = resource[len(name) + 1 :] if resource.startswith(name + "-") else ""
        custom = bool(re.fullmatch(r"[A-Za-z0-9]{6}", suffix))
        versions: dict[str, list[str]] = {}
        for stage, version_id in (secret.get("versions") or {}).items():
            versions.setdefault(version_id, []).append(stage)
        order = sorted(
            versions, key=lambda v: ("AWSCURRENT" in versions[v], "AWSPREVIOUS" not in versions[v])
        )
        first = version_token(order[0]) if order else str(uuid.uuid5(TOKEN_NAMESPACE, secret["arn"]))
        args: dict[str, Any] = {
            "Name": name,
            "SecretString": PLACEHOLDER_VALUE,
            "ClientRequestToken": first,
            "Tags": [*tags, {"Key": "_custom_id_", "Value": suffix}] if custom else tags,
        }
        kms_key = secret.get("kms_key")
        key = keys.get(kms_key) if kms_key else None
        if kms_key and key is None:
            args["KmsKeyId"] = self.tr(kms_key)
            self.skip(f"secret {secret['arn']}: its key {kms_key} is not in the world; KmsKeyId set as is")
        elif key is not None and key.get("manager") != "AWS":
            args["KmsKeyId"] = self.mapping.get(kms_key or "", self.tr(kms_key))
        created = sm.create_secret(**args)["ARN"]
        if custom:
            sm.untag_resource(SecretId=created, TagKeys=["_custom_id_"])
        if created != arn:
            self.map(secret["arn"], created)
        for version_id in order[1:]:
            stages = [s for s in versions[version_id] if s != "AWSPREVIOUS"]
            if not stages:  # a second AWSPREVIOUS: check_stages reports it
                continue
            sm.put_secret_value(
                SecretId=created,
                ClientRequestToken=version_token(version_id),
                SecretString=PLACEHOLDER_VALUE,
                VersionStages=stages,
            )
        if order:
            extra = [s for s in versions[order[0]] if s not in ("AWSCURRENT", "AWSPREVIOUS")]
            for stage in extra:
                sm.update_secret_version_stage(SecretId=created, VersionStage=stage, MoveToVersionId=first)
            self.check_stages(sm, created, secret)
        if secret.get("resource_policy") is not None:
            document = secret["resource_policy"]
            self.later.append(
                (
                    f"resource policy of {secret['arn']}",
                    lambda: self.attempt(
                        f"resource policy of {secret['arn']}",
                        sm.put_resource_policy,
                        SecretId=created,
                        ResourcePolicy=dumps(self.tr(document)),
                        BlockPublicPolicy=False,
                    ),
                )
            )

    def check_stages(self, sm: Any, arn: str, secret: dict[str, Any]) -> None:
        """Note in ``skipped`` when the stand-in's version stages of the secret differ from the world's."""
        want = {stage: version_token(v) for stage, v in (secret.get("versions") or {}).items()}
        have: dict[str, str] = {}
        for version in sm.list_secret_version_ids(SecretId=arn, IncludeDeprecated=True)["Versions"]:
            for stage in version.get("VersionStages", []):
                have[stage] = version["VersionId"]
        if want != have:
            self.skip(
                f"secret {secret['arn']}: version stages differ in the stand-in: {have} (wanted {want})"
            )
