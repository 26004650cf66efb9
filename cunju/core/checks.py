"""System checks that tell an admin what the installation is missing."""

from django.conf import settings
from django.core.checks import Info, register


@register()
def office_conversion(app_configs, **kwargs):
    if settings.CUNJU_SOFFICE:
        return []
    return [
        Info(
            "LibreOffice (soffice) was not found: office documents cannot be converted.",
            hint="Install it: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
            "libreoffice-impress-nogui fonts-noto-cjk",
            id="cunju.I001",
        )
    ]
