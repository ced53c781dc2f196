"""The routine: whole move cycles starting on bar lines, cross-faded smoothly, set by its seed."""

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


@pytest.fixture(scope="module")
def long_dance():
    return stage.plan_routine(5400, seed=4)  # three minutes at 30 fps


def test_transition_matrix_is_the_first_order_fit_of_the_routine():
    matrix = stage.transition_matrix()
    assert matrix.shape == (len(MOVES), len(MOVES))
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert (matrix >= 0).all() and (np.diag(matrix) == 0).all()  # a move never follows itself
    assert (matrix == 0).sum() > len(MOVES)  # pairs no combination joins never happen
    kick = MOVES.index("front_kick")
    assert matrix[kick, MOVES.index("march")] == 1.0  # only "kicks" dances a front kick: a march next


def test_routine_arrays(long_dance):
    n = 5400
    assert long_dance.poses.shape == (n, P) and long_dance.poses.dtype == np.float32
    assert long_dance.labels.shape == (n,) and long_dance.labels.dtype == np.int16
    assert long_dance.phase.shape == (n,) and long_dance.phase.dtype == np.float32
    assert ((long_dance.phase >= 0) & (long_dance.phase < 1)).all()
    assert 96 <= long_dance.bpm <= 132 and long_dance.fps == 30.0
    assert long_dance.segments[0][0] == 0
    for field, dtype in (("combinations", np.int16), ("counts", np.int8), ("sections", np.int8)):
        assert getattr(long_dance, field).shape == (n,) and getattr(long_dance, field).dtype == dtype


def test_routine_visits_most_moves(long_dance):
    assert len(np.unique(long_dance.labels)) >= 10


def test_segments_match_labels_and_start_on_bar_lines(long_dance):
    matrix = stage.transition_matrix()
    moves = [MOVES.index(name) for _, name, _, _ in long_dance.segments]
    for a, b in zip(moves, moves[1:]):
        assert matrix[a, b] > 0, (MOVES[a], MOVES[b])
    starts = [start for start, *_ in long_dance.segments]
    assert starts == sorted(starts)
    for (start, name, mirror, amplitude), end in zip(long_dance.segments, starts[1:] + [5400]):
        assert isinstance(mirror, bool) and 0.75 <= amplitude <= 1.1
        if end > start:
            assert (long_dance.labels[start:end] == MOVES.index(name)).all()
    for step in long_dance.steps:
        assert step.start % stage.BAR == 0 and step.beats in (4, 8)
    # a move starts on count 1 or 5 of the phrase of eight: on a bar line
    assert set(long_dance.counts[[s for s in starts if s < 5400]]) == {1, 5}


def test_moves_last_whole_cycles(long_dance):
    """A new move starts where the previous one's phase wraps around (within a frame's worth)."""
    for start, *_ in long_dance.segments[1:]:
        if 0 < start < 5400:
            phase_step = long_dance.phase[start - 1] - long_dance.phase[start - 2]
            assert long_dance.phase[start - 1] > 1 - 2.5 * max(phase_step, 0.01)
            assert long_dance.phase[start] < 2.5 * max(phase_step, 0.01)


def test_poses_change_smoothly_across_segment_boundaries(long_dance):
    """No cross-fade moves faster than the fastest move does by itself (swing allowed for)."""
    fps, bpm = long_dance.fps, 1.1 * long_dance.bpm  # swing and wobble speed the beat up locally
    fastest = 0.0
    for move, beats in zip(MOVES, stage.MOVE_BEATS):
        frames = beats * 60 / bpm * fps
        phase = np.arange(int(frames) + 2) / frames
        for mirror in (False, True):
            fastest = max(fastest, steps(stage.move_pose(move, phase, 1.1, mirror)).max())
    step = steps(long_dance.poses)
    near = np.zeros(len(step), bool)
    for start, *_ in long_dance.segments[1:]:
        near[max(start - 15, 0) : start + 15] = True
    assert near.any()
    assert step[near].max() <= fastest
    assert step.max() <= fastest


def test_routine_is_deterministic_and_seeded():
    a, b = stage.plan_routine(300, seed=5), stage.plan_routine(300, seed=5)
    np.testing.assert_array_equal(a.poses, b.poses)
    assert a.segments == b.segments
    assert not np.array_equal(a.poses, stage.plan_routine(300, seed=6).poses)
    assert stage.plan_routine(10, bpm=100.0).bpm == 100.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: stage.plan_routine(-3), "n_frames"),
        (lambda: stage.plan_routine(10, fps=0), "fps"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_long_run_moves_is_where_long_routines_spend_their_time():
    share = stage.long_run_moves()
    assert share.shape == (len(MOVES),) and share.sum() == pytest.approx(1.0) and (share > 0.02).all()
    labels = np.concatenate([stage.plan_routine(27_000, seed=s).labels for s in range(4)])  # one hour
    observed = np.bincount(labels, minlength=len(MOVES)) / len(labels)
    assert 0.5 * np.abs(observed - share).sum() < 0.08  # sampling noise of about 1,800 steps


def test_every_move_lasts_one_or_two_bars():
    lengths = {step.beats for step in stage.long_run_steps()}
    assert lengths == {4, 8}
    assert stage.shortest_move_seconds() == pytest.approx(4 * 60 / 132)
