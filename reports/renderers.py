"""CSV output for tabular reports (`?format=csv`)."""

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts: a header row from the first row's keys, then the values."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, list):
            # Errors (a dict such as {"detail": ...}) are rendered as one row too.
            data = [data] if isinstance(data, dict) else []
        buffer = io.StringIO()
        if data:
            writer = csv.DictWriter(buffer, fieldnames=list(data[0]), extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(data)
        return buffer.getvalue().encode(self.charset)
