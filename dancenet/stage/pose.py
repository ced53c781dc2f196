"""The pose vector: the numbers that place every joint of the dancer, and its mirror symmetry.

Moves, routines and the skeleton all read and write poses as rows of these fields, so this module
comes first and needs nothing else from the stage.
"""

from __future__ import annotations

import math

import numpy as np

TAU = 2.0 * math.pi

#: The pose vector, one value per name. Lengths in body heights, angles in radians.
#: ``root_x`` moves the pelvis sideways (+ = screen right); ``bounce`` lifts the whole body off the
#: floor; ``lean`` tilts the upper body sideways (+ = head toward screen right) and ``bend`` forward
#: (toward the camera when facing it); ``head_tilt`` tilts the head on the neck; ``turn`` spins
#: the body about the vertical axis (0 faces the camera, wrapped to (-pi, pi]). Per side (``l_`` =
#: the dancer's left): shoulder abduction (0 = arm down, pi/2 = out sideways, pi = straight up) and
#: flexion (+ = forward); the elbow adds its own abduction and flexion to the forearm's; hip
#: abduction (+ = leg out) and flexion (+ = thigh forward); knee bend (+ = shin backward).
POSE_FIELDS = (
    "root_x",
    "bounce",
    "lean",
    "bend",
    "head_tilt",
    "turn",
    "l_shoulder_abd",
    "l_shoulder_flex",
    "l_elbow_abd",
    "l_elbow_flex",
    "r_shoulder_abd",
    "r_shoulder_flex",
    "r_elbow_abd",
    "r_elbow_flex",
    "l_hip_abd",
    "l_hip_flex",
    "l_knee",
    "r_hip_abd",
    "r_hip_flex",
    "r_knee",
)
_INDEX = {name: i for i, name in enumerate(POSE_FIELDS)}
_TURN = _INDEX["turn"]
#: fields that change sign in a mirror image (left/right fields swap instead)
_LATERAL = ("root_x", "lean", "head_tilt", "turn")


def _neutral() -> np.ndarray:
    pose = np.zeros(len(POSE_FIELDS))
    for side in "lr":
        for name, value in (
            ("shoulder_abd", 0.16),
            ("shoulder_flex", 0.05),
            ("elbow_flex", 0.3),
            ("hip_abd", 0.05),
            ("hip_flex", 0.03),
            ("knee", 0.06),
        ):
            pose[_INDEX[f"{side}_{name}"]] = value
    return pose


#: standing relaxed: arms hanging a little away from the body, knees soft
NEUTRAL_POSE = _neutral()


def _mirror_tables() -> tuple[np.ndarray, np.ndarray]:
    swap = {"l_": "r_", "r_": "l_"}
    order = [
        _INDEX[swap[name[:2]] + name[2:]] if name[:2] in swap else i for i, name in enumerate(POSE_FIELDS)
    ]
    sign = np.array([-1.0 if name in _LATERAL else 1.0 for name in POSE_FIELDS])
    return np.array(order), sign


_MIRROR_ORDER, _MIRROR_SIGN = _mirror_tables()


def mirror_pose(pose: np.ndarray) -> np.ndarray:
    """The mirror image of a pose (or of each row of ``(T, P)`` poses): left and right swapped."""
    pose = np.asarray(pose, dtype=float)
    return pose[..., _MIRROR_ORDER] * _MIRROR_SIGN


def wrap_angle(angle):
    """Angles wrapped to (-pi, pi]."""
    return math.pi - np.mod(math.pi - np.asarray(angle, dtype=float), TAU)
