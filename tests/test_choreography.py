"""Generation (compiled, batched, reproducible), the dance measures, and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from dancenet import choreography, mdn, measures, plotting, sequence, vae, video
from dancenet.profiles import PROFILES

CI = PROFILES["ci"]


def step_by_step(choreographer, warm_up, length: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
    """The same dance as ``choreographer.generate``, one eager step at a time: the reference the
    compiled loop must match."""
    history = np.asarray(warm_up, np.float32).reshape(-1, *np.shape(warm_up)[-2:])[
        :, -choreographer.context :
    ]
    params, states = choreographer._warm(tf.constant(history))
    codes = []
    for t in range(length):
        if choreographer.stateful and t > 0 and t % (choreographer.context // 2) == 0:
            params, states = choreographer._warm(tf.constant(history))
        code = mdn.sample_tensor(
            params,
            choreographer.dimensions,
            choreographer.components,
            float(temperature),
            tf.constant([seed, t]),
        )
        codes.append(code.numpy())
        history = np.concatenate([history[:, 1:], code.numpy()[:, None]], axis=1)
        params, states = choreographer._step(code, states)
    return np.stack(codes, axis=1)


@pytest.fixture(scope="module")
def choreographer():
    keras.utils.set_random_seed(0)
    return choreography.Choreographer(sequence.build_sequence_model(CI))


@pytest.fixture(scope="module")
def warm_up():
    return np.random.default_rng(0).normal(size=(3, 10, CI.latent_dim)).astype(np.float32)


def test_generation_shapes_and_reproducibility(choreographer, warm_up):
    codes = choreographer.generate(warm_up, 25, temperature=1.0, seed=4)
    assert codes.shape == (3, 25, CI.latent_dim) and np.isfinite(codes).all()
    np.testing.assert_array_equal(codes, choreographer.generate(warm_up, 25, temperature=1.0, seed=4))
    assert not np.allclose(codes, choreographer.generate(warm_up, 25, temperature=1.0, seed=5))
    assert not np.allclose(codes[0], codes[1])  # dancers differ
    assert choreographer.generate(warm_up[0], 5).shape == (1, 5, CI.latent_dim)


def test_zero_temperature_is_deterministic_whatever_the_seed(choreographer, warm_up):
    cold = [choreographer.generate(warm_up, 15, temperature=0.0, seed=s) for s in (1, 2)]
    np.testing.assert_array_equal(*cold)


def test_compiled_loop_matches_step_by_step_reference(choreographer, warm_up):
    compiled = choreographer.generate(warm_up, 20, temperature=0.7, seed=3)
    reference = step_by_step(choreographer, warm_up, 20, temperature=0.7, seed=3)
    np.testing.assert_allclose(compiled, reference, atol=1e-4)


def test_compiled_loop_carries_the_state_like_the_stateful_twin(choreographer, warm_up):
    """At τ = 0 the dance is a function of the model alone: the twin, fed the same codes, agrees."""
    codes = choreographer.generate(warm_up[:1], 6, temperature=0.0)[0]
    twin = sequence.stateful_twin(choreographer.model)
    sequence.reset(twin)
    for code in np.concatenate([warm_up[0], codes[:-1]]):
        params = keras.ops.convert_to_numpy(twin(code[None, None]))[0, 0]
    np.testing.assert_allclose(mdn.sample(params, CI.latent_dim, CI.mixtures, 0.0), codes[-1], atol=1e-4)


def test_the_original_model_generates_from_the_last_code_only(warm_up):
    original = choreography.Choreographer(sequence.build_original_model(CI))
    a = original.generate(warm_up, 8, temperature=0.5, seed=1)
    changed = warm_up.copy()
    changed[:, :-1] = 0.0  # a different past, the same last code
    np.testing.assert_allclose(original.generate(changed, 8, temperature=0.5, seed=1), a, atol=1e-5)
    np.testing.assert_allclose(step_by_step(original, warm_up, 8, 0.5, 1), a, atol=1e-4)


def test_generation_refuses_bad_input(choreographer, warm_up):
    with pytest.raises(ValueError, match="warm-up codes must be"):
        choreographer.generate(warm_up[..., :3], 5)
    with pytest.raises(ValueError, match="NaN"):
        choreographer.generate(np.full_like(warm_up, np.nan), 5)
    with pytest.raises(ValueError, match="length"):
        choreographer.generate(warm_up, 0)
    with pytest.raises(ValueError, match="temperature"):
        choreographer.generate(warm_up, 5, temperature=-1)


def test_unscaled_feedback_feeds_each_code_back_in_the_vae_units(warm_up):
    """The original's loop: the model reads back the sampled code turned into the VAE's units."""
    original = choreography.Choreographer(sequence.build_original_model(CI))
    dims = CI.latent_dim
    scaler = sequence.Standardizer(np.full(dims, 0.5, np.float32), np.full(dims, 3.0, np.float32))
    codes = original.generate(warm_up[:1], 4, temperature=0.0, unscaled_feedback=scaler)[0]
    ours = original.generate(warm_up[:1], 4, temperature=0.0)[0]
    np.testing.assert_allclose(codes[0], ours[0], atol=1e-5)  # the first code follows the warm-up
    for before, after in zip(codes[:-1], codes[1:]):
        params = keras.ops.convert_to_numpy(original.model(scaler.inverse(before)[None]))[0]
        np.testing.assert_allclose(mdn.sample(params, dims, CI.mixtures, 0.0), after, atol=1e-4)
    assert not np.allclose(codes[1:], ours[1:], atol=1e-3)


def random_walk(length=600, dimensions=4, seed=0, step=0.3):
    return np.cumsum(np.random.default_rng(seed).normal(scale=step, size=(length, dimensions)), axis=0)


def test_a_frozen_dance_is_flagged_and_a_moving_one_is_not():
    moving = random_walk()
    energy = measures.motion_energy(moving)
    frozen = moving.copy()
    frozen[200:400] = frozen[200] + np.random.default_rng(1).normal(scale=0.01, size=(200, 4))
    starts = measures.freezes(frozen, energy)
    assert len(starts) > 0 and all(100 <= s <= 400 for s in starts)
    assert len(measures.freezes(moving, energy)) == 0


def test_a_periodic_dance_is_a_loop_and_a_random_walk_is_not():
    period = np.tile(random_walk(37, seed=2), (10, 1))
    lag, run = measures.longest_loop(period, tolerance=0.1)
    assert lag % 37 == 0 and run >= measures.LOOP_LENGTH
    walk = random_walk(400)
    _, run = measures.longest_loop(walk, tolerance=measures.motion_energy(walk))
    assert run < measures.LOOP_LENGTH


def test_frechet_latent_distance():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 300, 3))
    assert abs(measures.frechet_latent_distance(a, a, length=2)) < 1e-6
    shifted = a + np.array([2.0, 0.0, 0.0])
    # equal covariances: the distance is the squared mean shift, 2² for each of the 2 window steps
    assert measures.frechet_latent_distance(shifted, a, length=2) == pytest.approx(8.0, rel=1e-6)
    b = rng.normal(size=(4, 300, 3))
    assert 0 < measures.frechet_latent_distance(b, a, length=2) < 0.5


def test_diversity_is_zero_for_copies_and_grows_with_spread():
    walk = random_walk(200)
    # windows from different times differ
    assert measures.diversity([walk, walk, walk], length=1, samples=500) > 0
    still = np.zeros((200, 4))
    assert measures.diversity([still, still], samples=200) == 0
    assert measures.diversity([random_walk(200, seed=s) for s in range(4)]) > measures.diversity(
        [random_walk(200, seed=s, step=0.1) for s in range(4)]
    )
    with pytest.raises(ValueError, match="two sequences"):
        measures.diversity([walk])


def test_report_has_every_measure():
    real = random_walk(400, seed=5)
    rows = measures.report(
        {
            "walks": np.stack([random_walk(300, seed=s) for s in range(3)]),
            "still": np.zeros((2, 300, 4)) + 1.0,
        },
        real,
    )
    assert rows["still"]["frozen windows"] > 0 and rows["still"]["motion energy"] == 0
    assert rows["walks"]["frozen windows"] == 0 and rows["walks"]["loops"] == 0
    assert set(rows["walks"]) == {
        "motion energy",
        "frozen windows",
        "longest repeat (frames)",
        "loops",
        "FLD",
        "diversity",
    }


def test_export_gif_and_mp4_have_every_frame(tmp_path):
    images = np.random.default_rng(0).random((12, 48, 80, 1)).astype(np.float32)
    frames = choreography.silhouette_frames(images)
    assert frames.shape == (12, 48, 80) and frames.dtype == np.uint8
    gif = choreography.write_gif(frames, tmp_path / "dance.gif", fps=15)
    with Image.open(gif) as picture:
        assert picture.n_frames == 12 and picture.size == (80, 48)
    mp4 = choreography.write_mp4(frames, tmp_path / "dance.mp4", fps=15)
    assert len(video.read_frames(mp4, progress=False)) == 12
    assert video.video_info(mp4).fps == pytest.approx(15)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dance.gif", "dance.mp4"]  # no leftovers


def test_side_by_side_and_grid_layouts():
    clip = np.zeros((5, 10, 20), np.uint8)
    assert plotting.side_by_side(clip, clip, clip, gap=2, axis=2).shape == (5, 10, 64)
    assert choreography.grid([clip] * 3, columns=2, gap=2).shape == (5, 22, 42)
    with pytest.raises(ValueError, match="share length and height"):
        plotting.side_by_side(clip, clip[:4], axis=2)


# ----------------------------------------------------------------------------- dancing to music


@pytest.fixture(scope="module")
def hearing():
    keras.utils.set_random_seed(1)
    return choreography.Choreographer(sequence.build_sequence_model(CI, music_width=3))


def test_a_model_that_hears_dances_as_it_was_trained_to_read(hearing, warm_up):
    """At τ = 0 the dance is a function of the model alone: calling the model on the whole dance,
    laid out as in training (each code beside the next frame's music), predicts every code."""
    rng = np.random.default_rng(2)
    warm_music, music = rng.normal(size=(10, 3)), rng.normal(size=(12, 3))
    codes = hearing.generate(warm_up[0], 12, 0.0, music_features=music, warm_up_music_features=warm_music)[0]
    dance = np.concatenate([warm_up[0], codes])
    joined = sequence.with_next_music(dance, np.concatenate([warm_music, music]))
    params = sequence.mixture_parameters(hearing.model, joined[None, :-1])[0]
    expected = [mdn.sample(p, CI.latent_dim, CI.mixtures, 0.0) for p in params[9:]]
    np.testing.assert_allclose(codes, expected, atol=1e-4)
    other = hearing.generate(
        warm_up[0], 12, 0.0, music_features=music[::-1], warm_up_music_features=warm_music
    )[0]
    assert not np.allclose(other, codes)  # other music, another dance


def test_a_model_that_hears_needs_music_and_a_deaf_one_refuses_it(hearing, choreographer, warm_up):
    music, warm_music = np.zeros((5, 3)), np.zeros((10, 3))
    with pytest.raises(
        ValueError, match=r"music_features must be \(5, 3\), one row of music features per frame"
    ):
        hearing.generate(warm_up, 5, warm_up_music_features=warm_music)
    with pytest.raises(ValueError, match=r"warm_up_music_features must be \(10, 3\)"):
        hearing.generate(warm_up, 5, music_features=music, warm_up_music_features=warm_music[:4])
    with pytest.raises(ValueError, match="NaN"):
        hearing.generate(
            warm_up, 5, music_features=np.full((5, 3), np.nan), warm_up_music_features=warm_music
        )
    with pytest.raises(ValueError, match="does not read music"):
        choreographer.generate(warm_up, 5, music_features=music, warm_up_music_features=warm_music)


def test_a_dancer_warms_up_on_the_last_training_codes_and_their_music(hearing, choreographer):
    rng = np.random.default_rng(3)
    data = sequence.prepare(rng.normal(size=(200, CI.latent_dim)), music_features=rng.normal(size=(200, 3)))
    music = rng.normal(size=(30, 3))
    decoder = vae.build_vae(CI, seed=0)
    dancer = choreography.Dancer(hearing.model, data, decoder, fps=15)
    assert dancer.music_width == 3 and dancer.scaler is data.scaler
    dances = dancer.dance(music_features=music, temperature=0.5, seed=2, dancers=2, warm_up=20)
    start = len(data.train) - 20
    warm = np.repeat(data.train[None, start:], 2, axis=0)
    direct = hearing.generate(
        warm, 30, 0.5, 2, music_features=music, warm_up_music_features=data.music_features[start:160]
    )
    np.testing.assert_array_equal(dances, direct)
    frames = dancer.decode(dances[0])
    np.testing.assert_array_equal(frames, decoder.decode(data.scaler.inverse(dances[0])))
    deaf = choreography.Dancer(choreographer.model, data, decoder, fps=15)
    assert deaf.music_width == 0
    assert deaf.dance(music_features=music, temperature=0.5, seed=2).shape == (1, 30, CI.latent_dim)
    np.testing.assert_array_equal(
        deaf.dance(12, seed=4), choreographer.generate(data.train[-sequence.WINDOW :], 12, 0.5, 4)
    )
    with pytest.raises(ValueError, match="no music for the warm-up"):
        choreography.Dancer(hearing.model, sequence.prepare(data.whole), decoder, 15).dance(
            music_features=music
        )
    with pytest.raises(ValueError, match="dances to music: give music_features"):
        dancer.dance(30)
    with pytest.raises(ValueError, match="give the dance's length"):
        deaf.dance()


def test_mark_beats_lights_the_bottom_edge_on_the_frame_of_each_beat():
    frames = np.zeros((30, 12, 10), np.uint8)
    marked = choreography.mark_beats(frames, [0.0, 0.52, 0.98, 5.0], fps=15)
    lit = np.flatnonzero(marked[:, -1].all(axis=1))
    np.testing.assert_array_equal(lit, [0, 8, 15])  # 5 s lies beyond the clip
    assert marked[:, :-3].max() == 0 and frames.max() == 0  # only the edge; the input untouched
