"""The routine: the stage's scripted dance, named moves chained by a Markov chain and changed on the beat.

A routine is planned at random from a seed and is the ground truth of the stage video. (The word
"choreography" is kept for the dances the model generates: :mod:`dancenet.choreography`.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import _TAG_DANCE, _check_count, _check_seed
from .moves import MOVE_BEATS, MOVES, move_pose
from .pose import _INDEX, _TURN, POSE_FIELDS, TAU, wrap_angle


def transition_matrix() -> np.ndarray:
    """Row-stochastic ``(M, M)`` probabilities that move ``j`` follows move ``i`` (labels as MOVES).

    The structure a choreographer would give a routine: idle bouncing is a hub to rest in, energetic
    moves tend to be followed by calm ones, a move may repeat (usually mirrored), and some sequences
    are forbidden: kick after kick, turn after turn, and jumping jacks straight into or out of a turn.
    """
    m = {name: i for i, name in enumerate(MOVES)}
    weights = np.ones((len(MOVES), len(MOVES)))
    np.fill_diagonal(weights, 0.6)
    weights[:, m["idle_bounce"]] = 2.0
    weights[m["idle_bounce"], m["idle_bounce"]] = 0.3
    energetic = [m[name] for name in ("jumping_jack", "front_kick", "side_kick", "windmill", "march")]
    calm = [m[name] for name in ("idle_bounce", "arm_wave", "body_roll", "hip_sway", "disco_point")]
    weights[np.ix_(energetic, calm)] *= 1.5
    forbidden = [
        ("front_kick", "front_kick"),
        ("front_kick", "side_kick"),
        ("side_kick", "side_kick"),
        ("side_kick", "front_kick"),
        ("turn", "turn"),
        ("jumping_jack", "turn"),
        ("turn", "jumping_jack"),
    ]
    for a, b in forbidden:
        weights[m[a], m[b]] = 0.0
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass(frozen=True, eq=False)
class Routine:
    """The scripted dance, frame by frame: poses, the move dominating each frame, and that move's phase."""

    poses: np.ndarray  # (N, P) float32, fields as POSE_FIELDS
    labels: np.ndarray  # (N,) int16, index into MOVES
    phase: np.ndarray  # (N,) float32 in [0, 1): phase of the labelled move
    bpm: float
    fps: float
    segments: list  # (start frame, move name, mirror, amplitude) per segment, in order
    clock: BeatClock  # the beat position at any time: where the music's beats fall


@dataclass(frozen=True)
class _Segment:
    start: float  # beat at which the move takes over
    move: int
    mirror: bool
    amplitude: float

    def poses(self, beat: np.ndarray) -> np.ndarray:
        """The move's poses at the given beats (before its start, the phase wraps)."""
        phase = (beat - self.start) / MOVE_BEATS[self.move] % 1.0
        return move_pose(self.move, phase, self.amplitude, self.mirror)


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
    """How long the briefest move of any routine lasts: the fewest beats a move can take, at the
    fastest tempo."""
    beats = min(b * min(cycle_choices(b)) for b in MOVE_BEATS)
    return beats * 60.0 / TEMPO_RANGE[1]


def cycle_choices(beats: int) -> tuple[int, ...]:
    """How many cycles a move of ``beats`` beats per cycle may last, each as likely: a 4-beat move
    1 or 2, a 2-beat move 2 to 4 — 4 to 8 beats either way."""
    return (1, 2) if beats == 4 else (2, 3, 4)


def long_run_moves() -> np.ndarray:
    """The routine's long-run share of time in each move ``(M,)``, exactly: the Markov chain's
    stationary distribution weighted by each move's mean length in beats.

    What a dance would show over hours; a clip of a few minutes holds only a few dozen moves and
    strays far from it.
    """
    beats = np.array([b * np.mean(cycle_choices(b)) for b in MOVE_BEATS])
    share = stationary_distribution(transition_matrix()) * beats
    return share / share.sum()


def stationary_distribution(chain) -> np.ndarray:
    """The distribution ``π`` with ``π P = π`` of a row-stochastic matrix ``P``: where a long
    walk on the chain spends its steps."""
    values, vectors = np.linalg.eig(np.asarray(chain, float).T)
    vector = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return vector / vector.sum()


def _plan(last_beat: float, rng) -> list[_Segment]:
    """Segments from a Markov chain over moves until the clip's last beat is covered."""
    transitions = transition_matrix()
    move, start, plan = int(rng.integers(len(MOVES))), 0.0, []
    while start <= last_beat:
        beats = MOVE_BEATS[move]
        choices = cycle_choices(beats)
        cycles = int(rng.integers(choices[0], choices[-1] + 1))
        plan.append(_Segment(start, move, bool(rng.random() < 0.5), float(rng.uniform(0.75, 1.1))))
        start += cycles * beats
        move = int(rng.choice(len(MOVES), p=transitions[move]))
    return plan


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
    """A random routine of ``n_frames`` frames: moves from a Markov chain, changing on the beat.

    Each move lasts a whole number of its cycles (2 or 4 beats) at ``bpm`` beats per minute
    (random between 96 and 132 if not given), mirrored or not, with its amplitude varied
    (0.75-1.1) and human timing (tempo wobble, swing). Consecutive moves cross-fade with a
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
    plan = _plan(beat[-1], rng)  # last: the number of draws depends on the length
    starts = np.array([segment.start for segment in plan])
    owner = np.searchsorted(starts, beat, side="right") - 1

    poses = np.empty((n_frames, len(POSE_FIELDS)))
    phase = np.empty(n_frames)
    for j, segment in enumerate(plan):
        mine = owner == j
        poses[mine] = segment.poses(beat[mine])
        phase[mine] = (beat[mine] - segment.start) / MOVE_BEATS[segment.move] % 1.0
    half = BLEND_BEATS / 2
    for previous, following in zip(plan, plan[1:]):
        near = np.abs(beat - following.start) < half
        if near.any():
            weight = _smoothstep((beat[near] - following.start + half) / (2 * half))
            poses[near] = blend_poses(previous.poses(beat[near]), following.poses(beat[near]), weight)

    poses[:, _INDEX["root_x"]] += travel

    segments = [(int(np.searchsorted(beat, s.start)), MOVES[s.move], s.mirror, s.amplitude) for s in plan]
    labels = np.array([s.move for s in plan], dtype=np.int16)[owner]
    return Routine(
        poses.astype(np.float32), labels, phase.astype(np.float32), bpm, float(fps), segments, clock
    )


def _check_positive(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value
