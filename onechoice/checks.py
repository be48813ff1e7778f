"""Start-up checks: what would silently make every PDF slow or wrong fails loudly instead."""

from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_print_engine(app_configs, **kwargs):
    # Without HarfBuzz's subsetter WeasyPrint falls back to fontTools and a one-page agenda
    # takes seconds instead of a tenth of one (see ../shared/DESIGN.md).
    from weasyprint.text import ffi

    if not ffi.harfbuzz_subset:
        return [
            checks.Error(
                "HarfBuzz-Subset (libharfbuzz-subset0) が見つかりません。PDF の作成が数十倍遅くなります。",
                hint="Debian/Ubuntu: apt-get install libharfbuzz-subset0",
                id="onechoice.E001",
            )
        ]
    return []
