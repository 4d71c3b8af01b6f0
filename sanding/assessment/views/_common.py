"""Small helpers shared by the assessment views."""


def _error_text(error):
    return "；".join(error.messages)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
