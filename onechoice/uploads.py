"""What an upload must be before it is stored: handout PDFs and photos. Imports no app.

Every bound is a setting (``HANDOUT_MAX_BYTES``, ``HANDOUT_MAX_PAGES``,
``HANDOUT_MAX_DECODED_BYTES``, ``PHOTO_MAX_BYTES``, ``PHOTO_MAX_PIXELS``) and is refused with a
Japanese ``ValidationError`` before anything is written, so that no stored file can hold a
print request for minutes:

* ``clean_pdf`` checks a handout PDF and returns the bytes to store in its place: the same
  pages, text and bookmarks, without scripts, embedded files or forms (``scrub``). The size is
  read from the upload before its content; then the pages are counted, the cleaned copy is
  read back and its pages' content decompressed within the bounds (pypdf's own limits for one
  stream, ``HANDOUT_MAX_DECODED_BYTES`` for all), so that a file pypdf could not read or
  merge is refused now, not at print time. The cleaned bytes (or the refusal) are remembered
  on the upload: the validator and the service that stores them
  (``meetings.services.handout_save``) clean once.
* ``scrub`` is the cleaning itself, on a ``PdfReader``; the packet applies it again to files
  stored before uploads were cleaned.
* ``check_image`` reads a photo's header only (Pillow's ``Image.open`` decodes nothing):
  PNG, JPEG or WebP, and at most ``PHOTO_MAX_PIXELS``. EPS and the other formats Pillow knows
  are refused (Pillow would run Ghostscript to decode EPS). ``limit_image_decoding`` makes
  every Pillow decoder in the process (WeasyPrint's included) stop at the same bound.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

_CLEANED = "_onechoice_cleaned_pdf"  # the cleaned bytes, remembered on the upload object
_REFUSED = "_onechoice_refused_pdf"  # or why it was refused


def _mb(size: int) -> str:
    """20MB, 20.5MB, 980KB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))}KB"
    return f"{size / (1024 * 1024):.1f}MB".replace(".0MB", "MB")


def is_new_upload(value) -> bool:
    """Whether ``value`` (a file field's value, or a ``File``) is a file about to be stored,
    not one stored already."""
    from django.db.models.fields.files import FieldFile

    return bool(value) and not (isinstance(value, FieldFile) and value._committed)


def _holder(upload):
    """The object the cleaned bytes are remembered on: the uploaded file itself, which the
    validator and the service see through the same ``FieldFile``."""
    from django.db.models.fields.files import FieldFile

    return upload.file if isinstance(upload, FieldFile) else upload


def _size(upload) -> int | None:
    """The upload's size as the upload handler counted it: nothing is read."""
    try:
        return upload.size
    except (AttributeError, OSError, ValueError):
        return None


def _read_at_most(upload, limit: int) -> bytes | None:
    """The upload's bytes, or None if there are more than ``limit`` (read no further)."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        data = upload.read(limit + 1)
    finally:
        upload.seek(position)
    return None if len(data) > limit else data


# -- handout PDFs ---------------------------------------------------------------------------

_TOO_LARGE = _(
    "ファイルが大きすぎます（%(size)s）。PDFは%(limit)sまでです。ページを分けるか、画像の解像度を下げて保存し直してください。"
)
_TOO_MANY_PAGES = _(
    "ページ数が多すぎます（%(pages)sページ）。1つの資料は%(limit)sページまでです。分けてアップロードしてください。"
)
_TOO_MUCH_DATA = _(
    "PDFの中の圧縮されたデータが、展開すると大きすぎるため、資料一式に綴じられません。"
    "PDFで保存し直すか、分けてアップロードしてください。"
)
_ENCRYPTED = _(
    "パスワードで保護（暗号化）されたPDFは資料一式に綴じられません。保護を解除したPDFをアップロードしてください。"
)
_EMPTY = _("ページのないPDFです。")
_BAD_PAGE_SIZE = _(
    "%(page)sページ目の大きさが正しくないPDFです（%(size)s）。PDFで保存し直してアップロードしてください。"
)
MAX_PAGE_SIDE = 14400  # points (200 inches): the largest page a PDF viewer must show
_UNREADABLE = _("PDFとして読めないファイルです（%(reason)s）。PDFで保存し直してアップロードしてください。")
_NOT_CLEANED = _(
    "PDFからスクリプト・添付ファイル・入力フォームを取り除けませんでした（%(what)s）。"
    "PDFで保存し直してアップロードしてください。"
)

#: Actions a handout may keep: go to a page, open a web page or a mail form, turn a page.
SAFE_ACTIONS = {"/GoTo", "/URI", "/Named"}
SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")
SAFE_NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
#: Actions never kept (what the check of the cleaned file looks for anywhere in it).
UNSAFE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/GoToR",
    "/GoToE",
    "/GoToDp",
    "/Rendition",
    "/Sound",
    "/Movie",
    "/Hide",
    "/RichMediaExecute",
    "/GoTo3DView",
}
#: Annotations a handout may keep: marks on the page and links. Not form fields (/Widget),
#: attachments (/FileAttachment) nor media (/Screen, /Movie, /Sound, /RichMedia, /3D).
SAFE_ANNOTATIONS = {
    "/Text",
    "/Link",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Stamp",
    "/Caret",
    "/Ink",
    "/Popup",
    "/PrinterMark",
    "/TrapNet",
    "/Watermark",
    "/Redact",
}
#: Keys that hold scripts, attachments or forms, wherever they are.
FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/AcroForm", "/EmbeddedFiles", "/EF", "/XFA", "/AF"}
# Dictionaries whose keys are names the document chose (/Font << /AA 5 0 R >> is a font called
# AA): their keys are not checked, their values are.
_NAME_MAPS = {"/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/Properties", "/CharProcs"}


class _Refused(Exception):
    def __init__(self, error: ValidationError):
        self.error = error


def _action_is_safe(action) -> bool:
    from pypdf.generic import DictionaryObject

    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return False
    kind = action.get("/S")
    if kind not in SAFE_ACTIONS:
        return False
    if kind == "/URI":
        uri = action.get("/URI")
        uri = uri.get_object() if uri is not None else ""
        text = bytes(uri).decode("latin-1") if isinstance(uri, bytes) else str(uri)
        return "".join(text.split()).lower().startswith(SAFE_URI_SCHEMES)
    if kind == "/Named":
        return action.get("/N") in SAFE_NAMED_ACTIONS
    return True


def _keep_safe_action(holder, key: str, removed: set[str]) -> None:
    """Drop ``holder[key]`` unless it is a safe action; never keep a chain (/Next)."""
    from pypdf.generic import DictionaryObject

    if key not in holder:
        return
    action = holder[key].get_object()
    if not _action_is_safe(action):
        removed.add(f"action {action.get('/S', '?') if isinstance(action, DictionaryObject) else '?'}")
        del holder[key]
    elif "/Next" in action:
        removed.add("action chain")
        del action["/Next"]


def scrub(reader) -> set[str]:
    """Remove from ``reader``'s objects, in place, what a copy of its pages and bookmarks
    (``PdfWriter.append``) would carry of scripts, attachments and forms: page and
    annotation actions (/AA), annotations other than marks and links (form fields, file
    attachments, media), unsafe link and bookmark actions, and the form (/AcroForm). The
    rest of the document's catalogue (/OpenAction, /AA, /Names /JavaScript, /EmbeddedFiles)
    is never copied by ``append``. Returns what was removed, for the log."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    root = reader.root_object
    removed = {key for key in ("/AcroForm", "/OpenAction", "/AA", "/Collection", "/AF") if key in root}
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        removed |= {f"/Names {key}" for key in ("/JavaScript", "/EmbeddedFiles") if key in names}
    if "/AcroForm" in root:
        del root["/AcroForm"]  # append() copies the form of the pages it copies
    for page in reader.pages:
        for key in ("/AA", "/AF"):
            if key in page:
                removed.add(f"page {key}")
                del page[key]
        if "/Annots" not in page:
            continue
        annotations = page["/Annots"]
        annotations = annotations.get_object() if annotations is not None else None
        annotations = [
            (reference, reference.get_object())
            for reference in (annotations if isinstance(annotations, ArrayObject) else ())
            if isinstance(reference.get_object(), DictionaryObject)
        ]
        dropped = set()
        for _reference, annotation in annotations:
            subtype = annotation.get("/Subtype")
            if subtype not in SAFE_ANNOTATIONS:
                removed.add(f"annotation {subtype}")
                dropped.add(id(annotation))
                continue
            for key in ("/AA", "/AF"):
                if key in annotation:
                    removed.add(f"annotation {key}")
                    del annotation[key]
            for key in ("/A", "/PA"):
                _keep_safe_action(annotation, key, removed)
            if subtype == "/Link" and "/A" not in annotation and "/Dest" not in annotation:
                dropped.add(id(annotation))  # a link to nowhere, once its action is gone
        kept = ArrayObject()
        for reference, annotation in annotations:
            if id(annotation) in dropped:
                continue
            # A note's pop-up, or a reply, pointing at a dropped annotation would copy it back.
            if annotation.get("/Subtype") == "/Popup" and _points_to(annotation, "/Parent", dropped):
                continue
            for key in ("/Parent", "/IRT", "/Popup"):
                if _points_to(annotation, key, dropped):
                    del annotation[key]
            kept.append(reference)
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page["/Annots"]
    for item in _outline_items(root):
        _keep_safe_action(item, "/A", removed)
    return removed


def _points_to(annotation, key: str, dropped: set[int]) -> bool:
    target = annotation.get(key)
    return target is not None and id(target.get_object()) in dropped


def _outline_items(root) -> Iterator:
    from pypdf.generic import DictionaryObject

    outlines = root.get("/Outlines")
    outlines = outlines.get_object() if outlines is not None else None
    if not isinstance(outlines, DictionaryObject):
        return
    stack, seen = [outlines.get("/First")], set()
    while stack:
        item = stack.pop()
        item = item.get_object() if item is not None else None
        if not isinstance(item, DictionaryObject) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += [item.get("/Next"), item.get("/First")]


def _reachable(reader) -> Iterator[tuple[object, str | None]]:
    """Every object reachable from the trailer, once, with the key it was found under."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack: list[tuple[object, str | None]] = [(reader.trailer, None)]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj, key = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        yield obj, key
        if isinstance(obj, DictionaryObject):
            stack += [(value, name) for name, value in obj.items()]
        elif isinstance(obj, ArrayObject):
            stack += [(value, key) for value in obj]


def _refuse_active(what) -> None:
    raise _Refused(ValidationError(_NOT_CLEANED, code="pdf_active_content", params={"what": str(what)}))


def _check_cleaned(cleaned: bytes) -> None:
    """Read the cleaned file back as the packet will: refuse it if anything of a script, an
    attachment or a form is left anywhere in it, if a page has no sensible size, or if its
    pages' content streams (what a viewer, a text extraction or a merge decompresses)
    decompress past ``HANDOUT_MAX_DECODED_BYTES`` together, or past pypdf's own limits for
    one stream (``LimitReachedError``)."""
    from pypdf import PdfReader
    from pypdf.filters import decode_stream_data
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    reader = PdfReader(io.BytesIO(cleaned))
    for obj, key in _reachable(reader):
        if not isinstance(obj, DictionaryObject):
            continue
        if key not in _NAME_MAPS and FORBIDDEN_KEYS & set(obj):
            _refuse_active(min(FORBIDDEN_KEYS & set(obj)))
        if obj.get("/S") in UNSAFE_ACTIONS or (obj.get("/S") == "/URI" and not _action_is_safe(obj)):
            _refuse_active(obj["/S"])
        if (key == "/Annots" or obj.get("/Type") == "/Annot") and obj.get("/Subtype") not in SAFE_ANNOTATIONS:
            _refuse_active(obj.get("/Subtype"))
        if obj.get("/Type") == "/EmbeddedFile":
            _refuse_active("/EmbeddedFile")
    budget, decoded = settings.HANDOUT_MAX_DECODED_BYTES, 0
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if not (0 < width <= MAX_PAGE_SIDE and 0 < height <= MAX_PAGE_SIDE):
            params = {"page": number, "size": f"{width:g}×{height:g}pt"}
            raise _Refused(ValidationError(_BAD_PAGE_SIZE, code="pdf_page_size", params=params))
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = contents if isinstance(contents, ArrayObject) else [contents] if contents is not None else []
        for stream in streams:
            stream = stream.get_object()
            if not isinstance(stream, StreamObject):
                continue
            decoded += len(decode_stream_data(stream)) if "/Filter" in stream else len(stream.get_data())
            if decoded > budget:
                raise _Refused(ValidationError(_TOO_MUCH_DATA, code="pdf_too_much_data"))


def sanitise_pdf(data: bytes) -> bytes:
    """``data`` as a PDF of the same pages, text and bookmarks without scripts, embedded
    files or forms; ``ValidationError`` (Japanese) if it is no PDF, is encrypted, has no or too
    many pages, or decompresses past the bounds."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _Refused(ValidationError(_ENCRYPTED, code="pdf_encrypted"))
        pages = len(reader.pages)
        if pages == 0:
            raise _Refused(ValidationError(_EMPTY, code="pdf_empty"))
        if pages > settings.HANDOUT_MAX_PAGES:
            raise _Refused(
                ValidationError(
                    _TOO_MANY_PAGES,
                    code="pdf_too_many_pages",
                    params={"pages": pages, "limit": settings.HANDOUT_MAX_PAGES},
                )
            )
        removed = scrub(reader)
        writer = PdfWriter()
        writer.append(reader, import_outline=True)
        info = reader.metadata or {}
        writer.add_metadata({key: str(info[key]) for key in ("/Title", "/Author", "/Subject") if key in info})
        out = io.BytesIO()
        writer.write(out)
        cleaned = out.getvalue()
        if len(cleaned) > 2 * settings.HANDOUT_MAX_BYTES:  # object streams spread out by the copy
            raise _Refused(
                ValidationError(
                    _TOO_LARGE,
                    code="pdf_too_large",
                    params={"size": _mb(len(cleaned)), "limit": _mb(settings.HANDOUT_MAX_BYTES)},
                )
            )
        _check_cleaned(cleaned)
    except _Refused as refused:
        raise refused.error from None
    except LimitReachedError:
        raise ValidationError(_TOO_MUCH_DATA, code="pdf_too_much_data") from None
    except RecursionError:
        raise ValidationError(_UNREADABLE, code="pdf_invalid", params={"reason": "RecursionError"}) from None
    except Exception as error:  # whatever pypdf raises on a hostile or broken file
        logger.info("PDF upload refused: %s: %s", type(error).__name__, str(error)[:200])
        raise ValidationError(_UNREADABLE, code="pdf_invalid", params={"reason": type(error).__name__}) from None
    if removed:
        logger.info("PDF upload cleaned: removed %s", ", ".join(sorted(removed)))
    return cleaned


def clean_pdf(upload) -> bytes:
    """The bytes to store for an uploaded handout PDF (``sanitise_pdf``), refused with a
    Japanese ``ValidationError`` past ``HANDOUT_MAX_BYTES`` before its content is read.
    ``upload`` is a ``File`` or the ``FieldFile`` of a file about to be stored; the result is
    remembered on it (and so is a refusal)."""
    holder = _holder(upload)
    cleaned = getattr(holder, _CLEANED, None)
    if cleaned is not None:
        return cleaned
    if getattr(holder, _REFUSED, None) is not None:
        raise getattr(holder, _REFUSED)
    try:
        cleaned = _clean(upload)
    except ValidationError as error:
        setattr(holder, _REFUSED, error)
        raise
    setattr(holder, _CLEANED, cleaned)
    return cleaned


def _clean(upload) -> bytes:
    limit = settings.HANDOUT_MAX_BYTES
    size = _size(upload)
    data = None if size is not None and size > limit else _read_at_most(upload, limit)
    if data is None:
        shown = _mb(size) if size is not None and size > limit else f"{_mb(limit)}超"
        raise ValidationError(_TOO_LARGE, code="pdf_too_large", params={"size": shown, "limit": _mb(limit)})
    return sanitise_pdf(data)


def cleaned_file(upload):
    """A ``ContentFile`` of the cleaned bytes under the upload's name, known to be clean."""
    from django.core.files.base import ContentFile

    cleaned = clean_pdf(upload)
    content = ContentFile(cleaned, name=PurePath(upload.name or "handout.pdf").name)
    setattr(content, _CLEANED, cleaned)
    return content


# -- photos ---------------------------------------------------------------------------------

PHOTO_FORMATS = ["PNG", "JPEG", "WEBP"]  # Pillow's readers tried (JPEG's also reads MPO: a JPEG with a 2nd view)
PHOTO_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp"}

_PHOTO_TOO_LARGE = _("写真のファイルが大きすぎます（%(size)s）。写真は%(limit)sまでです。")
_PHOTO_FORMAT = _("写真はPNG・JPEG・WebP形式の画像（.png .jpg .jpeg .webp）を選んでください。")
_PHOTO_TOO_MANY_PIXELS = _(
    "写真の画素数が多すぎます（%(width)s×%(height)s）。%(limit)s万画素以下に縮小してからアップロードしてください。"
)
_PHOTO_FAR_TOO_MANY_PIXELS = _("写真の画素数が多すぎます。%(limit)s万画素以下に縮小してからアップロードしてください。")


def limit_image_decoding() -> None:
    """Make Pillow refuse, in this process, to decode an image past ``PHOTO_MAX_PIXELS``
    (a warning past it, ``DecompressionBombError`` past twice it)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS


def check_image(upload) -> None:
    """Refuse (Japanese ``ValidationError``) a photo that is not PNG, JPEG or WebP, is larger
    than ``PHOTO_MAX_BYTES`` (checked before it is read) or has more than
    ``PHOTO_MAX_PIXELS`` (read from its header: nothing is decoded)."""
    from PIL import Image, UnidentifiedImageError

    limit_image_decoding()
    size, limit = _size(upload), settings.PHOTO_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError(_PHOTO_TOO_LARGE, code="photo_too_large", params={"size": _mb(size), "limit": _mb(limit)})
    if PurePath(upload.name or "").suffix.lower() not in PHOTO_EXTENSIONS:
        raise ValidationError(_PHOTO_FORMAT, code="photo_format")
    data = _read_at_most(upload, limit)
    if data is None:
        raise ValidationError(
            _PHOTO_TOO_LARGE, code="photo_too_large", params={"size": f"{_mb(limit)}超", "limit": _mb(limit)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only these formats' header readers run: an EPS named .png is not even parsed.
            with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
                width, height = image.size
    except Image.DecompressionBombError:  # past twice Image.MAX_IMAGE_PIXELS: Pillow gives no size
        raise ValidationError(
            _PHOTO_FAR_TOO_MANY_PIXELS, code="photo_too_many_pixels", params={"limit": _ten_thousands()}
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(_PHOTO_FORMAT, code="photo_format") from None
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError(
            _PHOTO_TOO_MANY_PIXELS,
            code="photo_too_many_pixels",
            params={"width": f"{width:,}", "height": f"{height:,}", "limit": _ten_thousands()},
        )


def _ten_thousands() -> str:
    """PHOTO_MAX_PIXELS in 万 (40,000,000 → 4,000)."""
    return f"{settings.PHOTO_MAX_PIXELS // 10_000:,}"


# -- photos as printed ----------------------------------------------------------------------

#: The longest side a photo is printed with: 300 dpi across 20 cm, far more than the sheets'
#: 41 mm frames need. WeasyPrint embeds an image at its full size and re-encodes every one
#: that is not a JPEG: a 40-megapixel WebP took it 21 s and 600 MB, and made a 24 MB sheet.
PRINT_MAX_SIDE = 2400
_print_renditions: dict[str, tuple[bytes, str]] = {}  # a few, by the digest of the stored bytes
_PRINT_RENDITIONS_KEPT = 32


def print_rendition(body: bytes) -> tuple[bytes, str] | None:
    """An uploaded image as the PDF engine should embed it: at most ``PRINT_MAX_SIDE`` on its
    longer side, turned as its EXIF orientation says (the copy keeps no EXIF), as JPEG (PNG
    when it is a PNG or has transparency), with its content type. None when it is small
    enough already, or is no image Pillow reads (the engine then does as it always did)."""
    import hashlib

    from PIL import Image, ImageOps

    limit_image_decoding()
    key = hashlib.sha256(body).hexdigest()
    if key in _print_renditions:
        return _print_renditions[key]
    try:
        with Image.open(io.BytesIO(body), formats=PHOTO_FORMATS) as image:
            if max(image.size) <= PRINT_MAX_SIDE:
                return None
            source_format = image.format
            scale = PRINT_MAX_SIDE / max(image.size)
            # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size, as long as that is still larger.
            image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
            image.thumbnail((PRINT_MAX_SIDE, PRINT_MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if source_format == "PNG" or image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                image.save(out, format="PNG")
                rendition = (out.getvalue(), "image/png")
            else:
                image.convert("RGB").save(out, format="JPEG", quality=90, icc_profile=image.info.get("icc_profile"))
                rendition = (out.getvalue(), "image/jpeg")
    except Exception as error:  # not an image we take: the engine reads it, or skips it, itself
        logger.warning("PDF: no print rendition of an upload: %s: %s", type(error).__name__, str(error)[:200])
        return None
    while len(_print_renditions) >= _PRINT_RENDITIONS_KEPT:
        _print_renditions.pop(next(iter(_print_renditions)))
    _print_renditions[key] = rendition
    return rendition
