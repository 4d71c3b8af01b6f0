from .scoping import scope_for


def scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope": scope_for(user)}
