"""The named moves: periodic, smooth, distinct, and mirrored and scaled as documented."""

import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import MOVES, POSE_FIELDS

P = len(POSE_FIELDS)


def steps(poses) -> np.ndarray:
    """Largest per-frame change of any pose field, the turn taken the short way round."""
    d = np.diff(np.asarray(poses, float), axis=0)
    d[:, POSE_FIELDS.index("turn")] = stage.wrap_angle(d[:, POSE_FIELDS.index("turn")])
    return np.abs(d).max(axis=1)


def test_there_are_at_least_twelve_named_moves():
    assert len(MOVES) >= 12 and len(set(MOVES)) == len(MOVES)
    assert len(stage.MOVE_BEATS) == len(MOVES) and set(stage.MOVE_BEATS) <= {2, 4}


def test_move_pose_shapes_and_turn_wrap():
    assert stage.move_pose("turn", 0.3).shape == (P,)
    poses = stage.move_pose("turn", np.linspace(0, 1, 50))
    assert poses.shape == (50, P)
    turn = poses[:, POSE_FIELDS.index("turn")]
    assert np.all((turn > -np.pi) & (turn <= np.pi))
    assert np.ptp(turn) > 5  # a full rotation passes through the back


@pytest.mark.parametrize("move", MOVES)
def test_every_move_is_periodic(move):
    np.testing.assert_allclose(stage.move_pose(move, 0.0), stage.move_pose(move, 1.0), atol=1e-9)
    np.testing.assert_allclose(
        stage.move_pose(move, 0.2, 0.8, True), stage.move_pose(move, 1.2, 0.8, True), atol=1e-9
    )


@pytest.mark.parametrize("move", MOVES)
def test_every_move_is_smooth_at_130_bpm(move):
    beats = stage.MOVE_BEATS[MOVES.index(move)]
    frames_per_cycle = beats * 60 / 130 * 30
    phase = np.arange(int(frames_per_cycle) + 2) / frames_per_cycle
    for mirror in (False, True):
        assert steps(stage.move_pose(move, phase, 1.1, mirror)).max() < 0.45  # radians per frame


def test_moves_are_distinct():
    phase = np.linspace(0, 1, 32, endpoint=False)
    cycles = [stage.move_pose(move, phase) for move in MOVES]
    for i in range(len(MOVES)):
        for j in range(i + 1, len(MOVES)):
            difference = np.abs(cycles[i] - cycles[j])
            difference[:, POSE_FIELDS.index("turn")] = np.abs(
                stage.wrap_angle(
                    cycles[i][:, POSE_FIELDS.index("turn")] - cycles[j][:, POSE_FIELDS.index("turn")]
                )
            )
            assert difference.mean(axis=0).max() > 0.1, (MOVES[i], MOVES[j])


def test_mirror_swaps_sides_and_negates_lateral_fields():
    pose = stage.move_pose("side_kick", 0.38)
    mirrored = stage.move_pose("side_kick", 0.38, mirror=True)
    for i, name in enumerate(POSE_FIELDS):
        if name.startswith(("l_", "r_")):
            other = POSE_FIELDS.index({"l": "r", "r": "l"}[name[0]] + name[1:])
            assert mirrored[other] == pytest.approx(pose[i])
        elif name in ("root_x", "lean", "head_tilt", "turn"):
            assert mirrored[i] == pytest.approx(-pose[i])
        else:
            assert mirrored[i] == pytest.approx(pose[i])
    assert pose[POSE_FIELDS.index("r_hip_abd")] > 0.8  # the right leg kicks out...
    assert mirrored[POSE_FIELDS.index("l_hip_abd")] > 0.8  # ...and in the mirror, the left


def test_amplitude_scales_motion_about_the_average_pose():
    phase = np.linspace(0, 1, 40, endpoint=False)
    full, small = stage.move_pose("windmill", phase), stage.move_pose("windmill", phase, amplitude=0.5)
    np.testing.assert_allclose(full.mean(axis=0), small.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(np.ptp(small, axis=0), 0.5 * np.ptp(full, axis=0), atol=1e-9)
    turn = POSE_FIELDS.index("turn")
    np.testing.assert_allclose(
        stage.move_pose("turn", phase, 0.75)[:, turn], stage.move_pose("turn", phase)[:, turn]
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: stage.move_pose("moonwalk", 0.1), "unknown move"),
        (lambda: stage.move_pose("turn", np.nan), "NaN"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
