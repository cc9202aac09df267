from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepresentativesConfig(AppConfig):
    name = "apps.representatives"
    verbose_name = _("代表名册")

    def ready(self):
        from apps.core import roles

        manage = (
            "representatives.view_representative representatives.add_representative "
            "representatives.change_representative representatives.import_representative "
            "representatives.export_representative representatives.view_representative_contact "
            "representatives.view_constituency representatives.add_constituency representatives.change_constituency"
        )
        roles.grant(roles.Role.COMMITTEE, manage + " representatives.delete_representative")
        roles.grant(roles.Role.TOWNSHIP, manage)
        roles.grant(roles.Role.LIAISON, "representatives.view_representative representatives.view_constituency")
