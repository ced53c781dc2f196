"""Intervals by resampling: they cover what they should, widen where the data are dependent, and
refuse what cannot be resampled."""

import numpy as np
import pytest

from dancenet import intervals
from dancenet.intervals import Estimate
from dancenet.measures import frechet_distance


def test_an_estimate_reads_value_low_high():
    estimate = Estimate(0.123, 0.101, 0.145, over="dancers", n=40)
    assert str(estimate) == "0.123 [0.101, 0.145]"
    assert f"{estimate:.1%}" == "12.3% [10.1%, 14.5%]"
    assert estimate.format(digits=2) == "0.12 [0.10, 0.14]"
    assert estimate.basis == "95 % interval over 40 dancers"
    assert str(Estimate(1234.5, 1101.2, 1450.9)) == "1234 [1101, 1451]"
    # a narrow interval keeps the digits that tell its ends apart
    assert str(Estimate(0.50115, 0.50108, 0.50122)) == "0.50115 [0.50108, 0.50122]"


def test_an_estimate_knows_which_side_of_a_number_it_lies():
    difference = Estimate(-0.03, -0.05, -0.01)
    assert difference.excludes(0) and difference.below(0) and not difference.above(0)
    straddling = Estimate(0.01, -0.02, 0.04)
    assert not straddling.excludes(0) and not straddling.below(0) and not straddling.above(0)
    assert Estimate(0.2, 0.1, 0.3).above(0.05) and not Estimate(0.2, 0.1, 0.3).above(0.1)


def test_an_estimate_with_its_ends_reversed_or_nan_is_refused():
    with pytest.raises(ValueError, match="low end"):
        Estimate(0.1, 0.2, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        Estimate(float("nan"), 0.0, 1.0)
    with pytest.raises(ValueError, match="level"):
        Estimate(0.1, 0.0, 0.2, level=95)


def test_the_interval_of_a_mean_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    trials = 200
    covered = sum(
        intervals.mean_interval(rng.normal(3.0, 2.0, 50), seed=trial).excludes(3.0) is False
        for trial in range(trials)
    )
    assert 0.90 <= covered / trials <= 0.99


def test_the_interval_narrows_as_the_sample_grows_and_holds_the_sample_mean():
    rng = np.random.default_rng(0)
    small, large = rng.normal(size=25), rng.normal(size=2500)
    narrow, wide = intervals.mean_interval(large), intervals.mean_interval(small)
    assert narrow.low < narrow.value < narrow.high and narrow.value == pytest.approx(large.mean())
    assert (narrow.high - narrow.low) < (wide.high - wide.low) / 5  # √100 = 10, with room
    assert (narrow.n, narrow.over) == (2500, "windows")


def test_one_seed_gives_one_interval_and_the_batched_mean_matches_one_at_a_time():
    values = np.random.default_rng(1).exponential(size=60)
    assert intervals.mean_interval(values, seed=3) == intervals.mean_interval(values, seed=3)
    assert intervals.mean_interval(values, seed=3) != intervals.mean_interval(values, seed=4)
    batched = intervals.mean_interval(values, resamples=500)
    one_by_one = intervals.mean_interval(values, statistic=lambda x: float(np.mean(x)), resamples=500)
    assert (batched.low, batched.high) == pytest.approx((one_by_one.low, one_by_one.high))


def test_a_median_and_samples_of_vectors_can_be_resampled():
    rng = np.random.default_rng(2)
    median = intervals.mean_interval(rng.normal(5, 1, 101), statistic=np.median, over="frames")
    assert median.low < 5 < median.high and median.over == "frames"
    vectors = rng.normal(0, 1, (80, 3)) + [2, 0, 0]
    norm = intervals.mean_interval(vectors, statistic=lambda v: np.linalg.norm(v.mean(axis=0)), resamples=300)
    assert norm.low < 2 < norm.high and norm.n == 80


def test_a_clear_difference_excludes_zero_and_a_null_one_does_not():
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(1.0, 0.3, 40), rng.normal(1.4, 0.3, 35), rng.normal(1.0, 0.3, 40)
    clear = intervals.difference_interval(a, b, over="dancers")
    assert clear.below(0) and clear.low < -0.4 < clear.high and clear.n == (40, 35)
    assert clear.value == pytest.approx(a.mean() - b.mean())
    assert not intervals.difference_interval(a, c).excludes(0)


def test_pairing_removes_what_the_pairs_share():
    rng = np.random.default_rng(4)
    windows = rng.normal(0, 1.0, 60)  # how hard each window is: shared by both scores
    a, b = windows + rng.normal(0, 0.05, 60), windows + 0.1 + rng.normal(0, 0.05, 60)
    assert not intervals.difference_interval(a, b).excludes(0)
    paired = intervals.difference_interval(a, b, paired=True)
    assert paired.below(0) and paired.over == "paired windows" and paired.n == 60
    with pytest.raises(ValueError, match="one length"):
        intervals.difference_interval(a, b[:-1], paired=True)


def ar1(n, phi, rng):
    series = np.zeros(n)
    noise = rng.normal(size=n)
    for t in range(1, n):
        series[t] = phi * series[t - 1] + noise[t]
    return series


def test_blocks_widen_the_interval_of_a_series_whose_neighbours_are_alike():
    rng = np.random.default_rng(5)
    series = ar1(3000, 0.9, rng)
    naive = intervals.mean_interval(series, over="frames")
    blocks = intervals.block_interval(series, 100)
    # neighbouring frames share most of their value: the true standard error is about
    # √((1 + φ)/(1 − φ)) ≈ 4.4 times what resampling single frames claims
    assert (blocks.high - blocks.low) > 2.5 * (naive.high - naive.low)
    assert blocks.over == "frames in blocks of 100" and blocks.value == pytest.approx(series.mean())
    # for independent frames, blocks change little
    white = rng.normal(size=3000)
    white_blocks, white_frames = intervals.block_interval(white, 100), intervals.mean_interval(white)
    ratio = (white_blocks.high - white_blocks.low) / (white_frames.high - white_frames.low)
    assert 0.7 < ratio < 1.4


def test_the_block_difference_of_two_series():
    rng = np.random.default_rng(6)
    calm, lively = ar1(2000, 0.8, rng), ar1(2000, 0.8, rng) + 1.5
    difference = intervals.block_difference_interval(calm, lively, 50)
    assert difference.below(0) and difference.low < -1.5 < difference.high and difference.n == (2000, 2000)
    with pytest.raises(ValueError, match="fewer than 2 blocks"):
        intervals.block_interval(calm[:150], 100)


def test_a_frechet_distance_compared_at_one_size_by_resampling_whole_sets():
    rng = np.random.default_rng(8)
    real, same, shifted = (rng.normal(size=(300, 16)) for _ in range(3))
    shifted = shifted + 0.3
    closer = intervals.statistic_interval(
        lambda a, b, r: frechet_distance(a, r) - frechet_distance(b, r), same, shifted, real, resamples=100
    )
    assert closer.below(0) and closer.n == (300, 300, 300)
    assert closer.value == pytest.approx(frechet_distance(same, real) - frechet_distance(shifted, real))
    null = intervals.statistic_interval(
        lambda a, b, r: frechet_distance(a, r) - frechet_distance(b, r),
        same,
        rng.normal(size=(300, 16)),
        real,
        resamples=100,
    )
    assert not null.excludes(0)


def test_a_statistic_of_paired_sets_uses_one_draw_for_all():
    rng = np.random.default_rng(9)
    x = rng.normal(size=200)
    y = x + rng.normal(0, 0.1, 200)
    correlation = intervals.statistic_interval(lambda a, b: np.corrcoef(a, b)[0, 1], x, y, paired=True)
    assert correlation.above(0.98) and correlation.over == "paired windows" and correlation.n == 200
    with pytest.raises(ValueError, match="one length"):
        intervals.statistic_interval(np.subtract, x, y[:-1], paired=True)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: intervals.mean_interval([]), "empty"),
        (lambda: intervals.mean_interval([1.0, np.nan, 2.0]), "NaN"),
        (lambda: intervals.mean_interval([1.0, np.inf]), "NaN or infinity"),
        (lambda: intervals.mean_interval([1.0]), "at least 2"),
        (lambda: intervals.mean_interval(3.0), "one number"),
        (lambda: intervals.mean_interval(["a", "b"]), "not numbers"),
        (lambda: intervals.mean_interval([1.0, 2.0], level=1.0), "strictly between 0 and 1"),
        (lambda: intervals.mean_interval([1.0, 2.0], level=0), "strictly between 0 and 1"),
        (lambda: intervals.mean_interval([1.0, 2.0], resamples=10), "at least 40 resamples"),
        (lambda: intervals.difference_interval([1.0, 2.0], []), "b is empty"),
        (lambda: intervals.block_interval(np.arange(10.0), 0), "block"),
        (lambda: intervals.statistic_interval(np.mean), "at least one sample"),
        (lambda: intervals.mean_interval(np.ones((5, 2)), statistic=lambda v: v.mean(axis=0)), "one number"),
    ],
)
def test_what_cannot_be_resampled_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
