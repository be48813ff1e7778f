"""How long a large import takes through the admin, and how many queries it costs.

    .venv/bin/python benchmarks/import_bench.py            # 1,000 and 10,000 rows
    .venv/bin/python benchmarks/import_bench.py 500 5000   # other sizes
    .venv/bin/python benchmarks/import_bench.py --largest  # officials only, IMPORT_MAX_ROWS (50,000) rows
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_bench.py   # another database

Runs in a throwaway SQLite database (or the empty database DATABASE_URL names), loaded with the
real Toyama records; a secretariat user uploads a CSV of officials and one of attendance (CP932,
as Japanese Excel saves it) on the admin's import screen (the preview, a dry run) and confirms
it, then uploads the same file again (nothing changes). Prints seconds and queries per step,
how the queries split into lookups (SELECT) and writes, and the 10,000/1,000 ratios. The
target: preview + confirm of 10,000 rows within 10 s, and lookups that do not grow per row.
``--largest`` imports the largest file the bounds allow (``IMPORT_MAX_ROWS`` officials), in a
process of its own, and prints the process's peak resident memory (RSS) before and after.
Not a test: timings depend on the machine; the figures go into benchmarks/import_bench.txt.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory(prefix="import-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onechoice.settings")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
from collections import Counter  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo import reference_data  # noqa: E402
from meetings.models import Attendance, Meeting  # noqa: E402
from onechoice import roles  # noqa: E402
from onechoice.models import Official, Organization  # noqa: E402
from onechoice.services import record_save  # noqa: E402

BENCH_YEAR = 2030  # meetings made for the benchmark, apart from the real ones


def officials_csv(rows: int) -> bytes:
    names = [o.name for o in Organization.objects.order_by("protocol_order")]
    lines = ["団体,部局,役職,氏名,ふりがな,席次,就任日,退任日"]
    for i in range(rows):
        start = "R4.4.1" if i % 3 == 0 else ("2022/4/1" if i % 3 == 1 else "令和4年4月1日")
        lines.append(f"{names[i % len(names)]},,職員{i},髙橋 {i:05d},たかはし,{i % 50},{start},")
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def attendance_csv(rows: int) -> bytes:
    per_meeting = 1000
    for number in range(1, rows // per_meeting + 2):
        if not Meeting.objects.filter(fiscal_year=BENCH_YEAR, number=number).exists():
            held = dt.date(BENCH_YEAR, 5, number)
            record_save(Meeting(fiscal_year=BENCH_YEAR, number=number, status="held", date=held))
    codes = [o.lg_code for o in Organization.objects.exclude(lg_code="").order_by("protocol_order")]
    lines = ["年度,回,席次,区分,団体,役職,氏名,出欠,代理者の役職,代理者の氏名"]
    for i in range(rows):
        number, order = i // per_meeting + 1, i % per_meeting + 1
        proxy = ("代理出席", "副市長", "山﨑 ①") if i % 10 == 0 else ("出席", "", "")
        lines.append(
            f"R12,{number},{order},市町村等,{codes[i % len(codes)]},市長{i},氏名 {i},{proxy[0]},{proxy[1]},{proxy[2]}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


class QueryCounter:
    """Counts the statements a step runs, by their first word (no 9,000-query log limit)."""

    def __init__(self):
        self.kinds = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    def __len__(self):
        return sum(self.kinds.values())

    def __str__(self):
        return ", ".join(f"{k} {v}" for k, v in self.kinds.most_common())


def step(client, label, path, data):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        response = client.post(path, data)
        seconds = time.perf_counter() - start
    assert response.status_code in (200, 302), (label, response.status_code)
    return response, seconds, counter


def run(client, model, name, make_csv, rows) -> dict:
    import_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    confirm_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import")
    made_here = {"meeting__fiscal_year": BENCH_YEAR} if model is Attendance else {"title__startswith": "職員"}
    model.objects.filter(**made_here).delete()  # what an earlier size imported
    content = make_csv(rows)
    upload = {
        "resource": "0",
        "format": "0",
        "encoding": "auto",
        "import_file": SimpleUploadedFile(f"{name}.csv", content),
    }
    before = model.objects.count()
    preview, t_preview, q_preview = step(client, "preview", import_url, upload)
    result = preview.context["result"]
    assert not result.error_list(), result.error_list()[:3]
    confirm_form = preview.context["confirm_form"]
    _, t_confirm, q_confirm = step(client, "confirm", confirm_url, dict(confirm_form.initial))
    assert model.objects.count() == before + rows
    upload["import_file"] = SimpleUploadedFile(f"{name}.csv", content)
    again, t_again, q_again = step(client, "again", import_url, upload)
    assert again.context["result"].totals["skip"] == rows
    return {
        "rows": rows,
        "preview": t_preview,
        "confirm": t_confirm,
        "total": t_preview + t_confirm,
        "again": t_again,
        "q_preview": len(q_preview),
        "q_confirm": len(q_confirm),
        "q_again": len(q_again),
        "selects": q_preview.kinds["SELECT"] + q_confirm.kinds["SELECT"],
        "kinds_confirm": str(q_confirm),
    }


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(sizes, *, largest=False):
    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        reference_data.load()
    user, _ = get_user_model().objects.get_or_create(username="bench-secretariat", defaults={"is_staff": True})
    user.groups.add(roles.ensure_role_groups()[roles.Role.SECRETARIAT])
    client = Client()
    client.force_login(user)
    print(
        f"# import benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{connection.vendor}, {os.cpu_count()} CPUs, {dt.date.today().isoformat()}"
    )
    print("# through the admin: upload + preview (dry run), confirm, upload the same file again")
    benchmarks = [(Official, "officials", officials_csv), (Attendance, "attendance", attendance_csv)]
    if largest:
        rows = settings.IMPORT_MAX_ROWS
        content = officials_csv(rows)
        before = peak_rss_mb()
        r = run(client, Official, "officials", lambda _: content, rows)
        print(
            f"officials  {rows:>6} rows ({len(content) / 1024 / 1024:.1f} MB CP932 CSV): preview {r['preview']:5.2f} s "
            f"+ confirm {r['confirm']:5.2f} s = {r['total']:5.2f} s; same file again {r['again']:5.2f} s"
        )
        print(f"{'':10} peak RSS: {before:.0f} MB before the upload, {peak_rss_mb():.0f} MB after")
        return
    for model, name, make_csv in benchmarks:
        results = [run(client, model, name, make_csv, rows) for rows in sizes]
        for r in results:
            print(
                f"{name:10} {r['rows']:>6} rows: preview {r['preview']:5.2f} s + confirm {r['confirm']:5.2f} s "
                f"= {r['total']:5.2f} s; same file again (preview, nothing to change) {r['again']:5.2f} s"
            )
            print(
                f"{'':10} {'':>6}       queries: preview {r['q_preview']}, confirm {r['q_confirm']} "
                f"({r['kinds_confirm']}), again {r['q_again']}; SELECTs in preview + confirm: {r['selects']}"
            )
        small, large = results[0], results[-1]
        print(
            f"{name:10} ×{large['rows'] / small['rows']:.0f} rows → time ×{large['total'] / small['total']:.1f}, "
            f"queries ×{(large['q_preview'] + large['q_confirm']) / (small['q_preview'] + small['q_confirm']):.1f} "
            f"(batched writes), SELECTs ×{large['selects'] / small['selects']:.1f}"
        )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([int(n) for n in arguments if n != "--largest"] or [1000, 10000], largest="--largest" in arguments)
