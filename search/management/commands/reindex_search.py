from django.core.management.base import BaseCommand

from search.models import Kind
from search.services import index_rebuild


class Command(BaseCommand):
    help = "検索索引を作り直します（アップロード済みの会議資料PDFの本文も読み直します）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--changed-pdfs-only",
            action="store_true",
            help="会議資料PDFは、前回読んだときからファイルが替わったものだけ読み直します。",
        )

    def handle(self, *args, changed_pdfs_only=False, **options):
        counts = index_rebuild(extract=not changed_pdfs_only)
        labels = dict(Kind.choices)
        summary = "、".join(f"{labels[kind]} {n}件" for kind, n in counts.items())
        self.stdout.write(f"検索索引を作り直しました: {summary}")
