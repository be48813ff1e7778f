from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/support/", views.proposal_support, name="support"),
    path("<int:pk>/delete/", views.proposal_delete, name="delete"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("attachments/<int:pk>/file/", views.attachment_file, name="attachment_file"),
]
