"""The empty stage: settings checked, and a fair background problem (contrast, but no dark dancer)."""

import cv2
import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import Stage, StageSettings


def iou(a, b) -> np.ndarray:
    """Per-frame intersection over union of two mask stacks."""
    union = (a | b).sum(axis=(-2, -1))
    return (a & b).sum(axis=(-2, -1)) / np.maximum(union, 1)


@pytest.fixture(scope="module")
def clip():
    return stage.render_clip(600, seed=11, progress=False)


def test_dancer_contrasts_with_the_stage_but_is_not_dark():
    for seed in range(8):
        assert Stage(seed=seed).contrast >= 40


def test_original_threshold_fails_and_true_background_difference_works(clip):
    gray = cv2.cvtColor(clip.frames.reshape(-1, 208, 3), cv2.COLOR_RGB2GRAY).reshape(clip.masks.shape)
    assert iou(gray <= 20, clip.masks).mean() < 0.3
    dancer = Stage(seed=11)
    picks = range(0, 600, 20)
    empty = np.stack([dancer.layers(clip.poses[i], i)["shadow"] for i in picks])  # stage without dancer
    difference = np.abs(clip.frames[picks].astype(int) - empty).max(axis=-1)
    assert iou(difference > 30, clip.masks[picks]).mean() >= 0.9


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: StageSettings(height=20), "at least 32"),
        (lambda: StageSettings(width=31), "at least 32"),
        (lambda: StageSettings(supersample=0), "supersample"),
        (lambda: StageSettings(noise_sigma=-1.0), "noise_sigma"),
        (lambda: StageSettings(jpeg_quality=0), "jpeg_quality"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
