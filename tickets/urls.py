"""Routes of the "Tickets" section (filled in by the Tickets issue)."""

urlpatterns: list = []
