from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "apps.groups"
    verbose_name = _("代表活动")

    def ready(self):
        from apps.groups.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.groups.workbench import register_sources

        register_sources()  # the rows this app puts on staff workbenches
        from apps.core import checkin, roles
        from apps.groups import checkin as groups_checkin
        from apps.groups.duty import SOURCE
        from apps.representatives.duty import register

        register(SOURCE)
        checkin.register(groups_checkin.KIND)

        models = ("activitygroup", "groupmembership", "activity", "campaign", "problemsolved", "inspection")
        # Township staff run their township's rows; the county's groups, campaigns and batches are
        # visible to them read-only (the scope makes rows above theirs read-only).
        staff = roles.crud("groups", *models, "inspectionsuggestion") + " groups.import_activity groups.export_activity"
        staff += " groups.export_inspection"
        roles.grant(roles.Role.COMMITTEE, staff)
        roles.grant(roles.Role.TOWNSHIP, staff)
        roles.grant(roles.Role.LIAISON, roles.crud("groups", *models, "inspectionsuggestion", verbs=("view",)))
