"""What the benchmark prints."""

from __future__ import annotations

from typing import Any

from .env import EVENT, TARGETS, note


# ---------------------------------------------------------------------------------------------- report
def fmt_s(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def summarise(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str, str]] = [("measure", "value", "target", "")]
    for config, r in results.get("demo", {}).items():
        rows.append(
            (f"vigil demo --no-serve [{config}]", fmt_s(r["seconds"]), "< 60 s", verdict(r["seconds"] < 60))
        )
    for key, r in results.get("event", {}).items():
        rows.append((f"event page, {key}", fmt_s(r["page"]), "< 1 s", verdict(r["page"] < 1)))
        rows.append(
            (f"vigil figures --json, {key}", fmt_s(r["figures_cli"]), "< 1 s", verdict(r["figures_cli"] < 1))
        )
        rows.append((f"  of which start-up+unlock, {key}", fmt_s(r["cli_startup"]), "", ""))
        rows.append(
            (
                f"vigil figures --json, vigil serve running, {key}",
                fmt_s(r["figures_cli_served"]),
                "< 1 s",
                verdict(r["figures_cli_served"] < 1),
            )
        )
        rows.append((f"  event_figures() in process, {key}", fmt_s(r["figures"]["seconds"]), "", ""))
    for config, r in results.get("intake", {}).items():
        rows.append(
            (
                f"intake achieved rate [{config}]",
                f"{r['paced_rate']:.1f}/s",
                ">= 50/s",
                verdict(r["paced_rate"] >= 0.98 * TARGETS["intake_rate"]),
            )
        )
        rows.append(
            (
                f"intake p50/p95/p99 [{config}]",
                f"{fmt_s(r['p50'])} / {fmt_s(r['p95'])} / {fmt_s(r['p99'])}",
                "p95 < 300 ms",
                verdict(r["p95"] < 0.3),
            )
        )
        db = r["db"]
        intact = (
            db["saved_but_missing"] == 0
            and db["duplicate_uuids"] == 0
            and db["stored_but_never_sent"] == 0
            and db["resent_stored_more_than_once"] == 0
            and db["detentions"] == db["reports"]
        )
        rows.append(
            (
                f"intake none lost / stored twice [{config}]",
                f"{db['reports']} stored, {db['saved_but_missing']} lost, {db['duplicate_uuids']} dup",
                "0 lost, 0 twice",
                verdict(intact),
            )
        )
        rows.append(
            (
                f"intake flat-out throughput [{config}]",
                f"{r['flat_rate']:.1f}/s ({r['clients']} clients)",
                "",
                "",
            )
        )
    enc, plain = results.get("intake", {}).get("sqlcipher"), results.get("intake", {}).get("sqlite")
    if enc and plain and plain["flat_rate"]:
        cost = plain["flat_rate"] / enc["flat_rate"] - 1 if enc["flat_rate"] else float("inf")
        rows.append(
            ("encryption cost: intake throughput", f"{cost * 100:+.0f} %", "<= +50 %", verdict(cost <= 0.5))
        )
        cost = enc["p95"] / plain["p95"] - 1
        rows.append(("encryption cost: intake p95 at 50/s", f"{cost * 100:+.0f} %", "", ""))
    for size in sorted({int(k.split()[0]) for k in results.get("event", {})}):
        enc, plain = results["event"].get(f"{size} [sqlcipher]"), results["event"].get(f"{size} [sqlite]")
        if enc and plain:
            cost = enc["figures_cli"] / plain["figures_cli"] - 1
            rows.append(
                (
                    f"encryption cost: vigil figures, {size}",
                    f"{cost * 100:+.0f} %",
                    "<= +50 %",
                    verdict(cost <= 0.5),
                )
            )
            cost = enc["figures"]["seconds"] / plain["figures"]["seconds"] - 1
            rows.append((f"encryption cost: event_figures(), {size}", f"{cost * 100:+.0f} %", "", ""))
    demo = results.get("demo", {})
    if "sqlcipher" in demo and "sqlite" in demo:
        cost = demo["sqlcipher"]["seconds"] / demo["sqlite"]["seconds"] - 1
        rows.append(("encryption cost: vigil demo", f"{cost * 100:+.0f} %", "", ""))
    print()
    print_table(rows)


def print_event_details(key: str, r: dict[str, Any]) -> None:
    b = r["build"]
    note(
        f"   built {b['event_detentions']:,} detentions of event {EVENT} ({b['reports']:,} reports, {b['persons']:,} "
        f"persons, {b['cases']:,} cases, {b['decisions']:,} decisions) by the {b['path']} path in {r['build_seconds']:.1f} s"
    )
    check = r.get("check") or {}
    if check:
        note(
            f"   bulk path check ({check['reports']} reports, {check['seconds']:.1f} s): "
            + (
                f"same rows added to each of the {check['tables']} tables, same figures and audit actions as the "
                "one-by-one write operations"
                if check["same"]
                else "DIFFERS: " + "; ".join(check["differences"])
            )
        )
        if check.get("not_mirrored"):
            note(
                "   not written by the bulk path (no page or figure reads them): "
                + "; ".join(check["not_mirrored"])
            )
    page = ", ".join(fmt_s(s) for s in r["page_runs"])
    note(
        f"   page {fmt_s(r['page'])} (runs {page}; {r['page_queries']} queries, {fmt_s(r['page_query_seconds'])} in SQL)"
    )
    note(
        f"   vigil figures wall {fmt_s(r['figures_cli'])} (runs {', '.join(fmt_s(s) for s in r['figures_cli_runs'])}); "
        f"start-up alone {fmt_s(r['cli_startup'])}; event_figures() {fmt_s(r['figures']['seconds'])}; "
        f"with vigil serve running {fmt_s(r['figures_cli_served'])} "
        f"(runs {', '.join(fmt_s(s) for s in r['figures_cli_served_runs'])})"
    )
    note("   slowest queries of the page:")
    for q in r["slowest_queries"]:
        note(f"     {fmt_s(q['seconds']):>8}  {q['sql'][:220]}")
    if r.get("explain"):
        note("   plan of the slowest: " + " | ".join(r["explain"])[:900])


def print_intake_details(config: str, r: dict[str, Any]) -> None:
    note(
        f"   paced: {r['paced_saved']}/{r['paced_posts']} saved at {r['paced_rate']:.1f}/s offered {r['offered_rate']:.0f}/s, "
        f"p50 {fmt_s(r['p50'])} p95 {fmt_s(r['p95'])} p99 {fmt_s(r['p99'])} max {fmt_s(r['max'])}, sends late p95 "
        f"{fmt_s(r['late_p95'])}; load generator CPU {r['generator_cpu_share'] * 100:.0f} % of a core, server "
        f"{r['server_cpu_share'] * 100:.0f} %"
    )
    note(f"   resent {r['resent']} posts (25 forms twice at once): {r['resent_saved']} answered saved")
    note(
        f"   flat out: {r['flat_rate']:.1f}/s, p95 {fmt_s(r['flat_p95'])}, server CPU {r['flat_server_cpu_share'] * 100:.0f} %"
    )
    if r["errors"]:
        note(f"   not saved: {r['errors']}")
    note(f"   database: {r['db']}")
