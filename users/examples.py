"""OpenAPI examples of the "Usuarios" section (documentation only), taken from the demo data
of `manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import request_example, response_example

# Shortened for readability; real tokens are ~300 characters.
ACCESS_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.access-signature"
REFRESH_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.refresh-signature"

ADMIN = {
    "id": 1,
    "document": "1000000001",
    "email": "admin@tickethelp.local",
    "first_name": "Ana",
    "last_name": "Administradora",
    "full_name": "Ana Administradora",
    "number": "+57 300 000 0001",
    "role": "ADMIN",
    "is_active": True,
    "must_change_password": False,
    "profile_picture": "",
    "date_joined": "2026-01-15T09:30:00-05:00",
}
TECHNICIAN = {
    **ADMIN,
    "id": 3,
    "document": "2000000001",
    "email": "tech@tickethelp.local",
    "first_name": "Tomás",
    "last_name": "Técnico",
    "full_name": "Tomás Técnico",
    "number": "+57 300 000 0101",
    "role": "TECH",
}
CLIENT = {
    **ADMIN,
    "id": 6,
    "document": "3000000001",
    "email": "client@tickethelp.local",
    "first_name": "Carla",
    "last_name": "Cliente",
    "full_name": "Carla Cliente",
    "number": "+57 300 000 0201",
    "role": "CLIENT",
}
NEW_CLIENT = {
    **CLIENT,
    "id": 14,
    "document": "3000000009",
    "email": "lucia.perez@example.com",
    "first_name": "Lucía",
    "last_name": "Pérez",
    "full_name": "Lucía Pérez",
    "number": "+57 310 555 0199",
    "must_change_password": True,
    "date_joined": "2026-03-02T10:05:00-05:00",
}

LOGIN_REQUEST = request_example(
    "Inicio de sesión", {"email": "admin@tickethelp.local", "password": "TicketHelp-demo-2026"}
)
LOGIN_RESPONSE = response_example(
    "Sesión iniciada",
    {
        "refresh": REFRESH_JWT,
        "access": ACCESS_JWT,
        "email": ADMIN["email"],
        "role": "ADMIN",
        "is_active": True,
        "document": ADMIN["document"],
        "must_change_password": False,
        "first_name": ADMIN["first_name"],
        "last_name": ADMIN["last_name"],
        "user": ADMIN,
    },
)
LOGIN_FAILED = {"detail": "Correo o contraseña incorrectos."}
LOGIN_THROTTLED = {"detail": "Demasiados intentos de inicio de sesión. Intenta de nuevo en 42 segundos."}

REFRESH_REQUEST = request_example("Token de refresco", {"refresh": REFRESH_JWT})
REFRESH_RESPONSE = response_example("Par de tokens nuevo", {"access": ACCESS_JWT, "refresh": REFRESH_JWT})
REFRESH_FAILED = {"detail": "La sesión ya no es válida, inicia sesión de nuevo."}
LOGOUT_RESPONSE = response_example("Sesión cerrada", {"detail": "Sesión cerrada correctamente."})
LOGOUT_INVALID = {
    "detail": "El token de refresco no pertenece a este usuario.",
    "code": "token_not_owned",
    "refresh": ["El token no pertenece a este usuario."],
}

AUTH_CHANGE_PASSWORD_REQUEST = request_example(
    "Cambio de contraseña", {"old_password": "TicketHelp-demo-2026", "new_password": "Otra-clave-segura-2026"}
)
AUTH_CHANGE_PASSWORD_RESPONSE = response_example("Contraseña cambiada", {"detail": "Contraseña actualizada con éxito"})
WRONG_OLD_PASSWORD = {
    "detail": "La contraseña actual es incorrecta.",
    "code": "wrong_password",
    "old_password": ["La contraseña actual es incorrecta."],
}
WRONG_CURRENT_PASSWORD = {
    "detail": "La contraseña actual es incorrecta.",
    "code": "wrong_password",
    "current_password": ["La contraseña actual es incorrecta."],
}

VALIDATE_TOKEN_RESPONSE = response_example("Token válido", {"valid": True, "user": ADMIN})
USER_DATA_RESPONSE = response_example(
    "Usuario y claims del token",
    {
        **ADMIN,
        "token_claims": {
            "token_type": "access",
            "exp": 1767888000,
            "iat": 1767886200,
            "jti": "76abd0d3d0ff45f69185790a00a9c0b4",
            "user_id": "1",
            "role": "ADMIN",
            "document": ADMIN["document"],
            "email": ADMIN["email"],
        },
    },
)

USER_LIST_RESPONSE = response_example("Usuarios", ADMIN, summary="Un elemento de la lista")
USER_RESPONSE = response_example("Usuario", ADMIN)
USER_NOT_FOUND = {"detail": "Usuario no encontrado.", "code": "user_not_found"}

USER_CREATE_REQUEST = request_example(
    "Nuevo cliente",
    {
        "document": "3000000009",
        "email": "lucia.perez@example.com",
        "first_name": "Lucía",
        "last_name": "Pérez",
        "number": "+57 310 555 0199",
        "role": "CLIENT",
    },
    summary="La contraseña temporal llega por correo",
)
USER_CREATE_RESPONSE = response_example(
    "Usuario creado", {"message": "Usuario creado exitosamente", "user": NEW_CLIENT}, status=201
)
USER_CREATE_INVALID = {"email": ["Introduzca una dirección de correo electrónico válida."]}
USER_EXISTS = {"detail": "Ya existe un usuario con ese documento, correo o número.", "code": "user_exists"}

USER_DELETE_CONFLICT = {
    "detail": "El usuario tiene registros asociados y no puede eliminarse; desactívalo en su lugar.",
    "code": "user_has_records",
}
CANNOT_DELETE_SELF = {"detail": "No puedes eliminar tu propio usuario.", "code": "cannot_delete_self"}
CANNOT_DEACTIVATE_SELF = {"detail": "No puedes desactivar tu propio usuario.", "code": "cannot_deactivate_self"}
USER_ACTIVATED_RESPONSE = response_example("Usuario activado", {"detail": "Usuario activado."})
USER_DEACTIVATED_RESPONSE = response_example("Usuario desactivado", {"detail": "Usuario desactivado."})

PROFILE_PICTURE_REQUEST = request_example(
    "Nueva foto", {"profile_picture": "https://cdn.example.com/avatars/carla.jpg"}
)
PROFILE_PICTURE_RESPONSE = response_example(
    "Foto actualizada",
    {
        "message": "Foto de perfil actualizada correctamente.",
        "user": {**CLIENT, "profile_picture": "https://cdn.example.com/avatars/carla.jpg"},
    },
)
FIELD_NOT_EDITABLE = {
    "detail": "No puedes modificar estos campos.",
    "code": "field_not_editable",
    "role": ["Este campo no se puede modificar."],
}
# update-user: activation has its own endpoints; `is_active` is accepted only unchanged.
ACTIVE_NOT_EDITABLE = {
    "detail": "No puedes modificar estos campos.",
    "code": "field_not_editable",
    "is_active": ["Este campo no se puede modificar."],
}

USER_UPDATE_REQUEST = request_example(
    "Cambio de teléfono y apellido", {"last_name": "Cliente Ruiz", "number": "+57 300 111 2233"}
)
USER_UPDATE_MERGED_REQUEST = request_example(
    "Registro completo (interfaz web)",
    {
        "email": CLIENT["email"],
        "role": "CLIENT",
        "is_active": True,
        "document": CLIENT["document"],
        "first_name": "Carla",
        "last_name": "Cliente Ruiz",
        "number": "+57 300 111 2233",
    },
    summary="Los campos con el valor guardado no son cambios; `is_active` solo se acepta sin cambiar",
)
USER_UPDATE_RESPONSE = response_example(
    "Datos actualizados",
    {
        "message": "Datos actualizados correctamente.",
        "user": {
            **CLIENT,
            "last_name": "Cliente Ruiz",
            "full_name": "Carla Cliente Ruiz",
            "number": "+57 300 111 2233",
        },
    },
)

CLIENT_FOUND_RESPONSE = response_example(
    "Cliente encontrado", {"success": True, "message": "Cliente encontrado exitosamente", "data": CLIENT}
)
CLIENT_NOT_FOUND = {
    "success": False,
    "message": "El cliente con documento 3999999999 no existe en el sistema",
    "suggestion": "Debe crear el cliente antes de continuar",
    "code": "CLIENT_NOT_FOUND",
    "data": None,
}

ME_UPDATE_REQUEST = request_example("Cambio de teléfono", {"number": "+57 300 111 2233"})
ME_UPDATE_MERGED_REQUEST = request_example(
    "Registro completo (interfaz web)",
    {
        "email": ADMIN["email"],
        "role": "ADMIN",
        "is_active": True,
        "document": ADMIN["document"],
        "first_name": "Ana",
        "last_name": "Administradora",
        "number": "+57 300 111 2233",
    },
    summary="Rol, estado, documento y correo se aceptan solo con el valor que ya tienen (salvo para un ADMIN)",
)
ME_UPDATE_RESPONSE = response_example(
    "Perfil actualizado",
    {"message": "Datos actualizados correctamente.", "user": {**ADMIN, "number": "+57 300 111 2233"}},
)
OWN_PASSWORD_REQUEST = request_example(
    "Cambio de la propia contraseña",
    {"current_password": "TicketHelp-demo-2026", "new_password": "Otra-clave-segura-2026"},
)
OWN_PASSWORD_RESPONSE = response_example(
    "Contraseña cambiada", {"message": "Contraseña actualizada correctamente, vuelve a iniciar sesión."}
)
ADMIN_PASSWORD_REQUEST = request_example("Contraseña fijada por un ADMIN", {"new_password": "Temporal-segura-2026"})
ADMIN_PASSWORD_RESPONSE = response_example(
    "Contraseña fijada", {"message": "Contraseña actualizada. Vuelve a iniciar sesión."}
)
OTHER_USER_FORBIDDEN = {"detail": "Solo puedes consultar o modificar tu propio usuario.", "code": "permission_denied"}
IMPERSONATION_DENIED = {
    "detail": "No puedes actuar ni consultar datos de otro usuario.",
    "code": "impersonation_denied",
}
