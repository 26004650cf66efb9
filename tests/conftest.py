"""Fixtures shared by every test: the world of ``tests/world.py`` and anonymous visitors."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import translation

from tests.world import build_world, client_for


@pytest.fixture(autouse=True)
def english(request):
    """Messages made outside a request are English unless a test asks for Chinese.

    Without this the language would depend on which request the thread served last (the
    locale middleware leaves it active), and messages would change with test order.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _media_of_this_run():
    """Files tests store live under this run's own media folder, removed at the end."""
    import shutil

    from django.conf import settings

    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The town, communities A and B, their organizations and one user per role."""
    return build_world()


@pytest.fixture
def anonymous() -> Client:
    """A visitor who has not signed in."""
    return client_for(None)
