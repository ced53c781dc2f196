"""The dancer's body: proportions from the seed, and a skeleton that stands on the floor."""

import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import POSE_FIELDS
from dancenet.stage.body import _joints_3d
from dancenet.stage.camera import _check_poses

P = len(POSE_FIELDS)


def joint_positions(pose, body=None) -> dict[str, np.ndarray]:
    """Projected 2-D joints ``(2,)`` (or ``(T, 2)``) as (x, y) in body heights: x to the screen
    right of the stage center, y down with 0 on the floor (the keys of ``Stage.joints``)."""
    pose = _check_poses(pose)
    return {name: p[..., :2] for name, p in _joints_3d(pose, body or stage.Body()).items()}


def test_joint_positions_stand_on_the_floor():
    body = stage.Body.from_seed(3)
    joints = joint_positions(stage.NEUTRAL_POSE, body)
    assert {a for bone in stage.BONES for a in bone} <= set(joints)
    assert joints["crown"][1] == pytest.approx(-1.0, abs=0.03)  # about one body height tall
    feet = max(joints[f"{s}_{p}"][1] for s in "lr" for p in ("heel", "toe"))
    assert -0.05 < feet < 0  # joint centers just above the floor line
    assert joints["l_shoulder"][0] > 0 > joints["r_shoulder"][0]  # facing the camera
    lifted = joint_positions(stage.move_pose("march", 0.25), body)
    assert lifted["l_knee"][1] < lifted["r_knee"][1] - 0.1


def test_bodies_vary_within_plausible_ranges():
    bodies = [stage.Body.from_seed(seed) for seed in range(30)]
    heights = [body.height for body in bodies]
    assert 0.8 <= min(heights) < max(heights) <= 0.9
    assert len({body.thigh for body in bodies}) > 20
    assert stage.Body.from_seed(4) == stage.Body.from_seed(4)


def test_bad_input_raises_a_clear_error():
    with pytest.raises(ValueError, match="pose vector"):
        joint_positions(np.zeros((3, P + 2)))
