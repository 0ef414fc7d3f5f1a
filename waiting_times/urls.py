from django.urls import path

from . import views

app_name = "waiting_times"

urlpatterns = [
    path("ptl/", views.ptl, name="ptl"),
    path("ptl.csv", views.ptl_csv, name="ptl_csv"),
    path("ptl/performance/", views.performance_page, name="performance"),
    path("ptl/performance/extract.csv", views.extract_csv, name="extract_csv"),
    path("ptl/pathways/<int:pk>/", views.pathway_detail, name="pathway"),
    path("ptl/pathways/<int:pk>/dates/", views.pathway_dates, name="pathway_dates"),
    path("ptl/pathways/<int:pk>/breach-reason/", views.pathway_breach_reason, name="pathway_breach_reason"),
    path("ptl/pathways/<int:pk>/close/", views.pathway_close, name="pathway_close"),
    path("ptl/pathways/<int:pk>/next-actions/", views.next_action_add, name="next_action_add"),
    path("ptl/next-actions/<int:pk>/done/", views.next_action_done, name="next_action_done"),
]
