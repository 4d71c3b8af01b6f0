import os
import subprocess
import sys
from pathlib import Path

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


def test_check_deploy_flags_a_missing_secret_key():
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "sanding.example.gov.cn"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "security.W009" in result.stdout + result.stderr
