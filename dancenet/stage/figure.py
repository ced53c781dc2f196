"""Drawing the figure: the dancer's parts as shaded convex polygons, in depth order, with floor shadows.

For one body at one frame size, a batch of poses becomes polygons in output pixels; the
:class:`~.camera.Stage` fills them on its canvas and composites the result onto the stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .body import RGB, Body, Outfit, _joints_3d, _standing_height
from .pose import _TURN, TAU

#: cylindrical shading: each part is drawn in a darker tone, then a lighter stripe toward the light
SHADE, HIGHLIGHT = 0.76, 1.08


def _tones(color: RGB) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(color, dtype=float)
    return c * SHADE, np.minimum(c * HIGHLIGHT, 255.0)


def _fills(outfit: Outfit) -> list[tuple[float, float, float, float]]:
    """The canvas fills of a figure in ``outfit``: per part in drawing-table order, its shade, then
    its highlight, as opaque RGBA."""
    colors = outfit.part_colors()
    return [tuple(float(v) for v in tone) + (255.0,) for name in _PARTS for tone in _tones(colors[name])]


_PARTS = (
    "pelvis",
    "torso",
    "neck",
    "head",
    "hair",
    "l_upper_arm",
    "l_forearm",
    "l_hand",
    "r_upper_arm",
    "r_forearm",
    "r_hand",
    "l_thigh",
    "l_shin",
    "l_foot",
    "r_thigh",
    "r_shin",
    "r_foot",
)
_LIMBS = (
    "neck",
    *(f"{s}_{limb}" for s in "lr" for limb in ("upper_arm", "forearm", "hand", "thigh", "shin", "foot")),
)
_LIMB_ENDS = {
    "neck": ("neck", "head"),
    "upper_arm": ("shoulder", "elbow"),
    "forearm": ("elbow", "wrist"),
    "hand": ("wrist", "hand"),
    "thigh": ("hip", "knee"),
    "shin": ("knee", "ankle"),
    "foot": ("heel", "toe"),
}
#: added to each part's depth so that ties draw in a sensible order (body heights)
_DEPTH_BIAS = {
    "pelvis": -0.004,
    "torso": 0.0,
    "neck": 0.001,
    "head": 0.002,
    "hair": 0.003,
    "upper_arm": 0.004,
    "forearm": 0.005,
    "hand": 0.006,
    "thigh": 0.004,
    "shin": 0.005,
    "foot": 0.006,
}
_VERTICES = 16  # every part is a convex polygon of this many vertices
_ARC = _VERTICES // 2 - 1  # segments in each rounded end of a limb
_SHIFT = 4  # fixed-point bits for subpixel drawing
LIGHT = np.array([-0.55, -0.83])  # the key light, in the image: from the upper left


def _limb_outline(p0, p1, r0, r1) -> np.ndarray:
    """Vertices ``(..., 16, 2)`` of the convex hull of two discs: a tapered limb with round ends."""
    r0, r1 = np.broadcast_to(r0, p0.shape[:-1]), np.broadcast_to(r1, p0.shape[:-1])
    inside = np.hypot(*np.moveaxis(p1 - p0, -1, 0)) <= np.abs(r0 - r1)  # one disc within the other
    keep0, keep1 = inside & (r0 >= r1), inside & (r1 > r0)
    p0, r0 = np.where(keep1[..., None], p1, p0), np.where(keep1, r1, r0)
    p1, r1 = np.where(keep0[..., None], p0, p1), np.where(keep0, r0, r1)
    d = p1 - p0
    length = np.hypot(d[..., 0], d[..., 1])
    heading = np.arctan2(d[..., 1], d[..., 0])[..., None]
    # the outer tangents touch both discs at heading +- half
    half = np.arccos(np.clip((r0 - r1) / np.maximum(length, 1e-9), -1.0, 1.0))[..., None]
    t = np.linspace(-1.0, 1.0, _ARC + 1)
    front = heading + half * t
    back = heading + math.pi + (math.pi - half) * t
    return np.concatenate(
        [
            p1[..., None, :] + r1[..., None, None] * _unit(front),
            p0[..., None, :] + r0[..., None, None] * _unit(back),
        ],
        axis=-2,
    )


def _unit(angle: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def _limb_highlight(p0, p1, r0, r1) -> np.ndarray:
    """The lit stripe of a limb: half as wide, moved across the limb toward the light."""
    d = p1 - p0
    along = d / np.maximum(np.hypot(d[..., 0], d[..., 1]), 1e-9)[..., None]
    across = LIGHT - np.sum(LIGHT * along, axis=-1, keepdims=True) * along
    return _limb_outline(
        p0 + 0.38 * r0[..., None] * across, p1 + 0.38 * r1[..., None] * across, 0.5 * r0, 0.5 * r1
    )


def _polygon_highlight(vertices: np.ndarray) -> np.ndarray:
    """The lit patch of a convex part: the outline shrunk about its center and moved toward the light."""
    center = vertices.mean(axis=-2, keepdims=True)
    radius = np.hypot(*np.moveaxis(vertices - center, -1, 0)).mean(axis=-1)[..., None, None]
    return center + 0.6 * (vertices - center) + 0.3 * radius * LIGHT


def _ellipse(center, up, along: float, across) -> np.ndarray:
    """Vertices ``(..., 16, 2)`` of ellipses: semi-axes ``along`` the unit vector ``up`` and ``across`` it."""
    t = np.linspace(0, TAU, _VERTICES, endpoint=False)
    right = np.stack([-up[..., 1], up[..., 0]], axis=-1)
    return (
        center[..., None, :]
        + np.asarray(along)[..., None, None] * np.cos(t)[:, None] * up[..., None, :]
        + np.asarray(across)[..., None, None] * np.sin(t)[:, None] * right[..., None, :]
    )


def _template(origin, up, right, outline: np.ndarray) -> np.ndarray:
    """Vertices ``(..., K, 2)`` of an outline given as (along ``up``, along ``right``) coordinates."""
    return (
        origin[..., None, :]
        + outline[:, 0, None] * up[..., None, :]
        + outline[:, 1, None] * right[..., None, :]
    )


def _inset(vertices: np.ndarray, distance: float) -> np.ndarray:
    """Convex outlines ``(..., K, 2)`` with every edge moved inward by ``distance``."""
    edges = np.roll(vertices, -1, axis=-2) - vertices
    normals = np.stack([edges[..., 1], -edges[..., 0]], axis=-1)
    normals /= np.maximum(np.hypot(normals[..., 0], normals[..., 1]), 1e-9)[..., None]
    inward = np.sum(normals * (vertices.mean(axis=-2, keepdims=True) - vertices), axis=-1, keepdims=True)
    normals *= np.where(inward < 0, -1.0, 1.0)
    before = np.roll(normals, 1, axis=-2)  # the normal of the edge arriving at each vertex
    bisector = (before + normals) / np.maximum(1 + np.sum(before * normals, axis=-1, keepdims=True), 1e-3)
    return vertices + distance * bisector


def _pad(vertices: np.ndarray) -> np.ndarray:
    """Outlines padded to 16 vertices by repeating the last one (a zero-length edge)."""
    missing = _VERTICES - vertices.shape[-2]
    return np.concatenate([vertices, np.repeat(vertices[..., -1:, :], missing, axis=-2)], axis=-2)


def _torso_outlines(body: Body) -> tuple[np.ndarray, np.ndarray]:
    """The shirt and the trunk of the trousers as convex outlines, one side mirrored.

    Coordinates are (fraction of the spine from hips to neck, half-width in raw body units).
    """
    radii = body.radii()
    shoulders = body.shoulder + 0.75 * radii["upper_arm"][0]
    hips = body.hip + 0.8 * radii["thigh"][0]
    waist = 0.9 * hips
    shirt = [
        (1.03, 0.45 * shoulders),
        (0.99, 0.8 * shoulders),
        (0.93, 0.97 * shoulders),
        (0.84, shoulders),
        (0.55, 0.93 * shoulders),
        (0.2, waist),
    ]
    trunk = [(0.26, 0.98 * waist), (0.08, hips), (-0.04, 0.97 * hips), (-0.14, 0.45 * hips)]

    def both_sides(half):
        half = np.array(half)
        return np.concatenate([half, half[::-1] * [1, -1]])

    return both_sides(shirt), both_sides(trunk)


@dataclass(frozen=True)
class _Figure:
    """Everything needed to draw a batch of frames, computed at once for the whole batch."""

    outlines: np.ndarray  # (n, parts, 2, 16, 2) base and highlight polygons, output pixels
    order: np.ndarray  # (n, parts) drawing order, far to near
    casters: np.ndarray  # (n, 3, 3) soft floor shadows: x center, half width, strength


class _FigureDrawer:
    """Turns poses into the polygons of a particular dancer at a particular frame size."""

    def __init__(
        self, body: Body, scale: float, center_x: float, floor_y: float, inset: float, shadow_pad: float = 3.0
    ):
        self.body, self.scale, self.center_x, self.floor_y = body, scale, center_x, floor_y
        self.shadow_pad = shadow_pad  # pixels added to the half width of the body's shadow
        # OpenCV fills every pixel an edge touches, about half a canvas pixel beyond the outline
        self.inset = inset
        unit = scale / _standing_height(body)  # pixels per raw body unit
        radii = body.radii()
        self.limb_radii = np.array([radii[name.split("_", 1)[-1]] for name in _LIMBS]) * unit
        self.shirt, self.trunk = _torso_outlines(body)
        self.shirt[:, 1] *= unit
        self.trunk[:, 1] *= unit
        self.head_size = (body.head * unit, 0.8 * body.head * unit)
        self.torso_px = body.torso * unit
        self.hip_px = body.hip * unit

    def pixels(self, joints: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Projected joint positions in output pixels (continuous: pixel j spans [j, j + 1))."""
        return {
            name: np.stack(
                [self.center_x + p[..., 0] * self.scale, self.floor_y + p[..., 1] * self.scale], axis=-1
            )
            for name, p in joints.items()
        }

    def figure(self, poses: np.ndarray) -> _Figure:
        """The outlines, drawing order and floor shadows of poses ``(n, P)``, all frames at once."""
        joints = _joints_3d(poses, self.body)
        px = self.pixels(joints)
        turn = poses[:, _TURN]
        n = len(poses)
        shapes, depth = {}, {}

        starts = np.stack([px[_limb_joint(name, 0)] for name in _LIMBS], axis=1)
        ends = np.stack([px[_limb_joint(name, 1)] for name in _LIMBS], axis=1)
        radii = np.broadcast_to(self.limb_radii, starts.shape[:-1] + (2,))
        r0, r1 = radii[..., 0], radii[..., 1]
        base = _limb_outline(starts, ends, r0 - self.inset, r1 - self.inset)
        lit = _limb_highlight(starts, ends, r0, r1)
        for k, name in enumerate(_LIMBS):
            shapes[name] = (base[:, k], lit[:, k])
            z = 0.5 * (joints[_limb_joint(name, 0)][:, 2] + joints[_limb_joint(name, 1)][:, 2])
            depth[name] = z + _DEPTH_BIAS[name.split("_", 1)[-1]]

        # the trunk: outlines along the projected spine, as wide as the body seen from this angle
        spine = px["neck"] - px["pelvis"]
        length = np.maximum(np.hypot(spine[:, 0], spine[:, 1]), 1e-9)[:, None]
        right = np.stack([-spine[:, 1], spine[:, 0]], axis=-1) / length
        for name, outline, up, side, depth_ratio in (
            ("torso", self.shirt, spine, right, 0.6),
            (
                "pelvis",
                self.trunk,
                np.broadcast_to([0.0, -self.torso_px], (n, 2)),
                np.broadcast_to([1.0, 0.0], (n, 2)),
                0.7,
            ),
        ):
            width = np.hypot(np.cos(turn), depth_ratio * np.sin(turn))[:, None]
            vertices = _pad(_inset(_template(px["pelvis"], up, side * width, outline), self.inset))
            shapes[name] = (vertices, _polygon_highlight(vertices))
        depth["torso"] = 0.5 * joints["neck"][:, 2] + _DEPTH_BIAS["torso"]
        depth["pelvis"] = np.full(n, _DEPTH_BIAS["pelvis"])

        # the head: an ellipse along the neck-to-crown line, deeper than wide; hair over the back
        up = px["crown"] - px["head"]
        up = up / np.maximum(np.hypot(up[:, 0], up[:, 1]), 1e-9)[:, None]
        tall, wide = self.head_size
        across_head = wide * np.hypot(np.cos(turn), 1.2 * np.sin(turn))
        head = _ellipse(px["head"], up, tall - self.inset, across_head - self.inset)
        back = 0.5 - 0.5 * np.cos(turn)  # 0 facing the camera, 1 facing away
        right = np.stack([-up[:, 1], up[:, 0]], axis=-1)
        hair_center = (
            px["head"]
            + (0.42 * (1 - back) * tall)[:, None] * up
            - (0.3 * np.sin(turn) * across_head)[:, None] * right
        )
        hair = _ellipse(
            hair_center, up, (0.64 + 0.4 * back) * tall - self.inset, 1.06 * across_head - self.inset
        )
        shapes["head"] = (head, _polygon_highlight(head))
        shapes["hair"] = (hair, _polygon_highlight(hair))
        depth["head"] = joints["head"][:, 2] + _DEPTH_BIAS["head"]
        depth["hair"] = joints["head"][:, 2] + _DEPTH_BIAS["hair"]

        outlines = np.stack([np.stack(shapes[name], axis=1) for name in _PARTS], axis=1)
        order = np.argsort(np.stack([depth[name] for name in _PARTS], axis=1), axis=1, kind="stable")
        return _Figure(outlines, order, self._shadow_casters(joints, px))

    def _shadow_casters(self, joints, px) -> np.ndarray:
        """Per frame, three soft blobs on the floor: under each foot and under the body."""
        casters = []
        for s in "lr":
            heel, toe = px[f"{s}_heel"], px[f"{s}_toe"]
            height = -np.maximum(joints[f"{s}_heel"][:, 1], joints[f"{s}_toe"][:, 1]) - 0.03  # above floor
            casters.append(
                np.stack(
                    [
                        0.5 * (heel[:, 0] + toe[:, 0]),
                        0.5 * np.abs(toe[:, 0] - heel[:, 0]) + 0.1 * self.scale,
                        np.exp(-np.maximum(height, 0) / 0.08),
                    ],
                    axis=-1,
                )
            )
        lift = -joints["pelvis"][:, 1] - 0.5
        casters.append(
            np.stack(
                [
                    px["pelvis"][:, 0],
                    np.full(len(lift), 2.2 * self.hip_px + self.shadow_pad),
                    0.55 * np.exp(-np.maximum(lift, 0) / 0.1),
                ],
                axis=-1,
            )
        )
        return np.stack(casters, axis=1)


def _limb_joint(limb: str, end: int) -> str:
    """The joint at one end (0 or 1) of a limb: ``_limb_joint("l_forearm", 1) == "l_wrist"``."""
    side, _, kind = limb.partition("_")
    if not kind:
        return _LIMB_ENDS[limb][end]
    return f"{side}_{_LIMB_ENDS[kind][end]}"
