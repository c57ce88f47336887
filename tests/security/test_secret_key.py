"""The generated instance/secret_key signs every session: only its owner may read it."""
import os
import stat

from crm.config import Settings


def test_generated_secret_key_is_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, under which a plain write makes a world-readable file
    try:
        settings = Settings.from_env(SECRET_KEY="", instance_path=tmp_path / "instance")
    finally:
        os.umask(old)
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == settings.SECRET_KEY and len(settings.SECRET_KEY) == 64
    # A second start reads the same key.
    assert Settings.from_env(SECRET_KEY="", instance_path=tmp_path / "instance").SECRET_KEY == settings.SECRET_KEY


def test_a_world_readable_key_from_an_older_release_is_tightened(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("k" * 64)
    path.chmod(0o644)
    assert Settings.from_env(SECRET_KEY="", instance_path=tmp_path).SECRET_KEY == "k" * 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
