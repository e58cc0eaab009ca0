from django.urls import path

from . import views

urlpatterns = [
    path("bodies/", views.body_list, name="body-list"),
    path("bodies/<slug:code>/", views.body_detail, name="body-detail"),
    path("bodies/<slug:code>/people/", views.body_people, name="body-people"),
    path("bodies/<slug:code>/people/<int:pk>/end/", views.body_seat_end, name="body-seat-end"),
    path("bodies/<slug:code>/seats/new/", views.seat_create, name="seat-create"),
    path("bodies/<slug:code>/seats/people/", views.seat_person_search, name="seat-person-search"),
    path("bodies/<slug:code>/seats/<int:pk>/edit/", views.seat_edit, name="seat-edit"),
    path("bodies/<slug:code>/composition/", views.body_composition, name="body-composition"),
    path(
        "bodies/<slug:code>/minutes-approval/",
        views.body_minutes_setting,
        name="body-minutes-setting",
    ),
    path("bodies/<slug:code>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("bodies/<slug:code>/decisions/new/", views.decision_create, name="decision-create"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/agenda/new/", views.agenda_item_create, name="agenda-item-create"),
    path(
        "meetings/<int:pk>/agenda/<int:item>/edit/", views.agenda_item_edit, name="agenda-item-edit"
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/up/",
        views.agenda_item_change,
        {"action": "up"},
        name="agenda-item-up",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/down/",
        views.agenda_item_change,
        {"action": "down"},
        name="agenda-item-down",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/remove/",
        views.agenda_item_change,
        {"action": "remove"},
        name="agenda-item-remove",
    ),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path(
        "meetings/<int:pk>/minutes/to-meeting/",
        views.meeting_minutes_to_meeting,
        name="meeting-minutes-to-meeting",
    ),
    path("meetings/<int:pk>/pack.pdf", views.meeting_pack, name="meeting-pack"),
    path("meetings/<int:pk>/papers/new/", views.paper_upload, name="paper-upload"),
    path(
        "meetings/<int:pk>/papers/<int:paper>/remove/",
        views.paper_remove,
        name="paper-remove",
    ),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/publish/",
        views.meeting_transition,
        {"action": "publish"},
        name="meeting-publish-agenda",
    ),
    path(
        "meetings/<int:pk>/held/",
        views.meeting_transition,
        {"action": "held"},
        name="meeting-mark-held",
    ),
    path(
        "meetings/<int:pk>/approve-minutes/",
        views.meeting_transition,
        {"action": "approve"},
        name="meeting-approve-minutes",
    ),
    path("papers/<int:pk>/", views.paper_download, name="paper-download"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/vote/", views.decision_vote, name="decision-vote"),
    path(
        "decisions/<int:pk>/record-votes/",
        views.decision_record_votes,
        name="decision-record-votes",
    ),
    path("decisions/<int:pk>/close/", views.decision_close, name="decision-close"),
    path("decisions/<int:pk>/comments/", views.decision_comment, name="decision-comment"),
    path("decisions/<int:pk>/absence/", views.decision_absence, name="decision-absence"),
    path("decisions/<int:pk>/substitute/", views.decision_substitute, name="decision-substitute"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar-revoke"),
]
