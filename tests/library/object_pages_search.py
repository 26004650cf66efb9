from tests.test_every_url import ObjectPage  # noqa: F401

OBJECT_PAGES: dict = {}
