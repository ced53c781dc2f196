"""Framing the dancer: every silhouette cropped to the dancer's own box, as gait recognition does.

Whole-stage silhouettes make the VAE learn *where* the dancer stands as well as *how*. Here each
cleaned mask is cut down to a box that follows the dancer, so position and distance to the
camera drop out and only the pose is left:

1. :func:`track_dancer` follows one person through the masks — each person-sized shape on the
   first frame is followed by the shape that continues its track, and the one found in the most
   frames is the dancer — so that with several people in view the track does not jump between them;
2. :func:`smooth_track` steadies the track's centre and body height over time, across frames where
   the dancer was missed and through brief poses (an arm thrown up) that would jolt the scale;
3. :func:`dancer_crops` cuts a box of the model's aspect ratio around the smoothed centre, pads
   it with background where it leaves the frame, and resizes it to the model's image size.

:func:`frame_dancer` runs the three. Positions and sizes in a track are in *frame units*: the
centre's x is a fraction of the frame width, its y and the body height fractions of the frame
height (0 = left or top edge, 1 = right or bottom edge).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from tqdm.auto import tqdm

from .checks import check_image_size


@dataclass(frozen=True)
class FramingSettings:
    """How the dancer is tracked, smoothed and framed; the defaults suit 30 fps stage video."""

    #: room around the body: the crop box is the body height × (1 + margin) tall, half above, half below
    margin: float = 0.2
    #: shapes smaller than this fraction of the frame's area are noise, never a dancer
    #: (0.001 is 25 pixels at 120×208: a dancer a tenth of the frame high still passes)
    min_area: float = 0.001
    #: how far the dancer may be from where the track expects them, in body heights; the allowance
    #: grows with the square root of the frames since they were last seen
    gate: float = 0.5
    #: a shape continues the track only when its area is within this factor of the track's area;
    #: it keeps another, bigger person — or the dancer merged with one — off the track
    area_ratio: float = 2.0
    #: a shape this much larger than the track's area is the dancer merged with someone crossing:
    #: the frame counts as missed, so neither its crop nor its size reach the track (a dancer's own
    #: area changes far less from one frame to the next; at ``area_ratio`` or above it never applies)
    merge_ratio: float = 1.4
    #: after this many frames in a row without the dancer, look for them anywhere in the frame
    reacquire_after: int = 30
    #: running median over this many frames (odd): ignores poses shorter than half of it
    median_window: int = 9
    #: then a moving average over this many frames (odd), to take out the median's small steps
    average_window: int = 5
    #: keep only the tracked shape in the crop, so that no one else shares the dancer's crop box
    isolate: bool = True

    def __post_init__(self):
        for name in ("margin", "min_area"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"FramingSettings.{name} must be a non-negative number, got {value!r}")
        if not self.min_area < 1:
            raise ValueError(
                f"FramingSettings.min_area is a fraction of the frame, below 1; got {self.min_area}"
            )
        if not (np.isfinite(self.gate) and self.gate > 0):
            raise ValueError(f"FramingSettings.gate must be positive (body heights), got {self.gate!r}")
        if not (np.isfinite(self.area_ratio) and self.area_ratio > 1):
            raise ValueError(f"FramingSettings.area_ratio must be above 1, got {self.area_ratio!r}")
        if not (np.isfinite(self.merge_ratio) and self.merge_ratio > 1):
            raise ValueError(f"FramingSettings.merge_ratio must be above 1, got {self.merge_ratio!r}")
        for name in ("reacquire_after", "median_window", "average_window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"FramingSettings.{name} must be a positive integer, got {value!r}")
        for name in ("median_window", "average_window"):
            if getattr(self, name) % 2 == 0:
                raise ValueError(
                    f"FramingSettings.{name} must be odd so the window is centred on its frame, "
                    f"got {getattr(self, name)}"
                )


@dataclass(frozen=True)
class Track:
    """Where the dancer is in each frame, as found: ``raw`` is NaN where the dancer was missed."""

    #: float32 ``(N, 3)``: centre x, centre y, body height, in frame units (NaN = missed)
    raw: np.ndarray
    #: the tracked shape's label in ``cv2.connectedComponentsWithStats(mask, connectivity=8)``; 0 = missed
    labels: np.ndarray
    #: how many shapes each mask holds, of any size
    shapes: np.ndarray

    @property
    def found(self) -> np.ndarray:
        return self.labels > 0


@dataclass(frozen=True)
class Framed:
    """The dancer's framed silhouettes and the track that framed them."""

    #: float32 ``(M, h, w, 1)`` in [0, 1], one per frame where the dancer was found
    images: np.ndarray
    #: float32 ``(N, 3)``: smoothed centre x, centre y and body height per frame, in frame units
    track: np.ndarray
    #: float32 ``(N, 3)``: the same as found in each frame before smoothing, NaN where missed
    raw: np.ndarray
    #: bool ``(N,)``: whether the dancer was found in the frame (and so has an image)
    found: np.ndarray
    #: how many frames had no dancer and so no image
    dropped: int

    @property
    def frames(self) -> np.ndarray:
        """Indices into the input masks of the frames in ``images``."""
        return np.flatnonzero(self.found)


# ----------------------------------------------------------------------------- input checks


def _check_masks(masks) -> np.ndarray:
    masks = np.asarray(masks)
    if masks.size == 0 or len(masks) == 0:
        raise ValueError(f"no masks to frame: got an empty array of shape {masks.shape}")
    if masks.ndim != 3:
        hint = " — wrap one mask as masks[None]" if masks.ndim == 2 else ""
        raise ValueError(f"expected binary masks of shape (N, H, W), got shape {masks.shape}{hint}")
    if masks.dtype.kind == "f" and np.isnan(masks).any():
        raise ValueError(
            f"masks contain NaN in {int(np.isnan(masks).any(axis=(1, 2)).sum())} of {len(masks)} frames: "
            "pass binary masks (bool or 0/1), e.g. from dancenet.background.remove_background"
        )
    if masks.dtype.kind not in "biuf":
        raise ValueError(f"expected binary masks (bool or 0/1 numbers), got dtype {masks.dtype}")
    return masks.astype(bool)


# ----------------------------------------------------------------------------- tracking


def _components(mask: np.ndarray):
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    return count, labels, stats, centroids


@dataclass(frozen=True)
class _Shapes:
    """One frame's shapes (8-connected components, background excluded), as the tracker sees them."""

    areas: np.ndarray
    #: centre of each shape in pixel-edge coordinates (the first pixel spans 0 to 1): the
    #: centroid's x, the bounding box's middle y
    centres: np.ndarray
    heights: np.ndarray


def _shapes(mask: np.ndarray) -> _Shapes:
    _, _, stats, centroids = _components(mask)
    tops, heights = stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    centres = np.column_stack([centroids[1:, 0] + 0.5, tops + heights / 2])
    return _Shapes(stats[1:, cv2.CC_STAT_AREA].astype(np.float64), centres, heights)


def _follow(frames: list[_Shapes], first: int, start: int, min_pixels: float, settings: FramingSettings):
    """Follow shape ``start`` of frame ``first`` to the end: per frame, the chosen shape (-1: missed)."""
    picks = np.full(len(frames), -1)
    picks[first] = start
    centre, velocity = frames[first].centres[start], np.zeros(2)
    area, body = frames[first].areas[start], frames[first].heights[start]
    gap = 0
    for i in range(first + 1, len(frames)):
        shapes = frames[i]
        lost = gap >= settings.reacquire_after
        expected = centre + velocity * (0 if lost else gap + 1)
        distance = np.hypot(*(shapes.centres - expected).T) / (settings.gate * body * np.sqrt(gap + 1))
        size = np.abs(np.log(shapes.areas / area)) / np.log(settings.area_ratio)
        candidates = (shapes.areas >= min_pixels) & (size <= 1) & (lost | (distance <= 1))
        if not candidates.any():
            gap += 1
            continue
        pick = int(np.argmin(np.where(candidates, distance + size, np.inf)))
        if not lost and shapes.areas[pick] > settings.merge_ratio * area:
            gap += 1  # merged with someone: after they part, the old size tells which is the dancer
            continue
        if lost:
            area, body, velocity = shapes.areas[pick], shapes.heights[pick], np.zeros(2)
        else:
            velocity = 0.5 * velocity + 0.5 * (shapes.centres[pick] - centre) / (gap + 1)
            area = 0.8 * area + 0.2 * shapes.areas[pick]
            body = 0.8 * body + 0.2 * shapes.heights[pick]
        centre, gap = shapes.centres[pick], 0
        picks[i] = pick
    return picks


def track_dancer(masks, settings: FramingSettings = FramingSettings(), progress: bool = False) -> Track:
    """The dancer's position in each mask, following one person through the video.

    From a shape large enough to be a person on the first frame that has one, the track goes on
    frame by frame: each later frame's shapes are scored by their distance from where the track
    expects the dancer (the last position moved on by the last velocity) and by how far their
    area is from the track's; shapes outside either gate are someone else, and of those inside
    the best one continues the track. A frame without one is missed. After ``reacquire_after``
    misses in a row the distance gate opens and the shape nearest the last position and size
    starts the track afresh, wherever it is. The area gate stays: a shape far larger or smaller
    than the track is someone else, or the dancer merged with someone into one shape; a shape
    more than ``merge_ratio`` times the track's area is taken for such a merge and the frame is
    missed, so that the track keeps the dancer's own size and picks the dancer out when the two part.

    Which first shape is the dancer? Each is followed through the whole video, and the one found
    in the most frames wins (ties: the largest) — passers-by leave the picture, the dancer stays.
    A clip shorter than a passer-by's crossing cannot tell them apart this way.

    The centre's x is the shape's centroid, which an arm stretched sideways moves less than it
    moves the bounding box; the centre's y and the height come from the bounding box, so that a
    box of the body height centred there holds the whole body.
    """
    masks = _check_masks(masks)
    n, height, width = masks.shape
    min_pixels = settings.min_area * height * width
    frames = [_shapes(mask) for mask in tqdm(masks, desc="tracking the dancer", disable=not progress)]
    raw = np.full((n, 3), np.nan, np.float32)
    labels = np.zeros(n, np.int32)
    shapes = np.array([len(f.areas) for f in frames], np.int32)
    first = next((i for i, f in enumerate(frames) if (f.areas >= min_pixels).any()), None)
    if first is None:
        return Track(raw=raw, labels=labels, shapes=shapes)
    starts = np.flatnonzero(frames[first].areas >= min_pixels)
    followed = [_follow(frames, first, start, min_pixels, settings) for start in starts]
    picks, _ = max(
        zip(followed, starts), key=lambda pair: ((pair[0] >= 0).sum(), frames[first].areas[pair[1]])
    )
    for i in np.flatnonzero(picks >= 0):
        labels[i] = picks[i] + 1
        x, y = frames[i].centres[picks[i]]
        raw[i] = x / width, y / height, frames[i].heights[picks[i]] / height
    return Track(raw=raw, labels=labels, shapes=shapes)


# ----------------------------------------------------------------------------- smoothing


def _running_median(values: np.ndarray, window: int) -> np.ndarray:
    half = window // 2
    padded = np.pad(values, ((half, half), (0, 0)), mode="edge")
    return np.median(sliding_window_view(padded, window, axis=0), axis=-1)


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Centred mean that shrinks its window near the ends, so a steady motion stays exact there."""
    n = len(values)
    index = np.arange(n)
    half = np.minimum(window // 2, np.minimum(index, n - 1 - index))
    sums = np.concatenate([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    return (sums[index + half + 1] - sums[index - half]) / (2 * half + 1)[:, None]


def smooth_track(raw, settings: FramingSettings = FramingSettings()) -> np.ndarray:
    """The track steadied over time: float32 ``(N, 3)``, no NaN.

    Missed frames (NaN rows) are first filled by linear interpolation between the frames around
    them (held at the ends). A running median then ignores anything shorter than half of
    ``median_window`` — an arm thrown above the head for a few frames raises the bounding box and
    would jolt the scale of every crop — and a short moving average smooths the median's steps so
    the box glides instead of jittering.
    """
    raw = np.asarray(raw, np.float64)
    if raw.ndim != 2 or raw.shape[1] != 3 or len(raw) == 0:
        raise ValueError(f"expected a track of shape (N, 3) (centre x, centre y, height), got {raw.shape}")
    seen = ~np.isnan(raw).any(axis=1)
    if not seen.any():
        raise ValueError(f"the track is empty: the dancer was missed in all {len(raw)} frames")
    index = np.arange(len(raw))
    filled = np.column_stack([np.interp(index, index[seen], raw[seen, k]) for k in range(3)])
    steady = _running_median(filled, settings.median_window)
    return _moving_average(steady, settings.average_window).astype(np.float32)


# ----------------------------------------------------------------------------- cropping


def dancer_crops(
    masks,
    track,
    image_size,
    margin: float = FramingSettings.margin,
    labels=None,
    progress: bool = False,
) -> np.ndarray:
    """The dancer cut from each frame and resized to ``image_size``: float32 ``(N, h, w, 1)`` in [0, 1].

    The crop box is ``track`` height × (1 + ``margin``) tall with the aspect ratio of ``image_size``,
    centred on the track; where it leaves the frame it is padded with background. Area
    interpolation, as in :func:`dancenet.background.silhouette_images`, turns the hard mask edge into the
    soft, anti-aliased one the VAE learns to draw (linear when the box is smaller than the
    image). With ``labels`` (from :func:`track_dancer`), only that shape of each mask is kept
    (label 0: the whole mask).
    """
    masks = _check_masks(masks)
    out_h, out_w = check_image_size(image_size)
    track = np.asarray(track, np.float64)
    if track.shape != (len(masks), 3) or not np.isfinite(track).all():
        raise ValueError(f"expected a finite track of shape ({len(masks)}, 3), got {track.shape}")
    n, height, width = masks.shape
    box_h = np.maximum(2, np.round(track[:, 2] * height * (1 + margin))).astype(int)
    box_w = np.maximum(2, np.round(box_h * out_w / out_h)).astype(int)
    tops = np.round(track[:, 1] * height - box_h / 2).astype(int)
    lefts = np.round(track[:, 0] * width - box_w / 2).astype(int)
    images = np.empty((n, out_h, out_w, 1), np.float32)
    for i in tqdm(range(n), desc="framing the dancer", disable=not progress):
        mask = masks[i]
        if labels is not None and labels[i] > 0:
            mask = _components(mask)[1] == labels[i]
        top, left, wh, ww = tops[i], lefts[i], box_h[i], box_w[i]
        box = np.zeros((wh, ww), np.float32)
        y0, y1 = max(top, 0), min(top + wh, height)
        x0, x1 = max(left, 0), min(left + ww, width)
        if y1 > y0 and x1 > x0:
            box[y0 - top : y1 - top, x0 - left : x1 - left] = mask[y0:y1, x0:x1]
        shrinking = wh >= out_h and ww >= out_w
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        resized = cv2.resize(box, (out_w, out_h), interpolation=interpolation)
        np.clip(resized, 0.0, 1.0, out=images[i, ..., 0])
    return images


# ----------------------------------------------------------------------------- one entry point


def frame_dancer(
    masks, image_size, settings: FramingSettings = FramingSettings(), progress: bool = False
) -> Framed:
    """The dancer's silhouettes framed to their own box, from cleaned masks ``(N, H, W)``.

    Frames where the dancer was not found are dropped from ``images`` (``Framed.frames`` says
    which masks the images came from) and counted in ``Framed.dropped``; the smoothed track still
    covers them, interpolated.
    """
    masks = _check_masks(masks)
    image_size = check_image_size(image_size)
    if not isinstance(settings, FramingSettings):
        raise ValueError(f"settings must be a FramingSettings, got {type(settings).__name__}")
    track = track_dancer(masks, settings, progress=progress)
    found = track.found
    if not found.any():
        raise ValueError(
            f"no dancer found in any of the {len(masks)} frames: background removal left no shape of "
            f"at least {settings.min_area:g} of the frame. A still camera, the whole body in view and "
            "clothes that differ from the background help; so may a lower FramingSettings.min_area"
        )
    smooth = smooth_track(track.raw, settings)
    images = dancer_crops(
        masks[found],
        smooth[found],
        image_size,
        settings.margin,
        labels=np.where(track.shapes > 1, track.labels, 0)[found] if settings.isolate else None,
        progress=progress,
    )
    return Framed(images=images, track=smooth, raw=track.raw, found=found, dropped=int((~found).sum()))


# ----------------------------------------------------------------------------- checking a track


def track_on_dancer(track, truth) -> np.ndarray:
    """Whether the track is on the dancer, per frame ``(N,)``: its centre lies inside the bounding
    box of the dancer's true mask (``truth``, ``(N, H, W)``, e.g. the stage's ground truth).

    ``track`` is in frame units, so ``truth`` may be at any resolution. A frame where the true
    dancer is not in view counts as off the dancer: no track can be right there.
    """
    truth = _check_masks(truth)
    track = np.asarray(track, np.float64)
    if track.shape != (len(truth), 3):
        raise ValueError(
            f"expected a track of shape ({len(truth)}, 3) for {len(truth)} masks, got {track.shape}"
        )
    _, height, width = truth.shape
    on = np.zeros(len(truth), bool)
    for i, (mask, (x, y, _)) in enumerate(zip(truth, track)):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if len(rows) and np.isfinite(x) and np.isfinite(y):
            inside_x = cols[0] <= x * width <= cols[-1] + 1
            on[i] = inside_x and rows[0] <= y * height <= rows[-1] + 1
    return on
