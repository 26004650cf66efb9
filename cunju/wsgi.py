"""WSGI entry point for `cunju serve` and any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cunju.settings")
application = get_wsgi_application()
