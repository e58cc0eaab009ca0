"""The open pages under /aaben/ (Danish: open), no sign-in."""

from django.urls import path

from . import public_events, public_library
from . import public_views as views

urlpatterns = [
    path("", views.home, name="public-home"),
    path("organer/", views.body_list, name="public-body-list"),
    path("organer/<slug:code>/", views.body_detail, name="public-body-detail"),
    path("spor/", views.track_list, name="public-track-list"),
    path("spor/<int:pk>/", views.track_detail, name="public-track-detail"),
    path("spor/produkter/<int:pk>/", views.product_download, name="public-product-download"),
    path("rapporter/", views.report_list, name="public-report-list"),
    path("rapporter/udgiv/", views.report_publishing, name="public-report-publishing"),
    path("rapporter/<int:pk>/", views.report_download, name="public-report-download"),
    path("arrangementer/", public_events.event_list, name="public-event-list"),
    path("arrangementer/<int:pk>/", public_events.event_detail, name="public-event-detail"),
    path("viden/", public_library.library_list, name="public-library-list"),
    path("viden/<int:pk>/", public_library.library_detail, name="public-library-detail"),
    path("viden/<int:pk>/fil/", public_library.library_download, name="public-library-download"),
    path("tal/", views.figures, name="public-figures"),
    path("tal/<slug:slug>/", views.figures, name="public-figures-dgo"),
    path("data/", views.open_data, name="public-open-data"),
    # Named before the pattern of the summed data sets, which would take these names too.
    path(
        "data/kommuner-emissioner-excel.csv",
        views.municipal_emissions_excel,
        name="public-open-data-municipal-excel",
    ),
    path(
        "data/kommuner-emissioner.<str:fmt>",
        views.municipal_emissions,
        name="public-open-data-municipal",
    ),
    path("data/datapackage.json", views.open_data_package, name="public-open-data-package"),
    path(
        "data/<slug:dataset>.<str:fmt>",
        views.open_data_file,
        name="public-open-data-file",
    ),
]
