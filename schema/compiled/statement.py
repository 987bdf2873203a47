"""Turn a plan into one SQL statement that returns the response's `data` JSON and its meta.

The meta column mirrors the records in the data: `[id, child metas...]` per record, a
list per connection or diagnosis list. The runner reads it (a few ids, not the data)
for the activity log's tally and for the paths of INSUFFICIENT_SCOPE errors in lists.

PostgreSQL joins each nested site with LEFT JOIN LATERAL (columns `d` and `m`); SQLite,
which has no LATERAL, adds each site as a correlated column holding `[d, m]`.
"""

from dataclasses import dataclass, field

from schema.compiled.dialects import Dialect, quote
from schema.compiled.plan import (
    Connection,
    Denied,
    Diagnoses,
    EdgesPart,
    Link,
    Node,
    PageInfoPart,
    PatientPlan,
    Plan,
    Record,
    Scalar,
    TotalCount,
    ValueObject,
)


@dataclass(frozen=True)
class Shape:
    """Which optional filters a connection site uses in this request."""

    after: bool
    status: bool
    since: bool
    until: bool


@dataclass
class _Site:
    data: str
    meta: str
    table: str
    alias: str
    where: str | None
    order: str | None
    level: "_Level"


@dataclass
class _Level:
    dialect: Dialect
    alias: str
    sites: list[tuple[str, _Site]] = field(default_factory=list)

    def attach(self, name: str, site: _Site) -> tuple[str, str]:
        self.sites.append((name, site))
        if self.dialect.postgres:
            return f"{name}.d", f"{name}.m"
        return f"({self.alias}.{name} -> 0)", f"({self.alias}.{name} -> 1)"

    def source(self, table: str, where: str | None, order: str | None) -> str:
        """The FROM clause (and, on PostgreSQL, the WHERE) of this level's rows."""
        a = self.alias
        if self.dialect.postgres:
            joins = "".join(
                f" LEFT JOIN LATERAL ({_select(self.dialect, site)}) {name} ON true"
                for name, site in self.sites
            )
            return f"{table} {a}{joins}" + (f" WHERE {where}" if where else "")
        columns = "".join(
            f", ({_select(self.dialect, site)}) AS {name}" for name, site in self.sites
        )
        filtered = f" WHERE {where}" if where else ""
        ordered = f" ORDER BY {order}" if order else ""
        return f"(SELECT {a}.*{columns} FROM {table} {a}{filtered}{ordered}) {a}"


def _select(dialect: Dialect, site: _Site) -> str:
    source = site.level.source(site.table, site.where, site.order)
    if dialect.postgres:
        return f"SELECT {site.data} AS d, {site.meta} AS m FROM {source}"
    return f"SELECT json_array({site.data}, {site.meta}) FROM {source}"


class _Builder:
    def __init__(self, dialect: Dialect, shapes: list[Shape]) -> None:
        self.d = dialect
        self.shapes = shapes
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def scalar(self, node: Scalar, a: str) -> str:
        value = node.template.replace("{a}", a)
        if node.kind == "name":
            return quote(node.template)
        if node.kind == "id":
            return self.d.base64(f"'{node.template}:' || {a}.id")
        if node.kind == "float":
            return self.d.number(value)
        if node.kind == "bool":
            return self.d.column_bool(value)
        if node.kind == "day":
            return self.d.day(value)
        if node.kind == "moment":
            return self.d.moment(value)
        return value

    def value(self, node: Node, a: str, level: _Level, metas: list[str]) -> str:
        if isinstance(node, Scalar):
            return self.scalar(node, a)
        if isinstance(node, ValueObject):
            built = self.d.obj([(f.key, self.value(f, a, level, metas)) for f in node.fields])
            if node.present is None:
                return built
            return f"(CASE WHEN {node.present.replace('{a}', a)} THEN {built} END)"
        if isinstance(node, Denied):
            return "NULL"
        if isinstance(node, Link | Diagnoses):
            data, meta = level.attach(self.name("s"), self.child(node, a))
            metas.append(meta)
            return data
        assert isinstance(node, Connection)
        data, meta = level.attach(self.name("s"), self.connection(node))
        metas.append(meta)
        return data

    def record(self, plan: Record, a: str, level: _Level) -> tuple[str, str]:
        metas = [f"{a}.id"]
        pairs = [(f.key, self.value(f, a, level, metas)) for f in plan.fields]
        return self.d.obj(pairs), self.d.array(metas)

    def child(self, node: Link | Diagnoses, parent: str) -> _Site:
        b = self.name("t")
        level = _Level(self.d, b)
        data, meta = self.record(node.target, b, level)
        table = node.target.table
        if isinstance(node, Link):
            where = f"{b}.patient_id = :pid AND {b}.id = {parent}.{node.foreign_key}"
            return _Site(data, meta, table, b, where, None, level)
        where = f"{b}.patient_id = :pid AND {b}.encounter_id = {parent}.id"
        order = f"{b}.recorded_at DESC, {b}.id DESC"
        return _Site(
            self.d.agg(data, order, None), self.d.agg(meta, order, None), table, b, where, order,
            level,
        )  # fmt: skip

    def _conditions(self, plan: Connection, x: str, shape: Shape) -> list[str]:
        k = plan.site
        dated = f"{x}.{plan.date_column}"
        found = [f"{x}.patient_id = :pid"]
        if shape.status:
            found.append(self.d.status_in(f"{x}.{plan.status_column}", f"st{k}"))
        if shape.since:
            found.append(f"{dated} >= :sn{k}")
        if shape.until:
            found.append(f"{dated} < :un{k}")
        return found

    def cursor(self, plan: Connection, x: str) -> str:
        dated = f"{x}.{plan.date_column}"
        kind, value = ("t", self.d.moment(dated)) if plan.timestamp else ("d", self.d.day(dated))
        return self.d.base64url(f"""'["{kind}", "' || {value} || '", ' || {x}.id || ']'""")

    def connection(self, plan: Connection) -> _Site:
        k, shape, d = plan.site, self.shapes[plan.site], self.d
        x = self.name("t")
        dated = f"{x}.{plan.date_column}"
        order = f"{dated} DESC, {x}.id DESC"
        conditions = self._conditions(plan, x, shape)
        page_conditions = list(conditions)
        if shape.after:
            page_conditions.append(f"({dated} < :av{k} OR ({dated} = :av{k} AND {x}.id < :ai{k}))")
        page = (
            f"SELECT {x}.* FROM {plan.table} {x} WHERE {' AND '.join(page_conditions)} "
            f"ORDER BY {order} LIMIT :l{k}"
        )
        numbered = (
            f"(SELECT {x}.*, row_number() OVER (ORDER BY {order}) AS rn, "
            f"count(*) OVER () AS cnt FROM ({page}) {x})"
        )
        level = _Level(d, x)
        keep = f"{x}.rn <= :f{k}"
        element_metas = [f"{x}.id"]
        pairs: list[tuple[str, str]] = []
        for part in plan.parts:
            if isinstance(part, Scalar):
                pairs.append((part.key, self.scalar(part, x)))
            elif isinstance(part, TotalCount):
                c = self.name("c")
                where = " AND ".join(self._conditions(plan, c, shape))
                pairs.append((part.key, f"(SELECT count(*) FROM {plan.table} {c} WHERE {where})"))
            elif isinstance(part, PageInfoPart):
                pairs.append((part.key, self.page_info(part, plan, x, shape)))
            else:
                assert isinstance(part, EdgesPart)
                edge: list[tuple[str, str]] = []
                for key, name, record in part.fields:
                    if name == "cursor":
                        edge.append((key, self.cursor(plan, x)))
                    elif name == "__typename":
                        edge.append((key, quote(plan.record_type + "Edge")))
                    else:
                        assert record is not None
                        node_metas: list[str] = []
                        node = d.obj(
                            [(f.key, self.value(f, x, level, node_metas)) for f in record.fields]
                        )
                        element_metas.extend(node_metas)
                        edge.append((key, node))
                pairs.append((part.key, d.agg(d.obj(edge), f"{x}.rn", keep)))
        meta = d.agg(d.array(element_metas), f"{x}.rn", keep)
        return _Site(d.obj(pairs), meta, numbered, x, None, f"{x}.rn", level)

    def page_info(self, part: PageInfoPart, plan: Connection, x: str, shape: Shape) -> str:
        k = plan.site
        pairs = []
        for key, name in part.fields:
            if name == "hasNextPage":
                value = self.d.json_bool(f"count(*) > :f{k}")
            elif name == "hasPreviousPage":
                value = self.d.literal_bool(shape.after)
            elif name == "startCursor":
                value = f"max(CASE WHEN {x}.rn = 1 THEN {self.cursor(plan, x)} END)"
            elif name == "endCursor":
                last = self.d.least(f"{x}.cnt", f":f{k}")
                value = f"max(CASE WHEN {x}.rn = {last} THEN {self.cursor(plan, x)} END)"
            else:
                value = quote("PageInfo")
            pairs.append((key, value))
        return self.d.obj(pairs)

    def patient(self, plan: PatientPlan) -> _Site:
        p = self.name("t")
        level = _Level(self.d, p)
        metas = [f"{p}.id"]
        pairs = [(f.key, self.value(f, p, level, metas)) for f in plan.fields]
        return _Site(
            self.d.obj(pairs), self.d.array(metas), "patient", p, f"{p}.id = :pid", None, level
        )


def build_statement(dialect: Dialect, plan: Plan, shapes: list[Shape]) -> str:
    """The SQL text of a plan for one combination of optional filters."""
    builder = _Builder(dialect, shapes)
    root = _Level(dialect, "r")
    pairs: list[tuple[str, str]] = []
    metas: list[str] = []
    for field_plan in plan.root:
        if isinstance(field_plan, Scalar):
            pairs.append((field_plan.key, quote(field_plan.template)))
        else:
            data, meta = root.attach(builder.name("s"), builder.patient(field_plan))
            pairs.append((field_plan.key, data))
            metas.append(meta)
    source = root.source("(SELECT 1 AS one)", None, None)
    data, meta = dialect.obj(pairs), dialect.array(metas)
    if dialect.postgres:  # text, so that the driver hands the JSON over undecoded
        data, meta = f"({data})::text", f"({meta})::text"
    return f"SELECT {data} AS data, {meta} AS meta FROM {source}"
