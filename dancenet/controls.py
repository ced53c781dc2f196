"""Controls: dances made from real codes that are not dancing, shown beside the generators in every
judges table so that a reader sees what each measure rewards.

- ``frozen``: one real pose, held;
- ``jitter``: white noise around one real pose, each step as large as a real one;
- ``replay``: a stretch of the training dance, copied — real dancing, nothing new;
- ``shuffled``: a real dance's codes in random order — every pose real, no motion between them.

A measure that scores a control as well as real dancing cannot tell dancing from that failure:
a frozen pose matches real silhouettes frame by frame, a replay matches everything. **Novelty**
(:func:`novelty`, the distance from each window of a dance to its nearest window of the training
dance) is what tells copying apart: 0 for a replay, and for real dance the distance between two
routines.
"""

from __future__ import annotations

import numpy as np

from .checks import check_positive_int
from .measures import MEASURE_WINDOW, code_windows, motion_energy

#: the controls, in the order tables show them
CONTROLS = ("frozen", "jitter", "replay", "shuffled")


def _codes(codes, name: str) -> np.ndarray:
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"{name} must be codes (T, D) with T ≥ 2, got shape {codes.shape}")
    return codes


def frozen(real, dancers: int, length: int, rng) -> np.ndarray:
    """``(dancers, length, D)``: each dancer holds one pose of ``real`` codes, drawn at random."""
    real = _codes(real, "real")
    poses = real[rng.integers(0, len(real), check_positive_int(dancers, "dancers"))]
    return np.repeat(poses[:, None], check_positive_int(length, "length"), axis=1)


def jitter(real, dancers: int, length: int, rng) -> np.ndarray:
    """``(dancers, length, D)``: white noise around one real pose per dancer, scaled so that the
    mean step between consecutive codes equals the real dance's (its motion energy). It moves as
    much as real dancing and goes nowhere."""
    real = _codes(real, "real")
    held = frozen(real, dancers, length, rng)
    noise = rng.standard_normal(held.shape).astype(np.float32)
    # the difference of two independent N(0, s²) vectors in D dimensions has mean length ≈ s·√(2D)
    scale = motion_energy(real) / np.sqrt(2 * real.shape[1])
    return held + scale * noise


def replay(train, dancers: int, length: int, rng) -> np.ndarray:
    """``(dancers, length, D)``: stretches of the training codes ``train``, copied as they are, each
    from a random start."""
    train = _codes(train, "train")
    length = check_positive_int(length, "length")
    if len(train) < length:
        raise ValueError(f"a replay of {length} codes needs at least as many training codes: {len(train)}")
    starts = rng.integers(0, len(train) - length + 1, check_positive_int(dancers, "dancers"))
    return np.stack([train[s : s + length] for s in starts])


def shuffled(reals, rng) -> np.ndarray:
    """``reals`` ``(dancers, T, D)`` — real dances — each with its codes in random order."""
    reals = np.asarray(reals, np.float32)
    if reals.ndim != 3:
        raise ValueError(f"expected real dances (dancers, T, D), got shape {reals.shape}")
    return np.stack([dance[rng.permutation(len(dance))] for dance in reals])


def code_controls(train, reals, seed: int = 0) -> dict[str, np.ndarray]:
    """The four controls (:data:`CONTROLS`), as many dancers and as long as the real dances
    ``reals`` ``(dancers, T, D)``: frozen on and jittering around poses of the real dances, replays
    of the training codes ``train``, and the real dances shuffled."""
    reals = np.asarray(reals, np.float32)
    if reals.ndim != 3:
        raise ValueError(f"expected real dances (dancers, T, D), got shape {reals.shape}")
    rng = np.random.default_rng(seed)
    dancers, length = reals.shape[:2]
    every = reals.reshape(-1, reals.shape[-1])
    return {
        "frozen": frozen(every, dancers, length, rng),
        "jitter": jitter(every, dancers, length, rng),
        "replay": replay(train, dancers, length, rng),
        "shuffled": shuffled(reals, rng),
    }


def novelty(dance, train, length: int = MEASURE_WINDOW, stride: int = 4, chunk: int = 256) -> float:
    """How far a dance is from copying: the mean distance from each window of ``length`` codes of
    ``dance`` (every ``stride``-th) to its nearest window of the training codes ``train``, in the
    codes' units. 0 for a replay of training codes."""
    ours = code_windows(_codes(dance, "dance"), length)[::stride].astype(np.float64)
    theirs = code_windows(_codes(train, "train"), length).astype(np.float64)
    theirs_squared = np.einsum("ij,ij->i", theirs, theirs)
    nearest = []
    for start in range(0, len(ours), chunk):
        part = ours[start : start + chunk]
        squared = np.einsum("ij,ij->i", part, part)[:, None] + theirs_squared - 2 * part @ theirs.T
        nearest.append(np.sqrt(np.maximum(squared.min(axis=1), 0.0)))
    return float(np.concatenate(nearest).mean())
