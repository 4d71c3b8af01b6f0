from django.core.management.base import BaseCommand

from sanding.core.demo import load_demo


class Command(BaseCommand):
    help = "载入演示城市云州市（可重复运行，不会重复创建数据）。"

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
