"""OpenAPI examples of the tenant portal (documentation only), taken from the demo data of
`manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import request_example, response_example

# Shortened for readability; a real token is ~300 characters.
PORTAL_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.tenant-signature"

BUILDING = {
    "id": 1,
    "name": "Torres del Parque",
    "address": "Carrera 5 # 26-40, Bogotá",
    "description": "Conjunto residencial de tres torres junto al parque.",
    "location_link": None,
    "image": None,
}
OWNER = {
    "id": 1,
    "name": "Inversiones Altamira S.A.S.",
    "email": "contacto@altamira.example.com",
    "phone": "+57 601 555 0101",
    "photo": None,
}
TV = {
    "id": 1,
    "name": "Televisor de la sala",
    "status": True,
    "ubicacion": "Sala",
    "brand": "Samsung",
    "model": "QN55Q60",
    "system": None,
    "device_type": "Televisor",
    "icon_id": "tv",
    "name_device": {"id": 1, "name": "Televisor", "status": True},
}
FRIDGE = {
    "id": 3,
    "name": "Nevera de la cocina",
    "status": True,
    "ubicacion": "Cocina",
    "brand": "Mabe",
    "model": "RMB300",
    "system": None,
    "device_type": "Nevera",
    "icon_id": "fridge",
    "name_device": {"id": 3, "name": "Nevera", "status": True},
    "owner": {"id": 2, "name": "Raúl Residente", "email": "resident2@tickethelp.local"},
}
TECHNICIAN = {"id": 5, "name": "Tulio Soporte", "email": "tech3@tickethelp.local", "phone": "+57 300 000 0103"}
TICKET_DEVICE = {
    "id": 1,
    "name": "Televisor de la sala",
    "brand": "Samsung",
    "model": "QN55Q60",
    "system": None,
    "device_type": "Televisor",
}
ATTACHMENT = {
    "id": 4,
    "filename": "pantalla.jpg",
    "path": "tickets/9/5b0c1d7e.jpg",
    "url": "https://tickethelp.example.com/api/files/attachments/4?sig=1vXyZk:Qm9f3m1d6Z0",
    "mime_type": "image/jpeg",
    "size": 184233,
    "created_at": "2026-03-05T13:12:40.000000Z",
}
TICKET = {
    "id": 9,
    "code": "TK-000009",
    "title": "El televisor no da imagen",
    "description": "Enciende pero la pantalla queda negra.",
    "category": "electrodomesticos",
    "status": "open",
    "priority": "high",
    "created_at": "2026-03-05T13:12:40.000000Z",
    "updated_at": "2026-03-05T13:12:40.000000Z",
    "device": TICKET_DEVICE,
    "technical": TECHNICIAN,
    "attachments": [ATTACHMENT],
}
TICKET_DETAIL = {
    **TICKET,
    "device": {**TICKET_DEVICE, "ubicacion": "Sala"},
    "histories": [
        {
            "id": 27,
            "action": "created",
            "description": "Ticket TK-000009 creado, asignado a Tulio Soporte.",
            "user_name": "Rosa Residente",
            "created_at": "2026-03-05T13:12:40.000000Z",
        }
    ],
    "expected_resolution_at": "2026-03-12T13:12:40.000000Z",
}
NOTIFICATION = {
    "id": 44,
    "type": "ticket_creado",
    "title": "Ticket TK-000009 creado",
    "message": "Se registró tu ticket TK-000009 «El televisor no da imagen». Te avisaremos de cada avance.",
    "notification_type": "ticket_creado",
    "ticket_id": 9,
    "ticket_code": "TK-000009",
    "ticket_title": "El televisor no da imagen",
    "ticket_status": "open",
    "device": TICKET_DEVICE,
    "technical": TECHNICIAN,
    "read": False,
    "is_read": False,
    "read_at": None,
    "created_at": "2026-03-05T13:12:41.000000Z",
    "data": {"evento": "ticket_creado", "ticket_id": 9, "ticket_code": "TK-000009"},
}
TICKET_NOT_FOUND = {"error": "Not Found", "message": "Ticket not found."}

LOGIN_REQUEST = request_example(
    "Resident login", {"email": "resident@tickethelp.local", "password": "TicketHelp-demo-2026"}
)
LOGIN_RESPONSE = response_example(
    "Logged in",
    {
        "user": {
            "id": 9,
            "name": "Rosa Residente",
            "email": "resident@tickethelp.local",
            "tenant_id": 1,
            "must_change_password": False,
        },
        "tenant": {
            "id": 1,
            "name": "Rosa Residente",
            "email": "resident@tickethelp.local",
            "phone": "+57 300 000 0301",
            "photo": None,
            "apartment_id": 1,
        },
        "token": PORTAL_JWT,
    },
)
LOGIN_FAILED = {
    "message": "The provided credentials are incorrect.",
    "errors": {"email": ["The provided credentials are incorrect."]},
}
LOGOUT_RESPONSE = response_example("Logged out", {"message": "Successfully logged out"})

ME_RESPONSE = response_example(
    "Profile",
    {
        "tenant": {
            "id": 1,
            "name": "Rosa Residente",
            "email": "resident@tickethelp.local",
            "phone": "+57 300 000 0301",
            "photo": None,
            "apartment": {"id": 1, "name": "101", "ubicacion": "Torre 1, piso 1", "building": BUILDING},
        }
    },
)
APARTMENT_RESPONSE = response_example(
    "Apartment",
    {
        "apartment": {
            "id": 1,
            "name": "101",
            "ubicacion": "Torre 1, piso 1",
            "building": BUILDING,
            "status": True,
            "other_tenants": [
                {
                    "id": 2,
                    "name": "Raúl Residente",
                    "email": "resident2@tickethelp.local",
                    "phone": "+57 300 000 0302",
                    "photo": None,
                }
            ],
        }
    },
)
BUILDING_RESPONSE = response_example(
    "Building",
    {"building": {**BUILDING, "managing_company": "Administraciones Andinas", "status": True, "owner": OWNER}},
)
DOORMEN_RESPONSE = response_example(
    "Doormen on duty",
    {
        "doormen": [
            {
                "id": 1,
                "name": "Jorge Portilla",
                "email": "",
                "phone": "+57 320 555 0201",
                "photo": None,
                "shift": "morning",
            }
        ]
    },
)
OWNER_RESPONSE = response_example("Owner", {"owner": OWNER})
OWNER_NOT_FOUND = {"error": "Not Found", "message": "Owner not found."}
DEVICES_RESPONSE = response_example("Devices", {"own_devices": [TV], "shared_devices": [FRIDGE]})

TICKETS_RESPONSE = response_example(
    "Tickets",
    {"tickets": [{**TICKET, "histories_count": 1}], "total_tickets": 1},
)
INVALID_STATUS = {"message": "The given data was invalid.", "errors": {"status": ['"done" is not a valid choice.']}}
TICKET_CREATE_REQUEST = request_example(
    "New ticket with a photo",
    {
        "device_id": 1,
        "category": "electrodomesticos",
        "title": "El televisor no da imagen",
        "description": "Enciende pero la pantalla queda negra.",
        "priority": "high",
        "attachments[]": ["pantalla.jpg (binary)"],
    },
    media_type="multipart/form-data",
)
TICKET_CREATED_RESPONSE = response_example(
    "Created", {"ticket": TICKET, "message": "Ticket created successfully with attachments"}, status=201
)
TICKET_INVALID = {
    "message": "The given data was invalid.",
    "errors": {"device_id": ["The selected device id is invalid."]},
}
ANDROID_TICKET_CREATE_REQUEST = request_example(
    "New ticket with a photo (base64)",
    {
        "device_id": 1,
        "category": "electrodomesticos",
        "title": "El televisor no da imagen",
        "description": "Enciende pero la pantalla queda negra.",
        "priority": "high",
        "attachments_base64": [
            {"name": "pantalla.jpg", "type": "image/jpeg", "data": "data:image/jpeg;base64,/9j/4AAQ...", "size": 48213}
        ],
    },
)
ANDROID_BASE64_INVALID = {
    "message": "The given data was invalid.",
    "errors": {
        "attachments_base64.1": [
            "The attachment #2 (pantalla.jpg) is not valid base64: it holds characters that are not base64."
        ]
    },
}
TICKET_DETAIL_RESPONSE = response_example("Ticket", {"ticket": TICKET_DETAIL})
ATTACHMENT_DETAIL = {
    **ATTACHMENT,
    "original_name": ATTACHMENT["filename"],
    "file_name": ATTACHMENT["path"].rsplit("/", 1)[-1],
    "file_path": ATTACHMENT["path"],
    "full_url": ATTACHMENT["url"],
    "file_size": ATTACHMENT["size"],
    "uploaded_at": ATTACHMENT["created_at"],
    "is_image": True,
    "is_video": False,
}
ATTACHMENTS_RESPONSE = response_example(
    "Attachments", {"success": True, "ticket_id": 9, "attachments": [ATTACHMENT_DETAIL], "count": 1}
)
CANCEL_REQUEST = request_example("Cancel", {"reason": "Ya funciona, era el cable HDMI."})
CANCELLED_RESPONSE = response_example(
    "Cancelled",
    {
        "message": "Ticket cancelled successfully",
        "ticket": {
            **TICKET_DETAIL,
            "status": "cancelled",
            "histories": [
                *TICKET_DETAIL["histories"],
                {
                    "id": 31,
                    "action": "cancelled",
                    "description": "Ticket cancelado. Motivo: Ya funciona, era el cable HDMI.",
                    "user_name": "Rosa Residente",
                    "created_at": "2026-03-05T15:02:00.000000Z",
                },
            ],
        },
    },
)
NOT_CANCELLABLE = {"error": "Conflict", "message": "Only open tickets or tickets in diagnosis can be cancelled."}

CHANGE_PASSWORD_REQUEST = request_example(
    "Change password",
    {
        "current_password": "TicketHelp-demo-2026",
        "new_password": "Otra-clave-segura-2026",
        "new_password_confirmation": "Otra-clave-segura-2026",
    },
)
PASSWORD_CHANGED_RESPONSE = response_example(
    "Password changed", {"message": "Password changed successfully", "token": PORTAL_JWT}
)
WRONG_CURRENT_PASSWORD = {"error": "Current password is incorrect", "message": "The current password does not match."}
PASSWORD_MISMATCH = {
    "message": "The given data was invalid.",
    "errors": {"new_password_confirmation": ["The new password confirmation does not match."]},
}
RESET_REQUESTED_RESPONSE = response_example(
    "Reset requested", {"message": "Password has been reset. Check your email for the temporary password."}
)
RESET_THROTTLED = {"error": "Too Many Requests", "message": "Too many requests. Try again in 3540 seconds."}

NOTIFICATIONS_RESPONSE = response_example(
    "Notifications",
    {
        "success": True,
        "notifications": [NOTIFICATION],
        "total_notifications": 1,
        "total_count": 1,
        "unread_count": 1,
        "limit": 50,
        "offset": 0,
    },
)
INVALID_PAGE = {
    "message": "The given data was invalid.",
    "errors": {"page": ["Debe ser un número entero, se recibió 'x'."]},
}
NOTIFICATION_READ_RESPONSE = response_example(
    "Marked as read",
    {
        "success": True,
        "message": "Notification marked as read",
        "notification": {**NOTIFICATION, "read": True, "is_read": True, "read_at": "2026-03-05T14:00:00.000000Z"},
    },
)
NOTIFICATION_NOT_FOUND = {"error": "Not Found", "message": "Notification not found."}
ALL_READ_RESPONSE = response_example(
    "All read", {"success": True, "message": "All notifications marked as read", "updated": 3}
)
