"""The recipes: every chapter's artifact, keyed by what it is made from."""

import dataclasses
import os

import numpy as np
import pytest

from dancenet import artifacts, video
from dancenet.artifacts import RECIPES, Pipeline
from dancenet.cache import cache_dir
from dancenet.framing import FramingSettings
from dancenet.profiles import Profile, get_profile

CI = get_profile("ci")
SEQUENCE = {
    "sequence-memory",
    "sequence-original",
    "sequence-windows",
    "sequence-centered",
    "sequence-music",
    "sequence-music-one-tempo",
}

#: the long dance and the held-out dance, and chapter 7's sequence models that learn from them
#: (training for as many steps as the stage video's codes would take: they read both lengths)
DANCES = ("dance", "held-out-dance")
ON_THE_DANCE = {"sequence-memory", "sequence-original", "sequence-windows", "sequence-centered"}

#: which artifacts read each profile field themselves — written out here, independently of the
#: recipes' own declarations, so that a recipe that reads too much or too little is caught
READS = {
    "name": set(),
    "description": set(),
    "image_size": {"silhouettes", "vae", "autoencoder", "judge", *DANCES},
    "stage_frames": {"stage", "held-out-dance", *ON_THE_DANCE},
    "dance_frames": {"dance", *ON_THE_DANCE},
    "frame_stride": {"silhouettes", "music", *DANCES},
    "latent_dim": {"vae", "autoencoder", *SEQUENCE},
    "encoder_filters": {"vae", "autoencoder"},
    "vae_epochs": {"vae", "autoencoder"},
    "vae_batch_size": {"vae", "autoencoder"},
    "lstm_units": SEQUENCE,
    "lstm_layers": SEQUENCE,
    "dense_units": SEQUENCE,
    "mixtures": SEQUENCE,
    "sequence_epochs": SEQUENCE,
    "video_size": {"stage", "silhouettes", *DANCES},
    "mixed_precision": {"vae", "autoencoder", *SEQUENCE},
}
#: what each artifact is made from
MADE_FROM = {
    "stage": set(),
    "silhouettes": {"stage"},
    "vae": {"silhouettes"},
    "autoencoder": {"silhouettes"},
    "latents": {"vae", "silhouettes"},
    "dance": {"vae"},
    "held-out-dance": {"vae"},
    "sequence-memory": set(DANCES),
    "sequence-original": set(DANCES),
    "sequence-windows": set(DANCES),
    "sequence-centered": set(DANCES),
    "judge": {"silhouettes", "stage"},
    "music": {"silhouettes", "stage"},
    "sequence-music": {"latents", "music"},
    "sequence-music-one-tempo": {"latents", "music"},
}


def downstream(names: set) -> set:
    """``names`` and every artifact made, directly or not, from one of them."""
    found = set(names)
    while True:
        more = {a for a, inputs in MADE_FROM.items() if inputs & found} - found
        if not more:
            return found
        found |= more


def other_value(field: str):
    """A value of ``field`` that differs from the ci profile's and is still a valid profile."""
    value = getattr(CI, field)
    if field == "image_size" or field == "video_size":
        return (value[0] + 8, value[1] + 8)
    if isinstance(value, bool):
        return not value
    if isinstance(value, tuple):
        return tuple(v + 1 for v in value)
    return value + 1 if isinstance(value, int) else value + " (changed)"


def keys(pipeline: Pipeline) -> dict:
    return {name: pipeline.artifact(name).key for name in RECIPES}


def test_the_table_covers_every_profile_field():
    assert set(READS) == {f.name for f in dataclasses.fields(Profile)}
    assert set(MADE_FROM) == set(RECIPES)


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Profile)])
def test_a_profile_field_changes_exactly_the_artifacts_that_read_it_and_their_descendants(field):
    before = keys(Pipeline(CI))
    after = keys(Pipeline(dataclasses.replace(CI, **{field: other_value(field)})))
    changed = {name for name in RECIPES if before[name] != after[name]}
    assert changed == downstream(READS[field])


def test_inputs_are_the_artifacts_they_are_made_from():
    pipeline = Pipeline(CI)
    assert {name: {a.name for a in pipeline.artifact(name).inputs} for name in RECIPES} == MADE_FROM


def test_the_method_and_your_own_video_change_the_silhouettes_and_everything_after(tmp_path):
    stage_made = downstream({"silhouettes"})
    base = keys(Pipeline(CI))
    other = keys(Pipeline(CI, method="mog2"))
    assert {n for n in RECIPES if base[n] != other[n]} == stage_made
    clip = tmp_path / "dance.mp4"
    clip.write_bytes(b"not really a video, but a file with an identity")
    own = Pipeline(CI, video=clip)
    assert "stage" not in {a.name for a in own.artifact("silhouettes").inputs}
    first = own.artifact("latents").key
    os.utime(clip, ns=(1, 1))
    assert Pipeline(CI, video=clip).artifact("latents").key != first


def test_framing_settings_change_the_silhouettes_and_whole_frames_change_the_models():
    base = keys(Pipeline(CI))
    wider = keys(Pipeline(CI, framing=FramingSettings(margin=0.3)))
    assert {n for n in RECIPES if base[n] != wider[n]} == downstream({"silhouettes"})
    whole = keys(Pipeline(CI, framed=False))
    # the music too: it is heard at the frames the codes come from
    assert {n for n in RECIPES if base[n] != whole[n]} == downstream({"vae", "autoencoder", "music"})
    with pytest.raises(ValueError, match="framing must be a FramingSettings"):
        Pipeline(CI, framing={"margin": 0.3})


def test_an_artifact_is_declared_in_one_place(monkeypatch):
    monkeypatch.setattr(artifacts, "RECIPES", dict(RECIPES))  # the new recipe lives for this test only

    @artifacts.recipe(
        "motion",
        load=lambda folder: float(np.load(folder / "motion.npy")),
        fields=("latent_dim",),
        inputs=("latents",),
        modules=("measures",),
    )
    def _motion(pipeline, folder, profile, inputs):
        from dancenet import measures

        np.save(folder / "motion.npy", measures.motion_energy(inputs["latents"].get()))

    made = Pipeline(CI).artifact("motion")
    assert [a.name for a in made.inputs] == ["latents"]
    assert made.description()["profile"] == {"latent_dim": CI.latent_dim}
    assert Pipeline(dataclasses.replace(CI, vae_epochs=3)).artifact("motion").key != made.key  # via the VAE
    assert Pipeline(dataclasses.replace(CI, lstm_units=8)).artifact("motion").key == made.key


def test_folder_names_carry_the_artifact_and_profile():
    folder = Pipeline(CI).artifact("vae").folder
    assert folder.name.startswith("vae-ci-") and folder.parent == cache_dir()


@pytest.fixture(scope="module")
def ci_pipeline(tmp_path_factory):
    """The ci profile's whole pipeline on the stage video, built once into a module-wide cache."""
    # restored afterwards, not deleted: the notebooks that nbval runs later in the same session
    # inherit DANCENET_CACHE, and without it they would use (and fill) the home folder's cache
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DANCENET_CACHE", str(tmp_path_factory.mktemp("cache")))
        pipeline = Pipeline("ci", progress=False)
        pipeline.silhouettes  # noqa: B018  (built here, in the module's cache)
        yield pipeline


@pytest.fixture
def shared_cache(ci_pipeline, monkeypatch):
    monkeypatch.setenv("DANCENET_CACHE", str(ci_pipeline.artifact("stage").folder.parent))
    return ci_pipeline


def test_stage_video_artifact(shared_cache):
    recording = Pipeline("ci", progress=False).stage
    assert recording.video_path.exists()
    assert recording.masks.shape == (CI.stage_frames, *CI.video_size)


def test_silhouettes_artifact(shared_cache):
    sil = Pipeline("ci", progress=False).silhouettes
    read = -(-CI.stage_frames // CI.frame_stride)
    assert sil.whole.shape == (read, *CI.image_size, 1) and sil.whole.dtype == np.float32
    np.testing.assert_array_equal(sil.whole_indices, np.arange(read) * CI.frame_stride)
    # the stage dancer is never out of view: every frame is framed, none dropped
    assert sil.dropped == 0 and sil.images.shape == sil.whole.shape and sil.images.dtype == np.float32
    np.testing.assert_array_equal(sil.frame_indices, sil.whole_indices)
    for images in (sil.images, sil.whole):
        assert images.min() >= 0 and images.max() <= 1
    assert sil.track.shape == sil.raw_track.shape == (read, 3) and np.isfinite(sil.track).all()
    assert sil.method == "median" and sil.source == "stage"
    assert sil.iou.shape == (read,) and sil.iou.mean() > 0.9

    # framed, the dancer stays in the middle of the window while travelling across the stage
    def centre_x(images):
        masks = images[..., 0] > 0.5
        return (masks * np.arange(masks.shape[2])).sum(axis=(1, 2)) / masks.sum(axis=(1, 2)) / masks.shape[2]

    assert np.ptp(centre_x(sil.whole)) > 0.15 and np.abs(centre_x(sil.images) - 0.5).max() < 0.06
    # and stands where the window puts it: centred, the body's height within the margin
    rows = np.flatnonzero((sil.images[len(sil.images) // 2, ..., 0] > 0.5).any(axis=1))
    body = (rows[-1] + 1 - rows[0]) / CI.image_size[0]
    assert 1 / 1.2 - 0.08 < body < 1 / 1.2 + 0.08
    assert sil.training_images(framed=False) is sil.whole and sil.training_images() is sil.images


def test_silhouettes_from_a_video_of_your_own(shared_cache, tmp_path, monkeypatch):
    recording = shared_cache.stage
    monkeypatch.setenv("DANCENET_CACHE", str(tmp_path / "own"))
    own = Pipeline("ci", recording.video_path, progress=False).silhouettes
    assert own.source == str(recording.video_path.resolve()) and own.iou.size == 0
    assert own.images.shape[1:] == (*CI.image_size, 1)


def test_silhouettes_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="video file not found"):
        Pipeline("ci", tmp_path / "missing.mp4")
    with pytest.raises(ValueError, match="unknown background-removal method"):
        Pipeline("ci", method="magic")
    with pytest.raises(ValueError, match="unknown profile"):
        Pipeline("laptop")
    with pytest.raises(ValueError, match="unknown artifact"):
        Pipeline("ci").artifact("concert")


def test_trained_vae_and_latents_are_cached(shared_cache):
    import keras

    from dancenet import vae

    sil = shared_cache.silhouettes
    trained = Pipeline("ci", progress=False).vae
    assert isinstance(trained.model, vae.VAE)
    assert len(trained.history["loss"]) == CI.vae_epochs and 0 <= trained.held_out_iou <= 1
    with pytest.raises(AttributeError, match="no held_out_nll"):
        trained.held_out_nll  # noqa: B018
    z = Pipeline("ci", progress=False).latents
    assert z.shape == (len(sil.images), CI.latent_dim) and np.isfinite(z).all()
    again = Pipeline("ci", progress=False).vae  # from the cache: same weights
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Pipeline("ci", progress=False).latents, z)
    assert isinstance(again.model, keras.Model)


def test_trained_autoencoder_is_cached_beside_the_vae(shared_cache):
    from dancenet import vae

    sil = shared_cache.silhouettes
    trained = Pipeline("ci", progress=False).autoencoder
    assert type(trained.model) is vae.Autoencoder
    assert len(trained.history["loss"]) == max(1, CI.vae_epochs // 2) and "kl" not in trained.history
    again = Pipeline("ci", progress=False).autoencoder
    np.testing.assert_array_equal(again.model.encode(sil.images[:4]), trained.model.encode(sil.images[:4]))


def test_trained_sequence_models_are_cached(shared_cache):
    from dancenet import sequence

    for kind in artifacts.SEQUENCE_KINDS:
        trained = Pipeline("ci", progress=False).sequence_model(kind)
        epochs = artifacts.long_dance_epochs(CI)  # as many steps as on the stage video's codes
        assert len(trained.history["loss"]) == epochs and np.isfinite(trained.held_out_nll)
        again = shared_cache.sequence_model(kind)
        data = Pipeline("ci", progress=False).latent_sequence
        np.testing.assert_allclose(
            sequence.held_out_nll(again.model, data).mean(), trained.held_out_nll, rtol=1e-5
        )
    # each step of the ablation is the model it says it is
    built = {kind: shared_cache.sequence_model(kind).model for kind in sequence.ABLATION}
    for kind, switches in sequence.ABLATION.items():
        names = {layer.name for layer in built[kind].layers}
        assert (sequence.ADD_CURRENT_CODE_LAYER in names) == switches["centered"]
        assert built[kind].get_layer("input_noise").stddev == switches["input_noise"]
    assert sequence.ABLATION["memory"]["input_noise"] > 0
    with pytest.raises(ValueError, match="unknown sequence model"):
        Pipeline("ci").sequence_model("transformer")


def test_the_music_is_the_stage_s_soundtrack_heard_at_every_code(shared_cache):
    from dancenet import music, sequence

    heard = shared_cache.dance_music
    recording = shared_cache.stage
    assert heard.features.shape == (len(shared_cache.latents), len(music.FEATURES))
    assert heard.tempo == pytest.approx(recording.meta["bpm"], rel=0.02)
    assert music.beat_f_measure(recording.beats, heard.beats) > 0.9
    assert heard.fps == pytest.approx(30 / CI.frame_stride) and heard.source.endswith("stage.wav")
    # each code's features are those of its own frame: on a frame within 17 ms of a true beat the
    # phase is near 0 (the tracked beats lie within about 20 ms of the true ones), half a beat off
    # it is near 0.5. Only between the first and last tracked beats: outside them the phase is
    # extrapolated, and off by as much as the tracker's tempo is
    every = shared_cache.silhouettes.frame_indices
    frames = every[(every / 30 >= heard.beats[0]) & (every / 30 <= heard.beats[-1])]
    distance = np.abs(frames[:, None] / 30 - recording.beats[None, :]).min(axis=1)
    features = heard.features[np.isin(every, frames)]
    assert features[distance < 0.5 / 30, 1].min() > 0.8
    assert features[np.abs(distance - 30 / recording.meta["bpm"]) < 0.5 / 30, 1].max() < -0.8
    trained = shared_cache.music_model()
    assert sequence.music_width(trained.model) == len(music.FEATURES)
    with pytest.raises(ValueError, match="unknown music model"):
        shared_cache.music_model("jazz")
    assert np.isfinite(trained.held_out_nll)
    again = sequence.held_out_nll(trained.model, shared_cache.music_sequence).mean()
    np.testing.assert_allclose(again, trained.held_out_nll, rtol=1e-5)


def test_a_video_without_a_soundtrack_has_no_music_to_learn_from(shared_cache, tmp_path):
    from dancenet import music

    frames = video.read_frames(shared_cache.stage.video_path, max_frames=150, progress=False)
    silent = video.write_video(tmp_path / "silent.mp4", frames, 30.0)
    with pytest.raises(music.AudioError, match="could not read sound from"):
        Pipeline(CI, video=silent, progress=False).dance_music  # noqa: B018


def test_the_move_judge_is_cached_and_judges_only_the_stage(shared_cache, tmp_path):
    from dancenet import stage

    trained = Pipeline("ci", progress=False).move_judge
    assert trained.model.output.shape[-1] == len(stage.MOVES) and len(trained.history["loss"]) >= 1
    assert 0.0 <= trained.held_out_accuracy <= 1.0
    assert shared_cache.move_judge.held_out_accuracy == trained.held_out_accuracy  # from the cache
    clip = tmp_path / "dance.mp4"
    clip.write_bytes(b"a video of your own")
    with pytest.raises(ValueError, match="a video of your own has none"):
        Pipeline(CI, video=clip).move_judge  # noqa: B018
