"""The `gpu` profile's code path, rehearsed on the CPU: the original's exact architecture through
every artifact — stage, silhouettes, framing, VAE, autoencoder, codes, both sequence models, the
move judge, generation and decoding — on a tiny clip (600 stage frames, one epoch each), so what a
Colab GPU reader runs is exercised where no GPU is. (Its time: BENCHMARKS.md.)

In float32: on a CPU, float16 is emulated, and the profile's mixed precision made this test many
times slower (under Colab's TensorFlow 2.20 the autoencoder alone had not finished after 15
minutes); tests/test_mixed_precision.py checks mixed precision on small models instead.

In batches of 25 silhouettes, not the profile's 100: the architecture is the same, but the first and
last convolutions' activations (128 channels at 120×208) take 12.8 MB a silhouette, and at 100 a
training step, or the encoding of all 200 silhouettes in one call (the model's default batch is 256),
took the test to 6.8 GB of memory; at 25 it stays under 3 GB. And in a pytest process of its own
(``isolated``), so that those 3 GB are not added to what the tests before it left in the session's."""

import dataclasses
from functools import partialmethod

import numpy as np
import pytest

from dancenet import choreography, sequence
from dancenet.artifacts import Pipeline
from dancenet.profiles import PROFILES
from dancenet.vae import Autoencoder

#: silhouettes per training step and per encoding call (see above)
BATCH = 25


@pytest.mark.isolated
def test_the_original_architecture_runs_through_every_artifact(monkeypatch):
    monkeypatch.setattr(Autoencoder, "encode", partialmethod(Autoencoder.encode, batch_size=BATCH))
    rehearsal = dataclasses.replace(
        PROFILES["gpu"],
        name="gpu-rehearsal",
        stage_frames=600,
        dance_frames=900,
        vae_epochs=1,
        vae_batch_size=BATCH,
        sequence_epochs=1,
        mixed_precision=False,
    )
    pipeline = Pipeline(rehearsal, progress=False)
    images = pipeline.training_images
    assert images.shape[1:] == (120, 208, 1) and len(images) > 150
    vae = pipeline.vae.model
    assert vae.encoder.count_params() == 1_724_128 and vae.decoder.count_params() == 1_744_545
    assert pipeline.autoencoder.held_out_iou >= 0
    data = pipeline.latent_sequence
    assert data.train.shape[1] == 128 and np.isfinite(data.whole).all()
    original, ours = pipeline.sequence_model("original"), pipeline.sequence_model("memory")
    assert original.model.count_params() == 12_198_336
    for trained in (original, ours):
        assert np.isfinite(trained.held_out_nll)
        dance = choreography.Choreographer(trained.model).generate(
            data.train[None, -sequence.WINDOW :], 12, temperature=0.5, seed=0
        )
        assert dance.shape == (1, 12, 128) and np.isfinite(dance).all()
        frames = vae.decode(data.scaler.inverse(dance[0]))
        assert frames.shape == (12, 120, 208, 1) and 0 <= frames.min() <= frames.max() <= 1
    assert 0 <= pipeline.move_judge.held_out_accuracy <= 1
