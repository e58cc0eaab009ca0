from django.urls import path

from . import views

urlpatterns = [
    path("arrangementer/", views.event_list, name="event-list"),
    path("arrangementer/nyt/", views.event_create, name="event-create"),
    path("arrangementer/<int:pk>/", views.event_detail, name="event-detail"),
    path("arrangementer/<int:pk>/rediger/", views.event_edit, name="event-edit"),
    path(
        "arrangementer/<int:pk>/offentliggoer/",
        views.event_transition,
        {"action": "publish"},
        name="event-publish",
    ),
    path(
        "arrangementer/<int:pk>/afholdt/",
        views.event_transition,
        {"action": "held"},
        name="event-held",
    ),
    path("arrangementer/<int:pk>/aflys/", views.event_cancel, name="event-cancel"),
    path("arrangementer/<int:pk>/tilmeld/", views.event_register, name="event-register"),
    path("arrangementer/<int:pk>/afmeld/", views.event_unregister, name="event-unregister"),
    path("arrangementer/<int:pk>/deltagelse/", views.event_attendance, name="event-attendance"),
    path("arrangementer/<int:pk>/materiale/", views.material_add, name="event-material-add"),
    path(
        "arrangementer/materiale/<int:pk>/",
        views.material_download,
        name="event-material-download",
    ),
]
