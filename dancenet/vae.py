"""The variational autoencoder: silhouettes in, 128 numbers per frame out, and back.

- :class:`Sampling` draws ``z = μ + exp(½·log σ²)·ε`` — the reparameterization trick — as a
  registered layer, so a saved model loads in Keras's safe mode (the original used a ``Lambda``,
  which safe mode refuses to deserialize).
- :func:`build_encoder` / :func:`build_decoder` build the original DanceNet architecture exactly in
  the ``gpu`` profile (1,724,128 and 1,744,545 parameters) and smaller versions in ``cpu``/``ci``.
- :class:`Autoencoder` is the deterministic baseline of chapter 4: one code per image, trained on
  reconstruction alone.
- :class:`VAE` trains both with the ELBO: binary cross-entropy summed over pixels plus the KL
  divergence in closed form, with an optional KL weight β (and warm-up) and free bits.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .checks import check_image_size, check_positive_int
from .profiles import Profile, get_profile
from .training import held_out_start, in_batches, train

PACKAGE = "dancenet"


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampling(layers.Layer):
    """``z = μ + σ·ε`` with ``ε ~ N(0, I)`` and ``σ = exp(½·log σ²)``: randomness moved into ε, so
    gradients flow to μ and log σ² (the reparameterization trick)."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def build_encoder(
    profile: Profile | str | None = None, seed: int | None = None, variational: bool = True
) -> keras.Model:
    """Silhouette ``(H, W, 1)`` → ``[z_mean, z_log_var, z]``.

    Three blocks of 3×3 convolution (ReLU, same padding) and 2× max pooling, a linear Dense layer,
    then two Dense heads for the mean and log-variance of the latent Gaussian, and a sample of it.
    With ``variational=False`` a single Dense head gives one code ``z`` per image (chapter 4).
    """
    profile = get_profile(profile)
    height, width = check_image_size(profile.image_size)
    images = keras.Input((height, width, 1), name="silhouette")
    x = images
    for block, filters in enumerate(profile.encoder_filters, start=1):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same", name=f"conv{block}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(profile.latent_dim, kernel_initializer="glorot_uniform", name="dense")(x)
    if not variational:
        return keras.Model(images, layers.Dense(profile.latent_dim, name="z")(x), name="encoder")
    z_mean = layers.Dense(profile.latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(profile.latent_dim, name="z_log_var")(x)
    z = Sampling(seed, name="z")([z_mean, z_log_var])
    return keras.Model(images, [z_mean, z_log_var, z], name="encoder")


def build_decoder(profile: Profile | str | None = None) -> keras.Model:
    """Latent vector → silhouette ``(H, W, 1)`` of pixel probabilities.

    A Dense layer back to the encoder's last feature map, a Dense layer applied at every position of
    it (a 1×1 convolution in disguise, as in the original), then three blocks of 3×3 convolution
    and 2× upsampling, and a sigmoid convolution to one channel.
    """
    profile = get_profile(profile)
    height, width = check_image_size(profile.image_size)
    grid = (height // 8, width // 8, profile.encoder_filters[-1])
    latent = keras.Input((profile.latent_dim,), name="z")
    x = layers.Dense(grid[0] * grid[1] * grid[2], activation="relu", name="dense")(latent)
    x = layers.Reshape(grid, name="reshape")(x)
    x = layers.Dense(profile.latent_dim, name="per_position_dense")(x)
    for block, filters in enumerate(reversed(profile.encoder_filters), start=1):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same", name=f"conv{block}")(x)
        x = layers.UpSampling2D(2, name=f"upsample{block}")(x)
    # float32 even in mixed precision: probabilities near 0 and 1 need it
    pixels = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="silhouette", dtype="float32")(x)
    return keras.Model(latent, pixels, name="decoder")


def kl_divergence(z_mean, z_log_var):
    """KL(N(μ, σ²) ‖ N(0, I)) in closed form, per latent dimension: ``½(μ² + σ² − log σ² − 1)``."""
    z_mean, z_log_var = ops.cast(z_mean, "float32"), ops.cast(z_log_var, "float32")  # also in mixed precision
    return 0.5 * (ops.square(z_mean) + ops.exp(z_log_var) - z_log_var - 1.0)


def reconstruction_loss(images, reconstruction):
    """Binary cross-entropy summed over the pixels of each image, shape ``(batch,)``."""
    images = ops.cast(images, "float32")
    probabilities = ops.clip(ops.cast(reconstruction, "float32"), 1e-7, 1.0 - 1e-7)
    bce = -(images * ops.log(probabilities) + (1.0 - images) * ops.log(1.0 - probabilities))
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=1)


def _first(outputs):
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


@keras.saving.register_keras_serializable(package=PACKAGE)
class Autoencoder(keras.Model):
    """An encoder to one code per image and a decoder back, trained on reconstruction alone.

    The deterministic baseline of chapter 4: nothing asks its codes to fill the latent space, so
    decoding a random vector usually gives no dancer at all.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")

    def call(self, images, training=False):
        return self.decoder(self.encoder(images, training=training), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        rec = ops.mean(reconstruction_loss(x, y_pred))
        self.reconstruction_tracker.update_state(rec)
        return rec

    def encode(self, images, batch_size: int = 256):
        """The code of every image (``z_mean`` for a VAE: the deterministic code used downstream)."""
        return in_batches(lambda batch: _first(self.encoder(batch, training=False)), images, batch_size)

    def decode(self, latents, batch_size: int = 256):
        """Silhouette probabilities for latent vectors, as NumPy."""
        return in_batches(lambda batch: self.decoder(batch, training=False), latents, batch_size)

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class VAE(Autoencoder):
    """Encoder and decoder trained together on the negative ELBO.

    ``loss = reconstruction + β · KL``, each summed over pixels or latent dimensions and averaged
    over the batch. ``free_bits`` (nats per latent dimension) stops the KL term from pushing a
    dimension below that much information, a guard against posterior collapse. The original's
    configuration is ``beta=1, free_bits=0``.
    """

    def __init__(
        self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0, free_bits: float = 0.0, **kwargs
    ):
        super().__init__(encoder, decoder, **kwargs)
        if beta < 0 or free_bits < 0:
            raise ValueError(f"beta and free_bits must be non-negative, got {beta} and {free_bits}")
        self.beta = keras.Variable(float(beta), trainable=False, name="beta")
        self.free_bits = float(free_bits)
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, images, training=False):
        z_mean, z_log_var, z = self.encoder(images, training=training)
        return self.decoder(z, training=training), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction, z_mean, z_log_var = y_pred
        rec = super().compute_loss(x, y_pred=reconstruction)
        kl_per_dimension = kl_divergence(z_mean, z_log_var)
        kl = ops.mean(ops.sum(kl_per_dimension, axis=1))
        penalty = (
            kl
            if self.free_bits == 0
            else ops.sum(ops.maximum(ops.mean(kl_per_dimension, axis=0), self.free_bits))
        )
        self.kl_tracker.update_state(kl)
        return rec + ops.cast(self.beta, rec.dtype) * penalty

    def get_config(self):
        return {
            **super().get_config(),
            "beta": float(ops.convert_to_numpy(self.beta)),
            "free_bits": self.free_bits,
        }


def build_vae(
    profile: Profile | str | None = None, beta: float = 1.0, free_bits: float = 0.0, seed: int | None = None
) -> VAE:
    """A VAE for the profile's image size, built and ready to compile."""
    profile = get_profile(profile)
    vae = VAE(
        build_encoder(profile, seed), build_decoder(profile), beta=beta, free_bits=free_bits, name="vae"
    )
    height, width = profile.image_size
    vae.build((None, height, width, 1))
    return vae


def build_autoencoder(profile: Profile | str | None = None) -> Autoencoder:
    """A plain autoencoder with the VAE's encoder body and decoder, for the profile's image size."""
    profile = get_profile(profile)
    model = Autoencoder(build_encoder(profile, variational=False), build_decoder(profile), name="autoencoder")
    model.build((None, *profile.image_size, 1))
    return model


class KLWarmup(keras.callbacks.Callback):
    """KL warm-up: β rises linearly from ``target / epochs`` to ``target`` over the first ``epochs``
    epochs, so the decoder learns to use the latent code before the KL term pulls it to the prior."""

    def __init__(self, epochs: int, target: float = 1.0):
        super().__init__()
        self.epochs, self.target = check_positive_int(epochs, "warm-up epochs"), float(target)

    def on_epoch_begin(self, epoch, logs=None):
        self.model.beta.assign(self.target * min(1.0, (epoch + 1) / self.epochs))


def check_silhouettes(images, at_least: int = 1) -> np.ndarray:
    """``images`` as float32 silhouettes ``(N, H, W, 1)`` with N ≥ ``at_least`` and no NaN, or a
    ``ValueError`` saying what is wrong with them."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 1 or len(images) < at_least:
        raise ValueError(
            f"expected silhouettes of shape (N, H, W, 1) with N ≥ {at_least}, got {images.shape}"
        )
    if np.isnan(images).any():
        raise ValueError("silhouettes contain NaN")
    return images


def split(images, held_out: float = 0.1):
    """Chronological split: the last ``held_out`` fraction of the frames is never trained on.

    Neighbouring video frames are near-duplicates, so a random split would leak them into the
    held-out set and flatter the model.
    """
    images = check_silhouettes(images, at_least=2)
    cut = held_out_start(len(images), held_out)
    return images[:cut], images[cut:]


def _dataset(images, batch_size: int, shuffle_seed: int | None):
    data = tf.data.Dataset.from_tensor_slices(images)
    if shuffle_seed is not None:  # the original fed its frames in video order, never shuffled
        data = data.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def train_vae(
    images,
    profile: Profile | str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float = 1e-3,
    beta: float = 1.0,
    warmup_epochs: int = 0,
    free_bits: float = 0.0,
    held_out: float = 0.1,
    strategy=None,
    seed: int = 0,
    progress: bool = True,
):
    """A VAE trained on silhouettes ``(N, H, W, 1)``, and its Keras history.

    RMSprop on shuffled batches (the original's optimizer; the batch size and epochs default to the
    profile's — 100 and 50 in ``gpu``, as in the original), the last ``held_out`` of the frames for
    validation, one progress bar over the epochs unless ``progress=False``. ``strategy`` is any
    ``tf.distribute.Strategy`` (default: the current one), e.g. ``MirroredStrategy`` for several GPUs.
    """
    profile = get_profile(profile)
    callbacks = [KLWarmup(warmup_epochs, beta)] if warmup_epochs else []
    return _train_on_silhouettes(
        lambda: build_vae(profile, beta=beta, free_bits=free_bits, seed=seed),
        images,
        profile,
        epochs,
        batch_size,
        learning_rate,
        held_out,
        strategy,
        seed,
        progress,
        callbacks,
    )


def train_autoencoder(
    images,
    profile: Profile | str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float = 1e-3,
    held_out: float = 0.1,
    strategy=None,
    seed: int = 0,
    progress: bool = True,
):
    """A plain autoencoder trained like :func:`train_vae` (same data, split and optimizer)."""
    profile = get_profile(profile)
    return _train_on_silhouettes(
        lambda: build_autoencoder(profile),
        images,
        profile,
        epochs,
        batch_size,
        learning_rate,
        held_out,
        strategy,
        seed,
        progress,
    )


def _train_on_silhouettes(
    build,
    images,
    profile: Profile,
    epochs,
    batch_size,
    learning_rate,
    held_out,
    strategy,
    seed,
    progress,
    callbacks=(),
):
    training_images, validation_images = split(images, held_out)
    height, width = profile.image_size
    if training_images.shape[1:3] != (height, width):
        raise ValueError(
            f"silhouettes are {training_images.shape[1]}×{training_images.shape[2]} but the "
            f"profile expects {height}×{width}"
        )
    batch_size = check_positive_int(batch_size or profile.vae_batch_size, "batch size")

    def data():  # the pipeline's shuffle takes its seeds from the global seed train() sets first
        return (
            _dataset(training_images, batch_size, seed),
            None,
            _dataset(validation_images, batch_size, None),
        )

    return train(
        build,
        data,
        epochs=epochs or profile.vae_epochs,
        optimizer=keras.optimizers.RMSprop,
        learning_rate=learning_rate,
        callbacks=callbacks,
        strategy=strategy,
        mixed_precision=profile.mixed_precision,
        seed=seed,
        progress=progress,
    )


def reconstruction_iou(model: Autoencoder, images) -> np.ndarray:
    """Per-image mask IoU between silhouettes and their reconstructions from ``z_mean``, both
    thresholded at 0.5 (the course's *reconstruction IoU*)."""
    from .background import iou

    images = np.asarray(images, np.float32)
    reconstructions = model.decode(model.encode(images))
    return iou(reconstructions[..., 0] > 0.5, images[..., 0] > 0.5)


def layer_outputs(model: keras.Model, images, names=None) -> dict:
    """The output of each named layer (all convolution and pooling layers by default) for ``images``:
    what the network 'sees' at each depth."""
    if names is None:
        names = [
            layer.name
            for layer in model.layers
            if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D, layers.UpSampling2D))
        ]
    unknown = [name for name in names if name not in {layer.name for layer in model.layers}]
    if unknown:
        raise ValueError(f"no layers called {unknown} in {model.name}")
    probe = keras.Model(model.input, [model.get_layer(name).output for name in names])
    # a direct call, not predict(): a new probe each time would retrace predict's tf.function
    outputs = probe(np.asarray(images, np.float32), training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {name: ops.convert_to_numpy(output) for name, output in zip(names, outputs)}


def latent_directions(latents, count: int = 5):
    """The main directions of a cloud of latent codes (principal components), for exploring it.

    Returns ``(center, directions, spread)``: the mean code ``(D,)``, ``count`` orthonormal
    directions ``(count, D)`` ordered by how much the codes vary along them, and the standard
    deviation of the codes along each ``(count,)``. ``center + t · spread[i] · directions[i]``
    walks ``t`` standard deviations along direction ``i``.
    """
    latents = np.asarray(latents, np.float64)
    if latents.ndim != 2 or len(latents) < 2:
        raise ValueError(f"expected latent codes of shape (N, D) with N ≥ 2, got {latents.shape}")
    if not np.isfinite(latents).all():
        raise ValueError("latent codes contain NaN or infinity")
    count = min(count, *latents.shape)
    center = latents.mean(axis=0)
    _, singular, directions = np.linalg.svd(latents - center, full_matrices=False)
    spread = singular[:count] / np.sqrt(len(latents) - 1)
    return center.astype(np.float32), directions[:count].astype(np.float32), spread.astype(np.float32)


def nearest_silhouette_iou(generated, real, batch_size: int = 256) -> np.ndarray:
    """For each generated silhouette, its mask IoU with the most similar real one (both at 0.5).

    A plausibility score that needs no labels: a decoded code that lands in a 'hole' of the latent
    space draws a shape no real frame resembles, and scores low. Only the **non-empty** real
    silhouettes are compared against: were an empty real frame (the segmentation losing the dancer)
    among them, an all-black generated frame would match it perfectly and score 1 — so an empty
    generated frame scores 0.
    """
    generated, real = np.asarray(generated, np.float32), np.asarray(real, np.float32)
    if generated.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"generated {generated.shape[1:]} and real {real.shape[1:]} silhouettes differ in size"
        )
    real_masks = (real.reshape(len(real), -1) > 0.5).astype(np.float32)
    real_masks = real_masks[real_masks.any(axis=1)]
    if len(real_masks) == 0:
        raise ValueError(f"all {len(real)} real silhouettes are empty: there is no dancer to compare with")
    real_areas = real_masks.sum(axis=1)

    def best_iou(batch):
        masks = (batch.reshape(-1, real_masks.shape[1]) > 0.5).astype(np.float32)
        intersection = masks @ real_masks.T
        union = masks.sum(axis=1, keepdims=True) + real_areas - intersection
        return (intersection / union).max(axis=1)  # union > 0: every real mask has pixels

    return in_batches(best_iou, generated, batch_size)


def kl_per_dimension(model: VAE, images, batch_size: int = 256) -> np.ndarray:
    """The KL term of each latent dimension ``(D,)``, in nats, averaged over ``images``.

    A dimension whose KL is near 0 carries no information about the image — the encoder outputs the
    prior there whatever the input: that dimension has *collapsed*.
    """

    def batch_total(batch):
        z_mean, z_log_var, _ = model.encoder(batch, training=False)
        return ops.sum(kl_divergence(z_mean, z_log_var), axis=0, keepdims=True)

    return in_batches(batch_total, images, batch_size).sum(axis=0, dtype=np.float64) / len(images)
