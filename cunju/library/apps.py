from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The study library (资料库): upload, conversion, previews, page text, search, downloads
    paid in points, complaints and moderation."""

    name = "cunju.library"
    label = "library"
    verbose_name = _("Study library")

    def ready(self) -> None:
        from . import receivers
        from .search import receivers as search_receivers

        receivers.connect()
        search_receivers.connect()
