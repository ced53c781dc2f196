"""Filming the dancer on the stage: the :class:`Stage`, which renders poses to frames and exact masks.

It lights the empty stage, draws the figure with its floor shadow -- and any passers-by with
theirs, nearer ones over farther ones (:mod:`.walkers`) -- composites them, then adds what a
camera adds: sensor noise and, if set, JPEG compression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from tqdm.auto import tqdm

from ._checks import _TAG_FRAME, _TAG_NOISE, _TAG_STAGE, _check_count, _check_seed
from .body import Body, Outfit, _joints_3d
from .figure import _SHIFT, _Figure, _FigureDrawer, _fills, _tones
from .pose import POSE_FIELDS, TAU
from .routine import REACH, TRAVEL
from .scenery import (
    FLOOR_LINE,
    HORIZON,
    StageSettings,
    _curtain_colors,
    _floor_colors,
    _nearness,
    _pick_color,
    _spotlight,
    _stage_shading,
    floor_for_height,
    height_at_floor,
)
from .walkers import Crossing, Walker


@dataclass(frozen=True, eq=False)
class _Sprite:
    """One figure in one frame, ready to composite: its premultiplied RGBA inside its box
    ``(x0, y0, x1, y1)``, its floor shadow and the row its feet stand on (larger is nearer)."""

    rgba: np.ndarray
    box: np.ndarray
    casters: np.ndarray  # (3, 3) soft floor shadows: x center, half width, strength
    shadow: tuple[slice, np.ndarray]  # the shadow's rows and its profile across them
    floor_y: float
    dancer: bool


class Stage:
    """A dancer on a stage: renders poses to frames with their exact masks.

    One ``seed`` picks the dancer's body and outfit, the stage's colors and textures, the
    lighting and sensor noise of every frame and the passers-by (``settings.walkers``); frame ``i``
    is the same whichever way it is rendered.
    """

    def __init__(self, settings: StageSettings = StageSettings(), seed: int = 0):
        if not isinstance(settings, StageSettings):
            raise ValueError(f"settings must be a StageSettings, got {type(settings).__name__}")
        self.settings, self.seed = settings, _check_seed(seed)
        self.body, self.outfit = Body.from_seed(self.seed), Outfit.from_seed(self.seed)
        h, w = settings.height, settings.width
        if settings.dancer_height is None:
            self.floor_y, nearness = FLOOR_LINE * h, 1.0
            # pixels per body height; narrow frames shrink the dancer to keep every move inside
            self.scale = min(self.body.height * h, w / (2 * (TRAVEL + REACH) + 0.05))
        else:  # as filmed from farther away: smaller, and standing farther back
            self.floor_y = floor_for_height(settings.dancer_height) * h
            nearness = _nearness(floor_for_height(settings.dancer_height))
            self.scale = settings.dancer_height * h
        inset = 0.5 / settings.supersample
        self._drawer = _FigureDrawer(self.body, self.scale, w / 2, self.floor_y, inset, 3.0 * nearness)
        self._shadow = _shadow_band(h, self.floor_y, nearness)
        #: the passers-by, each with its body, outfit and crossings (see :mod:`.walkers`)
        depth = height_at_floor(self.floor_y / h)  # who passes in front: as tall as this or taller
        self.walkers = [Walker(self.seed, k, (h, w), depth) for k in range(settings.walkers)]

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

        self._colors = _fills(self.outfit)
        noise = np.random.default_rng([_TAG_NOISE, self.seed])
        pad_y, pad_x = min(h, 128), min(w, 128)
        self._noise = noise.standard_normal((h + pad_y, w + pad_x, 3), dtype=np.float32) * np.float32(
            settings.noise_sigma
        )

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

    def _figures(
        self, poses: np.ndarray, drawer: _FigureDrawer | None = None
    ) -> tuple[_Figure, np.ndarray, np.ndarray]:
        """A batch's figures (the dancer's, or another ``drawer``'s), their polygons in fixed point
        on each frame's supersampled canvas, and each canvas's box in the frame ``(x0, y0, x1, y1)``:
        the figure plus a pixel."""
        figure = (drawer or self._drawer).figure(poses.astype(float))
        h, w, ss = self.settings.height, self.settings.width, self.settings.supersample
        flat = figure.outlines.reshape(len(poses), -1, 2)
        low = np.clip(np.floor(flat.min(axis=1)) - 1, 0, [w - 1, h - 1]).astype(int)
        high = np.clip(np.ceil(flat.max(axis=1)) + 1, low + 1, [w, h]).astype(int)
        boxes = np.concatenate([low, high], axis=1)  # x0, y0, x1, y1
        # pixel j covers [j, j+1); canvas pixel k is centered on k + 0.5 supersampled units
        canvas = (figure.outlines * ss - 0.5 - (low * ss)[:, None, None, None, :]) * (1 << _SHIFT)
        return figure, np.rint(canvas).astype(np.int32), boxes

    # -- passers-by

    def crossings(self, n_frames: int, start: int = 0) -> list[Crossing]:
        """The passers-by's crossings under way during frames ``start .. start + n_frames - 1``, by
        their start."""
        first, stop = _check_index(start), _check_index(start) + _check_count(n_frames)
        return sorted((c for w in self.walkers for c in w.crossings(first, stop)), key=lambda c: c.start)

    def _walker_sprites(self, first: int, stop: int) -> list[list[_Sprite]]:
        """The passers-by on each of frames ``first .. stop - 1``, drawn and ready to composite."""
        sprites = [[] for _ in range(stop - first)]
        h, inset = self.settings.height, 0.5 / self.settings.supersample
        for walker in self.walkers:
            for crossing in walker.crossings(first, stop):
                frames = crossing.frames(first, stop)
                if not len(frames):
                    continue
                nearness = _nearness(floor_for_height(crossing.height))
                drawer = _FigureDrawer(
                    walker.body, crossing.scale, 0.0, crossing.floor_y, inset, 3.0 * nearness
                )
                shadow = _shadow_band(h, crossing.floor_y, nearness)
                figure, polygons, boxes = self._figures(crossing.poses(frames), drawer)
                for k, i in enumerate(frames):
                    rgba = self._draw(polygons[k], figure.order[k], boxes[k], walker.colors)
                    sprite = _Sprite(rgba, boxes[k], figure.casters[k], shadow, crossing.floor_y, False)
                    sprites[i - first].append(sprite)
        return sprites

    # -- pixels

    def _draw(self, polygons: np.ndarray, order: np.ndarray, box: np.ndarray, colors=None) -> np.ndarray:
        """A figure's premultiplied RGBA (uint8) inside ``box``, anti-aliased by supersampling, in the
        dancer's colors unless given others (two fills per part, as ``self._colors``)."""
        colors = self._colors if colors is None else colors
        x0, y0, x1, y1 = box
        ss = self.settings.supersample
        canvas = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss, 4), np.uint8)
        for part in order:
            cv2.fillConvexPoly(canvas, polygons[part, 0], colors[2 * part], cv2.LINE_8, _SHIFT)
            cv2.fillConvexPoly(canvas, polygons[part, 1], colors[2 * part + 1], cv2.LINE_8, _SHIFT)
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

    def _paint(self, frame: np.ndarray, sprite: _Sprite, gain) -> tuple[np.ndarray, np.ndarray]:
        """Composite one figure over ``frame`` in place, lit as the stage is; its lit colors and coverage."""
        x0, y0, x1, y1 = sprite.box
        alpha = sprite.rgba[..., 3].astype(np.float32) * np.float32(1 / 255)
        lit = sprite.rgba[..., :3].astype(np.float32) * (self.spotlight[y0:y1, x0:x1, None] * gain)
        region = frame[y0:y1, x0:x1]
        region *= (1 - alpha)[..., None]
        region += lit
        return lit, alpha

    def _compose(
        self, frame_index: int, sprites: list[_Sprite], layers: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The camera's frame (uint8), the dancer's visible pixels and the passers-by's (None when
        none is in view): lit stage, shadows, figures far to near, noise, compression."""
        s = self.settings
        h, w = s.height, s.width
        flicker, oy, ox, negative = self._frame_randoms(frame_index)
        gain = np.float32(self._gain(frame_index, flicker))
        frame = self._lit * gain
        if layers is not None:
            layers["lit"] = _to_uint8(frame)

        x = np.arange(w, dtype=np.float32) + 0.5
        for sprite in sprites:
            _cast_shadow(frame, sprite, x, s.shadow)
        if layers is not None:
            layers["shadow"] = _to_uint8(frame)

        for sprite in sprites:
            lit, alpha = self._paint(frame, sprite, gain)
            if layers is not None and sprite.dancer:
                x0, y0, x1, y1 = sprite.box
                layers["dancer"] = np.zeros((h, w, 3), np.uint8)
                layers["dancer"][y0:y1, x0:x1] = _to_uint8(lit)
                layers["alpha"] = np.zeros((h, w), np.float32)
                layers["alpha"][y0:y1, x0:x1] = alpha
        if layers is not None:
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
        mask, others = _truth(sprites, h, w)
        if layers is not None:
            layers["noisy"] = out
            layers["mask"] = mask
            if self.walkers:
                layers["others"] = np.zeros((h, w), bool) if others is None else others
        return out, mask, others

    def render_scene(
        self, poses, start: int = 0, progress: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frames ``(N, H, W, 3)`` uint8 RGB of poses ``(N, P)`` as frames ``start, start + 1, ...``
        (the frame index sets the lighting, the noise and where the passers-by are), with the
        ground truth: the dancer's visible pixels ``(N, H, W)`` (a passer-by in front hides them)
        and the passers-by's ``(N, H, W)`` (all False without walkers). No pixel is in both."""
        poses = np.atleast_2d(_check_poses(poses))
        start = _check_index(start)
        n, h, w = len(poses), self.settings.height, self.settings.width
        frames = np.empty((n, h, w, 3), np.uint8)
        masks = np.empty((n, h, w), bool)
        others = np.zeros((n, h, w), bool)
        batch = 256
        with tqdm(total=n, desc="rendering the stage", unit="frame", disable=not progress) as bar:
            for first in range(0, n, batch):
                figure, polygons, boxes = self._figures(poses[first : first + batch])
                crowds = self._walker_sprites(start + first, start + first + len(boxes))
                for k in range(len(boxes)):
                    rgba = self._draw(polygons[k], figure.order[k], boxes[k])
                    dancer = _Sprite(rgba, boxes[k], figure.casters[k], self._shadow, self.floor_y, True)
                    i = first + k
                    frames[i], masks[i], other = self._compose(start + i, _in_depth_order(dancer, crowds[k]))
                    if other is not None:
                        others[i] = other
                bar.update(len(boxes))
        return frames, masks, others

    def render_sequence(self, poses, start: int = 0, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Frames ``(N, H, W, 3)`` uint8 RGB and masks ``(N, H, W)`` of poses ``(N, P)`` as frames
        ``start, start + 1, ...`` (the frame index sets the lighting and the noise): the dancer's
        visible pixels, as :meth:`render_scene` gives them."""
        frames, masks, _ = self.render_scene(poses, start, progress)
        return frames, masks

    def render(self, pose, frame_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """One frame: the camera's image ``(H, W, 3)`` uint8 RGB and the true mask ``(H, W)`` bool."""
        frames, masks = self.render_sequence(_check_pose(pose)[None], start=frame_index)
        return frames[0], masks[0]

    def layers(self, pose, frame_index: int = 0) -> dict[str, np.ndarray]:
        """The steps of making one frame, for a figure: ``backdrop`` (the unlit stage), ``lit``
        (spotlight and this frame's gain), ``shadow`` (plus the floor shadows: the empty stage as
        filmed), ``dancer`` (the lit dancer on black), ``alpha`` (its coverage, float),
        ``composite`` (dancer, and passers-by if any, on stage), ``noisy`` (the final frame: plus
        sensor noise, then the JPEG round trip if set), ``mask`` and, with walkers, ``others``."""
        figure, polygons, boxes = self._figures(_check_pose(pose)[None])
        frame_index = _check_index(frame_index)
        layers = {"backdrop": self.background.copy()}
        rgba = self._draw(polygons[0], figure.order[0], boxes[0])
        dancer = _Sprite(rgba, boxes[0], figure.casters[0], self._shadow, self.floor_y, True)
        crowd = self._walker_sprites(frame_index, frame_index + 1)[0]
        self._compose(frame_index, _in_depth_order(dancer, crowd), layers)
        return layers


def _shadow_band(h: int, floor_y: float, nearness: float) -> tuple[slice, np.ndarray]:
    """The rows of a figure's floor shadow and its profile down them. The shadow falls a little
    behind the feet (up the image), the light being in front, and shrinks with the figure's
    distance (``nearness``: 1 on FLOOR_LINE, see :func:`.scenery._nearness`); it stays on the floor."""
    sigma, center = max(0.04 * h * nearness, 0.6), floor_y - 0.045 * h * nearness
    low = max(int(center - 2.5 * sigma), int(HORIZON * h), 0)
    rows = np.arange(low, min(int(center + 2.5 * sigma) + 1, h))
    return slice(low, low + len(rows)), np.exp(-(((rows + 0.5 - center) / sigma) ** 2)).astype(np.float32)


def _cast_shadow(frame: np.ndarray, sprite: _Sprite, x: np.ndarray, strength: float) -> None:
    """Darken the floor under a figure, in place: its soft blobs across the band of its shadow."""
    casters = sprite.casters
    blobs = casters[:, 2, None] * np.exp(-(((x - casters[:, 0, None]) / casters[:, 1, None]) ** 2))
    across = 1 - np.prod(1 - blobs, axis=0)
    rows, profile = sprite.shadow
    darkening = 1 - strength * profile[:, None] * across.astype(np.float32)
    frame[rows] *= darkening[..., None]


def _in_depth_order(dancer: _Sprite, walkers: list[_Sprite]) -> list[_Sprite]:
    """The figures of a frame from far to near (feet higher in the frame are farther away); a
    passer-by at the dancer's very depth passes in front."""
    if not walkers:
        return [dancer]
    return sorted([dancer, *walkers], key=lambda sprite: sprite.floor_y)


def _truth(sprites: list[_Sprite], h: int, w: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The dancer's visible pixels, and the passers-by's (None when only the dancer is in view).

    A pixel is a figure's where the camera sees at least half of it covered by that figure after
    nearer ones took their share (the dancer's on a tie); a half-covered pixel may round to 127.
    """
    mask = np.zeros((h, w), bool)
    if len(sprites) == 1:
        x0, y0, x1, y1 = sprites[0].box
        mask[y0:y1, x0:x1] = sprites[0].rgba[..., 3] >= 127  # alpha >= 0.5
        return mask, None
    crowd = np.zeros((h, w), np.float32)
    for sprite, seen in zip(sprites, _visible(sprites)):
        x0, y0, x1, y1 = sprite.box
        if sprite.dancer:
            mask[y0:y1, x0:x1] = seen >= 127
        else:
            crowd[y0:y1, x0:x1] += seen
    return mask, (crowd >= 127) & ~mask


def _visible(sprites: list[_Sprite]) -> list[np.ndarray]:
    """How much of each pixel of each figure's box (figures far to near) the camera sees covered by
    that figure, 0 to 255: its own coverage, less what the figures in front of it cover."""
    seen = [sprite.rgba[..., 3].astype(np.float32) for sprite in sprites]
    for i, far in enumerate(sprites):
        for near in sprites[i + 1 :]:
            x0, y0 = np.maximum(far.box[:2], near.box[:2])
            x1, y1 = np.minimum(far.box[2:], near.box[2:])
            if x0 < x1 and y0 < y1:
                cover = near.rgba[_within(near.box, x0, y0, x1, y1)][..., 3]
                seen[i][_within(far.box, x0, y0, x1, y1)] *= 1 - cover * np.float32(1 / 255)
    return seen


def _within(box: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> tuple[slice, slice]:
    """The rows and columns of the frame's region ``x0 .. x1, y0 .. y1`` in a figure's ``box``."""
    return slice(y0 - box[1], y1 - box[1]), slice(x0 - box[0], x1 - box[0])


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
