"""Uncertainty by resampling: how far a measured number could move had the data come out otherwise.

Every function here returns an :class:`Estimate` — the statistic of the data as measured, and a
95 % *percentile bootstrap* interval around it: the data's units (dancers, windows, frames: the
first axis, named by ``over``) are drawn with replacement ``resamples`` times, the statistic is
computed on each draw, and the interval is the middle 95 % of those values. The draws come from
``numpy.random.default_rng(seed)``, so one seed gives one interval.

- :func:`mean_interval` — a statistic (the mean unless told) of one sample;
- :func:`difference_interval` — the statistic of ``a`` minus that of ``b``, two samples resampled
  independently (or as pairs: ``paired=True``);
- :func:`block_interval` and :func:`block_difference_interval` — the same for a *time series*,
  resampling blocks of consecutive frames, since neighbouring frames are not independent;
- :func:`statistic_interval` — any statistic of one or more *sets* (a Fréchet distance between two
  sets of feature vectors, a total variation between two histograms' samples), each set's rows
  resampled.

A claim "A beats B" holds only when the interval of the difference excludes zero
(:meth:`Estimate.excludes`); a difference whose interval contains zero is *no measurable
difference*. The units must be independent for the interval to mean what it says: resample dancers
(independent generations) or windows far enough apart, or use the block bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: resamples for a cheap statistic (a mean of a few thousand numbers: milliseconds in all)
RESAMPLES = 2000
#: resamples for an expensive statistic of whole sets (a Fréchet distance: one eigendecomposition of
#: a features × features matrix per resample) — see :func:`statistic_interval`
SET_RESAMPLES = 200

# reductions that take ``axis=``: computed for a whole batch of resamples at once
_VECTORIZED = {np.mean, np.median, np.sum, np.std, np.var, np.min, np.max, np.nanmean}


@dataclass(frozen=True)
class Estimate:
    """A measured ``value`` and its ``level`` interval ``[low, high]``, from a bootstrap over ``n``
    units of ``over`` (``n`` is a tuple for two samples resampled independently).

    ``str(estimate)`` is ``"0.123 [0.101, 0.145]"``; :meth:`format` chooses the digits, and a format
    spec applies to all three numbers: ``f"{estimate:.1%}"`` gives ``"12.3% [10.1%, 14.5%]"``.
    """

    value: float
    low: float
    high: float
    level: float = 0.95
    over: str = "windows"
    n: int | tuple[int, ...] = 0

    def __post_init__(self):
        for name in ("value", "low", "high"):
            number = float(getattr(self, name))
            if math.isnan(number):
                raise ValueError(f"an estimate's {name} is NaN")
            object.__setattr__(self, name, number)
        if self.low > self.high:
            raise ValueError(f"an interval's low end {self.low} is above its high end {self.high}")
        _check_level(self.level)

    def excludes(self, x: float = 0.0) -> bool:
        """Whether ``x`` lies outside the interval: for a difference, ``excludes(0)`` is "a measurable
        difference"."""
        return not self.low <= x <= self.high

    def above(self, x: float) -> bool:
        """Whether the whole interval lies above ``x``."""
        return self.low > x

    def below(self, x: float) -> bool:
        """Whether the whole interval lies below ``x``."""
        return self.high < x

    @property
    def basis(self) -> str:
        """What the interval rests on, in words: ``"95 % interval over 40 windows"``."""
        count = " and ".join(map(str, self.n)) if isinstance(self.n, tuple) else str(self.n)
        return f"{self.level:.0%} interval over {count} {self.over}".replace("%", " %", 1)

    def format(self, digits: int = 3, spec: str | None = None) -> str:
        """``"value [low, high]"``: with ``spec`` (``".2f"``, ``".1%"``) each number is formatted by
        it; otherwise all three get one number of decimals — enough for ``digits`` significant
        digits of the largest, and for one fewer of the interval's width."""
        numbers = (self.value, self.low, self.high)
        if spec is None:
            decimals = _decimals(max(map(abs, numbers)), digits)
            if self.high - self.low > 1e-9 * max(map(abs, numbers)):
                decimals = max(decimals, _decimals(self.high - self.low, max(1, digits - 1)))
            spec = f".{min(decimals, 12)}f"
        value, low, high = (format(number, spec) for number in numbers)
        return f"{value} [{low}, {high}]"

    def __str__(self) -> str:
        return self.format()

    def __format__(self, spec: str) -> str:
        return self.format(spec=spec) if spec else self.format()


def mean_interval(
    values,
    over: str = "windows",
    statistic: Callable = np.mean,
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """The ``statistic`` (the mean unless told) of ``values`` and its interval, resampling the
    units along the first axis (``over`` names them: ``"dancers"``, ``"windows"``, ``"frames"``)."""
    values = _sample(values, "values")
    _check(level, resamples)
    rng = np.random.default_rng(seed)
    value = _statistic(statistic, values)
    draws = _resampled(statistic, values, rng.integers(0, len(values), (resamples, len(values))))
    return _estimate(value, draws, level, over, len(values))


def difference_interval(
    a,
    b,
    statistic: Callable = np.mean,
    paired: bool = False,
    over: str = "windows",
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """``statistic(a) − statistic(b)`` and its interval. The two samples are resampled
    independently (two generators' own dancers), or — ``paired=True``, equal lengths — by the same
    draw of indices (the same windows scored two ways), which removes what the pairs share."""
    a, b = _sample(a, "a"), _sample(b, "b")
    _check(level, resamples)
    rng = np.random.default_rng(seed)
    value = _statistic(statistic, a) - _statistic(statistic, b)
    if paired:
        if len(a) != len(b):
            raise ValueError(f"paired samples need one length; got {len(a)} and {len(b)}")
        index = rng.integers(0, len(a), (resamples, len(a)))
        draws = _resampled(statistic, a, index) - _resampled(statistic, b, index)
        return _estimate(value, draws, level, f"paired {over}", len(a))
    draws_a = _resampled(statistic, a, rng.integers(0, len(a), (resamples, len(a))))
    draws_b = _resampled(statistic, b, rng.integers(0, len(b), (resamples, len(b))))
    return _estimate(value, draws_a - draws_b, level, over, (len(a), len(b)))


def block_interval(
    series,
    block: int,
    statistic: Callable = np.mean,
    over: str = "frames",
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """The ``statistic`` of a time ``series`` and its interval by the moving-block bootstrap: each
    resample strings together blocks of ``block`` consecutive frames, starting anywhere, up to the
    series' length — so that what neighbouring frames share stays inside a block. Choose ``block``
    longer than the series' memory (a move, a bar); at least two blocks must fit."""
    series = _sample(series, "series")
    _check(level, resamples)
    rng = np.random.default_rng(seed)
    value = _statistic(statistic, series)
    draws = _resampled(statistic, series, _block_index(rng, len(series), block, resamples))
    return _estimate(value, draws, level, f"{over} in blocks of {block}", len(series))


def block_difference_interval(
    a,
    b,
    block: int,
    statistic: Callable = np.mean,
    over: str = "frames",
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """``statistic(a) − statistic(b)`` of two time series (two generators' dances), each resampled
    by blocks of ``block`` consecutive frames, independently (:func:`block_interval`)."""
    a, b = _sample(a, "a"), _sample(b, "b")
    _check(level, resamples)
    rng = np.random.default_rng(seed)
    value = _statistic(statistic, a) - _statistic(statistic, b)
    draws_a = _resampled(statistic, a, _block_index(rng, len(a), block, resamples))
    draws_b = _resampled(statistic, b, _block_index(rng, len(b), block, resamples))
    return _estimate(value, draws_a - draws_b, level, f"{over} in blocks of {block}", (len(a), len(b)))


def statistic_interval(
    statistic: Callable,
    *samples,
    over: str = "windows",
    paired: bool = False,
    level: float = 0.95,
    resamples: int = SET_RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """``statistic(*samples)`` — a number computed from whole sets, such as
    ``measures.frechet_distance(generated, real)`` — and its interval, each sample's rows
    resampled independently (or by one draw of indices, ``paired=True``).

    The cost is ``resamples`` calls of ``statistic``: a Fréchet distance between two sets of
    64-dimensional features takes a few milliseconds, so the default 200 resamples take about a
    second, and 2000 (steadier ends of the interval) ten times that. Raise ``resamples`` where the
    statistic is cheap.

    A statistic of sets may be *biased* under resampling: a resample repeats rows, so it holds
    fewer distinct points, and a Fréchet distance grows as its samples shrink — the interval of one
    distance can lie wholly above the distance measured (on 500 × 64 features: 4.9 [8.4, 9.7]), and
    says nothing then. Compare such numbers as a *difference* at one sample size, where the biases
    cancel: ``statistic_interval(lambda a, b, real: fd(a, real) − fd(b, real), a, b, real)``, the
    two generators' sets of one size against the same real set (and a real-vs-real floor of that
    size beside them).
    """
    if not samples:
        raise ValueError("statistic_interval needs at least one sample to resample")
    samples = [_sample(sample, f"sample {i + 1}") for i, sample in enumerate(samples)]
    _check(level, resamples)
    rng = np.random.default_rng(seed)
    if paired and len({len(s) for s in samples}) > 1:
        raise ValueError(f"paired samples need one length; got {[len(s) for s in samples]}")
    value = _statistic(statistic, *samples)
    draws = np.empty(resamples)
    for r in range(resamples):
        if paired:
            index = rng.integers(0, len(samples[0]), len(samples[0]))
            drawn = [s[index] for s in samples]
        else:
            drawn = [s[rng.integers(0, len(s), len(s))] for s in samples]
        draws[r] = _statistic(statistic, *drawn)
    n = len(samples[0]) if paired or len(samples) == 1 else tuple(len(s) for s in samples)
    return _estimate(value, draws, level, f"paired {over}" if paired else over, n)


# — the shared parts —


def _check_level(level) -> None:
    if not 0 < level < 1:
        raise ValueError(f"an interval's level is a probability strictly between 0 and 1; got {level}")


def _check(level, resamples) -> None:
    _check_level(level)
    needed = math.ceil(2 / (1 - level))
    if int(resamples) != resamples or resamples < needed:
        raise ValueError(
            f"a {level:.0%} interval needs at least {needed} resamples (a few in each tail); got {resamples}"
        )


def _sample(values, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim == 0:
        raise ValueError(f"{name} is one number; resampling needs a sample of units (an array)")
    if values.size == 0:
        raise ValueError(f"{name} is empty")
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinity: {int((~np.isfinite(values)).sum())} values")
    if values.dtype.kind not in "biufc":
        raise ValueError(f"{name} is not numbers: dtype {values.dtype}")
    if len(values) < 2:
        raise ValueError(f"{name} has {len(values)} unit; an interval needs at least 2 to resample")
    return values


def _statistic(statistic: Callable, *samples) -> float:
    value = np.asarray(statistic(*samples), dtype=np.float64)
    if value.ndim:
        raise ValueError(f"the statistic must return one number; it returned shape {value.shape}")
    if not np.isfinite(value):
        raise ValueError(f"the statistic returned {float(value)} on a sample")
    return float(value)


def _resampled(statistic: Callable, values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``statistic`` of ``values[row]`` for every row of ``index``; reductions of 1-D samples are
    computed in batches (a few million numbers at a time), anything else one resample at a time."""
    if statistic in _VECTORIZED and values.ndim == 1:
        batch = max(1, 4_000_000 // index.shape[1])
        return np.concatenate(
            [statistic(values[index[i : i + batch]], axis=1) for i in range(0, len(index), batch)]
        ).astype(np.float64)
    return np.array([_statistic(statistic, values[row]) for row in index])


def _block_index(rng: np.random.Generator, n: int, block: int, resamples: int) -> np.ndarray:
    if int(block) != block or block < 1:
        raise ValueError(f"a block is a whole number of frames ≥ 1; got {block}")
    if n // block < 2:
        raise ValueError(f"a series of {n} frames holds fewer than 2 blocks of {block}")
    count = -(-n // block)
    starts = rng.integers(0, n - block + 1, (resamples, count))
    return (starts[:, :, None] + np.arange(block)).reshape(resamples, -1)[:, :n]


def _estimate(value, draws, level, over, n) -> Estimate:
    if not np.isfinite(draws).all():
        raise ValueError("the statistic was not finite on some resamples")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Estimate(value, float(low), float(high), level, over, n)


def _decimals(magnitude: float, digits: int) -> int:
    """Decimals that show ``digits`` significant digits of ``magnitude`` (none for whole numbers)."""
    if magnitude == 0 or not math.isfinite(magnitude):
        return digits - 1
    return max(0, digits - 1 - math.floor(math.log10(magnitude)))
