"""What went wrong in reaching AWS, in one sentence: botocore's user-facing errors (no
credentials, unknown profile, unreachable endpoint, expired SSO session, a refused first call)
turned into a message the CLI prints and a notebook shows, instead of a traceback.

AWS pages: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html (profiles),
https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html (the credential chain)
"""

from __future__ import annotations

from ..extras import require
from ..problems import quoted
from .endpoints import EndpointRefused

bx = require("botocore.exceptions", extra="aws", package="boto3")


def describe(exc: BaseException) -> str | None:
    """The sentence for a botocore error a user can fix; None for anything else (a bug to raise)."""
    if isinstance(exc, bx.ProfileNotFound):
        return (
            f"{exc} (profiles come from ~/.aws/config and ~/.aws/credentials; "
            "list them with `aws configure list-profiles`)"
        )
    if isinstance(exc, bx.NoCredentialsError):
        return (
            "no AWS credentials found: pass --profile NAME, or set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (for the stand-in, the values demo-aws prints)"
        )
    if isinstance(exc, bx.PartialCredentialsError):
        return f"incomplete AWS credentials: {exc}"
    if isinstance(exc, bx.EndpointConnectionError):
        return f"cannot reach the AWS endpoint: {exc}"
    if isinstance(exc, bx.NoRegionError):
        return "no AWS Region: pass --region REGION"
    if isinstance(exc, bx.InvalidRegionError):
        return f"{exc} (a Region is named like us-east-1)"
    if isinstance(exc, bx.ParamValidationError):
        return f"AWS would refuse the call's parameters: {quoted(str(exc), 300)}"
    if isinstance(exc, EndpointRefused):
        return str(exc)
    if isinstance(exc, (bx.SSOTokenLoadError, bx.TokenRetrievalError, bx.UnauthorizedSSOTokenError)):
        return f"the SSO session has expired or is missing ({exc}); run `aws sso login`"
    if isinstance(exc, bx.ClientError):  # e.g. an invalid or expired token on the first call
        error = exc.response.get("Error", {})
        return f"AWS refused the call: {error.get('Code')}: {error.get('Message')}"
    return None
