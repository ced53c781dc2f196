"""Filming the stage: the dancer whole and in frame, frames set by seed and index, the layers of a frame."""

import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import POSE_FIELDS, Stage, StageSettings

P = len(POSE_FIELDS)


def gain(dancer: Stage, frame_index: int) -> float:
    """The overall brightness of frame ``frame_index``: slow drift times flicker."""
    return dancer._gain(frame_index, dancer._frame_randoms(frame_index)[0])


@pytest.fixture(scope="module")
def clip():
    return stage.render_clip(600, seed=11, progress=False)


def test_dancer_is_always_whole_and_inside_the_frame(clip):
    masks = clip.masks
    assert masks.sum(axis=(1, 2)).min() > 600
    assert not masks[:, 0].any() and not masks[:, -1].any()
    assert not masks[:, :, 0].any() and not masks[:, :, -1].any()
    for seed in (0, 1):  # other dancers and dances too
        other = stage.render_clip(400, seed=seed, progress=False).masks
        assert not (other[:, 0].any() or other[:, -1].any() or other[:, :, 0].any() or other[:, :, -1].any())


def test_dancer_travels_across_the_stage(clip):
    """The dancer leaves every part of the stage empty most of the time (median background)."""
    assert clip.masks.mean(axis=0).max() < 0.5
    columns = np.array([np.flatnonzero(m.any(axis=0)).mean() for m in clip.masks])
    assert np.ptp(columns) > 40


def test_same_seed_same_frames_other_seed_other_frames(clip):
    again = stage.render_clip(40, seed=11, progress=False)
    np.testing.assert_array_equal(again.frames, clip.frames[:40])
    np.testing.assert_array_equal(again.masks, clip.masks[:40])
    other = stage.render_clip(40, seed=12, progress=False)
    assert np.abs(other.frames.astype(int) - again.frames).mean() > 10


def test_render_one_frame_equals_the_clip_frame(clip):
    dancer = Stage(seed=11)
    for i in (0, 123, 599):
        frame, mask = dancer.render(clip.poses[i], i)
        np.testing.assert_array_equal(frame, clip.frames[i])
        np.testing.assert_array_equal(mask, clip.masks[i])


def test_layers_build_up_the_frame(clip):
    dancer = Stage(seed=11)
    layers = dancer.layers(clip.poses[50], 50)
    assert {"backdrop", "lit", "shadow", "dancer", "alpha", "composite", "noisy", "mask"} <= set(layers)
    np.testing.assert_array_equal(layers["noisy"], clip.frames[50])
    np.testing.assert_array_equal(layers["mask"], clip.masks[50])
    np.testing.assert_array_equal(layers["backdrop"], dancer.background)
    np.testing.assert_array_equal(layers["alpha"] >= 0.498, clip.masks[50])
    floor = slice(100, 120)
    assert layers["shadow"][floor].mean() < layers["lit"][floor].mean() - 1  # the dancer's shadow
    noise = layers["noisy"].astype(float) - layers["composite"]
    assert 1.5 < noise[~layers["mask"]].std() < 3.5


def test_stage_lighting_changes_and_jpeg_option():
    dancer = Stage(seed=0)
    gains = np.array([gain(dancer, i) for i in range(900)])
    assert 0.85 < gains.min() < 0.97 and 1.03 < gains.max() < 1.15  # slow drift, ±10 %
    assert 0.005 < np.diff(gains).std() < 0.05  # and flicker from frame to frame
    pose = stage.move_pose("idle_bounce", 0.0)
    jpeg = Stage(StageSettings(jpeg_quality=60), seed=0).render(pose, 3)[0]
    plain = dancer.render(pose, 3)[0]
    assert 0.3 < np.abs(jpeg.astype(int) - plain).mean() < 6


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Stage().render(np.zeros(P - 1), 0), "pose vector"),
        (lambda: Stage().render(np.full(P, np.nan), 0), "NaN"),
        (lambda: Stage().render(stage.NEUTRAL_POSE, -1), "frame index"),
        (lambda: Stage(seed=-1), "seed"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
