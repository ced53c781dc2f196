"""What memory can buy: entropies that fall with context, a true process far above its first-order fit,
and real order far above its shuffle."""

import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import memory


@pytest.fixture(scope="module")
def table():
    return memory.memory_table()


def test_more_context_never_makes_the_next_move_harder_to_guess(table):
    values = list(table.values())
    assert list(table) == [
        "nothing",
        "current move",
        "last 2 moves",
        "last 4 moves",
        "last 8 moves",
        "true state",
    ]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[0] < np.log(len(stage.MOVES))  # the move mix is not uniform, nor far from it
    assert values[0] > 0.9 * np.log(len(stage.MOVES))
    assert table["current move"] - table["true state"] > 0.5  # the bar: memory is worth ≥ 0.5 nats


def test_plug_in_entropy_of_long_contexts_is_nearly_unbiased():
    """A plug-in entropy is optimistic when contexts are seen few times; counted on a quarter of the
    moves it is lower than on all of them by less than 0.05 nats, so on all of them the bias is
    smaller still."""
    moves = memory.step_moves(stage.long_run_steps())
    quarter = memory.conditional_entropy(moves[: len(moves) // 4], 8)
    whole = memory.conditional_entropy(moves, 8)
    assert 0 < whole - quarter < 0.05


def test_conditional_entropy_of_known_sequences():
    assert memory.conditional_entropy([0, 1] * 50, 1) == pytest.approx(0.0)
    assert memory.conditional_entropy([0, 1] * 50, 0) == pytest.approx(np.log(2))


def test_true_process_beats_its_first_order_fit_by_more_than_half_a_nat():
    result = memory.likelihood_table(seconds=40.0, dances=60)
    true, markov, shuffled = (
        result[k]["mean"] for k in ("true process", "first-order fit", "shuffled order")
    )
    assert true - markov > 0.5
    assert markov - shuffled > 1.0
    assert result["separation"] > 3.0


def test_true_log_probability_is_finite_and_at_most_zero():
    steps = stage.plan_routine(1200, seed=1).steps
    scores = memory.true_log_probabilities(steps)
    assert scores.shape == (len(steps) - 1,) and np.isfinite(scores).all() and (scores <= 0).all()


def test_shuffled_moves_keep_the_moves_and_never_repeat_one():
    moves = memory.step_moves(stage.plan_routine(3000, seed=2).steps)
    shuffled = memory.shuffled_moves(moves, np.random.default_rng(0))
    assert (shuffled[1:] != shuffled[:-1]).all()
    assert set(shuffled) <= set(moves) and len(shuffled) >= 0.8 * len(moves)


def test_first_order_fit_is_smoothed_and_stochastic():
    fit = memory.first_order_fit()
    np.testing.assert_allclose(fit.sum(axis=1), 1.0)
    assert (np.diag(fit) == 0).all() and (fit + np.eye(len(stage.MOVES)) > 0).all()


def test_routine_ngrams_sum_to_one():
    for n in (1, 2, 3):
        assert sum(memory.routine_ngrams(n).values()) == pytest.approx(1.0)
