from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("<int:pk>/plans/<int:plan_pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/plans/<int:plan_pk>.pdf", views.plan_pdf, name="plan_pdf"),
    path("plans/<int:fiscal_year>.pdf", views.plan_of_year_pdf, name="plan_of_year_pdf"),
    path("progress/<int:fiscal_year>.pdf", views.progress_report_pdf, name="progress_pdf"),
    path("proposals/<int:fiscal_year>.pdf", views.next_year_items_pdf, name="proposals_pdf"),
]
