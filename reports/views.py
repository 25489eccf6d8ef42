"""Reports (ADMIN): validate parameters -> one selector -> documented JSON, or CSV rows."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import examples, selectors
from reports.params import DateRangeParams, LimitParams, ThroughputParams, YearParams, local_bounds, read_params
from reports.renderers import CSVRenderer
from reports.serializers import (
    ClientsEvolutionSerializer,
    GeneralStatsSerializer,
    PendingApprovalRowSerializer,
    PendingApprovalsAgeSerializer,
    PerformanceRowSerializer,
    PortalTicketsSerializer,
    ResolutionTimeRowSerializer,
    ResolutionTimeSerializer,
    SatisfactionRowSerializer,
    SatisfactionSerializer,
    StatusDistributionRowSerializer,
    ThroughputRowSerializer,
    TicketAgingRowSerializer,
)
from tickethelp.openapi import staff_errors
from tickethelp.permissions import IsAdmin
from tickethelp.renderers import JSONRenderer

TAGS = ["Reportes"]
RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Desde este día (incluido), AAAA-MM-DD."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Hasta este día (incluido), AAAA-MM-DD."),
]
LIMIT_PARAMETER = OpenApiParameter("limit", OpenApiTypes.INT, description="Filas a devolver (1-100, por defecto 10).")
FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv` para tablas.")
ERRORS = staff_errors(400, 401, 403, examples={400: examples.INVALID_YEAR})


def report_schema(body, example, *, parameters):
    """One report's OpenAPI: its JSON body (with an example) or, with `?format=csv`, a table."""
    return extend_schema(
        tags=TAGS,
        parameters=[*parameters, FORMAT_PARAMETER],
        responses={
            (200, "application/json"): body,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Las mismas filas como tabla CSV"),
            **ERRORS,
        },
        examples=[example],
    )


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

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are documented (and read by clients) as JSON, also when a CSV table was asked for.
        if response.status_code >= 400 and getattr(getattr(request, "accepted_renderer", None), "format", "") == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

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

    # The CSV table's header, written even when there are no rows: a row serializer's fields
    # or `csv_columns` itself.
    csv_row_serializer = None

    @property
    def csv_columns(self) -> list[str]:
        return list(self.csv_row_serializer().fields) if self.csv_row_serializer else []

    @property
    def csv_name(self) -> str:
        return self.__class__.__name__.removesuffix("View").lower()


def range_of(params: dict):
    return local_bounds(params.get("from"), params.get("to"))


@report_schema(GeneralStatsSerializer, examples.GENERAL_STATS, parameters=RANGE_PARAMETERS)
class GeneralStatsView(ReportView):
    """`tickets_abiertos` (no finales) y `tickets_finalizados`; los cancelados no cuentan en ninguno."""

    params_class = DateRangeParams
    csv_row_serializer = GeneralStatsSerializer

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.general_stats(lower=lower, upper=upper)


@report_schema(PerformanceRowSerializer(many=True), examples.PERFORMANCE_RANKING, parameters=[LIMIT_PARAMETER])
class PerformanceRankingView(ReportView):
    """Técnicos activos por porcentaje de éxito (finalizados / asignados), el mejor primero."""

    params_class = LimitParams
    csv_row_serializer = PerformanceRowSerializer

    def build(self, *, limit):
        return selectors.performance_ranking(limit=limit)


@report_schema(
    ClientsEvolutionSerializer,
    examples.CLIENTS_EVOLUTION,
    parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True, description="Año (2000-2100).")],
)
class ClientsEvolutionView(ReportView):
    """Clientes distintos que abrieron tickets en el año, en total y por mes ("01".."12")."""

    params_class = YearParams
    csv_columns = ("mes", "clientes")

    def build(self, *, year):
        return selectors.clients_evolution(year=year)

    def csv_rows(self, body):
        return [{"mes": month, "clientes": count} for month, count in body["mensual"].items()]


@report_schema(StatusDistributionRowSerializer(many=True), examples.STATUS_DISTRIBUTION, parameters=RANGE_PARAMETERS)
class StatusDistributionView(ReportView):
    """Tickets abiertos en el rango por estado (todos los estados, también con cero)."""

    params_class = DateRangeParams
    csv_row_serializer = StatusDistributionRowSerializer

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.status_distribution(lower=lower, upper=upper)


@report_schema(ResolutionTimeSerializer, examples.RESOLUTION_TIME, parameters=RANGE_PARAMETERS)
class ResolutionTimeView(ReportView):
    """Tiempo medio desde la apertura hasta la aprobación del estado Finalizado, total y por técnico."""

    params_class = DateRangeParams
    csv_row_serializer = ResolutionTimeRowSerializer

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.resolution_time(lower=lower, upper=upper)

    def csv_rows(self, body):
        return body["por_tecnico"]


@report_schema(TicketAgingRowSerializer(many=True), examples.TICKET_AGING, parameters=[LIMIT_PARAMETER])
class TicketAgingView(ReportView):
    """Los tickets abiertos más antiguos, con su técnico y cliente."""

    params_class = LimitParams
    csv_row_serializer = TicketAgingRowSerializer

    def build(self, *, limit):
        return selectors.ticket_aging(limit=limit)


@report_schema(
    ThroughputRowSerializer(many=True),
    examples.THROUGHPUT,
    parameters=[*RANGE_PARAMETERS, OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "month"])],
)
class ThroughputView(ReportView):
    """Tickets abiertos frente a finalizados por semana o mes."""

    params_class = ThroughputParams
    csv_row_serializer = ThroughputRowSerializer

    def build(self, *, period, **params):
        lower, upper = range_of(params)
        return selectors.throughput(period=period, lower=lower, upper=upper)


@report_schema(PendingApprovalsAgeSerializer, examples.PENDING_APPROVALS, parameters=[LIMIT_PARAMETER])
class PendingApprovalsAgeView(ReportView):
    """Cuánto llevan esperando las solicitudes de cambio a estado final."""

    params_class = LimitParams
    csv_row_serializer = PendingApprovalRowSerializer

    def build(self, *, limit):
        return selectors.pending_approvals_age(limit=limit)

    def csv_rows(self, body):
        return body["solicitudes"]


@report_schema(PortalTicketsSerializer, examples.PORTAL_TICKETS, parameters=RANGE_PARAMETERS)
class PortalTicketsView(ReportView):
    """Tickets del portal de residentes por categoría, prioridad y edificio."""

    params_class = DateRangeParams
    csv_columns = ("dimension", "valor", "total")

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.portal_tickets(lower=lower, upper=upper)

    def csv_rows(self, body):
        return [
            *({"dimension": "categoria", "valor": r["categoria"], "total": r["total"]} for r in body["por_categoria"]),
            *({"dimension": "prioridad", "valor": r["prioridad"], "total": r["total"]} for r in body["por_prioridad"]),
            *({"dimension": "edificio", "valor": r["edificio"], "total": r["total"]} for r in body["por_edificio"]),
        ]


@report_schema(SatisfactionSerializer, examples.SATISFACTION, parameters=RANGE_PARAMETERS)
class SatisfactionView(ReportView):
    """Calificaciones (1-5) de los residentes a las visitas completadas en el rango: media y
    distribución, por mes y por técnico."""

    params_class = DateRangeParams
    csv_row_serializer = SatisfactionRowSerializer

    def build(self, **params):
        lower, upper = range_of(params)
        return selectors.satisfaction(lower=lower, upper=upper)

    def csv_rows(self, body):
        return [
            {
                "mes": month["mes"],
                "document": row["document"],
                "nombre_completo": row["nombre_completo"],
                "calificaciones": row["calificaciones"],
                "promedio": row["promedio"],
                **{f"calificacion_{rating}": total for rating, total in row["distribucion"].items()},
            }
            for month in body["por_mes"]
            for row in month["por_tecnico"]
        ]
