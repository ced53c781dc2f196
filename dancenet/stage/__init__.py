"""The synthetic dancer on a stage: a dance video made on your machine, with its ground truth.

The original DanceNet learned from a YouTube dance video that readers cannot download, so the
course films its own. An articulated figure, built from a small 3-D limb model and drawn in 2-D,
dances a routine of named moves on a lit, textured stage, in counts of eight, combinations and the
form of a song. Every frame comes with
what a real video never has: the dancer's exact silhouette (the mask), the pose and the move.

The stage is built to make background removal a real problem: the backdrop is a folded curtain
under a spotlight, the floor has perspective planks, the light drifts slowly and flickers, the
dancer casts a soft shadow, the sensor adds noise, and the clothes are shaded but never near
black -- so the original's "every pixel brighter than 20 is background" fails, while a method that
models the empty stage succeeds. For framing, it can film the dancer small and far away and send
passers-by across the stage in front of the dancer and behind (``StageSettings(dancer_height=...,
walkers=...)``), with their pixels as ground truth of their own.

Conventions: images are RGB. 3-D body coordinates have x to the screen right, y down and z toward
the camera; lengths are in *body heights* (the figure standing straight is 1 tall), angles in
radians. The dancer's left side is on the screen's right while facing the camera.

The modules, in the order they build on each other: :mod:`.pose` (the pose vector), :mod:`.moves`
(the named moves), :mod:`.phrases` (combinations, counts and song form), :mod:`.routine` (the
scripted dance); :mod:`.body` (proportions, outfit,
skeleton), :mod:`.figure` (drawing it); :mod:`.scenery` (the empty stage and its perspective),
:mod:`.walkers` (passers-by), :mod:`.camera` (the :class:`Stage` that films the dancer on it),
:mod:`.soundtrack` (the music, on the routine's beat clock) and :mod:`.recording` (clips in memory
and on disk).
Everything public is importable from here, as ``stage.move_pose`` or ``stage.Stage``.
"""

from .body import BONES, RGB, Body, Outfit
from .camera import Stage
from .figure import HIGHLIGHT, LIGHT, SHADE
from .moves import MOVE_BEATS, MOVES, move_index, move_pose
from .phrases import (
    BAR,
    BRIDGE_COUNTS,
    COMBINATION_NAMES,
    COMBINATIONS,
    COUNTS,
    MIRROR_REPEAT,
    SECTIONS,
    SONG_FORM,
    VERSE_COUNTS,
    Step,
    combination_chain,
    combination_counts,
    combination_moves,
    plan_steps,
)
from .pose import NEUTRAL_POSE, POSE_FIELDS, TAU, mirror_pose, wrap_angle
from .recording import (
    AUDIO_NAME,
    META_NAME,
    TRUTH_NAME,
    VIDEO_NAME,
    StageClip,
    StageRecording,
    render_clip,
    true_track,
    write_stage_video,
)
from .routine import (
    BLEND_BEATS,
    LONG_RUN_BEATS,
    REACH,
    TEMPO_RANGE,
    TRAVEL,
    BeatClock,
    Routine,
    blend_poses,
    long_run_moves,
    long_run_steps,
    plan_routine,
    shortest_move_seconds,
    stationary_distribution,
    transition_matrix,
)
from .scenery import (
    CONTRAST,
    FLOOR_LINE,
    HORIZON,
    LUMA_CONTRAST,
    MAX_WALKERS,
    VANISHING_LINE,
    StageSettings,
    floor_for_height,
    height_at_floor,
)
from .soundtrack import SAMPLE_RATE, Soundtrack, compose, write_wav
from .walkers import Crossing, Walker, walk_pose

__all__ = [
    "TAU",
    "POSE_FIELDS",
    "NEUTRAL_POSE",
    "mirror_pose",
    "wrap_angle",
    "MOVES",
    "MOVE_BEATS",
    "move_index",
    "move_pose",
    "transition_matrix",
    "long_run_moves",
    "long_run_steps",
    "LONG_RUN_BEATS",
    "shortest_move_seconds",
    "stationary_distribution",
    "TEMPO_RANGE",
    "BAR",
    "COUNTS",
    "COMBINATIONS",
    "COMBINATION_NAMES",
    "SECTIONS",
    "SONG_FORM",
    "VERSE_COUNTS",
    "BRIDGE_COUNTS",
    "MIRROR_REPEAT",
    "Step",
    "combination_chain",
    "combination_counts",
    "combination_moves",
    "plan_steps",
    "Routine",
    "BeatClock",
    "plan_routine",
    "blend_poses",
    "BLEND_BEATS",
    "TRAVEL",
    "REACH",
    "Body",
    "Outfit",
    "RGB",
    "BONES",
    "SHADE",
    "HIGHLIGHT",
    "LIGHT",
    "StageSettings",
    "FLOOR_LINE",
    "HORIZON",
    "CONTRAST",
    "LUMA_CONTRAST",
    "VANISHING_LINE",
    "MAX_WALKERS",
    "floor_for_height",
    "height_at_floor",
    "walk_pose",
    "Walker",
    "Crossing",
    "Stage",
    "StageClip",
    "StageRecording",
    "render_clip",
    "write_stage_video",
    "true_track",
    "VIDEO_NAME",
    "AUDIO_NAME",
    "Soundtrack",
    "compose",
    "write_wav",
    "SAMPLE_RATE",
    "TRUTH_NAME",
    "META_NAME",
]
