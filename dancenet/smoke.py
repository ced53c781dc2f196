"""Smoke profiles: a profile that exists to test the code quickly, whose models are barely trained.

Its widgets and dances look broken without being broken, so every place that shows a model's work
(the widgets, the command line, a chapter's first cell) says so in one line. Kept out of
:mod:`dancenet.profiles`, whose code is part of every artifact's cache key.
"""

from __future__ import annotations

from .profiles import ENV_VAR, Profile, ProfileView, get_profile

#: profiles whose models are barely trained: they exist to test the code quickly, not to dance
SMOKE_PROFILES = frozenset({"ci"})
#: the profile to point a reader at for results that look like dancing
REAL_PROFILE = "cpu"


def _plain(profile) -> Profile:
    return profile._profile if isinstance(profile, ProfileView) else get_profile(profile)


def is_smoke_profile(profile: str | Profile | ProfileView | None = None) -> bool:
    """Whether ``profile`` (default: the active one) is a smoke run whose models are barely trained."""
    return _plain(profile).name in SMOKE_PROFILES


def smoke_note(profile: str | Profile | ProfileView | None = None) -> str:
    """One line saying the models are barely trained and which profile gives real results, for a
    smoke profile (``ci``); ``""`` for any other."""
    profile = _plain(profile)
    if profile.name not in SMOKE_PROFILES:
        return ""
    return (
        f"profile {profile.name}: models barely trained ({profile.vae_epochs} VAE epochs, "
        f"{profile.sequence_epochs} sequence epochs, {profile.stage_frames} stage frames — for tests), "
        f"so results look broken; for real results use the {REAL_PROFILE} profile "
        f"({ENV_VAR}={REAL_PROFILE} or --profile {REAL_PROFILE})"
    )
