"""The explorers, driven from Python as a reader's slider would drive them."""

import numpy as np
import pytest

from dancenet.widgets import BackgroundTuner, StageBrowser


@pytest.fixture(scope="module")
def browser(stage_clip):
    return StageBrowser(
        stage_clip.frames[:60],
        stage_clip.masks[:60],
        stage_clip.labels[:60],
        move_names=[f"move-{i}" for i in range(100)],
    )


@pytest.fixture(scope="module")
def tuner(stage_video_frames, stage_clip):
    return BackgroundTuner(stage_video_frames[:120], stage_clip.masks[:120], score_every=10)


def test_browser_first_view_is_a_png(browser):
    assert browser.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "frame 0" in browser.caption.value


def test_browser_frame_slider_changes_picture_and_caption(browser):
    browser.frame.value = 0
    first, caption = browser.image.value, browser.caption.value
    browser.frame.value = 45
    assert browser.image.value != first
    assert "frame 45" in browser.caption.value and browser.caption.value != caption
    assert "1.50 s" in browser.caption.value


def test_browser_views_show_frame_mask_and_overlay(browser, stage_clip):
    browser.frame.value = 12
    pictures = {}
    for view in StageBrowser.VIEWS:
        browser.view.value = view
        pictures[view] = browser.image.value
    assert len(set(pictures.values())) == 3
    browser.view.value = "mask"
    np.testing.assert_array_equal(browser.picture(), stage_clip.masks[12])


def test_browser_rejects_mismatched_input(stage_clip):
    with pytest.raises(ValueError, match="do not match"):
        StageBrowser(stage_clip.frames[:5], stage_clip.masks[:4])


def test_tuner_first_view_shows_a_good_median_mask(tuner):
    assert tuner.method.value == "median"
    assert tuner.image.value[:4] == b"\x89PNG"
    assert tuner.mean_iou() > 0.85


def test_tuner_threshold_slider_changes_mask_and_iou(tuner):
    tuner.method.value = "median"
    tuner.frame.value = 30
    tuner.level.value = 28
    before_image, before_score, before_iou = tuner.image.value, tuner.score.value, tuner.mean_iou()
    tuner.level.value = 110  # far too strict: only the parts with a strong colour difference remain
    assert tuner.image.value != before_image and tuner.score.value != before_score
    assert tuner.mean_iou() < before_iou - 0.1
    tuner.level.value = 28


def test_tuner_method_switch_resets_the_slider_meaning(tuner):
    tuner.method.value = "threshold"
    assert tuner.level.description == "level" and tuner.level.value == 20
    assert tuner.mean_iou() < 0.3  # the original's rule fails on a lit stage
    assert tuner.shadows.disabled
    tuner.method.value = "mog2"
    assert tuner.level.description == "sensitivity" and tuner.level.value == 40
    assert tuner.mean_iou() > 0.5
    tuner.method.value = "median"
    assert not tuner.shadows.disabled


def test_tuner_cleanup_and_shadow_toggles_matter(tuner):
    tuner.method.value = "median"
    tuner.level.value = 12  # low enough for the shadow to matter
    clean = tuner.mean_iou()
    tuner.clean.value = False
    raw = tuner.mean_iou()
    tuner.clean.value = True
    tuner.shadows.value = False
    shadowed = tuner.mean_iou()
    tuner.shadows.value = True
    assert raw < clean and shadowed < clean


def test_feature_map_viewer_follows_frame_layer_and_channel(stage_clip):
    from dancenet import background, vae
    from dancenet.widgets import FeatureMapViewer

    images = background.silhouette_images(stage_clip.masks[:20:4], (48, 80))
    viewer = FeatureMapViewer(vae.build_encoder("ci", seed=0), images)
    assert viewer.layer.options == ("conv1", "pool1", "conv2", "pool2", "conv3", "pool3")
    first = viewer.image.value
    viewer.channel.value = 5
    assert viewer.image.value != first and "channel 5" in viewer.caption.value
    viewer.layer.value = viewer.layer.options[-1]  # the last pooling layer: 6×10
    assert "6×10" in viewer.caption.value and viewer.channel.max == 7
    second = viewer.image.value
    viewer.frame.value = 4
    assert viewer.image.value != second
    assert viewer.picture().shape[0] == 48


@pytest.fixture(scope="module")
def small_autoencoder(stage_clip):
    from dancenet import background, vae

    images = background.silhouette_images(stage_clip.masks[:120:2], (48, 80))
    model, _ = vae.train_autoencoder(images, "ci", epochs=3, batch_size=16, progress=False)
    return model, images


def test_reconstruction_viewer_follows_frame_and_noise(small_autoencoder):
    from dancenet import vae
    from dancenet.widgets import ReconstructionViewer

    model, images = small_autoencoder
    models = {"autoencoder": model, "untrained": vae.build_autoencoder("ci")}
    viewer = ReconstructionViewer(models, images[:12])
    assert viewer.model.options == ("autoencoder", "untrained") and "IoU" in viewer.caption.value
    first, clean = viewer.image.value, viewer.reconstruction()
    viewer.frame.value = 6
    assert viewer.image.value != first
    viewer.frame.value = 0
    viewer.noise.value = 2.0
    assert viewer.image.value != first and not np.allclose(viewer.reconstruction(), clean)
    viewer.model.value = "untrained"
    assert "<b>untrained</b>" in viewer.caption.value
    with pytest.raises(ValueError, match="at least one model"):
        ReconstructionViewer({}, images)


def test_latent_explorer_moves_along_principal_directions(small_autoencoder):
    from dancenet import vae
    from dancenet.widgets import LatentExplorer

    model, images = small_autoencoder
    codes = model.encode(images)
    explorer = LatentExplorer(model, codes, directions=3)
    np.testing.assert_allclose(explorer.code(), codes.mean(axis=0), atol=1e-5)
    first = explorer.image.value
    explorer.sliders[0].value = 2.0
    center, directions, spread = vae.latent_directions(codes, 3)
    np.testing.assert_allclose(explorer.code(), center + 2 * spread[0] * directions[0], atol=1e-5)
    assert explorer.image.value != first and "distance" in explorer.caption.value
    explorer._reset()
    assert explorer.image.value == first


def test_latent_directions_are_ordered_orthonormal_principal_axes():
    from dancenet import vae

    rng = np.random.default_rng(1)
    codes = rng.normal(size=(5000, 4)) * [5.0, 0.1, 2.0, 1.0] + 3.0
    center, directions, spread = vae.latent_directions(codes, 3)
    np.testing.assert_allclose(center, 3.0, atol=0.2)
    np.testing.assert_allclose(directions @ directions.T, np.eye(3), atol=1e-5)
    np.testing.assert_allclose(np.abs(directions[:, [0, 2, 3]]), np.eye(3), atol=0.03)
    np.testing.assert_allclose(spread, [5.0, 2.0, 1.0], rtol=0.05)
    with pytest.raises(ValueError, match="NaN"):
        vae.latent_directions(np.full((3, 2), np.nan))


def test_mdn_playground_follows_components_and_temperature():
    from dancenet import mdn
    from dancenet.widgets import MDNPlayground

    x, y = mdn.inverse_problem(300, seed=1)
    models = {k: mdn.fit_toy(x, y, k, epochs=3) for k in (1, 3)}
    playground = MDNPlayground(x, y, models)
    assert playground.components.options == (1, 3) and "1-component" in playground.caption.value
    first = playground.image.value
    playground.components.value = 3
    assert playground.image.value != first and "3-component" in playground.caption.value
    playground.temperature.value = 0.0  # τ = 0: every sample is its most likely component's mean
    params = models[3].predict(x, verbose=0)
    np.testing.assert_allclose(playground.samples(), mdn.sample(params, 1, 3, 0.0), atol=1e-6)
    before = playground.samples()
    playground.temperature.value = 1.0
    playground._new_samples()
    assert not np.allclose(playground.samples(), before)
    with pytest.raises(ValueError, match="at least one"):
        MDNPlayground(x, y, {})


def test_toy_fits_and_the_mse_model_averages_the_branches():
    import keras

    from dancenet import mdn

    x, y = mdn.inverse_problem(1000, seed=0)
    mse = mdn.fit_toy(x, y, None, epochs=60)
    mixture = mdn.fit_toy(x, y, 3, epochs=60)
    middle = np.array([[0.5]], np.float32)  # three branches: y ≈ 0.1, 0.5, 0.9
    assert abs(float(mse.predict(middle, verbose=0)[0, 0]) - 0.5) < 0.15  # the average of the branches
    params = mixture.predict(x, verbose=0)
    nll = np.mean(keras.ops.convert_to_numpy(mdn.negative_log_likelihood(y, params, 1, 3)))
    mse_residual = float(np.mean((mse.predict(x, verbose=0) - y) ** 2))
    gaussian_nll = 0.5 * np.log(2 * np.pi * mse_residual) + 0.5  # the best single Gaussian around the MSE fit
    assert nll < gaussian_nll - 0.5


def test_choreography_studio_generates_on_demand():
    import keras

    from dancenet import choreography, sequence, vae
    from dancenet.widgets import ChoreographyStudio

    keras.utils.set_random_seed(0)
    codes = np.random.default_rng(0).normal(size=(150, 16)).cumsum(axis=0).astype(np.float32)
    data = sequence.prepare(codes)
    dancer = choreography.Dancer(
        sequence.build_sequence_model("ci"), data, vae.build_vae("ci", seed=0), fps=15
    )
    studio = ChoreographyStudio(dancer, warm_up=20, profile="ci")
    assert _check_fits_a_laptop(studio, crisp=False) == (200, 120)  # the 48×80 GIF shown 2.5×
    first = studio.image.value
    assert first[:6] == b"GIF89a" and "90 frames" in studio.caption.value
    studio.seed.value = 3
    studio.length.value = 30
    studio.dance()
    assert studio.image.value != first and "30 frames" in studio.caption.value
    assert studio.start.max == len(data.train) - 20
    np.testing.assert_array_equal(studio.codes(), studio.codes())  # the same settings, the same dance


def test_beat_studio_dances_to_a_song_of_the_chosen_tempo_with_its_beats_marked(monkeypatch):
    import io
    import re

    import keras
    import soundfile

    from dancenet import choreography, music, sequence, vae
    from dancenet.widgets import BeatStudio

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(150, 16)).cumsum(axis=0).astype(np.float32)
    data = sequence.prepare(codes, music_features=rng.normal(size=(150, len(music.FEATURES))))
    hearing = sequence.build_sequence_model("ci", music_width=len(music.FEATURES))
    decoder = vae.build_vae("ci", seed=0)
    dancers = {
        "with music": choreography.Dancer(hearing, data, decoder, fps=15),
        "without music": choreography.Dancer(sequence.build_sequence_model("ci"), data, decoder, fps=15),
    }
    studio = BeatStudio(dancers, temperature=0.75, seconds=6, profile="ci")
    assert _check_fits_a_laptop(studio, crisp=False) == (200, 120)
    first = studio.image.value
    assert first[:6] == b"GIF89a" and "90 frames (6 s) to a song at 100 bpm" in studio.caption.value
    assert "with music" in studio.caption.value and "beat alignment" in studio.caption.value
    song, rate = soundfile.read(io.BytesIO(studio.song.value))
    assert rate == music.SAMPLE_RATE and len(song) == 6 * rate
    assert music.track_beats(song.astype(np.float32)).tempo == pytest.approx(100, rel=0.02)
    studio.tempo.value = 140
    studio.dancer.value = "without music"
    studio.dance()
    assert studio.image.value != first and "at 140 bpm" in studio.caption.value
    assert "without music" in studio.caption.value
    # issue 30: a slow song was tracked at twice its tempo; the studio made it, so it tells the tracker
    told, features = [], music.song_features
    monkeypatch.setattr(
        music, "song_features", lambda *a, **k: told.append(k.get("tempo")) or features(*a, **k)
    )
    studio.tempo.value = 64
    studio.dance()
    caption = re.search(r"to a song at 64 bpm \(tracked at ([\d.]+), told its tempo\)", studio.caption.value)
    assert told == [64] and float(caption[1]) == pytest.approx(64, rel=0.03), studio.caption.value
    with pytest.raises(ValueError, match="name at least one dancer"):
        BeatStudio({}, temperature=0.75)


@pytest.fixture(scope="module")
def framing_tuner(stage_clip):
    from dancenet.widgets import FramingTuner

    return FramingTuner(stage_clip.frames[:60], stage_clip.masks[:60])


def test_framing_tuner_first_view_is_a_png_of_frame_and_crop(framing_tuner, stage_clip):
    assert framing_tuner.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "frame 0" in framing_tuner.caption.value and "dancer found" in framing_tuner.caption.value
    height, width = np.add(stage_clip.frames.shape[1:3], 2 * framing_tuner.border)  # the frame in its border
    framed_width = round(104 * height / 64)  # the 64×104 crop enlarged to the same height
    assert framing_tuner.picture().shape == (height, width + 4 + framed_width, 3)


def test_framing_tuner_margin_scales_the_window(framing_tuner, stage_clip):
    framing_tuner.frame.value = 20
    body = framing_tuner.smoothed[20, 2] * stage_clip.masks.shape[1]
    heights = {}
    for margin in (0.0, 0.4):
        framing_tuner.margin.value = margin
        top, left, heights[margin], width = framing_tuner.crop_box()
        assert heights[margin] == pytest.approx(body * (1 + margin), abs=0.5)
        assert width == pytest.approx(heights[margin] * 104 / 64, abs=0.5)
        assert f"{heights[margin]}×{width}" in framing_tuner.caption.value
    assert heights[0.4] / heights[0.0] == pytest.approx(1.4, rel=0.02)
    framing_tuner.margin.value = 0.2


def test_framing_tuner_smoothing_resmooths_but_never_retracks(framing_tuner):
    from dancenet import framing

    track, raw = framing_tuner.track, framing_tuner.track.raw.copy()
    framing_tuner.smoothing.value = 1
    light = framing_tuner.smoothed.copy()
    framing_tuner.smoothing.value = 31
    assert not np.allclose(framing_tuner.smoothed, light)
    assert framing_tuner.track is track
    np.testing.assert_array_equal(framing_tuner.track.raw, raw)
    expected = framing.smooth_track(raw, framing.FramingSettings(median_window=31))
    np.testing.assert_array_equal(framing_tuner.smoothed, expected)
    framing_tuner.smoothing.value = 9


def test_framing_tuner_frame_slider_changes_picture_and_caption(framing_tuner):
    framing_tuner.frame.value = 0
    first, caption = framing_tuner.image.value, framing_tuner.caption.value
    framing_tuner.frame.value = 45
    assert framing_tuner.image.value != first
    assert "frame 45" in framing_tuner.caption.value and framing_tuner.caption.value != caption


def test_framing_tuner_crop_is_what_frame_dancer_frames(framing_tuner, stage_clip):
    from dancenet import framing

    framing_tuner.margin.value, framing_tuner.smoothing.value, framing_tuner.frame.value = 0.35, 15, 33
    settings = framing.FramingSettings(margin=0.35, median_window=15)
    framed = framing.frame_dancer(stage_clip.masks[:60], (64, 104), settings)
    np.testing.assert_array_equal(framing_tuner.smoothed, framed.track)
    np.testing.assert_array_equal(framing_tuner.crop(), framed.images[list(framed.frames).index(33)])
    framing_tuner.margin.value, framing_tuner.smoothing.value = 0.2, 9


def _with_a_passer_by(stage_clip, n: int = 30):
    """The clip's masks with a second, smaller person standing at the left edge, far from the dancer."""
    masks = stage_clip.masks[:n].copy()
    masks[:, 40:90, 2:14] = True
    return stage_clip.frames[:n], masks


def test_framing_tuner_keeps_only_the_dancer_and_marks_the_window(stage_clip):
    from dancenet.widgets import FramingTuner

    frames, masks = _with_a_passer_by(stage_clip)
    tuner = FramingTuner(frames, masks)
    assert (tuner.track.shapes >= 2).all() and tuner.track.found.all()
    assert tuner.track.raw[:, 0].min() > 0.2  # the track stays on the dancer, right of the passer-by
    tuner.frame.value = 10
    top, left, height, width = tuner.crop_box()
    picture = tuner.picture()
    bordered = np.add(masks.shape[1:], 2 * tuner.border)
    bottom, right = np.minimum(np.add([top + height, left + width], tuner.border - 1), bordered - 1)
    for row, column in [(top + tuner.border, left + tuner.border), (bottom, right)]:  # kept on the picture
        np.testing.assert_array_equal(picture[row, column], FramingTuner.WINDOW)
    x, y = tuner.track.raw[10, :2] * (masks.shape[2], masks.shape[1]) + tuner.border
    np.testing.assert_array_equal(picture[int(y), int(x)], FramingTuner.CENTRE)
    np.testing.assert_array_equal(picture[0, 0], FramingTuner.OUTSIDE)
    alone = FramingTuner(frames, stage_clip.masks[:30])
    alone.frame.value = 10
    np.testing.assert_array_equal(tuner.crop(), alone.crop())


def test_framing_tuner_counts_and_names_missed_frames(stage_clip):
    from dancenet.widgets import FramingTuner

    masks = stage_clip.masks[:30].copy()
    masks[[5, 6, 7]] = False
    tuner = FramingTuner(stage_clip.frames[:30], masks)
    assert "3 of 30 frames dropped" in tuner.caption.value
    tuner.frame.value = 6
    assert "missed" in tuner.caption.value and tuner.image.value[:4] == b"\x89PNG"
    assert np.isfinite(tuner.smoothed).all()


def test_framing_tuner_rejects_bad_input(stage_clip):
    from dancenet.widgets import FramingTuner

    frames, masks = stage_clip.frames[:10], stage_clip.masks[:10]
    with pytest.raises(ValueError, match="do not match"):
        FramingTuner(frames[:5], masks[:4])
    with pytest.raises(ValueError, match="do not match"):
        FramingTuner(frames[..., 0], masks)
    with pytest.raises(ValueError, match="uint8"):
        FramingTuner(frames / 255.0, masks)
    with pytest.raises(ValueError, match="divisible by 8"):
        FramingTuner(frames, masks, image_size=(60, 100))
    with pytest.raises(ValueError, match="no dancer found in any of the 10 frames"):
        FramingTuner(frames, np.zeros_like(masks))


#: How tall a widget is, estimated in CSS pixels as JupyterLab and Colab lay it out: a row of
#: controls (slider, dropdown, toggle buttons, checkbox, button, text box, or a row of them side by
#: side) is ipywidgets' inline height of 28 px plus 2 px of margin above and below; a caption or
#: the profile note counts two rows (it may wrap to a second line), as does an audio player (about
#: 54 px); a picture counts its declared layout height.
ROW_PX = 32
#: a laptop screen's usable height in a notebook: controls and picture must fit in it together
LAPTOP_PX = 700


def _px(size: str) -> int:
    assert size and size.endswith("px"), f"no declared size in px: {size!r}"
    return int(size[:-2])


def _estimated_height(widget) -> int:
    import ipywidgets

    total = 0
    for child in widget.children:
        if isinstance(child, ipywidgets.Image):
            total += _px(child.layout.height)
        elif isinstance(child, (ipywidgets.HTML, ipywidgets.Audio)):
            total += 2 * ROW_PX
        else:
            total += ROW_PX
    return total


def _image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG or GIF bytes."""
    import struct

    if data[:4] == b"\x89PNG":
        return struct.unpack(">II", data[16:24])
    assert data[:3] == b"GIF"
    return struct.unpack("<HH", data[6:10])


def _check_fits_a_laptop(widget, crisp: bool = True):
    """The picture declares its size, at most 720 px wide, shown 1:1 when it is a PNG (crisp, never
    stretched to the page's width); picture and controls fit in 700 px; the ci note comes first."""
    width, height = _px(widget.image.layout.width), _px(widget.image.layout.height)
    assert width <= 720
    if crisp:
        assert _image_size(widget.image.value) == (width, height)
    assert _estimated_height(widget) <= LAPTOP_PX, (type(widget).__name__, _estimated_height(widget))
    assert widget.children[0] is widget.note
    assert "barely trained" in widget.note.value and "cpu profile" in widget.note.value
    return width, height


class _BlockModel:
    """A stand-in autoencoder at the cpu profile's 64×104: a gray block as bright as the code's mean."""

    def encode(self, images):
        return np.asarray(images, np.float32).reshape(len(images), -1)[:, ::1000]

    def decode(self, codes):
        level = np.clip(np.asarray(codes, np.float32).mean(axis=1), 0, 1)
        return np.ones((len(codes), 64, 104, 1), np.float32) * level[:, None, None, None]


def test_every_explorer_fits_a_laptop_screen_and_says_when_models_are_barely_trained(stage_clip):
    from dancenet import framing, mdn, vae
    from dancenet.widgets import (
        FeatureMapViewer,
        FramingTuner,
        LatentExplorer,
        MDNPlayground,
        ReconstructionViewer,
    )

    frames, masks = stage_clip.frames[:40], stage_clip.masks[:40]  # the stage at 120×208
    images = framing.frame_dancer(masks, (64, 104)).images  # the cpu profile's silhouettes
    model = _BlockModel()
    x, y = mdn.inverse_problem(200, seed=1)
    explorers = {
        "StageBrowser": StageBrowser(frames, masks, profile="ci"),
        "BackgroundTuner": BackgroundTuner(frames, masks, score_every=10, profile="ci"),
        "FramingTuner": FramingTuner(frames, masks, image_size=(64, 104), profile="ci"),
        "FeatureMapViewer": FeatureMapViewer(vae.build_encoder("cpu", seed=0), images[:4], profile="ci"),
        "ReconstructionViewer": ReconstructionViewer({"block": model}, images[:4], profile="ci"),
        "LatentExplorer": LatentExplorer(model, model.encode(images), directions=5, profile="ci"),
        "MDNPlayground": MDNPlayground(x, y, {1: mdn.fit_toy(x, y, 1, epochs=1)}, profile="ci"),
    }
    sizes = {name: _check_fits_a_laptop(widget) for name, widget in explorers.items()}
    assert sizes["LatentExplorer"] == (312, 192)  # 3× the 64×104 silhouette, as it is stored
    assert sizes["StageBrowser"] == (416, 240)
    assert (
        StageBrowser(frames, masks, profile="cpu").note
        not in StageBrowser(frames, masks, profile="cpu").children
    )
    cpu = LatentExplorer(model, model.encode(images), profile="cpu")
    assert cpu.note.value == "" and cpu.children[0] is cpu.sliders[0]


def _player_width(player_html: str) -> int:
    import re

    tag = re.search(r"<video[^>]*>", player_html)
    assert tag, "no <video> player"
    width = re.search(r'width="(\d+)"', tag.group(0))
    assert width, f"the player declares no width: {tag.group(0)}"
    return int(width.group(1))


def test_the_mp4_player_is_wide_enough_for_its_controls_and_sharp(tmp_path):
    from dancenet import plotting, video

    frames = np.zeros((6, 64, 104, 3), np.uint8)  # the cpu profile's silhouettes
    path = video.write_video(tmp_path / "dance.mp4", frames, fps=15)
    shown = plotting.video_player(path).data
    assert _player_width(shown) == 416 and 'height="256"' in shown  # 4×: at least 320 px wide
    assert "image-rendering: pixelated" in shown and "controls loop" in shown
    assert _player_width(plotting.video_player_html(b"", (120, 400))) == 400  # wide enough: as it is


def test_chapter_9_shows_its_dance_to_music_in_the_usable_player():
    """The chapter's cell calls the player above. (Its stored output still holds the 104-px player of
    the last execution, until chapter 9 is executed again: outputs come only from running it.)"""
    import json
    from pathlib import Path

    chapter = Path(__file__).resolve().parents[1] / "chapters" / "09_music.ipynb"
    sources = [
        "".join(c["source"]) for c in json.loads(chapter.read_text())["cells"] if c["cell_type"] == "code"
    ]
    assert any("plotting.video_player(mp4)" in source for source in sources)
    assert not any("IPython.display import Video" in source or "Video(" in source for source in sources)
