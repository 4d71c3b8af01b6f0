from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A failed CSRF check explained in Chinese (Django's default page is English)."""
    return render(request, "403_csrf.html", status=403)
