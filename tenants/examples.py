"""OpenAPI examples of the management API of the residential data (documentation only),
taken from the demo data of `manage.py seed_demo`; tests/contract checks each one against
its schema."""

from tickethelp.openapi import request_example, response_example

OWNER = {
    "id": 1,
    "name": "Inversiones Altamira S.A.S.",
    "email": "contacto@altamira.example.com",
    "phone": "+57 601 555 0101",
    "photo": "",
    "buildings_count": 1,
}
BUILDING = {
    "id": 1,
    "name": "Torres del Parque",
    "managing_company": "Administraciones Andinas",
    "address": "Carrera 5 # 26-40, Bogotá",
    "description": "Conjunto residencial de tres torres junto al parque.",
    "location_link": "https://maps.example.com/?q=4.6152,-74.0686",
    "image": "",
    "status": True,
    "owner": 1,
    "owner_name": "Inversiones Altamira S.A.S.",
    "apartments_count": 3,
    "doormen_count": 3,
}
DOORMAN = {
    "id": 1,
    "building": 1,
    "building_name": "Torres del Parque",
    "name": "Jorge Portilla",
    "email": "",
    "phone": "+57 320 555 0201",
    "photo": "",
    "shift": "morning",
    "active": True,
}
APARTMENT = {
    "id": 1,
    "building": 1,
    "building_name": "Torres del Parque",
    "name": "101",
    "ubicacion": "Torre 1, piso 1",
    "status": True,
    "tenants_count": 2,
}
TENANT = {
    "id": 1,
    "user": {
        "id": 9,
        "document": "4000000001",
        "email": "resident@tickethelp.local",
        "first_name": "Rosa",
        "last_name": "Residente",
        "full_name": "Rosa Residente",
        "number": "+57 300 000 0301",
        "is_active": True,
    },
    "apartment": 1,
    "apartment_name": "101",
    "building": 1,
    "building_name": "Torres del Parque",
    "phone": "+57 300 000 0301",
    "photo": "",
}
DEVICE_TYPE = {"id": 1, "name": "Televisor", "status": True, "devices_count": 1}
DEVICE = {
    "id": 1,
    "name": "Televisor de la sala",
    "status": True,
    "ubicacion": "Sala",
    "brand": "Samsung",
    "model": "QN55Q60",
    "system": "",
    "device_type": "Televisor",
    "icon_id": "tv",
    "name_device": 1,
    "name_device_name": "Televisor",
    "owners": [1],
    "shared_with": [2],
    "owners_detail": [
        {
            "id": 1,
            "document": "4000000001",
            "name": "Rosa Residente",
            "email": "resident@tickethelp.local",
            "apartment": 1,
            "apartment_name": "101",
            "building_name": "Torres del Parque",
        }
    ],
    "shared_with_detail": [
        {
            "id": 2,
            "document": "4000000002",
            "name": "Raúl Residente",
            "email": "resident2@tickethelp.local",
            "apartment": 1,
            "apartment_name": "101",
            "building_name": "Torres del Parque",
        }
    ],
    "tickets_count": 1,
}


def protected(what: str, blockers: str) -> dict:
    """The 409 of a DELETE refused because other rows still point at this one."""
    return {
        "detail": f"No se puede eliminar {what}: tiene {blockers} asociados. Reasígnalos o elimínalos primero.",
        "code": "protected",
    }


# Per resource: the row (list item, detail and every write's answer), a create body, a PATCH
# body, and the refusal of a DELETE when rows depend on it.
OWNER_EXAMPLES = {
    "row": OWNER,
    "create": {
        "name": "Inversiones Altamira S.A.S.",
        "email": "contacto@altamira.example.com",
        "phone": "+57 601 555 0101",
    },
    "patch": {"phone": "+57 601 555 0199"},
    "protected": protected("propietario «Inversiones Altamira S.A.S.»", "1 edificios"),
}
BUILDING_EXAMPLES = {
    "row": BUILDING,
    "create": {
        "name": "Torres del Parque",
        "owner": 1,
        "managing_company": "Administraciones Andinas",
        "address": "Carrera 5 # 26-40, Bogotá",
        "description": "Conjunto residencial de tres torres junto al parque.",
        "location_link": "https://maps.example.com/?q=4.6152,-74.0686",
    },
    "patch": {"status": False},
    "protected": protected("edificio «Torres del Parque»", "3 apartamentos"),
}
DOORMAN_EXAMPLES = {
    "row": DOORMAN,
    "create": {"building": 1, "name": "Jorge Portilla", "phone": "+57 320 555 0201", "shift": "morning"},
    "patch": {"shift": "night"},
}
APARTMENT_EXAMPLES = {
    "row": APARTMENT,
    "create": {"building": 1, "name": "101", "ubicacion": "Torre 1, piso 1"},
    "patch": {"status": False},
    "protected": protected("apartamento «Torres del Parque · 101»", "2 residentes"),
}
TENANT_EXAMPLES = {
    "row": TENANT,
    "create": {
        "apartment": 1,
        "document": "4000000001",
        "email": "resident@tickethelp.local",
        "first_name": "Rosa",
        "last_name": "Residente",
        "number": "+57 300 000 0301",
        "phone": "+57 300 000 0301",
    },
    "update": {"apartment": 2, "phone": "+57 300 000 0301"},
    "patch": {"phone": "+57 300 000 0399"},
}
NAME_DEVICE_EXAMPLES = {
    "row": DEVICE_TYPE,
    "create": {"name": "Televisor"},
    "patch": {"status": False},
    "protected": protected("tipo de dispositivo «Televisor»", "1 dispositivos"),
}
DEVICE_EXAMPLES = {
    "row": DEVICE,
    "create": {
        "name": "Televisor de la sala",
        "name_device": 1,
        "brand": "Samsung",
        "model": "QN55Q60",
        "device_type": "Televisor",
        "icon_id": "tv",
        "ubicacion": "Sala",
        "owners": [1],
        "shared_with": [2],
    },
    "patch": {"shared_with": []},
    "protected": protected("dispositivo «Televisor de la sala»", "1 tickets"),
}


def action_examples(examples: dict) -> dict[str, list]:
    """One resource's OpenAPI examples by ViewSet action."""
    row = examples["row"]
    return {
        "list": [response_example("Fila", row, summary="Un elemento de la lista")],
        "retrieve": [response_example("Detalle", row)],
        "create": [request_example("Alta", examples["create"]), response_example("Creado", row, status=201)],
        "update": [
            request_example("Reemplazo", examples.get("update", examples["create"])),
            response_example("Guardado", row),
        ],
        "partial_update": [request_example("Cambio parcial", examples["patch"]), response_example("Guardado", row)],
    }
