"""Clips and recordings: a rendered clip's arrays and metadata, and the round trip through a folder."""

import json

import cv2
import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import MOVES, POSE_FIELDS, StageRecording, StageSettings

P = len(POSE_FIELDS)


@pytest.fixture(scope="module")
def clip():
    return stage.render_clip(600, seed=11, progress=False)


def test_clip_shapes_and_types(clip):
    assert clip.frames.shape == (600, 120, 208, 3) and clip.frames.dtype == np.uint8
    assert clip.masks.shape == (600, 120, 208) and clip.masks.dtype == bool
    assert clip.others.shape == clip.masks.shape and clip.others.dtype == bool and not clip.others.any()
    assert clip.poses.shape == (600, P) and clip.labels.shape == (600,)
    assert clip.fps == 30.0
    assert clip.meta["moves"] == list(MOVES) and clip.meta["pose_fields"] == list(POSE_FIELDS)
    json.dumps(clip.meta)


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
    np.testing.assert_array_equal(loaded.beats, rendered.soundtrack.beats)
    assert loaded.audio_path == tmp_path / "rec" / "stage.wav" and loaded.audio_path.stat().st_size > 0


def test_loading_a_broken_recording_names_the_file(tmp_path):
    folder = tmp_path / "rec"
    stage.write_stage_video(folder, 3, settings=StageSettings(height=32, width=48), progress=False)
    (folder / "truth.npz").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="truth.npz"):
        StageRecording.load(folder)
    (folder / "meta.json").unlink()
    with pytest.raises(ValueError, match="meta.json"):
        StageRecording.load(folder)


def test_bad_input_raises_a_clear_error():
    with pytest.raises(ValueError, match="n_frames"):
        stage.render_clip(0, progress=False)
