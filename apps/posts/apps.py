from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "apps.posts"
    verbose_name = _("履职岗位")

    def ready(self):
        from apps.posts.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.posts.workbench import register_sources

        register_sources()  # the rows this app puts on staff workbenches
        from apps.core import roles
        from apps.posts.duty import SOURCE
        from apps.representatives.duty import register

        register(SOURCE)

        # Township staff run their township's posts and review its logs; roles are the
        # committee's list. Logs change only through the review actions ("change").
        township = (
            roles.crud("posts", "dutypost", "postassignment")
            + " posts.view_postrole posts.view_postlog posts.add_postlog posts.change_postlog posts.view_postlogphoto"
            + " posts.import_dutypost posts.export_dutypost posts.import_postassignment posts.export_postassignment"
        )
        roles.grant(roles.Role.COMMITTEE, township + " " + roles.crud("posts", "postrole") + " posts.delete_dutypost")
        roles.grant(roles.Role.TOWNSHIP, township)
        roles.grant(
            roles.Role.LIAISON,
            roles.crud("posts", "postrole", "dutypost", "postassignment", "postlog", "postlogphoto", verbs=("view",)),
        )
