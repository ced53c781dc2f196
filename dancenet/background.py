"""Background removal: from video frames to the dancer's silhouette, and how to score it.

Methods, from the original's to the one the course uses:

- ``threshold`` — the original DanceNet's: every pixel brighter than a fixed level is background.
  It assumes a dark dancer on a bright wall and nothing else.
- ``median`` — the per-pixel median over many frames is the empty stage (the dancer never stands
  still long enough to be the median); pixels that differ from it are the dancer. We compensate
  global lighting changes and ignore shadows (darker, same colour).
- ``mog2`` / ``knn`` — OpenCV's adaptive background models (Zivkovic 2004; Zivkovic & van der
  Heijden 2006), which learn a distribution per pixel and detect shadows themselves.

Every method returns boolean masks ``(N, H, W)`` (True = dancer); :func:`clean_masks` then removes
specks, closes gaps and keeps the largest connected shape. :func:`iou` scores masks against ground
truth.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from tqdm.auto import tqdm

from .checks import check_image_size
from .video import LUMA, resize_frames

METHODS = ("threshold", "median", "mog2", "knn")


# ----------------------------------------------------------------------------- scoring


def iou(predicted, truth) -> np.ndarray | float:
    """Intersection over union of binary masks, per frame.

    Accepts one mask ``(H, W)`` (returns a float) or a stack ``(N, H, W)`` (returns ``(N,)``).
    A frame where both masks are empty counts as a perfect match (1.0).
    """
    predicted = np.asarray(predicted).astype(bool)
    truth = np.asarray(truth).astype(bool)
    if predicted.shape != truth.shape:
        raise ValueError(f"mask shapes differ: predicted {predicted.shape}, truth {truth.shape}")
    if predicted.ndim not in (2, 3):
        raise ValueError(f"expected masks (H, W) or (N, H, W), got shape {predicted.shape}")
    axes = (-2, -1)
    intersection = np.logical_and(predicted, truth).sum(axis=axes)
    union = np.logical_or(predicted, truth).sum(axis=axes)
    scores = np.where(union == 0, 1.0, intersection / np.maximum(union, 1))
    return float(scores) if predicted.ndim == 2 else scores


def mean_iou(predicted, truth) -> float:
    """Mask IoU averaged over frames (the course's *mask IoU*)."""
    return float(np.mean(iou(predicted, truth)))


# ----------------------------------------------------------------------------- input checks


def _check_frames(frames) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim == 3 and frames.shape[-1] == 3:
        raise ValueError(
            f"expected a stack of frames (N, H, W, 3); got one frame {frames.shape} — wrap it as frames[None]"
        )
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"expected RGB frames of shape (N, H, W, 3), got {frames.shape}")
    if frames.dtype != np.uint8:
        raise ValueError(f"expected uint8 frames (0–255), got dtype {frames.dtype}")
    return frames


def _check_masks(masks) -> np.ndarray:
    masks = np.asarray(masks)
    if masks.ndim != 3 or len(masks) == 0:
        raise ValueError(f"expected masks of shape (N, H, W), got {masks.shape}")
    return masks.astype(bool)


def _luma(frames: np.ndarray) -> np.ndarray:
    return frames.astype(np.float32) @ LUMA


# ----------------------------------------------------------------------------- the original


def threshold_masks(frames, level: float = 20) -> np.ndarray:
    """The original DanceNet's rule: pixels brighter than ``level`` are background.

    What is left (pixels at or below ``level``) is taken to be the dancer.
    """
    frames = _check_frames(frames)
    if not 0 <= level <= 255:
        raise ValueError(f"threshold level must be within 0–255, got {level}")
    return _luma(frames) <= level


# ----------------------------------------------------------------------------- median background


def median_background(frames, samples: int = 101) -> np.ndarray:
    """The empty stage, estimated as the per-pixel median of ``samples`` evenly spaced frames."""
    frames = _check_frames(frames)
    picks = np.linspace(0, len(frames) - 1, min(samples, len(frames))).round().astype(int)
    return np.median(frames[np.unique(picks)], axis=0).astype(np.uint8)


def lighting_gain(frames, background) -> np.ndarray:
    """Per-frame brightness of each frame relative to the background, ``(N,)``.

    The median ratio over all pixels is robust to the dancer, who covers a minority of them.
    """
    frames = _check_frames(frames)
    reference = _luma(np.asarray(background)[None]) + 1.0
    return np.concatenate(
        [
            np.median(((_luma(block) + 1.0) / reference).reshape(len(block), -1), axis=1)
            for block in np.array_split(frames, -(-len(frames) // 256))
        ]
    )


def _color_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Largest difference of the two colour-difference channels (blue − luma, red − luma)."""

    def opponent(x):
        luma = x @ LUMA
        return np.stack([x[..., 2] - luma, x[..., 0] - luma], axis=-1)

    return np.abs(opponent(a) - opponent(b)).max(axis=-1)


def difference_masks(
    frames,
    background,
    threshold: float = 28,
    color_threshold: float = 60,
    compensate_gain: bool = True,
    suppress_shadows: bool = True,
    shadow_range: tuple[float, float] = (0.45, 0.95),
    chroma_tolerance: float = 0.04,
    chunk: int = 64,
) -> np.ndarray:
    """Pixels that differ from the background in brightness by more than ``threshold`` (0–255),
    or in colour by more than ``color_threshold``.

    Brightness comes first because video codecs store colour at half resolution (4:2:0 chroma
    subsampling): colour bleeds about a pixel past the dancer's outline, brightness does not.
    ``compensate_gain`` divides out slow lighting changes before comparing. ``suppress_shadows``
    keeps as background the pixels that are a darker copy of the background — brightness between
    ``shadow_range`` of it with nearly the same chromaticity (colour with brightness divided out).
    """
    frames = _check_frames(frames)
    background = np.asarray(background)
    if background.shape != frames.shape[1:]:
        raise ValueError(f"background shape {background.shape} does not match frames {frames.shape[1:]}")
    if threshold <= 0 or color_threshold <= 0:
        raise ValueError(f"thresholds must be positive, got {threshold} and {color_threshold}")
    gains = lighting_gain(frames, background) if compensate_gain else np.ones(len(frames))
    reference = background.astype(np.float32)
    ref_chroma = reference / (reference.sum(-1, keepdims=True) + 1.0)
    ref_luma = reference @ LUMA
    masks = np.empty(frames.shape[:3], bool)
    for start in range(0, len(frames), chunk):
        block = frames[start : start + chunk].astype(np.float32)
        block /= gains[start : start + chunk, None, None, None].astype(np.float32)
        luma = block @ LUMA
        foreground = (np.abs(luma - ref_luma) > threshold) | (
            _color_difference(block, reference) > color_threshold
        )
        if suppress_shadows:
            darkening = (luma + 1.0) / (ref_luma + 1.0)
            chroma = block / (block.sum(-1, keepdims=True) + 1.0)
            same_color = np.abs(chroma - ref_chroma).max(axis=-1) < chroma_tolerance
            shadow = same_color & (darkening > shadow_range[0]) & (darkening < shadow_range[1])
            foreground &= ~shadow
        masks[start : start + chunk] = foreground
    return masks


def _median_masks(frames, **options) -> np.ndarray:
    return difference_masks(frames, median_background(frames), **options)


# ----------------------------------------------------------------------------- OpenCV models


def learned_subtractor(
    frames,
    method: str = "mog2",
    history: int = 500,
    shadows: bool = True,
    background_ratio: float = 0.5,
    samples: int = 30,
    neighbors: int = 15,
    progress: bool = False,
):
    """An OpenCV background model (``mog2`` or ``knn``) after one learning pass over ``frames``.

    A dancer who lingers on some pixels ends up in the model there too. ``background_ratio`` (MOG2:
    how much of the weight the background components must hold; OpenCV's default 0.9) and
    ``neighbors`` (KNN: how many stored samples must match; default 2) decide how much lingering
    it takes for the dancer to count as background: lower ratio, more neighbours, less absorption.
    KNN keeps ``samples`` samples per pixel (OpenCV's default 7).
    """
    frames = _check_frames(frames)
    if method == "mog2":
        model = cv2.createBackgroundSubtractorMOG2(history=history, detectShadows=shadows)
        model.setBackgroundRatio(background_ratio)
    elif method == "knn":
        model = cv2.createBackgroundSubtractorKNN(history=history, detectShadows=shadows)
        model.setNSamples(samples)
        model.setkNNSamples(neighbors)
    else:
        raise ValueError(f"unknown OpenCV background model {method!r}: use 'mog2' or 'knn'")
    for frame in tqdm(frames, desc=f"learning {method}", disable=not progress):
        model.apply(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    return model


def subtractor_masks(model, frames, sensitivity: float | None = None) -> np.ndarray:
    """Foreground masks from a learned OpenCV model, without updating it.

    ``sensitivity`` sets the model's decision threshold (MOG2: squared Mahalanobis distance, OpenCV's
    default 16; KNN: squared distance, default 400). Pixels marked as shadow (value 127) are background.
    """
    frames = _check_frames(frames)
    if sensitivity is not None:
        if sensitivity <= 0:
            raise ValueError(f"sensitivity must be positive, got {sensitivity}")
        if isinstance(model, cv2.BackgroundSubtractorMOG2):
            model.setVarThreshold(float(sensitivity))
        else:
            model.setDist2Threshold(float(sensitivity))
    return np.stack([model.apply(cv2.cvtColor(f, cv2.COLOR_RGB2BGR), learningRate=0) == 255 for f in frames])


def mog2_masks(frames, sensitivity: float = 40, **learning) -> np.ndarray:
    """Masks from a Gaussian-mixture background model (MOG2) learned on the same frames."""
    return subtractor_masks(learned_subtractor(frames, "mog2", **learning), frames, sensitivity)


def knn_masks(frames, sensitivity: float = 400, **learning) -> np.ndarray:
    """Masks from a nearest-neighbour background model (KNN) learned on the same frames."""
    return subtractor_masks(learned_subtractor(frames, "knn", **learning), frames, sensitivity)


# ----------------------------------------------------------------------------- clean-up


def _kernel(size: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected region of a binary mask (empty stays empty)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask.astype(bool)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == biggest


def filled_holes(mask: np.ndarray, max_area: int) -> np.ndarray:
    """The mask with enclosed holes of at most ``max_area`` pixels filled.

    Small holes are places where the costume happens to match the stage; large enclosed regions,
    such as the gap between an arm and the body, are real stage and stay.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    x, y, w, h, area = stats.T
    height, width = mask.shape
    enclosed = (x > 0) & (y > 0) & (x + w < width) & (y + h < height)
    small = enclosed & (area <= max_area)
    small[0] = False
    return mask | small[labels]


def clean_masks(
    masks, open_size: int = 3, close_size: int = 0, keep_largest: bool = True, hole_size: int = 32
) -> np.ndarray:
    """Morphological clean-up: opening removes specks, closing fills cracks, then the biggest
    shape, then small enclosed holes filled.

    Sizes are the diameters in pixels of the elliptical structuring elements (0 or 1 = skip);
    ``hole_size`` is the largest hole, in pixels, that is filled (0 = none).
    """
    masks = _check_masks(masks)
    for name, size in (("open_size", open_size), ("close_size", close_size), ("hole_size", hole_size)):
        if int(size) != size or size < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {size!r}")
    cleaned = np.empty_like(masks)
    for i, mask in enumerate(masks.astype(np.uint8)):
        if open_size > 1:
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _kernel(open_size))
        if close_size > 1:
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(close_size))
        mask = largest_component(mask) if keep_largest else mask.astype(bool)
        cleaned[i] = filled_holes(mask, hole_size) if hole_size > 0 else mask
    return cleaned


# ----------------------------------------------------------------------------- one entry point

_RAW: dict[str, Callable[..., np.ndarray]] = {
    "threshold": threshold_masks,
    "median": _median_masks,
    "mog2": mog2_masks,
    "knn": knn_masks,
}


def remove_background(frames, method: str = "median", clean: bool = True, **options) -> np.ndarray:
    """Dancer masks ``(N, H, W)`` for a stack of RGB frames by the named method.

    ``options`` go to the method (see :data:`METHODS` and the functions above); ``clean`` applies
    :func:`clean_masks` with its defaults. The original's ``threshold`` method is never cleaned, so
    it is shown as the original ran it.
    """
    if method not in _RAW:
        raise ValueError(f"unknown background-removal method {method!r}: choose one of {', '.join(METHODS)}")
    masks = _RAW[method](frames, **options)
    return clean_masks(masks) if clean and method != "threshold" else masks


def framing_masks(frames, method: str = "median") -> np.ndarray:
    """Masks for :func:`dancenet.framing.frame_dancer`: cleaned, but with every shape kept and no
    opening.

    With several people in view the tracker, not the size, should choose the dancer; and the
    opening erases a small dancer's limbs, while the specks it would remove are never tracked nor
    cropped anyway.
    """
    return clean_masks(remove_background(frames, method, clean=False), open_size=0, keep_largest=False)


def compare_methods(frames, truth, methods=METHODS, progress: bool = True) -> dict[str, np.ndarray]:
    """Per-frame IoU against ``truth`` for each method with its default settings."""
    truth = _check_masks(truth)
    if truth.shape != np.asarray(frames).shape[:3]:
        raise ValueError(f"truth masks {truth.shape} do not match frames {np.asarray(frames).shape}")
    return {
        method: iou(remove_background(frames, method), truth)
        for method in tqdm(methods, desc="methods", disable=not progress)
    }


def silhouette_images(masks, size) -> np.ndarray:
    """Masks resized to the model's input size as ``float32 (N, H, W, 1)`` in [0, 1].

    Area interpolation turns the hard mask edge into a soft one, the anti-aliased silhouette
    the VAE learns to draw.
    """
    masks = _check_masks(masks)
    height, width = check_image_size(size)
    small = resize_frames(masks.astype(np.float32), (height, width))
    return np.clip(small, 0.0, 1.0)[..., None].astype(np.float32)
