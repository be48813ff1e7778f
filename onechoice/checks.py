"""Start-up checks: what would silently make every PDF slow or wrong, or leave an admin door
open, fails loudly instead."""

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


@checks.register(checks.Tags.admin)
def check_admin_actions_declare_permissions(app_configs, **kwargs):
    # An admin action without permissions runs for anyone who may view the list (a division
    # user once placed the seats of a meeting that way); every action must say what it takes.
    from .admin_tools import actions_without_permissions

    return [
        checks.Error(
            f"管理画面のアクション {name} に権限の指定がありません。",
            hint="@admin.action(permissions=['change']) のように、必要な権限を指定してください。",
            id="onechoice.E002",
        )
        for name in actions_without_permissions()
    ]
