"""The named moves: each one a smooth, periodic pose as a function of its phase within a cycle of beats.

A move stands on its own here, to be looked at and plotted; which move follows which, and when, is
the routine's business (:mod:`.routine`).
"""

from __future__ import annotations

import math

import numpy as np

from .pose import _INDEX, _TURN, NEUTRAL_POSE, TAU, mirror_pose, wrap_angle

# Each move is a pose as a function of its phase (0..1 over one cycle of 2 or 4 beats), built
# from periodic pieces only, so phase 0 and phase 1 give the same pose.


def _pose(phase: np.ndarray, **fields) -> np.ndarray:
    """Neutral poses ``(T, P)`` with some fields set; a name without ``l_``/``r_`` sets both sides."""
    pose = np.tile(NEUTRAL_POSE, (len(phase), 1))
    for name, value in fields.items():
        for field in [name] if name in _INDEX else [f"l_{name}", f"r_{name}"]:
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
    return _pose(
        p,
        knee=knee,
        hip_flex=0.5 * knee,
        shoulder_abd=0.2 + 0.06 * on,
        elbow_flex=0.5 + 0.25 * on,
        l_shoulder_flex=0.2 * np.sin(c),
        r_shoulder_flex=-0.2 * np.sin(c),
        root_x=0.015 * np.sin(c),
        lean=0.04 * np.sin(c),
        head_tilt=0.08 * np.sin(c),
    )


def _arm_wave(p):
    c = TAU * p
    knee = 0.1 + 0.14 * _on_beat(p, 4)
    return _pose(
        p,
        knee=knee,
        hip_flex=0.5 * knee,
        shoulder_flex=0.05,
        elbow_flex=0.1,
        l_shoulder_abd=1.45 + 0.28 * np.sin(c),
        l_elbow_abd=0.7 * np.sin(c - 1.1),
        r_shoulder_abd=1.45 + 0.28 * np.sin(c - 2.4),
        r_elbow_abd=0.7 * np.sin(c - 3.5),
        lean=0.07 * np.sin(c - 1.2),
        head_tilt=0.12 * np.sin(c - 1.2),
        root_x=0.02 * np.sin(c - 1.2),
    )


def _step_touch(p):
    c = TAU * p
    apart = 0.5 + 0.5 * np.cos(2 * c)  # feet apart crossing the middle, together at each end
    knee = 0.12 + 0.22 * _on_beat(p, 4)
    tap_l, tap_r = _bump(p, 0.75, 8), _bump(p, 0.25, 8)
    return _pose(
        p,
        root_x=0.11 * np.sin(c),
        lean=0.06 * np.cos(c),
        head_tilt=0.08 * np.cos(c),
        hip_abd=0.04 + 0.16 * apart,
        l_hip_flex=0.5 * knee + 0.25 * tap_l,
        l_knee=knee + 0.45 * tap_l,
        r_hip_flex=0.5 * knee + 0.25 * tap_r,
        r_knee=knee + 0.45 * tap_r,
        shoulder_abd=0.35 + 0.55 * apart,
        shoulder_flex=0.6 * (1 - apart),
        elbow_abd=-0.6 * (1 - apart),
        elbow_flex=1.4 - 0.6 * apart,
    )


def _jumping_jack(p):
    c = TAU * p
    spread = 0.5 - 0.5 * np.cos(c)
    knee = 0.08 + 0.3 * (0.5 + 0.5 * np.cos(2 * c))  # soft knees on landing
    return _pose(
        p,
        bounce=0.03 * (0.5 - 0.5 * np.cos(2 * c)),
        knee=knee,
        hip_flex=0.5 * knee,
        hip_abd=0.04 + 0.3 * spread,
        shoulder_abd=0.2 + 1.85 * spread,
        elbow_abd=0.3 * spread,
        elbow_flex=0.1,
    )


def _squat_pulse(p):
    down = _on_beat(p, 2)
    knee = 0.15 + 1.15 * down
    return _pose(
        p,
        knee=knee,
        hip_flex=0.55 * knee,
        bend=0.3 * down,
        hip_abd=0.2,
        shoulder_flex=0.25 + 1.05 * down,
        shoulder_abd=0.22,
        elbow_flex=0.25,
        turn=0.55,
        head_tilt=0.04 * np.sin(TAU * p),
    )


def _front_kick(p):
    chamber, snap, lift = _bump(p, 0.3, 4), _bump(p, 0.33, 16), _bump(p, 0.78, 6)
    return _pose(
        p,
        r_hip_flex=0.05 + 1.35 * chamber + 1.0 * lift,
        r_knee=0.1 + 1.45 * chamber - 1.35 * snap + 1.3 * lift,
        l_knee=0.2 + 0.1 * chamber,
        l_hip_flex=0.1,
        shoulder_flex=0.55,
        shoulder_abd=0.35,
        elbow_flex=1.9,
        elbow_abd=-0.25,
        bend=-0.25 * snap,
        turn=0.7,
    )


def _side_kick(p):
    out, chamber = _bump(p, 0.38, 6), _bump(p, 0.28, 10)
    return _pose(
        p,
        r_hip_abd=0.05 + 0.85 * out,
        r_hip_flex=0.6 * chamber,
        r_knee=0.1 + 1.3 * chamber,
        l_knee=0.15,
        l_hip_flex=0.08,
        lean=0.22 * out,
        root_x=0.03 * out,
        head_tilt=-0.1 * out,
        shoulder_abd=0.75 + 0.25 * out,
        elbow_abd=0.8,
        elbow_flex=0.2,
    )


def _disco_point(p):
    up = _on_beat(p, 2)
    return _pose(
        p,
        r_shoulder_abd=-0.3 + 2.4 * up,
        r_shoulder_flex=0.1 + 0.4 * (1 - up),
        r_elbow_abd=0.0,
        r_elbow_flex=0.05,
        l_shoulder_abd=0.7,
        l_shoulder_flex=0.15,
        l_elbow_abd=-1.9,
        l_elbow_flex=0.35,
        root_x=0.035 * (2 * up - 1),
        lean=-0.08 * (2 * up - 1),
        head_tilt=-0.15 * (2 * up - 1),
        l_knee=0.1 + 0.3 * up,
        l_hip_flex=0.05 + 0.15 * up,
        r_knee=0.1 + 0.3 * (1 - up),
        r_hip_flex=0.05 + 0.15 * (1 - up),
    )


def _body_roll(p):
    c = TAU * p
    knee = 0.3 + 0.25 * np.sin(c - 1.6)
    return _pose(
        p,
        bend=0.3 * np.sin(c),
        lean=0.1 * np.cos(c),
        head_tilt=-0.12 * np.sin(c - 0.8),
        knee=knee,
        hip_flex=0.5 * knee,
        shoulder_flex=0.3 * np.sin(c - 0.6),
        shoulder_abd=0.3,
        elbow_flex=0.9,
        root_x=0.02 * np.sin(c),
        turn=0.85,
    )


def _hip_sway(p):
    s = np.sin(TAU * p)
    knee_l, knee_r = 0.08 + 0.3 * (0.5 - 0.5 * s), 0.08 + 0.3 * (0.5 + 0.5 * s)
    return _pose(
        p,
        root_x=0.07 * s,
        lean=-0.12 * s,
        head_tilt=0.1 * s,
        l_hip_abd=0.1 - 0.13 * s,
        r_hip_abd=0.1 + 0.13 * s,
        l_knee=knee_l,
        l_hip_flex=0.5 * knee_l,
        r_knee=knee_r,
        r_hip_flex=0.5 * knee_r,
        l_shoulder_abd=1.0 + 0.25 * s,
        r_shoulder_abd=1.0 - 0.25 * s,
        elbow_abd=0.8,
        elbow_flex=0.3,
    )


def _turn(p):
    c = TAU * p
    knee = 0.12 + 0.15 * _on_beat(p, 4)
    return _pose(
        p,
        turn=wrap_angle(c - np.sin(c)),  # one full turn, slow at the ends
        shoulder_abd=0.2 + 0.7 * (0.5 - 0.5 * np.cos(c)),
        elbow_abd=0.5,
        elbow_flex=0.5,
        knee=knee,
        hip_flex=0.5 * knee,
    )


def _march(p):
    lift_l, lift_r = _bump(p, 0.25, 2.2), _bump(p, 0.75, 2.2)
    return _pose(
        p,
        l_hip_flex=1.2 * lift_l,
        l_knee=0.06 + 1.4 * lift_l,
        r_hip_flex=1.2 * lift_r,
        r_knee=0.06 + 1.4 * lift_r,
        l_shoulder_flex=0.7 * (lift_r - lift_l),
        r_shoulder_flex=0.7 * (lift_l - lift_r),
        shoulder_abd=0.15,
        elbow_flex=1.3,
        turn=0.6,
    )


def _windmill(p):
    c = TAU * p
    knee = 0.15 + 0.2 * _on_beat(p, 4)
    return _pose(
        p,
        l_shoulder_abd=1.35 + 0.9 * np.sin(c),
        l_shoulder_flex=0.8 * np.cos(c),
        r_shoulder_abd=1.35 - 0.9 * np.sin(c),
        r_shoulder_flex=-0.8 * np.cos(c),
        elbow_flex=0.05,
        lean=0.1 * np.sin(c),
        bend=0.1,
        knee=knee,
        hip_flex=0.5 * knee,
        hip_abd=0.15,
    )


def _high_clap(p):
    together = _on_beat(p, 1)  # clap on the first beat, hands apart on the second
    knee = 0.12 + 0.2 * _on_beat(p, 2)
    # arms raised forward and up: the hands meet above the head, a little in front of it
    return _pose(
        p,
        shoulder_flex=2.55,
        shoulder_abd=0.5 - 0.7 * together,
        elbow_flex=-0.55,
        knee=knee,
        hip_flex=0.5 * knee,
        head_tilt=0.06 * np.sin(TAU * p),
        lean=0.05 * np.sin(TAU * p),
    )


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
