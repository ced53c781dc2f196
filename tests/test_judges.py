"""The judges of a dance, on hand-made masks whose answers can be counted by hand."""

import numpy as np
import pytest

from dancenet import judges

H, W = 40, 60


def frame(*boxes, value: float = 1.0) -> np.ndarray:
    """A ``(H, W)`` frame with ``value`` in each box ``(top, left, height, width)``."""
    image = np.zeros((H, W), np.float32)
    for top, left, height, width in boxes:
        image[top : top + height, left : left + width] = value
    return image


BODY = (5, 5, 20, 20)  # 400 pixels, the real median area below
REAL = np.stack([frame(BODY), frame((5, 5, 20, 19)), frame((5, 5, 20, 21)), frame()])  # one empty


def reasons(*frames):
    return list(judges.ghost_reasons(np.stack(frames), REAL))


def test_median_real_area_skips_empty_silhouettes():
    assert judges.median_real_area(REAL) == 400  # median of 380, 400, 420; the empty one is skipped


def test_one_clean_body_is_not_a_ghost():
    assert reasons(frame(BODY)) == [""]
    assert not judges.ghost_frames(frame(BODY)[None], REAL)[0]


def test_a_second_blob_of_15_percent_is_a_ghost():
    assert reasons(frame(BODY, (30, 40, 6, 10))) == [judges.SECOND_BODY]  # 60 / 400


def test_a_second_blob_of_5_percent_is_not():
    assert reasons(frame(BODY, (30, 40, 4, 5))) == [""]  # 20 / 400


def test_the_second_blob_threshold_is_inclusive():
    assert reasons(frame(BODY, (30, 40, 4, 10))) == [judges.SECOND_BODY]  # exactly 10 %


def test_a_body_at_20_percent_of_the_median_is_faint():
    assert reasons(frame((5, 5, 8, 10))) == [judges.FAINT]  # 80 / 400
    assert reasons(frame((5, 5, 12, 10))) == [""]  # 120 / 400: exactly 30 % is not faint


def test_an_empty_frame_is_a_ghost():
    assert reasons(frame()) == [judges.EMPTY]
    assert judges.ghost_frames(frame()[None], REAL, faint=0.0)[0]  # always, whatever the floor


def test_a_grey_frame_is_empty_after_thresholding():
    assert reasons(np.full((H, W), 0.4, np.float32)) == [judges.EMPTY]
    assert reasons(np.full((H, W), 0.5, np.float32)) == [judges.EMPTY]  # above 0.5, strictly


def test_diagonal_neighbours_are_one_component():
    touching = frame(BODY, (25, 25, 10, 10))  # meets the body only corner to corner: (24, 24)-(25, 25)
    assert list(judges.component_areas((touching > 0.5).astype(np.uint8))) == [500]
    assert reasons(touching) == [""]  # with 4-connectivity this would be a second body of 25 %
    apart = frame(BODY, (26, 26, 10, 10))  # one pixel further: no longer touching
    assert list(judges.component_areas((apart > 0.5).astype(np.uint8))) == [400, 100]
    assert reasons(apart) == [judges.SECOND_BODY]


def test_the_rate_on_a_mix_is_the_hand_counted_fraction():
    mix = np.stack(
        [
            frame(BODY),  # clean
            frame(BODY, (30, 40, 6, 10)),  # second body
            frame(BODY, (30, 40, 4, 5)),  # clean
            frame((5, 5, 8, 10)),  # faint
            frame(),  # empty
            frame(BODY, value=0.9),  # clean
            frame(BODY, value=0.3),  # empty after thresholding
            frame((0, 0, 20, 20), (20, 40, 20, 20)),  # two bodies
        ]
    )
    assert judges.ghost_rate(mix, REAL) == pytest.approx(5 / 8)
    expected = ["", "second body", "", "faint", "empty", "", "empty", "second body"]
    assert list(judges.ghost_reasons(mix, REAL)) == expected


def test_channel_last_and_plain_images_agree():
    mix = np.stack([frame(BODY), frame(BODY, (30, 40, 6, 10)), frame((5, 5, 8, 10)), frame()])
    plain = judges.ghost_reasons(mix, REAL)
    assert list(judges.ghost_reasons(mix[..., None], REAL[..., None])) == list(plain)
    assert list(judges.ghost_reasons(mix[..., None], REAL)) == list(plain)
    assert judges.ghost_rate(mix[..., None], REAL[..., None]) == judges.ghost_rate(mix, REAL) == 0.75


def test_the_defaults_can_be_changed():
    two = frame(BODY, (30, 40, 4, 5))  # a 5 % blob
    assert judges.ghost_frames(two[None], REAL, second=0.05)[0]
    assert not judges.ghost_frames(frame((5, 5, 8, 10))[None], REAL, faint=0.2)[0]
    assert judges.ghost_frames(frame(BODY, value=0.6)[None], REAL, threshold=0.7)[0]


@pytest.mark.parametrize(
    ("frames", "real", "message"),
    [
        (np.zeros((2, H, W + 1)), REAL, r"differ in size"),
        (np.zeros((2, H, W, 3)), REAL, r"\(N, H, W\) or \(N, H, W, 1\)"),
        (np.zeros((H, W)), REAL, r"\(N, H, W\) or \(N, H, W, 1\)"),
        (np.zeros((0, H, W)), REAL, r"frames are empty"),
        (np.full((1, H, W), np.nan), REAL, r"frames contain NaN"),
        (frame(BODY)[None], np.zeros((0, H, W)), r"real silhouettes are empty"),
        (frame(BODY)[None], np.full((1, H, W), np.nan), r"real silhouettes contain NaN"),
        (frame(BODY)[None], np.full((3, H, W), 0.4), r"none of the real silhouettes.*with a dancer"),
    ],
)
def test_bad_inputs_say_what_is_wrong(frames, real, message):
    with pytest.raises(ValueError, match=message):
        judges.ghost_rate(frames, real)


@pytest.mark.parametrize(
    ("option", "value"), [("threshold", 0.0), ("threshold", 1.0), ("second", -0.1), ("faint", 1.5)]
)
def test_bad_options_say_what_is_wrong(option, value):
    with pytest.raises(ValueError, match=option):
        judges.ghost_rate(frame(BODY)[None], REAL, **{option: value})
