"""Signals other apps listen to, so the organization tree does not import them.

``subtree_moved`` is sent inside the move's transaction, after the organizations' own paths
were rewritten, with ``old_path`` and ``new_path``: an app that copies organization paths
onto its rows (to scope them in one comparison) rewrites its copies there.

``organization_merged`` is sent inside a merge's transaction, once ``old`` is dissolved, with
``old`` and ``new``, the organization merged into: what belonged to ``old`` goes to ``new``.
"""

from django.dispatch import Signal

subtree_moved = Signal()
organization_merged = Signal()
