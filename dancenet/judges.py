"""Judging dances as a viewer would: numbers for what a person watching the generated frames notices.

For now this holds the **ghost rate** — the fraction of decoded frames that are not one coherent
body (:func:`ghost_reasons`, :func:`ghost_frames`, :func:`ghost_rate`). The move judge, the move
histogram and transitions, the Fréchet judge distance and beat alignment are to come.

Frames and real silhouettes are float images ``(N, H, W)`` or ``(N, H, W, 1)`` in [0, 1], as
:meth:`dancenet.vae.Autoencoder.decode` (inherited by the VAE) returns them and
:attr:`dancenet.artifacts.Silhouettes.images` holds them; a pixel belongs to the dancer when it is
above the threshold (0.5, as in :func:`dancenet.vae.nearest_silhouette_iou`).
"""

from __future__ import annotations

import cv2
import numpy as np

#: why a frame is a ghost; ``""`` for a coherent body
EMPTY, FAINT, SECOND_BODY = "empty", "faint", "second body"
#: 8-connectivity: pixels touching only at a corner are one component, as a viewer sees a thin
#: diagonal limb as one stroke rather than a string of separate dots
CONNECTIVITY = 8


def _masks(images, name: str, threshold: float) -> np.ndarray:
    """``images`` thresholded to ``uint8 (N, H, W)`` masks (1 = dancer), or a ``ValueError``."""
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected {name} of shape (N, H, W) or (N, H, W, 1), got {images.shape}")
    if images.size == 0:
        raise ValueError(f"{name} are empty (shape {images.shape}): need at least one frame of pixels")
    if np.isnan(images).any():
        raise ValueError(f"{name} contain NaN")
    return np.ascontiguousarray(images > threshold).view(np.uint8)  # bool → uint8 without a copy


def _check_fraction(value: float, name: str, low_open: bool = True) -> float:
    value = float(value)
    if not (0.0 < value < 1.0 if low_open else 0.0 <= value <= 1.0):
        bounds = "strictly between 0 and 1" if low_open else "between 0 and 1"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def component_areas(mask: np.ndarray) -> np.ndarray:
    """Pixel areas of the 8-connected components of one ``uint8 (H, W)`` mask, largest first."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=CONNECTIVITY)
    return np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]  # row 0 is the background


def median_real_area(real, threshold: float = 0.5) -> float:
    """Median dancer area, in pixels, of the **non-empty** real silhouettes (empty ones are skipped:
    frames where segmentation lost the dancer would drag the reference down)."""
    return _median_area(_masks(real, "real silhouettes", _check_fraction(threshold, "threshold")), threshold)


def _median_area(masks: np.ndarray, threshold: float) -> float:
    areas = masks.sum(axis=(1, 2))
    areas = areas[areas > 0]
    if len(areas) == 0:
        raise ValueError(
            f"none of the real silhouettes has a pixel above {threshold}, so there is no body size to "
            "compare with: pass silhouettes with a dancer in them (e.g. pipeline.silhouettes.images)"
        )
    return float(np.median(areas))


def ghost_reasons(
    frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30
) -> np.ndarray:
    """Why each frame is a ghost, as a string array ``(N,)``: ``""`` (one coherent body),
    ``"empty"`` (no pixel above ``threshold``), ``"second body"`` (a second component of at least
    ``second`` × the largest one's area) or ``"faint"`` (the largest component is under ``faint`` ×
    the median area of the non-empty real silhouettes). A frame that is both is ``"second body"``.
    """
    threshold = _check_fraction(threshold, "threshold")
    second, faint = _check_fraction(second, "second", False), _check_fraction(faint, "faint", False)
    masks = _masks(frames, "frames", threshold)
    reference = _masks(real, "real silhouettes", threshold)
    if masks.shape[1:] != reference.shape[1:]:
        raise ValueError(
            f"frames {masks.shape[1:]} and real silhouettes {reference.shape[1:]} differ in size (H, W)"
        )
    floor = faint * _median_area(reference, threshold)
    reasons = np.full(len(masks), "", dtype=object)
    for index, mask in enumerate(masks):
        if not mask.any():
            reasons[index] = EMPTY
            continue
        areas = component_areas(mask)
        if len(areas) > 1 and areas[1] >= second * areas[0]:
            reasons[index] = SECOND_BODY
        elif areas[0] < floor:
            reasons[index] = FAINT
    return reasons.astype(str)


def ghost_frames(
    frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30
) -> np.ndarray:
    """Which frames ``(N,)`` are ghosts — not one coherent body (see :func:`ghost_reasons`)."""
    return ghost_reasons(frames, real, threshold, second, faint) != ""


def ghost_rate(frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30) -> float:
    """The ghost rate: the fraction of ``frames`` that are not one coherent body.

    Each frame is thresholded at ``threshold``; it fails when its mask has a second 8-connected
    component of at least ``second`` (10 %) of the largest one's area, or its largest component is
    under ``faint`` (30 %) of the median area of the non-empty ``real`` silhouettes — a fading or
    empty body (an empty frame always fails).
    """
    return float(ghost_frames(frames, real, threshold, second, faint).mean())
