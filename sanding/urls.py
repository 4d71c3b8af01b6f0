from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from sanding.accounts.access import ADMIN_SITE, EVERYONE, NOBODY, Access
from sanding.registry import views as registry_views

admin.site.site_header = "三定落实情况跟踪系统 · 管理后台"
admin.site.site_title = "三定跟踪 管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("sanding.accounts.urls")),
    path("registry/", include("sanding.registry.urls")),
    path("ledger/", include("sanding.ledger.urls")),
    path("assessment/", include("sanding.assessment.urls")),
    path("spreadsheets/", include("sanding.spreadsheets.urls")),
    path("admin/", admin.site.urls),
]

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
# Every app's urls.py declares its own pages; the admin site is declared as a whole.
ACCESS = {
    "home": Access(read=EVERYONE),
    "login": Access(read=EVERYONE, write=EVERYONE, public=True),
    "logout": Access(read=NOBODY, write=EVERYONE),
    "admin": ADMIN_SITE,
}
