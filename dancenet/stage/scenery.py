"""The empty stage: how it is filmed, the curtain and the plank floor, the spotlight, and their colors.

It also sets the perspective people follow on the floor (:func:`floor_for_height`): how tall a
figure looks where it stands, so that a far-away dancer or passer-by stands near the backdrop.

Stage colors are picked among random candidates so that every tone of the dancer stands out from
the stage behind it (:data:`CONTRAST`): background removal is made hard, but never impossible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..video import LUMA
from .body import _hsv
from .pose import TAU

FLOOR_LINE = 0.94  # the feet stand on this fraction of the frame height
HORIZON = 0.70  # where the backdrop meets the floor, as a fraction of the frame height
#: the floor's vanishing line for people, as a fraction of the frame height, a little above the
#: backdrop's foot: a figure standing on row fraction ``y`` looks ``(y - VANISHING_LINE) /
#: (1 - VANISHING_LINE)`` frame heights tall -- 1 on the bottom row, 0.81 on FLOOR_LINE (the
#: dancer's own height, near enough), 0.04 against the backdrop. (The planks are drawn with a gentler
#: perspective; a far-away figure needs this one to stand near the backdrop, as it would.)
VANISHING_LINE = 0.6875
#: how many walkers a stage may have (each costs about as much rendering as the dancer when in view)
MAX_WALKERS = 16


def floor_for_height(height: float) -> float:
    """Where a figure of standing ``height`` (a fraction of the frame height) has its feet, as a
    fraction of the frame height, in the stage's perspective: near the horizon when small."""
    return VANISHING_LINE + height * (1 - VANISHING_LINE)


def height_at_floor(floor: float) -> float:
    """How tall a figure standing with its feet on row fraction ``floor`` is in the stage's
    perspective, as a fraction of the frame height (the inverse of :func:`floor_for_height`)."""
    return (floor - VANISHING_LINE) / (1 - VANISHING_LINE)


def _nearness(floor: float) -> float:
    """How large things on the floor look at row fraction ``floor``, relative to FLOOR_LINE."""
    return (floor - VANISHING_LINE) / (FLOOR_LINE - VANISHING_LINE)


@dataclass(frozen=True)
class StageSettings:
    """How the stage is filmed. Defaults: the original's 120x208 frames, a consumer camera, the
    dancer alone and as large as the frame allows.

    ``dancer_height`` films the dancer smaller, as from far away: their standing height as a
    fraction of the frame height, feet where perspective puts them (:func:`floor_for_height`).
    It is kept as given even where the routine's reach then leaves a narrow frame. ``None``: the
    body's own height (about 0.82), shrunk to keep every move inside a narrow frame, feet on
    :data:`FLOOR_LINE`. ``walkers`` passers-by cross the stage in front of and behind the dancer
    (:mod:`.walkers`).
    """

    height: int = 120
    width: int = 208
    supersample: int = 3  # the figure is drawn this many times larger, then averaged down
    noise_sigma: float = 2.5  # sensor noise, gray levels
    flicker: float = 0.02  # per-frame light flicker (relative standard deviation)
    drift: float = 0.10  # slow lighting drift (relative amplitude)
    shadow: float = 0.35  # how much the dancer's floor shadow darkens the floor
    jpeg_quality: int | None = None  # JPEG round trip per frame (None: no compression)
    dancer_height: float | None = None  # standing height, fraction of the frame height, in (0.05, 1]
    walkers: int = 0  # passers-by crossing the stage

    def __post_init__(self):
        for name in ("height", "width", "supersample"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise ValueError(f"StageSettings.{name} must be an integer, got {value!r}")
        if self.height < 32 or self.width < 32:
            raise ValueError(
                f"StageSettings height and width must be at least 32, got {self.height}x{self.width}"
            )
        if self.supersample < 1:
            raise ValueError(f"StageSettings.supersample must be at least 1, got {self.supersample}")
        for name, top in (("noise_sigma", 100.0), ("flicker", 0.5), ("drift", 0.5), ("shadow", 1.0)):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float, np.integer, np.floating))
                or not 0 <= value <= top
            ):  # NaN fails the comparison too
                raise ValueError(f"StageSettings.{name} must be between 0 and {top}, got {value!r}")
        if self.jpeg_quality is not None and not (
            isinstance(self.jpeg_quality, (int, np.integer)) and 1 <= self.jpeg_quality <= 100
        ):
            raise ValueError(f"StageSettings.jpeg_quality must be None or 1..100, got {self.jpeg_quality!r}")
        height = self.dancer_height
        if height is not None and (
            isinstance(height, bool)
            or not isinstance(height, (int, float, np.integer, np.floating))
            or not 0.05 < height <= 1.0
        ):  # NaN fails the comparison too
            raise ValueError(
                "StageSettings.dancer_height must be None or a fraction of the frame height "
                f"above 0.05 and at most 1, got {height!r}"
            )
        walkers = self.walkers
        if (
            not isinstance(walkers, (int, np.integer))
            or isinstance(walkers, bool)
            or not 0 <= walkers <= MAX_WALKERS
        ):
            raise ValueError(
                f"StageSettings.walkers must be an integer from 0 to {MAX_WALKERS}, got {walkers!r}"
            )
        # plain Python numbers, so that meta.json can hold them
        object.__setattr__(self, "dancer_height", None if height is None else float(height))
        object.__setattr__(self, "walkers", int(walkers))


def _blotches(shape: tuple[int, int], sigma: float, rng) -> np.ndarray:
    """Smooth random variation with standard deviation 1 and features about ``sigma`` pixels wide."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return field / max(float(field.std()), 1e-6)


def _curtain(y: np.ndarray, x: np.ndarray, h: int, w: int, rng) -> np.ndarray:
    """Brightness of the backdrop (about 1): a curtain in vertical folds, a valance along the top."""
    period = w / rng.uniform(7.0, 11.0)
    u = (x - w / 2) / (1 + 0.12 * y / h) / period  # folds fan out toward the floor
    psi = TAU * u + 0.9 * np.sin(TAU * u / rng.uniform(2.5, 3.5) + rng.uniform(0, TAU))
    folds = (0.5 + 0.5 * np.cos(psi)) ** 0.8
    shade = 0.84 + 0.2 * folds + 0.035 * _blotches(y.shape, y.shape[0] / 6, rng)
    shade += 0.015 * _blotches((1, y.shape[1]), 1.0, rng)  # fine vertical threads
    scallop = w / rng.integers(5, 8)
    edge = h * (0.05 + 0.03 * np.abs(np.sin(math.pi * x / scallop)))
    valance = 0.66 + 0.05 * np.cos(TAU * x / (scallop / 3))
    return np.where(y < edge, valance, shade)


def _planks(y: np.ndarray, x: np.ndarray, h: int, w: int, rng) -> np.ndarray:
    """Brightness of the floor (about 1): planks running toward the backdrop, in perspective."""
    horizon = HORIZON * h
    vanish = horizon - 0.6 * h
    depth = (h - vanish) / np.maximum(y - vanish, 1e-6)  # 1 at the bottom row, 1.5 at the horizon
    plank = w / rng.uniform(8.0, 11.0)  # plank width at the bottom row, pixels
    u = (x - w / 2) * depth / plank + rng.uniform(0, 1)
    k = np.floor(u).astype(int) % 256
    seam = np.minimum(u % 1, 1 - u % 1) * plank / depth  # pixels to the nearest seam
    rate = rng.uniform(2.0, 3.0)
    v = depth * rate + rng.uniform(0, 1, 256)[k]
    end = np.minimum(v % 1, 1 - v % 1) / np.maximum(rate * (h - vanish) / (y - vanish) ** 2, 1e-6)
    streaks = cv2.GaussianBlur(rng.standard_normal(y.shape).astype(np.float32), (0, 0), 0.6, sigmaY=4.0)
    grain = 1 + 0.2 * streaks  # the blur leaves the noise a standard deviation of about 0.15
    tone = rng.uniform(0.86, 1.1, 256)[k]
    shade = (
        tone
        * grain
        * (1 - 0.35 * np.exp(-((seam / 0.7) ** 2)))
        * (1 - 0.3 * np.exp(-((end / 0.6) ** 2)))
        * (0.8 + 0.2 * (y - horizon) / (h - horizon))
    )
    baseboard = (y > horizon - 1.5) & (y < horizon + 0.5)
    return np.where(baseboard, 0.55, shade)


def _stage_shading(h: int, w: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Curtain and floor brightness and the floor's coverage of each pixel, anti-aliased (h, w)."""
    y, x = np.mgrid[0 : 2 * h, 0 : 2 * w] / 2.0 + 0.25  # pixel centers of a 2x grid, in output pixels
    curtain, floor = _curtain(y, x, h, w, rng), _planks(y, x, h, w, rng)
    on_floor = (y >= HORIZON * h).astype(np.float32)
    down = [
        cv2.resize(a.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
        for a in (curtain, floor, on_floor)
    ]
    return down[0], down[1], down[2]


def _spotlight(h: int, w: int) -> np.ndarray:
    """How brightly each point of the stage is lit (h, w): an even beam where the dancer moves,
    falling off toward the sides and the top, and a pool of light on the floor."""
    y, x = np.mgrid[0:h, 0:w] + 0.5
    across = np.exp(-((np.maximum(np.abs(x - w / 2) - 0.38 * w, 0) / (0.16 * w)) ** 2))
    down = np.exp(-((np.maximum(0.2 * h - y, 0) / (0.3 * h)) ** 2))
    pool = np.exp(-(((x - w / 2) / (0.28 * w)) ** 2) - ((y - FLOOR_LINE * h) / (0.09 * h)) ** 2)
    return (0.5 + 0.5 * across * down + 0.08 * pool).astype(np.float32)


def _curtain_colors(rng, n: int) -> np.ndarray:
    """``n`` candidate curtain colors ``(n, 3)``: saturated mid tones of any hue."""
    return np.array(
        [_hsv(rng.uniform(0, 360), rng.uniform(0.5, 0.85), rng.uniform(0.38, 0.7)) for _ in range(n)],
        dtype=float,
    )


def _floor_colors(rng, n: int) -> np.ndarray:
    """``n`` candidate floor colors ``(n, 3)``: wood, or blue to green stage paint."""
    return np.array(
        [
            _hsv(rng.uniform(20, 40), rng.uniform(0.45, 0.65), rng.uniform(0.4, 0.6))
            if rng.random() < 0.5
            else _hsv(rng.uniform(150, 250), rng.uniform(0.35, 0.8), rng.uniform(0.25, 0.5))
            for _ in range(n)
        ],
        dtype=float,
    )


def _differences(colors: np.ndarray, shading: np.ndarray, light: np.ndarray, tones: np.ndarray):
    """Stage minus dancer, per channel, for each candidate stage color ``(K, 3)``, dancer tone
    ``(T, 3)`` and stage pixel (``shading`` and ``light`` per pixel, ``(m,)``): 3 x ``(K, T, m)``."""
    shading, light, colors, tones = (np.asarray(a, np.float32) for a in (shading, light, colors, tones))
    # the light falls on stage and dancer alike
    return [(colors[:, None, None, c] * shading - tones[None, :, None, c]) * light for c in range(3)]


def _percentile(values: np.ndarray, q: float) -> np.ndarray:
    """The ``q``-th percentile over each candidate's tones and pixels, ``(K,)``."""
    flat = values.reshape(len(values), -1)
    k = min(int(q / 100 * flat.shape[1]), flat.shape[1] - 1)
    return np.partition(flat, k, axis=1)[:, k]


def _worst_contrast(colors, shading, light, tones, luma: bool = False) -> np.ndarray:
    """For each candidate stage color: the lowest contrast between any dancer tone and the 1 %
    least different stage pixels. Contrast is the largest difference over the color channels, or
    with ``luma`` the difference in brightness alone."""
    difference = _differences(colors, shading, light, tones)
    if luma:
        contrast = np.abs(sum(w * d for w, d in zip(LUMA, difference)))
    else:
        contrast = np.max([np.abs(d) for d in difference], axis=0)
    k = max(int(0.01 * contrast.shape[-1]), 0)
    return np.partition(contrast, k, axis=-1)[..., k].min(axis=-1)


def _color_bleed(colors, shading, light, tones) -> np.ndarray:
    """For each candidate stage color: how far the dancer's color (brightness taken out) differs
    from the stage's, largest channel, 95th percentile of tones and pixels. Video codecs blur
    color over two pixels, so this much difference spills beyond the dancer's outline."""
    difference = _differences(colors, shading, light, tones)
    luma = sum(w * d for w, d in zip(LUMA, difference))
    return _percentile(np.max([np.abs(d - luma) for d in difference], axis=0), 95)


#: the contrast the stage is chosen for: every tone of the dancer differs from the stage behind it
#: by at least this many gray levels in at least one channel (at the 1st percentile of the pixels)
CONTRAST = 42.0
#: ... and the large parts (skin, shirt, trousers) differ by this much in brightness alone, which
#: is what survives video compression along the outline (codecs keep color at half resolution)
LUMA_CONTRAST = 30.0


def _pick_color(candidates, rng, shading, light, tones, large_tones) -> tuple[np.ndarray, float]:
    """A stage color for one region of the stage, and its worst contrast with the dancer.

    Of 100 candidates, those reaching :data:`CONTRAST` with every tone and
    :data:`LUMA_CONTRAST` with the large parts' tones qualify, and the one whose color spills
    least over the outline (:func:`_color_bleed`) wins. Failing that, the one with the most
    brightness contrast among those reaching :data:`CONTRAST`; failing that, up to two more
    batches are tried and the highest contrast seen is kept.
    """
    fallback, fallback_contrast = None, -np.inf
    for _ in range(3):
        colors = candidates(rng, 100)
        contrast = _worst_contrast(colors, shading, light, tones)
        brightness = _worst_contrast(colors, shading, light, large_tones, luma=True)
        valid = contrast >= CONTRAST
        qualified = valid & (brightness >= LUMA_CONTRAST)
        if qualified.any():
            bleed = _color_bleed(colors, shading, light, large_tones)
            pick = int(np.argmin(np.where(qualified, bleed, np.inf)))
            return colors[pick], float(contrast[pick])
        if valid.any():
            pick = int(np.argmax(np.where(valid, brightness, -np.inf)))
            return colors[pick], float(contrast[pick])
        pick = int(np.argmax(contrast))
        if contrast[pick] > fallback_contrast:
            fallback, fallback_contrast = colors[pick], float(contrast[pick])
    return fallback, fallback_contrast
