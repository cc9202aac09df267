from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepresentativesConfig(AppConfig):
    name = "apps.representatives"
    verbose_name = _("代表名册")

    def ready(self):
        from apps.representatives.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.representatives.workbench import register_sources

        register_sources()  # the rows this app puts on staff workbenches
        from apps.core import roles
        from apps.representatives.duty import register
        from apps.representatives.self_reported import SOURCE

        register(SOURCE)
        self._connect_signals()

        manage = (
            "representatives.view_representative representatives.add_representative "
            "representatives.change_representative representatives.import_representative "
            "representatives.export_representative representatives.view_representative_contact "
            "representatives.view_constituency representatives.add_constituency representatives.change_constituency"
        )
        # Committee and township staff review activities, record voter ratings and confirm the
        # year's evaluation of the representatives in their scope; liaison staff only read them.
        duty = (
            " representatives.view_dutyactivity representatives.change_dutyactivity"
            " representatives.view_voterrating representatives.add_voterrating representatives.change_voterrating"
            " representatives.import_voterrating"
            " representatives.view_evaluation representatives.change_evaluation representatives.export_evaluation"
        )
        roles.grant(roles.Role.COMMITTEE, manage + duty + " representatives.delete_representative")
        roles.grant(roles.Role.TOWNSHIP, manage + duty)
        roles.grant(
            roles.Role.LIAISON,
            "representatives.view_representative representatives.view_constituency"
            " representatives.view_dutyactivity representatives.view_voterrating representatives.view_evaluation",
        )

    def _connect_signals(self):
        from django.db.models.signals import post_delete, post_save

        from apps.core.models import Region
        from apps.representatives.signals import roster_options_changed

        post_save.connect(roster_options_changed, sender=Region, dispatch_uid="roster_options_saved")
        post_delete.connect(roster_options_changed, sender=Region, dispatch_uid="roster_options_deleted")
