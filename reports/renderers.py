"""CSV output for tabular reports (`?format=csv`)."""

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts: a header row, then the values. The header comes from the
    view's `csv_columns`, so a table without rows is still a CSV file (its header line) rather
    than an empty body, which DRF would send without any Content-Type."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            # Not a table (e.g. an error body): one row under its own keys.
            rows, columns = [data], list(data)
        else:
            rows = list(data or [])
            view = (renderer_context or {}).get("view")
            columns = list(getattr(view, "csv_columns", None) or (rows[0] if rows else []))
        buffer = io.StringIO()
        if columns:
            writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return buffer.getvalue().encode(self.charset)
