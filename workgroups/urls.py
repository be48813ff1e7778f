from django.urls import path

from . import views

app_name = "workgroups"
urlpatterns = [
    path("", views.working_group_list, name="list"),
    path("status.pdf", views.status_pdf, name="status_pdf"),
]
