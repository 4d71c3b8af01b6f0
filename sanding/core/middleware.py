"""Response headers every page, export and download carries (static files are served by whitenoise
before these run and keep their own long caching)."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response: business pages, exports and downloads hold data that
    must not stay in a shared computer's browser cache or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` denying the browser features named in settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
