import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings import documents as meeting_documents
from meetings.models import Meeting
from meetings.packet import packet_pdf
from meetings.selectors import meeting_detail
from projects import documents as project_documents
from projects.models import ProjectYear
from projects.selectors import project_detail
from workgroups import documents as workgroup_documents


class Command(BaseCommand):
    help = "会議の配付資料をすべて PDF と PNG（pdftoppm）に書き出します（レイアウト確認用）。"

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, default=2021, help="年度（西暦の開始年）。既定: 2021")
        parser.add_argument("--number", type=int, default=4, help="本部会議の回。既定: 4")
        parser.add_argument("--out", default="build/documents", help="書き出し先。既定: build/documents")
        parser.add_argument("--dpi", type=int, default=80, help="PNG の解像度。既定: 80")

    def handle(self, *args, fiscal_year, number, out, dpi, **options):
        if not shutil.which("pdftoppm"):
            raise CommandError("pdftoppm がありません: apt-get install poppler-utils")
        try:
            meeting = meeting_detail(Meeting.objects.get(fiscal_year=fiscal_year, kind="regular", number=number).pk)
        except Meeting.DoesNotExist:
            raise CommandError(f"{fiscal_year}年度の第{number}回本部会議が見つかりません。") from None
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        docs = {
            "agenda": meeting_documents.agenda_pdf(meeting),
            "attendees": meeting_documents.attendees_pdf(meeting),
            "seating": meeting_documents.seating_pdf(meeting),
            "wg-status": workgroup_documents.wg_status_pdf(fiscal_year),
            "progress-report": project_documents.progress_report_pdf(fiscal_year),
            "next-year-items": project_documents.next_year_items_pdf(fiscal_year + 1),
            "schedule": meeting_documents.schedule_pdf(fiscal_year + 1),
            "packet": packet_pdf(meeting),
        }
        first = (
            ProjectYear.objects.filter(fiscal_year=fiscal_year)
            .order_by("project__first_fiscal_year", "project_id")
            .first()
        )
        if first:
            docs["progress-sheet"] = project_documents.progress_sheet_pdf(project_detail(first.project_id), fiscal_year)
        for stale in out_dir.glob("*.png"):
            stale.unlink()
        for name, document in docs.items():
            pdf_path = out_dir / f"{name}.pdf"
            pdf_path.write_bytes(document.content)
            subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf_path), str(out_dir / name)], check=True)
            pages = len(list(out_dir.glob(f"{name}-*.png")))
            self.stdout.write(f"  {name}: {len(document.content) // 1024} KB, {pages} ページ")
        self.stdout.write(self.style.SUCCESS(f"{out_dir}/ に書き出しました。"))
