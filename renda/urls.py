from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("representatives/", include("apps.representatives.urls")),
    path("inbox/", include("apps.notifications.urls")),
    path("proposals/", include("apps.proposals.urls")),
    path("liaison/", include("apps.liaison.urls")),
    path("training/", include("apps.training.urls")),
    path("posts/", include("apps.posts.urls")),
    path("groups/", include("apps.groups.urls")),
    path("livelihood/", include("apps.livelihood.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("", include("apps.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
