"""moto's server on loopback: ``StandIn`` starts ``moto.server.ThreadedMotoServer`` on ``127.0.0.1``
and a free port, hands out boto3 sessions and clients that reach only it (dummy credentials, a
profile of its own, never the user's credential chain), a session per account through
``sts:AssumeRole``, and stops it on exit. ``standin``'s docstring says what the stand-in is and
what moto does not do as AWS does.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import urllib.request
from types import TracebackType
from typing import Any

from ..extras import require
from ..files import write_atomic

__all__ = [
    "ACCESS_ROLE",
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DUMMY_ACCESS_KEY",
    "DUMMY_SECRET_KEY",
    "StandIn",
]

DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
DEFAULT_REGION = "us-east-1"
#: moto's default account: the account of the dummy access key
DEFAULT_ACCOUNT = "123456789012"
#: the role assumed to reach another account (created by organizations:CreateAccount)
ACCESS_ROLE = "OrganizationAccountAccessRole"

_PROFILE = "secretslab-standin"
_RUNNING = threading.Lock()  # moto's backends are process-wide: one stand-in at a time


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
        """Whether the server has been started and not stopped."""
        return self._url is not None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``; raises ``RuntimeError`` when the stand-in is not running."""
        if self._url is None:
            raise RuntimeError("the AWS stand-in is not running: use `with StandIn() as aws:`")
        return self._url

    @property
    def port(self) -> int:
        """The port the server listens on; raises ``RuntimeError`` when the stand-in is not running."""
        return int(self.endpoint_url.rsplit(":", 1)[1])

    def start(self) -> None:
        """Start the server on a free loopback port (nothing if it is already running), reset moto's
        state and seed its random ids; raises ``RuntimeError`` when another stand-in runs in this
        process, since moto's state is process-wide, and ``MissingExtra`` without moto
        (``secretslab[standin]``)."""
        if self._url is not None:
            return
        if not _RUNNING.acquire(blocking=False):
            raise RuntimeError(
                "another AWS stand-in is running in this process (moto's state is process-wide)"
            )
        self._holds_lock = True
        try:
            # what the stand-in needs, before anything starts: a missing extra is one sentence
            require("moto.server", extra="standin", package="moto")
            require("boto3", extra="standin")
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
        write_atomic(
            os.path.join(self._config_dir, "config"),
            f"[profile {_PROFILE}]\n"
            f"region = {self.region}\n"
            f"endpoint_url = {self.endpoint_url}\n"
            "retry_mode = standard\n"
            "max_attempts = 3\n",
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
        ``credentials_file`` is ``os.devnull`` and the profile is set on the session; its clients
        ignore ``HTTP(S)_PROXY`` (the stand-in is on loopback)."""
        import boto3  # type: ignore[import-untyped, unused-ignore]
        import botocore.session  # type: ignore[import-untyped, unused-ignore]

        if self._config_dir is None:
            raise RuntimeError("the AWS stand-in is not running: use `with StandIn() as aws:`")
        from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]

        core = botocore.session.Session()
        core.set_default_client_config(Config(proxies={}))  # loopback: never through HTTP(S)_PROXY
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
