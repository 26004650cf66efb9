from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """Places: county → town → community ← villages and residential areas (村居合一)."""

    name = "cunju.places"
    label = "places"
    verbose_name = _("Places")
