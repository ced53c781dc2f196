"""Phrases: combinations in counts of eight, mirrored repeats, a chorus that returns, every move used,
and each step's true chance of its move."""

import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import COMBINATION_NAMES, MOVES, SECTIONS


@pytest.fixture(scope="module")
def steps():
    return stage.long_run_steps()


def test_combinations_fill_eight_or_sixteen_counts_with_two_to_four_different_moves():
    used = set()
    for name in COMBINATION_NAMES:
        moves = stage.combination_moves(name)
        assert 2 <= len(moves) <= 4 and stage.combination_counts(name) in (8, 16)
        assert all(a != b for a, b in zip(moves, moves[1:]))  # every step shows a change
        assert moves[0] != moves[-1]  # so does the mirrored repeat's first step
        for move, bars in stage.COMBINATIONS[name]:
            assert bars * stage.BAR % stage.MOVE_BEATS[MOVES.index(move)] == 0  # whole cycles
        used.update(moves)
    assert used == set(range(len(MOVES)))  # every move is danced


def test_no_move_follows_itself_and_every_combination_is_danced(steps):
    moves = np.array([s.move for s in steps])
    assert (moves[1:] != moves[:-1]).all()
    assert {s.combination for s in steps} == set(range(len(COMBINATION_NAMES)))
    assert len(steps) > 200_000


def test_combinations_are_danced_whole_and_often_mirrored(steps):
    """Steps come in whole combinations; a repeat is the same combination on the other side."""
    i, instances, repeats = 0, [], 0
    while i < len(steps) - 4:
        first = steps[i]
        moves = stage.combination_moves(first.combination)
        group = steps[i : i + len(moves)]
        assert [s.move for s in group] == list(moves)
        assert len({(s.combination, s.mirror, s.amplitude, s.repeat) for s in group}) == 1
        if first.repeat:
            before = instances[-1]
            assert before.combination == first.combination and before.mirror != first.mirror
            repeats += 1
        instances.append(first)
        i += len(moves)
    # a chorus is always mirrored; a verse's combination when it fits in what is left of the verse
    assert 0.3 < repeats / len(instances) < 0.5


def test_song_form_and_a_chorus_that_returns(steps):
    """Each song dances its sections in SONG_FORM's order and one chorus combination throughout;
    the next song's chorus differs."""
    chorus = SECTIONS.index("chorus")
    songs = {}
    for s in steps:
        songs.setdefault(s.song, []).append(s)
    choruses = []
    for number in sorted(songs)[:-1]:  # the last song is cut short
        song = songs[number]
        order = [song[0].section] + [b.section for a, b in zip(song, song[1:]) if b.section != a.section]
        assert [SECTIONS[k] for k in order] == list(stage.SONG_FORM)
        in_chorus = {s.combination for s in song if s.section == chorus}
        assert len(in_chorus) == 1
        assert not in_chorus & {s.combination for s in song if s.section != chorus}
        choruses.append(in_chorus.pop())
    assert all(a != b for a, b in zip(choruses, choruses[1:]))
    assert len(set(choruses)) >= 4


def test_each_step_carries_the_true_chance_of_its_move(steps):
    for s in steps[:5000]:
        assert s.chance.shape == (len(MOVES),) and s.chance.sum() == pytest.approx(1.0)
        assert s.chance[s.move] > 0
    inside = [s for s in steps[1:5000] if s.move != stage.combination_moves(s.combination)[0]]
    assert all(s.chance[s.move] == 1.0 for s in inside)  # inside a combination nothing is left to chance
    # where a new combination or a repeat is chosen, the choice is a real one
    firsts = [s for s in steps[1:5000] if s.section != SECTIONS.index("chorus") and s not in inside]
    assert np.mean([s.chance.max() < 1 for s in firsts]) > 0.9


def test_routine_frames_carry_phrase_truth():
    routine = stage.plan_routine(3600, seed=3)
    assert routine.counts.min() == 1 and routine.counts.max() == 8
    assert set(np.unique(routine.sections)) <= set(range(len(SECTIONS)))
    for step in routine.steps:
        frames = np.flatnonzero(routine.clock(np.arange(3600) / routine.fps) >= step.start)
        if len(frames):
            assert routine.combinations[frames[0]] == step.combination
    beats = routine.sections_by_beat(40)
    assert beats.shape == (40,) and (beats[:32] == SECTIONS.index("verse")).all()
    assert (beats[32:] == SECTIONS.index("chorus")).all()


def test_combination_chain_prefers_favourites_and_never_repeats():
    chain = stage.combination_chain()
    assert (np.diag(chain) == 0).all() and set(np.unique(chain)) == {0.0, 1.0, 3.0}
