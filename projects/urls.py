from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("municipalities/<str:lg_code>/", views.municipality_detail, name="municipality"),
]
