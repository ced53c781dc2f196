"""Drawing the figure: around its joints, at its height on the floor, with soft, supersampled edges."""

import numpy as np

from dancenet import stage
from dancenet.stage import Stage, StageSettings
from dancenet.stage.camera import _check_pose


def iou(a, b) -> np.ndarray:
    """Per-frame intersection over union of two mask stacks."""
    union = (a | b).sum(axis=(-2, -1))
    return (a & b).sum(axis=(-2, -1)) / np.maximum(union, 1)


def render_dancer(dancer: Stage, pose) -> tuple[np.ndarray, np.ndarray]:
    """The dancer alone: colors ``(H, W, 3)`` float32 in [0, 1] (straight, not premultiplied,
    before the stage lighting; 0 where absent) and coverage ``alpha`` ``(H, W)`` float32."""
    figure, polygons, boxes = dancer._figures(_check_pose(pose)[None])
    rgba = dancer._draw(polygons[0], figure.order[0], boxes[0]).astype(np.float32) / 255
    x0, y0, x1, y1 = boxes[0]
    h, w = dancer.settings.height, dancer.settings.width
    rgb, alpha = np.zeros((h, w, 3), np.float32), np.zeros((h, w), np.float32)
    alpha[y0:y1, x0:x1] = rgba[..., 3]
    rgb[y0:y1, x0:x1] = rgba[..., :3] / np.maximum(rgba[..., 3:], 1e-6)
    return np.clip(rgb, 0, 1), alpha


def test_stage_joints_land_on_the_mask():
    dancer = Stage(seed=2)
    pose = stage.move_pose("arm_wave", 0.1)
    _, mask = dancer.render(pose, 0)
    for name, (x, y) in dancer.joints(pose).items():
        if name != "crown":
            assert mask[int(y), int(x)], name


def test_dancer_height_and_floor_line():
    for seed in range(5):
        dancer = Stage(seed=seed)
        _, mask = dancer.render(stage.NEUTRAL_POSE, 0)
        rows = np.flatnonzero(mask.any(axis=1))
        height = (rows[-1] + 1 - rows[0]) / 120
        assert 0.78 <= height <= 0.86
        assert 0.93 <= (rows[-1] + 1) / 120 <= 0.95


def test_render_dancer_alpha_and_colors():
    dancer = Stage(seed=1)
    pose = stage.move_pose("jumping_jack", 0.5)
    rgb, alpha = render_dancer(dancer, pose)
    _, mask = dancer.render(pose, 0)
    assert rgb.dtype == alpha.dtype == np.float32 and rgb.shape == (120, 208, 3)
    assert rgb.min() >= 0 and rgb.max() <= 1 and alpha.min() >= 0 and alpha.max() <= 1
    np.testing.assert_array_equal(alpha >= 0.498, mask)
    assert (rgb[alpha == 0] == 0).all() and ((alpha > 0) & (alpha < 1)).sum() > 100  # soft edges


def test_supersampling_agrees_with_a_plain_render():
    poses = stage.plan_routine(60, seed=3).poses
    plain = Stage(StageSettings(supersample=1), seed=3).render_sequence(poses)[1]
    smooth = Stage(StageSettings(supersample=3), seed=3).render_sequence(poses)[1]
    finer = Stage(StageSettings(supersample=6), seed=3).render_sequence(poses)[1]
    assert iou(plain, finer).min() > 0.93
    assert iou(smooth, finer).min() > 0.96
    assert abs(int(plain.sum()) - int(finer.sum())) < 0.03 * finer.sum()
