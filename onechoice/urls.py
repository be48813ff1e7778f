import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from . import views

urlpatterns = [
    path("", include("portal.urls")),
    path("health/", views.health, name="health"),
    path("meetings/", include("meetings.urls")),
    path("projects/", include("projects.urls")),
    path("workgroups/", include("workgroups.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
