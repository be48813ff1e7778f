from django.urls import path

from . import views

app_name = "workgroups"
urlpatterns = [
    path("", views.working_group_list, name="list"),
]
