"""Judges of structure: does a dance change moves on bar lines, string them into the routine's
combinations, and bring a combination back?

The move judge (:mod:`dancenet.judges`) reads which move each frame shows; this module reads the
order of those moves as a choreographer would. A dance arrives as *runs* ``(K, 2)`` of (move,
frames), what :func:`dancenet.judges.move_runs` returns for judged moves and :func:`runs_of` for
true labels. The measures, each per dance:

- ``on bar lines`` — the share of move changes within half a beat of a bar line;
- ``bigram TV`` and ``trigram TV`` — total variation between the dance's pairs (triples) of
  consecutive moves and the routine's long-run ones (:func:`dancenet.stage.memory.routine_ngrams`);
- ``combinations`` — the share of its moves that belong to a whole known combination, danced in
  order and for its bars;
- ``returns`` — the share of its combinations danced again at least a verse later (a chorus
  coming back; combinations of three or four moves). A chorus first returns a little over a
  minute into a song, so this needs dances of two minutes or more.

Controls tell what each measure means (:func:`controls`): a first-order Markov resampling of the
real move sequence (the mix and the pairs, no phrases), a shuffled order, and a frozen dancer. A
real floor compares real dance against *other* real dance of the same length.
"""

from __future__ import annotations

import numpy as np

from .stage import BAR, COMBINATION_NAMES, COMBINATIONS, MOVES, VERSE_COUNTS, combination_moves
from .stage.memory import ngram_distribution, routine_ngrams

#: the structure measures, in the order tables show them
MEASURES = ("on bar lines", "bigram TV", "trigram TV", "combinations", "returns")


def runs_of(labels) -> np.ndarray:
    """Runs ``(K, 2)`` of (move, frames) of a per-frame label sequence, as they are."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"expected a non-empty sequence of moves (N,), got shape {labels.shape}")
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts, ends = np.r_[0, edges], np.r_[edges, len(labels)]
    return np.column_stack([labels[starts], ends - starts]).astype(np.int64)


def change_times(runs, fps: float) -> np.ndarray:
    """The time (seconds) of each move change in ``runs``: where each run but the first begins."""
    return np.cumsum(np.asarray(runs)[:-1, 1]) / fps


def bar_line_share(times, beats, free_phase: bool = False) -> float:
    """The share of change ``times`` within half a beat of a bar line (NaN without a change).

    Bar lines are every :data:`~dancenet.stage.BAR`-th of the music's ``beats`` (seconds), from the
    first; ``free_phase`` slides the bar lines to where they catch the most changes (in steps of
    an eighth of a beat), for a dance without music or one judged with a lag. By chance a quarter
    of changes fall that close (somewhat more with the phase free, on a short dance).
    """
    times, beats = np.asarray(times, float), np.asarray(beats, float)
    if len(beats) < 2 * BAR:
        raise ValueError(f"need at least {2 * BAR} beats to place bar lines, got {len(beats)}")
    if len(times) == 0:
        return float("nan")
    phases = np.arange(0, BAR, 0.125) if free_phase else (0.0,)
    return max(_share_near(times, beats, phase) for phase in phases)


def _share_near(times: np.ndarray, beats: np.ndarray, phase: float) -> float:
    position = np.interp(times, beats, np.arange(len(beats)))  # in beats, between the music's beats
    from_bar = (position - phase) % BAR
    return float(np.mean(np.minimum(from_bar, BAR - from_bar) <= 0.5))


def ngram_distance(moves, n: int) -> float:
    """Total variation between the ``n``-grams of a sequence of moves and the routine's: 1 for a
    dance of fewer than ``n`` moves, which shares none of them."""
    moves = np.asarray(moves)
    if len(moves) < n:
        return 1.0
    ours, routine = ngram_distribution(moves, n), routine_ngrams(n)
    grams = set(ours) | set(routine)
    return 0.5 * float(sum(abs(ours.get(g, 0.0) - routine.get(g, 0.0)) for g in grams))


def _patterns() -> list[tuple[int, tuple[tuple[int, int], ...]]]:
    """Each combination as (index, ((move, bars), …))."""
    return [
        (c, tuple((MOVES.index(move), bars) for move, bars in COMBINATIONS[name]))
        for c, name in enumerate(COMBINATION_NAMES)
    ]


def combinations_found(runs, fps: float, bpm: float) -> list[tuple[int, int]]:
    """Where whole known combinations are danced in ``runs``: ``[(first run, combination)]``.

    A run's length in bars is its frames at ``fps`` in beats of ``bpm``, over BAR, rounded; a
    combination is found where its moves follow one another with its lengths. The first and last
    runs, cut by the dance's ends, may be shorter than their bars.
    """
    runs = np.asarray(runs)
    bars = np.rint(runs[:, 1] / fps * bpm / 60 / BAR).astype(int)
    found = []
    for c, pattern in _patterns():
        length = len(pattern)
        for i in range(len(runs) - length + 1):
            if all(runs[i + k, 0] == move for k, (move, _) in enumerate(pattern)) and all(
                bars[i + k] == b or (i + k in (0, len(runs) - 1) and bars[i + k] <= b)
                for k, (_, b) in enumerate(pattern)
            ):
                found.append((i, c))
    return sorted(found)


def combination_share(runs, fps: float, bpm: float) -> float:
    """The share of the dance's moves (runs, the cut ones at its ends left out) that belong to a
    whole known combination (:func:`combinations_found`); 0 for a dance of fewer than three runs,
    which holds no whole combination inside its ends."""
    runs = np.asarray(runs)
    if len(runs) < 3:
        return 0.0
    covered = np.zeros(len(runs), bool)
    for first, c in combinations_found(runs, fps, bpm):
        covered[first : first + len(combination_moves(c))] = True
    return float(covered[1:-1].mean())


def return_share(runs, fps: float, bpm: float) -> float:
    """The share of found combinations of three or four moves (as every chorus is) danced again at
    least a verse (:data:`VERSE_COUNTS` beats) after they began — a chorus coming back, not the
    mirrored repeat right after; NaN if none is found. (A two-move combination is one pair of
    moves, which any first-order chain repeats by itself.)"""
    runs = np.asarray(runs)
    found = [(i, c) for i, c in combinations_found(runs, fps, bpm) if len(combination_moves(c)) >= 3]
    if not found:
        return float("nan")
    starts = np.r_[0, np.cumsum(runs[:, 1])] / fps * bpm / 60  # in beats
    returned = [any(c2 == c and starts[i2] - starts[i] >= VERSE_COUNTS for i2, c2 in found) for i, c in found]
    return float(np.mean(returned))


def structure_measures(runs, fps: float, bpm: float, beats=None) -> dict[str, float]:
    """The structure judges of one dance (see the module's docstring), in the order of
    :data:`MEASURES`. ``beats`` are the music's beat times; a dance without music is measured
    against a steady grid at ``bpm`` with its phase free."""
    runs = np.asarray(runs)
    duration = runs[:, 1].sum() / fps
    free = beats is None
    if free:
        beats = np.arange(0.0, duration + 60.0 / bpm * (BAR + 1), 60.0 / bpm)
    moves = runs[:, 0]
    return {
        "on bar lines": bar_line_share(change_times(runs, fps), beats, free_phase=free),
        "bigram TV": ngram_distance(moves, 2),
        "trigram TV": ngram_distance(moves, 3),
        "combinations": combination_share(runs, fps, bpm),
        "returns": return_share(runs, fps, bpm),
    }


def markov_runs(runs, rng) -> np.ndarray:
    """A first-order Markov resampling of a dance: the same run lengths, in order, with moves drawn
    from the chain fitted to the dance's own changes (starting from its first move). It keeps the
    mix of moves, which move follows which and the timing, and loses everything longer."""
    runs = np.asarray(runs).copy()
    moves = runs[:, 0]
    counts = np.zeros((len(MOVES), len(MOVES)))
    np.add.at(counts, (moves[:-1], moves[1:]), 1.0)
    for k in range(1, len(runs)):
        row = counts[runs[k - 1, 0]]
        runs[k, 0] = rng.choice(len(MOVES), p=row / row.sum()) if row.sum() else moves[k]
    return runs


def shuffled_runs(runs, rng) -> np.ndarray:
    """The dance's runs in a random order (the mix and the timing, no order at all); neighbours
    that land on the same move become one run."""
    runs = np.asarray(runs)[rng.permutation(len(runs))]
    keep = np.r_[True, runs[1:, 0] != runs[:-1, 0]]
    owner = np.cumsum(keep) - 1
    return np.column_stack([runs[keep, 0], np.bincount(owner, weights=runs[:, 1]).astype(np.int64)])


def frozen_runs(runs) -> np.ndarray:
    """A dancer who never changes move: one run, the dance's first move, for the whole length."""
    runs = np.asarray(runs)
    return np.array([[runs[0, 0], runs[:, 1].sum()]], np.int64)


def controls(runs, seed: int = 0) -> dict[str, np.ndarray]:
    """The three controls of a real dance ``runs``: ``markov``, ``shuffled`` and ``frozen``."""
    rng = np.random.default_rng(seed)
    return {
        "markov": markov_runs(runs, rng),
        "shuffled": shuffled_runs(runs, rng),
        "frozen": frozen_runs(runs),
    }


# — dances as the move judge reads them, beside a real floor and its controls —

#: the first routine of the real floor's dances: fresh routines that no model learned from (the
#: long dance is routine 9, the held-out dance 10)
FLOOR_SEED = 1000
#: the routine a choice is made on (chapter 8's temperature), so that the dances that score the
#: choice are not the ones it was made on
VALIDATION_SEED = 11


def judged_runs(judge, frames, fps: float) -> np.ndarray:
    """The runs of moves the move judge reads in a dance's ``frames`` (decoded silhouettes), its
    wavering between neighbouring clips removed (:func:`dancenet.judges.move_runs`)."""
    from . import judges

    moves = judges.move_probabilities(judge, frames).argmax(axis=1)
    return judges.move_runs(moves, judges.shortest_run(fps))


def judged_measures(judge, dances, fps: float, bpm: float) -> list[dict[str, float]]:
    """:func:`structure_measures` of each dance in ``dances`` (an iterable of frame arrays), as the
    judge reads it: one dict per dance, so that intervals can be taken over dancers."""
    return [structure_measures(judged_runs(judge, frames, fps), fps, bpm) for frames in dances]


def fresh_dances(encode, count: int, codes: int, dancer_seed: int, profile, first: int = FLOOR_SEED) -> list:
    """``count`` real dances of ``codes`` codes each: routines ``first``, ``first + 1``, … danced by
    the stage dancer ``dancer_seed``, rendered and encoded as the long dance is
    (:func:`dancenet.long_dance.dance_codes`). Disjoint from everything the models learned from or
    were scored on, and as long as the generated dances they are compared with."""
    from .long_dance import dance_codes

    return [
        dance_codes(
            encode,
            codes * profile.frame_stride,
            seed,
            dancer_seed,
            video_size=profile.video_size,
            image_size=profile.image_size,
            stride=profile.frame_stride,
            progress=False,
        )
        for seed in range(first, first + count)
    ]


def floor_rows(judge, decode, reals: list, seed: int = 0) -> dict[str, list[dict[str, float]]]:
    """The rows every structure table starts with, from real dances ``reals``
    (:func:`fresh_dances`; ``decode`` turns their codes into frames): their true moves (what the
    routine danced), the judge's reading of them decoded (the real floor, which every generated
    dance is read alike), and the three controls of that reading (:func:`controls`)."""
    rows: dict[str, list[dict[str, float]]] = {"real, true moves": [], "real, judged": []}
    for k, dance in enumerate(reals):
        rows["real, true moves"].append(structure_measures(runs_of(dance.labels), dance.fps, dance.bpm))
        runs = judged_runs(judge, decode(dance.codes), dance.fps)
        rows["real, judged"].append(structure_measures(runs, dance.fps, dance.bpm))
        for name, control in controls(runs, seed=seed + k).items():
            rows.setdefault(f"control: {name}", []).append(structure_measures(control, dance.fps, dance.bpm))
    return rows


def measure_intervals(measured: list[dict[str, float]], measure: str):
    """The mean of ``measure`` over dances with its 95 % interval over dancers
    (:class:`~dancenet.intervals.Estimate`); NaN where fewer than two dances have a value (a
    frozen dancer has no change to place on a bar line)."""
    from .intervals import mean_interval

    values = np.array([m[measure] for m in measured], float)
    values = values[~np.isnan(values)]
    return mean_interval(values, over="dancers") if len(values) > 1 else float("nan")


def structure_table(rows: dict[str, list[dict[str, float]]], measures=MEASURES):
    """A :class:`~dancenet.tables.Table` of ``rows`` (name → one dict per dance): each measure's
    mean over dances with its 95 % interval over dancers."""
    from .tables import Table

    table = Table({"dances": None, **dict.fromkeys(measures, "")})
    for name, measured in rows.items():
        table.add(name, *(measure_intervals(measured, m) for m in measures))
    return table


#: what :func:`dance_verdict` says of a dance beside the structure measures
VERDICTS = ("move TV", "confidence", "FJD")


def dance_verdict(judge, frames, fps: float, bpm: float, real_features) -> dict[str, float]:
    """Everything the move judge says of one dance's ``frames``: the structure measures
    (:data:`MEASURES`), its ``move TV`` (total variation between the time spent in each judged move
    and the routine's long-run share), its ``confidence`` (the judge's mean top probability) and
    its ``FJD`` (Fréchet judge distance to ``real_features``, the judge's features of real frames,
    on equal numbers of clips: :func:`dancenet.judges.frechet_judge_distance`)."""
    from . import judges
    from .stage import long_run_moves

    probabilities = judges.move_probabilities(judge, frames)
    runs = judges.move_runs(probabilities.argmax(axis=1), judges.shortest_run(fps))
    features = judges.judge_features(judge, frames)
    return {
        **structure_measures(runs, fps, bpm),
        "move TV": judges.total_variation(judges.move_histogram(runs), long_run_moves()),
        "confidence": float(probabilities.max(axis=1).mean()),
        "FJD": judges.frechet_judge_distance(features, real_features),
    }
