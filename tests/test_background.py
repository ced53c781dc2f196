import numpy as np
import pytest

from dancenet import background
from dancenet.background import clean_masks, iou, largest_component, mean_iou

# ----------------------------------------------------------------------------- IoU on hand-made cases


def test_iou_of_identical_masks_is_one():
    mask = np.zeros((10, 10), bool)
    mask[2:5, 3:8] = True
    assert iou(mask, mask) == 1.0


def test_iou_of_disjoint_masks_is_zero():
    a, b = np.zeros((2, 6, 6), bool), np.zeros((2, 6, 6), bool)
    a[:, :3], b[:, 3:] = True, True
    np.testing.assert_array_equal(iou(a, b), [0.0, 0.0])


def test_iou_counts_pixels():
    a = np.zeros((4, 4), bool)
    b = np.zeros((4, 4), bool)
    a[0, :4] = True  # 4 pixels
    b[0, 2:4] = True  # 2 of them
    b[1, 0] = True  # and one more
    assert iou(a, b) == pytest.approx(2 / 5)


def test_empty_union_counts_as_perfect():
    empty = np.zeros((3, 5, 5), bool)
    full = np.ones((5, 5), bool)
    np.testing.assert_array_equal(iou(empty, empty), [1.0, 1.0, 1.0])
    stack_a = np.stack([np.zeros((5, 5), bool), full])
    stack_b = np.stack([np.zeros((5, 5), bool), np.zeros((5, 5), bool)])
    assert mean_iou(stack_a, stack_b) == pytest.approx(0.5)


def test_iou_is_symmetric_and_per_frame():
    rng = np.random.default_rng(1)
    a, b = rng.random((7, 9, 9)) > 0.5, rng.random((7, 9, 9)) > 0.5
    scores = iou(a, b)
    assert scores.shape == (7,)
    np.testing.assert_allclose(scores, iou(b, a))
    np.testing.assert_allclose(scores, [iou(x, y) for x, y in zip(a, b)])


def test_iou_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        iou(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"\(H, W\) or \(N, H, W\)"):
        iou(np.zeros(4), np.zeros(4))


# ----------------------------------------------------------------------------- clean-up


def test_largest_component_keeps_the_biggest_shape():
    mask = np.zeros((20, 20), bool)
    mask[2:10, 2:10] = True  # 64 px
    mask[15:17, 15:17] = True  # 4 px speck
    kept = largest_component(mask)
    assert kept.sum() == 64 and not kept[15, 15]
    assert not largest_component(np.zeros((5, 5), bool)).any()


def test_opening_removes_specks_and_closing_fills_cracks():
    mask = np.zeros((1, 30, 30), bool)
    mask[0, 5:25, 5:25] = True
    mask[0, 15, 5:25] = False  # a one-pixel crack
    mask[0, 1, 1] = True  # a speck
    cleaned = clean_masks(mask, open_size=0, close_size=3, keep_largest=True)[0]
    assert cleaned[15, 10] and not cleaned[1, 1]
    opened = clean_masks(mask, open_size=3, close_size=0, keep_largest=False)[0]
    assert not opened[1, 1]


def test_small_enclosed_holes_are_filled_large_ones_kept():
    mask = np.zeros((30, 30), bool)
    mask[5:25, 5:25] = True
    mask[8:10, 8:10] = False  # 4-pixel hole: costume matching the stage
    mask[12:22, 12:22] = False  # 100-pixel hole: real stage between arm and body
    filled = background.filled_holes(mask, max_area=32)
    assert filled[8:10, 8:10].all() and not filled[12:22, 12:22].any()
    assert not filled[0].any()  # the open background is never "filled"


@pytest.mark.parametrize("kwargs", [{"open_size": -1}, {"close_size": 2.5}, {"hole_size": -3}])
def test_clean_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="non-negative integer"):
        clean_masks(np.zeros((1, 5, 5), bool), **kwargs)


# ----------------------------------------------------------------------------- methods on a hand-made scene


@pytest.fixture(scope="module")
def moving_square():
    """A lit, noisy textured wall with a red square crossing it twice; returns frames and truth."""
    rng = np.random.default_rng(3)
    height, width, n = 48, 80, 60
    wall = (100 + 40 * np.sin(np.arange(width) / 5))[None, :, None] + rng.normal(0, 8, (height, width, 3))
    frames, truth = [], []
    for t in range(n):
        gain = 1 + 0.08 * np.sin(t / 9)
        frame = wall * gain + rng.normal(0, 2, wall.shape)
        mask = np.zeros((height, width), bool)
        x = (3 * t) % 68
        mask[14:34, x : x + 12] = True
        frame[mask] = (200, 40, 40)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
        truth.append(mask)
    return np.stack(frames), np.stack(truth)


def test_median_background_recovers_the_empty_wall(moving_square):
    frames, truth = moving_square
    empty = background.median_background(frames)
    # the square covers each pixel in a minority of frames, so the median is the wall
    wall = np.nanmedian(np.where(truth[..., None], np.nan, frames.astype(float)), axis=0)
    assert np.abs(empty - wall).mean() < 3


@pytest.mark.parametrize("method, floor", [("median", 0.95), ("mog2", 0.85), ("knn", 0.85)])
def test_methods_find_the_square(moving_square, method, floor):
    frames, truth = moving_square
    assert mean_iou(background.remove_background(frames, method), truth) > floor


def test_original_threshold_fails_on_a_bright_dancer(moving_square):
    frames, truth = moving_square
    assert mean_iou(background.remove_background(frames, "threshold"), truth) < 0.1


def test_gain_compensation_tracks_lighting(moving_square):
    frames, _ = moving_square
    gains = background.lighting_gain(frames, background.median_background(frames))
    expected = 1 + 0.08 * np.sin(np.arange(len(frames)) / 9)
    assert np.corrcoef(gains, expected)[0, 1] > 0.95


def test_shadow_suppression_ignores_a_darker_copy_of_the_background():
    wall = np.full((1, 20, 20, 3), (120, 140, 160), np.uint8)
    shaded = wall.copy()
    shaded[0, 10:] = (wall[0, 10:] * 0.7).astype(np.uint8)
    with_shadow = background.difference_masks(
        shaded, wall[0], 20, compensate_gain=False, suppress_shadows=False
    )
    without = background.difference_masks(shaded, wall[0], 20, compensate_gain=False)
    assert with_shadow[0, 10:].all() and not without.any()


def test_silhouettes_have_model_size_and_soft_edges(moving_square):
    _, truth = moving_square
    images = background.silhouette_images(truth, (24, 40))
    assert images.shape == (len(truth), 24, 40, 1) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert ((images > 0) & (images < 1)).any()
    assert abs(images.mean() - truth.mean()) < 0.01


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: background.remove_background(np.zeros((2, 8, 8, 3), np.uint8), "magic"),
            "unknown background-removal method",
        ),
        (lambda: background.remove_background(np.zeros((8, 8, 3), np.uint8)), "one frame"),
        (lambda: background.remove_background(np.zeros((2, 8, 8, 3), np.float32)), "uint8"),
        (lambda: background.remove_background(np.zeros((0, 8, 8, 3), np.uint8)), "non-empty|shape"),
        (lambda: background.threshold_masks(np.zeros((1, 8, 8, 3), np.uint8), 300), "0–255"),
        (lambda: background.silhouette_images(np.zeros((1, 16, 16), bool), (15, 16)), "divisible by 8"),
        (
            lambda: background.difference_masks(np.zeros((1, 8, 8, 3), np.uint8), np.zeros((8, 9, 3))),
            "does not match",
        ),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- methods on the stage


@pytest.fixture(scope="module")
def stage_scores(stage_video_frames, stage_clip):
    """Mean IoU of every method on an 8-second stage clip after its MP4 round trip."""
    return {
        method: mean_iou(background.remove_background(stage_video_frames, method), stage_clip.masks)
        for method in background.METHODS
    }


def test_original_threshold_fails_on_the_stage(stage_scores):
    assert stage_scores["threshold"] < 0.05


@pytest.mark.parametrize("method, floor", [("median", 0.93), ("mog2", 0.8), ("knn", 0.7)])
def test_methods_on_the_stage(stage_scores, method, floor):
    """Floors for this clip (seed 7). MOG2 depends on how long the dancer holds still: on the
    first 8 s of seeds 1-4 it scores 0.71-0.91, on this clip 0.83 (0.85 before the routine danced
    in phrases, when the floor was 0.85)."""
    assert stage_scores[method] >= floor


def test_median_is_the_best_method_on_the_stage(stage_scores):
    assert max(stage_scores, key=stage_scores.get) == "median"


def test_compare_methods_scores_every_frame(stage_video_frames, stage_clip):
    scores = background.compare_methods(
        stage_video_frames[:40], stage_clip.masks[:40], methods=("threshold", "mog2"), progress=False
    )
    assert set(scores) == {"threshold", "mog2"}
    assert all(s.shape == (40,) and ((s >= 0) & (s <= 1)).all() for s in scores.values())
    with pytest.raises(ValueError, match="do not match"):
        background.compare_methods(stage_video_frames[:40], stage_clip.masks[:39], progress=False)


def test_framing_masks_keep_every_shape_and_thin_limbs():
    """The tracker chooses among the shapes, so none is dropped; a one-pixel arm survives."""
    frames = np.full((25, 60, 110, 3), 90, np.uint8)
    for i, frame in enumerate(frames):
        frame[20:50, 5 + 3 * i : 13 + 3 * i] = 230  # the dancer, walking right
        frame[30, 13 + 3 * i : 23 + 3 * i] = 230  # an arm stretched out, one pixel thick
        frame[10:22, 100 - 2 * i : 106 - 2 * i] = 20  # someone smaller, walking left
    loose, default = background.framing_masks(frames)[12], background.remove_background(frames)[12]
    assert loose[20:50, 41:49].all() and default[20:50, 41:49].mean() > 0.95  # the body, in both
    assert loose[30, 49:59].all() and not default[30, 50:59].any()  # the opening erases the arm
    assert loose[10:22, 76:82].all() and not default[10:22, 76:82].any()  # and the other person
