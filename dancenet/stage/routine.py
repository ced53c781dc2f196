"""The routine: the stage's scripted dance, named moves danced in combinations, in counts of eight,
in the form of a song (:mod:`.phrases`), with human timing on the beat.

A routine is planned at random from a seed and is the ground truth of the stage video. (The word
"choreography" is kept for the dances the model generates: :mod:`dancenet.choreography`.)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ._checks import _TAG_DANCE, _check_count, _check_seed
from .moves import MOVE_BEATS, MOVES, move_pose
from .phrases import BAR, COUNTS, Step, plan_steps
from .pose import _INDEX, _TURN, POSE_FIELDS, TAU, wrap_angle


@dataclass(frozen=True, eq=False)
class Routine:
    """The scripted dance, frame by frame: poses, the move dominating each frame and its phase, and
    the phrase structure around it (combination, count, section), with the steps that made it."""

    poses: np.ndarray  # (N, P) float32, fields as POSE_FIELDS
    labels: np.ndarray  # (N,) int16, index into MOVES
    phase: np.ndarray  # (N,) float32 in [0, 1): phase of the labelled move
    bpm: float
    fps: float
    segments: list  # (start frame, move name, mirror, amplitude) per step, in order
    clock: BeatClock  # the beat position at any time: where the music's beats fall
    combinations: np.ndarray  # (N,) int16, index into COMBINATION_NAMES
    counts: np.ndarray  # (N,) int8, the count within the phrase of eight, 1..8
    sections: np.ndarray  # (N,) int8, index into SECTIONS
    steps: list  # the Step of each move danced, in order

    def sections_by_beat(self, n_beats: int) -> np.ndarray:
        """The section ``(n_beats,)`` that each beat 0, 1, 2, … falls in (what the music plays)."""
        starts = np.array([step.start for step in self.steps])
        owner = np.searchsorted(starts, np.arange(n_beats), side="right") - 1
        return np.array([step.section for step in self.steps], np.int8)[np.maximum(owner, 0)]


def _step_poses(step: Step, beat: np.ndarray) -> np.ndarray:
    """A step's poses at the given beats (before its start, the phase wraps)."""
    phase = (beat - step.start) / MOVE_BEATS[step.move] % 1.0
    return move_pose(step.move, phase, step.amplitude, step.mirror)


@dataclass(frozen=True)
class BeatClock:
    """Where the routine is in its beats at any time: 0, 1, 2, ... on the beats, with human timing.

    The tempo wobbles slowly by a few hundredths of a beat, and swing makes the first half of
    each beat a little slower than the second (a smooth, monotone warp within the beat that
    leaves the beats themselves where they were). The music of the stage keeps this clock too.
    """

    bpm: float
    wobble: float
    period: float
    offset: float
    swing: float

    @classmethod
    def random(cls, bpm: float, rng) -> BeatClock:
        wobble, period, offset = rng.uniform(0.02, 0.05), rng.uniform(6.0, 12.0), rng.uniform(0, TAU)
        return cls(bpm, wobble, period, offset, rng.uniform(0.0, 0.18))

    def __call__(self, seconds) -> np.ndarray:
        """The beat position at each time in ``seconds``."""
        t = np.asarray(seconds, dtype=float)
        beat = t * self.bpm / 60 + self.wobble * (
            np.sin(TAU * t / self.period + self.offset) - np.sin(self.offset)
        )
        whole = np.floor(beat)
        frac = beat - whole
        return whole + frac - self.swing / TAU * np.sin(TAU * frac)

    def beat_times(self, duration: float) -> np.ndarray:
        """The times (seconds) of every beat in ``[0, duration)``, to a microsecond or better."""
        times = self.times_of(np.arange(np.floor(self(duration)) + 1), duration + 1.0)
        return times[times < duration]

    def times_of(self, beats, latest: float) -> np.ndarray:
        """The times (seconds) at which the clock reads ``beats`` (all reached before ``latest``)."""
        beats = np.asarray(beats, dtype=float)
        low, high = np.zeros_like(beats), np.full_like(beats, latest)
        for _ in range(60):  # bisection: the clock is strictly increasing
            middle = (low + high) / 2
            below = self(middle) < beats
            low, high = np.where(below, middle, low), np.where(below, high, middle)
        return (low + high) / 2


#: how far the dancer wanders sideways from the stage center, in body heights
TRAVEL = 0.42
#: how far any move reaches sideways from the dancer's path, in body heights (measured, rounded up)
REACH = 0.58


def _travel(n_frames: int, fps: float, rng) -> np.ndarray:
    """The dancer's sideways path across the stage (body heights), one value per frame.

    A sweep from side to side and back every 6 to 10 seconds, at a varying pace. Without it
    the dancer would cover the middle of the stage in most frames, and no background model
    could ever see it empty.
    """
    t = np.arange(n_frames) / fps
    period, slow, offset = rng.uniform(6.0, 10.0), rng.uniform(15.0, 30.0), rng.uniform(0, TAU, 2)
    angle = TAU * t / period + 0.7 * np.sin(TAU * t / slow + offset[0]) + offset[1]
    return TRAVEL * np.sin(angle)


#: the tempi a routine is danced at when none is given, in beats per minute
TEMPO_RANGE = (96.0, 132.0)


def shortest_move_seconds() -> float:
    """How long the briefest move of any routine lasts: one bar, at the fastest tempo."""
    return BAR * 60.0 / TEMPO_RANGE[1]


#: beats of routine simulated to find its long-run statistics: about 230,000 moves, 4,000 songs
LONG_RUN_BEATS = 1_000_000


@functools.lru_cache(maxsize=1)
def long_run_steps() -> tuple[Step, ...]:
    """The steps of a very long routine, always the same: what the routine does over days of
    dancing, from which its long-run statistics are counted."""
    return tuple(plan_steps(LONG_RUN_BEATS, np.random.default_rng([_TAG_DANCE, 2**31])))


def long_run_moves() -> np.ndarray:
    """The routine's long-run share of time in each move ``(M,)``, counted over
    :func:`long_run_steps`: what a dance would show over hours. A clip of a few minutes holds only
    a few dozen moves and strays far from it."""
    steps = long_run_steps()
    share = np.bincount([s.move for s in steps], weights=[s.beats for s in steps], minlength=len(MOVES))
    return share / share.sum()


def transition_matrix() -> np.ndarray:
    """The first-order fit of the routine ``(M, M)``: the share of changes out of move ``i`` that go
    to move ``j``, counted over :func:`long_run_steps`. Row-stochastic; the diagonal is 0, since a
    move never follows itself. It keeps which move tends to follow which, and forgets everything the
    phrases add (the combination, the side, the section)."""
    moves = np.array([s.move for s in long_run_steps()])
    counts = np.zeros((len(MOVES), len(MOVES)))
    np.add.at(counts, (moves[:-1], moves[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def stationary_distribution(chain) -> np.ndarray:
    """The distribution ``π`` with ``π P = π`` of a row-stochastic matrix ``P``: where a long
    walk on the chain spends its steps."""
    values, vectors = np.linalg.eig(np.asarray(chain, float).T)
    vector = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return vector / vector.sum()


def _smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def blend_poses(a: np.ndarray, b: np.ndarray, weight) -> np.ndarray:
    """Poses cross-faded from ``a`` (weight 0) to ``b`` (weight 1); the turn goes the short way round."""
    weight = np.asarray(weight, dtype=float)[..., None]
    out = a + weight * (b - a)
    out[..., _TURN] = wrap_angle(a[..., _TURN] + weight[..., 0] * wrap_angle(b[..., _TURN] - a[..., _TURN]))
    return out


#: beats over which one move cross-fades into the next, centered on the beat where the new move
#: starts: a little more than a quarter of a 4-beat cycle, so that no blend moves the body faster
#: than the moves themselves do
BLEND_BEATS = 1.5


def plan_routine(n_frames: int, fps: float = 30.0, bpm: float | None = None, seed: int = 0) -> Routine:
    """A random routine of ``n_frames`` frames: songs danced in combinations of moves, each move
    starting on a bar line (:func:`.phrases.plan_steps`).

    Each move lasts one or two bars at ``bpm`` beats per minute (random between 96 and 132 if not
    given), a whole number of its cycles, mirrored or not, with its amplitude varied (0.75-1.1)
    and human timing (tempo wobble, swing). Consecutive moves cross-fade with a
    smoothstep over :data:`BLEND_BEATS` around the beat where the new move starts. Meanwhile the
    dancer wanders slowly across the stage (added to ``root_x``, at most :data:`TRAVEL`).
    """
    n_frames = _check_count(n_frames)
    fps = _check_positive(fps, "fps")
    seed = _check_seed(seed)
    rng = np.random.default_rng([_TAG_DANCE, seed])
    bpm = float(rng.uniform(*TEMPO_RANGE)) if bpm is None else _check_positive(bpm, "bpm")
    if not 20 <= bpm <= 400:
        raise ValueError(f"bpm must be between 20 and 400, got {bpm}")
    clock = BeatClock.random(bpm, rng)
    beat = clock(np.arange(n_frames) / fps)
    travel = _travel(n_frames, fps, rng)
    plan = plan_steps(beat[-1], rng)  # last: the number of draws depends on the length
    starts = np.array([step.start for step in plan])
    owner = np.searchsorted(starts, beat, side="right") - 1

    poses = np.empty((n_frames, len(POSE_FIELDS)))
    phase = np.empty(n_frames)
    for j, step in enumerate(plan):
        mine = slice(*np.searchsorted(owner, [j, j + 1]))
        poses[mine] = _step_poses(step, beat[mine])
        phase[mine] = (beat[mine] - step.start) / MOVE_BEATS[step.move] % 1.0
    half = BLEND_BEATS / 2
    for previous, following in zip(plan, plan[1:]):
        near = np.abs(beat - following.start) < half
        if near.any():
            weight = _smoothstep((beat[near] - following.start + half) / (2 * half))
            poses[near] = blend_poses(
                _step_poses(previous, beat[near]), _step_poses(following, beat[near]), weight
            )

    poses[:, _INDEX["root_x"]] += travel

    segments = [(int(np.searchsorted(beat, s.start)), MOVES[s.move], s.mirror, s.amplitude) for s in plan]
    per_step = lambda field, dtype: np.array([getattr(s, field) for s in plan], dtype)[owner]  # noqa: E731
    return Routine(
        poses.astype(np.float32),
        per_step("move", np.int16),
        phase.astype(np.float32),
        bpm,
        float(fps),
        segments,
        clock,
        combinations=per_step("combination", np.int16),
        counts=(np.floor(beat).astype(np.int64) % COUNTS + 1).astype(np.int8),
        sections=per_step("section", np.int8),
        steps=plan,
    )


def _check_positive(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value
