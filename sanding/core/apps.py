from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sanding.core"
    verbose_name = "公共"
