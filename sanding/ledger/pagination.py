"""A paginator whose count stops at a cap, so a page of a million-row ledger never counts them all."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, *args, cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap or getattr(settings, "LEDGER_COUNT_CAP", 10000)

    @cached_property
    def count(self):
        # COUNT(*) over a LIMITed subquery of ids only: at most cap + 1 rows are read, no joins or
        # annotations that the filters do not need.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap


def paginate_capped(request, queryset, per_page=None):
    """A page whose rows are fetched in two steps: the page's ids (an index walk, no joins for the
    skipped rows), then the full rows for those ids only; so a deep page costs about what the first does."""
    paginator = CappedPaginator(queryset, per_page or settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list.values_list("pk", flat=True))
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
