from django.urls import path

from . import views

app_name = "mdt"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("generate/", views.meetings_generate, name="meetings_generate"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/cases/", views.meeting_add_discussion, name="meeting_add_discussion"),
    path("meetings/<int:pk>/add-case/", views.meeting_add_case, name="meeting_add_case"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path(
        "meetings/<int:pk>/<str:action>/",
        views.meeting_transition,
        name="meeting_transition",
    ),
    path("discussions/<int:pk>/", views.discussion_detail, name="discussion_detail"),
    path("discussions/<int:pk>/outcome/", views.discussion_outcome, name="discussion_outcome"),
    path("discussions/<int:pk>/send/", views.discussion_send, name="discussion_send"),
    path("discussions/<int:pk>/move/", views.discussion_move, name="discussion_move"),
    path("discussions/<int:pk>/readiness/", views.discussion_readiness, name="discussion_readiness"),
    path("referrals/<int:referral_id>/add-to-next/", views.add_to_next, name="add_to_next"),
    path("attendance/", views.attendance_report, name="attendance_report"),
    path("mine/", views.my_mdt, name="my_mdt"),
    path("mine/calendar/", views.calendar_token, name="calendar_token"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
