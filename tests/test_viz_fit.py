"""``viz.style.fit`` wraps a text as a line-by-line fill that tries one token at a time would
(the reference below), while measuring only a few of the text's starts: a new text is laid out
by FreeType for each width measured, about 10 µs a character."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("matplotlib")

from secretslab.viz import style
from secretslab.viz.style import fit

TEXTS = [
    "DENY (implicit) · XACCT_NO_RESOURCE_GRANT: cross-account: the resource's account does not grant it,"
    " at step 2 (kms:Decrypt)",
    "After the fix · AppRole/app: GetSecretValue on prod/db",
    "grants it: “ConsumerRead” in the secret policy of prod/db (and 2 more)",
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123 " * 2,
    "x" * 90,
    "a  b   c    d " * 5,
    "   leading and trailing spaces   ",
    "Tokens,with,commas,and_underscores_in_one_long-name/with/slashes",
    "multi\nline text\nwith more words than fit on one line of the figure",
]


def _reference(text: str, width: float, size: float, lines: int, bold: bool) -> str:
    """Each token tried in turn; a token wider than a line cut from its end until it fits."""
    out: list[str] = []
    line = ""
    for token in (t for t in re.split(r"(?<=[ /\-_,])", text) if t):
        if line and style.text_width((line + token).rstrip(), size, bold) > width:
            out.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while len(line) > 1 and style.text_width(line.rstrip(), size, bold) > width:
            cut = next(
                (i for i in range(len(line), 0, -1) if style.text_width(line[:i], size, bold) <= width), 1
            )
            out.append(line[:cut])
            line = line[cut:]
    if line.strip():
        out.append(line.rstrip())
    if len(out) > lines:
        last = out[lines - 1]
        while last and style.text_width(last + "…", size, bold) > width:
            last = last[:-1]
        out = [*out[: lines - 1], last.rstrip() + "…"]
    return "\n".join(out)


@pytest.mark.parametrize("text", TEXTS)
def test_fit_wraps_as_trying_each_token_in_turn_would(text: str) -> None:
    for width in (0.05, 0.3, 1.0, 2.5, 6.9, 11.0):
        for lines in (1, 2, 4):
            for bold in (False, True):
                assert fit(text, width, 10.0, lines, bold) == _reference(text, width, 10.0, lines, bold)


def test_fit_measures_a_few_starts_of_a_long_text_not_every_one(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: set[str] = set()
    real = style.text_width.__wrapped__

    def counting(text: str, size: float, bold: bool = False) -> float:
        measured.add(text)
        return real(text, size, bold)

    monkeypatch.setattr(style, "text_width", counting)
    text = TEXTS[0]  # a verdict of 21 tokens, on two lines
    for width in (6.0, 9.0):
        measured.clear()
        expected = _reference(text, width, 10.0, 2, False)
        every = len(measured)
        measured.clear()
        assert fit(text, width, 10.0, 2) == expected
        assert 0 < len(measured) <= every // 3, (len(measured), every)


@pytest.mark.parametrize("text", ["الا-ا", "لا لا-الا بلا", "ال" * 12])
def test_a_text_shaped_narrower_as_it_grows_wraps_as_trying_each_token_would(text: str) -> None:
    # with text shaping, lam then alef is one glyph narrower than the lam alone: a longer start
    # can fit where a shorter one does not, which a plain search for the end would miss
    for width in (0.1, 0.2, 0.5):
        for lines in (2, 4):
            assert fit(text, width, 10.0, lines) == _reference(text, width, 10.0, lines, False)


def test_one_very_long_token_is_cut_only_as_far_as_the_lines_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[str] = []
    real = style.text_width.__wrapped__

    def counting(text: str, size: float, bold: bool = False) -> float:
        measured.append(text)
        return real(text, size, bold)

    monkeypatch.setattr(style, "text_width", counting)
    shown = fit("x" * 20_000, 2.0, 10.0, 2)
    first, second = shown.split("\n")
    assert set(first) == {"x"} and second.endswith("…") and len(shown) < 100
    assert len(measured) < 100  # not a cut per line of the whole token (about 900 of them)


@pytest.mark.parametrize(("size", "lines"), [(0.0, 2), (-10.0, 2), (10.0, 0), (10.0, -1)])
def test_a_size_or_a_line_count_out_of_range_still_gives_a_text(size: float, lines: int) -> None:
    shown = fit("abc def ghi jkl mno pqr stu", 0.5, size, lines)
    assert shown.startswith("abc")
