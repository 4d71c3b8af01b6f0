"""Password rules (in Chinese), changing one's own password, and session expiry."""

import datetime
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

CJK = re.compile(r"[\u4e00-\u9fff]")
CHANGE = "/account/password/"


def messages_for(password, user=None):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)
    return error.value.messages


def test_passwords_need_ten_characters_and_the_errors_are_chinese(staff_user):
    assert messages_for("Xq7#mR2!v") == ["密码太短，至少需要 10 个字符。"]
    validate_password("Xq7#mR2!vL")  # ten characters pass
    for password in ("1234567890123", "password123", "staff123"):
        for message in messages_for(password, user=staff_user):
            assert CJK.search(message), message
            assert not re.search(r"[A-Za-z]{4,}", message.replace("staff", "")), message


@pytest.mark.parametrize("user_fixture", ["clerk", "leader", "staff_user", "admin_user"])
def test_every_user_finds_the_password_page_in_the_user_menu(request, login, user_fixture):
    client = login(request.getfixturevalue(user_fixture))
    home = client.get("/").content.decode()
    assert f'href="{CHANGE}"' in home and "修改密码" in home
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "修改密码" in page.content.decode() and "旧密码" in page.content.decode()


def test_a_clerk_changes_their_password(client, login, clerk):
    login(clerk)
    response = client.post(
        CHANGE,
        {"old_password": "sanding-test", "new_password1": "Yun-zhou-2026!", "new_password2": "Yun-zhou-2026!"},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert "密码已修改" in client.get(response.url).content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("Yun-zhou-2026!")


def test_a_short_or_wrong_password_is_refused_in_chinese(client, login, clerk):
    login(clerk)
    short = client.post(CHANGE, {"old_password": "sanding-test", "new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 200
    assert "密码太短，至少需要 10 个字符。" in short.content.decode()
    wrong = client.post(
        CHANGE, {"old_password": "nope", "new_password1": "Yun-zhou-2026!", "new_password2": "Yun-zhou-2026!"}
    )
    assert "你的旧密码不正确" in wrong.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("sanding-test")


def test_the_password_page_needs_a_login(client, db):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response.url.startswith("/login/")


# --- sessions -------------------------------------------------------------------------------------------


def log_in(client, username):
    response = client.post("/login/", {"username": username, "password": "sanding-test"})
    assert response.status_code == 302
    return client.cookies["sessionid"]


def test_a_session_lasts_two_idle_hours_and_every_request_renews_it(client, staff_user):
    cookie = log_in(client, "staff")
    assert cookie["max-age"] == 7200
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=5)  # almost idle for two hours
    session.save()
    response = client.get("/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 7200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=119)


def test_an_idle_session_ends(client, staff_user):
    log_in(client, "staff")
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_idle_time_is_configurable(client, staff_user, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    assert log_in(client, "staff")["max-age"] == 1800


def test_sessions_can_end_when_the_browser_closes(client, staff_user, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    cookie = log_in(client, "staff")
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert Session.objects.get().expire_date < timezone.now() + datetime.timedelta(minutes=121)
