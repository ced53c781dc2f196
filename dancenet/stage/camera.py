"""Filming the dancer on the stage: the :class:`Stage`, which renders poses to frames and exact masks.

It lights the empty stage, draws the figure with its floor shadow, composites the two, then adds
what a camera adds: sensor noise and, if set, JPEG compression.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from tqdm.auto import tqdm

from ._checks import _TAG_FRAME, _TAG_NOISE, _TAG_STAGE, _check_seed
from .body import Body, Outfit, _joints_3d
from .figure import _PARTS, _SHIFT, _Figure, _FigureDrawer, _tones
from .pose import POSE_FIELDS, TAU
from .routine import REACH, TRAVEL
from .scenery import (
    FLOOR_LINE,
    HORIZON,
    StageSettings,
    _curtain_colors,
    _floor_colors,
    _pick_color,
    _spotlight,
    _stage_shading,
)


class Stage:
    """A dancer on a stage: renders poses to frames with their exact masks.

    One ``seed`` picks the dancer's body and outfit, the stage's colors and textures, and the
    lighting and sensor noise of every frame; frame ``i`` is the same whichever way it is rendered.
    """

    def __init__(self, settings: StageSettings = StageSettings(), seed: int = 0):
        if not isinstance(settings, StageSettings):
            raise ValueError(f"settings must be a StageSettings, got {type(settings).__name__}")
        self.settings, self.seed = settings, _check_seed(seed)
        self.body, self.outfit = Body.from_seed(self.seed), Outfit.from_seed(self.seed)
        h, w = settings.height, settings.width
        self.floor_y = FLOOR_LINE * h
        # pixels per body height; narrow frames shrink the dancer to keep every move inside
        self.scale = min(self.body.height * h, w / (2 * (TRAVEL + REACH) + 0.05))
        self._drawer = _FigureDrawer(self.body, self.scale, w / 2, self.floor_y, 0.5 / settings.supersample)

        rng = np.random.default_rng([_TAG_STAGE, self.seed])
        curtain, floor, on_floor = _stage_shading(h, w, rng)
        self.spotlight = _spotlight(h, w)
        #: the worst contrast between the dancer and the stage behind it, gray levels (see CONTRAST)
        self.contrast, colors = self._choose_colors(rng, curtain, floor, on_floor)
        background = (
            colors[0] * (curtain * (1 - on_floor))[..., None] + colors[1] * (floor * on_floor)[..., None]
        )
        #: the empty stage before lighting, uint8 RGB (H, W, 3)
        self.background = np.clip(np.rint(background), 0, 255).astype(np.uint8)
        self._lit = self.background.astype(np.float32) * self.spotlight[..., None]
        self._drift_phase = rng.uniform(0, TAU, 2)

        colors = self.outfit.part_colors()
        self._colors = [
            tuple(float(v) for v in tone) + (255.0,) for name in _PARTS for tone in _tones(colors[name])
        ]
        noise = np.random.default_rng([_TAG_NOISE, self.seed])
        pad_y, pad_x = min(h, 128), min(w, 128)
        self._noise = noise.standard_normal((h + pad_y, w + pad_x, 3), dtype=np.float32) * np.float32(
            settings.noise_sigma
        )
        # the shadow falls a little behind the feet (up the image), the light being in front
        sigma, center = 0.04 * h, self.floor_y - 0.045 * h
        rows = np.arange(max(int(center - 2.5 * sigma), 0), min(int(center + 2.5 * sigma) + 1, h))
        self._shadow_rows = slice(int(rows[0]), int(rows[-1]) + 1)
        self._shadow_profile = np.exp(-(((rows + 0.5 - center) / sigma) ** 2)).astype(np.float32)

    # -- construction

    def _choose_colors(self, rng, curtain, floor, on_floor) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
        """Curtain and floor colors that the dancer stands out from, and the contrast achieved.

        Contrast is measured between each shaded tone of the outfit and the lit stage behind it:
        the whole outfit against the backdrop around the dancer, shins and shoes against the
        floor, shadowed or not (see :func:`_pick_color`).
        """
        h, w = curtain.shape
        half_width = int((TRAVEL + 0.6) * self.scale)
        columns = slice(max(w // 2 - half_width, 0), w // 2 + half_width, 4)
        horizon = int(HORIZON * h)
        top = min(max(int(self.floor_y - 1.12 * self.scale), 0), horizon - 4)  # the dancer's reach
        o = self.outfit
        shins = o.skin if o.shorts else o.trousers
        chosen, worst = [], np.inf
        for rows, shading, colors, large, darkening, candidates in (
            (
                slice(top, horizon, 4),
                curtain,
                {o.skin, o.hair, o.shirt, o.trousers, o.shoes},
                {o.skin, o.shirt, o.trousers},
                (1.0,),
                _curtain_colors,
            ),
            (
                slice(horizon + 1, h, 2),
                floor,
                {shins, o.shoes},
                {shins},
                (1.0, 1 - self.settings.shadow),
                _floor_colors,
            ),
        ):
            box = (rows, columns)
            light = np.tile(self.spotlight[box].ravel(), len(darkening))
            shading = np.concatenate([shading[box].ravel() * f for f in darkening])
            tones = [np.concatenate([np.stack(_tones(c)) for c in group]) for group in (colors, large)]
            color, contrast = _pick_color(candidates, rng, shading, light, *tones)
            chosen.append(color)
            worst = min(worst, contrast)
        return worst, tuple(chosen)

    # -- geometry

    def joints(self, pose) -> dict[str, np.ndarray]:
        """Projected 2-D joint positions ``(2,)`` (or ``(T, 2)`` for poses ``(T, P)``) in pixels of this
        stage's frames, as (x, y) with y down. Keys: ``pelvis neck head crown`` and, per side
        ``l_``/``r_``, ``shoulder elbow wrist hand hip knee ankle heel toe``; :data:`BONES` lists the
        ones to connect."""
        pose = _check_poses(pose)
        return self._drawer.pixels(_joints_3d(pose, self.body))

    def _figures(self, poses: np.ndarray) -> tuple[_Figure, np.ndarray, np.ndarray]:
        """A batch's figures, their polygons in fixed point on each frame's supersampled canvas,
        and each canvas's box in the frame ``(x0, y0, x1, y1)``: the dancer plus a pixel."""
        figure = self._drawer.figure(poses.astype(float))
        h, w, ss = self.settings.height, self.settings.width, self.settings.supersample
        flat = figure.outlines.reshape(len(poses), -1, 2)
        low = np.clip(np.floor(flat.min(axis=1)) - 1, 0, [w - 1, h - 1]).astype(int)
        high = np.clip(np.ceil(flat.max(axis=1)) + 1, low + 1, [w, h]).astype(int)
        boxes = np.concatenate([low, high], axis=1)  # x0, y0, x1, y1
        # pixel j covers [j, j+1); canvas pixel k is centered on k + 0.5 supersampled units
        canvas = (figure.outlines * ss - 0.5 - (low * ss)[:, None, None, None, :]) * (1 << _SHIFT)
        return figure, np.rint(canvas).astype(np.int32), boxes

    # -- pixels

    def _draw(self, polygons: np.ndarray, order: np.ndarray, box: np.ndarray) -> np.ndarray:
        """The dancer's premultiplied RGBA (uint8) inside ``box``, anti-aliased by supersampling."""
        x0, y0, x1, y1 = box
        ss = self.settings.supersample
        canvas = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss, 4), np.uint8)
        for part in order:
            cv2.fillConvexPoly(canvas, polygons[part, 0], self._colors[2 * part], cv2.LINE_8, _SHIFT)
            cv2.fillConvexPoly(canvas, polygons[part, 1], self._colors[2 * part + 1], cv2.LINE_8, _SHIFT)
        if ss == 1:
            return canvas
        return cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)

    def _gain(self, frame_index: int, flicker: float) -> float:
        """The overall brightness of frame ``frame_index``: slow drift times its flicker."""
        s = self.settings
        slow = 0.65 * math.sin(TAU * frame_index / 487 + self._drift_phase[0]) + 0.35 * math.sin(
            TAU * frame_index / 211 + self._drift_phase[1]
        )
        return (1 + s.drift * slow) * (1 + s.flicker * min(max(flicker, -3.0), 3.0))

    def _frame_randoms(self, frame_index: int) -> tuple[float, int, int, bool]:
        """Frame ``frame_index``'s flicker (standard normal), noise window offsets and noise sign."""
        rng = np.random.default_rng([_TAG_FRAME, self.seed, int(frame_index)])
        h, w = self.settings.height, self.settings.width
        return (
            float(rng.standard_normal()),
            int(rng.integers(0, self._noise.shape[0] - h + 1)),
            int(rng.integers(0, self._noise.shape[1] - w + 1)),
            bool(rng.random() < 0.5),
        )

    def _compose(
        self,
        frame_index: int,
        rgba: np.ndarray,
        box: np.ndarray,
        casters: np.ndarray,
        layers: dict | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The camera's frame (uint8) and the mask: lit stage, shadow, dancer, noise, compression."""
        s = self.settings
        h, w = s.height, s.width
        flicker, oy, ox, negative = self._frame_randoms(frame_index)
        gain = np.float32(self._gain(frame_index, flicker))
        frame = self._lit * gain
        if layers is not None:
            layers["lit"] = _to_uint8(frame)

        x = np.arange(w, dtype=np.float32) + 0.5
        blobs = casters[:, 2, None] * np.exp(-(((x - casters[:, 0, None]) / casters[:, 1, None]) ** 2))
        across = 1 - np.prod(1 - blobs, axis=0)
        darkening = 1 - s.shadow * self._shadow_profile[:, None] * across.astype(np.float32)
        frame[self._shadow_rows] *= darkening[..., None]
        if layers is not None:
            layers["shadow"] = _to_uint8(frame)

        x0, y0, x1, y1 = box
        alpha = rgba[..., 3].astype(np.float32) * np.float32(1 / 255)
        dancer = rgba[..., :3].astype(np.float32) * (self.spotlight[y0:y1, x0:x1, None] * gain)
        region = frame[y0:y1, x0:x1]
        region *= (1 - alpha)[..., None]
        region += dancer
        if layers is not None:
            layers["dancer"] = np.zeros((h, w, 3), np.uint8)
            layers["dancer"][y0:y1, x0:x1] = _to_uint8(dancer)
            layers["alpha"] = np.zeros((h, w), np.float32)
            layers["alpha"][y0:y1, x0:x1] = alpha
            layers["composite"] = _to_uint8(frame)

        if s.noise_sigma > 0:
            window = self._noise[oy : oy + h, ox : ox + w]
            if negative:
                frame -= window
            else:
                frame += window
        out = _to_uint8(frame)
        if s.jpeg_quality is not None:
            _, data = cv2.imencode(
                ".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(s.jpeg_quality)]
            )
            out = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        mask = np.zeros((h, w), bool)
        mask[y0:y1, x0:x1] = rgba[..., 3] >= 127  # alpha >= 0.5: a half-covered pixel may round to 127
        if layers is not None:
            layers["noisy"] = out
            layers["mask"] = mask
        return out, mask

    def render_sequence(self, poses, start: int = 0, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Frames ``(N, H, W, 3)`` uint8 RGB and masks ``(N, H, W)`` of poses ``(N, P)`` as frames
        ``start, start + 1, ...`` (the frame index sets the lighting and the noise)."""
        poses = np.atleast_2d(_check_poses(poses))
        start = _check_index(start)
        n, h, w = len(poses), self.settings.height, self.settings.width
        frames = np.empty((n, h, w, 3), np.uint8)
        masks = np.empty((n, h, w), bool)
        batch = 256
        with tqdm(total=n, desc="rendering the stage", unit="frame", disable=not progress) as bar:
            for first in range(0, n, batch):
                figure, polygons, boxes = self._figures(poses[first : first + batch])
                for k in range(len(boxes)):
                    rgba = self._draw(polygons[k], figure.order[k], boxes[k])
                    frames[first + k], masks[first + k] = self._compose(
                        start + first + k, rgba, boxes[k], figure.casters[k]
                    )
                bar.update(len(boxes))
        return frames, masks

    def render(self, pose, frame_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """One frame: the camera's image ``(H, W, 3)`` uint8 RGB and the true mask ``(H, W)`` bool."""
        frames, masks = self.render_sequence(_check_pose(pose)[None], start=frame_index)
        return frames[0], masks[0]

    def layers(self, pose, frame_index: int = 0) -> dict[str, np.ndarray]:
        """The steps of making one frame, for a figure: ``backdrop`` (the unlit stage), ``lit``
        (spotlight and this frame's gain), ``shadow`` (plus the dancer's floor shadow: the empty
        stage as filmed), ``dancer`` (the lit dancer on black), ``alpha`` (its coverage, float),
        ``composite`` (dancer on stage), ``noisy`` (the final frame: plus sensor noise, then the
        JPEG round trip if set) and ``mask``."""
        figure, polygons, boxes = self._figures(_check_pose(pose)[None])
        layers = {"backdrop": self.background.copy()}
        rgba = self._draw(polygons[0], figure.order[0], boxes[0])
        self._compose(_check_index(frame_index), rgba, boxes[0], figure.casters[0], layers)
        return layers


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """Gray levels (float, 0..255) rounded and saturated to uint8.

    Not :func:`dancenet.video.to_uint8`, which takes [0, 1]: scaling by 1/255 and back would round
    some pixels differently.
    """
    return cv2.convertScaleAbs(cv2.max(image, 0.0))


def _check_poses(pose) -> np.ndarray:
    pose = np.asarray(pose, dtype=float)
    if pose.ndim not in (1, 2) or pose.shape[-1] != len(POSE_FIELDS):
        raise ValueError(
            f"a pose vector has {len(POSE_FIELDS)} values (see POSE_FIELDS); "
            f"got an array of shape {pose.shape}"
        )
    if not np.all(np.isfinite(pose)):
        raise ValueError("pose contains NaN or infinity")
    return pose


def _check_pose(pose) -> np.ndarray:
    pose = _check_poses(pose)
    if pose.ndim != 1:
        raise ValueError(f"expected one pose vector of {len(POSE_FIELDS)} values, got shape {pose.shape}")
    return pose


def _check_index(index) -> int:
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool) or index < 0:
        raise ValueError(f"frame index must be a non-negative integer, got {index!r}")
    return int(index)
