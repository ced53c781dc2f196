"""Hard footage for framing: a small, far-away dancer, passers-by, their ground truth, the true track."""

import json
import math
from dataclasses import asdict

import numpy as np
import pytest

from dancenet import framing, stage
from dancenet.stage import (
    HORIZON,
    NEUTRAL_POSE,
    Stage,
    StageRecording,
    StageSettings,
    floor_for_height,
    mirror_pose,
    true_track,
    walk_pose,
)
from dancenet.stage.body import _joints_3d

# small frames keep the file fast; 300 frames (10 s) of seed 16 hold crossings in front of the
# dancer and behind, and one whole crossing
H, W, N, SEED = 64, 112, 300, 16
HARD = StageSettings(height=H, width=W, dancer_height=0.25, walkers=2)
ALONE = StageSettings(height=H, width=W, dancer_height=0.25)


@pytest.fixture(scope="module")
def hard():
    return stage.render_clip(N, seed=SEED, settings=HARD, progress=False)


@pytest.fixture(scope="module")
def alone():
    return stage.render_clip(N, seed=SEED, settings=ALONE, progress=False)


def bounding_rows(mask: np.ndarray) -> tuple[int, int]:
    """The first row with a pixel and one past the last."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[0]), int(rows[-1]) + 1


def frames_of(crossings, n: int) -> np.ndarray:
    """Whether each of frames 0 .. n - 1 has one of ``crossings`` under way."""
    on = np.zeros(n, bool)
    for c in crossings:
        on[c.frames(0, n)] = True
    return on


# -- the small dancer


def test_small_dancer_is_as_tall_as_asked_and_stands_farther_back():
    # Standing, the figure is exactly dancer_height * 120 = 24 pixels from sole to crown. A pixel
    # is in the mask when at least half covered, so each end of the box may gain or lose up to a
    # pixel: 1.5 pixels allows that and no real error in the scale (one pixel is 4 % of the body).
    for seed in (0, 1, 2):
        dancer = Stage(StageSettings(dancer_height=0.2), seed=seed)
        for frame in (0, 7):
            top, bottom = bounding_rows(dancer.render(NEUTRAL_POSE, frame)[1])
            assert abs((bottom - top) - 0.2 * 120) <= 1.5
            # the feet stand where perspective puts them: near the horizon, not on the front line
            assert abs(bottom - floor_for_height(0.2) * 120) <= 1.0
            assert HORIZON * 120 < bottom < stage.FLOOR_LINE * 120 - 10
    # the perspective is the default dancer's, near enough: 0.82 tall stands on FLOOR_LINE
    assert abs(floor_for_height(0.82) - stage.FLOOR_LINE) < 0.005
    assert floor_for_height(1.0) == 1.0


def test_small_dancer_dances_whole_in_every_frame(alone):
    clip = stage.render_clip(150, seed=8, settings=StageSettings(dancer_height=0.2), progress=False)
    for masks, height in ((clip.masks, 0.2), (alone.masks, 0.25)):
        assert masks.any(axis=(1, 2)).all()
        track = true_track(masks)
        # over the routine knees bend and arms go up, around the standing height (1.5 pixels as above)
        assert abs(np.median(track[:, 2]) - height) * masks.shape[1] <= 1.5
        assert np.all(track[:, 2] < 1.2 * height)
    assert not clip.others.any() and not alone.others.any()


def test_small_dancer_casts_a_small_shadow_under_the_feet():
    def shadow(settings):
        """The rows and columns the dancer's shadow darkens, where the feet stand, the mask."""
        dancer = Stage(settings, seed=4)
        layers = dancer.layers(NEUTRAL_POSE, 0)
        darker = layers["lit"].astype(int).sum(axis=-1) - layers["shadow"].astype(int).sum(axis=-1) > 6
        return np.flatnonzero(darker.any(axis=1)), np.flatnonzero(darker.any(axis=0)), dancer.floor_y, layers

    rows, columns, feet, layers = shadow(StageSettings(dancer_height=0.2))
    default_rows, default_columns, _, _ = shadow(StageSettings())
    # on the floor, just behind the feet (up the image, the light being in front)
    assert len(rows) and rows.min() >= int(HORIZON * 120) and rows.max() < feet
    assert feet - rows.max() <= 3
    # as much smaller than the default dancer's as the dancer is, and under the dancer's legs
    assert len(rows) < len(default_rows) / 2 and len(columns) < len(default_columns) / 2
    legs = np.flatnonzero(layers["mask"][int(feet) - 6 : int(feet)].any(axis=0))
    assert abs(columns.mean() - legs.mean()) <= 2


def test_small_dancer_still_stands_out_from_the_stage():
    for seed in range(4):
        assert Stage(StageSettings(dancer_height=0.2), seed=seed).contrast >= 40


# -- walking


def test_walk_cycle_repeats_and_heads_either_way():
    phase = np.linspace(0, 1, 17)
    np.testing.assert_allclose(walk_pose(0.0), walk_pose(1.0), atol=1e-12)
    # heading left is the mirror image of heading right, half a cycle on (left and right swap)
    np.testing.assert_allclose(walk_pose(phase, -1), mirror_pose(walk_pose(phase + 0.5, 1)), atol=1e-12)
    assert walk_pose(phase).shape == (17, len(stage.POSE_FIELDS))


def test_the_foot_on_the_floor_does_not_slide_on_average():
    walker = Stage(StageSettings(walkers=1), seed=1).walkers[0]
    crossing = walker.crossings(0, 1)[0]
    frames = np.arange(math.floor(crossing.start) + 1, math.floor(crossing.start) + 200)
    joints = _joints_3d(crossing.poses(frames), walker.body)
    low = np.stack([np.maximum(joints[f"{s}_heel"][:, 1], joints[f"{s}_toe"][:, 1]) for s in "lr"])
    x = np.stack([joints[f"{s}_heel"][:, 0] + joints[f"{s}_toe"][:, 0] for s in "lr"]) / 2
    planted = np.argmax(low, axis=0)
    step = np.diff(x, axis=1)[planted[:-1], np.arange(len(frames) - 1)]
    stays = planted[1:] == planted[:-1]
    pace = abs(np.diff(joints["pelvis"][:, 0]).mean())
    assert pace > 0
    assert abs(step[stays].mean()) < 0.05 * pace  # no moonwalking: it moves with the body, not the floor
    assert stays.mean() > 0.9  # one foot at a time carries the weight, changing twice a cycle


# -- passers-by


def test_walkers_are_seen_apart_from_the_dancer(hard, alone):
    assert hard.others.shape == hard.masks.shape and hard.others.dtype == bool
    assert not (hard.masks & hard.others).any()
    assert hard.others.any(axis=(1, 2)).mean() > 0.5  # someone besides the dancer, most of the time
    assert hard.masks.any(axis=(1, 2)).all()


def test_walkers_hide_the_dancer_only_when_in_front(hard, alone):
    dancer = Stage(HARD, seed=SEED)
    crossings = dancer.crossings(N)
    in_front = frames_of([c for c in crossings if c.floor_y > dancer.floor_y], N)
    behind = frames_of([c for c in crossings if c.floor_y < dancer.floor_y], N)
    assert in_front.any() and behind.any()
    # the dancer's visible pixels are the lone dancer's, less what a walker in front covers
    assert not (hard.masks & ~alone.masks).any()
    np.testing.assert_array_equal(hard.masks[~in_front], alone.masks[~in_front])
    hidden = (hard.masks != alone.masks).any(axis=(1, 2))
    assert hidden.any()
    # frames where nobody passes are exactly the lone dancer's frames
    nobody = ~frames_of(crossings, N)
    assert nobody.any()
    np.testing.assert_array_equal(hard.frames[nobody], alone.frames[nobody])


def test_a_walker_behind_passes_behind_the_dancer():
    dancer, lone = Stage(HARD, seed=SEED), Stage(ALONE, seed=SEED)
    crossings = dancer.crossings(5000)
    middle = {c: c.start + (W / 2 - c.entry_x) / (c.direction * c.speed) for c in crossings}  # at the centre
    far = next(c for c in crossings if c.floor_y < dancer.floor_y and middle[c] > 15)
    first = int(middle[far]) - 15
    poses = np.tile(NEUTRAL_POSE, (30, 1))  # the dancer standing at the centre
    _, masks, others = dancer.render_scene(poses, start=first)
    _, alone, _ = lone.render_scene(poses, start=first)
    in_front = frames_of([c for c in crossings if c.floor_y > dancer.floor_y], first + 30)[first:]
    top, bottom = bounding_rows(alone[0])
    columns = np.flatnonzero(alone[0].any(axis=0))
    box = (slice(None), slice(top, bottom), slice(columns[0], columns[-1] + 1))
    assert others[box][~in_front].any(axis=(1, 2)).sum() >= 5  # right behind the dancer's body...
    np.testing.assert_array_equal(masks[~in_front], alone[~in_front])  # ...which is drawn over them


def test_a_walker_crosses_at_a_steady_pace_and_size_in_perspective():
    settings = StageSettings(height=H, width=W, dancer_height=0.25, walkers=1)
    dancer = Stage(settings, seed=SEED)
    walker = dancer.walkers[0]
    crossing = next(c for c in walker.crossings(0, 5000) if c.end - c.start < 300 and c.start > 0)
    first, last = math.floor(crossing.start), math.ceil(crossing.end)
    poses = np.tile(NEUTRAL_POSE, (last - first + 1, 1))
    _, _, others = dancer.render_scene(poses, start=first)
    seen = others.any(axis=(1, 2))
    assert not seen[0] and not seen[-1]  # off the frame when the crossing starts and ends
    assert seen[1:-1].mean() > 0.9
    entry, exit_ = (0, W - 1) if crossing.direction > 0 else (W - 1, 0)
    shown = np.flatnonzero(seen)
    assert others[shown[0], :, entry].any() and not others[shown[0], :, exit_].any()  # it enters...
    assert others[shown[-1], :, exit_].any() and not others[shown[-1], :, entry].any()  # ...and leaves
    # steady: its centroid moves at the crossing's speed (within 10 %: limbs swing about it)
    whole = shown[(shown > shown[0] + 0.2 * len(shown)) & (shown < shown[-1] - 0.2 * len(shown))]
    columns = np.arange(W) + 0.5
    centre = [(others[i].sum(axis=0) * columns).sum() / others[i].sum() for i in whole]
    slope = np.polyfit(whole, centre, 1)[0]
    assert abs(slope - crossing.direction * crossing.speed) < 0.1 * crossing.speed
    # its size and its feet agree with the stage's perspective (1.5 pixels, as for the dancer,
    # and the knees of a walk bend a little more than standing)
    boxes = np.array([bounding_rows(others[i]) for i in whole])
    assert abs(np.median(boxes[:, 1]) - crossing.floor_y) <= 1.0
    assert abs(np.median(boxes[:, 1] - boxes[:, 0]) - crossing.height * H) <= 1.5 + 0.03 * crossing.height * H
    assert crossing.floor_y == pytest.approx(floor_for_height(crossing.height) * H)


def test_walkers_pass_at_many_depths_and_times():
    dancer = Stage(StageSettings(dancer_height=0.2, walkers=2), seed=8)
    crossings = dancer.crossings(1800)
    heights = np.array([c.height for c in crossings])
    assert (heights < 0.2).any() and (heights > 0.2).any()  # some smaller than the dancer, some larger
    assert np.all((heights >= stage.walkers.HEIGHTS[0]) & (heights <= stage.walkers.HEIGHTS[1]))
    assert len({round(c.start) for c in crossings}) == len(crossings)
    for walker in dancer.walkers:  # each walks back and forth, one crossing at a time
        mine = walker.crossings(0, 1800)
        assert all(a.end < b.start and a.direction == -b.direction for a, b in zip(mine, mine[1:]))
    bodies = {json.dumps(w.body.__dict__) for w in dancer.walkers} | {json.dumps(dancer.body.__dict__)}
    assert len(bodies) == 3  # each their own body


def test_walkers_are_deterministic_and_frames_render_alike_any_way(hard):
    again = stage.render_clip(N, seed=SEED, settings=HARD, progress=False)
    for name in ("frames", "masks", "others"):
        np.testing.assert_array_equal(getattr(again, name), getattr(hard, name))
    other = stage.render_clip(60, seed=SEED + 1, settings=HARD, progress=False)
    assert not np.array_equal(other.others, hard.others[:60])
    dancer = Stage(HARD, seed=SEED)
    i = int(np.flatnonzero(hard.others.any(axis=(1, 2)))[-1])
    frame, mask = dancer.render(hard.poses[i], i)
    np.testing.assert_array_equal(frame, hard.frames[i])
    np.testing.assert_array_equal(mask, hard.masks[i])
    layers = dancer.layers(hard.poses[i], i)
    np.testing.assert_array_equal(layers["others"], hard.others[i])
    np.testing.assert_array_equal(layers["noisy"], hard.frames[i])
    assert "others" not in Stage(ALONE, seed=SEED).layers(NEUTRAL_POSE, 0)  # the default layers stay


def test_clip_meta_records_the_settings_and_the_walkers(hard, alone):
    assert hard.meta["settings"]["dancer_height"] == 0.25 and hard.meta["settings"]["walkers"] == 2
    assert len(hard.meta["walkers"]) == 2
    assert all(w["crossings"] and set(w["body"]) == set(hard.meta["body"]) for w in hard.meta["walkers"])
    json.dumps(hard.meta)
    assert "walkers" not in alone.meta and alone.meta["settings"]["walkers"] == 0


# -- the true track


def test_true_track_on_hand_made_masks():
    masks = np.zeros((3, 10, 20), bool)
    masks[0, 2:6, 3:7] = True  # a block: rows 2-5, columns 3-6
    masks[1, 0:8, 1] = True  # an L: a post at column 1 on rows 0-7 ...
    masks[1, 7, 2:5] = True  # ... with a foot along row 7 to column 4
    track = true_track(masks)
    assert track.dtype == np.float32 and track.shape == (3, 3)
    np.testing.assert_allclose(track[0], [5.0 / 20, 4.0 / 10, 4 / 10], rtol=1e-6)
    # the centroid of column edges-coordinates: (8 * 1 + 2 + 3 + 4) / 11 + 0.5; the box's middle row
    np.testing.assert_allclose(track[1], [(17 / 11 + 0.5) / 20, 4.0 / 10, 8 / 10], rtol=1e-6)
    assert np.isnan(track[2]).all()
    for i in (0, 1):  # what framing's tracker reports for one shape
        np.testing.assert_allclose(framing.track_dancer(masks[i : i + 1]).raw[0], track[i], rtol=1e-6)
    np.testing.assert_array_equal(true_track(masks.astype(np.uint8)), track)


@pytest.mark.parametrize(
    "masks, message",
    [
        (np.zeros((4, 5), bool), "shape"),
        (np.zeros((0, 4, 5), bool), "shape"),
        (np.full((1, 2, 2), 0.5), "0 and 1"),
    ],
)
def test_true_track_rejects_what_is_not_masks(masks, message):
    with pytest.raises(ValueError, match=message):
        true_track(masks)


# -- settings


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"dancer_height": 0}, "dancer_height"),
        ({"dancer_height": 0.05}, "dancer_height"),
        ({"dancer_height": 1.5}, "dancer_height"),
        ({"dancer_height": -0.2}, "dancer_height"),
        ({"dancer_height": float("nan")}, "dancer_height"),
        ({"dancer_height": True}, "dancer_height"),
        ({"dancer_height": "0.2"}, "dancer_height"),
        ({"walkers": -1}, "walkers"),
        ({"walkers": True}, "walkers"),
        ({"walkers": 1.0}, "walkers"),
        ({"walkers": stage.MAX_WALKERS + 1}, "walkers"),
    ],
)
def test_bad_settings_raise_a_clear_error(fields, message):
    with pytest.raises(ValueError, match=f"StageSettings.{message}"):
        StageSettings(**fields)


def test_good_settings_pass():
    assert StageSettings(dancer_height=1.0, walkers=stage.MAX_WALKERS).walkers == stage.MAX_WALKERS
    numpy = StageSettings(dancer_height=np.float32(0.25), walkers=np.int64(1))
    assert json.dumps(asdict(numpy)) and numpy.dancer_height == 0.25 and numpy.walkers == 1


# -- recordings


def test_recording_keeps_the_walkers_and_old_recordings_load(tmp_path):
    settings = StageSettings(height=48, width=80, dancer_height=0.3, walkers=2)
    recording = stage.write_stage_video(tmp_path / "rec", 40, seed=0, settings=settings, progress=False)
    clip = stage.render_clip(40, seed=0, settings=settings, progress=False)
    assert clip.others.any()
    np.testing.assert_array_equal(recording.others, clip.others)
    loaded = StageRecording.load(tmp_path / "rec")
    np.testing.assert_array_equal(loaded.others, clip.others)
    np.testing.assert_array_equal(loaded.masks, clip.masks)
    assert loaded.meta["settings"]["walkers"] == 2 and loaded.meta["settings"]["dancer_height"] == 0.3

    truth = dict(np.load(tmp_path / "rec" / stage.TRUTH_NAME))
    del truth["others"]  # as written before passers-by existed
    np.savez_compressed(tmp_path / "rec" / stage.TRUTH_NAME, **truth)
    old = StageRecording.load(tmp_path / "rec")
    assert old.others.shape == old.masks.shape and old.others.dtype == bool and not old.others.any()
    np.testing.assert_array_equal(old.masks, clip.masks)
