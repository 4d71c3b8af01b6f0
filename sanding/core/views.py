from django.shortcuts import render

from sanding.registry import selectors as registry_selectors


def home(request):
    figures = registry_selectors.region_figures(user=request.user)
    return render(request, "core/home.html", {"figures": figures})
