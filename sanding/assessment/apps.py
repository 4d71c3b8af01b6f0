from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "sanding.assessment"
    verbose_name = "自查评估"
