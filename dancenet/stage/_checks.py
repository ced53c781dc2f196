"""Checks of the arguments that several of the stage's modules take, and the random-stream tags.

A check raises a ValueError naming the bad argument, at the public function the reader called. The
tags live together so that no two random choices of the stage ever share a stream.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_positive_int

# mixed into the seed for each independent random choice, so one seed gives unrelated streams
_TAG_BODY, _TAG_OUTFIT, _TAG_STAGE, _TAG_NOISE, _TAG_FRAME, _TAG_DANCE = 101, 102, 103, 104, 105, 106
_TAG_WALKER, _TAG_MUSIC = 107, 108


def _check_count(n_frames) -> int:
    return check_positive_int(n_frames, "n_frames")


def _check_seed(seed) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)
