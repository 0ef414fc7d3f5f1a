from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/pdf/", views.letter_pdf, name="pdf"),
    path("<int:pk>/send/", views.letter_send, name="send"),
    path("write/<str:kind>/<int:source_id>/", views.letter_generate, name="generate"),
    path("print-batches/", views.print_batches, name="print_batches"),
    path("print-batches/new/", views.print_batch_create, name="print_batch_create"),
    path("print-batches/<int:pk>/pdf/", views.print_batch_pdf, name="print_batch_pdf"),
]
