"""Password rule of the product: a password is never the user's e-mail or document."""

from django.core.exceptions import ValidationError


class NotIdentityPasswordValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        candidates = {str(getattr(user, "email", "") or "").lower(), str(getattr(user, "document", "") or "").lower()}
        email = str(getattr(user, "email", "") or "")
        if "@" in email:
            candidates.add(email.split("@", 1)[0].lower())
        if (password or "").strip().lower() in candidates - {""}:
            raise ValidationError(
                "La contraseña no puede ser igual al correo ni al documento.",
                code="password_is_identity",
            )

    def get_help_text(self):
        return "La contraseña no puede ser igual al correo ni al documento."
