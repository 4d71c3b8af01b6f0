"""The user's own account: changing the password (every role, clerks included)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .access import EVERYONE, Access

urlpatterns = [
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
ACCESS = {
    "password_change": Access(read=EVERYONE, write=EVERYONE),
    "password_change_done": Access(read=EVERYONE),
}
