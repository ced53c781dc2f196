"""The dancer's body: proportions and outfit drawn from a seed, and the 3-D skeleton a pose puts them in.

Forward kinematics lives here, next to the proportions it reads; drawing the parts around the
bones is :mod:`.figure`'s job.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

import numpy as np

from ._checks import _TAG_BODY, _TAG_OUTFIT, _check_seed
from .pose import _INDEX, _TURN, POSE_FIELDS


@dataclass(frozen=True)
class Body:
    """Body proportions. Lengths are in raw body units (the standing figure is about 0.97 tall);
    rendering rescales to exactly 1 body height, so only the proportions matter -- apart from
    ``height``, the standing height as a fraction of the frame height."""

    height: float = 0.82
    head: float = 0.066  # half the head's height
    neck: float = 0.032
    torso: float = 0.29  # neck base to the line through the hip joints
    shoulder: float = 0.098  # half the distance between the shoulder joints
    hip: float = 0.056  # half the distance between the hip joints
    upper_arm: float = 0.165
    forearm: float = 0.145
    hand: float = 0.055
    thigh: float = 0.245
    shin: float = 0.235
    foot: float = 0.085
    thickness: float = 1.0  # scales every limb's radius

    @classmethod
    def from_seed(cls, seed: int) -> Body:
        """A body with proportions drawn from plausible ranges around the typical one."""
        rng = np.random.default_rng([_TAG_BODY, _check_seed(seed)])
        typical = cls()

        def vary(name: str, relative: float) -> float:
            return round(getattr(typical, name) * rng.uniform(1 - relative, 1 + relative), 4)

        arms, legs = rng.uniform(0.95, 1.05), rng.uniform(0.95, 1.05)
        return cls(
            height=round(rng.uniform(0.80, 0.84), 4),
            head=vary("head", 0.07),
            neck=vary("neck", 0.15),
            torso=vary("torso", 0.06),
            shoulder=vary("shoulder", 0.1),
            hip=vary("hip", 0.12),
            upper_arm=round(typical.upper_arm * arms, 4),
            forearm=round(typical.forearm * arms, 4),
            hand=vary("hand", 0.08),
            thigh=round(typical.thigh * legs, 4),
            shin=round(typical.shin * legs, 4),
            foot=vary("foot", 0.08),
            thickness=round(rng.uniform(0.85, 1.2), 4),
        )

    def radii(self) -> dict[str, tuple[float, float]]:
        """Radius of each limb at its two ends (raw body units)."""
        k = self.thickness
        base = {
            "upper_arm": (0.036, 0.028),
            "forearm": (0.027, 0.021),
            "hand": (0.021, 0.025),
            "thigh": (0.05, 0.036),
            "shin": (0.035, 0.026),
            "foot": (0.026, 0.021),
            "neck": (0.027, 0.027),
        }
        return {name: (a * k, b * k) for name, (a, b) in base.items()}


RGB = tuple[int, int, int]


def _hsv(hue_degrees: float, saturation: float, value: float) -> RGB:
    return tuple(int(round(255 * c)) for c in colorsys.hsv_to_rgb(hue_degrees / 360 % 1, saturation, value))


_SKIN = ((241, 206, 182), (226, 182, 150), (205, 152, 115), (176, 122, 88), (141, 94, 66), (105, 70, 52))
_HAIR = ((46, 34, 28), (88, 58, 38), (140, 84, 46), (205, 170, 110), (160, 155, 150))


@dataclass(frozen=True)
class Outfit:
    """The dancer's colors (RGB) and cut of clothes."""

    skin: RGB
    hair: RGB
    shirt: RGB
    trousers: RGB
    shoes: RGB
    long_sleeves: bool
    shorts: bool

    @classmethod
    def from_seed(cls, seed: int) -> Outfit:
        """A plausible outfit: any skin tone, bright shirt, trousers and shoes of everyday colors.

        Nothing is near black (the darkest shaded tone stays above gray level 20), so the dancer
        is never a dark silhouette.
        """
        rng = np.random.default_rng([_TAG_OUTFIT, _check_seed(seed)])
        t = rng.uniform(0, len(_SKIN) - 1)
        i = min(int(t), len(_SKIN) - 2)
        skin = tuple(int(round(a + (t - i) * (b - a))) for a, b in zip(_SKIN[i], _SKIN[i + 1]))
        hair = _HAIR[rng.integers(len(_HAIR))]
        if rng.random() < 0.15:
            shirt = _hsv(0, 0.03, 0.85)
        else:
            shirt = _hsv(rng.uniform(0, 360), rng.uniform(0.45, 0.85), rng.uniform(0.7, 0.88))
        trousers = [
            _hsv(rng.uniform(210, 228), rng.uniform(0.45, 0.65), rng.uniform(0.5, 0.65)),  # denim
            _hsv(rng.uniform(35, 48), rng.uniform(0.25, 0.4), rng.uniform(0.62, 0.75)),  # khaki
            _hsv(rng.uniform(0, 360), 0.04, rng.uniform(0.7, 0.8)),  # light gray
            _hsv(rng.uniform(0, 360), rng.uniform(0.5, 0.8), rng.uniform(0.5, 0.8)),
        ][rng.integers(4)]
        shoes = [
            _hsv(0, 0.02, 0.9),
            _hsv(rng.uniform(0, 360), 0.05, 0.72),
            _hsv(rng.uniform(0, 360), rng.uniform(0.6, 0.8), rng.uniform(0.65, 0.85)),
        ][rng.integers(3)]
        return cls(
            skin,
            tuple(hair),
            shirt,
            trousers,
            shoes,
            long_sleeves=bool(rng.random() < 0.4),
            shorts=bool(rng.random() < 0.2),
        )

    def part_colors(self) -> dict[str, RGB]:
        """The color of every drawn part of the figure."""
        arms = self.shirt if self.long_sleeves else self.skin
        legs = self.skin if self.shorts else self.trousers
        colors = {
            "pelvis": self.trousers,
            "torso": self.shirt,
            "neck": self.skin,
            "head": self.skin,
            "hair": self.hair,
        }
        for side in "lr":
            colors.update(
                {
                    f"{side}_upper_arm": self.shirt,
                    f"{side}_forearm": arms,
                    f"{side}_hand": self.skin,
                    f"{side}_thigh": self.trousers,
                    f"{side}_shin": legs,
                    f"{side}_foot": self.shoes,
                }
            )
        return colors


_SIDES = (("l", 1.0), ("r", -1.0))  # the dancer's left is at +x while facing the camera
_TURNOUT = 0.3  # feet point slightly outward

#: pairs of joints to connect for a stick figure (keys of ``Stage.joints``)
BONES = (
    ("pelvis", "neck"),
    ("neck", "head"),
    ("l_shoulder", "r_shoulder"),
    ("l_hip", "r_hip"),
    *(
        (f"{s}_{a}", f"{s}_{b}")
        for s in "lr"
        for a, b in (
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("wrist", "hand"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("heel", "toe"),
        )
    ),
)


def _rotate(v: np.ndarray, angle, i: int, j: int) -> np.ndarray:
    """Vectors ``(..., 3)`` rotated by ``angle`` in the plane of their components ``i`` and ``j``."""
    angle = np.asarray(angle, dtype=float)
    out = np.array(np.broadcast_to(v, np.broadcast_shapes(np.shape(v), angle.shape + (3,))), dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    vi, vj = out[..., i].copy(), out[..., j]
    out[..., i] = vi * c - vj * s
    out[..., j] = vi * s + vj * c
    return out


def _limb_direction(abduction, flexion, side: float) -> np.ndarray:
    """Unit vectors of a limb: 0, 0 hangs straight down; abduction swings it out, flexion forward."""
    abduction, flexion = np.broadcast_arrays(np.asarray(abduction, float), np.asarray(flexion, float))
    cos_a = np.cos(abduction)
    return np.stack([side * np.sin(abduction), cos_a * np.cos(flexion), cos_a * np.sin(flexion)], axis=-1)


def _skeleton_3d(pose: np.ndarray, body: Body) -> dict[str, np.ndarray]:
    """3-D joints ``(..., 3)`` in raw body units, pelvis at the origin, before the turn and the floor."""
    f = {name: pose[..., i] for name, i in _INDEX.items()}

    def upper(v):  # the upper body bends forward, then leans sideways, as one piece
        return _rotate(_rotate(v, f["bend"], 2, 1), f["lean"], 0, 1)

    neck = upper(np.array([0.0, -body.torso, 0.0]))
    head_up = upper(_rotate(np.array([0.0, -1.0, 0.0]), f["head_tilt"], 0, 1))
    joints = {
        "pelvis": np.zeros_like(neck),
        "neck": neck,
        "head": neck + (body.neck + 0.85 * body.head) * head_up,
    }
    joints["crown"] = joints["head"] + body.head * head_up
    for s, side in _SIDES:
        shoulder = upper(np.array([side * body.shoulder, -0.9 * body.torso, 0.0]))
        arm = upper(_limb_direction(f[f"{s}_shoulder_abd"], f[f"{s}_shoulder_flex"], side))
        elbow = shoulder + body.upper_arm * arm
        forearm = upper(
            _limb_direction(
                f[f"{s}_shoulder_abd"] + f[f"{s}_elbow_abd"],
                f[f"{s}_shoulder_flex"] + f[f"{s}_elbow_flex"],
                side,
            )
        )
        wrist = elbow + body.forearm * forearm
        hip = np.zeros_like(neck)
        hip[..., 0] = side * body.hip
        shin_flexion = f[f"{s}_hip_flex"] - f[f"{s}_knee"]
        knee = hip + body.thigh * _limb_direction(f[f"{s}_hip_abd"], f[f"{s}_hip_flex"], side)
        shin = _limb_direction(f[f"{s}_hip_abd"], shin_flexion, side)
        ankle = knee + body.shin * shin
        foot = _limb_direction(_TURNOUT, shin_flexion + math.pi / 2, side)
        joints.update(
            {
                f"{s}_shoulder": shoulder,
                f"{s}_elbow": elbow,
                f"{s}_wrist": wrist,
                f"{s}_hand": wrist + body.hand * forearm,
                f"{s}_hip": hip,
                f"{s}_knee": knee,
                f"{s}_ankle": ankle,
                f"{s}_heel": ankle + 0.022 * shin - 0.02 * foot,
                f"{s}_toe": ankle + 0.03 * shin + body.foot * foot,
            }
        )
    return joints


def _standing_height(body: Body) -> float:
    """Floor to crown of the body standing straight, in raw body units."""
    joints = _skeleton_3d(np.zeros(len(POSE_FIELDS)), body)
    heel_r, toe_r = body.radii()["foot"]
    floor = max(joints["l_heel"][1] + heel_r, joints["l_toe"][1] + toe_r)
    return float(floor - joints["crown"][1])


def _joints_3d(pose: np.ndarray, body: Body) -> dict[str, np.ndarray]:
    """3-D joints ``(..., 3)`` in body heights: turned, feet on the floor (y = 0), moved by root_x."""
    joints = _skeleton_3d(pose, body)
    turn = pose[..., _TURN]
    joints = {name: _rotate(p, turn, 2, 0) for name, p in joints.items()}
    heel_r, toe_r = body.radii()["foot"]
    lowest = np.max(
        [joints[f"{s}_heel"][..., 1] + heel_r for s in "lr"]
        + [joints[f"{s}_toe"][..., 1] + toe_r for s in "lr"],
        axis=0,
    )
    unit = 1.0 / _standing_height(body)
    shift = np.stack(
        [pose[..., _INDEX["root_x"]], -lowest * unit - pose[..., _INDEX["bounce"]], np.zeros_like(lowest)],
        axis=-1,
    )
    return {name: p * unit + shift for name, p in joints.items()}
