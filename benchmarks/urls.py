"""The portal's URLs plus two reference views behind the same middleware, which the pages'
requests per second are set against:

* /bench/bare/: touches no database and renders no template, the ceiling;
* /bench/user/: loads the requester (session and user lookups, as every page for a
  logged-in officer must), the ceiling of any logged-in page.
"""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def user(request):
    body = "ok" if request.user.is_authenticated else "anonymous"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/user/", user, name="bench-user"),
    path("", include("onechoice.urls")),
]
