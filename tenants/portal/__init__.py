"""The residents' portal, /api/tenant/...: its own views, serializers, services, selectors,
urls, permissions, throttles and OpenAPI examples, beside the building management of `tenants`."""
