"""What scripts/mutation found the print-engine tests did not pin down about the URL fetcher:
uploads served from the file system and from a bucket, files collected into STATIC_ROOT, a
MEDIA_URL with a leading slash, links out of the media folder, names refused before a bucket
is asked, what a refusal says and logs, and which images are scaled to print size."""

import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image

from onechoice import pdf

URL = pdf.BASE_URL


def fetch(url):
    return pdf._fetcher_class()().fetch(url)


def png(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


class BucketStorage(Storage):
    """Uploads in a bucket as the fetcher meets one (a storage that is no FileSystemStorage):
    objects under their literal keys; every key it is asked for is recorded."""

    objects: dict[str, bytes] = {}
    asked: list[tuple[str, str]] = []

    def _open(self, name, mode="rb"):
        self.asked.append((name, mode))
        if name not in self.objects:
            raise FileNotFoundError(name)
        return ContentFile(self.objects[name], name=name)

    def exists(self, name):
        return name in self.objects


@pytest.fixture
def bucket(settings):
    BucketStorage.objects = {"photos/a.png": b"PNG bytes from the bucket"}
    BucketStorage.asked = []
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.BucketStorage"}}
    return BucketStorage


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "handouts").mkdir(parents=True)
    (tmp_path / "media" / "handouts" / "a.pdf").write_bytes(b"%PDF-1.7 handout")
    return tmp_path / "media"


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",  # another scheme
        "https://example.com/static/css/print.css",  # another host
        URL + "static/../static/css/print.css",  # a step up, even one that lands inside
        URL + "static/css/print.css%00.png",  # a NUL
        URL + "etc/passwd",  # neither static nor media
        URL + "static/css/missing.css",  # no such file
    ],
)
def test_a_refusal_names_the_url_and_is_logged(url, caplog):
    with caplog.at_level(logging.WARNING, logger="onechoice.pdf"), pytest.raises(pdf.RefusedURL) as error:
        fetch(url)
    assert str(error.value) == f"refused: {url}"
    assert [r.getMessage() for r in caplog.records] == [f"PDF: refused to fetch {url}"]


def test_the_log_shows_the_first_200_characters_of_a_long_url(caplog):
    url = "https://example.com/" + "x" * 400
    with caplog.at_level(logging.WARNING, logger="onechoice.pdf"), pytest.raises(pdf.RefusedURL):
        fetch(url)
    assert [r.getMessage() for r in caplog.records] == [f"PDF: refused to fetch {url[:200]}"]


def test_a_link_inside_media_to_a_file_outside_is_refused(media):
    secret = media.parent / "secret.txt"
    secret.write_text("not for print")
    (media / "link.txt").symlink_to(secret)
    with pytest.raises(pdf.RefusedURL):
        fetch(URL + "media/link.txt")


# --- files of the project --------------------------------------------------------------------


def test_uploads_on_the_file_system_are_served(media):
    response = fetch(URL + "media/handouts/a.pdf")
    assert response.read() == b"%PDF-1.7 handout"
    assert response.content_type == "application/pdf"


def test_a_file_of_no_known_type_is_served_as_octet_stream(media):
    (media / "data.unknownext").write_bytes(b"\x00\x01")
    response = fetch(URL + "media/data.unknownext")
    assert (response.read(), response.content_type) == (b"\x00\x01", "application/octet-stream")


def test_files_collected_into_static_root_are_served(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "collected"
    (tmp_path / "collected" / "css").mkdir(parents=True)
    (tmp_path / "collected" / "css" / "only-collected.css").write_text("p { color: red }")
    response = fetch(URL + "static/css/only-collected.css")
    assert response.read() == b"p { color: red }" and response.content_type == "text/css"


def test_a_media_url_with_a_leading_slash_works_for_files_and_buckets(settings, media):
    settings.MEDIA_URL = "/media/"
    assert fetch(URL + "media/handouts/a.pdf").read() == b"%PDF-1.7 handout"
    BucketStorage.objects, BucketStorage.asked = {"photos/a.png": b"bucket"}, []
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.BucketStorage"}}
    assert fetch(URL + "media/photos/a.png").read() == b"bucket"


def test_only_uploaded_images_are_scaled_to_print_size(settings, media, tmp_path):
    big = png(3000, 20)
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATIC_ROOT.mkdir()
    (settings.STATIC_ROOT / "big.png").write_bytes(big)
    (media / "big.png").write_bytes(big)
    (media / "small.png").write_bytes(png(30, 20))
    assert fetch(URL + "static/big.png").read() == big  # the project's own image: as it is
    upload = fetch(URL + "media/big.png")
    assert max(Image.open(io.BytesIO(upload.read())).size) == 2400  # an upload: at print size
    assert upload.content_type == "image/png"
    assert fetch(URL + "media/small.png").read() == png(30, 20)  # small enough already


# --- uploads in a bucket -----------------------------------------------------------------------


def test_uploads_in_a_bucket_are_read_through_the_storage(bucket):
    response = fetch(URL + "media/photos/a.png")
    assert response.read() == b"PNG bytes from the bucket" and response.content_type == "image/png"
    assert bucket.asked == [("photos/a.png", "rb")]


def test_static_files_are_still_read_from_the_project_while_uploads_are_in_a_bucket(bucket):
    assert b"@font-face" in fetch(URL + "static/css/print.css").read()
    assert bucket.asked == []


def test_a_key_missing_from_the_bucket_is_refused(bucket):
    with pytest.raises(pdf.RefusedURL) as error:
        fetch(URL + "media/photos/missing.png")
    assert str(error.value) == f"refused: {URL}media/photos/missing.png"
    assert bucket.asked == [("photos/missing.png", "rb")]


@pytest.mark.parametrize(
    "path",
    [
        "media/",  # no name
        "media/photos/../a.png",  # a step up
        "media/%2E%2E/secret",  # a step up, encoded
        "media/photos/a.png%00.jpg",  # a NUL
        "media//etc/passwd",  # an absolute name
        "media/%2Fetc/passwd",  # an absolute name, encoded
    ],
)
def test_a_suspicious_name_is_refused_before_the_bucket_is_asked(bucket, path):
    bucket.objects[path.removeprefix("media/")] = b"never served"
    with pytest.raises(pdf.RefusedURL) as error:
        fetch(URL + path)
    assert str(error.value) == f"refused: {URL}{path}"
    assert bucket.asked == []


def test_a_bucket_on_another_host_is_not_asked(bucket):
    with pytest.raises(pdf.RefusedURL):
        fetch("https://example.com/media/photos/a.png")
    assert bucket.asked == []
