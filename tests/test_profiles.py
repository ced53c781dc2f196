import os
import re
import subprocess
import sys

import pytest

from dancenet import devices, profiles
from dancenet.checks import check_image_size
from dancenet.profiles import PROFILES, get_profile


def test_named_profiles_exist_with_model_sizes_divisible_by_8():
    assert set(PROFILES) == {"ci", "cpu", "gpu"}
    for profile in PROFILES.values():
        height, width = profile.image_size
        assert height % 8 == 0 and width % 8 == 0


def test_gpu_profile_is_the_original_architecture():
    gpu = PROFILES["gpu"]
    assert gpu.image_size == (120, 208)
    assert gpu.latent_dim == 128
    assert gpu.encoder_filters == (128, 64, 32)
    assert (gpu.lstm_units, gpu.lstm_layers, gpu.dense_units, gpu.mixtures) == (512, 3, 1000, 24)


def test_profiles_grow_from_ci_to_gpu():
    ci, cpu, gpu = (PROFILES[n] for n in ("ci", "cpu", "gpu"))
    assert ci.stage_frames < cpu.stage_frames < gpu.stage_frames
    assert ci.image_size[0] * ci.image_size[1] < cpu.image_size[0] * cpu.image_size[1] < 120 * 208


def test_environment_variable_selects(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "ci")
    assert get_profile().name == "ci"
    monkeypatch.setenv(profiles.ENV_VAR, " GPU ")
    assert get_profile().name == "gpu"


def test_explicit_name_beats_environment(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "ci")
    assert get_profile("cpu").name == "cpu"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "laptop")
    with pytest.raises(ValueError, match=r"unknown profile DANCENET_PROFILE='laptop'.*ci, cpu, gpu"):
        get_profile()
    with pytest.raises(ValueError, match="unknown profile 'tpu'"):
        get_profile("tpu")


@pytest.mark.parametrize("gpu, expected", [(True, "gpu"), (False, "cpu")])
def test_auto_detection_without_environment(monkeypatch, gpu, expected):
    monkeypatch.delenv(profiles.ENV_VAR, raising=False)
    monkeypatch.setattr(devices, "gpu_available", lambda: gpu)
    assert get_profile().name == expected


@pytest.mark.parametrize("size", [(120, 210), (100, 208), (0, 8), (-8, 8), ("a", 8), (8,)])
def test_sizes_not_divisible_by_8_are_rejected(size):
    with pytest.raises(ValueError, match="image size"):
        check_image_size(size)


def test_profile_string_names_its_sizes():
    assert "64×104" in str(PROFILES["cpu"])


def test_a_profile_passes_through_unchanged():
    assert get_profile(PROFILES["cpu"]) is PROFILES["cpu"]


@pytest.mark.parametrize(
    "names, expected",
    [
        ([], "TensorFlow sees no GPU: the chapter computes on the CPU"),
        (["NVIDIA H100"], "TensorFlow sees 1 GPU: NVIDIA H100"),
        (["A", "B"], "TensorFlow sees 2 GPUs: A, B"),
    ],
)
def test_device_summary_names_the_gpus(monkeypatch, names, expected):
    monkeypatch.setattr(devices, "gpus", lambda: names)
    assert devices.device_summary() == expected
    assert devices.gpu_available() is bool(names)


def test_this_machine_is_described():
    assert devices.device_summary().startswith("TensorFlow sees ")


def test_tensorflow_log_lines_are_dropped_and_everything_else_kept(capfd):
    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1795524884.904483    6512 port.cc:153] oneDNN custom operations are on.\n",
        "E0000 00:00:1795524886.959113    6512 cuda_platform.cc:52] failed call to cuInit: (303)\n",
        "2026-12-07 12:45:01.123456: E external/local_xla/xla/cuda_platform.cc:51] failed call to cuInit\n",
        "a message of the reader's own\n",
    ]
    with devices.without_tensorflow_log():
        for line in lines:
            os.write(2, line.encode())
    assert capfd.readouterr().err == "a message of the reader's own\n"


def test_starting_tensorflow_leaves_no_log():
    """In a fresh process, as in a chapter's setup cell: import, device start and training quiet."""
    script = (
        "from dancenet import devices; devices.start_tensorflow()\n"
        "import numpy as np; from dancenet import vae\n"
        "vae.train_vae(np.zeros((16, 48, 80, 1), 'float32'), 'ci', epochs=1, progress=False)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not re.search(r"^[IWEF]\d{4} |absl::InitializeLog", result.stderr, re.MULTILINE), result.stderr
