"""Driving the apps' ipywidgets in a page, the same way in JupyterLab and in Voilà: find an app's
output area, set its controls as a person would (click a toggle button, pick a dropdown option,
tick a box, type a policy), wait for the verdict the package computes for the same choices (the
oracle), and measure which control labels the page cuts off. Controls are found by the option
labels and descriptions the package defines, so a relabelled control still gets found."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import Any

from secretslab import widgets as W

WAIT = 60.0  # seconds a render may take to reach the page (a kernel round trip, a figure)

# The output area of each app: its own HTML next to an ipywidgets box (Voilà and JupyterLab
# both render outputs in .jp-OutputArea-output).
BUILDER = ".jp-OutputArea-output:has(.widget-vbox):has(.secretslab-builder)"
PLAYGROUND = ".jp-OutputArea-output:has(.widget-vbox):has(.widget-textarea)"
WHATIF = ".jp-OutputArea-output:has(.widget-vbox):has(.secretslab-whatif)"


def app(page: Any, selector: str) -> Any:
    """The app's output area, once its widget has drawn."""
    root = page.locator(selector).first
    root.wait_for(state="visible", timeout=WAIT * 2000)
    return root


def wait_until(check: Any, what: str, timeout: float = WAIT) -> Any:
    """Poll ``check()`` until it returns something truthy; fail with ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last seen: {last!r}")


# -- the scenario builder


def builder_state(root: Any) -> dict[str, Any]:
    """What the page shows: the verdict line and, per hop, the action and its decision."""
    return root.evaluate(
        """root => {
          const builder = root.querySelector('.secretslab-builder');
          if (!builder) return {verdict: '', hops: []};
          const rows = [...builder.querySelectorAll('.secretslab-hops tr')].slice(1);
          return {
            verdict: builder.querySelector('p').innerText,
            hops: rows.map(r => [r.cells[2].innerText.trim(), r.cells[4].innerText.trim()]),
          };
        }"""
    )


def builder_expected(choices: W.BuilderChoices) -> dict[str, Any]:
    """What the page must show for ``choices``, from the package's own render."""
    decision = W.render_builder(choices).decision
    assert decision is not None
    hops = []
    for planned in decision.plan:
        if planned.step is None:
            hops.append([planned.action, "not reached"])
        else:
            hops.append([planned.action, "✓ allowed" if planned.step.allowed else "✗ denied"])
    return {
        "reason": decision.reason.value,
        "mark": "✓ allowed" if decision.allowed else "✗ denied",
        "hops": hops,
    }


def builder_shows(root: Any, expected: dict[str, Any]) -> dict[str, Any] | None:
    """The page's state when it matches ``expected`` (verdict mark, reason code, hops), else None."""
    state = builder_state(root)
    verdict = state["verdict"]
    if expected["mark"] in verdict and expected["reason"] in verdict and state["hops"] == expected["hops"]:
        return state
    return None


def _label(options: Any, value: str) -> str:
    return next(label for label, v in options if v == value)


def set_builder(root: Any, field: str, value: Any) -> None:
    """Set one of the builder's controls (a ``BuilderChoices`` field) through the page."""
    page = root.page
    if field in ("key", "path"):
        label = _label(W.KEY_OPTIONS if field == "key" else W.PATH_OPTIONS, value)
        group = root.locator(".widget-toggle-buttons", has=page.get_by_role("button", name=label, exact=True))
        group.get_by_role("button", name=label, exact=True).click()
    elif field in ("secret_policy", "key_policy"):
        words = "secret policy" if field == "secret_policy" else "key policy"
        label = page.locator("label.widget-label", has_text=re.compile(words, re.IGNORECASE))
        root.locator(".widget-dropdown", has=label).locator("select").select_option(
            value=_label(W.GRANT_OPTIONS, value)
        )
    else:
        words = {
            "identity_get": "secretsmanager:GetSecretValue",
            "identity_decrypt": "kms:Decrypt",
            "trust": "trust policy",
        }[field]
        root.locator(".widget-checkbox", has_text=words).locator("input").set_checked(bool(value))


# Every control and every key × path combination, each change leading to a verdict that the
# package decides for the same choices: (field, value) applied in turn from the defaults.
BUILDER_STEPS: tuple[tuple[str, Any], ...] = (
    ("key", "aws"),  # direct read with the AWS managed key: denied at kms:Decrypt
    ("path", "assume_role"),  # through SecretReader: allowed by identity policies in prod
    ("key", "cmk"),
    ("trust", False),  # SecretReader trusts only prod: AssumeRole denied
    ("trust", True),
    ("path", "direct"),
    ("secret_policy", "none"),  # no secret policy: no cross-account grant
    ("secret_policy", "account"),
    ("key_policy", "none"),  # the key policy does not let apps decrypt
    ("key_policy", "account"),
    ("identity_decrypt", False),
    ("identity_decrypt", True),
    ("identity_get", False),
    ("identity_get", True),
)


def click_through_builder(root: Any, shot: Any = None) -> list[tuple[str, Any, str, float]]:
    """Apply ``BUILDER_STEPS`` through the page, each checked against the package's verdict;
    returns (field, value, reason shown, seconds from the change to the verdict) per step."""
    choices = W.BuilderChoices()
    wait_until(lambda: builder_shows(root, builder_expected(choices)), "the first verdict")
    seen = []
    for field, value in BUILDER_STEPS:
        choices = replace(choices, **{field: value})
        expected = builder_expected(choices)
        start = time.perf_counter()
        set_builder(root, field, value)
        wait_until(lambda e=expected: builder_shows(root, e), f"{field}={value!r} to show {expected}")
        seen.append((field, value, expected["reason"], time.perf_counter() - start))
        if shot is not None and (field, value) in (("key", "aws"), ("trust", False)):
            shot(f"{field}-{value}")
    return seen


# -- the policy playground

GROUP_PRINCIPAL = "arn:aws:iam::222222222222:group/Devs"


def secret_policy(principal: str) -> str:
    """A secret policy letting ``principal`` read the secret, as a person would type it."""
    statement = {
        "Sid": "ConsumerRead",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def type_policy(root: Any, text: str) -> None:
    """Type a policy into the playground's text area and leave it (the app reads it on change)."""
    area = root.locator(".widget-textarea textarea")
    area.fill(text)
    area.blur()


def playground_text(root: Any, selector: str) -> str:
    """The text of the playground part ``selector`` (problems or decision), '' when absent. The app
    redraws its output on each change: a part counted just before a redraw is gone when its text
    is read, so the read waits briefly and counts as absent (the caller polls again), instead of
    waiting the default two minutes for an element that will not come back."""
    from playwright.sync_api import Error as PlaywrightError

    part = root.locator(selector)
    if not part.count():
        return ""
    try:
        return str(part.first.inner_text(timeout=2000))
    except PlaywrightError:  # TimeoutError is one: the part went away with a redraw
        return ""


def choose_secret_policy(root: Any) -> None:
    """Make the playground edit a secret policy (the first one its chooser offers), and wait until
    its text is in the text area, as a person would before typing: the kernel puts it there, and
    text typed before it arrives is typed into the old text (``fill`` selects it all, the new
    text replaces it and loses the selection, the typing lands after it)."""
    select = root.locator(".widget-dropdown select").first
    labels = select.evaluate("s => [...s.options].map(o => o.value)")
    chosen = next(v for v in labels if v.startswith("secret policy of"))
    area = root.locator(".widget-textarea textarea")
    before = area.input_value()
    if select.input_value() == chosen:
        return
    select.select_option(value=chosen)
    wait_until(lambda: area.input_value() != before, "the chosen policy's text")


# -- the what-if explorer


def whatif_summary(root: Any) -> str:
    """The explorer's first line: changes made, accesses gained and lost."""
    return str(root.locator(".secretslab-whatif > p").first.inner_text())


def text_of(html: str) -> str:
    """Visible text of a small HTML fragment (tags dropped, whitespace collapsed)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# -- labels the page cuts off

TRUNCATED_JS = """root => {
  const out = [];
  const visible = el => el.offsetParent !== null && el.clientWidth > 0;
  const canvas = document.createElement('canvas').getContext('2d');
  // description labels, checkbox labels, toggle and radio button labels
  for (const el of root.querySelectorAll(
      '.widget-label, .widget-label-basic, .widget-toggle-button, .widget-radio-box label')) {
    if (!visible(el)) continue;
    const inner = [...el.children].reduce((w, c) => Math.max(w, c.scrollWidth), 0);
    const need = Math.max(el.scrollWidth, inner);
    if (need > el.clientWidth + 1)
      out.push({kind: el.className.split(' ')[0] || el.tagName.toLowerCase(),
                text: el.innerText.trim(), need: need, room: el.clientWidth});
  }
  // dropdowns: every option's text must fit the closed select (padding holds the arrow)
  for (const sel of root.querySelectorAll('.widget-dropdown select')) {
    if (!visible(sel)) continue;
    const cs = getComputedStyle(sel);
    canvas.font = cs.font;
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    for (const option of sel.options) {
      const need = canvas.measureText(option.text).width;
      if (need > room + 1)
        out.push({kind: 'dropdown option', text: option.text.replace(/\\u00a0/g, ' '),
                  need: Math.ceil(need), room: Math.floor(room)});
    }
  }
  return out;
}"""


def truncated(root: Any) -> list[dict[str, Any]]:
    """Every control label in the app the page cuts off: kind, text, width needed, width given."""
    return list(root.evaluate(TRUNCATED_JS))
