from django.shortcuts import render

from sanding.registry import selectors as registry_selectors


def csrf_failure(request, reason=""):
    """A failed CSRF check explained in Chinese (Django's default page is English)."""
    return render(request, "403_csrf.html", status=403)


def home(request):
    figures = registry_selectors.region_figures(user=request.user)
    return render(request, "core/home.html", {"figures": figures})
