from django.urls import path

from . import views

urlpatterns = [
    path("bibliotek/", views.item_list, name="library-list"),
    path("bibliotek/ny/", views.item_create, name="library-create"),
    path("bibliotek/<int:pk>/", views.item_detail, name="library-detail"),
    path("bibliotek/<int:pk>/rediger/", views.item_edit, name="library-edit"),
    path("bibliotek/<int:pk>/fil/", views.item_download, name="library-download"),
]
