"""An embedded AWS stand-in: moto's server on loopback, seeded with real boto3 calls.

``StandIn`` starts ``moto.server.ThreadedMotoServer`` on ``127.0.0.1`` and a free port, hands out
boto3 sessions and clients that talk only to it, and stops it on exit (also when the block
raises)::

    with StandIn() as aws:
        demo = seed_demo(aws)                       # a small organisation (see ``seed_demo``)
        prod = aws.account_session(demo["accounts"]["prod"])
        aws.client("secretsmanager", session=prod).list_secrets()

This module is the stand-in's front door: it documents it and re-exports its names from where
they live: ``server`` (``StandIn`` and its constants), ``demo`` (``seed_demo``, whose content is
the package's ``demo-world.json``), ``seeding`` (``seed_world``, with ``seed_iam`` and
``seed_secrets``), ``mapping`` (``WorldMapping``) and ``seed_calls`` (what seeding shares).

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

from .demo import seed_demo
from .mapping import WorldMapping
from .seed_calls import PLACEHOLDER_VALUE
from .seeding import seed_world
from .server import (
    ACCESS_ROLE,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DUMMY_ACCESS_KEY,
    DUMMY_SECRET_KEY,
    StandIn,
)

__all__ = [
    "ACCESS_ROLE",
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DUMMY_ACCESS_KEY",
    "DUMMY_SECRET_KEY",
    "PLACEHOLDER_VALUE",
    "StandIn",
    "WorldMapping",
    "seed_demo",
    "seed_world",
]
