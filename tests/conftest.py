"""Shared fixtures: test-friendly settings, role users, the usual departments, and a real browser."""

import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

from sanding.accounts.choices import Role
from tests.factories import DepartmentFactory, RegionFactory, UserFactory

# Property-based tests (hypothesis): few examples per target and the same ones on every run in CI, so a
# failure reproduces; `HYPOTHESIS_PROFILE=thorough` for a long random search on a developer's machine.
hypothesis_settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True, database=None)
hypothesis_settings.register_profile("thorough", max_examples=500, deadline=None, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Settings switch to test values when pytest runs (settings.TESTING); uploads go to a temp dir."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(db):
    return RegionFactory(code="YZ", name="云州市", short_name="云州", level="city")


@pytest.fixture
def county(city):
    return RegionFactory(code="YC", name="云州市云城区", short_name="云城", level="county", parent=city)


@pytest.fixture
def department(city):
    return DepartmentFactory(region=city, code="YZ030", name="云州市市场监督管理局", short_name="市市场监管局")


@pytest.fixture
def other_department(city):
    return DepartmentFactory(region=city, code="YZ031", name="云州市统计局", short_name="市统计局")


@pytest.fixture
def county_department(county):
    return DepartmentFactory(region=county, code="YC012", name="云城区市场监督管理局", short_name="区市场监管局")


@pytest.fixture
def admin_user(city):
    return UserFactory(username="admin", role=Role.ADMIN, region=city, is_staff=True)


@pytest.fixture
def staff_user(city):
    return UserFactory(username="staff", role=Role.STAFF, region=city)


@pytest.fixture
def county_staff(county):
    return UserFactory(username="staff-yc", role=Role.STAFF, region=county)


@pytest.fixture
def leader(city):
    return UserFactory(username="leader", role=Role.LEADER, region=city)


@pytest.fixture
def clerk(department):
    return UserFactory(username="d-YZ030", role=Role.CLERK, region=department.region, department=department)


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- real browser (Playwright driving the machine's Chromium) ----------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Browser tests skip with a reason on a machine without Chromium; in CI they must run."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("SANDING_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"SANDING_REQUIRE_BROWSER is set but Chromium is missing at {CHROMIUM}")
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_login(page, live_server):
    """browser_login(username, password) logs the Playwright page in through the real login form."""

    def _login(username, password="sanding-test"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        return page

    return _login
