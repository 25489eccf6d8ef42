"""Reports (ADMIN): validate parameters -> one selector -> documented JSON, or CSV rows."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import selectors
from reports.params import DateRangeParams, LimitParams, ThroughputParams, YearParams, local_bounds, read_params
from reports.renderers import CSVRenderer
from tickethelp.permissions import IsAdmin

TAGS = ["Reportes"]
RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Desde este día (incluido), AAAA-MM-DD."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Hasta este día (incluido), AAAA-MM-DD."),
]
LIMIT_PARAMETER = OpenApiParameter("limit", OpenApiTypes.INT, description="Filas a devolver (1-100, por defecto 10).")
FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv` para tablas.")
ERRORS = {400: OpenApiResponse(description="Parámetro inválido"), 401: OpenApiResponse(), 403: OpenApiResponse()}


class ReportView(APIView):
    permission_classes = [IsAdmin]
    renderer_classes = [JSONRenderer, CSVRenderer]
    params_class = None

    def perform_content_negotiation(self, request, force=False):
        fmt = request.query_params.get("format")
        # force=True is DRF picking a renderer for an error response: never refuse that.
        if not force and fmt not in (None, "json", "csv"):
            raise ValidationError({"format": ["Formato no soportado: use json o csv."]})
        return super().perform_content_negotiation(request, force)

    def get(self, request):
        params = read_params(self.params_class, request) if self.params_class else {}
        body = self.build(**params)
        if getattr(request.accepted_renderer, "format", "json") == "csv":
            return Response(
                self.csv_rows(body), headers={"Content-Disposition": f'attachment; filename="{self.csv_name}.csv"'}
            )
        return Response(body)

    def build(self, **params):
        raise NotImplementedError

    def csv_rows(self, body) -> list[dict]:
        return body if isinstance(body, list) else [body]

    @property
    def csv_name(self) -> str:
        return self.__class__.__name__.removesuffix("View").lower()


def range_of(params: dict):
    return local_bounds(params.get("from"), params.get("to"))


@extend_schema(
    tags=TAGS, parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class GeneralStatsView(ReportView):
    """`tickets_abiertos` (no finales) y `tickets_finalizados`; los cancelados no cuentan en ninguno."""

    params_class = DateRangeParams

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.general_stats(lower=lower, upper=upper)


@extend_schema(
    tags=TAGS, parameters=[LIMIT_PARAMETER, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class PerformanceRankingView(ReportView):
    """Técnicos activos por porcentaje de éxito (finalizados / asignados), el mejor primero."""

    params_class = LimitParams

    def build(self, *, limit):
        return selectors.performance_ranking(limit=limit)


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, required=True, description="Año (2000-2100)."),
        FORMAT_PARAMETER,
    ],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
)
class ClientsEvolutionView(ReportView):
    """Clientes distintos que abrieron tickets en el año, en total y por mes ("01".."12")."""

    params_class = YearParams

    def build(self, *, year):
        return selectors.clients_evolution(year=year)

    def csv_rows(self, body):
        return [{"mes": month, "clientes": count} for month, count in body["mensual"].items()]


@extend_schema(
    tags=TAGS, parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class StatusDistributionView(ReportView):
    """Tickets abiertos en el rango por estado (todos los estados, también con cero)."""

    params_class = DateRangeParams

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.status_distribution(lower=lower, upper=upper)


@extend_schema(
    tags=TAGS, parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class ResolutionTimeView(ReportView):
    """Tiempo medio desde la apertura hasta la aprobación del estado Finalizado, total y por técnico."""

    params_class = DateRangeParams

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.resolution_time(lower=lower, upper=upper)

    def csv_rows(self, body):
        return body["por_tecnico"]


@extend_schema(
    tags=TAGS, parameters=[LIMIT_PARAMETER, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class TicketAgingView(ReportView):
    """Los tickets abiertos más antiguos, con su técnico y cliente."""

    params_class = LimitParams

    def build(self, *, limit):
        return selectors.ticket_aging(limit=limit)


@extend_schema(
    tags=TAGS,
    parameters=[
        *RANGE_PARAMETERS,
        OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "month"]),
        FORMAT_PARAMETER,
    ],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
)
class ThroughputView(ReportView):
    """Tickets abiertos frente a finalizados por semana o mes."""

    params_class = ThroughputParams

    def build(self, *, period, **params):
        lower, upper = range_of(params)
        return selectors.throughput(period=period, lower=lower, upper=upper)


@extend_schema(
    tags=TAGS, parameters=[LIMIT_PARAMETER, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class PendingApprovalsAgeView(ReportView):
    """Cuánto llevan esperando las solicitudes de cambio a estado final."""

    params_class = LimitParams

    def build(self, *, limit):
        return selectors.pending_approvals_age(limit=limit)

    def csv_rows(self, body):
        return body["solicitudes"]


@extend_schema(
    tags=TAGS, parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER], responses={200: OpenApiTypes.OBJECT, **ERRORS}
)
class PortalTicketsView(ReportView):
    """Tickets del portal de residentes por categoría, prioridad y edificio."""

    params_class = DateRangeParams

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.portal_tickets(lower=lower, upper=upper)

    def csv_rows(self, body):
        return [
            *({"dimension": "categoria", "valor": r["categoria"], "total": r["total"]} for r in body["por_categoria"]),
            *({"dimension": "prioridad", "valor": r["prioridad"], "total": r["total"]} for r in body["por_prioridad"]),
            *({"dimension": "edificio", "valor": r["edificio"], "total": r["total"]} for r in body["por_edificio"]),
        ]
