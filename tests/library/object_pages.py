"""Library object pages, one registry per part of the module."""

from tests.library.object_pages_market import OBJECT_PAGES as MARKET
from tests.library.object_pages_pages import OBJECT_PAGES as PAGES
from tests.library.object_pages_search import OBJECT_PAGES as SEARCH

OBJECT_PAGES = {**PAGES, **MARKET, **SEARCH}
