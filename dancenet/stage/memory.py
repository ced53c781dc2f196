"""What memory can buy: how predictable the routine's next move is, given more and more of its past.

The routine (:mod:`.phrases`) draws every choice from an explicit distribution, so the entropy of
its next move given its true state is known exactly, step by step. Between "nothing" and "the true
state" lie the contexts a sequence model can see: the current move (a first-order Markov chain),
the last 2, 4 or 8 moves. Each is counted on :func:`.routine.long_run_steps`, about 230,000 moves,
as a plug-in estimate. For the longest contexts a plug-in estimate is optimistic (a context seen
only a few times looks more certain than it is); at this length the bias is a few hundredths of a
nat, which the tests bound.

All figures are per move change, in nats.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict

import numpy as np

from .moves import MOVES
from .routine import long_run_steps, plan_routine

#: the lengths of past context the memory table reports
CONTEXTS = (1, 2, 4, 8)


def step_moves(steps) -> np.ndarray:
    """The move of each step ``(K,)``: the dance as a sequence of moves, one per change."""
    return np.array([step.move for step in steps], np.int64)


def conditional_entropy(moves, context: int) -> float:
    """The plug-in entropy (nats) of the next move given the previous ``context`` moves (0: none),
    over a sequence of moves ``(K,)``."""
    moves = np.asarray(moves)
    following: dict[tuple, Counter] = defaultdict(Counter)
    for i in range(context, len(moves)):
        following[tuple(moves[i - context : i])][moves[i]] += 1
    total, entropy = 0, 0.0
    for counter in following.values():
        counts = np.array(list(counter.values()), float)
        n = counts.sum()
        entropy += -(counts * np.log(counts / n)).sum()
        total += n
    return float(entropy / total)


def true_state_entropy(steps) -> float:
    """The mean entropy (nats) of the next move given the routine's true state, exactly: the
    entropy of each step's :attr:`~.phrases.Step.chance`, averaged over the steps after the first."""
    entropies = []
    for step in steps[1:]:
        p = step.chance[step.chance > 0]
        entropies.append(-(p * np.log(p)).sum())
    return float(np.mean(entropies))


def memory_table() -> dict[str, float]:
    """The entropy of the routine's next move given each kind of context, in nats per change:
    ``nothing``, ``current move``, ``last 2 moves``, ``last 4 moves``, ``last 8 moves`` and
    ``true state`` (which includes what no dance shows: the song's chorus before it is danced)."""
    steps = long_run_steps()
    moves = step_moves(steps)
    table = {"nothing": conditional_entropy(moves, 0), "current move": conditional_entropy(moves, 1)}
    for k in CONTEXTS[1:]:
        table[f"last {k} moves"] = conditional_entropy(moves, k)
    table["true state"] = true_state_entropy(steps)
    return table


def true_log_probabilities(steps) -> np.ndarray:
    """The log-probability of each change ``(K − 1,)`` under the routine's own process."""
    return np.log([step.chance[step.move] for step in steps[1:]])


@functools.lru_cache(maxsize=1)
def first_order_fit() -> np.ndarray:
    """The routine's first-order fit ``(M, M)`` with add-one (Laplace) smoothing: from each move,
    the changes counted over :func:`.routine.long_run_steps`, plus one for every other move, so a
    change never seen there (a pair no combination joins) still has a small, finite chance."""
    moves = step_moves(long_run_steps())
    counts = np.ones((len(MOVES), len(MOVES)))
    np.fill_diagonal(counts, 0.0)
    np.add.at(counts, (moves[:-1], moves[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def markov_log_probabilities(moves, matrix=None) -> np.ndarray:
    """The log-probability of each change ``(K − 1,)`` of a sequence of moves under a first-order
    fit: :func:`first_order_fit` unless another row-stochastic ``matrix`` is given."""
    matrix = first_order_fit() if matrix is None else np.asarray(matrix, float)
    moves = np.asarray(moves)
    return np.log(matrix[moves[:-1], moves[1:]])


def shuffled_moves(moves, rng) -> np.ndarray:
    """The same moves in a random order, neighbours of the same move joined (a move never
    follows itself in the routine)."""
    shuffled = rng.permutation(np.asarray(moves))
    keep = np.r_[True, shuffled[1:] != shuffled[:-1]]
    return shuffled[keep]


def likelihood_table(seconds: float = 40.0, dances: int = 200, fps: float = 30.0) -> dict:
    """The log-probability per change of real dances of ``seconds`` (fresh routines, seeds
    ``0 … dances − 1``) under the true process and under the first-order fit, and of the same
    moves shuffled under the first-order fit; each ``{"mean": …, "sd": …}`` over the dances.

    Two separations of real order from its shuffle, for a judge that knows only which move
    follows which (the first-order fit): ``separation`` is the mean gap between a dance's score and
    its own shuffle's, in standard deviations of that gap over dances (how surely one dance of
    this length tells real order from random); ``separation in SE of a real dance`` is the same
    gap in standard deviations of the real order's score alone.
    """
    true, markov, shuffled = [], [], []
    for seed in range(dances):
        steps = plan_routine(round(seconds * fps), fps=fps, seed=seed).steps
        moves = step_moves(steps)
        true.append(true_log_probabilities(steps).mean())
        markov.append(markov_log_probabilities(moves).mean())
        shuffled.append(markov_log_probabilities(shuffled_moves(moves, np.random.default_rng(seed))).mean())
    summary = lambda values: {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1))}  # noqa: E731
    gap = np.array(markov) - np.array(shuffled)
    return {
        "true process": summary(true),
        "first-order fit": summary(markov),
        "shuffled order": summary(shuffled),
        "separation": float(gap.mean() / gap.std(ddof=1)),
        "separation in SE of a real dance": float(gap.mean() / np.std(markov, ddof=1)),
    }


def ngram_distribution(moves, n: int) -> dict[tuple, float]:
    """The share of each run of ``n`` consecutive moves in a sequence of moves."""
    moves = np.asarray(moves)
    counter = Counter(tuple(moves[i : i + n]) for i in range(len(moves) - n + 1))
    total = sum(counter.values())
    return {gram: count / total for gram, count in counter.items()}


@functools.lru_cache(maxsize=4)
def routine_ngrams(n: int) -> dict[tuple, float]:
    """The routine's long-run share of each run of ``n`` moves, counted over
    :func:`.routine.long_run_steps`."""
    return ngram_distribution(step_moves(long_run_steps()), n)


__all__ = [
    "CONTEXTS",
    "first_order_fit",
    "conditional_entropy",
    "likelihood_table",
    "markov_log_probabilities",
    "memory_table",
    "ngram_distribution",
    "routine_ngrams",
    "shuffled_moves",
    "step_moves",
    "true_log_probabilities",
    "true_state_entropy",
]
