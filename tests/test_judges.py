"""The judges of a dance, on hand-made masks whose answers can be counted by hand."""

import numpy as np
import pytest

from dancenet import judges, stage

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


# ----------------------------------------------------------------------------- the move judge


def test_move_clips_stack_consecutive_frames_as_channels():
    frames = np.arange(10, dtype=np.float32)[:, None, None] * np.ones((10, 4, 6), np.float32) / 10
    clips = judges.move_clips(frames, length=3)
    assert clips.shape == (8, 4, 6, 3)
    assert np.allclose(clips[5, 0, 0], [0.5, 0.6, 0.7])  # clip 5 holds frames 5, 6 and 7


def test_move_clips_need_one_whole_clip():
    with pytest.raises(ValueError, match="2 frames are fewer than one judge clip of 3"):
        judges.move_clips(np.zeros((2, 4, 6)), length=3)


def moving_bar(frames: int, down: bool, height: int = 16, width: int = 24) -> np.ndarray:
    """A bar sweeping down (or up) the picture, a new row each frame: one frame alone cannot tell
    the direction, a few in a row can."""
    images = np.zeros((frames, height, width), np.float32)
    for t in range(frames):
        row = (t * 3) % (height - 2)
        images[t, (row if down else height - 3 - row) : (row if down else height - 3 - row) + 3, 4:20] = 1
    return images


def test_judge_data_splits_in_time_and_never_crosses_a_dropped_frame():
    images = np.zeros((100, 16, 24), np.float32)
    indices = np.r_[np.arange(0, 60, 2), np.arange(70, 210, 2)]  # frames 60-68 dropped
    labels = np.arange(100) // 10
    data = judges.judge_data(images, labels, indices, clip_length=4)
    train, validation, held_out = (data.starts[p] for p in ("train", "validation", "held_out"))
    assert train.max() + 4 <= validation.min() and validation.max() + 4 <= held_out.min()
    assert held_out.min() >= 80  # the last 20 % of the 100 silhouettes
    every = np.concatenate([train, validation, held_out])
    assert not np.isin(np.arange(27, 30), every).any()  # clips 27-29 would span the gap after 29
    assert np.array_equal(data.labels["train"], labels[train + 2])  # the middle frame's label


@pytest.fixture(scope="module")
def bar_judge():
    """A judge trained to tell a bar sweeping down from one sweeping up, in blocks of 40 frames."""
    images = np.concatenate([moving_bar(40, down=block % 2 == 0) for block in range(12)])
    labels = np.repeat(np.arange(12) % 2, 40)
    data = judges.judge_data(images, labels, np.arange(len(images)), clip_length=4)
    judge, _ = judges.train_move_judge(data, epochs=15, progress=False)
    return judge, data, images


def test_a_judge_learns_which_way_a_bar_moves_from_clips_of_frames(bar_judge):
    judge, data, images = bar_judge
    true, judged = judges.held_out_moves(judge, data)
    assert (true == judged).mean() > 0.9  # one frame alone is right half the time: it needs motion
    assert judges.judge_features(judge, images[:10]).shape == (7, judges.JUDGE_FEATURES)
    assert judges.move_probabilities(judge, images[:10]).shape == (7, judges.MOVE_COUNT)
    fresh = np.concatenate([moving_bar(40, down=block % 3 == 0) for block in range(6)])  # a new order
    labels = np.repeat(np.arange(6) % 3 != 0, 40).astype(int)  # 0 = down, as in training
    true, judged = judges.judged_clip(judge, fresh, labels, np.arange(240))
    assert len(true) == 237 and (true == judged).mean() > 0.9


def test_judge_dances_finds_a_still_dance_far_from_the_real_one(bar_judge):
    judge, _, images = bar_judge
    moving = [images[200:320], images[320:440]]
    still = [np.repeat(images[200:201], 120, axis=0)] * 2
    rows = judges.judge_dances(judge, {"moving": moving, "still": still}, images[:200], fps=15, bpm=120)
    assert set(rows["moving"]) == {
        "move TV",
        "changes",
        "forbidden",
        "log_probability",
        "median duration",
        "confidence",
        "FJD",
        "move share",
    }
    for row in rows.values():
        assert row["move share"].shape == (judges.MOVE_COUNT,) and row["move share"].sum() == pytest.approx(1)
    assert np.sort(rows["still"]["move share"])[-1] == 1  # one move, held throughout
    assert rows["moving"]["changes"] >= 4  # three blocks of 40 frames in each dance: two changes
    assert rows["still"]["changes"] == 0 and rows["still"]["median duration"] == pytest.approx(117 / 15 * 2)
    assert rows["still"]["FJD"] > 3 * rows["moving"]["FJD"]


def test_confusion_matrix_counts_true_rows_and_judged_columns():
    matrix = judges.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], count=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_move_runs_give_a_wavering_judgement_to_its_longer_neighbour():
    moves = np.r_[[0] * 20, [1] * 3, [0] * 20, [2] * 15, [3] * 2, [2] * 1]
    assert judges.move_runs(moves, min_run=8).tolist() == [[0, 43], [2, 18]]
    assert judges.move_runs([5, 5, 4], min_run=8).tolist() == [[5, 3]]  # one run left, however short


def test_the_shortest_run_is_half_the_briefest_move():
    assert stage.shortest_move_seconds() == pytest.approx(4 * 60 / 132)  # 4 beats at 132 bpm
    assert judges.shortest_run(15) == 14 and judges.shortest_run(10) == 10  # 13.6 and 9.1 frames, up
    with pytest.raises(ValueError, match="fps must be a positive number"):
        judges.shortest_run(0)


def test_move_histogram_weighs_runs_by_their_frames():
    histogram = judges.move_histogram([[0, 30], [2, 10], [0, 20]], count=3)
    assert np.allclose(histogram, [50 / 60, 0, 10 / 60])


def test_total_variation_is_zero_for_the_same_and_one_for_disjoint_distributions():
    assert judges.total_variation([1, 2, 1], [2, 4, 2]) == pytest.approx(0.0)
    assert judges.total_variation([1, 0], [0, 1]) == pytest.approx(1.0)
    assert judges.total_variation([0.5, 0.5, 0], [0.25, 0.25, 0.5]) == pytest.approx(0.5)


def test_transition_check_counts_forbidden_changes_and_scores_the_allowed_ones():
    matrix = np.array([[0.5, 0.5, 0.0], [0.2, 0.6, 0.2], [0.5, 0.5, 0.0]])
    check = judges.transition_check([[0, 9], [1, 9], [2, 9], [0, 9], [2, 9]], matrix)
    assert check["changes"] == 4 and check["forbidden"] == 1  # 0 → 2 is forbidden
    # given a change: 0 → 1 is certain, 1 → 2 and 2 → 0 are one in two
    assert check["log_probability"] == pytest.approx(np.log([1.0, 0.5, 0.5]).mean())


def test_the_stage_routine_forbids_a_kick_after_a_kick():
    front, side, idle = (stage.MOVES.index(name) for name in ("front_kick", "side_kick", "idle_bounce"))
    assert judges.transition_check([[front, 30], [side, 30], [idle, 30]])["forbidden"] == 1


def test_transition_references_match_a_long_routine_and_its_shuffled_order():
    references = judges.transition_references()
    danced, shuffled = [], []
    for s in range(4):  # an hour, four routines each checked on its own (no change across their joins)
        labels = stage.plan_routine(27_000, seed=s).labels
        edges = np.flatnonzero(np.diff(labels)) + 1
        runs = np.stack([labels[np.r_[0, edges]], np.diff(np.r_[0, edges, len(labels)])], axis=1)
        danced.append(judges.change_probabilities(runs))
        shuffled.append(judges.change_probabilities(judges.shuffled_runs(runs, seed=s)))
    danced, shuffled = np.concatenate(danced), np.concatenate(shuffled)
    assert (danced > 0).all() and references["routine"]["forbidden share"] == 0
    assert np.log(danced).mean() == pytest.approx(references["routine"]["log_probability"], abs=0.05)
    allowed = shuffled > 0
    assert np.log(shuffled[allowed]).mean() == pytest.approx(
        references["shuffled"]["log_probability"], abs=0.05
    )
    assert (~allowed).mean() == pytest.approx(references["shuffled"]["forbidden share"], abs=0.015)
    assert references["routine"]["log_probability"] > references["shuffled"]["log_probability"]


def test_shuffled_runs_keep_every_frame_of_every_move():
    runs = np.array([[0, 10], [1, 5], [0, 7], [2, 3], [1, 4]])
    shuffled = judges.shuffled_runs(runs, seed=3)
    assert np.allclose(judges.move_histogram(shuffled, 3), judges.move_histogram(runs, 3))
    assert (np.diff(shuffled[:, 0]) != 0).all()  # neighbours of one move are joined


def test_move_durations_are_in_beats():
    assert judges.move_durations([[0, 30], [1, 15]], fps=15, bpm=120).tolist() == [4.0, 2.0]


def test_frechet_judge_distance_sees_a_shift_and_not_the_sample_size():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((4000, 4))
    assert judges.frechet_judge_distance(rng.standard_normal((400, 4)), real) < 0.2
    shifted = rng.standard_normal((400, 4)) + [2.0, 0, 0, 0]
    assert judges.frechet_judge_distance(shifted, real) == pytest.approx(4.0, abs=0.6)


# ----------------------------------------------------------------------------- beat alignment


def _swinging(fps: float, seconds: float = 20.0, period: float = 0.5, shift: float = 0.0, noise: float = 0.0):
    """A dancer swinging to and fro, turning round every ``period`` seconds (from ``shift``)."""
    t = np.arange(round(seconds * fps)) / fps
    phase = np.pi * (t - shift) / period
    codes = np.column_stack([np.cos(phase), 0.5 * np.cos(phase)])
    return codes + noise * np.random.default_rng(0).standard_normal(codes.shape)


def test_motion_beats_are_where_the_dancer_turns_round():
    beats = judges.motion_beats(_swinging(30.0), fps=30.0)
    np.testing.assert_allclose(beats, np.arange(1, 40) * 0.5, atol=0.5 / 30)


@pytest.mark.parametrize("fps", [15.0, 30.0, 60.0])
def test_a_dance_on_the_beat_scores_near_1_and_one_half_a_beat_off_near_0(fps):
    music_beats = np.arange(1, 40) * 0.5  # not the first frame: a motion beat needs frames on both sides
    # motion beats fall half-way between frames, so a beat is met to within half a frame: at
    # 15 fps that is 33 ms, and even a perfect dance scores no more than about 0.9 there
    score = lambda d: np.exp(-(d**2) / (2 * judges.BEAT_SIGMA**2))  # noqa: E731
    on_beat = judges.beat_alignment(music_beats, _swinging(fps), fps)
    assert score(0.5 / fps) - 1e-9 <= on_beat and (fps < 30 or on_beat > 0.9)
    assert judges.beat_alignment(music_beats, _swinging(fps, shift=0.25), fps) < 0.01
    # a tenth of a second late: exp(−d² / 2σ²) with d = 0.1 s, give or take half a frame
    late = judges.beat_alignment(music_beats, _swinging(fps, shift=0.1), fps)
    assert score(0.1 + 0.5 / fps) <= late <= score(0.1 - 0.5 / fps)


def test_smoothing_keeps_jitter_from_making_beats_everywhere():
    music_beats = np.arange(40) * 0.5
    jittery = _swinging(30.0, shift=0.25, noise=0.02)
    assert judges.beat_alignment(music_beats, jittery, 30.0) < 0.1
    raw = judges.motion_beats(jittery, 30.0, smoothing=0)
    assert len(raw) > 2 * len(judges.motion_beats(jittery, 30.0))  # unsmoothed, the jitter counts


def test_a_still_dancer_meets_no_beat_and_bad_input_is_named():
    music_beats = np.arange(10) * 0.5
    assert judges.beat_alignment(music_beats, np.zeros((150, 4)), 30.0) == 0.0
    with pytest.raises(ValueError, match="no music beat falls within the dance"):
        judges.beat_alignment(music_beats + 100, _swinging(30.0), 30.0)
    with pytest.raises(ValueError, match="NaN"):
        judges.beat_alignment([0.5, np.nan], _swinging(30.0), 30.0)
    with pytest.raises(ValueError, match="fps"):
        judges.motion_beats(_swinging(30.0), fps=0)
