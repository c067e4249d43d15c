from django.contrib.auth import views as auth_views
from django.urls import path

from proposals.views import health, home, workers

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("broker/", home.broker_home, name="broker_home"),
    path("staff/", home.staff_home, name="staff_home"),
    path("manage/", home.admin_home, name="admin_home"),
    path("manage/workers/check", workers.workers_check, name="workers_check"),
    path("manage/workers/status", workers.workers_status, name="workers_status"),
]
