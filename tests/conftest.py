"""Every test runs without the user's own rules: an empty config folder, no REPRINTS_RULES."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_user_rules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the platform config directory (XDG_CONFIG_HOME, read by click.get_app_dir on
    Linux and BSD) at an empty folder, and drop REPRINTS_RULES, for this process and the
    commands it starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        patch.delenv("REPRINTS_RULES", raising=False)
        yield
