"""Judges of structure: real dance on bar lines and in combinations; the controls fall where they should."""

import numpy as np
import pytest

from dancenet import stage, structure


@pytest.fixture(scope="module")
def dances():
    """Ten 3-minute real dances, each with its beats and tempo."""
    out = []
    for seed in range(10):
        routine = stage.plan_routine(5400, seed=500 + seed)
        out.append((structure.runs_of(routine.labels), routine.clock.beat_times(180.0), routine.bpm))
    return out


def mean_measures(dances, make=lambda runs, seed: runs):
    rows = [
        structure.structure_measures(make(runs, seed), 30.0, bpm, beats)
        for seed, (runs, beats, bpm) in enumerate(dances)
    ]
    means = {}
    for name in structure.MEASURES:
        judged = [r[name] for r in rows if not np.isnan(r[name])]  # NaN: nothing to judge
        means[name] = float(np.mean(judged)) if judged else float("nan")
    return means


def test_real_dance_changes_on_bar_lines_in_whole_combinations(dances):
    real = mean_measures(dances)
    assert real["on bar lines"] == 1.0
    assert real["combinations"] > 0.95
    assert real["returns"] > 0.4  # the chorus comes back


def test_controls_lose_what_they_should(dances):
    real = mean_measures(dances)
    markov = mean_measures(
        dances, lambda runs, seed: structure.markov_runs(runs, np.random.default_rng(seed))
    )
    shuffled = mean_measures(
        dances, lambda runs, seed: structure.shuffled_runs(runs, np.random.default_rng(seed))
    )
    runs, beats, bpm = dances[0]
    frozen = structure.structure_measures(structure.frozen_runs(runs), 30.0, bpm, beats)
    # the Markov control keeps the timing and the pairs, loses the phrases
    assert markov["on bar lines"] == 1.0 and markov["combinations"] < 0.6 < real["combinations"]
    assert markov["trigram TV"] > real["trigram TV"] + 0.05
    # the shuffle keeps only the mix: far off on everything ordered
    assert shuffled["combinations"] < 0.15 and shuffled["on bar lines"] < 0.85
    assert shuffled["bigram TV"] > markov["bigram TV"] > real["bigram TV"]
    assert frozen["combinations"] == 0.0 and frozen["trigram TV"] == 1.0
    assert np.isnan(frozen["on bar lines"]) and np.isnan(frozen["returns"])  # nothing to judge


def test_bar_line_share_counts_changes_within_half_a_beat():
    beats = np.arange(32) * 0.5  # 120 bpm, bars every 2 s
    assert structure.bar_line_share([2.0, 4.2, 6.0], beats) == 1.0  # 4.2 s is 0.4 beats late
    assert structure.bar_line_share([2.0, 5.0], beats) == 0.5  # 5.0 s is two beats from a bar line
    assert structure.bar_line_share([3.0, 5.0], beats, free_phase=True) == 1.0  # on the "three"
    assert structure.bar_line_share([2.3, 4.3, 6.3], beats, free_phase=True) == 1.0  # a constant lag
    assert np.isnan(structure.bar_line_share([], beats))
    with pytest.raises(ValueError, match="beats"):
        structure.bar_line_share([1.0], [0.0, 0.5])


def test_combinations_found_need_the_moves_and_their_bars():
    kicks = [stage.MOVES.index(m) for m in ("front_kick", "march", "side_kick")]
    frames_per_bar = 60  # 120 bpm at 30 fps
    idle = stage.MOVES.index("idle_bounce")
    runs = np.array([[idle, 60], [kicks[0], 60], [kicks[1], 60], [kicks[2], 120], [idle, 60]])
    assert (1, stage.COMBINATION_NAMES.index("kicks")) in structure.combinations_found(runs, 30.0, 120.0)
    assert structure.combination_share(runs, 30.0, 120.0) == 1.0
    runs[3, 1] = frames_per_bar  # a side kick of one bar is not the combination
    assert structure.combination_share(runs, 30.0, 120.0) == 0.0


def test_runs_of_and_bad_input():
    np.testing.assert_array_equal(structure.runs_of([3, 3, 1, 1, 1, 3]), [[3, 2], [1, 3], [3, 1]])
    with pytest.raises(ValueError, match="non-empty"):
        structure.runs_of([])


def test_ngram_distance_of_the_routine_itself_is_small():
    moves = np.array([s.move for s in stage.long_run_steps()])
    assert structure.ngram_distance(moves[:100_000], 3) < 0.02
    assert structure.ngram_distance(moves[:1], 2) == 1.0


class TruthReader:
    """A stand-in move judge for :func:`structure.floor_rows`: the "frames" it is given are the
    true labels, which it reads back as certain one-hot move probabilities."""

    def __call__(self, frames):
        return np.eye(len(stage.MOVES))[np.asarray(frames, int)]


def test_floor_rows_read_real_dances_and_their_controls(monkeypatch):
    from dancenet import judges, long_dance

    monkeypatch.setattr(judges, "move_probabilities", lambda judge, frames: judge(frames))
    reals = [
        long_dance.dance_codes(
            lambda images: images.mean(axis=(1, 2, 3))[:, None],
            3600,
            seed,
            8,
            video_size=(48, 80),
            image_size=(24, 40),
            stride=2,
            progress=False,
        )
        for seed in (1000, 1001, 1002)
    ]
    labels = {id(dance.codes): dance.labels for dance in reals}
    rows = structure.floor_rows(TruthReader(), lambda codes: labels[id(codes)], reals)
    assert list(rows) == [
        "real, true moves",
        "real, judged",
        "control: markov",
        "control: shuffled",
        "control: frozen",
    ]
    assert all(len(measured) == 3 for measured in rows.values())
    # a judge that reads the truth sees what the routine danced, bar the shortest runs it smooths away
    true, judged = (
        np.mean([m["combinations"] for m in rows[name]]) for name in ("real, true moves", "real, judged")
    )
    assert true > 0.9 and judged > 0.8
    shuffled = np.mean([m["combinations"] for m in rows["control: shuffled"]])
    assert shuffled < judged - 0.4
    assert all(m["combinations"] == 0.0 for m in rows["control: frozen"])

    table = structure.structure_table(rows)
    assert [row[0] for row in table.rows] == list(rows)
    first = table.rows[0][1 + structure.MEASURES.index("combinations")]
    assert first.low <= first.value <= first.high and first.value == pytest.approx(true)
    frozen_bar_lines = table.rows[-1][1]
    assert frozen_bar_lines != frozen_bar_lines  # NaN: a frozen dancer makes no change to place


def test_fresh_dances_are_new_routines_as_long_as_asked():
    class Small:
        frame_stride, video_size, image_size = 2, (48, 80), (24, 40)

    dances = structure.fresh_dances(lambda images: images.mean(axis=(1, 2, 3))[:, None], 2, 150, 8, Small())
    assert [d.seed for d in dances] == [structure.FLOOR_SEED, structure.FLOOR_SEED + 1]
    assert all(d.codes.shape == (150, 1) for d in dances)
    assert not np.array_equal(dances[0].labels, dances[1].labels)


def test_dance_verdict_says_everything_the_judge_reads():
    from dancenet import judges

    judge = judges.build_move_judge((24, 40))
    rng = np.random.default_rng(0)
    frames = rng.random((120, 24, 40, 1)).astype(np.float32)
    real_features = judges.judge_features(judge, rng.random((60, 24, 40, 1)).astype(np.float32))
    verdict = structure.dance_verdict(judge, frames, 15.0, 120.0, real_features)
    assert list(verdict) == [*structure.MEASURES, *structure.VERDICTS]
    assert 0 <= verdict["move TV"] <= 1 and 1 / len(stage.MOVES) <= verdict["confidence"] <= 1
    assert verdict["FJD"] >= 0
