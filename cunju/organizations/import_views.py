"""The Party organizations' Excel import page."""

from cunju.core.views import ImportView

from .imports import OrganizationImport


class OrganizationImportView(ImportView):
    spec_class = OrganizationImport
    permission_required = "organizations.import_organization"
