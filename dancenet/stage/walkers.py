"""Passers-by: people who walk across the stage while the dancer dances, to make framing hard.

Each walker is a person of their own, body and outfit drawn from a seed derived from the stage's.
They cross the frame from one side to the other at a steady pace, walk off, and after a pause
come back the other way along another line across the floor: nearer the camera than the dancer
(larger, feet lower in the frame) or farther (smaller, feet nearer the horizon), as the stage's
perspective has it (:func:`.scenery.floor_for_height`). So over a minute there is usually someone
besides the dancer in view, and now and then someone passes in front of the dancer or behind.

The stage's clock counts frames; walkers keep their pace at :data:`FPS` frames a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._checks import _TAG_WALKER
from .body import Body, Outfit, _joints_3d
from .figure import _fills
from .moves import _bump, _pose
from .pose import _INDEX, TAU
from .scenery import floor_for_height

#: the frame rate at which walkers keep their pace
FPS = 30.0
#: how fast walkers walk, in their own body heights per second (people walk about 0.8 of theirs)
PACE = (0.55, 0.85)
#: standing heights of walkers, as fractions of the frame height: from far back to near the camera
HEIGHTS = (0.08, 0.95)
_DEPTH_GAP = 1.15  # a walker is at least this much larger or smaller than the dancer
_PAUSE = (0.5, 4.0)  # seconds off stage between crossings
_SWING = 0.35  # how far each thigh swings forward and back, radians
_FACING = 1.3  # a walker's turn heading right: in profile, a little toward the camera
_MARGIN = 0.36  # body heights beyond the frame's edge where a crossing starts (the limbs reach 0.3)


def walk_pose(phase, direction: int = 1) -> np.ndarray:
    """Poses ``(T, P)`` of a walk cycle at phases ``(T,)`` (0 to 1 over two steps), heading to the
    screen's right (``direction`` 1) or left (-1).

    The left heel strikes at phase 0.25, the right at 0.75. The thighs swing by :data:`_SWING`
    about a slightly forward line; each knee bends a little as its foot takes the weight and most
    as it swings through; the arms swing against the legs.
    """
    p = np.atleast_1d(np.asarray(phase, dtype=float)) % 1.0
    swing = np.sin(TAU * p)
    knee_l = 0.06 + 0.2 * _bump(p, 0.37, 12) + 1.2 * _bump(p, 0.97, 3)
    knee_r = 0.06 + 0.2 * _bump(p, 0.87, 12) + 1.2 * _bump(p, 0.47, 3)
    return _pose(
        p,
        turn=direction * _FACING,
        bend=0.05,
        l_hip_flex=0.1 + _SWING * swing,
        r_hip_flex=0.1 - _SWING * swing,
        l_knee=knee_l,
        r_knee=knee_r,
        hip_abd=0.03,
        l_shoulder_flex=-0.35 * swing,
        r_shoulder_flex=0.35 * swing,
        shoulder_abd=0.1,
        l_elbow_flex=0.3 + 0.2 * np.maximum(-swing, 0),
        r_elbow_flex=0.3 + 0.2 * np.maximum(swing, 0),
    )


def _stride(body: Body) -> float:
    """How far a walk cycle (two steps) carries ``body``, in body heights: as far as the foot on
    the floor (the lower one) moves back under the pelvis, so that on average it stays put."""
    p = np.arange(64) / 64
    joints = _joints_3d(walk_pose(p), body)
    low = np.stack([np.maximum(joints[f"{s}_heel"][:, 1], joints[f"{s}_toe"][:, 1]) for s in "lr"])
    x = np.stack([joints[f"{s}_heel"][:, 0] + joints[f"{s}_toe"][:, 0] for s in "lr"]) / 2
    planted = np.argmax(low, axis=0)  # y is down
    step = (np.roll(x, -1, axis=1) - x)[planted, np.arange(len(p))]
    stays = planted == np.roll(planted, -1)
    return float(-step[stays].mean() * len(p))


@dataclass(frozen=True)
class Crossing:
    """One walk across the frame: just off one side at frame ``start``, just off the other at ``end``."""

    walker: int
    start: float  # frames (fractional; may be before the clip's first frame)
    end: float
    direction: int  # 1: from the left edge to the right, -1: the other way
    height: float  # standing height, fraction of the frame height
    scale: float  # pixels per body height
    floor_y: float  # the feet's row, pixels
    entry_x: float  # where the pelvis is at ``start``, pixels
    speed: float  # pixels per frame
    phase: float  # the walk cycle's phase at ``start``
    stride: float  # pixels per walk cycle

    def frames(self, first: int, stop: int) -> np.ndarray:
        """The frames of ``first .. stop - 1`` on which the walker is on stage."""
        low, high = max(first, math.floor(self.start) + 1), min(stop, math.ceil(self.end))
        return np.arange(low, max(high, low))

    def poses(self, frames: np.ndarray) -> np.ndarray:
        """The walker's poses at ``frames``, their ``root_x`` in body heights from the frame's left edge."""
        travelled = self.speed * (np.asarray(frames, dtype=float) - self.start)
        poses = walk_pose(self.phase + travelled / self.stride, self.direction)
        poses[:, _INDEX["root_x"]] = (self.entry_x + self.direction * travelled) / self.scale
        return poses


class Walker:
    """A passer-by: their body, outfit and crossings, planned as far ahead as asked.

    Walker ``index`` of the stage with seed ``stage_seed``, in frames of ``frame`` = (height,
    width); ``dancer_height`` is the dancer's height in the stage's perspective (where the
    dancer stands), which each crossing passes in front of or behind.
    """

    def __init__(self, stage_seed: int, index: int, frame: tuple[int, int], dancer_height: float):
        self.index = index
        self._rng = np.random.default_rng([_TAG_WALKER, stage_seed, index])
        person = int(self._rng.integers(2**62))
        self.body, self.outfit = Body.from_seed(person), Outfit.from_seed(person)
        self._frame, self._dancer = frame, dancer_height
        self._stride = _stride(self.body)
        self._crossings: list[Crossing] = []
        self._direction = 1 if self._rng.random() < 0.5 else -1

    @cached_property
    def colors(self) -> list[tuple[float, float, float, float]]:
        """The fills the stage draws this walker's parts with (see :func:`.figure._fills`)."""
        return _fills(self.outfit)

    def crossings(self, first: int, stop: int) -> list[Crossing]:
        """The crossings under way during frames ``first .. stop - 1``."""
        while not self._crossings or self._crossings[-1].end < stop:
            self._crossings.append(self._next())
        return [c for c in self._crossings if c.end > first and c.start < stop]

    def _next(self) -> Crossing:
        """The next crossing: back the other way after a pause, on another line across the floor.
        The first is under way or about to begin at frame 0."""
        rng = self._rng
        h, w = self._frame
        height = self._depth()
        scale = height * h
        speed = rng.uniform(*PACE) / FPS * scale
        margin = _MARGIN * scale + 1.0  # and a pixel
        duration = (w + 2 * margin) / speed
        if self._crossings:
            start = self._crossings[-1].end + rng.uniform(*_PAUSE) * FPS
        else:
            start = rng.uniform(-duration, 3 * FPS)
        self._direction = -self._direction
        entry = -margin if self._direction > 0 else w + margin
        return Crossing(
            walker=self.index,
            start=float(start),
            end=float(start + duration),
            direction=self._direction,
            height=height,
            scale=scale,
            floor_y=floor_for_height(height) * h,
            entry_x=entry,
            speed=speed,
            phase=float(rng.uniform(0, 1)),
            stride=self._stride * scale,
        )

    def _depth(self) -> float:
        """A standing height for the next crossing: nearer or farther than the dancer at random
        (log-uniform over what :data:`HEIGHTS` allows on that side), never at the dancer's depth."""
        rng = self._rng
        low, high = HEIGHTS
        sides = [(low, self._dancer / _DEPTH_GAP), (self._dancer * _DEPTH_GAP, high)]
        sides = [(a, b) for a, b in sides if a < b]
        a, b = sides[int(rng.integers(len(sides)))]
        return float(math.exp(rng.uniform(math.log(a), math.log(b))))
