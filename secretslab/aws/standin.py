"""An embedded AWS stand-in: moto's server on loopback, seeded with real boto3 calls.

``StandIn`` starts ``moto.server.ThreadedMotoServer`` on ``127.0.0.1`` and a free port, hands out
boto3 sessions and clients that talk only to it, and stops it on exit (also when the block
raises)::

    with StandIn() as aws:
        demo = seed_demo(aws)                       # a small organisation (see ``seed_demo``)
        prod = aws.account_session(demo["accounts"]["prod"])
        aws.client("secretsmanager", session=prod).list_secrets()

**The stand-in serves the shape of the data, never evidence of who may do what.** moto stores
key policies, trust policies, secret policies, SCPs and RCPs and gives them back, but it does not
enforce them: every call made with any credentials succeeds. Only secretslab's evaluator says
who may do what.

Never the real AWS. Sessions carry dummy credentials (``testing``/``testing``) set explicitly,
so the credential chain (environment, ``~/.aws``, instance metadata) is never consulted. Their
profile lives in a config file the stand-in writes to a temporary directory (``endpoint_url``,
``region``, standard retries) and ``credentials_file`` is ``os.devnull``; a client made from such
a session, even by code that knows nothing of the stand-in, reaches the stand-in's endpoint.
``StandIn.client`` passes ``endpoint_url`` explicitly as well and ignores proxy variables. (One
thing outranks the profile for clients made without ``endpoint_url``: ``AWS_ENDPOINT_URL*`` in the
environment; the credentials they would carry are still the dummy ones.)

Several accounts (moto 5, verified): moto decides the account of a request from its access key.
The dummy key belongs to moto's default account ``123456789012``; ``sts:AssumeRole`` into
``arn:aws:iam::<account>:role/OrganizationAccountAccessRole`` returns credentials whose requests
land in ``<account>``, for any 12-digit account, whether or not the role exists there
(``StandIn.account_session``). ``organizations:CreateAccount`` creates that role in the new
account, as AWS does. ``MOTO_ACCOUNT_ID`` in the environment would override all of this, so
``account_session`` checks with ``sts:GetCallerIdentity`` that it landed where it asked.

moto cannot create an account with a chosen id, nor invite an existing one, so the members of an
organization get random ids (reproducible: the stand-in seeds moto's random generator). KMS key
ids and IAM unique ids are random too. ``seed_world`` therefore returns a ``WorldMapping``: world
id -> stand-in id for accounts, organization, root and OU ids, user and role unique ids, key ARNs
and key ids, secret version ids (and any secret ARN moto could not reproduce), and translates
every name, ARN and policy document through it. Accounts outside an organization, and the
management account, keep their ids. Secret ARNs keep their world suffix (moto's ``_custom_id_``
tag, removed right after creation).

moto keeps its state per process: one stand-in at a time per process; it resets moto's state
when it starts and when it stops.

What moto 5.2 does not do as AWS does (each verified against the server):

* it enforces no policy of any kind (above);
* ``CreateAccount`` picks the id, and there is no invitation: member accounts change ids;
  IAM user ids are 20 lowercase characters, not ``AIDA...``;
* no ``PutUserPermissionsBoundary`` (the server answers 500): a user's boundary is created as a
  managed policy but bounds nothing, and ``seed_world`` says so in ``skipped``; role boundaries
  work;
* AWS managed keys: the first use of an ``alias/aws/...`` creates all of moto's fourteen
  ``aws/*`` keys in that account and Region at once, reported with ``KeyManager`` ``CUSTOMER``
  and moto's generic default key policy, not the policy AWS writes (semantics §9.6);
* ``DescribeOrganization`` always lists SCPs as available; the root's ``PolicyTypes`` tell
  whether SCPs and RCPs were enabled. ``FullAWSAccess`` and ``RCPFullAWSAccess`` are attached
  to every new OU and account whatever is enabled. Called from a member account,
  ``DescribeOrganization`` and ``ListRoots`` answer, ``ListAccounts`` and ``ListPolicies`` answer
  with empty lists (AWS: AccessDenied) and ``ListParents`` with AccountNotFound: read the
  organization from its management account;
* a secret version id must be a 32-64 character ``ClientRequestToken``: shorter world version
  ids (``v-0001``) map to fixed UUIDs;
* ``/moto-api/reset`` does not clear Organizations' member -> management table; the stand-in
  clears it itself;
* stopping takes about half a second (werkzeug's shutdown poll).
"""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..world import World

__all__ = [
    "ACCESS_ROLE",
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DUMMY_ACCESS_KEY",
    "DUMMY_SECRET_KEY",
    "StandIn",
    "WorldMapping",
    "seed_demo",
    "seed_world",
]

DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
DEFAULT_REGION = "us-east-1"
#: moto's default account: the account of the dummy access key
DEFAULT_ACCOUNT = "123456789012"
#: the role assumed to reach another account (created by organizations:CreateAccount)
ACCESS_ROLE = "OrganizationAccountAccessRole"
PLACEHOLDER_VALUE = "placeholder: secretslab stand-in, not a secret"

_PROFILE = "secretslab-standin"
_VERSION = "2012-10-17"
_RUNNING = threading.Lock()  # moto's backends are process-wide: one stand-in at a time
_TOKEN_NAMESPACE = uuid.UUID("5ec2e7a1-0000-4000-8000-00000000a001")
_DENY_ALL_TRUST = {
    "Version": _VERSION,
    "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class StandIn:
    """moto's server on ``127.0.0.1``; use as a context manager (or ``start()``/``stop()``).

    ``seed``: moto's random generator is seeded with it at start, so ids (accounts created in an
    organization, key ids, secret suffixes, unique ids) repeat from run to run; ``None`` leaves
    it unseeded. ``region`` is the default Region of the sessions handed out.
    """

    def __init__(self, *, region: str = DEFAULT_REGION, seed: int | None = 0, start_timeout: float = 15.0):
        self.region = region
        self.seed = seed
        self.start_timeout = start_timeout
        self._server: Any = None
        self._url: str | None = None
        self._config_dir: str | None = None
        self._holds_lock = False
        self._sessions: dict[tuple[str, str], Any] = {}
        self._werkzeug_level: int | None = None

    # -- lifecycle

    def __enter__(self) -> StandIn:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._url is not None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``; raises ``RuntimeError`` when the stand-in is not running."""
        if self._url is None:
            raise RuntimeError("the AWS stand-in is not running: use `with StandIn() as aws:`")
        return self._url

    @property
    def port(self) -> int:
        return int(self.endpoint_url.rsplit(":", 1)[1])

    def start(self) -> None:
        if self._url is not None:
            return
        if not _RUNNING.acquire(blocking=False):
            raise RuntimeError(
                "another AWS stand-in is running in this process (moto's state is process-wide)"
            )
        self._holds_lock = True
        try:
            self._quiet_werkzeug()
            self._start_server()
            self._write_config()
            self.reset()
            if self.seed is not None:
                self._moto_api(f"seed?a={int(self.seed)}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (idempotent); moto's state is reset and the temporary config removed."""
        server, self._server = self._server, None
        try:
            if server is not None:
                try:
                    self.reset()
                finally:
                    server.stop()
        finally:
            self._url = None
            self._sessions.clear()
            if self._config_dir is not None:
                shutil.rmtree(self._config_dir, ignore_errors=True)
                self._config_dir = None
            if self._werkzeug_level is not None:
                logging.getLogger("werkzeug").setLevel(self._werkzeug_level)
                self._werkzeug_level = None
            if self._holds_lock:
                self._holds_lock = False
                _RUNNING.release()

    def reset(self) -> None:
        """Forget everything the stand-in holds (moto's ``/moto-api/reset``)."""
        if self._url is None:
            return
        self._moto_api("reset")
        self._sessions.clear()
        try:  # moto's reset keeps the member -> management map of Organizations (moto 5.2)
            from moto.organizations.models import organizations_backends

            organizations_backends.master_accounts.clear()
        except (ImportError, AttributeError):  # pragma: no cover - other moto versions
            pass

    def _start_server(self) -> None:
        from moto.server import ThreadedMotoServer

        last: str = ""
        for _ in range(3):  # the port picked may be taken before moto binds it
            port = _free_port()
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            starter = threading.Thread(target=server.start, daemon=True)
            starter.start()
            starter.join(self.start_timeout)
            if not starter.is_alive() and _listening(port):
                self._server = server
                self._url = f"http://127.0.0.1:{port}"
                return
            last = f"moto did not start on 127.0.0.1:{port}"
        raise RuntimeError(last)

    def _quiet_werkzeug(self) -> None:
        # werkzeug logs one line per request at INFO level on its own handler
        logger = logging.getLogger("werkzeug")
        self._werkzeug_level = logger.level
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)

    def _write_config(self) -> None:
        self._config_dir = tempfile.mkdtemp(prefix="secretslab-standin-")
        path = os.path.join(self._config_dir, "config")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(
                f"[profile {_PROFILE}]\n"
                f"region = {self.region}\n"
                f"endpoint_url = {self.endpoint_url}\n"
                "retry_mode = standard\n"
                "max_attempts = 3\n"
            )

    def _moto_api(self, path: str) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/{path}", data=b"", method="POST")
        with opener.open(request, timeout=30) as response:
            response.read()

    # -- sessions and clients

    def session(
        self,
        access_key: str = DUMMY_ACCESS_KEY,
        secret_key: str = DUMMY_SECRET_KEY,
        session_token: str | None = None,
        region: str | None = None,
    ) -> Any:
        """A ``boto3.Session`` with these (dummy) credentials whose clients reach the stand-in.

        It reads no credentials or profile of the user: ``config_file`` is the stand-in's,
        ``credentials_file`` is ``os.devnull`` and the profile is set on the session."""
        import boto3  # type: ignore[import-untyped, unused-ignore]
        import botocore.session  # type: ignore[import-untyped, unused-ignore]

        if self._config_dir is None:
            raise RuntimeError("the AWS stand-in is not running: use `with StandIn() as aws:`")
        core = botocore.session.Session()
        core.set_config_variable("config_file", os.path.join(self._config_dir, "config"))
        core.set_config_variable("credentials_file", os.devnull)
        core.set_config_variable("profile", _PROFILE)
        core.set_config_variable("ignore_configured_endpoint_urls", False)
        return boto3.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=session_token,
            region_name=region or self.region,
            botocore_session=core,
        )

    def client(
        self, service: str, region: str = DEFAULT_REGION, session: Any = None, *, max_attempts: int = 3
    ) -> Any:
        """A boto3 client of ``service`` on the stand-in (``endpoint_url`` passed explicitly), made
        from ``session`` or from a new dummy-credential session in the default account."""
        from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]

        session = session if session is not None else self.session(region=region)
        config = Config(
            proxies={},  # loopback: never through HTTP(S)_PROXY
            connect_timeout=5,
            read_timeout=60,
            retries={"mode": "standard", "max_attempts": max_attempts},
        )
        return session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=config)

    def account_session(self, account_id: str, *, region: str | None = None) -> Any:
        """A session acting in ``account_id``: ``sts:AssumeRole`` into its
        ``OrganizationAccountAccessRole`` (moto 5 puts the returned credentials in that account,
        whether the role exists or not). The default account has the dummy credentials."""
        region = region or self.region
        if account_id == DEFAULT_ACCOUNT:
            return self.session(region=region)
        cached = self._sessions.get((account_id, region))
        if cached is not None:
            return cached
        sts = self.client("sts", region=region)
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}", RoleSessionName="secretslab-standin"
        )["Credentials"]
        session = self.session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region)
        landed = self.client("sts", region=region, session=session).get_caller_identity()["Account"]
        if landed != account_id:
            raise RuntimeError(
                f"the stand-in put the session for account {account_id} in {landed} "
                "(is MOTO_ACCOUNT_ID set in the environment?)"
            )
        self._sessions[(account_id, region)] = session
        return session


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


# -- seeding helpers


def _dumps(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))


def _iam_parts(arn: str) -> tuple[str, str, str, str]:
    """(account, kind, path, name) of an IAM ARN ``arn:aws:iam::ACCOUNT:kind/path/name``."""
    parts = arn.split(":", 5)
    kind, _, rest = parts[5].partition("/")
    *middle, name = rest.split("/")
    path = "/" + "".join(p + "/" for p in middle) if middle else "/"
    return parts[4], kind, path, name


def _arn_parts(arn: str) -> tuple[str, str]:
    """(region, account) of an ARN."""
    parts = arn.split(":", 5)
    return parts[3], parts[4]


def _iam_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _wait_for_account(org: Any, status: dict[str, Any]) -> str:
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


def _full_aws_access_id(org: Any) -> str | None:
    for page in org.get_paginator("list_policies").paginate(Filter="SERVICE_CONTROL_POLICY"):
        for policy in page["Policies"]:
            if policy.get("AwsManaged") and policy["Name"] == "FullAWSAccess":
                return str(policy["Id"])
    return None


# -- the demo organisation


def seed_demo(standin: StandIn) -> dict[str, Any]:
    """Seed a small organisation with real boto3 calls and describe what was created.

    Management account (moto's default ``123456789012``): an organization (SCPs enabled), member
    accounts ``prod`` and ``apps`` each in its own OU, and the SCP ``DenySecretDeletion`` on the
    prod OU. In apps: user ``ci-bot`` and role ``AppRole`` (trusting the apps account), whose
    identity policies read prod's secrets directly (GetSecretValue, DescribeSecret, kms:Decrypt
    on the key) and may assume ``SecretReader``. In prod: a customer managed key whose key policy
    enables IAM policies and lets the apps account decrypt through Secrets Manager, its alias
    ``alias/prod-secrets``; secret ``prod/db`` on that key and secret ``prod/legacy`` on
    ``aws/secretsmanager`` (no ``KmsKeyId``), both with secret policies granting ``AppRole``,
    ``ci-bot`` and ``SecretReader``; role ``SecretReader`` trusting the apps account and reading
    both. Secret values are placeholders.

    Returns ``{"region", "management_account", "organization_id", "root_id", "accounts":
    {name: id}, "organizational_units": {name: id}, "scp": {...}, "kms_key": {...},
    "secrets": {name: arn}, "roles": {name: arn}, "users": {name: arn}}``.
    """
    region = standin.region
    mgmt = DEFAULT_ACCOUNT
    org = standin.client("organizations", region=region)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")

    accounts: dict[str, str] = {"management": mgmt}
    ous: dict[str, str] = {}
    for name in ("prod", "apps"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        accounts[name] = _wait_for_account(org, status)
        ous[name] = org.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]["Id"]
        org.move_account(AccountId=accounts[name], SourceParentId=root_id, DestinationParentId=ous[name])
    prod, apps = accounts["prod"], accounts["apps"]

    scp_doc = {
        "Version": _VERSION,
        "Statement": [
            {
                "Sid": "KeepSecretsAndKeys",
                "Effect": "Deny",
                "Action": ["secretsmanager:DeleteSecret", "kms:ScheduleKeyDeletion"],
                "Resource": "*",
            }
        ],
    }
    scp = org.create_policy(
        Content=_dumps(scp_doc),
        Description="Secrets and keys of prod are never deleted",
        Name="DenySecretDeletion",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]
    org.attach_policy(PolicyId=scp["Id"], TargetId=ous["prod"])

    key_arn_pattern = f"arn:aws:kms:{region}:{prod}:key/*"
    reader_arn = f"arn:aws:iam::{prod}:role/SecretReader"
    app_role_arn = f"arn:aws:iam::{apps}:role/AppRole"
    user_arn = f"arn:aws:iam::{apps}:user/ci-bot"
    prod_secrets = f"arn:aws:secretsmanager:{region}:{prod}:secret:prod/*"
    read_prod_secrets = {  # in apps' identity policies and SecretReader's
        "Sid": "ReadProdSecrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "Resource": prod_secrets,
    }

    # apps first: AWS rejects a policy naming a principal that does not exist yet
    apps_session = standin.account_session(apps, region=region)
    iam_apps = standin.client("iam", region=region, session=apps_session)
    read_direct = {
        "Version": _VERSION,
        "Statement": [
            read_prod_secrets,
            {
                "Sid": "DecryptWithProdKeys",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn_pattern,
            },
            {
                "Sid": "BecomeSecretReader",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": reader_arn,
            },
        ],
    }
    user = iam_apps.create_user(UserName="ci-bot", Tags=_iam_tags({"team": "payments"}))["User"]
    iam_apps.put_user_policy(
        UserName="ci-bot", PolicyName="read-prod-secrets", PolicyDocument=_dumps(read_direct)
    )
    apps_trust = {
        "Version": _VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{apps}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    app_role = iam_apps.create_role(
        RoleName="AppRole", AssumeRolePolicyDocument=_dumps(apps_trust), Tags=_iam_tags({"team": "payments"})
    )["Role"]
    iam_apps.put_role_policy(
        RoleName="AppRole", PolicyName="read-prod-secrets", PolicyDocument=_dumps(read_direct)
    )

    prod_session = standin.account_session(prod, region=region)
    iam_prod = standin.client("iam", region=region, session=prod_session)
    kms = standin.client("kms", region=region, session=prod_session)
    sm = standin.client("secretsmanager", region=region, session=prod_session)

    key_policy = {
        "Version": _VERSION,
        "Id": "prod-secrets-key",
        "Statement": [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{prod}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AppsDecryptViaSecretsManager",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{apps}:root"},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            },
        ],
    }
    key = kms.create_key(
        Policy=_dumps(key_policy),
        Description="prod secrets",
        Tags=[{"TagKey": "team", "TagValue": "payments"}],
    )["KeyMetadata"]
    kms.create_alias(AliasName="alias/prod-secrets", TargetKeyId=key["KeyId"])

    reader_trust = {
        "Version": _VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{apps}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    reader = iam_prod.create_role(RoleName="SecretReader", AssumeRolePolicyDocument=_dumps(reader_trust))[
        "Role"
    ]
    reader_policy = {
        "Version": _VERSION,
        "Statement": [
            read_prod_secrets,
            {"Sid": "DecryptWithProdKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key["Arn"]},
        ],
    }
    iam_prod.put_role_policy(
        RoleName="SecretReader", PolicyName="read-prod-secrets", PolicyDocument=_dumps(reader_policy)
    )

    secret_policy = {
        "Version": _VERSION,
        "Statement": [
            {
                "Sid": "AppsAndReaderRead",
                "Effect": "Allow",
                "Principal": {"AWS": [app_role_arn, user_arn, reader_arn]},
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": "*",
            }
        ],
    }
    secrets: dict[str, str] = {}
    for name, key_id, tags in (
        ("prod/db", key["Arn"], {"team": "payments"}),
        ("prod/legacy", None, {}),
    ):
        args: dict[str, Any] = {
            "Name": name,
            "SecretString": PLACEHOLDER_VALUE,
            "ClientRequestToken": str(uuid.uuid5(_TOKEN_NAMESPACE, name)),
            "Tags": _iam_tags(tags),
        }
        if key_id is not None:
            args["KmsKeyId"] = key_id
        arn = sm.create_secret(**args)["ARN"]
        sm.put_resource_policy(SecretId=arn, ResourcePolicy=_dumps(secret_policy), BlockPublicPolicy=False)
        secrets[name] = arn

    return {
        "region": region,
        "management_account": mgmt,
        "organization_id": org_id,
        "root_id": root_id,
        "accounts": accounts,
        "organizational_units": ous,
        "scp": {"name": scp["Name"], "id": scp["Id"], "arn": scp["Arn"], "attached_to": ous["prod"]},
        "kms_key": {
            "arn": key["Arn"],
            "id": key["KeyId"],
            "alias": "alias/prod-secrets",
            "alias_arn": f"arn:aws:kms:{region}:{prod}:alias/prod-secrets",
        },
        "secrets": secrets,
        "roles": {"AppRole": app_role["Arn"], "SecretReader": reader["Arn"]},
        "users": {"ci-bot": user["Arn"]},
    }


# -- any world


class WorldMapping(dict[str, str]):
    """World id -> stand-in id, as ``seed_world`` created the world.

    Keys are account ids (every account of the world, most mapped to themselves), organization,
    root and OU ids, user and role unique ids, KMS key ARNs and key ids, secret version ids, and
    secret ARNs moto could not reproduce. ``translate`` rewrites any JSON-like value (ARNs,
    policy documents, names) from world ids to stand-in ids, ``untranslate`` back.

    ``skipped`` lists, one sentence each, what the stand-in does not hold as the world says
    (sessions, AWS managed key policies, grants, documents moto rejected...), and
    ``management_accounts`` the management account used for each organization id of the world.
    """

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[str] = []
        self.management_accounts: dict[str, str] = {}

    def translate(self, value: Any) -> Any:
        return _rewrite(value, _pattern({k: v for k, v in self.items() if k != v}))

    def untranslate(self, value: Any) -> Any:
        return _rewrite(value, _pattern({v: k for k, v in self.items() if k != v}))

    def reverse(self) -> dict[str, str]:
        return {v: k for k, v in self.items()}


def _pattern(table: dict[str, str]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    if not table:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})(?![A-Za-z0-9_-])"), table


def _rewrite(value: Any, compiled: tuple[re.Pattern[str], dict[str, str]] | None) -> Any:
    if compiled is None:
        return copy.deepcopy(value)
    pattern, table = compiled
    if isinstance(value, str):
        return pattern.sub(lambda m: table[m.group(0)], value)
    if isinstance(value, dict):
        return {_rewrite(k, compiled): _rewrite(v, compiled) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rewrite(v, compiled) for v in value]
    return value


def _version_token(version_id: str) -> str:
    """A ClientRequestToken (32-64 characters) for a world version id, the same on every run."""
    if 32 <= len(version_id) <= 64 and re.fullmatch(r"[A-Za-z0-9-]+", version_id):
        return version_id
    return str(uuid.uuid5(_TOKEN_NAMESPACE, version_id))


def seed_world(standin: StandIn, world: World) -> WorldMapping:
    """Create ``world`` (semantics §1.1) in the stand-in with real boto3 calls.

    Organizations: one organization per organization id of the world, from its management
    account (the world's, or a spare account when the world names none) — member accounts,
    nested OUs, the SCP and RCP policy types when enabled, SCPs and RCPs attached where the world
    says, ``FullAWSAccess`` detached where it says. IAM: users (path, tags, groups), groups, roles
    (path, tags, trust policy), inline policies (``put_*_policy``, named ``inline-N``),
    permissions boundaries (``create_policy`` + ``put_*_permissions_boundary``). KMS: customer
    managed keys with tags, key policy and aliases; an AWS managed key is not created but looked
    up through its ``alias/aws/...`` (moto makes it on first use), and secrets on it get no
    ``KmsKeyId``. Secrets Manager: secrets with placeholder values, their version stages, tags
    and resource policies.

    Documents are written only once every id is known, translated through the returned
    ``WorldMapping`` (see the module docstring for why ids change). Whatever the stand-in cannot
    hold as the world says is listed in ``mapping.skipped``.
    """
    return _WorldSeeder(standin, world.to_dict()).run()


class _WorldSeeder:
    def __init__(self, standin: StandIn, data: dict[str, Any]):
        self.standin = standin
        self.data = data
        self.mapping = WorldMapping()
        self._compiled: tuple[re.Pattern[str], dict[str, str]] | None = None
        self.later: list[tuple[str, Any]] = []  # (what, thunk) run once every id is mapped

    # helpers

    def tr(self, value: Any) -> Any:
        if self._compiled is None:
            self._compiled = _pattern({k: v for k, v in self.mapping.items() if k != v})
        return _rewrite(value, self._compiled)

    def map(self, world_id: str, standin_id: str) -> None:
        self.mapping[world_id] = standin_id
        self._compiled = None

    def client(self, service: str, account: str, region: str | None = None) -> Any:
        region = region or self.standin.region
        session = self.standin.account_session(account, region=region)
        return self.standin.client(service, region=region, session=session)

    def skip(self, text: str) -> None:
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

    def run(self) -> WorldMapping:
        data = self.data
        for account in data.get("accounts", []):
            self.map(account["id"], account["id"])
        self.organizations()
        principals = data.get("principals", {})
        self.groups(principals.get("groups", []), principals.get("users", []))
        self.users(principals.get("users", []))
        self.roles(principals.get("roles", []))
        for session in principals.get("sessions", []):
            self.skip(f"session {session['arn']}: sessions are not resources; it is derived from its role")
        self.keys(data.get("kms_keys", []))
        self.secrets(data.get("secrets", []))
        if data.get("gaps"):
            self.skip("gaps: an imported world's gaps are not reproduced")
        for _what, thunk in self.later:
            thunk()
        return self.mapping

    # Organizations

    def organizations(self) -> None:
        data = self.data
        spec = data.get("organization")
        accounts = data.get("accounts", [])
        org_ids: list[str] = [spec["id"]] if spec else []
        for account in accounts:
            if account.get("org_id") and account["org_id"] not in org_ids:
                org_ids.append(account["org_id"])
        used = {a["id"] for a in accounts}
        for org_id in org_ids:
            this = spec if spec and spec["id"] == org_id else None
            mgmt = this.get("management_account") if this else None
            if not mgmt:
                mgmt = _spare_account(used)
                used.add(mgmt)
            self.map(mgmt, mgmt)
            self.mapping.management_accounts[org_id] = mgmt
            self.organization(org_id, this, mgmt, [a for a in accounts if a.get("org_id") == org_id])

    def organization(
        self, org_id: str, spec: dict[str, Any] | None, mgmt: str, members: list[dict[str, Any]]
    ) -> None:
        org = self.client("organizations", mgmt)
        self.map(org_id, org.create_organization(FeatureSet="ALL")["Organization"]["Id"])
        root = org.list_roots()["Roots"][0]["Id"]
        world_roots = {spec["root_id"]} if spec else set()
        world_roots |= {a["org_path"][0] for a in members if a.get("org_path")}
        for world_root in world_roots or {"r-root"}:
            self.map(world_root, root)
        for account in members:  # OUs, outermost first
            path = list(account.get("org_path") or [])
            for parent, ou in itertools.pairwise(path):
                if ou not in self.mapping:
                    created = org.create_organizational_unit(ParentId=self.mapping[parent], Name=ou)
                    self.map(ou, created["OrganizationalUnit"]["Id"])
        for account in members:
            if account["id"] == mgmt:
                new_id = mgmt
            else:
                status = org.create_account(
                    AccountName=account.get("name") or account["id"], Email=f"{account['id']}@example.com"
                )["CreateAccountStatus"]
                new_id = _wait_for_account(org, status)
                self.map(account["id"], new_id)
            path = account.get("org_path") or []
            if len(path) > 1:
                org.move_account(
                    AccountId=new_id, SourceParentId=root, DestinationParentId=self.mapping[path[-1]]
                )
        if spec is not None:
            self.later.append(("organization policies", lambda: self.org_policies(org, root, spec)))

    def org_policies(self, org: Any, root: str, spec: dict[str, Any]) -> None:
        kinds = (
            ("SERVICE_CONTROL_POLICY", "SCP", spec.get("scp_enabled", True), spec.get("scps", [])),
            ("RESOURCE_CONTROL_POLICY", "RCP", spec.get("rcp_enabled", False), spec.get("rcps", [])),
        )
        for policy_type, label, enabled, policies in kinds:
            if not enabled:
                for policy in policies:
                    self.skip(f"{label} {policy['name']}: the world has {label}s disabled, not attached")
                continue
            if (
                self.attempt(
                    f"{label} policy type", org.enable_policy_type, RootId=root, PolicyType=policy_type
                )
                is None
            ):
                self.skip(f"{label}s: moto's Organizations did not enable {policy_type}")
                continue
            for policy in policies:
                target = self.mapping.get(policy["attached_to"], self.tr(policy["attached_to"]))
                created = self.attempt(
                    f"{label} {policy['name']}",
                    org.create_policy,
                    Content=_dumps(self.tr(policy["document"])),
                    Description=f"secretslab {label}",
                    Name=policy["name"],
                    Type=policy_type,
                )
                if created is not None:
                    summary = created["Policy"]["PolicySummary"]
                    self.attempt(
                        f"{label} {policy['name']} attachment",
                        org.attach_policy,
                        PolicyId=summary["Id"],
                        TargetId=target,
                    )
        detached = spec.get("full_aws_access_detached_from") or []
        if detached and spec.get("scp_enabled", True):
            full = _full_aws_access_id(org)
            for node in detached:
                if full is None:
                    self.skip(f"FullAWSAccess on {node}: moto has no FullAWSAccess SCP to detach")
                    continue
                self.attempt(
                    f"FullAWSAccess detached from {node}",
                    org.detach_policy,
                    PolicyId=full,
                    TargetId=self.mapping.get(node, node),
                )

    # IAM

    def groups(self, groups: list[dict[str, Any]], users: list[dict[str, Any]]) -> None:
        listed = [*groups]
        known = {g["arn"] for g in groups}
        for user in users:  # a group a user is in but the world does not list: created empty
            for arn in user.get("groups", []):
                if arn not in known:
                    known.add(arn)
                    listed.append({"arn": arn, "policies": []})
        for group in listed:
            account, _, path, name = _iam_parts(self.tr(group["arn"]))
            iam = self.client("iam", account)
            iam.create_group(GroupName=name, Path=path)
            self.later_inline(iam, "group", name, group.get("policies", []))

    def users(self, users: list[dict[str, Any]]) -> None:
        for user in users:
            account, _, path, name = _iam_parts(self.tr(user["arn"]))
            iam = self.client("iam", account)
            created = iam.create_user(UserName=name, Path=path, **self.tags_arg(user.get("tags")))["User"]
            if user.get("user_id"):
                self.map(user["user_id"], created["UserId"])
            for group_arn in user.get("groups", []):
                group_account, _, _, group_name = _iam_parts(self.tr(group_arn))
                if group_account != account:
                    self.skip(f"user {name} in group {group_arn}: a group of another account")
                    continue
                iam.add_user_to_group(GroupName=group_name, UserName=name)
            self.later_inline(iam, "user", name, user.get("policies", []))
            if user.get("permissions_boundary") is not None:
                self.later_boundary(iam, "user", name, user["permissions_boundary"])

    def roles(self, roles: list[dict[str, Any]]) -> None:
        for role in roles:
            account, _, path, name = _iam_parts(self.tr(role["arn"]))
            iam = self.client("iam", account)
            created = iam.create_role(
                RoleName=name,
                Path=path,
                AssumeRolePolicyDocument=_dumps(_DENY_ALL_TRUST),  # the real one once every id is known
                **self.tags_arg(role.get("tags")),
            )["Role"]
            if role.get("role_id"):
                self.map(role["role_id"], created["RoleId"])
            if role.get("service_linked") and not path.startswith("/aws-service-role/"):
                self.skip(f"role {name}: service-linked in the world, an ordinary role in the stand-in")
            trust = role.get("trust_policy")
            if trust is None:
                self.skip(f"role {name}: no trust policy in the world; a deny-all trust policy stands in")
            else:
                self.later_put(
                    f"trust policy of role {name}",
                    iam.update_assume_role_policy,
                    RoleName=name,
                    document=trust,
                )
            self.later_inline(iam, "role", name, role.get("policies", []))
            if role.get("permissions_boundary") is not None:
                self.later_boundary(iam, "role", name, role["permissions_boundary"])

    @staticmethod
    def tags_arg(tags: dict[str, str] | None) -> dict[str, Any]:
        return {"Tags": _iam_tags(tags)} if tags else {}

    def later_inline(self, iam: Any, kind: str, name: str, documents: list[Any]) -> None:
        """Inline policies ``inline-1``, ``inline-2``… of a group, user or role, put once ids are known."""
        put = getattr(iam, f"put_{kind}_policy")
        for index, document in enumerate(documents, 1):
            self.later_put(
                f"inline policy {index} of {kind} {name}",
                put,
                **{f"{kind.capitalize()}Name": name},
                PolicyName=f"inline-{index}",
                document=document,
            )

    def later_put(self, what: str, call: Any, *, document: Any, **kwargs: Any) -> None:
        def put() -> None:
            self.attempt(what, call, **kwargs, PolicyDocument=_dumps(self.tr(document)))

        self.later.append((what, put))

    def later_boundary(self, iam: Any, kind: str, name: str, document: Any) -> None:
        def put() -> None:
            what = f"permissions boundary of {kind} {name}"
            created = self.attempt(
                what,
                iam.create_policy,
                PolicyName=f"boundary-{kind}-{name}",
                PolicyDocument=_dumps(self.tr(document)),
                Description=f"secretslab: permissions boundary of {kind} {name}",
            )
            if created is None:
                return
            arn = created["Policy"]["Arn"]
            if kind == "role":
                self.attempt(what, iam.put_role_permissions_boundary, RoleName=name, PermissionsBoundary=arn)
            elif _moto_implements("iam", "IamResponse", "put_user_permissions_boundary"):
                self.attempt(what, iam.put_user_permissions_boundary, UserName=name, PermissionsBoundary=arn)
            else:
                self.skip(
                    f"{what}: moto does not implement PutUserPermissionsBoundary; the policy exists "
                    f"as {arn} but bounds nothing"
                )

        self.later.append((f"permissions boundary of {kind} {name}", put))

    # KMS

    def keys(self, keys: list[dict[str, Any]]) -> None:
        id_count: dict[str, int] = {}
        for key in keys:
            key_id = key["arn"].rsplit("/", 1)[-1]
            id_count[key_id] = id_count.get(key_id, 0) + 1
        for key in keys:
            region, account = _arn_parts(self.tr(key["arn"]))
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
                self.skip(f"key {key['arn']}: grants are not created (secretslab ignores them too)")

    def aws_managed_key(self, kms: Any, key: dict[str, Any]) -> dict[str, Any] | None:
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
                        Policy=_dumps(self.tr(document)),
                    ),
                )
            )
        else:
            self.skip(f"key {key['arn']}: no key policy in the world; moto's default key policy stands in")
        return created

    # Secrets Manager

    def secrets(self, secrets: list[dict[str, Any]]) -> None:
        keys = {k["arn"]: k for k in self.data.get("kms_keys", [])}
        for secret in secrets:
            for version_id in (secret.get("versions") or {}).values():
                self.map(version_id, _version_token(version_id))
        for secret in secrets:
            self.secret(secret, keys)

    def secret(self, secret: dict[str, Any], keys: dict[str, dict[str, Any]]) -> None:
        arn = self.tr(secret["arn"])
        region, account = _arn_parts(arn)
        sm = self.client("secretsmanager", account, region)
        name = self.tr(secret["name"])
        tags = _iam_tags(secret.get("tags") or {})
        resource = arn.split(":secret:", 1)[-1]
        suffix = resource[len(name) + 1 :] if resource.startswith(name + "-") else ""
        custom = bool(re.fullmatch(r"[A-Za-z0-9]{6}", suffix))
        versions: dict[str, list[str]] = {}
        for stage, version_id in (secret.get("versions") or {}).items():
            versions.setdefault(version_id, []).append(stage)
        order = sorted(
            versions, key=lambda v: ("AWSCURRENT" in versions[v], "AWSPREVIOUS" not in versions[v])
        )
        first = _version_token(order[0]) if order else str(uuid.uuid5(_TOKEN_NAMESPACE, secret["arn"]))
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
                ClientRequestToken=_version_token(version_id),
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
                        ResourcePolicy=_dumps(self.tr(document)),
                        BlockPublicPolicy=False,
                    ),
                )
            )

    def check_stages(self, sm: Any, arn: str, secret: dict[str, Any]) -> None:
        want = {stage: _version_token(v) for stage, v in (secret.get("versions") or {}).items()}
        have: dict[str, str] = {}
        for version in sm.list_secret_version_ids(SecretId=arn, IncludeDeprecated=True)["Versions"]:
            for stage in version.get("VersionStages", []):
                have[stage] = version["VersionId"]
        if want != have:
            self.skip(
                f"secret {secret['arn']}: version stages differ in the stand-in: {have} (wanted {want})"
            )


def _moto_implements(service: str, response_class: str, operation: str) -> bool:
    """Whether moto's server answers ``operation`` (it answers the others with a 500 page and
    an error log line)."""
    try:
        module = importlib.import_module(f"moto.{service}.responses")
    except ImportError:  # pragma: no cover
        return True
    return hasattr(getattr(module, response_class, None), operation)


def _spare_account(used: Iterable[str]) -> str:
    """An account id for a management account the world does not name."""
    taken = set(used)
    candidate = int(DEFAULT_ACCOUNT)
    while f"{candidate:012d}" in taken:
        candidate += 1
    return f"{candidate:012d}"
