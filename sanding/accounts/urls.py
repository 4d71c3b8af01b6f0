"""The user's own account: changing the password (every role, clerks included)."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
