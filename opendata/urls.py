from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>.<str:fmt>", views.dataset, name="dataset"),
]
