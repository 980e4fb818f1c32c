"""Settings: safe defaults, and one plain line naming the variable when something is wrong."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

GOOD_TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert str(settings.timezone) == "Europe/Amsterdam"
    assert settings.default_language == "nl"
    assert settings.log_level == logging.INFO


def test_values_are_read_and_normalised() -> None:
    settings = load_settings(
        {
            "KRING_BOT_TOKEN": GOOD_TOKEN,
            "KRING_TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "KRING_DATABASE_URL": "postgresql+asyncpg://kring@db.internal/kring",
            "KRING_TIMEZONE": "Europe/Istanbul",
            "KRING_DEFAULT_LANGUAGE": "en-GB",
            "KRING_LOG_LEVEL": "debug",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.default_language == "en"
    assert str(settings.timezone) == "Europe/Istanbul"
    assert settings.log_level == logging.DEBUG


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KRING_BOT_TOKEN", "not-a-token"),
        ("KRING_TELEGRAM_API_URL", "api.telegram.org"),
        ("KRING_DATABASE_URL", "mysql://nope"),
        ("KRING_DATABASE_URL", "::::"),
        ("KRING_TIMEZONE", "Mars/Olympus"),
        ("KRING_DEFAULT_LANGUAGE", "xx"),
        ("KRING_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({variable: value})
    assert raised.value.variable == variable


def test_run_without_a_token_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/k.db"}).require_token()
    assert raised.value.variable == "KRING_BOT_TOKEN"


def _kring(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "env", "variable"),
    [
        (["run"], {}, "KRING_BOT_TOKEN"),
        (["run"], {"KRING_BOT_TOKEN": "oops"}, "KRING_BOT_TOKEN"),
        (["migrate"], {"KRING_TIMEZONE": "Nowhere/Town"}, "KRING_TIMEZONE"),
        (["demo"], {"KRING_LOG_LEVEL": "LOUD"}, "KRING_LOG_LEVEL"),
    ],
)
def test_the_command_says_one_line_and_exits_2(
    tmp_path: Path, args: list[str], env: dict[str, str], variable: str
) -> None:
    result = _kring(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(variable + ":"), result.stderr
    assert "Traceback" not in result.stderr


def test_help_explains_every_subcommand(tmp_path: Path) -> None:
    top = _kring("--help", env={}, cwd=tmp_path)
    assert top.returncode == 0
    for command in ("run", "demo", "migrate"):
        assert command in top.stdout
        sub = _kring(command, "--help", env={}, cwd=tmp_path)
        assert sub.returncode == 0 and len(sub.stdout.splitlines()) >= 3


def test_help_follows_the_default_language(tmp_path: Path) -> None:
    dutch = _kring("--help", env={}, cwd=tmp_path)
    english = _kring("--help", env={"KRING_DEFAULT_LANGUAGE": "en"}, cwd=tmp_path)
    assert "Werk de database bij" in dutch.stdout
    assert "Update the database" in english.stdout


def test_migrate_creates_the_default_database(tmp_path: Path) -> None:
    result = _kring("migrate", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "kring.sqlite3").is_file()
    assert "Running upgrade" not in result.stderr  # Alembic's lines only on failure, or at DEBUG
