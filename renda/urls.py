from django.contrib import admin
from django.urls import include, path

from apps.portal import urls as portal_urls
from apps.representatives import urls as representatives_urls

# The representative's home is a portal page (it reads every app) under the representatives'
# path and name, "representatives:mine": the namespace gathers both apps' patterns.
representatives = (portal_urls.representative_urlpatterns + representatives_urls.urlpatterns, "representatives")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("representatives/", include(representatives)),
    path("inbox/", include("apps.notifications.urls")),
    path("proposals/", include("apps.proposals.urls")),
    path("liaison/", include("apps.liaison.urls")),
    path("training/", include("apps.training.urls")),
    path("posts/", include("apps.posts.urls")),
    path("groups/", include("apps.groups.urls")),
    path("livelihood/", include("apps.livelihood.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("", include("apps.portal.urls")),
    path("", include("apps.core.urls")),
]
# No route serves MEDIA_ROOT, not even in DEBUG: uploads go out only through views that check
# the viewer's scope (apps.core.downloads).
