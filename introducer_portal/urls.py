from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
    path("", include("proposals.urls")),
]

handler403 = "proposals.views.errors.forbidden"
handler404 = "proposals.views.errors.not_found"
handler500 = "proposals.views.errors.server_error"
