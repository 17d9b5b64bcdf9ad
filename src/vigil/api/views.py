"""The JSON API: the same operations as the web UI, token-authenticated, documented with OpenAPI."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.cases.models import Case
from vigil.cases.operations import open_case, record_decision, record_hearing
from vigil.figures.counting import FIGURES, detentions_for, event_figures
from vigil.records.models import Detention, Event
from vigil.records.operations import (
    get_or_create_source,
    record_detention,
    record_release,
    record_whereabouts,
)

from .pagination import BoundedLimitOffsetPagination
from .permissions import CanDoCasework, CanReadFigures, CanReadRecords, CanRecord
from .serializers import (
    CaseInSerializer,
    DecisionInSerializer,
    DetentionInSerializer,
    DetentionOutSerializer,
    HearingInSerializer,
    ReleaseInSerializer,
    WhereaboutsInSerializer,
)

Figures = inline_serializer(
    "Figures", {"persons": serializers.IntegerField(), "detentions": serializers.IntegerField()}
)


def _user(request: Request) -> Any:
    """The authenticated user; every view's permission class has already refused anonymous requests."""
    return request.user


def _visible_detention(request: Request, pk: int) -> Detention:
    return get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)


class DetentionListView(APIView):
    def get_permissions(self) -> list[Any]:
        return [CanRecord()] if self.request.method == "POST" else [CanReadRecords()]

    @extend_schema(
        parameters=[
            OpenApiParameter("event", str),
            OpenApiParameter("figure", str, enum=list(FIGURES)),
            OpenApiParameter("city", str),
            OpenApiParameter("day", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=DetentionOutSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Detentions visible to the caller; with event/figure/city/day, exactly the records a figure counts."""
        event = None
        if request.query_params.get("event"):
            event = get_object_or_404(Event, slug=request.query_params["event"])
        figure = request.query_params.get("figure", "persons")
        if figure not in FIGURES:
            raise ValueError(f"figure must be one of {', '.join(FIGURES)}")
        day = request.query_params.get("day") or None
        if event is not None or request.query_params.get("figure") or request.query_params.get("city") or day:
            import datetime as dt

            try:
                parsed_day = dt.date.fromisoformat(day) if day else None
            except ValueError:
                raise ValueError(f"day must be YYYY-MM-DD, not {day!r}") from None
            qs = detentions_for(event, figure, city=request.query_params.get("city") or None, day=parsed_day)
        else:
            qs = Detention.objects.all()
        qs = qs.visible_to(request.user).select_related("identity", "event", "report__source").order_by("id")
        pager = BoundedLimitOffsetPagination()
        limit, offset = pager.get_limit(request), pager.get_offset(request)
        rows = list(qs[offset : offset + limit])
        if _user(request).sees_identities and any(r.identity_id for r in rows):
            audit(request.user, "view.identity", None, api="detentions", count=len(rows))
        data = DetentionOutSerializer(rows, many=True, context={"request": request}).data
        return Response({"count": qs.count(), "limit": limit, "offset": offset, "results": data})

    @extend_schema(
        request=DetentionInSerializer, responses={201: DetentionOutSerializer, 200: DetentionOutSerializer}
    )
    def post(self, request: Request) -> Response:
        """Record a detention report. Resubmitting the same report_uuid with the same content returns 200 and
        stores nothing; different content under a used report_uuid is a 409 conflict, kept for review."""
        ser = DetentionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        source = get_or_create_source(ser.source_input(), request.user)
        result = record_detention(
            data=ser.detention_input(),
            source=source,
            actor=request.user,
            report_uuid=ser.validated_data["report_uuid"],
            raw_text=ser.validated_data.get("raw_text", ""),
        )
        out = DetentionOutSerializer(result.detention, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class DetentionDetailView(APIView):
    permission_classes = [CanReadRecords]

    @extend_schema(responses=DetentionOutSerializer)
    def get(self, request: Request, pk: int) -> Response:
        detention = _visible_detention(request, pk)
        if detention.identity_id and _user(request).sees_identities:
            audit(request.user, "view.identity", detention, api=True)
        return Response(DetentionOutSerializer(detention, context={"request": request}).data)


class ReleaseView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(request=ReleaseInSerializer, responses=DetentionOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        detention = _visible_detention(request, pk)
        ser = ReleaseInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        detention = record_release(
            detention, released_at=ser.validated_data["released_at"], actor=request.user
        )
        return Response(DetentionOutSerializer(detention, context={"request": request}).data)


class WhereaboutsView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(request=WhereaboutsInSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        detention = _visible_detention(request, pk)
        ser = WhereaboutsInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        place = record_whereabouts(detention, actor=request.user, **ser.validated_data)
        return Response(
            {"id": place.pk, "facility": place.facility, "since": place.since}, status=status.HTTP_201_CREATED
        )


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "detention": case.detention_id,
        "kind": case.kind,
        "court": case.court,
        "judge": case.judge,
        "charges": [{"code": c.code, "article": c.article, "part": c.part} for c in case.charges.all()],
        "hearings": [{"held_on": h.held_on, "court": h.court, "judge": h.judge} for h in case.hearings.all()],
        "decisions": [
            {
                "sequence": d.sequence,
                "decided_on": d.decided_on,
                "outcome": d.outcome,
                "fine_base_units": d.fine_base_units,
                "fine_byn": d.fine_byn,
                "arrest_days": d.arrest_days,
            }
            for d in case.decisions.all()
        ],
    }


def _visible_case(request: Request, pk: int) -> Case:
    qs = Case.objects.all()
    if not _user(request).is_coordinator:  # a lawyer's cases, and those of the detentions assigned to them
        qs = qs.filter(Q(lawyer=_user(request)) | Q(detention__assignment__lawyer=_user(request)))
    return get_object_or_404(qs, pk=pk)


class CaseCreateView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(request=CaseInSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        ser = CaseInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        detention = _visible_detention(request, d.pop("detention"))
        lawyer = _user(request) if _user(request).role == Role.LAWYER else None
        case = open_case(detention, actor=request.user, lawyer=lawyer, **d)
        return Response(_case_out(case), status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(responses={200: None})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_case_out(_visible_case(request, pk)))


class HearingView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(request=HearingInSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        case = _visible_case(request, pk)
        ser = HearingInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        record_hearing(case, actor=request.user, **ser.validated_data)
        return Response(_case_out(case), status=status.HTTP_201_CREATED)


class DecisionView(APIView):
    permission_classes = [CanDoCasework]

    @extend_schema(request=DecisionInSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        case = _visible_case(request, pk)
        ser = DecisionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        record_decision(case, actor=request.user, **ser.validated_data)
        return Response(_case_out(case), status=status.HTTP_201_CREATED)


class EventListView(APIView):
    permission_classes = [CanReadRecords]

    @extend_schema(responses={200: None})
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "slug": e.slug,
                    "name": e.name,
                    "date": e.date,
                    "city": e.city,
                    "parent": e.parent.slug if e.parent else None,
                    "is_synthetic": e.is_synthetic,
                }
                for e in Event.objects.select_related("parent").order_by("date", "slug")
            ]
        )


class FiguresView(APIView):
    permission_classes = [CanReadFigures]

    @extend_schema(responses={200: None})
    def get(self, request: Request, slug: str | None = None) -> Response:
        """An event's figures (persons, unnamed head count, detentions, by city, by day, charged, decided,
        awaiting trial), or overall totals without an event."""
        event = get_object_or_404(Event, slug=slug) if slug else None
        return Response(event_figures(event))
