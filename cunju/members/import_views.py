"""The member register's Excel import page."""

from cunju.core.views import ImportView

from .imports import MemberImport


class MemberImportView(ImportView):
    spec_class = MemberImport
    permission_required = "members.import_member"
