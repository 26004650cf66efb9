"""Fixtures shared by every test: the world of ``tests/world.py``, anonymous visitors and the
demo, committed."""

import contextlib
import datetime as dt
import io
from collections.abc import Callable, Iterator
from copy import deepcopy
from types import SimpleNamespace

import pytest
from django.db.models.signals import post_migrate
from django.test import Client
from django.utils import timezone, translation

from tests.snapshots import Snapshots, TransactionCopy
from tests.world import build_world, client_for


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_DemoOnOneWorker(), "cunju-demo-on-one-worker")


class _DemoOnOneWorker:
    """With several workers (``-n``, ``--dist loadgroup``): the tests that load one variant of
    the committed demo run on one worker, so each variant is loaded once per run; every other
    test goes to whichever worker is free. The groups are large, so they are handed out first.

    (Grouping by module path: xdist's own ``xdist_group`` marks do not reach its scheduler
    with this pytest.)
    """

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class Scheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return _demo_group(nodeid) or nodeid

        return Scheduling(config, log)


def _demo_group(nodeid: str) -> str | None:
    """The demo snapshot a test loads, told from its module (``None``: it loads none)."""
    path = nodeid.split("::", 1)[0]
    if path == "tests/test_demo.py":
        return demo_snapshot_name(())
    if path.startswith("tests/browser/test_"):
        from tests.browser.conftest import skipped_demo_steps

        return demo_snapshot_name(skipped_demo_steps(path.removesuffix(".py").replace("/", ".")))
    return None


def demo_snapshot_name(skip: tuple[str, ...]) -> str:
    return "demo" + "".join(f"_without_{step.split('.')[1]}" for step in sorted(skip))


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


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete() -> Iterator[None]:
    """After a test that commits, PostgreSQL is emptied with DELETE rather than TRUNCATE.

    TRUNCATE gives every table and index new files: two seconds for the whole schema, after
    every such test, where DELETE of the few rows there are takes milliseconds. The foreign
    keys are deferred, so the order does not matter; a flush that must also reset sequences
    or cascade to other tables is left as it is.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
            for table in tables
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The town, communities A and B, their organizations and one user per role.

    Built through the actions once, then copied: most tests use the world, and building it
    costs a few hundred queries. The rows the build wrote are put back into each test's
    transaction (same ids) and the objects are fresh copies of those the build returned, so
    what one test changes never reaches the next. The copy is dropped, and the world built
    again, whenever the committed data under the transactions may have changed (after any
    test that commits), on a new day, or when the files it names are gone; a world asked for
    with committed transactions or changed settings is always built.
    """
    from django.conf import UserSettingsHolder, settings
    from django.db import connection

    import tests.world

    if not connection.in_atomic_block or isinstance(settings._wrapped, UserSettingsHolder):
        return build_world()
    key = (
        dt.date.today(),
        timezone.localdate(),
        translation.get_language(),
        tuple(tests.world.WORLD_EXTENSIONS),
        str(settings.MEDIA_ROOT),
    )
    saved = _world_copies.get(key)
    if saved is not None and saved[0].intact():
        copy, pristine = saved
        copy.restore()
        return deepcopy(pristine)
    _world_copies.clear()
    copy = TransactionCopy(build_world)
    built = copy.result
    # An object that cannot be copied: the world is built every time instead.
    with contextlib.suppress(Exception):
        _world_copies[key] = (copy, deepcopy(built))
    return built


# Key → (rows, objects) of the world built last; emptied whenever committed data may change.
_world_copies: dict[tuple, tuple[TransactionCopy, SimpleNamespace]] = {}
# How a test commits: pytest-django's fixtures and django_db marker options for it.
_COMMITTING_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_serialized_rollback",
    "django_db_reset_sequences",
}
_COMMITTING_OPTIONS = ("transaction", "reset_sequences", "serialized_rollback")


def _may_commit(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & _COMMITTING_FIXTURES:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        options = dict(zip(("transaction", "reset_sequences"), marker.args, strict=False))
        options.update(marker.kwargs)
        return any(options.get(option) for option in _COMMITTING_OPTIONS)
    # Without the database fixtures, a test that unblocks the database itself may commit.
    return "django_db_blocker" in names and "_django_db_helper" not in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if _may_commit(item):
            _world_copies.clear()


def _forget_world(**kwargs) -> None:
    # Flushing the database re-creates content types and permissions with new ids.
    _world_copies.clear()


post_migrate.connect(_forget_world, weak=False, dispatch_uid="tests-forget-world")


@pytest.fixture
def anonymous() -> Client:
    """A visitor who has not signed in."""
    return client_for(None)


@pytest.fixture(scope="session")
def _snapshots(django_db_setup, django_db_blocker) -> Iterator[Snapshots]:
    saved = Snapshots()
    yield saved
    with django_db_blocker.unblock():
        saved.drop()


@pytest.fixture
def committed_demo(transactional_db, _snapshots) -> Callable[..., None]:
    """``committed_demo(skip=(...))`` fills the database with the demo, committed, as
    ``cunju demo`` leaves it (but the steps in ``skip``); the database is emptied after the test.

    The demo is loaded the first time in a run and restored from a copy after that, so every
    test starts from the same data, whatever the tests before it changed.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from cunju.core.demo import load_demo

    def load(skip: tuple[str, ...]) -> None:
        # As `cunju demo` on the command line: in the default language, one transaction, the
        # office files converted once it commits.
        with translation.override(settings.LANGUAGE_CODE):
            if not skip:
                call_command("demo", stdout=io.StringIO())
                return
            with transaction.atomic():
                load_demo(skip=skip)

    def committed(*, skip: tuple[str, ...] = ()) -> None:
        _snapshots.get(demo_snapshot_name(skip), lambda: load(tuple(skip)))

    return committed
