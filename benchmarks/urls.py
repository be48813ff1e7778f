"""The portal's URLs plus /bench/bare/: a Django view behind the same middleware that touches
no database and renders no template, the ceiling a page's requests per second are set against."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("onechoice.urls")),
]
