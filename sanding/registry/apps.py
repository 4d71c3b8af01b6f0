from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sanding.registry"
    verbose_name = "机构编制台账"
