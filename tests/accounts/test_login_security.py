"""Password guessing (django-axes): lockout, cool-off, unlock, and the login logs in 管理后台."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sanding.accounts.choices import Role
from tests.factories import UserFactory

LOGIN = "/login/"
LOCKED = "登录失败次数过多，账号已锁定"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def fail(client, username, times):
    for _ in range(times):
        response = attempt(client, username, "wrong-password")
    return response


def test_five_failures_lock_the_username_and_address_even_for_the_right_password(client, staff_user):
    for _ in range(4):
        response = attempt(client, "staff", "wrong-password")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    fifth = attempt(client, "staff", "wrong-password")
    assert fifth.status_code == 429

    response = attempt(client, "staff", "sanding-test")
    page = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert LOCKED in page
    last_attempt = AccessAttempt.objects.get(username="staff").attempt_time
    until = timezone.localtime(last_attempt + datetime.timedelta(minutes=15))
    assert f"请于 {until:%H:%M} 后再试（约 15 分钟）" in page
    # the app's own login page, not axes' plain text
    assert "三定落实情况跟踪" in page and 'name="password"' in page and 'value="staff"' in page


def test_the_lock_is_per_username_and_address(client, staff_user, leader):
    fail(client, "staff", 5)
    assert attempt(client, "leader", "sanding-test").status_code == 302
    client.post(reverse("logout"))
    assert attempt(client, "staff", "sanding-test").status_code == 429
    other_address = client.post(LOGIN, {"username": "staff", "password": "sanding-test"}, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302 and other_address.url == "/"


def test_after_the_cool_off_the_right_password_works(client, staff_user):
    fail(client, "staff", 5)
    # 14 minutes later: still locked
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert attempt(client, "staff", "sanding-test").status_code == 429
    # the refused attempt restarted the cool-off; 16 minutes after it, the lock has lapsed
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = attempt(client, "staff", "sanding-test")
    assert response.status_code == 302 and response.url == "/"


def test_cool_off_and_limit_follow_the_settings(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=40)
    fail(client, "staff", 2)
    response = attempt(client, "staff", "sanding-test")
    assert response.status_code == 429
    assert "（约 40 分钟）" in response.content.decode()


def test_axes_reset_unlocks(client, staff_user):
    fail(client, "staff", 5)
    assert attempt(client, "staff", "sanding-test").status_code == 429
    call_command("axes_reset")
    assert attempt(client, "staff", "sanding-test").status_code == 302


def test_a_failed_login_a_login_and_a_logout_each_leave_a_record(client, staff_user):
    attempt(client, "staff", "wrong-password")
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.locked_out) == ("staff", "127.0.0.1", False)

    assert attempt(client, "staff", "sanding-test").status_code == 302
    login = AccessLog.objects.get()
    assert (login.username, login.ip_address, login.logout_time) == ("staff", "127.0.0.1", None)
    assert not AccessAttempt.objects.exists()  # a successful login clears the failure count

    client.post(reverse("logout"))
    login.refresh_from_db()
    assert login.logout_time is not None


# --- 管理后台 → 登录安全 ------------------------------------------------------------------------------------


@pytest.fixture
def county_admin(county):
    return UserFactory(username="admin-yc", role=Role.ADMIN, region=county, is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def logs(staff_user, county_staff):
    """Rows of a city user, a county user and a username that matches no account, in each log."""
    for username, address in (("staff", "10.0.0.1"), ("staff-yc", "10.0.0.2"), ("hacker", "10.6.6.6")):
        common = {"username": username, "ip_address": address, "user_agent": "UA", "http_accept": "*/*"}
        AccessLog.objects.create(path_info=LOGIN, **common)
        AccessFailureLog.objects.create(path_info=LOGIN, **common)
        AccessAttempt.objects.create(path_info=LOGIN, get_data="", post_data="", failures_since_start=5, **common)


def listed(login, user, model):
    """Usernames on the admin list, leaving out the viewer's own login (force_login is logged too)."""
    response = login(user).get(reverse(f"admin:axes_{model}_changelist"))
    assert response.status_code == 200
    return {row.username for row in response.context["cl"].result_list} - {user.username}


@pytest.mark.parametrize("model", ["accesslog", "accessfailurelog", "accessattempt"])
def test_admin_lists_show_the_logs_scoped_to_the_admins_region(login, logs, admin_user, county_admin, superuser, model):
    assert listed(login, superuser, model) == {"staff", "staff-yc", "hacker"}
    assert listed(login, admin_user, model) == {"staff", "staff-yc"}  # not root's login, nor "hacker"
    assert listed(login, county_admin, model) == {"staff-yc"}


def test_admin_pages_are_chinese_and_filter_by_user_address_and_date(login, logs, superuser):
    client = login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in index and "登录记录" in index and "登录失败记录" in index
    url = reverse("admin:axes_accesslog_changelist")
    page = client.get(url).content.decode()
    assert "IP 地址" in page and "用户名" in page
    by_user = client.get(url, {"username": "staff-yc"}).context["cl"].result_list
    assert [row.username for row in by_user] == ["staff-yc"]
    by_address = client.get(url, {"ip_address": "10.6.6.6"}).context["cl"].result_list
    assert [row.username for row in by_address] == ["hacker"]
    AccessLog.objects.filter(username="hacker").update(attempt_time=timezone.now() - datetime.timedelta(days=3))
    today = timezone.localdate()
    on_today = {"attempt_time__year": today.year, "attempt_time__month": today.month, "attempt_time__day": today.day}
    by_date = client.get(url, on_today).context["cl"].result_list
    assert {row.username for row in by_date} == {"staff", "staff-yc", "root"}


def test_logs_are_read_only_and_other_roles_stay_out(login, logs, admin_user, staff_user):
    client = login(admin_user)
    row = AccessLog.objects.get(username="staff")
    assert client.get(reverse("admin:axes_accesslog_add")).status_code == 403
    detail = client.get(reverse("admin:axes_accesslog_change", args=[row.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(reverse("admin:axes_accesslog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=row.pk).exists()
    staff_user.is_staff = True
    staff_user.save()
    assert login(staff_user).get(reverse("admin:axes_accesslog_changelist")).status_code == 403


def test_an_admin_unlocks_by_deleting_the_attempt(client, login, staff_user, county_staff, county_admin):
    fail(client, "staff-yc", 5)
    fail(client, "staff", 5)
    admin_client = login(county_admin)
    locked = AccessAttempt.objects.get(username="staff-yc")
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[locked.pk]), {"post": "yes"})
    assert response.status_code == 302
    # the city user's lock is out of the county admin's reach
    city_lock = AccessAttempt.objects.get(username="staff")
    changelist = reverse("admin:axes_accessattempt_changelist")
    admin_client.post(changelist, {"action": "unlock", "_selected_action": [city_lock.pk]})
    assert AccessAttempt.objects.filter(pk=city_lock.pk).exists()

    admin_client.logout()
    assert attempt(client, "staff-yc", "sanding-test").status_code == 302
    client.post(reverse("logout"))
    assert attempt(client, "staff", "sanding-test").status_code == 429


@pytest.mark.parametrize("model", ["accessattempt", "accesslog", "accessfailurelog"])
def test_region_admins_never_see_or_unlock_admins_records(login, logs, admin_user, county_admin, superuser, model):
    """Found by the attack review: a city admin unlocked the superuser's lock, four guesses at a time."""
    superuser.region = admin_user.region
    superuser.save()
    for user in (superuser, county_admin):
        common = {"username": user.username, "ip_address": "10.0.0.7", "user_agent": "UA", "http_accept": "*/*"}
        AccessLog.objects.create(path_info=LOGIN, **common)
        AccessFailureLog.objects.create(path_info=LOGIN, **common)
        AccessAttempt.objects.create(path_info=LOGIN, get_data="", post_data="", failures_since_start=5, **common)
    assert listed(login, admin_user, model) == {"staff", "staff-yc"}
    assert "admin-yc" in listed(login, superuser, model)  # a superuser sees every record
