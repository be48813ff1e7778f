from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/attendance/", views.attendance_reply, name="attendance"),
    path("<int:pk>/materials/", views.materials, name="materials"),
    path("<int:pk>/materials/<int:slot>/file/", views.material_file, name="material_file"),
    path("<int:pk>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/attendees.pdf", views.attendees_pdf, name="attendees_pdf"),
    path("<int:pk>/seating.pdf", views.seating_pdf, name="seating_pdf"),
    path("<int:pk>/packet.pdf", views.packet_pdf, name="packet_pdf"),
    path("handouts/<int:pk>/file/", views.handout_file, name="handout_file"),
    path("schedule/<int:fiscal_year>/", views.schedule, name="schedule"),
    path("schedule/<int:fiscal_year>.pdf", views.schedule_pdf, name="schedule_pdf"),
]
