"""What a spreadsheet import brings in is found by the search at once: the importer writes in
batches that send no ``post_save``, so the index follows ``records_saved_in_bulk``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onechoice.importing.resources import NaturalKeyResource
from onechoice.services import records_saved_in_bulk
from search.models import Kind
from search.signals import INDEXED
from tests.projects.test_import import RESULT_HEADER
from tests.search.test_search_toyama import hits
from tests.spreadsheets import csv_bytes, xlsx_bytes

ZERO_CARBON = "ゼロカーボンシティ富山の実現"
SESSION_HEADER = ["連携推進項目", "WG番号", "年度", "開催日", "状態", "種別", "会議名", "備考"]


def admin_import(client, url_name, filename, content, file_format):
    preview = client.post(
        reverse(f"admin:{url_name}_import"),
        {
            "resource": "0",
            "format": file_format,
            "encoding": "auto",
            "import_file": SimpleUploadedFile(filename, content),
        },
    )
    assert preview.status_code == 200 and "confirm_form" in preview.context, preview.text[:2000]
    done = client.post(reverse(f"admin:{url_name}_process_import"), dict(preview.context["confirm_form"].initial))
    assert done.status_code == 302


def found(client, word, kind):
    return [title for _url, title in hits(client.get("/search/", {"q": word}), kind)]


@pytest.mark.django_db
def test_imported_wg_sessions_are_found_at_once(secretariat_client, client, toyama):
    assert found(client, "氷見の漁港視察", Kind.SESSION) == []
    rows = [SESSION_HEADER, [ZERO_CARBON, "1", "", "2022-02-10", "開催済み", "視察", "", "氷見の漁港視察と意見交換"]]

    admin_import(secretariat_client, "workgroups_workinggroupsession", "wg.csv", csv_bytes(rows, "cp932"), "0")

    assert found(client, "氷見の漁港視察", Kind.SESSION) == [f"視察（{ZERO_CARBON}）"]


@pytest.mark.django_db
def test_imported_results_are_found_in_their_items_year_and_the_old_text_is_gone(secretariat_client, client, toyama):
    result = [ZERO_CARBON, "R3", "1", "", "公用車の電動化を先行実施", "次も続ける", "", "B", "△達成できず"]
    rows = [RESULT_HEADER, result]
    assert found(client, "公用車の電動化", Kind.ITEM) == []

    admin_import(secretariat_client, "projects_measureresult", "results.xlsx", xlsx_bytes(rows), "1")

    assert found(client, "公用車の電動化", Kind.ITEM) == [ZERO_CARBON]
    rows[1][4] = "充電設備の共同調達"
    admin_import(secretariat_client, "projects_measureresult", "results.xlsx", xlsx_bytes(rows), "1")
    assert found(client, "公用車の電動化", Kind.ITEM) == []
    assert found(client, "充電設備の共同調達", Kind.ITEM) == [ZERO_CARBON]


def test_every_batched_import_of_an_indexed_model_keeps_the_index():
    """A new importer written in batches for a model the search holds text of must come with
    its ``records_saved_in_bulk`` receiver (or its rows would be missing from the search)."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    batched = {r._meta.model for r in subclasses(NaturalKeyResource) if r._meta.use_bulk and r._meta.model}
    assert batched & INDEXED, "no batched importer writes an indexed model: this test checks nothing"
    assert [m.__name__ for m in batched & INDEXED if not records_saved_in_bulk.has_listeners(m)] == []
