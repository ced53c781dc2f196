"""Controls: dances that are not dancing, each failing the way it should; novelty tells copying apart."""

import numpy as np
import pytest

from dancenet import controls, measures


@pytest.fixture(scope="module")
def walk():
    """A smooth real-like dance: a random walk pulled back to 0, 8 dimensions."""
    rng = np.random.default_rng(0)
    codes = np.zeros((3000, 8), np.float32)
    for t in range(1, len(codes)):
        codes[t] = 0.95 * codes[t - 1] + 0.3 * rng.standard_normal(8)
    return codes


def test_each_control_is_what_it_says(walk):
    reals = np.stack([walk[2000:2300], walk[2300:2600], walk[2600:2900]])
    made = controls.code_controls(walk[:2000], reals, seed=1)
    assert list(made) == list(controls.CONTROLS)
    assert all(dances.shape == reals.shape for dances in made.values())
    frozen, jitter, replay, shuffled = made.values()
    assert measures.motion_energy(frozen[0]) == 0.0
    # jitter moves as much as real dancing (within 5 %) and stays around its pose
    assert measures.motion_energy(jitter[0]) == pytest.approx(measures.motion_energy(walk), rel=0.05)
    assert np.abs(jitter[0].mean(axis=0) - jitter[0, 0]).max() < 0.5
    # a replay is a stretch of the training codes, a shuffle the real dance's own codes reordered
    start = np.flatnonzero((walk[:2000] == replay[0, 0]).all(axis=1))[0]
    np.testing.assert_array_equal(replay[0], walk[start : start + 300])
    np.testing.assert_array_equal(np.sort(shuffled[1], axis=0), np.sort(reals[1], axis=0))
    assert measures.motion_energy(shuffled[1]) > 2 * measures.motion_energy(reals[1])


def test_novelty_is_zero_for_a_replay_and_grows_with_distance(walk):
    train = walk[:2000]
    assert controls.novelty(train[500:800], train) == pytest.approx(0.0, abs=1e-3)
    other = controls.novelty(walk[2000:2300], train)
    assert other > 0.5
    assert controls.novelty(walk[2000:2300] + 3.0, train) > 2 * other


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="real must be codes"):
        controls.frozen(np.zeros(5), 2, 10, rng)
    with pytest.raises(ValueError, match="needs at least as many training codes"):
        controls.replay(np.zeros((5, 2)), 2, 10, rng)
    with pytest.raises(ValueError, match="dancers must be a positive integer"):
        controls.frozen(np.zeros((5, 2)), 0, 10, rng)
