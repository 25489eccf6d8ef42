"""OpenAPI description of our JWT authentication (drf-spectacular extension)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class TokenAuthenticationScheme(SimpleJWTScheme):
    target_class = "users.authentication.TokenAuthentication"
    name = "jwtAuth"
