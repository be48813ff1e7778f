"""Every PDF the portal makes is a tagged (structured) PDF in Japanese: a screen reader finds
its headings, and reads its tables row by row — the packet too, where the documents are bound
together by pypdf (``meetings.packet_tags`` keeps their structure trees). ``pdfinfo`` says
``Tagged: yes``; the structure tree is walked and checked against the pages' marked content
(``tests.pdf_reading.structure``)."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from meetings.models import Meeting
from meetings.packet import packet_parts, packet_pdf
from meetings.selectors import meeting_detail
from meetings.services import handout_save
from projects.models import Plan, Project
from tests.pdf_reading import reader, structure

pytestmark = pytest.mark.django_db


def _pdfinfo(content: bytes) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line) | {}


def _urls() -> list[str]:
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    item = Project.objects.get(title="自治体行政のデジタル化")
    plan = Plan.objects.get(project=item)
    return [
        f"/meetings/{meeting.pk}/agenda.pdf",
        f"/meetings/{meeting.pk}/attendees.pdf",
        f"/meetings/{meeting.pk}/seating.pdf",
        "/meetings/schedule/2021.pdf",
        f"/projects/{item.pk}/sheet.pdf",
        f"/projects/{item.pk}/plans/{plan.pk}.pdf",
        "/projects/progress/2021.pdf",
        "/projects/proposals/2022.pdf",
        "/workgroups/status.pdf",
    ]


def test_every_generated_document_is_tagged_in_japanese_with_its_title_and_headings(client, toyama):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        info = _pdfinfo(content)
        assert info["Tagged"].strip() == "yes", url
        assert info["Title"].strip(), url
        tree = structure(content)
        assert tree.tagged and tree.lang == "ja", url
        assert tree.count("/H1") >= 1, url


def test_the_attendee_list_is_a_table_read_row_by_row(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    response = client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    tree = structure(content)
    assert tree.count("/Table") >= 1
    assert tree.count("/TR") >= meeting.attendances.count()  # a row per attendee (and the headers)
    assert tree.count("/TD") >= 2 * meeting.attendances.count()  # 役職 and 氏名 apart


@pytest.fixture
def bound(toyama, settings, tmp_path):
    """The R3 第4回 packet with 資料4 as an uploaded (untagged) file."""
    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    upload = PdfWriter()
    upload.add_blank_page(595, 842)
    content = io.BytesIO()
    upload.write(content)
    covid = meeting.handouts.get(kind="material", number=4)
    covid.file = SimpleUploadedFile("covid.pdf", content.getvalue())
    handout_save(handout=covid)
    meeting = meeting_detail(meeting.pk)
    return packet_parts(meeting), packet_pdf(meeting).content


def test_the_packet_keeps_every_generated_documents_structure_and_names_the_untagged_upload(bound):
    parts, content = bound
    info = _pdfinfo(content)
    assert info["Tagged"].strip() == "yes"
    tree = structure(content)
    assert tree.tagged and tree.lang == "ja"
    assert tree.problems == []  # every element on a page of the packet, every MCID mapped both ways
    generated = [part for part in parts if not part.uploaded and part.content is not None]
    alone = [structure(part.content) for part in generated]
    assert tree.count("/Part") >= len(generated)
    for kind in ("/H1", "/Table", "/TR", "/TD", "/LI"):  # nothing of a part's structure is lost
        assert tree.count(kind) == sum(part.count(kind) for part in alone), kind
    assert info["Subject"].strip() == "タグなし（提出されたファイルのまま）: 資料4"


def test_the_stamps_and_page_numbers_are_artifacts_not_text_of_the_page(bound):
    _parts, content = bound
    for page in reader(content).pages:
        last = page["/Contents"][-1].get_object().get_data()
        assert b"/Artifact BMC" in last and b"/MCID" not in last
