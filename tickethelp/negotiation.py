"""DRF's content negotiation, with the API's common case answered without parsing.

Nearly every request says `Accept: application/json` or `*/*` (or nothing) and asks no
`?format=`: when the view's first renderer is JSON, that renderer is the answer DRF's
negotiation would reach after parsing and ordering the Accept header. Anything else (other
media types, quality values, several types, a format) goes through DRF's negotiation,
unchanged (406 included).
"""

from rest_framework.negotiation import DefaultContentNegotiation

JSON = "application/json"
_PLAIN_ACCEPTS = frozenset({"*/*", JSON})


class JSONFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and renderers[0].media_type == JSON
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "*/*") in _PLAIN_ACCEPTS
            and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        ):
            return renderers[0], JSON
        return super().select_renderer(request, renderers, format_suffix)
