"""manage.py import_ledger FILE.xlsx [--sheet NAME] [--dry-run] [--region NAME] [--user USERNAME]"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sanding.registry.models import Region
from sanding.spreadsheets.engine import ACTION_LABELS, run_import
from sanding.spreadsheets.importers.ledger import LedgerImporter
from sanding.spreadsheets.reading import format_problem
from sanding.spreadsheets.safety import SpreadsheetError


def resolve_region(name):
    if name:
        region = Region.objects.filter(name=name).first() or Region.objects.filter(short_name=name).first()
        if region is None:
            raise CommandError(f"未找到区划“{name}”。")
        return region
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise CommandError("请用 --region 指定区划。")
    return roots[0]


class Command(BaseCommand):
    help = "导入问题整改台账（xlsx）：全部行无误才写入，否则逐一列出问题（第N行 [列名] 原因）并退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--sheet", default=None, help="数据所在工作表名称（默认自动识别）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--region", default=None, help="区划名称或简称（默认唯一的顶级区划）")
        parser.add_argument("--user", default=None, help="记入修改历史的用户名")

    def handle(self, *args, file, sheet, dry_run, region, user, **options):
        region = resolve_region(region)
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"未找到用户“{user}”。")
        try:
            result = run_import(LedgerImporter(region=region, actor=actor), file, sheet=sheet, commit=not dry_run)
        except SpreadsheetError as error:
            raise CommandError(str(error)) from None
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}") from None
        self.stdout.write(f"工作表“{result.sheet}”，表头在第{result.header_row}行，数据 {result.rows} 行。")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(format_problem(problem))
            if result.problem_count > len(result.problems):
                self.stderr.write(f"……另有 {result.problem_count - len(result.problems)} 个问题未列出。")
            self.stderr.write(f"共 {result.problem_count} 个问题，未写入任何数据。")
            sys.exit(1)
        verb = "校验通过（试运行，未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{verb}：")
        for entity, counts in result.counts.items():
            parts = "，".join(f"{ACTION_LABELS[a]} {counts.get(a, 0)}" for a in ACTION_LABELS)
            self.stdout.write(f"  {entity}：{parts}")
