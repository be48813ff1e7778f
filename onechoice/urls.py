import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from . import accounts, views

urlpatterns = [
    path("", include("portal.urls")),
    path("health/", views.health, name="health"),
    path("meetings/", include("meetings.urls")),
    path("projects/proposals/", include("proposals.urls")),  # before projects/: its 協議事項 PDF stays there
    path("projects/", include("projects.urls")),
    path("workgroups/", include("workgroups.urls")),
    path("search/", include("search.urls")),
    path("opendata/", include("opendata.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", accounts.my_account, name="account"),
    # Password change (logged in) and reset by mail (onechoice/accounts.py; templates/registration/).
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=accounts.PasswordResetForm,
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
            extra_email_context={"signature": settings.MAIL_SIGNATURE},
        ),
        name="password_reset",
    ),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]


def _development_photo(request, path):
    """A photo from MEDIA_ROOT (development only): photos/… and nothing else, after ``..``
    is resolved (photos/../handouts/… is not a photo)."""
    path = posixpath.normpath(path)
    if not path.startswith("photos/"):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# Uploads are never served from /media/ as a whole: a handout goes out through
# meetings:handout_file, which checks who may see it. Only the photos, which are public (the
# items' pages show them), are served from MEDIA_ROOT in development; in production the web
# server (or the bucket) serves /media/photos/ and never /media/handouts/.
if settings.DEBUG:
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", _development_photo)]
