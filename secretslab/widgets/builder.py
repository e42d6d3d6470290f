"""The cross-account scenario builder: ``BuilderChoices`` (which key, what the secret and key
policies grant, what the reader's identity policy allows, direct or through an assumed role) make
a world (``build_world``) and a request (``builder_request``); ``render_builder`` decides it and
shows each hop, the access diagram and, when denied, the smallest fix; ``ScenarioBuilder`` wires
controls to it. The rules shown are semantics §9.5, §9.6, §10.5, §10.6 and §11.2: the recipe
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
and the role-assumption alternative
https://docs.aws.amazon.com/secretsmanager/latest/userguide/best-practice_cross-account-role-vs-account.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..authorization import Decision, authorize
from ..fixes import suggest_fixes
from ..world import World
from .app import App, ipywidgets
from .controls import checkbox, dropdown, set_description, set_options, toggle_buttons
from .render import (
    GET_SECRET_VALUE,
    GREY,
    AfterFix,
    Drawing,
    Rendered,
    after_fix,
    escape,
    explanation,
    fix_html,
    mark,
    short,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _steps_html(decision: Decision) -> str:
    """The decision hop by hop, from the plan the decision records: every call the request needs,
    in AWS's order, those an earlier failure kept from running included."""
    rows = []
    for i, planned in enumerate(decision.plan, 1):
        step = planned.step
        if step is None:
            rows.append(
                f"<tr><td>–</td><td><code>{escape(short(planned.principal))}</code></td>"
                f"<td><code>{escape(planned.action)}</code></td>"
                f"<td><code>{escape(short(planned.resource))}</code></td>"
                f"<td style='color:{GREY}'>not reached</td>"
                f"<td style='color:{GREY}'>{escape(planned.why_not_reached)}</td></tr>"
            )
            continue
        ev = step.evaluation
        rows.append(
            f"<tr><td>{i}</td><td><code>{escape(short(step.principal))}</code></td>"
            f"<td><code>{escape(step.action)}</code></td><td><code>{escape(short(step.resource))}</code></td>"
            f"<td>{mark(step.allowed)}</td><td><code>{escape(ev.reason.value)}</code><br>"
            f"{escape(ev.deciding_policy or ev.reason.summary)}</td></tr>"
        )
    head = "<tr><th>hop</th><th>caller</th><th>action</th><th>resource</th><th>decision</th><th>why</th></tr>"
    return f"<table class='secretslab-hops'>{head}{''.join(rows)}</table>"


PROD, APPS, REGION = "111111111111", "222222222222", "us-east-1"
CONSUMER_ROLE = f"arn:aws:iam::{APPS}:role/AppRole"
CONSUMER = f"arn:aws:sts::{APPS}:assumed-role/AppRole/app"  # the caller: a session of AppRole
READER_ROLE = f"arn:aws:iam::{PROD}:role/SecretReader"
SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/db-AbC123"
CMK = f"arn:aws:kms:{REGION}:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_MANAGED_KEY = f"arn:aws:kms:{REGION}:{PROD}:key/0000aaaa-0000-4000-8000-0000000a3500"

KEY_OPTIONS = (("customer managed key alias/prod-db", "cmk"), ("AWS managed key aws/secretsmanager", "aws"))
GRANT_OPTIONS = (
    ("nothing", "none"),
    ("the consumer role AppRole", "role"),
    (f"the consumer account {APPS}", "account"),
)
PATH_OPTIONS = (("direct", "direct"), ("assume role SecretReader in prod", "assume_role"))
_GRANTEE = {"role": CONSUMER_ROLE, "account": f"arn:aws:iam::{APPS}:root"}


@dataclass(frozen=True, slots=True)
class BuilderChoices:
    """The set-up of a cross-account read of secret prod/db (account 111111111111, prod) by role
    AppRole (account 222222222222, apps). ``identity_get``/``identity_decrypt`` are the identity
    policy of whoever makes the read: AppRole on the direct path, SecretReader (prod) when AppRole
    first assumes it; on that path AppRole's own policy always allows ``sts:AssumeRole``."""

    key: str = "cmk"  # "cmk" | "aws"
    secret_policy: str = "role"  # what the secret policy grants: "none" | "role" | "account"
    key_policy: str = "role"  # what the customer managed key's policy grants (the AWS one is fixed)
    identity_get: bool = True  # the reader's identity policy allows secretsmanager:GetSecretValue
    identity_decrypt: bool = True  # ... and kms:Decrypt on the key's ARN
    path: str = "direct"  # "direct" | "assume_role"
    trust: bool = True  # SecretReader's trust policy trusts account 222222222222 (else only prod)

    def __post_init__(self) -> None:
        for name, options in (
            ("key", KEY_OPTIONS),
            ("secret_policy", GRANT_OPTIONS),
            ("key_policy", GRANT_OPTIONS),
            ("path", PATH_OPTIONS),
        ):
            allowed = [value for _, value in options]
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} is one of {allowed}, not {getattr(self, name)!r}")

    @classmethod
    def of(cls, choices: BuilderChoices | Mapping[str, Any]) -> BuilderChoices:
        """The choices as given, or made from a mapping of field name to value; raises ``ValueError``
        or ``TypeError`` for a value or field the builder does not have."""
        return choices if isinstance(choices, BuilderChoices) else cls(**dict(choices))


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trust(account: str, sid: str) -> dict[str, Any]:
    principal = {"AWS": f"arn:aws:iam::{account}:root"}
    return _doc({"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def build_world(choices: BuilderChoices | Mapping[str, Any]) -> dict[str, Any]:
    """The §1.1 world of the choices: accounts 111111111111 (prod: secret prod/db, its key, and on
    the assume-role path role SecretReader) and 222222222222 (apps: role AppRole)."""
    c = BuilderChoices.of(choices)
    key_arn = CMK if c.key == "cmk" else AWS_MANAGED_KEY
    reads = []
    if c.identity_get:
        reads.append({"Sid": "ReadProdDb", "Effect": "Allow", "Action": GET_SECRET_VALUE, "Resource": SECRET})
    if c.identity_decrypt:  # by key ARN: an alias ARN would never authorize the key (§9.5)
        reads.append(
            {"Sid": "DecryptProdDbKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}
        )
    app_role: dict[str, Any] = {
        "arn": CONSUMER_ROLE,
        "trust_policy": _trust(APPS, "AppsAccount"),
        "policies": [],
    }
    roles = [app_role]
    if c.path == "direct":
        app_role["policies"] = [_doc(*reads)] if reads else []
    else:
        assume = {
            "Sid": "AssumeSecretReader",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": READER_ROLE,
        }
        app_role["policies"] = [_doc(assume)]
        trust = _trust(APPS, "TrustAppsAccount") if c.trust else _trust(PROD, "TrustProdOnly")
        roles.append({"arn": READER_ROLE, "trust_policy": trust, "policies": [_doc(*reads)] if reads else []})
    secret_policy = None
    if c.secret_policy != "none":
        secret_policy = _doc(
            {
                "Sid": "ConsumerRead",
                "Effect": "Allow",
                "Principal": {"AWS": _GRANTEE[c.secret_policy]},
                "Action": GET_SECRET_VALUE,
                "Resource": "*",
            }
        )
    if c.key == "cmk":
        statements = [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if c.key_policy != "none":
            statements.append(
                {
                    "Sid": "ConsumerDecryptViaSecretsManager",
                    "Effect": "Allow",
                    "Principal": {"AWS": _GRANTEE[c.key_policy]},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                    },
                }
            )
        key = {
            "arn": CMK,
            "account": PROD,
            "region": REGION,
            "manager": "CUSTOMER",
            "aliases": ["alias/prod-db"],
            "key_policy": _doc(*statements),
        }
    else:  # AWS writes this key's policy (§9.6): the reader fills in its template
        key = {
            "arn": AWS_MANAGED_KEY,
            "account": PROD,
            "region": REGION,
            "manager": "AWS",
            "aliases": ["alias/aws/secretsmanager"],
        }
    return {
        "accounts": [
            {"id": PROD, "name": "prod", "org_id": None, "org_path": []},
            {"id": APPS, "name": "apps", "org_id": None, "org_path": []},
        ],
        "principals": {"users": [], "groups": [], "roles": roles},
        "secrets": [
            {
                "arn": SECRET,
                "name": "prod/db",
                "account": PROD,
                "region": REGION,
                "kms_key": key_arn,
                "resource_policy": secret_policy,
            }
        ],
        "kms_keys": [key],
    }


def builder_request(choices: BuilderChoices | Mapping[str, Any]) -> dict[str, Any]:
    """AppRole's session reads prod/db, directly or after assuming SecretReader (§1.2)."""
    request: dict[str, Any] = {"principal": CONSUMER, "action": GET_SECRET_VALUE, "resource": SECRET}
    if BuilderChoices.of(choices).path == "assume_role":
        request["assume_role_chain"] = [{"role_arn": READER_ROLE, "session_name": "app"}]
    return request


def render_builder(choices: BuilderChoices | Mapping[str, Any]) -> Rendered:
    """The decision per hop, the access diagram, the explanation and, when denied, the smallest
    fix (the first of ``suggest_fixes``)."""
    return _render_builder(BuilderChoices.of(choices))


@lru_cache(maxsize=64)  # about 40 kB a render (its PNG; 0.7 MB more once its figure is asked for)
def _render_builder(choices: BuilderChoices) -> Rendered:
    world = World.from_dict(build_world(choices))
    request = builder_request(choices)
    decision = authorize(world, request)
    fix = None if decision.allowed else next(iter(suggest_fixes(world, request, limit=1)), None)

    def draw() -> Figure:
        from ..viz import access_diagram  # matplotlib, loaded with the first figure

        return access_diagram(decision, world)

    drawing = Drawing(draw)
    parts = [
        f"<p style='font-size:1.1em'>{mark(decision.allowed)} <code>{escape(decision.reason.value)}</code>: "
        f"{escape(decision.reason.summary)}</p>",
        _steps_html(decision),
    ]
    if not decision.allowed:
        failed = decision.failed_step
        where = f" at <code>{escape(failed.action)}</code>" if failed else ""
        if fix is not None:
            parts.append(f"<p><b>Denied{where}. Smallest fix</b> (drawn beside the failing diagram):</p>")
            parts.append(fix_html(fix))
        else:
            parts.append(f"<p><b>Denied{where}.</b> No policy change alone can allow this request.</p>")
    parts.append(explanation(decision))
    return Rendered(
        "<div class='secretslab-builder'>" + "".join(parts) + "</div>",
        drawing,
        drawing.png(),
        decision,
        fix=fix,
        world=world,
    )


def render_after_fix(choices: BuilderChoices | Mapping[str, Any]) -> tuple[Figure, bytes] | None:
    """The access diagram of the scenario after its smallest fix (``render_builder``'s ``fix``),
    and its PNG; None when the request is allowed or no policy change can allow it. The builder
    shows it beside the failing diagram."""
    found = _render_after_fix(BuilderChoices.of(choices))
    return None if found is None else (found[0].figure(), found[1])


@lru_cache(maxsize=64)
def _render_after_fix(choices: BuilderChoices) -> tuple[Drawing, bytes] | None:
    rendered = _render_builder(choices)
    if rendered.fix is None or rendered.world is None:
        return None
    drawing = after_fix(rendered.world, rendered.fix)
    return drawing, drawing.png()


class ScenarioBuilder(App):
    """Build a cross-account read of a secret piece by piece and watch each hop's decision. A
    control that cannot apply is disabled and shows what is really there: the AWS managed key's
    own policy, no trust policy on the direct path (no SecretReader); the learner's choice in it
    comes back when it applies again."""

    def __init__(self, choices: BuilderChoices | Mapping[str, Any] | None = None) -> None:
        super().__init__()
        w = ipywidgets()
        c = BuilderChoices.of(choices or BuilderChoices())
        self._chosen = {"key_policy": c.key_policy, "trust": c.trust}  # choices of disabled controls
        self.key = toggle_buttons("Secret's key:", KEY_OPTIONS, c.key)
        self.secret_policy = dropdown("Secret policy grants:", GRANT_OPTIONS, c.secret_policy)
        self.key_policy = dropdown("Key policy grants:", GRANT_OPTIONS, c.key_policy)
        self.identity_get = checkbox(
            _identity_text("AppRole", "secretsmanager:GetSecretValue"), c.identity_get
        )
        self.identity_decrypt = checkbox(
            _identity_text("AppRole", "kms:Decrypt on the key"), c.identity_decrypt
        )
        self.path = toggle_buttons("Path:", PATH_OPTIONS, c.path)
        self.trust = checkbox(TRUST_TEXT, c.trust)
        self.controls = (
            self.key,
            self.secret_policy,
            self.key_policy,
            self.identity_get,
            self.identity_decrypt,
            self.path,
            self.trust,
        )
        self.widget = w.VBox([*self.controls, self.status, self.figures, self.html])
        self._observe(self.controls)
        self.refresh()

    @property
    def choices(self) -> BuilderChoices:
        """The choices the controls hold now (a disabled control: the learner's last choice in it)."""
        values = {f.name: getattr(self, f.name).value for f in fields(BuilderChoices)}
        for name in self._chosen:
            if getattr(self, name).disabled:
                values[name] = self._chosen[name]
        return BuilderChoices(**values)

    def render(self) -> Rendered:
        """The scenario of the current choices, decided, drawn and explained (``render_builder``); the
        controls that cannot apply are disabled first and show the real state."""
        c = self.choices
        quiet, self._quiet = self._quiet, True  # the controls below change without re-rendering
        try:
            self._show(c)
        finally:
            self._quiet = quiet
        return render_builder(c)

    def after_fix(self) -> AfterFix | None:
        """The diagram of the scenario after its smallest fix (``render_after_fix``), or None."""
        found = _render_after_fix(self.choices)  # the PNG: its figure is made only when asked for
        return AfterFix(found[1]) if found is not None else None

    def _show(self, c: BuilderChoices) -> None:
        reader = "AppRole" if c.path == "direct" else "SecretReader"
        set_description(self.identity_get, _identity_text(reader, "secretsmanager:GetSecretValue"))
        set_description(self.identity_decrypt, _identity_text(reader, "kms:Decrypt on the key"))
        aws = c.key == "aws"  # AWS writes aws/secretsmanager's policy (§9.6)
        if aws != self.key_policy.disabled:
            if aws:
                self._chosen["key_policy"] = self.key_policy.value
            self.key_policy.disabled = aws
            options = AWS_KEY_POLICY if aws else GRANT_OPTIONS
            set_options(self.key_policy, options, options[0][1] if aws else self._chosen["key_policy"])
        direct = c.path == "direct"  # no SecretReader, so no trust policy, on the direct path
        if direct != self.trust.disabled:
            if direct:
                self._chosen["trust"] = self.trust.value
            self.trust.disabled = direct
            set_description(self.trust, NO_TRUST_TEXT if direct else TRUST_TEXT)
            self.trust.value = False if direct else self._chosen["trust"]
        elif direct and self.trust.value:  # a value set on the disabled checkbox: show the real state
            self.trust.value = False


def _identity_text(reader: str, what: str) -> str:
    return f"{reader}'s identity policy allows {what}"


TRUST_TEXT = f"SecretReader's trust policy trusts account {APPS}"
NO_TRUST_TEXT = "SecretReader's trust policy (no SecretReader on the direct path)"
#: what the key policy control shows for the AWS managed key: the policy AWS wrote (§9.6)
AWS_KEY_POLICY = ((f"only account {PROD}, through Secrets Manager (written by AWS)", "aws"),)
