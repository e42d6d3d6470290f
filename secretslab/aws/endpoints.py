"""Where an import may send the user's credentials, and with which arguments.

``endpoint_of(url)`` accepts an ``https://`` URL, or an ``http://`` URL only on loopback
(``127.0.0.0/8``, ``::1``, ``localhost``: the embedded stand-in of ``demo-aws``). Plain HTTP to any
other host would send every signed request — and, for the credential provider's
``sts:AssumeRole``, the credentials it returns — in clear, so it is refused before a client
exists. A loopback endpoint gets dummy credentials unless the caller names a profile or passes a
session (``importer.snapshot``), and its clients never go through ``HTTP(S)_PROXY``.

``region_problem`` and ``role_arn_problem`` say what is wrong with a ``--region`` or
``--role-arn`` before botocore is asked (it would answer with a traceback-shaped error).

AWS pages: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html,
https://docs.aws.amazon.com/general/latest/gr/rande.html (Regions),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html (role ARNs)
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from ..arn import ACCOUNT_ID, Arn
from ..problems import quoted

__all__ = ["EndpointRefused", "endpoint_of", "is_loopback", "region_problem", "role_arn_problem"]


class EndpointRefused(ValueError):
    """An endpoint URL the import will not send credentials to, or cannot use; the message says
    why and what to give instead."""


def _host(url: str) -> str | None:
    try:
        return urllib.parse.urlsplit(url).hostname
    except ValueError:
        return None


def is_loopback(url: str | None) -> bool:
    """Whether ``url`` names this machine: ``localhost`` or an address in ``127.0.0.0/8`` or ``::1``."""
    host = _host(url) if url else None
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_of(url: str | None) -> str | None:
    """``url`` when the import may use it (``None`` stays ``None``: AWS's own endpoints); raises
    ``EndpointRefused`` for anything but ``https://host[:port][/path]``, or ``http://`` on loopback."""
    if url is None:
        return None
    shown = quoted(url, 120)
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise EndpointRefused(f"--endpoint-url {shown} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointRefused(
            f"--endpoint-url {shown} is not an http(s) URL with a host, such as https://sts.example.com"
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise EndpointRefused(f"--endpoint-url {shown} holds spaces or control characters")
    if parts.scheme == "http" and not is_loopback(url):
        raise EndpointRefused(
            f"refusing --endpoint-url {shown}: plain http:// would send your AWS credentials and "
            "signed requests in clear to another machine; use https://, or http:// only on loopback "
            "(127.0.0.1, ::1, localhost) for the embedded stand-in"
        )
    return url


def region_problem(region: str) -> str | None:
    """What is wrong with a Region name (None when it has the form AWS uses: lowercase letters,
    digits and hyphens, starting with a letter, at most 63 characters, such as ``eu-west-1``)."""
    ok = (
        0 < len(region) <= 63
        and region[0].isascii()
        and region[0].isalpha()
        and region[-1] != "-"
        and all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "-") for ch in region)
    )
    if ok:
        return None
    return f"--region {quoted(region)} is not a Region name such as us-east-1 or eu-west-1"


def role_arn_problem(arn: str) -> str | None:
    """What is wrong with a role ARN to assume (None for ``arn:PARTITION:iam::ACCOUNT:role/NAME``)."""
    parsed = Arn.parse(arn)
    account = parsed.account if parsed else ""
    if (
        parsed is None
        or parsed.service != "iam"
        or not parsed.resource.startswith("role/")
        or len(parsed.resource) <= len("role/")
        or not ACCOUNT_ID.match(account)
        or len(arn) > 2048
    ):
        return f"--role-arn {quoted(arn)} is not an IAM role ARN such as arn:aws:iam::123456789012:role/NAME"
    return None
