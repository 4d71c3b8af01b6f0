from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sanding.ledger.export import command_queryset, export_ledger


class Command(BaseCommand):
    help = "按标准台账格式导出问题整改台账（每个整改事项一行）到 xlsx 文件。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件，如 台账.xlsx")
        parser.add_argument("--region", help="只导出该区划（名称或简称）")
        parser.add_argument("--status", help="只导出该整改状态（如 已销号 或 closed）")

    def handle(self, *args, file, region=None, status=None, **options):
        try:
            queryset = command_queryset(region=region, status=status)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        count = export_ledger(queryset, file, subtitle=region or "全部区划")
        self.stdout.write(f"已导出 {count} 行到 {file}。")
