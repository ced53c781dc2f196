"""Measures of a dance's latent codes, apart from the loop that generates them.

The book's latent measures (section "Measures" of the design): :func:`motion` and
:func:`motion_energy`, :func:`freezes`, :func:`longest_loop`, :func:`frechet_latent_distance`,
:func:`diversity`, and :func:`report`, which gathers them for several generators; and
:func:`frechet_distance`, the FID recipe that the latent and judge distances share. The judges
(:mod:`dancenet.judges`) build on these; nothing here imports generation, so a change to the
generation loop retrains no judge.
"""

from __future__ import annotations

import numpy as np

from .checks import check_sequence

#: frames in a freeze window and in the shortest loop that counts (as the book's measures define them)
FREEZE_WINDOW = 100
LOOP_LENGTH = 100
MIN_LOOP_LAG = 10
#: codes per window for the Fréchet latent distance and diversity
MEASURE_WINDOW = 8


def _check_codes(codes) -> np.ndarray:
    return check_sequence(codes, "dance", np.float64)


def motion(codes) -> np.ndarray:
    """‖z_t − z_{t−1}‖ for every step ``(T − 1,)``: how far the dance moves per frame."""
    return np.linalg.norm(np.diff(_check_codes(codes), axis=0), axis=1)


def motion_energy(codes) -> float:
    """Mean motion per frame, in standardized latent units."""
    return float(motion(codes).mean())


def freezes(codes, real_energy: float, window: int = FREEZE_WINDOW, fraction: float = 0.25) -> np.ndarray:
    """Start frames of the ``window``-frame windows (stepping by ``window // 4``) whose motion
    energy is below ``fraction`` of the real data's: the dancer has (nearly) stopped."""
    steps = motion(codes)
    if len(steps) < window:
        return np.zeros(0, int)
    running = np.convolve(steps, np.ones(window) / window, mode="valid")
    starts = np.arange(0, len(running), max(1, window // 4))
    return starts[running[starts] < fraction * real_energy]


def longest_loop(codes, tolerance: float, min_lag: int = MIN_LOOP_LAG) -> tuple[int, int]:
    """``(lag, frames)`` of the longest stretch where the dance repeats itself ``lag`` frames later
    to within ``tolerance`` (distance between codes), over lags ≥ ``min_lag``. A loop, as the
    book's measures count one, is a stretch of ≥ ``LOOP_LENGTH`` (100) frames."""
    codes = _check_codes(codes)
    best = (0, 0)
    for lag in range(min_lag, len(codes) // 2 + 1):
        close = np.linalg.norm(codes[lag:] - codes[:-lag], axis=1) < tolerance
        if not close.any():
            continue
        edges = np.diff(np.concatenate([[0], close.astype(np.int8), [0]]))
        run = int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())
        if run > best[1]:
            best = (lag, run)
    return best


def code_windows(codes, length: int = MEASURE_WINDOW) -> np.ndarray:
    """Every window of ``length`` consecutive codes, flattened: ``(T − length + 1, length·D)``."""
    codes = _check_codes(codes)
    if len(codes) < length:
        raise ValueError(f"a sequence of {len(codes)} codes is shorter than a window of {length}")
    index = np.arange(len(codes) - length + 1)[:, None] + np.arange(length)
    return codes[index].reshape(len(index), -1)


def frechet_latent_distance(generated, real, length: int = MEASURE_WINDOW) -> float:
    """Fréchet distance between Gaussians fitted to windows of two sets of sequences (the FID
    recipe on latent windows): ``‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)``. Lower is closer."""
    a = np.concatenate([code_windows(s, length) for s in _as_sequences(generated)])
    b = np.concatenate([code_windows(s, length) for s in _as_sequences(real)])
    return frechet_distance(a, b)


def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to two sets of vectors ``(N, F)`` and ``(M, F)``:
    ``‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)``, 0 for identical fits."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            "need two sets of at least two vectors of one length, (N, F) and (M, F); "
            f"got {a.shape} and {b.shape}"
        )
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(cross, 0, None)).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return max(0.0, float(distance))  # round-off can leave identical sets a hair below zero


def diversity(sequences, length: int = MEASURE_WINDOW, samples: int = 2000, seed: int = 0) -> float:
    """Mean distance between windows taken from *different* sequences (independent dancers)."""
    sequences = [code_windows(s, length) for s in _as_sequences(sequences)]
    if len(sequences) < 2:
        raise ValueError("diversity needs at least two sequences")
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(samples):
        i, j = rng.choice(len(sequences), 2, replace=False)
        total += np.linalg.norm(
            sequences[i][rng.integers(len(sequences[i]))] - sequences[j][rng.integers(len(sequences[j]))]
        )
    return total / samples


def _as_sequences(codes) -> list[np.ndarray]:
    return [codes] if np.ndim(codes) == 2 else list(codes)


def report(dances: dict, real, reference=None) -> dict:
    """The book's measures for each set of dances ``{name: (dancers, T, D)}``, against ``real``
    held-out codes ``(T, D)``. Freezes and loops are judged against ``reference`` (real codes,
    default ``real``): its motion energy sets the freeze level and the loop tolerance."""
    reference = real if reference is None else reference
    energy = motion_energy(reference)
    tolerance = energy  # two codes closer than one typical step count as the same pose
    rows = {}
    for name, sequences in dances.items():
        sequences = _as_sequences(sequences)
        loops = [longest_loop(s, tolerance) for s in sequences]
        rows[name] = {
            "motion energy": float(np.mean([motion_energy(s) for s in sequences])),
            "frozen windows": int(sum(len(freezes(s, energy)) for s in sequences)),
            "longest repeat (frames)": max(run for _, run in loops),
            "loops": sum(run >= LOOP_LENGTH for _, run in loops),
            "FLD": frechet_latent_distance(sequences, real),
            "diversity": diversity(sequences) if len(sequences) > 1 else float("nan"),
        }
    return rows
