"""The APIs' JSON renderer: DRF's output, byte for byte, encoded by orjson.

DRF's JSONRenderer runs the standard library's encoder with a Python `default` hook; orjson
encodes the same data several times faster (the large lists spend a visible share of their
time there, see bench/RESULTS.md). Output is kept identical to DRF's:

* compact separators, UTF-8 text rather than `\\u` escapes (UNICODE_JSON), and U+2028 /
  U+2029 escaped as DRF escapes them;
* dates, times, datetimes (UTC written with `Z`), Decimals, lazy translation strings,
  querysets and anything else orjson does not encode natively go through DRF's own
  encoder hook (`rest_framework.utils.encoders.JSONEncoder.default`), so they come out as
  DRF writes them; dataclasses too (orjson would encode them itself);
* a float below 1e-4 is written by Python as `1e-05` and by orjson as `0.00001`: an
  output holding `0.0000` (such a float, or the same characters inside a string) is
  rendered again by DRF's renderer;
* whatever orjson refuses (integers beyond 64 bits, non-string dict keys, lone
  surrogates, ...) and every indented rendering (`Accept: application/json; indent=4`,
  the browsable case) is DRF's renderer, unchanged.

One difference is left: a NaN or infinite float, which DRF's strict encoder refuses (a
500), is written as `null`. tests/contract/test_json_renderer.py compares both renderers
on the real responses of both APIs.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_default = JSONEncoder().default
# How orjson writes a float below 1e-4 (Python writes it with an exponent).
_SMALL_FLOAT = b"0.0000"


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (
            self.compact
            and not self.ensure_ascii
            and self.get_indent(accepted_media_type, renderer_context or {}) is None
        ):
            try:
                rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
            except (orjson.JSONEncodeError, TypeError, ValueError):
                rendered = None
            if rendered is not None and _SMALL_FLOAT not in rendered:
                # DRF escapes these two so that the output is also valid JavaScript.
                if b"\xe2\x80\xa8" in rendered or b"\xe2\x80\xa9" in rendered:
                    rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
                return rendered
        return super().render(data, accepted_media_type, renderer_context)
