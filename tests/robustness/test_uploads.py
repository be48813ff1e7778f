"""Hostile uploads (issue 11): handout PDFs with scripts, attachments, forms, too many pages or
a decompression bomb; photos of huge dimensions, of the wrong format or too large. Each is
built here (no binary blob is committed) and tried through the real admin or the service:
refused with a Japanese message and nothing written, or stored cleaned. A packet with a part
that cannot be read answers 200 with a placeholder page instead of 500."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from meetings.models import Handout, Meeting
from meetings.services import handout_save
from onechoice import uploads
from onechoice.services import record_save
from projects.models import Highlight, Photo, ProjectYear
from projects.services import photo_save
from tests import factories
from tests.pdf_reading import outline_titles, page_texts, squash

PAGE_TEXT = "Kept page text 12345"
ACTIVE = [b"/JavaScript", b"/OpenAction", b"/AA", b"/EmbeddedFiles", b"/AcroForm", b"/JS", b"/Launch", b"/Widget"]


# -- building hostile files ---------------------------------------------------------------


def _name(value: str) -> NameObject:
    return NameObject(value)


def _js(code: str) -> DictionaryObject:
    return DictionaryObject({_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject(code)})


def _rect() -> ArrayObject:
    return ArrayObject([FloatObject(v) for v in (72, 600, 300, 640)])


def _annotation(writer: PdfWriter, subtype: str, **entries) -> IndirectObject:
    annotation = DictionaryObject(
        {_name("/Type"): _name("/Annot"), _name("/Subtype"): _name(subtype), _name("/Rect"): _rect()}
    )
    annotation.update({_name(f"/{key}"): value for key, value in entries.items()})
    return writer._add_object(annotation)


def _text_page(writer: PdfWriter, text: str):
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Font"),
                _name("/Subtype"): _name("/Type1"),
                _name("/BaseFont"): _name("/Helvetica"),
            }
        )
    )
    page[_name("/Resources")] = DictionaryObject({_name("/Font"): DictionaryObject({_name("/F1"): font})})
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode())
    page[_name("/Contents")] = writer._add_object(content)
    return page


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def hostile_pdf(*features: str) -> bytes:
    """One page of text with a bookmark and a web link, plus each of ``features``."""
    writer = PdfWriter()
    page = _text_page(writer, PAGE_TEXT)
    writer.add_outline_item(title="Chapter one", page_number=0)
    web = DictionaryObject({_name("/S"): _name("/URI"), _name("/URI"): TextStringObject("https://www.pref.toyama.jp/")})
    annotations = ArrayObject([_annotation(writer, "/Link", A=web)])
    root = writer._root_object
    if "open_action" in features:  # document JavaScript: run on opening, and in the names tree
        root[_name("/OpenAction")] = writer._add_object(_js("app.alert('open')"))
        scripts = ArrayObject([TextStringObject("doc"), writer._add_object(_js("app.alert('names')"))])
        root[_name("/Names")] = DictionaryObject({_name("/JavaScript"): DictionaryObject({_name("/Names"): scripts})})
    if "page_aa" in features:  # page actions: run when the page opens or closes
        page[_name("/AA")] = DictionaryObject({_name("/O"): _js("app.alert('page')"), _name("/C"): _js("x")})
    if "js_link" in features:  # links that run a script, a javascript: URI or a program
        annotations.append(_annotation(writer, "/Link", A=_js("app.alert('link')")))
        uri = DictionaryObject({_name("/S"): _name("/URI"), _name("/URI"): TextStringObject("JavaScript:alert(1)")})
        annotations.append(_annotation(writer, "/Link", A=uri))
        launch = DictionaryObject({_name("/S"): _name("/Launch"), _name("/F"): TextStringObject("calc.exe")})
        annotations.append(_annotation(writer, "/Link", A=launch))
    if "embedded_file" in features:  # a document attachment and a file attachment annotation
        writer.add_attachment("secret.txt", b"attached secret")
        stream = DecodedStreamObject()
        stream.set_data(b"annotation secret")
        stream[_name("/Type")] = _name("/EmbeddedFile")
        spec = DictionaryObject(
            {
                _name("/Type"): _name("/Filespec"),
                _name("/F"): TextStringObject("note.txt"),
                _name("/EF"): DictionaryObject({_name("/F"): writer._add_object(stream)}),
            }
        )
        attachment = _annotation(writer, "/FileAttachment", FS=spec)
        popup = _annotation(writer, "/Popup", Parent=attachment)  # the note's pop-up …
        attachment.get_object()[_name("/Popup")] = popup
        reply = _annotation(writer, "/Text", IRT=attachment, Contents=TextStringObject("a reply"))  # … and a reply
        annotations += [attachment, popup, reply]
    if "acroform" in features:  # a text field with a keystroke script
        field = _annotation(
            writer,
            "/Widget",
            FT=_name("/Tx"),
            T=TextStringObject("name"),
            V=TextStringObject("value"),
            AA=DictionaryObject({_name("/K"): _js("app.alert('key')")}),
        )
        field.get_object()[_name("/P")] = page.indirect_reference
        annotations.append(field)
        root[_name("/AcroForm")] = writer._add_object(DictionaryObject({_name("/Fields"): ArrayObject([field])}))
    page[_name("/Annots")] = annotations
    return _bytes(writer)


def pdf_of_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    return _bytes(writer)


def bomb_pdf(decoded_size: int, pages: int = 1) -> bytes:
    """Pages whose content streams are a few hundred bytes each, ``decoded_size`` decompressed."""
    writer = PdfWriter()
    compressed = zlib.compress(b" " * decoded_size, 9)
    for _ in range(pages):
        page = _text_page(writer, "bomb")
        stream = DecodedStreamObject()
        stream.set_data(compressed)
        stream[_name("/Filter")] = _name("/FlateDecode")
        page[_name("/Contents")] = writer._add_object(stream)
    return _bytes(writer)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` (1-bit grey), with a token IDAT: a
    few dozen bytes that would take gigabytes to decode."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n%%EndComments\n"
    b"newpath 0 0 moveto 100 100 lineto stroke showpage\n%%EOF\n"
)


# -- reading back -------------------------------------------------------------------------


def all_objects(content: bytes):
    """Every object of the file, referenced or not: each one of its cross-reference table,
    and the dictionaries and arrays written inside it."""
    reader = PdfReader(io.BytesIO(content))
    numbers = [(n, g) for g, ns in reader.xref.items() for n in ns] + [(n, 0) for n in reader.xref_objStm]
    stack = [reader.get_object(IndirectObject(n, g, reader)) for n, g in numbers]
    while stack:
        obj = stack.pop()
        yield obj
        if isinstance(obj, DictionaryObject):
            stack += [v for v in obj.values() if isinstance(v, (DictionaryObject, ArrayObject))]
        elif isinstance(obj, ArrayObject):
            stack += [v for v in obj if isinstance(v, (DictionaryObject, ArrayObject))]


def active_keys(content: bytes) -> set[str]:
    found = set()
    for obj in all_objects(content):
        if isinstance(obj, DictionaryObject):
            found |= {"/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/AcroForm", "/JS", "/EF"} & set(obj)
            if obj.get("/Subtype") in ("/Widget", "/FileAttachment"):
                found.add(str(obj["/Subtype"]))
            if obj.get("/S") in ("/JavaScript", "/Launch") or str(obj.get("/URI", "")).lower().startswith("javascript"):
                found.add(str(obj["/S"]))
    return found


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def meeting(db) -> Meeting:
    return factories.meeting()


@pytest.fixture
def highlight(db) -> Highlight:
    item = factories.project(factories.municipality(), factories.department())
    year = record_save(ProjectYear(project=item, fiscal_year=2021, status="continuing"))
    return record_save(Highlight(project_year=year, order=1, title="協定締結"))


def post_handout(client, meeting, upload, number=1):
    return client.post(
        "/admin/meetings/handout/add/",
        {
            "meeting": meeting.pk,
            "kind": "material",
            "number": number,
            "title": "新型コロナウイルス対策について",
            "department": "",
            "document": "",
            "public": "on",
            "in_packet": "on",
            "file": upload,
        },
    )


def post_photo(client, highlight, upload):
    return client.post(
        "/admin/projects/photo/add/", {"highlight": highlight.pk, "order": 1, "caption": "協定締結式", "image": upload}
    )


def form_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    return response.context["adminform"].form.errors.get(field, [])


# -- handout PDFs -------------------------------------------------------------------------


FEATURES = ["open_action", "page_aa", "js_link", "embedded_file", "acroform"]


@pytest.mark.parametrize("feature", FEATURES)
def test_the_admin_stores_a_handout_without_its_scripts_attachments_and_forms(
    secretariat_client, meeting, media, feature
):
    hostile = hostile_pdf(feature)
    assert active_keys(hostile)  # the file as built does carry it
    response = post_handout(secretariat_client, meeting, SimpleUploadedFile("資料1.pdf", hostile))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    handout = Handout.objects.get(meeting=meeting)
    stored = handout.file.read()
    assert stored != hostile
    assert not active_keys(stored)
    assert not [key for key in ACTIVE if key in stored]  # not even in an unreferenced object
    assert b"secret" not in stored
    assert page_texts(stored) == [squash(PAGE_TEXT)]  # the text is kept …
    assert outline_titles(stored) == ["Chapter one"]  # … and the bookmark
    annotations = [a.get_object() for a in PdfReader(io.BytesIO(stored)).pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annotations if "/A" in a] == ["https://www.pref.toyama.jp/"]  # … the web link
    kept = ["/Link", "/Text"] if feature == "embedded_file" else ["/Link"]  # … and a reply to a dropped note
    assert [a["/Subtype"] for a in annotations] == kept and not [a for a in annotations if "/IRT" in a]
    assert len(stored_files(media)) == 1  # the cleaned file only: the upload as sent is nowhere

    download = secretariat_client.get(f"/meetings/handouts/{handout.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == stored


def test_the_service_cleans_every_feature_at_once(meeting, media):
    handout = handout_save(
        handout=Handout(
            meeting=meeting,
            kind="material",
            number=1,
            title="資料",
            file=SimpleUploadedFile("all.pdf", hostile_pdf(*FEATURES)),
        )
    )
    stored = handout.file.read()
    assert not active_keys(stored) and not [key for key in ACTIVE if key in stored]
    assert page_texts(stored) == [squash(PAGE_TEXT)]


@pytest.mark.parametrize("through", ["admin", "service"])
def test_the_upload_is_cleaned_once_for_validation_and_storage(
    secretariat_client, meeting, media, monkeypatch, through
):
    calls = []
    sanitise = uploads.sanitise_pdf
    monkeypatch.setattr(uploads, "sanitise_pdf", lambda data: calls.append(1) or sanitise(data))
    upload = SimpleUploadedFile("x.pdf", hostile_pdf("js_link"))
    if through == "admin":
        assert post_handout(secretariat_client, meeting, upload).status_code == 302
    else:
        handout_save(handout=Handout(meeting=meeting, kind="material", number=1, title="資料", file=upload))
    assert len(calls) == 1
    assert not active_keys(Handout.objects.get().file.read())


def test_a_refused_upload_is_read_once_and_reported_with_the_fields_other_problems(meeting, media, monkeypatch):
    calls = []
    sanitise = uploads.sanitise_pdf
    monkeypatch.setattr(uploads, "sanitise_pdf", lambda data: calls.append(1) or sanitise(data))
    handout = Handout(meeting=meeting, kind="material", number=1, title="", file=SimpleUploadedFile("memo.docx", b"PK"))
    with pytest.raises(ValidationError) as error:
        handout_save(handout=handout)
    assert error.value.message_dict["file"] == [
        "PDFファイル（.pdf）を選んでください。",
        "PDFとして読めないファイルです（PdfStreamError）。PDFで保存し直してアップロードしてください。",
    ]
    assert "title" in error.value.message_dict  # all problems at once, as record_save reports them
    assert len(calls) == 1
    assert not Handout.objects.exists() and not stored_files(media)


def test_a_handout_of_too_many_pages_is_refused(secretariat_client, meeting, media, settings):
    response = post_handout(
        secretariat_client, meeting, SimpleUploadedFile("x.pdf", pdf_of_pages(settings.HANDOUT_MAX_PAGES + 1))
    )
    assert form_errors(response, "file") == [
        "ページ数が多すぎます（301ページ）。1つの資料は300ページまでです。分けてアップロードしてください。"
    ]
    assert not Handout.objects.exists() and not stored_files(media)


def test_a_handout_of_the_most_pages_allowed_is_stored(meeting, media, settings):
    settings.HANDOUT_MAX_PAGES = 5
    handout = handout_save(
        handout=Handout(
            meeting=meeting, kind="material", number=1, title="資料", file=SimpleUploadedFile("x.pdf", pdf_of_pages(5))
        )
    )
    assert len(PdfReader(handout.file.open("rb")).pages) == 5


TOO_MUCH_DATA = (
    "PDFの中の圧縮されたデータが、展開すると大きすぎるため、資料一式に綴じられません。"
    "PDFで保存し直すか、分けてアップロードしてください。"
)


def test_a_stream_past_pypdfs_decompression_limit_is_refused_at_upload(secretariat_client, meeting, media):
    bomb = bomb_pdf(80_000_000)  # pypdf stops one stream at 75 MB
    assert len(bomb) < 200_000
    response = post_handout(secretariat_client, meeting, SimpleUploadedFile("bomb.pdf", bomb))
    assert form_errors(response, "file") == [TOO_MUCH_DATA]
    assert not Handout.objects.exists() and not stored_files(media)


def test_pages_decompressing_past_the_bound_together_are_refused(meeting, media, settings):
    settings.HANDOUT_MAX_DECODED_BYTES = 2_000_000
    handout = Handout(
        meeting=meeting, kind="material", number=1, title="資料", file=SimpleUploadedFile("x.pdf", bomb_pdf(900_000, 3))
    )
    with pytest.raises(ValidationError) as error:
        handout_save(handout=handout)
    assert error.value.message_dict["file"] == [TOO_MUCH_DATA]
    assert not Handout.objects.exists() and not stored_files(media)


def test_an_oversized_handout_is_refused_from_its_size(secretariat_client, meeting, media, settings):
    settings.HANDOUT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", pdf_of_pages(1) + b"%" * (1024 * 1024))
    response = post_handout(secretariat_client, meeting, upload)
    assert form_errors(response, "file") == [
        "ファイルが大きすぎます（1MB）。PDFは1MBまでです。ページを分けるか、画像の解像度を下げて保存し直してください。"
    ]
    assert not Handout.objects.exists() and not stored_files(media)


def test_the_size_is_checked_before_the_file_is_read(settings):
    class Unread(File):
        def read(self, *args):
            raise AssertionError("read")

    upload = Unread(io.BytesIO(), name="big.pdf")
    upload.size = settings.HANDOUT_MAX_BYTES + 1
    with pytest.raises(ValidationError, match="ファイルが大きすぎます（20MB）"):
        uploads.clean_pdf(upload)


def test_a_file_larger_than_it_claims_is_read_no_further_than_the_bound(settings):
    settings.HANDOUT_MAX_BYTES = 1000
    upload = ContentFile(pdf_of_pages(1) + b"%" * 2000, name="x.pdf")
    upload.size = 10
    with pytest.raises(ValidationError, match="ファイルが大きすぎます（1KB超）"):
        uploads.clean_pdf(upload)


def test_an_already_stored_handout_is_not_cleaned_again(meeting, media, monkeypatch):
    handout = handout_save(
        handout=Handout(
            meeting=meeting, kind="material", number=1, title="資料", file=SimpleUploadedFile("x.pdf", pdf_of_pages(1))
        )
    )
    monkeypatch.setattr(uploads, "sanitise_pdf", lambda data: pytest.fail("stored files are not read again"))
    handout = Handout.objects.get(pk=handout.pk)
    handout.title = "資料（修正）"
    handout_save(handout=handout)
    assert Handout.objects.get(pk=handout.pk).title == "資料（修正）"


# -- photos -------------------------------------------------------------------------------


def test_a_huge_png_of_few_bytes_is_refused_from_its_header(secretariat_client, highlight, media):
    png = png_header_only(100_000, 100_000)  # 10,000 megapixels in under 200 bytes
    assert len(png) < 200
    response = post_photo(secretariat_client, highlight, SimpleUploadedFile("photo.png", png, "image/png"))
    # Django's own image check (forms.ImageField) opens it first, and Pillow refuses to past
    # twice Image.MAX_IMAGE_PIXELS: Django's Japanese message …
    assert form_errors(response, "image") == [
        "画像をアップロードしてください。アップロードしたファイルは画像でないか、または壊れています。"
    ]
    with pytest.raises(ValidationError) as error:  # … and the service, for every other writer
        photo_save(photo=Photo(highlight=highlight, caption="写真", image=SimpleUploadedFile("photo.png", png)))
    assert error.value.message_dict["image"] == [
        "写真の画素数が多すぎます。4,000万画素以下に縮小してからアップロードしてください。"
    ]
    assert not Photo.objects.exists() and not stored_files(media)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Django's form opens it first
def test_a_png_over_the_pixel_bound_is_refused_in_the_admin(secretariat_client, highlight, media):
    png = png_header_only(8000, 6000)  # 48 megapixels
    response = post_photo(secretariat_client, highlight, SimpleUploadedFile("photo.png", png, "image/png"))
    assert form_errors(response, "image") == [
        "写真の画素数が多すぎます（8,000×6,000）。4,000万画素以下に縮小してからアップロードしてください。"
    ]
    assert not Photo.objects.exists() and not stored_files(media)


def test_pillow_stops_decoding_at_the_pixel_bound(settings):
    uploads.limit_image_decoding()
    assert Image.MAX_IMAGE_PIXELS == settings.PHOTO_MAX_PIXELS


PHOTO_FORMAT = "写真はPNG・JPEG・WebP形式の画像（.png .jpg .jpeg .webp）を選んでください。"


def test_an_eps_named_png_is_refused_without_running_ghostscript(secretariat_client, highlight, media, monkeypatch):
    from PIL import EpsImagePlugin

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: pytest.fail("Ghostscript ran"))
    response = post_photo(secretariat_client, highlight, SimpleUploadedFile("photo.png", EPS, "image/png"))
    assert form_errors(response, "image") == [PHOTO_FORMAT]
    assert not Photo.objects.exists() and not stored_files(media)


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.gif", "GIF"), ("photo.png", "GIF"), ("photo.tiff", "TIFF"), ("photo.bmp", "BMP")],
)
def test_only_png_jpeg_and_webp_photos_are_taken(highlight, media, name, content):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format=content)
    with pytest.raises(ValidationError) as error:
        photo_save(photo=Photo(highlight=highlight, caption="写真", image=SimpleUploadedFile(name, buffer.getvalue())))
    assert error.value.message_dict["image"] == [PHOTO_FORMAT]
    assert not Photo.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("p.png", "PNG"), ("p.jpg", "JPEG"), ("p.webp", "WEBP")])
def test_png_jpeg_and_webp_photos_are_stored(secretariat_client, highlight, media, name, content):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(buffer, format=content)
    response = post_photo(secretariat_client, highlight, SimpleUploadedFile(name, buffer.getvalue()))
    assert response.status_code == 302
    assert Photo.objects.get().image.name.endswith(name.rsplit(".", 1)[1])


def test_an_oversized_photo_is_refused(secretariat_client, highlight, media, settings):
    settings.PHOTO_MAX_BYTES = 2048
    png = small_png()
    png += b"\0" * (4096 - len(png))  # Pillow ignores what follows IEND
    response = post_photo(secretariat_client, highlight, SimpleUploadedFile("photo.png", png, "image/png"))
    assert form_errors(response, "image") == ["写真のファイルが大きすぎます（4KB）。写真は2KBまでです。"]
    assert not Photo.objects.exists() and not stored_files(media)


def _sheet_images(highlight) -> list[tuple[int, int, str]]:
    from projects.documents import progress_sheet_pdf

    reader = PdfReader(io.BytesIO(progress_sheet_pdf(highlight.project_year.project, 2021).content))
    return [
        (int(x["/Width"]), int(x["/Height"]), str(x["/Filter"]))
        for page in reader.pages
        for x in (x.get_object() for x in (page["/Resources"].get("/XObject") or {}).values())
        if x.get("/Subtype") == "/Image"
    ]


def test_a_large_photo_is_printed_at_print_size_and_turned_as_its_exif_says(highlight, media):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    Image.new("RGB", (4800, 3200), (30, 120, 60)).save(buffer, format="JPEG", exif=exif)
    photo_save(photo=Photo(highlight=highlight, caption="写真", image=SimpleUploadedFile("big.jpg", buffer.getvalue())))
    assert _sheet_images(highlight) == [(1600, 2400, "/DCTDecode")]  # upright, 2400 on its longer side


def test_a_small_photo_is_printed_as_it_is(highlight, media):
    photo_save(photo=Photo(highlight=highlight, caption="写真", image=SimpleUploadedFile("small.png", small_png())))
    assert _sheet_images(highlight) == [(60, 40, "/FlateDecode")]


# -- the packet ---------------------------------------------------------------------------


PLACEHOLDER = "はファイルを読み込めないため、この資料一式には含めていません。事務局にお問い合わせください。"


def test_a_packet_with_unreadable_parts_answers_200_with_placeholder_pages(secretariat_client, meeting, media, caplog):
    good = handout_save(
        handout=Handout(
            meeting=meeting,
            kind="material",
            number=1,
            title="良い資料",
            file=SimpleUploadedFile("ok.pdf", hostile_pdf()),
        )
    )
    # Stored before the checks, or broken since: garbage, an encrypted file, a file gone from the storage.
    garbage = default_storage.save("handouts/2022/garbage.pdf", ContentFile(b"%PDF-1.7\n" + b"\x00garbage" * 100))
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    encrypted = default_storage.save("handouts/2022/encrypted.pdf", ContentFile(_bytes(writer)))
    for number, title, name in [
        (2, "壊れた資料", garbage),
        (3, "暗号化された資料", encrypted),
        (4, "消えた資料", "handouts/2022/missing.pdf"),
    ]:
        record_save(Handout(meeting=meeting, kind="material", number=number, title=title))
        Handout.objects.filter(meeting=meeting, number=number).update(file=name)  # as stored long ago

    response = secretariat_client.get(f"/meetings/{meeting.pk}/packet.pdf")
    assert response.status_code == 200
    pdf = response.getvalue()
    pages = page_texts(pdf)
    for label, title in [("資料2", "壊れた資料"), ("資料3", "暗号化された資料"), ("資料4", "消えた資料")]:
        assert [page for page in pages if f"{label}（{title}）{PLACEHOLDER}" in page], label
    assert [page for page in pages if squash(PAGE_TEXT) in page and "資料1" in page]  # the good one, stamped
    assert outline_titles(pdf)[-4:] == [
        f"資料1 {good.title}",
        "資料2 壊れた資料",
        "資料3 暗号化された資料",
        "資料4 消えた資料",
    ]
    total = len(pages)
    assert all(f"{n}/{total}" in page for n, page in enumerate(pages, start=1))  # numbers run through
    left_out = [r for r in caplog.records if r.name == "meetings.packet" and r.levelname == "ERROR"]
    assert len(left_out) == 3


def test_a_part_that_fails_while_merging_is_left_out_and_the_rest_kept(db, monkeypatch):
    from meetings import packet

    def part(stamp, name, content):
        return packet.PacketPart(f"{stamp} {name}", stamp, content, name, name=name, uploaded=True)

    good, bad = hostile_pdf(), pdf_of_pages(2)
    original = packet.uploads.scrub

    def scrub(reader):  # the second part breaks half-way through the merge
        if len(reader.pages) == 2:
            raise RuntimeError("broken page tree")
        return original(reader)

    monkeypatch.setattr(packet.uploads, "scrub", scrub)
    pdf = packet.assemble([part("資料1", "良い資料", good), part("資料2", "悪い資料", bad)], title="会議資料")
    pages = page_texts(pdf)
    assert len(pages) == 2  # the bad part's two pages are not half-merged: one placeholder instead
    assert squash(PAGE_TEXT) in pages[0] and f"資料2（悪い資料）{PLACEHOLDER}" in pages[1]
    assert outline_titles(pdf) == ["資料1 良い資料", "資料2 悪い資料"]
