"""`/api/sla-policies/`: the service-level policies (ADMIN only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from sla import examples, selectors, services
from sla.serializers import SLAPolicySerializer
from tickethelp.exceptions import NotFound
from tickethelp.openapi import staff_errors
from tickethelp.permissions import IsAdmin
from tickethelp.validation import validated

SLA_TAG = ["Niveles de servicio"]
DENIED = staff_errors(401, 403)
MISSING = staff_errors(404, examples={404: examples.POLICY_NOT_FOUND})
WRITE_ERRORS = staff_errors(
    400, 401, 403, 404, 409, examples={404: examples.POLICY_NOT_FOUND, 409: examples.POLICY_EXISTS}
)


class SLAPolicyListCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="sla_policies_list",
        tags=SLA_TAG,
        responses={200: SLAPolicySerializer(many=True), **DENIED},
        examples=[examples.POLICIES_RESPONSE],
    )
    def get(self, request):
        return Response(SLAPolicySerializer(selectors.policy_list(), many=True).data)

    @extend_schema(
        operation_id="sla_policies_create",
        tags=SLA_TAG,
        request=SLAPolicySerializer,
        responses={
            201: SLAPolicySerializer,
            **staff_errors(400, 401, 403, 409, examples={409: examples.POLICY_EXISTS}),
        },
        examples=[examples.POLICY_CREATE_REQUEST, examples.POLICY_CREATED_RESPONSE],
    )
    def post(self, request):
        policy = services.policy_create(data=validated(SLAPolicySerializer, request))
        return Response(SLAPolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class SLAPolicyDetailView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="sla_policies_retrieve",
        tags=SLA_TAG,
        responses={200: SLAPolicySerializer, **DENIED, **MISSING},
        examples=[examples.POLICY_RESPONSE],
    )
    def get(self, request, policy_id: int):
        policy = selectors.policy_find(policy_id=policy_id)
        if policy is None:
            raise NotFound("Política de nivel de servicio no encontrada.", code="sla_policy_not_found")
        return Response(SLAPolicySerializer(policy).data)

    @extend_schema(
        operation_id="sla_policies_update",
        tags=SLA_TAG,
        request=SLAPolicySerializer,
        responses={200: SLAPolicySerializer, **WRITE_ERRORS},
        examples=[examples.POLICY_REPLACE_REQUEST, examples.POLICY_RESPONSE],
    )
    def put(self, request, policy_id: int):
        return self._update(request, policy_id, partial=False)

    @extend_schema(
        operation_id="sla_policies_partial_update",
        tags=SLA_TAG,
        request=SLAPolicySerializer,
        responses={200: SLAPolicySerializer, **WRITE_ERRORS},
        examples=[examples.POLICY_PATCH_REQUEST, examples.POLICY_RESPONSE],
    )
    def patch(self, request, policy_id: int):
        return self._update(request, policy_id, partial=True)

    @extend_schema(operation_id="sla_policies_destroy", tags=SLA_TAG, responses={204: None, **DENIED, **MISSING})
    def delete(self, request, policy_id: int):
        services.policy_delete(policy_id=policy_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, policy_id: int, *, partial: bool):
        data = validated(SLAPolicySerializer, request, partial=partial)
        policy = services.policy_update(policy_id=policy_id, data=data)
        return Response(SLAPolicySerializer(policy).data)
