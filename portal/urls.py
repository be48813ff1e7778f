from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # Under /projects/ as the URL contract says; here because they compose several apps.
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/municipalities/<str:lg_code>/", views.municipality_detail, name="municipality"),
]
