"""Request-body validation shared by every view."""


def validated(serializer_class, request, *, partial: bool = False) -> dict:
    """The validated data of `request.data`, or a ValidationError (400, or 422 on the tenant API)."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
