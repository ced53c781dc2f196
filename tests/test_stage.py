import json

import cv2
import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import MOVES, POSE_FIELDS, Stage, StageRecording, StageSettings

P = len(POSE_FIELDS)


def iou(a, b) -> np.ndarray:
    """Per-frame intersection over union of two mask stacks."""
    union = (a | b).sum(axis=(-2, -1))
    return (a & b).sum(axis=(-2, -1)) / np.maximum(union, 1)


def steps(poses) -> np.ndarray:
    """Largest per-frame change of any pose field, the turn taken the short way round."""
    d = np.diff(np.asarray(poses, float), axis=0)
    d[:, POSE_FIELDS.index("turn")] = stage.wrap_angle(d[:, POSE_FIELDS.index("turn")])
    return np.abs(d).max(axis=1)


@pytest.fixture(scope="module")
def clip():
    return stage.render_clip(600, seed=11, progress=False)


@pytest.fixture(scope="module")
def long_dance():
    return stage.choreograph(5400, seed=4)  # three minutes at 30 fps


# ----------------------------------------------------------------------------- moves

def test_there_are_at_least_twelve_named_moves():
    assert len(MOVES) >= 12 and len(set(MOVES)) == len(MOVES)
    assert len(stage.MOVE_BEATS) == len(MOVES) and set(stage.MOVE_BEATS) <= {2, 4}


def test_move_pose_shapes_and_turn_wrap():
    assert stage.move_pose("turn", 0.3).shape == (P,)
    poses = stage.move_pose("turn", np.linspace(0, 1, 50))
    assert poses.shape == (50, P)
    turn = poses[:, POSE_FIELDS.index("turn")]
    assert np.all((turn > -np.pi) & (turn <= np.pi))
    assert np.ptp(turn) > 5  # a full rotation passes through the back


@pytest.mark.parametrize("move", MOVES)
def test_every_move_is_periodic(move):
    np.testing.assert_allclose(stage.move_pose(move, 0.0), stage.move_pose(move, 1.0), atol=1e-9)
    np.testing.assert_allclose(stage.move_pose(move, 0.2, 0.8, True),
                               stage.move_pose(move, 1.2, 0.8, True), atol=1e-9)


@pytest.mark.parametrize("move", MOVES)
def test_every_move_is_smooth_at_130_bpm(move):
    beats = stage.MOVE_BEATS[MOVES.index(move)]
    frames_per_cycle = beats * 60 / 130 * 30
    phase = np.arange(int(frames_per_cycle) + 2) / frames_per_cycle
    for mirror in (False, True):
        assert steps(stage.move_pose(move, phase, 1.1, mirror)).max() < 0.45  # radians per frame


def test_moves_are_distinct():
    phase = np.linspace(0, 1, 32, endpoint=False)
    cycles = [stage.move_pose(move, phase) for move in MOVES]
    for i in range(len(MOVES)):
        for j in range(i + 1, len(MOVES)):
            difference = np.abs(cycles[i] - cycles[j])
            difference[:, POSE_FIELDS.index("turn")] = np.abs(stage.wrap_angle(
                cycles[i][:, POSE_FIELDS.index("turn")] - cycles[j][:, POSE_FIELDS.index("turn")]))
            assert difference.mean(axis=0).max() > 0.1, (MOVES[i], MOVES[j])


def test_mirror_swaps_sides_and_negates_lateral_fields():
    pose = stage.move_pose("side_kick", 0.38)
    mirrored = stage.move_pose("side_kick", 0.38, mirror=True)
    for i, name in enumerate(POSE_FIELDS):
        if name.startswith(("l_", "r_")):
            other = POSE_FIELDS.index({"l": "r", "r": "l"}[name[0]] + name[1:])
            assert mirrored[other] == pytest.approx(pose[i])
        elif name in ("root_x", "lean", "head_tilt", "turn"):
            assert mirrored[i] == pytest.approx(-pose[i])
        else:
            assert mirrored[i] == pytest.approx(pose[i])
    assert pose[POSE_FIELDS.index("r_hip_abd")] > 0.8  # the right leg kicks out...
    assert mirrored[POSE_FIELDS.index("l_hip_abd")] > 0.8  # ...and in the mirror, the left


def test_amplitude_scales_motion_about_the_average_pose():
    phase = np.linspace(0, 1, 40, endpoint=False)
    full, small = stage.move_pose("windmill", phase), stage.move_pose("windmill", phase, amplitude=0.5)
    np.testing.assert_allclose(full.mean(axis=0), small.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(np.ptp(small, axis=0), 0.5 * np.ptp(full, axis=0), atol=1e-9)
    turn = POSE_FIELDS.index("turn")
    np.testing.assert_allclose(stage.move_pose("turn", phase, 0.75)[:, turn],
                               stage.move_pose("turn", phase)[:, turn])


# ----------------------------------------------------------------------------- choreography

def test_transition_matrix_is_a_structured_markov_chain():
    matrix = stage.transition_matrix()
    assert matrix.shape == (len(MOVES), len(MOVES))
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert (matrix >= 0).all() and (matrix == 0).any() and (np.diag(matrix) > 0).any()
    kick = MOVES.index("front_kick")
    assert matrix[kick, kick] == 0 and matrix[kick, MOVES.index("side_kick")] == 0


def test_choreography_arrays(long_dance):
    n = 5400
    assert long_dance.poses.shape == (n, P) and long_dance.poses.dtype == np.float32
    assert long_dance.labels.shape == (n,) and long_dance.labels.dtype == np.int16
    assert long_dance.phase.shape == (n,) and long_dance.phase.dtype == np.float32
    assert ((long_dance.phase >= 0) & (long_dance.phase < 1)).all()
    assert 96 <= long_dance.bpm <= 132 and long_dance.fps == 30.0
    assert long_dance.segments[0][0] == 0


def test_choreography_visits_most_moves(long_dance):
    assert len(np.unique(long_dance.labels)) >= 10


def test_segments_follow_the_markov_chain_and_match_labels(long_dance):
    matrix = stage.transition_matrix()
    moves = [MOVES.index(name) for _, name, _, _ in long_dance.segments]
    for a, b in zip(moves, moves[1:]):
        assert matrix[a, b] > 0, (MOVES[a], MOVES[b])
    starts = [start for start, *_ in long_dance.segments]
    assert starts == sorted(starts)
    for (start, name, mirror, amplitude), end in zip(long_dance.segments, starts[1:] + [5400]):
        assert isinstance(mirror, bool) and 0.75 <= amplitude <= 1.1
        if end > start:
            assert (long_dance.labels[start:end] == MOVES.index(name)).all()


def test_moves_last_whole_cycles(long_dance):
    """A new move starts where the previous one's phase wraps around (within a frame's worth)."""
    for start, *_ in long_dance.segments[1:]:
        if 0 < start < 5400:
            phase_step = long_dance.phase[start - 1] - long_dance.phase[start - 2]
            assert long_dance.phase[start - 1] > 1 - 2.5 * max(phase_step, 0.01)
            assert long_dance.phase[start] < 2.5 * max(phase_step, 0.01)


def test_poses_change_smoothly_across_segment_boundaries(long_dance):
    """No cross-fade moves faster than the fastest move does by itself (swing allowed for)."""
    fps, bpm = long_dance.fps, 1.1 * long_dance.bpm  # swing and wobble speed the beat up locally
    fastest = 0.0
    for move, beats in zip(MOVES, stage.MOVE_BEATS):
        frames = beats * 60 / bpm * fps
        phase = np.arange(int(frames) + 2) / frames
        for mirror in (False, True):
            fastest = max(fastest, steps(stage.move_pose(move, phase, 1.1, mirror)).max())
    step = steps(long_dance.poses)
    near = np.zeros(len(step), bool)
    for start, *_ in long_dance.segments[1:]:
        near[max(start - 15, 0):start + 15] = True
    assert near.any()
    assert step[near].max() <= fastest
    assert step.max() <= fastest


def test_choreography_is_deterministic_and_seeded():
    a, b = stage.choreograph(300, seed=5), stage.choreograph(300, seed=5)
    np.testing.assert_array_equal(a.poses, b.poses)
    assert a.segments == b.segments
    assert not np.array_equal(a.poses, stage.choreograph(300, seed=6).poses)
    assert stage.choreograph(10, bpm=100.0).bpm == 100.0


# ----------------------------------------------------------------------------- the figure

def test_joint_positions_stand_on_the_floor():
    body = stage.Body.from_seed(3)
    joints = stage.joint_positions(stage.NEUTRAL_POSE, body)
    assert set(a for bone in stage.BONES for a in bone) <= set(joints)
    assert joints["crown"][1] == pytest.approx(-1.0, abs=0.03)  # about one body height tall
    feet = max(joints[f"{s}_{p}"][1] for s in "lr" for p in ("heel", "toe"))
    assert -0.05 < feet < 0  # joint centers just above the floor line
    assert joints["l_shoulder"][0] > 0 > joints["r_shoulder"][0]  # facing the camera
    lifted = stage.joint_positions(stage.move_pose("march", 0.25), body)
    assert lifted["l_knee"][1] < lifted["r_knee"][1] - 0.1


def test_bodies_vary_within_plausible_ranges():
    bodies = [stage.Body.from_seed(seed) for seed in range(30)]
    heights = [body.height for body in bodies]
    assert 0.8 <= min(heights) < max(heights) <= 0.9
    assert len({body.thigh for body in bodies}) > 20
    assert stage.Body.from_seed(4) == stage.Body.from_seed(4)


def test_stage_joints_land_on_the_mask():
    dancer = Stage(seed=2)
    pose = stage.move_pose("arm_wave", 0.1)
    _, mask = dancer.render(pose, 0)
    for name, (x, y) in dancer.joints(pose).items():
        if name != "crown":
            assert mask[int(y), int(x)], name


# ----------------------------------------------------------------------------- rendering

def test_clip_shapes_and_types(clip):
    assert clip.frames.shape == (600, 120, 208, 3) and clip.frames.dtype == np.uint8
    assert clip.masks.shape == (600, 120, 208) and clip.masks.dtype == bool
    assert clip.poses.shape == (600, P) and clip.labels.shape == (600,)
    assert clip.fps == 30.0
    assert clip.meta["moves"] == list(MOVES) and clip.meta["pose_fields"] == list(POSE_FIELDS)
    json.dumps(clip.meta)


def test_dancer_is_always_whole_and_inside_the_frame(clip):
    masks = clip.masks
    assert masks.sum(axis=(1, 2)).min() > 600
    assert not masks[:, 0].any() and not masks[:, -1].any()
    assert not masks[:, :, 0].any() and not masks[:, :, -1].any()
    for seed in (0, 1):  # other dancers and dances too
        other = stage.render_clip(400, seed=seed, progress=False).masks
        assert not (other[:, 0].any() or other[:, -1].any() or other[:, :, 0].any() or other[:, :, -1].any())


def test_dancer_height_and_floor_line():
    for seed in range(5):
        dancer = Stage(seed=seed)
        _, mask = dancer.render(stage.NEUTRAL_POSE, 0)
        rows = np.flatnonzero(mask.any(axis=1))
        height = (rows[-1] + 1 - rows[0]) / 120
        assert 0.78 <= height <= 0.86
        assert 0.93 <= (rows[-1] + 1) / 120 <= 0.95


def test_dancer_travels_across_the_stage(clip):
    """The dancer leaves every part of the stage empty most of the time (median background)."""
    assert clip.masks.mean(axis=0).max() < 0.5
    columns = np.array([np.flatnonzero(m.any(axis=0)).mean() for m in clip.masks])
    assert np.ptp(columns) > 40


def test_same_seed_same_frames_other_seed_other_frames(clip):
    again = stage.render_clip(40, seed=11, progress=False)
    np.testing.assert_array_equal(again.frames, clip.frames[:40])
    np.testing.assert_array_equal(again.masks, clip.masks[:40])
    other = stage.render_clip(40, seed=12, progress=False)
    assert np.abs(other.frames.astype(int) - again.frames).mean() > 10


def test_render_one_frame_equals_the_clip_frame(clip):
    dancer = Stage(seed=11)
    for i in (0, 123, 599):
        frame, mask = dancer.render(clip.poses[i], i)
        np.testing.assert_array_equal(frame, clip.frames[i])
        np.testing.assert_array_equal(mask, clip.masks[i])


def test_layers_build_up_the_frame(clip):
    dancer = Stage(seed=11)
    layers = dancer.layers(clip.poses[50], 50)
    assert {"backdrop", "lit", "shadow", "dancer", "alpha", "composite", "noisy", "mask"} <= set(layers)
    np.testing.assert_array_equal(layers["noisy"], clip.frames[50])
    np.testing.assert_array_equal(layers["mask"], clip.masks[50])
    np.testing.assert_array_equal(layers["backdrop"], dancer.background)
    np.testing.assert_array_equal(layers["alpha"] >= 0.498, clip.masks[50])
    floor = slice(100, 120)
    assert layers["shadow"][floor].mean() < layers["lit"][floor].mean() - 1  # the dancer's shadow
    noise = layers["noisy"].astype(float) - layers["composite"]
    assert 1.5 < noise[~layers["mask"]].std() < 3.5


def test_render_dancer_alpha_and_colors():
    dancer = Stage(seed=1)
    pose = stage.move_pose("jumping_jack", 0.5)
    rgb, alpha = dancer.render_dancer(pose)
    _, mask = dancer.render(pose, 0)
    assert rgb.dtype == alpha.dtype == np.float32 and rgb.shape == (120, 208, 3)
    assert 0 <= rgb.min() and rgb.max() <= 1 and 0 <= alpha.min() and alpha.max() <= 1
    np.testing.assert_array_equal(alpha >= 0.498, mask)
    assert (rgb[alpha == 0] == 0).all() and ((alpha > 0) & (alpha < 1)).sum() > 100  # soft edges


def test_supersampling_agrees_with_a_plain_render():
    poses = stage.choreograph(60, seed=3).poses
    plain = Stage(StageSettings(supersample=1), seed=3).render_sequence(poses)[1]
    smooth = Stage(StageSettings(supersample=3), seed=3).render_sequence(poses)[1]
    finer = Stage(StageSettings(supersample=6), seed=3).render_sequence(poses)[1]
    assert iou(plain, finer).min() > 0.93
    assert iou(smooth, finer).min() > 0.96
    assert abs(int(plain.sum()) - int(finer.sum())) < 0.03 * finer.sum()


def test_stage_lighting_changes_and_jpeg_option():
    dancer = Stage(seed=0)
    gains = np.array([dancer.gain(i) for i in range(900)])
    assert 0.85 < gains.min() < 0.97 and 1.03 < gains.max() < 1.15  # slow drift, ±10 %
    assert 0.005 < np.diff(gains).std() < 0.05  # and flicker from frame to frame
    pose = stage.move_pose("idle_bounce", 0.0)
    jpeg = Stage(StageSettings(jpeg_quality=60), seed=0).render(pose, 3)[0]
    plain = dancer.render(pose, 3)[0]
    assert 0.3 < np.abs(jpeg.astype(int) - plain).mean() < 6


# ----------------------------------------------------------------------------- a fair background problem

def test_dancer_contrasts_with_the_stage_but_is_not_dark():
    for seed in range(8):
        assert Stage(seed=seed).contrast >= 40


def test_original_threshold_fails_and_true_background_difference_works(clip):
    gray = cv2.cvtColor(clip.frames.reshape(-1, 208, 3), cv2.COLOR_RGB2GRAY).reshape(clip.masks.shape)
    assert iou(gray <= 20, clip.masks).mean() < 0.3
    dancer = Stage(seed=11)
    picks = range(0, 600, 20)
    empty = np.stack([dancer.layers(clip.poses[i], i)["shadow"] for i in picks])  # stage without dancer
    difference = np.abs(clip.frames[picks].astype(int) - empty).max(axis=-1)
    assert iou(difference > 30, clip.masks[picks]).mean() >= 0.9


# ----------------------------------------------------------------------------- recordings

def test_write_stage_video_round_trip(tmp_path):
    settings = StageSettings(height=64, width=112)
    recording = stage.write_stage_video(tmp_path / "rec", 45, seed=9, settings=settings, progress=False)
    assert recording.video_path == tmp_path / "rec" / "stage.mp4"
    capture = cv2.VideoCapture(str(recording.video_path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    frames = np.stack(frames)
    assert frames.shape == (45, 64, 112, 3)
    rendered = stage.render_clip(45, seed=9, settings=settings, progress=False)
    assert np.abs(frames.astype(int) - rendered.frames).mean() < 6
    np.testing.assert_array_equal(recording.masks, rendered.masks)

    loaded = StageRecording.load(tmp_path / "rec")
    np.testing.assert_array_equal(loaded.masks, rendered.masks)
    np.testing.assert_array_equal(loaded.poses, rendered.poses)
    np.testing.assert_array_equal(loaded.labels, rendered.labels)
    np.testing.assert_array_equal(loaded.phase, recording.phase)
    assert loaded.meta["n_frames"] == 45 and loaded.meta["seed"] == 9
    assert loaded.meta["settings"]["height"] == 64 and loaded.meta["moves"] == list(MOVES)
    assert loaded.meta["segments"] == json.loads(json.dumps(rendered.meta["segments"]))


def test_loading_a_broken_recording_names_the_file(tmp_path):
    folder = tmp_path / "rec"
    stage.write_stage_video(folder, 3, settings=StageSettings(height=32, width=48), progress=False)
    (folder / "truth.npz").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="truth.npz"):
        StageRecording.load(folder)
    (folder / "meta.json").unlink()
    with pytest.raises(ValueError, match="meta.json"):
        StageRecording.load(folder)


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, message", [
    (lambda: stage.render_clip(0, progress=False), "n_frames"),
    (lambda: stage.choreograph(-3), "n_frames"),
    (lambda: stage.move_pose("moonwalk", 0.1), "unknown move"),
    (lambda: stage.move_pose("turn", np.nan), "NaN"),
    (lambda: Stage().render(np.zeros(P - 1), 0), "pose vector"),
    (lambda: Stage().render(np.full(P, np.nan), 0), "NaN"),
    (lambda: Stage().render(stage.NEUTRAL_POSE, -1), "frame index"),
    (lambda: stage.joint_positions(np.zeros((3, P + 2))), "pose vector"),
    (lambda: StageSettings(height=20), "at least 32"),
    (lambda: StageSettings(width=31), "at least 32"),
    (lambda: StageSettings(supersample=0), "supersample"),
    (lambda: StageSettings(noise_sigma=-1.0), "noise_sigma"),
    (lambda: StageSettings(jpeg_quality=0), "jpeg_quality"),
    (lambda: Stage(seed=-1), "seed"),
    (lambda: stage.choreograph(10, fps=0), "fps"),
])
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
