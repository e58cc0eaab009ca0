from django.urls import path

from . import views

urlpatterns = [
    path("dataanmodninger/", views.request_list, name="data-request-list"),
    path("dataanmodninger/ny/", views.request_create, name="data-request-create"),
    path("dataanmodninger/<int:pk>/", views.request_detail, name="data-request-detail"),
    path("dataanmodninger/<int:pk>/til-aps/", views.request_to_aps, name="data-request-to-aps"),
    path("dataanmodninger/<int:pk>/lever/", views.request_deliver, name="data-request-deliver"),
    path(
        "dataanmodninger/<int:pk>/leverancer/<int:delivery_pk>/fil/",
        views.delivery_download,
        name="data-delivery-download",
    ),
]
