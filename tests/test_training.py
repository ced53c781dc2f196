"""Training: one quiet routine with one progress bar per training, batched calls, count checks."""

import keras
import numpy as np
import pytest

from dancenet import checks, stage, training, vae
from dancenet.background import silhouette_images
from dancenet.profiles import PROFILES


class FakeBar:
    """Stands in for ``tqdm``: records what a training does to its bar."""

    made: list = []

    def __init__(self, total=None, desc=None, **_):
        self.total, self.desc, self.n, self.closed, self.postfix = total, desc, 0, False, {}
        FakeBar.made.append(self)

    def set_postfix(self, values, refresh=True):
        self.postfix = dict(values)

    def update(self, n=1):
        self.n += n

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    FakeBar.made = []
    monkeypatch.setattr(training, "tqdm", FakeBar)
    return FakeBar.made


@pytest.fixture(scope="module")
def images():
    clip = stage.render_clip(60, seed=7, progress=False)
    return silhouette_images(clip.masks, PROFILES["ci"].image_size)


def tiny(data, initializer="glorot_uniform", **options):
    """A one-weight linear model trained by :func:`dancenet.training.train` on ``data``."""

    def build():
        inputs = keras.Input((1,))
        return keras.Model(inputs, keras.layers.Dense(1, kernel_initializer=initializer)(inputs), name="tiny")

    return training.train(
        build, lambda: data, optimizer=keras.optimizers.SGD, learning_rate=0.1, loss="mse", **options
    )


def test_a_training_shows_one_bar_over_its_epochs_and_keras_prints_nothing(bars, images, capsys):
    _, history = vae.train_autoencoder(images, "ci", epochs=3, batch_size=16)
    assert len(bars) == 1
    bar = bars[0]
    assert bar.total == 3 and bar.n == 3 and bar.closed and bar.desc == "training autoencoder"
    assert set(bar.postfix) == {"loss", "val_loss"}
    assert float(bar.postfix["val_loss"]) == pytest.approx(history.history["val_loss"][-1], rel=1e-3)
    assert capsys.readouterr().out == ""


def test_the_real_bar_goes_to_stderr_and_only_when_asked_for(images, capsys):
    vae.train_vae(images, "ci", epochs=2, batch_size=16, progress=False)
    assert capsys.readouterr() == ("", "")
    vae.train_vae(images, "ci", epochs=2, batch_size=16)
    out, err = capsys.readouterr()
    assert out == "" and "Epoch" not in err
    assert "training vae" in err and "2/2" in err and "val_loss=" in err


def test_early_stopping_closes_the_bar_before_the_last_epoch(bars, capsys):
    x = np.ones((32, 1), np.float32)
    # validation wants the opposite of training: val_loss rises from the first epoch on
    _, history = tiny((x, x, (x, -x)), "zeros", epochs=50, batch_size=8, patience=2)
    assert len(history.history["loss"]) == 3
    assert len(bars) == 1 and bars[0].closed and bars[0].n == 3 < bars[0].total == 50
    assert capsys.readouterr().out == ""


def test_without_progress_there_is_no_bar(bars):
    x = np.ones((8, 1), np.float32)
    tiny((x, x, None), epochs=2, progress=False)
    assert bars == []


def test_training_is_reproducible_from_its_seed(bars):
    x = np.random.default_rng(0).normal(size=(64, 1)).astype(np.float32)
    first, second, other = (tiny((x, 3 * x, None), epochs=2, batch_size=8, seed=s)[0] for s in (1, 1, 2))
    np.testing.assert_array_equal(first.get_weights()[0], second.get_weights()[0])
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])


def test_in_batches_joins_every_batch_and_takes_empty_input():
    inputs = np.arange(10, dtype=np.float64).reshape(10, 1)
    calls = []

    def double(batch):
        calls.append(len(batch))
        return batch * 2

    out = training.in_batches(double, inputs, batch_size=4)
    assert calls == [4, 4, 2] and out.dtype == np.float32
    np.testing.assert_array_equal(out, inputs * 2)
    assert training.in_batches(double, np.zeros((0, 1)), batch_size=4).shape == (0, 1)


@pytest.mark.parametrize("value", [0, -3, 2.0, True, "4", None])
def test_check_positive_int_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        checks.check_positive_int(value, "epochs")


def test_check_positive_int_and_the_held_out_start():
    assert checks.check_positive_int(np.int64(3), "epochs") == 3
    assert training.held_out_start(20, 0.2) == 16
    assert training.held_out_start(5, 0.01) == 4 and training.held_out_start(5, 0.01, at_least=2) == 3
    with pytest.raises(ValueError, match="held_out"):
        training.held_out_start(10, 1.0)
