from django.core.management.base import BaseCommand, CommandError

from demo import reference_data
from onechoice.models import Organization


class Command(BaseCommand):
    help = "fixtures/toyama/ の富山県の実データ（会議・連携推進項目・WG）を空のデータベースに読み込みます。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="既にデータがあれば何もせずに終了します（クイックスタートの再実行用）。",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("データは読み込み済みです。")
            return
        try:
            report = reference_data.load()
        except reference_data.ReferenceDataError as error:
            raise CommandError(str(error)) from error
        for label, count in report.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS("富山県の実データを読み込みました。"))
