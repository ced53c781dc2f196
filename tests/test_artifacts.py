import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from dancenet import artifacts
from dancenet.artifacts import CacheError, cache_dir, cached
from dancenet.profiles import get_profile

CI = get_profile("ci")


def write_number(value):
    def build(folder):
        np.save(folder / "value.npy", np.array(value))
    return build


def read_number(folder):
    return int(np.load(folder / "value.npy"))


def test_builds_once_then_loads(tmp_path):
    calls = []

    def build(folder):
        calls.append(folder)
        write_number(42)(folder)

    assert cached("number", CI, {"x": 1}, build, read_number) == 42
    assert cached("number", CI, {"x": 1}, build, read_number) == 42
    assert len(calls) == 1


def test_key_includes_profile_and_settings():
    assert cached("number", CI, {"x": 1}, write_number(1), read_number) == 1
    assert cached("number", CI, {"x": 2}, write_number(2), read_number) == 2
    assert cached("number", get_profile("cpu"), {"x": 1}, write_number(3), read_number) == 3
    names = sorted(p.name for p in cache_dir().iterdir())
    assert len(names) == 3 and sum(n.startswith("number-ci-") for n in names) == 2


def test_key_changes_with_source_code():
    from dancenet import background, video

    assert artifacts.cache_key({"a": 1}, (video,)) != artifacts.cache_key({"a": 1}, (background,))
    assert artifacts.cache_key({"a": 1}, (video,)) == artifacts.cache_key({"a": 1}, (video,))


def test_failed_build_leaves_nothing_behind():
    def broken(folder):
        (folder / "half.npy").write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached("number", CI, {}, broken, read_number)
    assert list(cache_dir().iterdir()) == []
    assert cached("number", CI, {}, write_number(5), read_number) == 5


def test_killed_build_never_loads(tmp_path):
    """A process killed mid-build leaves only a hidden temporary folder, which is never loaded."""
    script = textwrap.dedent("""
        import time, numpy as np
        from dancenet.artifacts import cached
        from dancenet.profiles import get_profile
        def slow(folder):
            np.save(folder / "value.npy", np.array(1))
            print("building", flush=True)
            time.sleep(60)
        cached("number", get_profile("ci"), {}, slow, lambda f: 0)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               env={**os.environ})
    assert process.stdout.readline().strip() == "building"
    process.send_signal(signal.SIGKILL)
    process.wait()
    leftovers = list(cache_dir().iterdir())
    assert leftovers and all(p.name.startswith(".") for p in leftovers)
    assert cached("number", CI, {}, write_number(9), read_number) == 9
    assert artifacts.clear("number") == 2 and list(cache_dir().iterdir()) == []


def test_corrupt_entry_is_a_clear_error():
    cached("number", CI, {}, write_number(3), read_number)
    (entry,) = cache_dir().iterdir()
    (entry / "value.npy").write_bytes(b"garbage")
    with pytest.raises(CacheError, match=f"cached number in .*{entry.name}.*cannot be read.*delete"):
        cached("number", CI, {}, write_number(3), read_number)


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCENET_CACHE", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere" and cache_dir().is_dir()


@pytest.fixture(scope="module")
def ci_silhouettes(tmp_path_factory):
    """The ci profile's stage video and silhouettes, built once into a module-wide cache."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["DANCENET_CACHE"] = str(cache)
    try:
        return artifacts.stage_video("ci", progress=False), artifacts.silhouettes("ci", progress=False)
    finally:
        del os.environ["DANCENET_CACHE"]


def test_stage_video_artifact(ci_silhouettes):
    recording, _ = ci_silhouettes
    assert recording.video_path.exists()
    assert recording.masks.shape == (CI.stage_frames, *CI.video_size)


def test_silhouettes_artifact(ci_silhouettes):
    recording, sil = ci_silhouettes
    expected = -(-CI.stage_frames // CI.frame_stride)
    assert sil.images.shape == (expected, *CI.image_size, 1) and sil.images.dtype == np.float32
    assert 0 <= sil.images.min() and sil.images.max() <= 1
    np.testing.assert_array_equal(sil.frame_indices, np.arange(expected) * CI.frame_stride)
    assert sil.method == "median" and sil.source == "stage"
    assert sil.iou.shape == (expected,) and sil.iou.mean() > 0.9


def test_silhouettes_from_a_video_of_your_own(ci_silhouettes, tmp_path, monkeypatch):
    recording, _ = ci_silhouettes
    monkeypatch.setenv("DANCENET_CACHE", str(tmp_path / "own"))
    own = artifacts.silhouettes("ci", video_path=recording.video_path, progress=False)
    assert own.source == str(recording.video_path.resolve()) and own.iou.size == 0
    assert own.images.shape[1:] == (*CI.image_size, 1)


def test_silhouettes_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="video file not found"):
        artifacts.silhouettes("ci", video_path=tmp_path / "missing.mp4")
    with pytest.raises(ValueError, match="unknown background-removal method"):
        artifacts.silhouettes("ci", method="magic")
    with pytest.raises(ValueError, match="unknown profile"):
        artifacts.silhouettes("laptop")


def test_trained_vae_and_latents_are_cached(ci_silhouettes, tmp_path, monkeypatch):
    import keras

    from dancenet import vae

    _, sil = ci_silhouettes
    monkeypatch.setattr(artifacts, "silhouettes", lambda profile, video_path=None, progress=True: sil)
    trained = artifacts.trained_vae("ci", progress=False)
    assert isinstance(trained.model, vae.VAE)
    assert len(trained.history["loss"]) == CI.vae_epochs and 0 <= trained.held_out_iou <= 1
    z = artifacts.latents("ci", progress=False)
    assert z.shape == (len(sil.images), CI.latent_dim) and np.isfinite(z).all()
    again = artifacts.trained_vae("ci", progress=False)  # from the cache: same weights
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(artifacts.latents("ci", progress=False), z)
    assert isinstance(again.model, keras.Model)


def test_trained_autoencoder_is_cached_beside_the_vae(ci_silhouettes, monkeypatch):
    from dancenet import vae

    _, sil = ci_silhouettes
    monkeypatch.setattr(artifacts, "silhouettes", lambda profile, video_path=None, progress=True: sil)
    trained = artifacts.trained_autoencoder("ci", progress=False)
    assert type(trained.model) is vae.Autoencoder
    assert len(trained.history["loss"]) == max(1, CI.vae_epochs // 2) and "kl" not in trained.history
    again = artifacts.trained_autoencoder("ci", progress=False)
    np.testing.assert_array_equal(again.model.encode(sil.images[:4]), trained.model.encode(sil.images[:4]))


def test_trained_sequence_models_are_cached(monkeypatch):
    from dancenet import sequence

    codes = np.random.default_rng(0).normal(size=(200, CI.latent_dim)).cumsum(axis=0).astype(np.float32)
    monkeypatch.setattr(artifacts, "latents", lambda profile, progress=True, video_path=None: codes)
    for kind in ("seed", "memory"):
        trained = artifacts.trained_sequence_model("ci", kind, progress=False)
        assert len(trained.history["loss"]) == CI.sequence_epochs and np.isfinite(trained.held_out_nll)
        again = artifacts.trained_sequence_model("ci", kind, progress=False)
        data = artifacts.latent_sequence("ci", progress=False)
        np.testing.assert_allclose(sequence.held_out_nll(again.model, data).mean(), trained.held_out_nll, rtol=1e-5)
    with pytest.raises(ValueError, match="unknown sequence model"):
        artifacts.trained_sequence_model("ci", "transformer")
