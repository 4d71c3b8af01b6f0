import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x7#k2Lq9!vB4nZ0pR6tW1yE3uI8oA5sD$fG7hJ2kL9zX4cV6bN1mQ3wE8rT0yU5iO",
        "ALLOWED_HOSTS": "sanding.example.gov.cn",
        "EMAIL_HOST": "smtp.example.gov.cn",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this run only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


TUNABLES = ["SESSION_IDLE_MINUTES", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES"]


def production_env(**overrides):
    env = {name: value for name, value in os.environ.items() if name not in TUNABLES}
    env.update({"DEBUG": "0", "ALLOWED_HOSTS": "sanding.example.gov.cn", **overrides})
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {name: value for name, value in env.items() if value is not None}


def import_settings(env, code="import sanding.settings"):
    """Import the settings in a fresh interpreter where pytest is not imported (so TESTING is off)."""
    return subprocess.run(
        [sys.executable, "-c", f"import sys; {code}; assert 'pytest' not in sys.modules"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "short-key-0123456789",
        "django-insecure-development-key-for-sanding-only-0123456789",
    ],
    ids=["missing", "empty", "short", "development-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = import_settings(production_env(SECRET_KEY=secret_key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set to at least 50 random characters" in result.stderr
    assert "生产环境必须设置 SECRET_KEY" in result.stderr


def test_manage_py_without_a_secret_key_stops_with_the_message():
    env = production_env(SECRET_KEY=None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "生产环境必须设置 SECRET_KEY" in result.stderr


def test_debug_and_tests_keep_the_development_key():
    result = import_settings(
        production_env(DEBUG="1", SECRET_KEY=None),
        "import sanding.settings as s; print(s.SECRET_KEY)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django-insecure-development-key-for-sanding-only-0123456789"
    assert settings.TESTING and settings.SECRET_KEY  # this very run: tests use the development key


def test_a_long_secret_key_starts_production():
    key = "k" * 50
    result = import_settings(production_env(SECRET_KEY=key), "import sanding.settings as s; print(s.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_session_settings_come_from_the_environment():
    code = (
        "import sanding.settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))"
    )
    defaults = import_settings(production_env(DEBUG="1"), code)
    assert defaults.stdout.split() == ["7200", "True", "False", "5", "900"], defaults.stderr
    configured = import_settings(
        production_env(
            DEBUG="1",
            SESSION_IDLE_MINUTES="30",
            SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
            AXES_FAILURE_LIMIT="8",
            AXES_COOLOFF_MINUTES="60",
        ),
        code,
    )
    assert configured.stdout.split() == ["1800", "True", "True", "8", "3600"], configured.stderr
