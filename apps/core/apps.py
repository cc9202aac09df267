from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("基础数据")

    def ready(self):
        from django.contrib.admin import helpers

        from apps.core import roles, signals
        from apps.core.admin_mixins import readonly_link_if_it_opens
        from apps.core.collation import register_sqlite_collation
        from apps.core.county_settings import county_settings_changed
        from apps.core.export_jobs import export_dir, export_retry
        from apps.core.jobs import register_job_kind
        from apps.core.models import ExportJob
        from apps.core.workdays import calendar_changed

        helpers.AdminReadonlyField.get_admin_url = readonly_link_if_it_opens

        register_job_kind(ExportJob, folder=export_dir, retry=export_retry)

        for model in ("core.HolidayYear", "core.CalendarDay"):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"renda_calendar_saved_{model}")
            post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"renda_calendar_deleted_{model}")
        # The cached county settings follow their rows and the county's region (county_settings.refresh).
        county_model = "core.CountySettings"
        post_save.connect(county_settings_changed, sender=county_model, dispatch_uid="renda_county_settings_saved")
        post_delete.connect(county_settings_changed, sender=county_model, dispatch_uid="renda_county_settings_deleted")
        post_save.connect(county_settings_changed, sender="core.Region", dispatch_uid="renda_county_region_saved")

        signals.connect()

        connection_created.connect(register_sqlite_collation, dispatch_uid="renda_sqlite_stroke")
        post_migrate.connect(roles.sync_role_groups_after_migrate, dispatch_uid="renda_role_groups")
        roles.grant(
            roles.Role.COMMITTEE,
            "core.view_region core.add_region core.change_region "
            "core.view_congressterm core.add_congressterm core.change_congressterm "
            "core.view_congresssession core.add_congresssession core.change_congresssession "
            "core.view_handlingunit core.add_handlingunit core.change_handlingunit "
            "core.view_user core.add_user core.change_user core.view_taskheartbeat "
            "core.view_holidayyear core.add_holidayyear core.change_holidayyear core.delete_holidayyear "
            "core.recompute_deadlines core.view_calendarday core.add_calendarday core.change_calendarday "
            "core.delete_calendarday core.view_exportjob core.change_exportjob "
            "core.view_countysettings core.add_countysettings core.change_countysettings",
        )
        roles.grant(
            roles.Role.TOWNSHIP,
            "core.view_region core.add_region core.change_region core.view_congressterm "
            "core.view_congresssession core.view_handlingunit core.view_holidayyear core.view_calendarday",
        )
        roles.grant(roles.Role.LIAISON, "core.view_region core.view_congressterm core.view_congresssession")
        # The security auditor reads and exports the audit log, and nothing else (docs/security.md).
        roles.grant(roles.Role.AUDITOR, "core.view_auditevent core.export_auditevent")
