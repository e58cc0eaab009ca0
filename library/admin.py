from django.contrib import admin

from .models import LibraryItem, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The secretariat keeps the library's topics here."""

    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    """Products change through the library's pages (and their service): shown for support."""

    list_display = ("title", "kind", "topic", "author_organisation", "published_on", "is_public")
    list_filter = ("kind", "is_public", "topic")
    search_fields = ("title", "summary")
    list_select_related = ("topic", "author_organisation")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
