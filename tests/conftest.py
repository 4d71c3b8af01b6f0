"""Shared fixtures: test-friendly settings, role users, and the factories' usual departments."""

import pytest

from sanding.accounts.choices import Role
from tests.factories import DepartmentFactory, RegionFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


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
