from django.core.management.base import BaseCommand

from sanding.ledger.reminders import send_reminders


class Command(BaseCommand):
    help = "向各责任单位填报员发送整改事项提醒（N 天内到期及已逾期），并写入站内通知。每天运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="提醒多少天内到期的事项（默认 7）")

    def handle(self, *args, days, **options):
        if days < 0:
            self.stderr.write("--days 不能为负数。")
            raise SystemExit(2)
        result = send_reminders(days=days)
        self.stdout.write(
            f"已提醒 {result.clerks} 名填报员：站内通知 {result.notifications} 条，邮件 {result.emails} 封"
            f"；今日已提醒而跳过 {result.skipped} 名。"
        )
        if result.no_email:
            self.stdout.write(
                f"跳过 {len(result.no_email)} 名无邮箱的填报员（未发邮件，仅站内通知）：{'、'.join(result.no_email)}。"
            )
