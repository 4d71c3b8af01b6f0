from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None):
    """A page of `queryset` from ?page=; out-of-range pages show the last page instead of an error."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
