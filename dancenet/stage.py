"""The synthetic dancer on a stage: a dance video made on your machine, with its ground truth.

The original DanceNet learned from a YouTube dance video that readers cannot download, so the
course films its own. An articulated figure, built from a small 3-D limb model and drawn in 2-D,
dances a Markov-chain choreography of named moves on a lit, textured stage. Every frame comes with
what a real video never has: the dancer's exact silhouette (the mask), the pose and the move.

The stage is built to make background removal a real problem: the backdrop is a folded curtain
under a spotlight, the floor has perspective planks, the light drifts slowly and flickers, the
dancer casts a soft shadow, the sensor adds noise, and the clothes are shaded but never near
black -- so the original's "every pixel brighter than 20 is background" fails, while a method that
models the empty stage succeeds.

Conventions: images are RGB. 3-D body coordinates have x to the screen right, y down and z toward
the camera; lengths are in *body heights* (the figure standing straight is 1 tall), angles in
radians. The dancer's left side is on the screen's right while facing the camera.
"""

from __future__ import annotations

import colorsys
import json
import math
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from tqdm.auto import tqdm

from .video import write_video

TAU = 2.0 * math.pi
# mixed into the seed for each independent random choice, so one seed gives unrelated streams
_TAG_BODY, _TAG_OUTFIT, _TAG_STAGE, _TAG_NOISE, _TAG_FRAME, _TAG_DANCE = 101, 102, 103, 104, 105, 106

# ----------------------------------------------------------------------------- the pose vector

#: The pose vector, one value per name. Lengths in body heights, angles in radians.
#: ``root_x`` moves the pelvis sideways (+ = screen right); ``bounce`` lifts the whole body off the
#: floor; ``lean`` tilts the upper body sideways (+ = head toward screen right) and ``bend`` forward
#: (toward the camera when facing it); ``head_tilt`` tilts the head on the neck; ``turn`` spins
#: the body about the vertical axis (0 faces the camera, wrapped to (-pi, pi]). Per side (``l_`` =
#: the dancer's left): shoulder abduction (0 = arm down, pi/2 = out sideways, pi = straight up) and
#: flexion (+ = forward); the elbow adds its own abduction and flexion to the forearm's; hip
#: abduction (+ = leg out) and flexion (+ = thigh forward); knee bend (+ = shin backward).
POSE_FIELDS = (
    "root_x", "bounce", "lean", "bend", "head_tilt", "turn",
    "l_shoulder_abd", "l_shoulder_flex", "l_elbow_abd", "l_elbow_flex",
    "r_shoulder_abd", "r_shoulder_flex", "r_elbow_abd", "r_elbow_flex",
    "l_hip_abd", "l_hip_flex", "l_knee",
    "r_hip_abd", "r_hip_flex", "r_knee",
)
_INDEX = {name: i for i, name in enumerate(POSE_FIELDS)}
_TURN = _INDEX["turn"]
#: fields that change sign in a mirror image (left/right fields swap instead)
_LATERAL = ("root_x", "lean", "head_tilt", "turn")


def _neutral() -> np.ndarray:
    pose = np.zeros(len(POSE_FIELDS))
    for side in "lr":
        for name, value in (("shoulder_abd", 0.16), ("shoulder_flex", 0.05), ("elbow_flex", 0.3),
                            ("hip_abd", 0.05), ("hip_flex", 0.03), ("knee", 0.06)):
            pose[_INDEX[f"{side}_{name}"]] = value
    return pose


#: standing relaxed: arms hanging a little away from the body, knees soft
NEUTRAL_POSE = _neutral()


def _mirror_tables() -> tuple[np.ndarray, np.ndarray]:
    swap = {"l_": "r_", "r_": "l_"}
    order = [_INDEX[swap[name[:2]] + name[2:]] if name[:2] in swap else i
             for i, name in enumerate(POSE_FIELDS)]
    sign = np.array([-1.0 if name in _LATERAL else 1.0 for name in POSE_FIELDS])
    return np.array(order), sign


_MIRROR_ORDER, _MIRROR_SIGN = _mirror_tables()


def mirror_pose(pose: np.ndarray) -> np.ndarray:
    """The mirror image of a pose (or of each row of ``(T, P)`` poses): left and right swapped."""
    pose = np.asarray(pose, dtype=float)
    return pose[..., _MIRROR_ORDER] * _MIRROR_SIGN


def wrap_angle(angle):
    """Angles wrapped to (-pi, pi]."""
    return math.pi - np.mod(math.pi - np.asarray(angle, dtype=float), TAU)


# ----------------------------------------------------------------------------- the moves
# Each move is a pose as a function of its phase (0..1 over one cycle of 2 or 4 beats), built
# from periodic pieces only, so phase 0 and phase 1 give the same pose.

def _pose(phase: np.ndarray, **fields) -> np.ndarray:
    """Neutral poses ``(T, P)`` with some fields set; a name without ``l_``/``r_`` sets both sides."""
    pose = np.tile(NEUTRAL_POSE, (len(phase), 1))
    for name, value in fields.items():
        for field in ([name] if name in _INDEX else [f"l_{name}", f"r_{name}"]):
            pose[:, _INDEX[field]] = value
    return pose


def _on_beat(phase, count: int):
    """1 at ``count`` evenly spaced times per cycle, starting at phase 0, and 0 half-way between
    (on every beat when ``count`` is the cycle's number of beats)."""
    return 0.5 + 0.5 * np.cos(TAU * count * phase)


def _bump(phase, center: float, sharpness: float):
    """A smooth periodic bump: 1 at ``center``, falling toward 0 (faster for larger sharpness)."""
    return np.exp(sharpness * (np.cos(TAU * (phase - center)) - 1.0))


def _idle_bounce(p):
    c, on = TAU * p, _on_beat(p, 2)
    knee = 0.12 + 0.32 * on
    return _pose(p, knee=knee, hip_flex=0.5 * knee, shoulder_abd=0.2 + 0.06 * on,
                 elbow_flex=0.5 + 0.25 * on, l_shoulder_flex=0.2 * np.sin(c),
                 r_shoulder_flex=-0.2 * np.sin(c), root_x=0.015 * np.sin(c),
                 lean=0.04 * np.sin(c), head_tilt=0.08 * np.sin(c))


def _arm_wave(p):
    c = TAU * p
    knee = 0.1 + 0.14 * _on_beat(p, 4)
    return _pose(p, knee=knee, hip_flex=0.5 * knee, shoulder_flex=0.05, elbow_flex=0.1,
                 l_shoulder_abd=1.45 + 0.28 * np.sin(c), l_elbow_abd=0.7 * np.sin(c - 1.1),
                 r_shoulder_abd=1.45 + 0.28 * np.sin(c - 2.4), r_elbow_abd=0.7 * np.sin(c - 3.5),
                 lean=0.07 * np.sin(c - 1.2), head_tilt=0.12 * np.sin(c - 1.2),
                 root_x=0.02 * np.sin(c - 1.2))


def _step_touch(p):
    c = TAU * p
    apart = 0.5 + 0.5 * np.cos(2 * c)  # feet apart crossing the middle, together at each end
    knee = 0.12 + 0.22 * _on_beat(p, 4)
    tap_l, tap_r = _bump(p, 0.75, 8), _bump(p, 0.25, 8)
    return _pose(p, root_x=0.11 * np.sin(c), lean=0.06 * np.cos(c), head_tilt=0.08 * np.cos(c),
                 hip_abd=0.04 + 0.16 * apart,
                 l_hip_flex=0.5 * knee + 0.25 * tap_l, l_knee=knee + 0.45 * tap_l,
                 r_hip_flex=0.5 * knee + 0.25 * tap_r, r_knee=knee + 0.45 * tap_r,
                 shoulder_abd=0.35 + 0.55 * apart, shoulder_flex=0.6 * (1 - apart),
                 elbow_abd=-0.6 * (1 - apart), elbow_flex=1.4 - 0.6 * apart)


def _jumping_jack(p):
    c = TAU * p
    spread = 0.5 - 0.5 * np.cos(c)
    knee = 0.08 + 0.3 * (0.5 + 0.5 * np.cos(2 * c))  # soft knees on landing
    return _pose(p, bounce=0.03 * (0.5 - 0.5 * np.cos(2 * c)), knee=knee, hip_flex=0.5 * knee,
                 hip_abd=0.04 + 0.3 * spread, shoulder_abd=0.2 + 1.85 * spread,
                 elbow_abd=0.3 * spread, elbow_flex=0.1)


def _squat_pulse(p):
    down = _on_beat(p, 2)
    knee = 0.15 + 1.15 * down
    return _pose(p, knee=knee, hip_flex=0.55 * knee, bend=0.3 * down, hip_abd=0.2,
                 shoulder_flex=0.25 + 1.05 * down, shoulder_abd=0.22, elbow_flex=0.25,
                 turn=0.55, head_tilt=0.04 * np.sin(TAU * p))


def _front_kick(p):
    chamber, snap, lift = _bump(p, 0.3, 4), _bump(p, 0.33, 16), _bump(p, 0.78, 6)
    return _pose(p, r_hip_flex=0.05 + 1.35 * chamber + 1.0 * lift,
                 r_knee=0.1 + 1.45 * chamber - 1.35 * snap + 1.3 * lift,
                 l_knee=0.2 + 0.1 * chamber, l_hip_flex=0.1,
                 shoulder_flex=0.55, shoulder_abd=0.35, elbow_flex=1.9, elbow_abd=-0.25,
                 bend=-0.25 * snap, turn=0.7)


def _side_kick(p):
    out, chamber = _bump(p, 0.38, 6), _bump(p, 0.28, 10)
    return _pose(p, r_hip_abd=0.05 + 0.85 * out, r_hip_flex=0.6 * chamber,
                 r_knee=0.1 + 1.3 * chamber, l_knee=0.15, l_hip_flex=0.08,
                 lean=0.22 * out, root_x=0.03 * out, head_tilt=-0.1 * out,
                 shoulder_abd=0.75 + 0.25 * out, elbow_abd=0.8, elbow_flex=0.2)


def _disco_point(p):
    up = _on_beat(p, 2)
    return _pose(p, r_shoulder_abd=-0.3 + 2.4 * up, r_shoulder_flex=0.1 + 0.4 * (1 - up),
                 r_elbow_abd=0.0, r_elbow_flex=0.05,
                 l_shoulder_abd=0.7, l_shoulder_flex=0.15, l_elbow_abd=-1.9, l_elbow_flex=0.35,
                 root_x=0.035 * (2 * up - 1), lean=-0.08 * (2 * up - 1),
                 head_tilt=-0.15 * (2 * up - 1),
                 l_knee=0.1 + 0.3 * up, l_hip_flex=0.05 + 0.15 * up,
                 r_knee=0.1 + 0.3 * (1 - up), r_hip_flex=0.05 + 0.15 * (1 - up))


def _body_roll(p):
    c = TAU * p
    knee = 0.3 + 0.25 * np.sin(c - 1.6)
    return _pose(p, bend=0.3 * np.sin(c), lean=0.1 * np.cos(c), head_tilt=-0.12 * np.sin(c - 0.8),
                 knee=knee, hip_flex=0.5 * knee, shoulder_flex=0.3 * np.sin(c - 0.6),
                 shoulder_abd=0.3, elbow_flex=0.9, root_x=0.02 * np.sin(c), turn=0.85)


def _hip_sway(p):
    s = np.sin(TAU * p)
    knee_l, knee_r = 0.08 + 0.3 * (0.5 - 0.5 * s), 0.08 + 0.3 * (0.5 + 0.5 * s)
    return _pose(p, root_x=0.07 * s, lean=-0.12 * s, head_tilt=0.1 * s,
                 l_hip_abd=0.1 - 0.13 * s, r_hip_abd=0.1 + 0.13 * s,
                 l_knee=knee_l, l_hip_flex=0.5 * knee_l, r_knee=knee_r, r_hip_flex=0.5 * knee_r,
                 l_shoulder_abd=1.0 + 0.25 * s, r_shoulder_abd=1.0 - 0.25 * s,
                 elbow_abd=0.8, elbow_flex=0.3)


def _turn(p):
    c = TAU * p
    knee = 0.12 + 0.15 * _on_beat(p, 4)
    return _pose(p, turn=wrap_angle(c - np.sin(c)),  # one full turn, slow at the ends
                 shoulder_abd=0.2 + 0.7 * (0.5 - 0.5 * np.cos(c)), elbow_abd=0.5, elbow_flex=0.5,
                 knee=knee, hip_flex=0.5 * knee)


def _march(p):
    lift_l, lift_r = _bump(p, 0.25, 2.2), _bump(p, 0.75, 2.2)
    return _pose(p, l_hip_flex=1.2 * lift_l, l_knee=0.06 + 1.4 * lift_l,
                 r_hip_flex=1.2 * lift_r, r_knee=0.06 + 1.4 * lift_r,
                 l_shoulder_flex=0.7 * (lift_r - lift_l), r_shoulder_flex=0.7 * (lift_l - lift_r),
                 shoulder_abd=0.15, elbow_flex=1.3, turn=0.6)


def _windmill(p):
    c = TAU * p
    knee = 0.15 + 0.2 * _on_beat(p, 4)
    return _pose(p, l_shoulder_abd=1.35 + 0.9 * np.sin(c), l_shoulder_flex=0.8 * np.cos(c),
                 r_shoulder_abd=1.35 - 0.9 * np.sin(c), r_shoulder_flex=-0.8 * np.cos(c),
                 elbow_flex=0.05, lean=0.1 * np.sin(c), bend=0.1,
                 knee=knee, hip_flex=0.5 * knee, hip_abd=0.15)


def _high_clap(p):
    together = _on_beat(p, 1)  # clap on the first beat, hands apart on the second
    knee = 0.12 + 0.2 * _on_beat(p, 2)
    # arms raised forward and up: the hands meet above the head, a little in front of it
    return _pose(p, shoulder_flex=2.55, shoulder_abd=0.5 - 0.7 * together, elbow_flex=-0.55,
                 knee=knee, hip_flex=0.5 * knee, head_tilt=0.06 * np.sin(TAU * p),
                 lean=0.05 * np.sin(TAU * p))


_MOVE_TABLE = {  # name: (beats per cycle, pose as a function of the phase)
    "idle_bounce": (2, _idle_bounce),
    "arm_wave": (4, _arm_wave),
    "step_touch": (4, _step_touch),
    "jumping_jack": (2, _jumping_jack),
    "squat_pulse": (2, _squat_pulse),
    "front_kick": (4, _front_kick),
    "side_kick": (4, _side_kick),
    "disco_point": (4, _disco_point),
    "body_roll": (4, _body_roll),
    "hip_sway": (2, _hip_sway),
    "turn": (4, _turn),
    "march": (2, _march),
    "windmill": (4, _windmill),
    "high_clap": (2, _high_clap),
}
#: the move names; a frame's move label is an index into this tuple
MOVES = tuple(_MOVE_TABLE)
#: beats in one cycle of each move, in the order of :data:`MOVES`
MOVE_BEATS = tuple(beats for beats, _ in _MOVE_TABLE.values())


def _move_centers() -> np.ndarray:
    """Each move's pose averaged over its cycle: what ``amplitude`` scales the motion around."""
    phase = np.arange(64) / 64
    return np.stack([function(phase).mean(axis=0) for _, function in _MOVE_TABLE.values()])


_MOVE_CENTERS = _move_centers()


def move_index(move) -> int:
    """The label of a move given by name (or by label, checked)."""
    if isinstance(move, str):
        if move not in _MOVE_TABLE:
            raise ValueError(f"unknown move {move!r}; the moves are {', '.join(MOVES)}")
        return MOVES.index(move)
    if isinstance(move, (int, np.integer)) and not isinstance(move, bool) and 0 <= move < len(MOVES):
        return int(move)
    raise ValueError(f"unknown move {move!r}: give a name from MOVES or a label 0..{len(MOVES) - 1}")


def move_pose(move, phase, amplitude: float = 1.0, mirror: bool = False) -> np.ndarray:
    """The pose ``(P,)`` of a move at a phase of its cycle, or poses ``(T, P)`` for an array of phases.

    The phase runs from 0 to 1 over one cycle (phase 1 is phase 0 again). ``amplitude`` scales the
    motion about the move's average pose (the turn angle is never scaled, so a turn stays a full
    turn); ``mirror`` performs the move with the other side of the body.
    """
    index = move_index(move)
    phase = np.asarray(phase, dtype=float)
    if phase.ndim > 1:
        raise ValueError(f"phase must be a number or a 1-D array, got shape {phase.shape}")
    if not np.all(np.isfinite(phase)):
        raise ValueError("phase contains NaN or infinity")
    if not (math.isfinite(amplitude) and amplitude >= 0):
        raise ValueError(f"amplitude must be a finite number >= 0, got {amplitude!r}")
    pose = _MOVE_TABLE[MOVES[index]][1](np.atleast_1d(phase) % 1.0)
    center = _MOVE_CENTERS[index]
    turn = pose[:, _TURN].copy()
    pose = center + amplitude * (pose - center)
    pose[:, _TURN] = turn
    if mirror:
        pose = mirror_pose(pose)
    pose[:, _TURN] = wrap_angle(pose[:, _TURN])
    return pose[0] if phase.ndim == 0 else pose


# ----------------------------------------------------------------------------- choreography

def transition_matrix() -> np.ndarray:
    """Row-stochastic ``(M, M)`` probabilities that move ``j`` follows move ``i`` (labels as MOVES).

    The structure a choreographer would give it: idle bouncing is a hub to rest in, energetic moves
    tend to be followed by calm ones, a move may repeat (usually mirrored), and some sequences are
    forbidden: kick after kick, turn after turn, and jumping jacks straight into or out of a turn.
    """
    m = {name: i for i, name in enumerate(MOVES)}
    weights = np.ones((len(MOVES), len(MOVES)))
    np.fill_diagonal(weights, 0.6)
    weights[:, m["idle_bounce"]] = 2.0
    weights[m["idle_bounce"], m["idle_bounce"]] = 0.3
    energetic = [m[name] for name in ("jumping_jack", "front_kick", "side_kick", "windmill", "march")]
    calm = [m[name] for name in ("idle_bounce", "arm_wave", "body_roll", "hip_sway", "disco_point")]
    weights[np.ix_(energetic, calm)] *= 1.5
    forbidden = [("front_kick", "front_kick"), ("front_kick", "side_kick"),
                 ("side_kick", "side_kick"), ("side_kick", "front_kick"), ("turn", "turn"),
                 ("jumping_jack", "turn"), ("turn", "jumping_jack")]
    for a, b in forbidden:
        weights[m[a], m[b]] = 0.0
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass(frozen=True, eq=False)
class Choreography:
    """A dance, frame by frame: poses, the move dominating each frame, and that move's phase."""

    poses: np.ndarray   # (N, P) float32, fields as POSE_FIELDS
    labels: np.ndarray  # (N,) int16, index into MOVES
    phase: np.ndarray   # (N,) float32 in [0, 1): phase of the labelled move
    bpm: float
    fps: float
    segments: list      # (start frame, move name, mirror, amplitude) per segment, in order


@dataclass(frozen=True)
class _Segment:
    start: float      # beat at which the move takes over
    move: int
    mirror: bool
    amplitude: float

    def poses(self, beat: np.ndarray) -> np.ndarray:
        """The move's poses at the given beats (before its start, the phase wraps)."""
        phase = (beat - self.start) / MOVE_BEATS[self.move] % 1.0
        return move_pose(self.move, phase, self.amplitude, self.mirror)


def _beat_clock(n_frames: int, fps: float, bpm: float, rng) -> np.ndarray:
    """The beat position (0, 1, 2, ... on the beats) of every frame, with human timing.

    The tempo wobbles slowly by a few hundredths of a beat, and swing makes the first half of
    each beat a little slower than the second (a smooth, monotone warp within the beat).
    """
    t = np.arange(n_frames) / fps
    wobble, period, offset = rng.uniform(0.02, 0.05), rng.uniform(6.0, 12.0), rng.uniform(0, TAU)
    swing = rng.uniform(0.0, 0.18)
    beat = t * bpm / 60 + wobble * (np.sin(TAU * t / period + offset) - np.sin(offset))
    whole = np.floor(beat)
    frac = beat - whole
    return whole + frac - swing / TAU * np.sin(TAU * frac)


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


def _plan(last_beat: float, rng) -> list[_Segment]:
    """Segments from a Markov chain over moves until the clip's last beat is covered."""
    transitions = transition_matrix()
    move, start, plan = int(rng.integers(len(MOVES))), 0.0, []
    while start <= last_beat:
        beats = MOVE_BEATS[move]
        cycles = int(rng.integers(1, 3)) if beats == 4 else int(rng.integers(2, 5))
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


def choreograph(n_frames: int, fps: float = 30.0, bpm: float | None = None, seed: int = 0) -> Choreography:
    """A random dance of ``n_frames`` frames: moves from a Markov chain, changing on the beat.

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
    bpm = float(rng.uniform(96.0, 132.0)) if bpm is None else _check_positive(bpm, "bpm")
    if not 20 <= bpm <= 400:
        raise ValueError(f"bpm must be between 20 and 400, got {bpm}")
    beat = _beat_clock(n_frames, fps, bpm, rng)
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
    return Choreography(poses.astype(np.float32), labels, phase.astype(np.float32),
                        bpm, float(fps), segments)


# ----------------------------------------------------------------------------- the dancer

@dataclass(frozen=True)
class Body:
    """Body proportions. Lengths are in raw body units (the standing figure is about 0.97 tall);
    rendering rescales to exactly 1 body height, so only the proportions matter -- apart from
    ``height``, the standing height as a fraction of the frame height."""

    height: float = 0.82
    head: float = 0.066       # half the head's height
    neck: float = 0.032
    torso: float = 0.29       # neck base to the line through the hip joints
    shoulder: float = 0.098   # half the distance between the shoulder joints
    hip: float = 0.056        # half the distance between the hip joints
    upper_arm: float = 0.165
    forearm: float = 0.145
    hand: float = 0.055
    thigh: float = 0.245
    shin: float = 0.235
    foot: float = 0.085
    thickness: float = 1.0    # scales every limb's radius

    @classmethod
    def from_seed(cls, seed: int) -> Body:
        """A body with proportions drawn from plausible ranges around the typical one."""
        rng = np.random.default_rng([_TAG_BODY, _check_seed(seed)])
        typical = cls()

        def vary(name: str, relative: float) -> float:
            return round(getattr(typical, name) * rng.uniform(1 - relative, 1 + relative), 4)

        arms, legs = rng.uniform(0.95, 1.05), rng.uniform(0.95, 1.05)
        return cls(height=round(rng.uniform(0.80, 0.84), 4), head=vary("head", 0.07),
                   neck=vary("neck", 0.15), torso=vary("torso", 0.06),
                   shoulder=vary("shoulder", 0.1), hip=vary("hip", 0.12),
                   upper_arm=round(typical.upper_arm * arms, 4), forearm=round(typical.forearm * arms, 4),
                   hand=vary("hand", 0.08), thigh=round(typical.thigh * legs, 4),
                   shin=round(typical.shin * legs, 4), foot=vary("foot", 0.08),
                   thickness=round(rng.uniform(0.85, 1.2), 4))

    def radii(self) -> dict[str, tuple[float, float]]:
        """Radius of each limb at its two ends (raw body units)."""
        k = self.thickness
        base = {"upper_arm": (0.036, 0.028), "forearm": (0.027, 0.021), "hand": (0.021, 0.025),
                "thigh": (0.05, 0.036), "shin": (0.035, 0.026), "foot": (0.026, 0.021),
                "neck": (0.027, 0.027)}
        return {name: (a * k, b * k) for name, (a, b) in base.items()}


RGB = tuple[int, int, int]


def _hsv(hue_degrees: float, saturation: float, value: float) -> RGB:
    return tuple(int(round(255 * c)) for c in colorsys.hsv_to_rgb(hue_degrees / 360 % 1, saturation, value))


_SKIN = ((241, 206, 182), (226, 182, 150), (205, 152, 115), (176, 122, 88), (141, 94, 66), (105, 70, 52))
_HAIR = ((46, 34, 28), (88, 58, 38), (140, 84, 46), (205, 170, 110), (160, 155, 150))


@dataclass(frozen=True)
class Outfit:
    """The dancer's colors (RGB) and cut of clothes."""

    skin: RGB
    hair: RGB
    shirt: RGB
    trousers: RGB
    shoes: RGB
    long_sleeves: bool
    shorts: bool

    @classmethod
    def from_seed(cls, seed: int) -> Outfit:
        """A plausible outfit: any skin tone, bright shirt, trousers and shoes of everyday colors.

        Nothing is near black (the darkest shaded tone stays above gray level 20), so the dancer
        is never a dark silhouette.
        """
        rng = np.random.default_rng([_TAG_OUTFIT, _check_seed(seed)])
        t = rng.uniform(0, len(_SKIN) - 1)
        i = min(int(t), len(_SKIN) - 2)
        skin = tuple(int(round(a + (t - i) * (b - a))) for a, b in zip(_SKIN[i], _SKIN[i + 1]))
        hair = _HAIR[rng.integers(len(_HAIR))]
        if rng.random() < 0.15:
            shirt = _hsv(0, 0.03, 0.85)
        else:
            shirt = _hsv(rng.uniform(0, 360), rng.uniform(0.45, 0.85), rng.uniform(0.7, 0.88))
        trousers = [_hsv(rng.uniform(210, 228), rng.uniform(0.45, 0.65), rng.uniform(0.5, 0.65)),  # denim
                    _hsv(rng.uniform(35, 48), rng.uniform(0.25, 0.4), rng.uniform(0.62, 0.75)),   # khaki
                    _hsv(rng.uniform(0, 360), 0.04, rng.uniform(0.7, 0.8)),                       # light gray
                    _hsv(rng.uniform(0, 360), rng.uniform(0.5, 0.8), rng.uniform(0.5, 0.8))][rng.integers(4)]
        shoes = [_hsv(0, 0.02, 0.9), _hsv(rng.uniform(0, 360), 0.05, 0.72),
                 _hsv(rng.uniform(0, 360), rng.uniform(0.6, 0.8), rng.uniform(0.65, 0.85))][rng.integers(3)]
        return cls(skin, tuple(hair), shirt, trousers, shoes,
                   long_sleeves=bool(rng.random() < 0.4), shorts=bool(rng.random() < 0.2))

    def part_colors(self) -> dict[str, RGB]:
        """The color of every drawn part of the figure."""
        arms = self.shirt if self.long_sleeves else self.skin
        legs = self.skin if self.shorts else self.trousers
        colors = {"pelvis": self.trousers, "torso": self.shirt, "neck": self.skin, "head": self.skin,
                  "hair": self.hair}
        for side in "lr":
            colors.update({f"{side}_upper_arm": self.shirt, f"{side}_forearm": arms,
                           f"{side}_hand": self.skin, f"{side}_thigh": self.trousers,
                           f"{side}_shin": legs, f"{side}_foot": self.shoes})
        return colors


#: cylindrical shading: each part is drawn in a darker tone, then a lighter stripe toward the light
SHADE, HIGHLIGHT = 0.76, 1.08


def _tones(color: RGB) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(color, dtype=float)
    return c * SHADE, np.minimum(c * HIGHLIGHT, 255.0)


# ----------------------------------------------------------------------------- the skeleton

_SIDES = (("l", 1.0), ("r", -1.0))  # the dancer's left is at +x while facing the camera
_TURNOUT = 0.3  # feet point slightly outward

#: pairs of joints to connect for a stick figure (keys of :func:`joint_positions`)
BONES = (("pelvis", "neck"), ("neck", "head"), ("l_shoulder", "r_shoulder"), ("l_hip", "r_hip"),
         *((f"{s}_{a}", f"{s}_{b}") for s in "lr" for a, b in
           (("shoulder", "elbow"), ("elbow", "wrist"), ("wrist", "hand"), ("hip", "knee"),
            ("knee", "ankle"), ("heel", "toe"))))


def _rotate(v: np.ndarray, angle, i: int, j: int) -> np.ndarray:
    """Vectors ``(..., 3)`` rotated by ``angle`` in the plane of their components ``i`` and ``j``."""
    angle = np.asarray(angle, dtype=float)
    out = np.array(np.broadcast_to(v, np.broadcast_shapes(np.shape(v), angle.shape + (3,))), dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    vi, vj = out[..., i].copy(), out[..., j]
    out[..., i] = vi * c - vj * s
    out[..., j] = vi * s + vj * c
    return out


def _limb_direction(abduction, flexion, side: float) -> np.ndarray:
    """Unit vectors of a limb: 0, 0 hangs straight down; abduction swings it out, flexion forward."""
    abduction, flexion = np.broadcast_arrays(np.asarray(abduction, float), np.asarray(flexion, float))
    cos_a = np.cos(abduction)
    return np.stack([side * np.sin(abduction), cos_a * np.cos(flexion), cos_a * np.sin(flexion)], axis=-1)


def _skeleton_3d(pose: np.ndarray, body: Body) -> dict[str, np.ndarray]:
    """3-D joints ``(..., 3)`` in raw body units, pelvis at the origin, before the turn and the floor."""
    f = {name: pose[..., i] for name, i in _INDEX.items()}

    def upper(v):  # the upper body bends forward, then leans sideways, as one piece
        return _rotate(_rotate(v, f["bend"], 2, 1), f["lean"], 0, 1)

    neck = upper(np.array([0.0, -body.torso, 0.0]))
    head_up = upper(_rotate(np.array([0.0, -1.0, 0.0]), f["head_tilt"], 0, 1))
    joints = {"pelvis": np.zeros_like(neck), "neck": neck,
              "head": neck + (body.neck + 0.85 * body.head) * head_up}
    joints["crown"] = joints["head"] + body.head * head_up
    for s, side in _SIDES:
        shoulder = upper(np.array([side * body.shoulder, -0.9 * body.torso, 0.0]))
        arm = upper(_limb_direction(f[f"{s}_shoulder_abd"], f[f"{s}_shoulder_flex"], side))
        elbow = shoulder + body.upper_arm * arm
        forearm = upper(_limb_direction(f[f"{s}_shoulder_abd"] + f[f"{s}_elbow_abd"],
                                        f[f"{s}_shoulder_flex"] + f[f"{s}_elbow_flex"], side))
        wrist = elbow + body.forearm * forearm
        hip = np.zeros_like(neck)
        hip[..., 0] = side * body.hip
        shin_flexion = f[f"{s}_hip_flex"] - f[f"{s}_knee"]
        knee = hip + body.thigh * _limb_direction(f[f"{s}_hip_abd"], f[f"{s}_hip_flex"], side)
        shin = _limb_direction(f[f"{s}_hip_abd"], shin_flexion, side)
        ankle = knee + body.shin * shin
        foot = _limb_direction(_TURNOUT, shin_flexion + math.pi / 2, side)
        joints.update({f"{s}_shoulder": shoulder, f"{s}_elbow": elbow, f"{s}_wrist": wrist,
                       f"{s}_hand": wrist + body.hand * forearm, f"{s}_hip": hip, f"{s}_knee": knee,
                       f"{s}_ankle": ankle, f"{s}_heel": ankle + 0.022 * shin - 0.02 * foot,
                       f"{s}_toe": ankle + 0.03 * shin + body.foot * foot})
    return joints


def _standing_height(body: Body) -> float:
    """Floor to crown of the body standing straight, in raw body units."""
    joints = _skeleton_3d(np.zeros(len(POSE_FIELDS)), body)
    heel_r, toe_r = body.radii()["foot"]
    floor = max(joints["l_heel"][1] + heel_r, joints["l_toe"][1] + toe_r)
    return float(floor - joints["crown"][1])


def _joints_3d(pose: np.ndarray, body: Body) -> dict[str, np.ndarray]:
    """3-D joints ``(..., 3)`` in body heights: turned, feet on the floor (y = 0), moved by root_x."""
    joints = _skeleton_3d(pose, body)
    turn = pose[..., _TURN]
    joints = {name: _rotate(p, turn, 2, 0) for name, p in joints.items()}
    heel_r, toe_r = body.radii()["foot"]
    lowest = np.max([joints[f"{s}_heel"][..., 1] + heel_r for s in "lr"]
                    + [joints[f"{s}_toe"][..., 1] + toe_r for s in "lr"], axis=0)
    unit = 1.0 / _standing_height(body)
    shift = np.stack([pose[..., _INDEX["root_x"]], -lowest * unit - pose[..., _INDEX["bounce"]],
                      np.zeros_like(lowest)], axis=-1)
    return {name: p * unit + shift for name, p in joints.items()}


def joint_positions(pose, body: Body | None = None) -> dict[str, np.ndarray]:
    """Projected 2-D joint positions ``(2,)`` (or ``(T, 2)`` for poses ``(T, P)``), as (x, y).

    In body heights: x to the screen right of the stage center, y downward with y = 0 on the
    floor (so the head has y near -1). Keys: ``pelvis neck head crown`` and, per side ``l_``/``r_``,
    ``shoulder elbow wrist hand hip knee ankle heel toe``; :data:`BONES` lists the ones to connect.
    """
    pose = _check_poses(pose)
    return {name: p[..., :2] for name, p in _joints_3d(pose, body or Body()).items()}


# ----------------------------------------------------------------------------- drawing the figure

_PARTS = ("pelvis", "torso", "neck", "head", "hair",
          "l_upper_arm", "l_forearm", "l_hand", "r_upper_arm", "r_forearm", "r_hand",
          "l_thigh", "l_shin", "l_foot", "r_thigh", "r_shin", "r_foot")
_LIMBS = ("neck", *(f"{s}_{limb}" for s in "lr" for limb in
                    ("upper_arm", "forearm", "hand", "thigh", "shin", "foot")))
_LIMB_ENDS = {"neck": ("neck", "head"), "upper_arm": ("shoulder", "elbow"), "forearm": ("elbow", "wrist"),
              "hand": ("wrist", "hand"), "thigh": ("hip", "knee"), "shin": ("knee", "ankle"),
              "foot": ("heel", "toe")}
#: added to each part's depth so that ties draw in a sensible order (body heights)
_DEPTH_BIAS = {"pelvis": -0.004, "torso": 0.0, "neck": 0.001, "head": 0.002, "hair": 0.003,
               "upper_arm": 0.004, "forearm": 0.005, "hand": 0.006,
               "thigh": 0.004, "shin": 0.005, "foot": 0.006}
_VERTICES = 16            # every part is a convex polygon of this many vertices
_ARC = _VERTICES // 2 - 1  # segments in each rounded end of a limb
_SHIFT = 4                # fixed-point bits for subpixel drawing
LIGHT = np.array([-0.55, -0.83])  # the key light, in the image: from the upper left


def _limb_outline(p0, p1, r0, r1) -> np.ndarray:
    """Vertices ``(..., 16, 2)`` of the convex hull of two discs: a tapered limb with round ends."""
    r0, r1 = np.broadcast_to(r0, p0.shape[:-1]), np.broadcast_to(r1, p0.shape[:-1])
    inside = np.hypot(*np.moveaxis(p1 - p0, -1, 0)) <= np.abs(r0 - r1)  # one disc within the other
    keep0, keep1 = inside & (r0 >= r1), inside & (r1 > r0)
    p0, r0 = np.where(keep1[..., None], p1, p0), np.where(keep1, r1, r0)
    p1, r1 = np.where(keep0[..., None], p0, p1), np.where(keep0, r0, r1)
    d = p1 - p0
    length = np.hypot(d[..., 0], d[..., 1])
    heading = np.arctan2(d[..., 1], d[..., 0])[..., None]
    # the outer tangents touch both discs at heading +- half
    half = np.arccos(np.clip((r0 - r1) / np.maximum(length, 1e-9), -1.0, 1.0))[..., None]
    t = np.linspace(-1.0, 1.0, _ARC + 1)
    front = heading + half * t
    back = heading + math.pi + (math.pi - half) * t
    return np.concatenate([p1[..., None, :] + r1[..., None, None] * _unit(front),
                           p0[..., None, :] + r0[..., None, None] * _unit(back)], axis=-2)


def _unit(angle: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def _limb_highlight(p0, p1, r0, r1) -> np.ndarray:
    """The lit stripe of a limb: half as wide, moved across the limb toward the light."""
    d = p1 - p0
    along = d / np.maximum(np.hypot(d[..., 0], d[..., 1]), 1e-9)[..., None]
    across = LIGHT - np.sum(LIGHT * along, axis=-1, keepdims=True) * along
    return _limb_outline(p0 + 0.38 * r0[..., None] * across, p1 + 0.38 * r1[..., None] * across,
                         0.5 * r0, 0.5 * r1)


def _polygon_highlight(vertices: np.ndarray) -> np.ndarray:
    """The lit patch of a convex part: the outline shrunk about its center and moved toward the light."""
    center = vertices.mean(axis=-2, keepdims=True)
    radius = np.hypot(*np.moveaxis(vertices - center, -1, 0)).mean(axis=-1)[..., None, None]
    return center + 0.6 * (vertices - center) + 0.3 * radius * LIGHT


def _ellipse(center, up, along: float, across) -> np.ndarray:
    """Vertices ``(..., 16, 2)`` of ellipses: semi-axes ``along`` the unit vector ``up`` and ``across`` it."""
    t = np.linspace(0, TAU, _VERTICES, endpoint=False)
    right = np.stack([-up[..., 1], up[..., 0]], axis=-1)
    return (center[..., None, :] + np.asarray(along)[..., None, None] * np.cos(t)[:, None] * up[..., None, :]
            + np.asarray(across)[..., None, None] * np.sin(t)[:, None] * right[..., None, :])


def _template(origin, up, right, outline: np.ndarray) -> np.ndarray:
    """Vertices ``(..., K, 2)`` of an outline given as (along ``up``, along ``right``) coordinates."""
    return (origin[..., None, :] + outline[:, 0, None] * up[..., None, :]
            + outline[:, 1, None] * right[..., None, :])


def _inset(vertices: np.ndarray, distance: float) -> np.ndarray:
    """Convex outlines ``(..., K, 2)`` with every edge moved inward by ``distance``."""
    edges = np.roll(vertices, -1, axis=-2) - vertices
    normals = np.stack([edges[..., 1], -edges[..., 0]], axis=-1)
    normals /= np.maximum(np.hypot(normals[..., 0], normals[..., 1]), 1e-9)[..., None]
    inward = np.sum(normals * (vertices.mean(axis=-2, keepdims=True) - vertices), axis=-1, keepdims=True)
    normals *= np.where(inward < 0, -1.0, 1.0)
    before = np.roll(normals, 1, axis=-2)  # the normal of the edge arriving at each vertex
    bisector = (before + normals) / np.maximum(1 + np.sum(before * normals, axis=-1, keepdims=True), 1e-3)
    return vertices + distance * bisector


def _pad(vertices: np.ndarray) -> np.ndarray:
    """Outlines padded to 16 vertices by repeating the last one (a zero-length edge)."""
    missing = _VERTICES - vertices.shape[-2]
    return np.concatenate([vertices, np.repeat(vertices[..., -1:, :], missing, axis=-2)], axis=-2)


def _torso_outlines(body: Body) -> tuple[np.ndarray, np.ndarray]:
    """The shirt and the trunk of the trousers as convex outlines, one side mirrored.

    Coordinates are (fraction of the spine from hips to neck, half-width in raw body units).
    """
    radii = body.radii()
    shoulders = body.shoulder + 0.75 * radii["upper_arm"][0]
    hips = body.hip + 0.8 * radii["thigh"][0]
    waist = 0.9 * hips
    shirt = [(1.03, 0.45 * shoulders), (0.99, 0.8 * shoulders), (0.93, 0.97 * shoulders),
             (0.84, shoulders), (0.55, 0.93 * shoulders), (0.2, waist)]
    trunk = [(0.26, 0.98 * waist), (0.08, hips), (-0.04, 0.97 * hips), (-0.14, 0.45 * hips)]

    def both_sides(half):
        half = np.array(half)
        return np.concatenate([half, half[::-1] * [1, -1]])

    return both_sides(shirt), both_sides(trunk)


@dataclass(frozen=True)
class _Figure:
    """Everything needed to draw a batch of frames, computed at once for the whole batch."""

    outlines: np.ndarray   # (n, parts, 2, 16, 2) base and highlight polygons, output pixels
    order: np.ndarray      # (n, parts) drawing order, far to near
    casters: np.ndarray    # (n, 3, 3) soft floor shadows: x center, half width, strength


class _FigureDrawer:
    """Turns poses into the polygons of a particular dancer at a particular frame size."""

    def __init__(self, body: Body, scale: float, center_x: float, floor_y: float, inset: float):
        self.body, self.scale, self.center_x, self.floor_y = body, scale, center_x, floor_y
        # OpenCV fills every pixel an edge touches, about half a canvas pixel beyond the outline
        self.inset = inset
        unit = scale / _standing_height(body)  # pixels per raw body unit
        radii = body.radii()
        self.limb_radii = np.array([radii[name.split("_", 1)[-1]] for name in _LIMBS]) * unit
        self.shirt, self.trunk = _torso_outlines(body)
        self.shirt[:, 1] *= unit
        self.trunk[:, 1] *= unit
        self.head_size = (body.head * unit, 0.8 * body.head * unit)
        self.torso_px = body.torso * unit
        self.hip_px = body.hip * unit

    def pixels(self, joints: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Projected joint positions in output pixels (continuous: pixel j spans [j, j + 1))."""
        return {name: np.stack([self.center_x + p[..., 0] * self.scale,
                                self.floor_y + p[..., 1] * self.scale], axis=-1)
                for name, p in joints.items()}

    def figure(self, poses: np.ndarray) -> _Figure:
        """The outlines, drawing order and floor shadows of poses ``(n, P)``, all frames at once."""
        joints = _joints_3d(poses, self.body)
        px = self.pixels(joints)
        turn = poses[:, _TURN]
        n = len(poses)
        shapes, depth = {}, {}

        starts = np.stack([px[_limb_joint(name, 0)] for name in _LIMBS], axis=1)
        ends = np.stack([px[_limb_joint(name, 1)] for name in _LIMBS], axis=1)
        radii = np.broadcast_to(self.limb_radii, starts.shape[:-1] + (2,))
        r0, r1 = radii[..., 0], radii[..., 1]
        base = _limb_outline(starts, ends, r0 - self.inset, r1 - self.inset)
        lit = _limb_highlight(starts, ends, r0, r1)
        for k, name in enumerate(_LIMBS):
            shapes[name] = (base[:, k], lit[:, k])
            z = 0.5 * (joints[_limb_joint(name, 0)][:, 2] + joints[_limb_joint(name, 1)][:, 2])
            depth[name] = z + _DEPTH_BIAS[name.split("_", 1)[-1]]

        # the trunk: outlines along the projected spine, as wide as the body seen from this angle
        spine = px["neck"] - px["pelvis"]
        length = np.maximum(np.hypot(spine[:, 0], spine[:, 1]), 1e-9)[:, None]
        right = np.stack([-spine[:, 1], spine[:, 0]], axis=-1) / length
        for name, outline, up, side, depth_ratio in (
                ("torso", self.shirt, spine, right, 0.6),
                ("pelvis", self.trunk, np.broadcast_to([0.0, -self.torso_px], (n, 2)),
                 np.broadcast_to([1.0, 0.0], (n, 2)), 0.7)):
            width = np.hypot(np.cos(turn), depth_ratio * np.sin(turn))[:, None]
            vertices = _pad(_inset(_template(px["pelvis"], up, side * width, outline), self.inset))
            shapes[name] = (vertices, _polygon_highlight(vertices))
        depth["torso"] = 0.5 * joints["neck"][:, 2] + _DEPTH_BIAS["torso"]
        depth["pelvis"] = np.full(n, _DEPTH_BIAS["pelvis"])

        # the head: an ellipse along the neck-to-crown line, deeper than wide; hair over the back
        up = px["crown"] - px["head"]
        up = up / np.maximum(np.hypot(up[:, 0], up[:, 1]), 1e-9)[:, None]
        tall, wide = self.head_size
        across_head = wide * np.hypot(np.cos(turn), 1.2 * np.sin(turn))
        head = _ellipse(px["head"], up, tall - self.inset, across_head - self.inset)
        back = 0.5 - 0.5 * np.cos(turn)  # 0 facing the camera, 1 facing away
        right = np.stack([-up[:, 1], up[:, 0]], axis=-1)
        hair_center = (px["head"] + (0.42 * (1 - back) * tall)[:, None] * up
                       - (0.3 * np.sin(turn) * across_head)[:, None] * right)
        hair = _ellipse(hair_center, up, (0.64 + 0.4 * back) * tall - self.inset,
                        1.06 * across_head - self.inset)
        shapes["head"] = (head, _polygon_highlight(head))
        shapes["hair"] = (hair, _polygon_highlight(hair))
        depth["head"] = joints["head"][:, 2] + _DEPTH_BIAS["head"]
        depth["hair"] = joints["head"][:, 2] + _DEPTH_BIAS["hair"]

        outlines = np.stack([np.stack(shapes[name], axis=1) for name in _PARTS], axis=1)
        order = np.argsort(np.stack([depth[name] for name in _PARTS], axis=1), axis=1, kind="stable")
        return _Figure(outlines, order, self._shadow_casters(joints, px))

    def _shadow_casters(self, joints, px) -> np.ndarray:
        """Per frame, three soft blobs on the floor: under each foot and under the body."""
        casters = []
        for s in "lr":
            heel, toe = px[f"{s}_heel"], px[f"{s}_toe"]
            height = -np.maximum(joints[f"{s}_heel"][:, 1], joints[f"{s}_toe"][:, 1]) - 0.03  # above floor
            casters.append(np.stack([0.5 * (heel[:, 0] + toe[:, 0]),
                                     0.5 * np.abs(toe[:, 0] - heel[:, 0]) + 0.1 * self.scale,
                                     np.exp(-np.maximum(height, 0) / 0.08)], axis=-1))
        lift = -joints["pelvis"][:, 1] - 0.5
        casters.append(np.stack([px["pelvis"][:, 0], np.full(len(lift), 2.2 * self.hip_px + 3.0),
                                 0.55 * np.exp(-np.maximum(lift, 0) / 0.1)], axis=-1))
        return np.stack(casters, axis=1)


def _limb_joint(limb: str, end: int) -> str:
    """The joint at one end (0 or 1) of a limb: ``_limb_joint("l_forearm", 1) == "l_wrist"``."""
    side, _, kind = limb.partition("_")
    if not kind:
        return _LIMB_ENDS[limb][end]
    return f"{side}_{_LIMB_ENDS[kind][end]}"


# ----------------------------------------------------------------------------- the stage

FLOOR_LINE = 0.94   # the feet stand on this fraction of the frame height
HORIZON = 0.70      # where the backdrop meets the floor, as a fraction of the frame height


@dataclass(frozen=True)
class StageSettings:
    """How the stage is filmed. Defaults: the original's 120x208 frames, a consumer camera."""

    height: int = 120
    width: int = 208
    supersample: int = 3            # the figure is drawn this many times larger, then averaged down
    noise_sigma: float = 2.5        # sensor noise, gray levels
    flicker: float = 0.02           # per-frame light flicker (relative standard deviation)
    drift: float = 0.10             # slow lighting drift (relative amplitude)
    shadow: float = 0.35            # how much the dancer's floor shadow darkens the floor
    jpeg_quality: int | None = None  # JPEG round trip per frame (None: no compression)

    def __post_init__(self):
        for name in ("height", "width", "supersample"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise ValueError(f"StageSettings.{name} must be an integer, got {value!r}")
        if self.height < 32 or self.width < 32:
            raise ValueError(f"StageSettings height and width must be at least 32, "
                             f"got {self.height}x{self.width}")
        if self.supersample < 1:
            raise ValueError(f"StageSettings.supersample must be at least 1, got {self.supersample}")
        for name, top in (("noise_sigma", 100.0), ("flicker", 0.5), ("drift", 0.5), ("shadow", 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not 0 <= value <= top:  # NaN fails the comparison too
                raise ValueError(f"StageSettings.{name} must be between 0 and {top}, got {value!r}")
        if self.jpeg_quality is not None and not (isinstance(self.jpeg_quality, (int, np.integer))
                                                  and 1 <= self.jpeg_quality <= 100):
            raise ValueError(f"StageSettings.jpeg_quality must be None or 1..100, got {self.jpeg_quality!r}")


def _blotches(shape: tuple[int, int], sigma: float, rng) -> np.ndarray:
    """Smooth random variation with standard deviation 1 and features about ``sigma`` pixels wide."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return field / max(float(field.std()), 1e-6)


def _curtain(y: np.ndarray, x: np.ndarray, h: int, w: int, rng) -> np.ndarray:
    """Brightness of the backdrop (about 1): a curtain in vertical folds, a valance along the top."""
    period = w / rng.uniform(7.0, 11.0)
    u = (x - w / 2) / (1 + 0.12 * y / h) / period  # folds fan out toward the floor
    psi = TAU * u + 0.9 * np.sin(TAU * u / rng.uniform(2.5, 3.5) + rng.uniform(0, TAU))
    folds = (0.5 + 0.5 * np.cos(psi)) ** 0.8
    shade = 0.84 + 0.2 * folds + 0.035 * _blotches(y.shape, y.shape[0] / 6, rng)
    shade += 0.015 * _blotches((1, y.shape[1]), 1.0, rng)  # fine vertical threads
    scallop = w / rng.integers(5, 8)
    edge = h * (0.05 + 0.03 * np.abs(np.sin(math.pi * x / scallop)))
    valance = 0.66 + 0.05 * np.cos(TAU * x / (scallop / 3))
    return np.where(y < edge, valance, shade)


def _planks(y: np.ndarray, x: np.ndarray, h: int, w: int, rng) -> np.ndarray:
    """Brightness of the floor (about 1): planks running toward the backdrop, in perspective."""
    horizon = HORIZON * h
    vanish = horizon - 0.6 * h
    depth = (h - vanish) / np.maximum(y - vanish, 1e-6)  # 1 at the bottom row, 1.5 at the horizon
    plank = w / rng.uniform(8.0, 11.0)  # plank width at the bottom row, pixels
    u = (x - w / 2) * depth / plank + rng.uniform(0, 1)
    k = np.floor(u).astype(int) % 256
    seam = np.minimum(u % 1, 1 - u % 1) * plank / depth  # pixels to the nearest seam
    rate = rng.uniform(2.0, 3.0)
    v = depth * rate + rng.uniform(0, 1, 256)[k]
    end = np.minimum(v % 1, 1 - v % 1) / np.maximum(rate * (h - vanish) / (y - vanish) ** 2, 1e-6)
    streaks = cv2.GaussianBlur(rng.standard_normal(y.shape).astype(np.float32), (0, 0), 0.6, sigmaY=4.0)
    grain = 1 + 0.2 * streaks  # the blur leaves the noise a standard deviation of about 0.15
    tone = rng.uniform(0.86, 1.1, 256)[k]
    shade = (tone * grain * (1 - 0.35 * np.exp(-(seam / 0.7) ** 2)) * (1 - 0.3 * np.exp(-(end / 0.6) ** 2))
             * (0.8 + 0.2 * (y - horizon) / (h - horizon)))
    baseboard = (y > horizon - 1.5) & (y < horizon + 0.5)
    return np.where(baseboard, 0.55, shade)


def _stage_shading(h: int, w: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Curtain and floor brightness and the floor's coverage of each pixel, anti-aliased (h, w)."""
    y, x = np.mgrid[0:2 * h, 0:2 * w] / 2.0 + 0.25  # pixel centers of a 2x grid, in output pixels
    curtain, floor = _curtain(y, x, h, w, rng), _planks(y, x, h, w, rng)
    on_floor = (y >= HORIZON * h).astype(np.float32)
    down = [cv2.resize(a.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
            for a in (curtain, floor, on_floor)]
    return down[0], down[1], down[2]


def _spotlight(h: int, w: int) -> np.ndarray:
    """How brightly each point of the stage is lit (h, w): an even beam where the dancer moves,
    falling off toward the sides and the top, and a pool of light on the floor."""
    y, x = np.mgrid[0:h, 0:w] + 0.5
    across = np.exp(-(np.maximum(np.abs(x - w / 2) - 0.38 * w, 0) / (0.16 * w)) ** 2)
    down = np.exp(-(np.maximum(0.2 * h - y, 0) / (0.3 * h)) ** 2)
    pool = np.exp(-((x - w / 2) / (0.28 * w)) ** 2 - ((y - FLOOR_LINE * h) / (0.09 * h)) ** 2)
    return (0.5 + 0.5 * across * down + 0.08 * pool).astype(np.float32)


def _curtain_colors(rng, n: int) -> np.ndarray:
    """``n`` candidate curtain colors ``(n, 3)``: saturated mid tones of any hue."""
    return np.array([_hsv(rng.uniform(0, 360), rng.uniform(0.5, 0.85), rng.uniform(0.38, 0.7))
                     for _ in range(n)], dtype=float)


def _floor_colors(rng, n: int) -> np.ndarray:
    """``n`` candidate floor colors ``(n, 3)``: wood, or blue to green stage paint."""
    return np.array([_hsv(rng.uniform(20, 40), rng.uniform(0.45, 0.65), rng.uniform(0.4, 0.6))
                     if rng.random() < 0.5 else
                     _hsv(rng.uniform(150, 250), rng.uniform(0.35, 0.8), rng.uniform(0.25, 0.5))
                     for _ in range(n)], dtype=float)


_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _differences(colors: np.ndarray, shading: np.ndarray, light: np.ndarray, tones: np.ndarray):
    """Stage minus dancer, per channel, for each candidate stage color ``(K, 3)``, dancer tone
    ``(T, 3)`` and stage pixel (``shading`` and ``light`` per pixel, ``(m,)``): 3 x ``(K, T, m)``."""
    shading, light, colors, tones = (np.asarray(a, np.float32) for a in (shading, light, colors, tones))
    # the light falls on stage and dancer alike
    return [(colors[:, None, None, c] * shading - tones[None, :, None, c]) * light for c in range(3)]


def _percentile(values: np.ndarray, q: float) -> np.ndarray:
    """The ``q``-th percentile over each candidate's tones and pixels, ``(K,)``."""
    flat = values.reshape(len(values), -1)
    k = min(int(q / 100 * flat.shape[1]), flat.shape[1] - 1)
    return np.partition(flat, k, axis=1)[:, k]


def _worst_contrast(colors, shading, light, tones, luma: bool = False) -> np.ndarray:
    """For each candidate stage color: the lowest contrast between any dancer tone and the 1 %
    least different stage pixels. Contrast is the largest difference over the color channels, or
    with ``luma`` the difference in brightness alone."""
    difference = _differences(colors, shading, light, tones)
    if luma:
        contrast = np.abs(sum(w * d for w, d in zip(_LUMA, difference)))
    else:
        contrast = np.max([np.abs(d) for d in difference], axis=0)
    k = max(int(0.01 * contrast.shape[-1]), 0)
    return np.partition(contrast, k, axis=-1)[..., k].min(axis=-1)


def _color_bleed(colors, shading, light, tones) -> np.ndarray:
    """For each candidate stage color: how far the dancer's color (brightness taken out) differs
    from the stage's, largest channel, 95th percentile of tones and pixels. Video codecs blur
    color over two pixels, so this much difference spills beyond the dancer's outline."""
    difference = _differences(colors, shading, light, tones)
    luma = sum(w * d for w, d in zip(_LUMA, difference))
    return _percentile(np.max([np.abs(d - luma) for d in difference], axis=0), 95)


#: the contrast the stage is chosen for: every tone of the dancer differs from the stage behind it
#: by at least this many gray levels in at least one channel (at the 1st percentile of the pixels)
CONTRAST = 42.0
#: ... and the large parts (skin, shirt, trousers) differ by this much in brightness alone, which
#: is what survives video compression along the outline (codecs keep color at half resolution)
LUMA_CONTRAST = 30.0


def _pick_color(candidates, rng, shading, light, tones, large_tones) -> tuple[np.ndarray, float]:
    """A stage color for one region of the stage, and its worst contrast with the dancer.

    Of 100 candidates, those reaching :data:`CONTRAST` with every tone and
    :data:`LUMA_CONTRAST` with the large parts' tones qualify, and the one whose color spills
    least over the outline (:func:`_color_bleed`) wins. Failing that, the one with the most
    brightness contrast among those reaching :data:`CONTRAST`; failing that, up to two more
    batches are tried and the highest contrast seen is kept.
    """
    fallback, fallback_contrast = None, -np.inf
    for _ in range(3):
        colors = candidates(rng, 100)
        contrast = _worst_contrast(colors, shading, light, tones)
        brightness = _worst_contrast(colors, shading, light, large_tones, luma=True)
        valid = contrast >= CONTRAST
        qualified = valid & (brightness >= LUMA_CONTRAST)
        if qualified.any():
            bleed = _color_bleed(colors, shading, light, large_tones)
            pick = int(np.argmin(np.where(qualified, bleed, np.inf)))
            return colors[pick], float(contrast[pick])
        if valid.any():
            pick = int(np.argmax(np.where(valid, brightness, -np.inf)))
            return colors[pick], float(contrast[pick])
        pick = int(np.argmax(contrast))
        if contrast[pick] > fallback_contrast:
            fallback, fallback_contrast = colors[pick], float(contrast[pick])
    return fallback, fallback_contrast


class Stage:
    """A dancer on a stage: renders poses to frames with their exact masks.

    One ``seed`` picks the dancer's body and outfit, the stage's colors and textures, and the
    lighting and sensor noise of every frame; frame ``i`` is the same whichever way it is rendered.
    """

    def __init__(self, settings: StageSettings = StageSettings(), seed: int = 0):
        if not isinstance(settings, StageSettings):
            raise ValueError(f"settings must be a StageSettings, got {type(settings).__name__}")
        self.settings, self.seed = settings, _check_seed(seed)
        self.body, self.outfit = Body.from_seed(self.seed), Outfit.from_seed(self.seed)
        h, w = settings.height, settings.width
        self.floor_y = FLOOR_LINE * h
        # pixels per body height; narrow frames shrink the dancer to keep every move inside
        self.scale = min(self.body.height * h, w / (2 * (TRAVEL + REACH) + 0.05))
        self._drawer = _FigureDrawer(self.body, self.scale, w / 2, self.floor_y, 0.5 / settings.supersample)

        rng = np.random.default_rng([_TAG_STAGE, self.seed])
        curtain, floor, on_floor = _stage_shading(h, w, rng)
        self.spotlight = _spotlight(h, w)
        #: the worst contrast between the dancer and the stage behind it, gray levels (see CONTRAST)
        self.contrast, colors = self._choose_colors(rng, curtain, floor, on_floor)
        background = (colors[0] * (curtain * (1 - on_floor))[..., None]
                      + colors[1] * (floor * on_floor)[..., None])
        #: the empty stage before lighting, uint8 RGB (H, W, 3)
        self.background = np.clip(np.rint(background), 0, 255).astype(np.uint8)
        self._lit = self.background.astype(np.float32) * self.spotlight[..., None]
        self._drift_phase = rng.uniform(0, TAU, 2)

        colors = self.outfit.part_colors()
        self._colors = [tuple(float(v) for v in tone) + (255.0,)
                        for name in _PARTS for tone in _tones(colors[name])]
        noise = np.random.default_rng([_TAG_NOISE, self.seed])
        pad_y, pad_x = min(h, 128), min(w, 128)
        self._noise = (noise.standard_normal((h + pad_y, w + pad_x, 3), dtype=np.float32)
                       * np.float32(settings.noise_sigma))
        # the shadow falls a little behind the feet (up the image), the light being in front
        sigma, center = 0.04 * h, self.floor_y - 0.045 * h
        rows = np.arange(max(int(center - 2.5 * sigma), 0), min(int(center + 2.5 * sigma) + 1, h))
        self._shadow_rows = slice(int(rows[0]), int(rows[-1]) + 1)
        self._shadow_profile = np.exp(-((rows + 0.5 - center) / sigma) ** 2).astype(np.float32)

    # -- construction

    def _choose_colors(self, rng, curtain, floor, on_floor) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
        """Curtain and floor colors that the dancer stands out from, and the contrast achieved.

        Contrast is measured between each shaded tone of the outfit and the lit stage behind it:
        the whole outfit against the backdrop around the dancer, shins and shoes against the
        floor, shadowed or not (see :func:`_pick_color`).
        """
        h, w = curtain.shape
        half_width = int((TRAVEL + 0.6) * self.scale)
        columns = slice(max(w // 2 - half_width, 0), w // 2 + half_width, 4)
        horizon = int(HORIZON * h)
        top = min(max(int(self.floor_y - 1.12 * self.scale), 0), horizon - 4)  # the dancer's reach
        o = self.outfit
        shins = o.skin if o.shorts else o.trousers
        chosen, worst = [], np.inf
        for rows, shading, colors, large, darkening, candidates in (
                (slice(top, horizon, 4), curtain, {o.skin, o.hair, o.shirt, o.trousers, o.shoes},
                 {o.skin, o.shirt, o.trousers}, (1.0,), _curtain_colors),
                (slice(horizon + 1, h, 2), floor, {shins, o.shoes}, {shins},
                 (1.0, 1 - self.settings.shadow), _floor_colors)):
            box = (rows, columns)
            light = np.tile(self.spotlight[box].ravel(), len(darkening))
            shading = np.concatenate([shading[box].ravel() * f for f in darkening])
            tones = [np.concatenate([np.stack(_tones(c)) for c in group]) for group in (colors, large)]
            color, contrast = _pick_color(candidates, rng, shading, light, *tones)
            chosen.append(color)
            worst = min(worst, contrast)
        return worst, tuple(chosen)

    # -- geometry

    def joints(self, pose) -> dict[str, np.ndarray]:
        """:func:`joint_positions` in pixel coordinates of this stage's frames (x right, y down)."""
        pose = _check_poses(pose)
        return self._drawer.pixels(_joints_3d(pose, self.body))

    def _figures(self, poses: np.ndarray) -> tuple[_Figure, np.ndarray, np.ndarray]:
        """A batch's figures, their polygons in fixed point on each frame's supersampled canvas,
        and each canvas's box in the frame ``(x0, y0, x1, y1)``: the dancer plus a pixel."""
        figure = self._drawer.figure(poses.astype(float))
        h, w, ss = self.settings.height, self.settings.width, self.settings.supersample
        flat = figure.outlines.reshape(len(poses), -1, 2)
        low = np.clip(np.floor(flat.min(axis=1)) - 1, 0, [w - 1, h - 1]).astype(int)
        high = np.clip(np.ceil(flat.max(axis=1)) + 1, low + 1, [w, h]).astype(int)
        boxes = np.concatenate([low, high], axis=1)  # x0, y0, x1, y1
        # pixel j covers [j, j+1); canvas pixel k is centered on k + 0.5 supersampled units
        canvas = (figure.outlines * ss - 0.5 - (low * ss)[:, None, None, None, :]) * (1 << _SHIFT)
        return figure, np.rint(canvas).astype(np.int32), boxes

    # -- pixels

    def _draw(self, polygons: np.ndarray, order: np.ndarray, box: np.ndarray) -> np.ndarray:
        """The dancer's premultiplied RGBA (uint8) inside ``box``, anti-aliased by supersampling."""
        x0, y0, x1, y1 = box
        ss = self.settings.supersample
        canvas = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss, 4), np.uint8)
        for part in order:
            cv2.fillConvexPoly(canvas, polygons[part, 0], self._colors[2 * part], cv2.LINE_8, _SHIFT)
            cv2.fillConvexPoly(canvas, polygons[part, 1], self._colors[2 * part + 1], cv2.LINE_8, _SHIFT)
        if ss == 1:
            return canvas
        return cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)

    def gain(self, frame_index: int) -> float:
        """The overall brightness of frame ``frame_index``: slow drift times flicker."""
        return self._gain(frame_index, self._frame_randoms(frame_index)[0])

    def _gain(self, frame_index: int, flicker: float) -> float:
        s = self.settings
        slow = (0.65 * math.sin(TAU * frame_index / 487 + self._drift_phase[0])
                + 0.35 * math.sin(TAU * frame_index / 211 + self._drift_phase[1]))
        return (1 + s.drift * slow) * (1 + s.flicker * min(max(flicker, -3.0), 3.0))

    def _frame_randoms(self, frame_index: int) -> tuple[float, int, int, bool]:
        """Frame ``frame_index``'s flicker (standard normal), noise window offsets and noise sign."""
        rng = np.random.default_rng([_TAG_FRAME, self.seed, int(frame_index)])
        h, w = self.settings.height, self.settings.width
        return (float(rng.standard_normal()), int(rng.integers(0, self._noise.shape[0] - h + 1)),
                int(rng.integers(0, self._noise.shape[1] - w + 1)), bool(rng.random() < 0.5))

    def _compose(self, frame_index: int, rgba: np.ndarray, box: np.ndarray, casters: np.ndarray,
                 layers: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The camera's frame (uint8) and the mask: lit stage, shadow, dancer, noise, compression."""
        s = self.settings
        h, w = s.height, s.width
        flicker, oy, ox, negative = self._frame_randoms(frame_index)
        gain = np.float32(self._gain(frame_index, flicker))
        frame = self._lit * gain
        if layers is not None:
            layers["lit"] = _to_uint8(frame)

        x = np.arange(w, dtype=np.float32) + 0.5
        blobs = casters[:, 2, None] * np.exp(-((x - casters[:, 0, None]) / casters[:, 1, None]) ** 2)
        across = 1 - np.prod(1 - blobs, axis=0)
        darkening = 1 - s.shadow * self._shadow_profile[:, None] * across.astype(np.float32)
        frame[self._shadow_rows] *= darkening[..., None]
        if layers is not None:
            layers["shadow"] = _to_uint8(frame)

        x0, y0, x1, y1 = box
        alpha = rgba[..., 3].astype(np.float32) * np.float32(1 / 255)
        dancer = rgba[..., :3].astype(np.float32) * (self.spotlight[y0:y1, x0:x1, None] * gain)
        region = frame[y0:y1, x0:x1]
        region *= (1 - alpha)[..., None]
        region += dancer
        if layers is not None:
            layers["dancer"] = np.zeros((h, w, 3), np.uint8)
            layers["dancer"][y0:y1, x0:x1] = _to_uint8(dancer)
            layers["alpha"] = np.zeros((h, w), np.float32)
            layers["alpha"][y0:y1, x0:x1] = alpha
            layers["composite"] = _to_uint8(frame)

        if s.noise_sigma > 0:
            window = self._noise[oy:oy + h, ox:ox + w]
            if negative:
                frame -= window
            else:
                frame += window
        out = _to_uint8(frame)
        if s.jpeg_quality is not None:
            _, data = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR),
                                   [cv2.IMWRITE_JPEG_QUALITY, int(s.jpeg_quality)])
            out = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        mask = np.zeros((h, w), bool)
        mask[y0:y1, x0:x1] = rgba[..., 3] >= 127  # alpha >= 0.5: a half-covered pixel may round to 127
        if layers is not None:
            layers["noisy"] = out
            layers["mask"] = mask
        return out, mask

    def render_sequence(self, poses, start: int = 0, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Frames ``(N, H, W, 3)`` uint8 RGB and masks ``(N, H, W)`` of poses ``(N, P)`` as frames
        ``start, start + 1, ...`` (the frame index sets the lighting and the noise)."""
        poses = np.atleast_2d(_check_poses(poses))
        start = _check_index(start)
        n, h, w = len(poses), self.settings.height, self.settings.width
        frames = np.empty((n, h, w, 3), np.uint8)
        masks = np.empty((n, h, w), bool)
        batch = 256
        with tqdm(total=n, desc="rendering the stage", unit="frame", disable=not progress) as bar:
            for first in range(0, n, batch):
                figure, polygons, boxes = self._figures(poses[first:first + batch])
                for k in range(len(boxes)):
                    rgba = self._draw(polygons[k], figure.order[k], boxes[k])
                    frames[first + k], masks[first + k] = self._compose(
                        start + first + k, rgba, boxes[k], figure.casters[k])
                bar.update(len(boxes))
        return frames, masks

    def render(self, pose, frame_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """One frame: the camera's image ``(H, W, 3)`` uint8 RGB and the true mask ``(H, W)`` bool."""
        frames, masks = self.render_sequence(_check_pose(pose)[None], start=frame_index)
        return frames[0], masks[0]

    def layers(self, pose, frame_index: int = 0) -> dict[str, np.ndarray]:
        """The steps of making one frame, for a figure: ``backdrop`` (the unlit stage), ``lit``
        (spotlight and this frame's gain), ``shadow`` (plus the dancer's floor shadow: the empty
        stage as filmed), ``dancer`` (the lit dancer on black), ``alpha`` (its coverage, float),
        ``composite`` (dancer on stage), ``noisy`` (the final frame: plus sensor noise, then the
        JPEG round trip if set) and ``mask``."""
        figure, polygons, boxes = self._figures(_check_pose(pose)[None])
        layers = {"backdrop": self.background.copy()}
        rgba = self._draw(polygons[0], figure.order[0], boxes[0])
        self._compose(_check_index(frame_index), rgba, boxes[0], figure.casters[0], layers)
        return layers

    def render_dancer(self, pose) -> tuple[np.ndarray, np.ndarray]:
        """The dancer alone: colors ``(H, W, 3)`` float32 in [0, 1] (straight, not premultiplied,
        before the stage lighting; 0 where absent) and coverage ``alpha`` ``(H, W)`` float32."""
        figure, polygons, boxes = self._figures(_check_pose(pose)[None])
        rgba = self._draw(polygons[0], figure.order[0], boxes[0]).astype(np.float32) / 255
        x0, y0, x1, y1 = boxes[0]
        h, w = self.settings.height, self.settings.width
        rgb, alpha = np.zeros((h, w, 3), np.float32), np.zeros((h, w), np.float32)
        alpha[y0:y1, x0:x1] = rgba[..., 3]
        rgb[y0:y1, x0:x1] = rgba[..., :3] / np.maximum(rgba[..., 3:], 1e-6)
        return np.clip(rgb, 0, 1), alpha


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """Rounded and saturated to 0..255."""
    return cv2.convertScaleAbs(cv2.max(image, 0.0))


# ----------------------------------------------------------------------------- clips and recordings

@dataclass(frozen=True, eq=False)
class StageClip:
    """A rendered dance in memory: frames with their true masks, poses and move labels."""

    frames: np.ndarray  # (N, H, W, 3) uint8 RGB
    masks: np.ndarray   # (N, H, W) bool
    poses: np.ndarray   # (N, P) float32
    labels: np.ndarray  # (N,) int16, index into MOVES
    fps: float
    meta: dict


def _meta(stage: Stage, dance: Choreography, n_frames: int) -> dict:
    return {"seed": stage.seed, "settings": asdict(stage.settings), "fps": dance.fps, "bpm": dance.bpm,
            "n_frames": n_frames, "moves": list(MOVES), "pose_fields": list(POSE_FIELDS),
            "segments": [list(segment) for segment in dance.segments],
            "body": asdict(stage.body), "outfit": asdict(stage.outfit), "contrast": stage.contrast}


def _render(n_frames, seed, settings, fps, progress) -> tuple[StageClip, Choreography]:
    n_frames = _check_count(n_frames)
    stage = Stage(settings, seed)
    dance = choreograph(n_frames, fps=fps, seed=seed)
    frames, masks = stage.render_sequence(dance.poses, progress=progress)
    clip = StageClip(frames, masks, dance.poses, dance.labels, dance.fps, _meta(stage, dance, n_frames))
    return clip, dance


def render_clip(n_frames: int, seed: int = 0, settings: StageSettings = StageSettings(),
                fps: float = 30.0, progress: bool = True) -> StageClip:
    """``n_frames`` of a dancer dancing a random choreography on a stage, all set by ``seed``."""
    return _render(n_frames, seed, settings, fps, progress)[0]


VIDEO_NAME, TRUTH_NAME, META_NAME = "stage.mp4", "truth.npz", "meta.json"


@dataclass(frozen=True, eq=False)
class StageRecording:
    """A stage clip on disk: ``stage.mp4``, the ground truth in ``truth.npz``, ``meta.json``."""

    directory: Path
    video_path: Path
    masks: np.ndarray   # (N, H, W) bool
    poses: np.ndarray   # (N, P) float32
    labels: np.ndarray  # (N,) int16
    phase: np.ndarray   # (N,) float32
    meta: dict

    @classmethod
    def load(cls, directory) -> StageRecording:
        """The recording in ``directory``; a missing or unreadable file raises ValueError naming it."""
        directory = Path(directory)
        video_path = directory / VIDEO_NAME
        if not video_path.is_file():
            raise ValueError(f"stage recording is missing its video: {video_path}")
        meta_path, truth_path = directory / META_NAME, directory / TRUTH_NAME
        try:
            meta = json.loads(meta_path.read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read {meta_path}: {error}") from None
        try:
            with np.load(truth_path) as truth:
                shape = tuple(int(v) for v in truth["mask_shape"])
                masks = np.unpackbits(truth["masks"], count=int(np.prod(shape))).reshape(shape).astype(bool)
                poses, labels, phase = truth["poses"], truth["labels"], truth["phase"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"cannot read {truth_path}: {error}") from None
        if not len(masks) == len(poses) == len(labels) == len(phase):
            raise ValueError(f"cannot read {truth_path}: its arrays disagree in length")
        return cls(directory, video_path, masks, poses, labels, phase, meta)


def write_stage_video(directory, n_frames: int, seed: int = 0, settings: StageSettings = StageSettings(),
                      fps: float = 30.0, progress: bool = True) -> StageRecording:
    """Render a stage clip into ``directory``: the video, its ground truth and what made it."""
    directory = Path(directory)
    clip, dance = _render(n_frames, seed, settings, fps, progress)
    directory.mkdir(parents=True, exist_ok=True)
    video_path = write_video(directory / VIDEO_NAME, clip.frames, fps=clip.fps)
    np.savez_compressed(directory / TRUTH_NAME, masks=np.packbits(clip.masks),
                        mask_shape=np.array(clip.masks.shape), poses=clip.poses,
                        labels=clip.labels, phase=dance.phase)
    (directory / META_NAME).write_text(json.dumps(clip.meta, indent=1))
    return StageRecording(directory, video_path, clip.masks, clip.poses, clip.labels, dance.phase, clip.meta)


# ----------------------------------------------------------------------------- input checks

def _check_poses(pose) -> np.ndarray:
    pose = np.asarray(pose, dtype=float)
    if pose.ndim not in (1, 2) or pose.shape[-1] != len(POSE_FIELDS):
        raise ValueError(f"a pose vector has {len(POSE_FIELDS)} values (see POSE_FIELDS); "
                         f"got an array of shape {pose.shape}")
    if not np.all(np.isfinite(pose)):
        raise ValueError("pose contains NaN or infinity")
    return pose


def _check_pose(pose) -> np.ndarray:
    pose = _check_poses(pose)
    if pose.ndim != 1:
        raise ValueError(f"expected one pose vector of {len(POSE_FIELDS)} values, got shape {pose.shape}")
    return pose


def _check_count(n_frames) -> int:
    if not isinstance(n_frames, (int, np.integer)) or isinstance(n_frames, bool) or n_frames < 1:
        raise ValueError(f"n_frames must be a positive integer, got {n_frames!r}")
    return int(n_frames)


def _check_index(index) -> int:
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool) or index < 0:
        raise ValueError(f"frame index must be a non-negative integer, got {index!r}")
    return int(index)


def _check_seed(seed) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _check_positive(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value
