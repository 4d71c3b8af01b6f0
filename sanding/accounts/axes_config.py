"""django-axes under a Chinese name in 管理后台 (INSTALLED_APPS names this class instead of "axes")."""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录安全"

    def ready(self):
        super().ready()
        # Replace axes' own admin pages by the scoped, read-only ones.
        from . import axes_admin  # noqa: F401, PLC0415 (registers admin pages: needs the app registry ready)
