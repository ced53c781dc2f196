"""The checks behind a chapter's prose: every quantitative claim the text makes about an output
("beats", "lower than", "about 60 %") is stated once more as a condition, in a cell hidden from the
page, so that ``make notebooks`` stops when a change to the library makes the text untrue.

The claims are about the ``cpu`` and ``gpu`` profiles; the ``ci`` profile's models are smoke-test
sized, so there they are evaluated but not enforced. ``make notebooks`` sets ``DANCENET_CLAIMS=enforce``
and stops at a claim that fails; a reader's own run (another machine, a GPU's own rounding) is
told which sentence its outputs do not bear out, and goes on.

A chapter states its claims once, at its end, as :class:`Claim` values made by constructors as
strong as their sentences — "lower", "beats": :func:`lower`, :func:`higher` (the whole 95 %
interval of the difference on one side of zero); "no measurable difference":
:func:`no_measurable_difference`; "at most 1 %", "at least 0.8": :func:`at_most`, :func:`at_least`
(the whole interval on the right side of the bar); "about 60 %": :func:`between`; anything not
statistical: :func:`fact`. :func:`report` shows them as the visible table "What this chapter
claims" (each claim, the value measured with its interval, whether it holds) and enforces them
exactly as :func:`check` does, so the check and the table are one.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .intervals import RESAMPLES, Estimate, block_difference_interval, difference_interval
from .profiles import Profile, get_profile

HOLD = "claims hold"
"""What a check prints when every claim held; the notebook tests look for it in each check's output."""
ENV_VAR = "DANCENET_CLAIMS"


class ClaimFailed(AssertionError):
    """A sentence of the chapter no longer matches the output beside it."""


def check(claims: Mapping[str, bool], profile: Profile | str | None = None) -> None:
    """Name every claim that does not hold, in the ``cpu`` and ``gpu`` profiles — stopping with
    :class:`ClaimFailed` when ``DANCENET_CLAIMS=enforce`` — or print how many held. ``claims`` maps
    each claim, in words, to its condition."""
    if not claims:
        raise ValueError("no claims to check: pass at least one {'claim in words': condition}")
    _enforce([(claim, bool(held)) for claim, held in claims.items()], get_profile(profile))


def _enforce(verdicts: list[tuple[str, bool]], profile: Profile) -> None:
    """What :func:`check` and :func:`report` share: print the verdict, or stop under enforcement."""
    if profile.name == "ci":
        print(f"{len(verdicts)} claims evaluated, not enforced: the ci profile's models are smoke-test sized")
        return
    failed = [claim for claim, held in verdicts if not held]
    if failed and os.environ.get(ENV_VAR, "").strip().lower() == "enforce":
        raise ClaimFailed(
            f"{len(failed)} of {len(verdicts)} claims no longer hold in the {profile.name} profile — "
            "re-read the text beside this check and correct it (or the library): "
            + "; ".join(repr(claim) for claim in failed)
        )
    if failed:
        print(
            f"Note: in this run, {len(failed)} of {len(verdicts)} statements of the text nearby do not "
            "hold (it was written from the course's own run): " + "; ".join(repr(claim) for claim in failed)
        )
        return
    print(f"✓ {HOLD} ({len(verdicts)} checked, {profile.name} profile)")


# — claims as strong as their sentences, and the table that shows them —

TITLE = "What this chapter claims"


@dataclass(frozen=True)
class Claim:
    """One sentence of the text, whether this run bears it out, and the number it rests on:
    ``measured`` is an :class:`~dancenet.intervals.Estimate` (a value with its interval), a plain
    number (an exact count), a string, or ``None``; ``what`` names that number (``"difference"``),
    ``note`` says why a claim does not hold (``"no measurable difference"``)."""

    words: str
    holds: bool
    measured: Estimate | float | int | str | None = None
    what: str = ""
    note: str = ""

    def __post_init__(self):
        if not isinstance(self.words, str) or not self.words.strip():
            raise ValueError("a claim needs its sentence in words")
        object.__setattr__(self, "holds", bool(self.holds))
        if isinstance(self.measured, (np.integer, np.floating, np.bool_)):
            object.__setattr__(self, "measured", self.measured.item())

    def value_text(self) -> str:
        """The measured number as the table shows it: ``"difference 0.123 [0.101, 0.145]"``."""
        if self.measured is None:
            text = "—"
        elif isinstance(self.measured, (Estimate, bool, str)):
            text = str(self.measured)
        elif isinstance(self.measured, int):
            text = f"{self.measured:,}"
        else:
            text = f"{self.measured:.3g}" if abs(self.measured) < 1e6 else f"{self.measured:,.0f}"
        return f"{self.what} {text}" if self.what else text

    def basis(self) -> str:
        """What the interval rests on (``"95 % interval over 40 windows"``), or ``""``."""
        return self.measured.basis if isinstance(self.measured, Estimate) else ""

    def verdict(self) -> str:
        """``"✓"`` or ``"✗"``, and the note when there is one."""
        mark = "✓" if self.holds else "✗"
        return f"{mark} {self.note}" if self.note else mark


def _difference(
    a,
    b=None,
    *,
    over: str | None = None,
    paired: bool = False,
    block: int | None = None,
    statistic: Callable = np.mean,
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """The interval of ``a − b``: given as an :class:`Estimate` (``b`` None), or bootstrapped from the
    two samples (by blocks of ``block`` frames for time series)."""
    if isinstance(a, Estimate):
        if b is not None:
            raise ValueError("pass the two samples, or the Estimate of their difference alone")
        return a
    if b is None or isinstance(b, Estimate):
        raise ValueError("a comparison needs both samples, a and b (or the Estimate of a − b)")
    if block is not None:
        if paired:
            raise ValueError("the block bootstrap resamples each series on its own: paired=False")
        return block_difference_interval(
            a, b, block, statistic, over=over or "frames", level=level, resamples=resamples, seed=seed
        )
    return difference_interval(
        a, b, statistic, paired=paired, over=over or "windows", level=level, resamples=resamples, seed=seed
    )


def lower(words: str, a, b=None, *, what: str = "difference", **how) -> Claim:
    """The sentence "A is lower than B" (fewer, closer, beats on a lower-is-better measure): holds
    when the whole 95 % interval of ``statistic(a) − statistic(b)`` lies below zero.

    ``a`` and ``b`` are the samples, units along the first axis; or ``a`` is the difference's
    :class:`Estimate` and ``b`` is left out. ``how``: ``over`` names the units (``"windows"``
    unless told; ``"frames"`` with ``block``), ``paired`` for the same units measured twice,
    ``block`` frames for time series, and ``statistic`` (the mean), ``level`` (0.95),
    ``resamples`` and the random ``seed`` of the bootstrap."""
    estimate = _difference(a, b, **how)
    return Claim(words, estimate.below(0), estimate, what, _sign_note(estimate, wanted=-1))


def higher(words: str, a, b=None, *, what: str = "difference", **how) -> Claim:
    """The sentence "A is higher than B" (more, beats on a higher-is-better measure): holds when
    the whole interval of ``statistic(a) − statistic(b)`` lies above zero. Arguments as
    :func:`lower`."""
    estimate = _difference(a, b, **how)
    return Claim(words, estimate.above(0), estimate, what, _sign_note(estimate, wanted=1))


def no_measurable_difference(words: str, a, b=None, *, what: str = "difference", **how) -> Claim:
    """The sentence "no measurable difference between A and B": holds when the interval of the
    difference contains zero. (It says the data cannot tell A from B — not that they are equal.)
    Arguments as :func:`lower`."""
    estimate = _difference(a, b, **how)
    note = "" if not estimate.excludes(0) else "a measurable difference"
    return Claim(words, not estimate.excludes(0), estimate, what, note)


def at_most(words: str, measured: Estimate | float, bar: float, what: str = "") -> Claim:
    """The sentence "at most ``bar``" ("≤ 1 %", "under 0.2"): for an :class:`Estimate`, holds only
    when the interval's *upper* end is ≤ ``bar`` — a value below the bar whose interval reaches past
    it has not shown the claim; for a plain number (an exact count, a parameter total), when the
    number is ≤ ``bar``."""
    if isinstance(measured, Estimate):
        holds = measured.high <= bar
        note = "" if holds else (f"the interval reaches above {bar:g}" if measured.value <= bar else "")
        return Claim(words, holds, measured, what, note)
    return Claim(words, _number(measured) <= bar, measured, what)


def at_least(words: str, measured: Estimate | float, bar: float, what: str = "") -> Claim:
    """The sentence "at least ``bar``": for an :class:`Estimate`, holds only when the interval's
    *lower* end is ≥ ``bar``; for a plain number, when the number is ≥ ``bar`` (:func:`at_most`,
    mirrored)."""
    if isinstance(measured, Estimate):
        holds = measured.low >= bar
        note = "" if holds else (f"the interval reaches below {bar:g}" if measured.value >= bar else "")
        return Claim(words, holds, measured, what, note)
    return Claim(words, _number(measured) >= bar, measured, what)


def between(words: str, measured: Estimate | float, low: float, high: float, what: str = "") -> Claim:
    """The sentence "about 60 %", written as the range the sentence allows (``0.55, 0.65``): for an
    :class:`Estimate`, holds when the whole interval lies within ``[low, high]``; for a plain number,
    when the number does."""
    if low > high:
        raise ValueError(f"between needs low ≤ high; got {low} and {high}")
    if isinstance(measured, Estimate):
        return Claim(words, low <= measured.low and measured.high <= high, measured, what)
    return Claim(words, low <= _number(measured) <= high, measured, what)


def fact(
    words: str, condition, measured: Estimate | float | int | str | None = None, what: str = ""
) -> Claim:
    """A statement that is not a comparison of noisy measures ("the encoder has 1,234 parameters",
    "the first frame is black"): holds when ``condition`` is true; ``measured`` is shown beside it."""
    return Claim(words, bool(condition), measured, what)


def _number(measured) -> float:
    if isinstance(measured, (str, bool, np.bool_)) or not np.isscalar(measured):
        raise ValueError(f"a bar is compared with an Estimate or one number; got {measured!r}")
    number = float(measured)
    if np.isnan(number):
        raise ValueError("the measured number is NaN")
    return number


def _sign_note(estimate: Estimate, wanted: int) -> str:
    if not estimate.excludes(0):
        return "no measurable difference"
    if (estimate.low > 0) != (wanted > 0):
        return "the opposite holds"
    return ""


class ClaimsTable:
    """The table "What this chapter claims": HTML (a plain ``<table>`` with inline styles, so that
    JupyterLab, Colab and the book show it alike) and, for a terminal or a text-only view, a
    markdown table as its plain text."""

    def __init__(self, claims: list[Claim], profile: Profile, title: str = TITLE):
        self.claims, self.profile, self.title = claims, profile, title

    def footer(self) -> str:
        failed = sum(not claim.holds for claim in self.claims)
        if self.profile.name == "ci":
            verdict = "ci profile: evaluated, not enforced — its models are smoke-test sized."
        elif failed:
            verdict = (
                f"In this run {failed} of {len(self.claims)} claims do not hold ({self.profile.name} "
                "profile): the text was written from the course's own run."
            )
        else:
            verdict = f"Every claim holds in this run ({self.profile.name} profile)."
        return (
            f"{verdict} value [low, high]: the value measured and its 95 % bootstrap interval; a "
            "difference whose interval contains 0 is no measurable difference."
        )

    def _repr_html_(self) -> str:
        cell = "padding:0.25em 0.75em;border-bottom:1px solid rgba(128,128,128,0.4);vertical-align:top"
        head = f"{cell};text-align:left;font-weight:bold"
        rows = []
        for claim in self.claims:
            colour = "#1a7f37" if claim.holds else "#cf222e"
            basis = claim.basis()
            basis = (
                f'<br><span style="font-size:smaller;opacity:0.75">{html.escape(basis)}</span>'
                if basis
                else ""
            )
            rows.append(
                f'<tr><td style="{cell}">{html.escape(claim.words)}</td>'
                f'<td style="{cell};white-space:nowrap">{html.escape(claim.value_text())}{basis}</td>'
                f'<td style="{cell};color:{colour};font-weight:bold">{html.escape(claim.verdict())}</td></tr>'
            )
        return (
            '<table style="border-collapse:collapse;margin:0.5em 0">'
            f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:0.25em 0">'
            f"{html.escape(self.title)}</caption>"
            f'<thead><tr><th style="{head}">claim</th><th style="{head}">measured</th>'
            f'<th style="{head}">holds</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p style="font-size:smaller;opacity:0.75;margin:0.25em 0">{html.escape(self.footer())}</p>'
        )

    def __str__(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        lines = [f"{self.title}", "", "| claim | measured | holds |", "|---|---|---|"]
        for claim in self.claims:
            measured = claim.value_text() + (f" ({claim.basis()})" if claim.basis() else "")
            lines.append(f"| {cell(claim.words)} | {cell(measured)} | {cell(claim.verdict())} |")
        return "\n".join([*lines, "", self.footer()])

    __repr__ = __str__


def table(claims: Iterable[Claim], profile: Profile | str | None = None, title: str = TITLE) -> ClaimsTable:
    """The claims as the table "What this chapter claims", without enforcing them."""
    claims = list(claims)
    if not claims:
        raise ValueError("no claims to report: pass at least one claims.lower(…), claims.fact(…), …")
    wrong = [type(claim).__name__ for claim in claims if not isinstance(claim, Claim)]
    if wrong:
        raise ValueError(f"report takes Claim values (claims.lower, claims.fact, …); got {', '.join(wrong)}")
    return ClaimsTable(claims, get_profile(profile), title)


def report(claims: Iterable[Claim], profile: Profile | str | None = None, title: str = TITLE) -> None:
    """Show the chapter's table "What this chapter claims" — each claim, the value measured with its
    interval, ✓ or ✗ — then enforce the claims exactly as :func:`check` does: under
    ``DANCENET_CLAIMS=enforce`` in ``cpu`` and ``gpu`` a claim that fails stops with
    :class:`ClaimFailed` (after the table, which shows which); in ``ci`` they are evaluated, not
    enforced; when all hold, it prints "claims hold"."""
    shown = table(claims, profile, title)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency; a bare interpreter prints
        print(shown)
    else:
        display(shown)  # outside IPython it prints the text table
    _enforce([(claim.words, claim.holds) for claim in shown.claims], shown.profile)
