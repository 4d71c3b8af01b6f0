from django.core.management.base import BaseCommand, CommandError

from sanding.assessment.choices import RoundState
from sanding.assessment.exports import round_results_xlsx
from sanding.assessment.models import Round


class Command(BaseCommand):
    help = "导出评估轮次结果为 xlsx：--round ID 或 --latest-closed（最近结束的轮次）。"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--round", type=int, help="轮次 ID")
        which.add_argument("--latest-closed", action="store_true", help="最近结束的轮次")
        parser.add_argument("file", help="输出文件，如 results.xlsx")

    def handle(self, *args, **options):
        if options["round"] is not None:
            round_ = Round.objects.select_related("checklist").filter(pk=options["round"]).first()
            if round_ is None:
                raise CommandError(f"轮次 {options['round']} 不存在。")
        else:
            round_ = (
                Round.objects.select_related("checklist")
                .filter(state=RoundState.CLOSED)
                .order_by("-updated_at", "-pk")
                .first()
            )
            if round_ is None:
                raise CommandError("没有已结束的轮次。")
        content = round_results_xlsx(round_=round_)
        with open(options["file"], "wb") as handle:
            handle.write(content)
        count = round_.assessments.filter(state="approved", withdrawn=False).count()
        self.stdout.write(f"已导出“{round_.name}”（{count} 个部门）到 {options['file']}")
