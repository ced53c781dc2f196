"""The checks behind a chapter's prose: every quantitative claim the text makes about an output
("beats", "lower than", "about 60 %") is stated once more as a condition, in a cell hidden from the
page, so that ``make notebooks`` stops when a change to the library makes the text untrue.

The claims are about the ``cpu`` and ``gpu`` profiles; the ``ci`` profile's models are smoke-test
sized, so there they are evaluated but not enforced. ``make notebooks`` sets ``DANCENET_CLAIMS=enforce``
and stops at a claim that fails; a reader's own run (another machine, a GPU's own rounding) is
told which sentence its outputs do not bear out, and goes on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

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
    profile = get_profile(profile)
    if profile.name == "ci":
        print(f"{len(claims)} claims evaluated, not enforced: the ci profile's models are smoke-test sized")
        return
    failed = [claim for claim, held in claims.items() if not bool(held)]
    if failed and os.environ.get(ENV_VAR, "").strip().lower() == "enforce":
        raise ClaimFailed(
            f"{len(failed)} of {len(claims)} claims no longer hold in the {profile.name} profile — "
            "re-read the text beside this check and correct it (or the library): "
            + "; ".join(repr(claim) for claim in failed)
        )
    if failed:
        print(
            f"Note: in this run, {len(failed)} of {len(claims)} statements of the text nearby do not hold "
            "(it was written from the course's own run): " + "; ".join(repr(claim) for claim in failed)
        )
        return
    print(f"✓ {HOLD} ({len(claims)} checked, {profile.name} profile)")
