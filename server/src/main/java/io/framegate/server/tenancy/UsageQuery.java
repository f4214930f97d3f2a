package io.framegate.server.tenancy;

import org.jdbi.v3.core.Jdbi;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Usage read from the ledger, grouped by key, account, model or day (UTC): the answer of {@code GET /admin/v1/usage}
 * and of {@code framegate usage} when no server runs, so both show the same figures. Per group: jobs (with a reserve
 * row), spent (capture rows' {@code cost_micros}), reserved now (reserve rows not yet settled) and video seconds
 * (capture rows). Rows are counted in the period of their own {@code created_at}.
 */
public final class UsageQuery {
    public static final List<String> GROUPS = List.of("key", "account", "model", "day");
    private static final long DAY_MS = 86_400_000L;

    private final Jdbi jdbi;

    public UsageQuery(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * {@code {"object":"list","by":..,"from":..,"to":..,"data":[{"group","name","jobs","spent_usd","spent_micros",
     * "reserved_usd","reserved_micros","video_seconds"}]}}.
     *
     * @param by   key, account, model or day (null: key)
     * @param from first day counted, {@code YYYY-MM-DD} (UTC), null for no start
     * @param to   last day counted (inclusive), null for no end
     * @throws AdminException (400) a parameter is not one of the allowed values
     */
    public Map<String, Object> answer(String by, String from, String to) {
        String group = by == null || by.isBlank() ? "key" : by.trim().toLowerCase(Locale.ROOT);
        if (!GROUPS.contains(group)) {
            throw AdminException.invalid("by", "by=" + by + " is not a grouping; allowed: " + String.join(", ", GROUPS));
        }
        long fromMs = from == null || from.isBlank() ? Long.MIN_VALUE : day(from, "from");
        long toMs = to == null || to.isBlank() ? Long.MAX_VALUE : day(to, "to") + DAY_MS;
        if (fromMs >= toMs) throw AdminException.invalid("to", "to=" + to + " is before from=" + from);
        String expr = switch (group) {
            case "key" -> "COALESCE(l.key_id, j.owner_key_id)";
            case "account" -> "l.account_id";
            case "model" -> "COALESCE(l.model, j.model)";
            default -> "(l.created_at / " + DAY_MS + ")";
        };
        String name = switch (group) {
            case "key" -> "(SELECT k.name FROM api_keys k WHERE k.id = g.grp)";
            case "account" -> "(SELECT a.name FROM accounts a WHERE a.id = g.grp)";
            default -> "NULL";
        };
        String sql = "SELECT g.grp, " + name + " AS name, g.jobs, g.spent, g.reserved, g.vs FROM (SELECT " + expr + " AS grp, "
                + "COUNT(DISTINCT CASE WHEN l.kind = 'reserve' THEN l.job_id END) AS jobs, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'capture' THEN l.cost_micros END), 0) AS spent, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'reserve' AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.job_id = l.job_id "
                + "AND s.kind IN ('capture', 'release')) THEN -l.amount_micros END), 0) AS reserved, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'capture' THEN l.video_seconds END), 0) AS vs "
                + "FROM ledger l LEFT JOIN jobs j ON j.id = l.job_id WHERE l.job_id IS NOT NULL "
                + "AND l.created_at >= :from AND l.created_at < :to GROUP BY " + expr + ") g ORDER BY g.grp";
        List<Map<String, Object>> data = jdbi.withHandle(h -> h.createQuery(sql).bind("from", fromMs).bind("to", toMs)
                .map((rs, ctx) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    String g = rs.getString(1);
                    m.put("group", group.equals("day") && g != null
                            ? LocalDate.ofEpochDay(Long.parseLong(g)).toString() : g);
                    m.put("name", rs.getString(2));
                    m.put("jobs", rs.getLong(3));
                    m.put("spent_usd", BudgetInput.usd(rs.getLong(4)));
                    m.put("spent_micros", rs.getLong(4));
                    m.put("reserved_usd", BudgetInput.usd(rs.getLong(5)));
                    m.put("reserved_micros", rs.getLong(5));
                    m.put("video_seconds", rs.getLong(6));
                    return m;
                }).list());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("by", group);
        body.put("from", from == null || from.isBlank() ? null : from.trim());
        body.put("to", to == null || to.isBlank() ? null : to.trim());
        body.put("data", new ArrayList<>(data));
        return body;
    }

    private static long day(String text, String param) {
        try {
            // four-digit years only: LocalDate also reads +999999999-12-31, whose milliseconds overflow a long
            if (!text.trim().matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) throw new DateTimeParseException("not YYYY-MM-DD", text, 0);
            return LocalDate.parse(text.trim()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw AdminException.invalid(param, param + "=" + text + " is not a day; write it as YYYY-MM-DD (UTC)");
        }
    }
}
