"""Upload handler that stops storing a file once it passes the per-file maximum.

Django's temporary-file handler writes every byte of a file to disk before any view can
look at its size. This one stops writing at MAX_UPLOAD_SIZE and drops what it wrote, but
still reports the real size, so `check_upload` refuses the file ("supera el tamaño
máximo") without reading it and no oversized file ever sits in memory or on disk.
"""

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from tickethelp.uploads import MAX_UPLOAD_SIZE


class SizeCappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    max_file_size = MAX_UPLOAD_SIZE

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over_limit = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.over_limit:
            return
        if self.received > self.max_file_size:
            # The rest of this file is counted, never stored; free what was written.
            self.over_limit = True
            self.file.seek(0)
            self.file.truncate()
            return
        self.file.write(raw_data)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        # The size stays the real one: it is what the checks refuse.
        uploaded.size = file_size
        return uploaded
