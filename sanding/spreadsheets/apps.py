from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "sanding.spreadsheets"
    verbose_name = "Excel 导入导出"
