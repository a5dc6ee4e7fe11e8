from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "axes_limit": settings.AXES_FAILURE_LIMIT}


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password change; audited as auth.password_changed."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_done")

    def form_valid(self, form: Any) -> HttpResponse:
        from audit.signals import on_password_changed

        response = super().form_valid(form)
        on_password_changed(self.request, form.user, by=form.user, how="self")
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")
