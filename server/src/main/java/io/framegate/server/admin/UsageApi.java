package io.framegate.server.admin;

import io.framegate.domain.Money;
import io.framegate.server.jobs.AdminJob;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.LedgerReader;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The money part of the admin API (docs/admin.md, "Money"): {@code GET /admin/v1/usage} (grouped by key, account,
 * model or day), {@code GET /admin/v1/ledger} (entries, newest first) and {@code GET /admin/v1/jobs/{id}} (one job of
 * any key with its ledger entries). Each handler is called only after the admin token was checked.
 */
final class UsageApi {
    private final JobService jobs;

    UsageApi(JobService jobs) {
        this.jobs = jobs;
    }

    void register(Javalin app, Predicate<Context> authorized) {
        app.get("/admin/v1/usage", ctx -> {
            if (authorized.test(ctx)) usage(ctx);
        });
        app.get("/admin/v1/ledger", ctx -> {
            if (authorized.test(ctx)) ledger(ctx);
        });
        app.get("/admin/v1/jobs/{id}", ctx -> {
            if (authorized.test(ctx)) job(ctx);
        });
    }

    private void usage(Context ctx) {
        String byText = Optional.ofNullable(ctx.queryParam("by")).orElse("key").trim().toLowerCase(Locale.ROOT);
        LedgerReader.By by = Arrays.stream(LedgerReader.By.values()).filter(b -> b.wire().equals(byText)).findFirst().orElse(null);
        if (by == null) {
            AdminApi.error(ctx, 400, "invalid_request", "by=" + byText + " is not a grouping; allowed: key, account, model, day", "by");
            return;
        }
        Long from = day(ctx, "from", 0);
        if (from == null) return;
        Long to = day(ctx, "to", 1);
        if (to == null) return;
        List<Map<String, Object>> data = new ArrayList<>();
        for (LedgerReader.Usage u : jobs.ledger().usage(by, from, to)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", u.group());
            if (by == LedgerReader.By.KEY || by == LedgerReader.By.ACCOUNT) m.put("name", u.name());
            m.put("jobs", u.jobs());
            m.put("spent_usd", Money.usd(u.spentMicros()));
            m.put("spent_micros", u.spentMicros());
            m.put("reserved_micros", u.reservedMicros());
            m.put("video_seconds", u.videoSeconds());
            data.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("by", by.wire());
        body.put("data", data);
        ctx.json(body);
    }

    /**
     * The start of a {@code YYYY-MM-DD} (UTC) in epoch ms, plus {@code plusDays} ({@code to} is inclusive, so its end);
     * the whole range when absent; null after answering 400.
     */
    private static Long day(Context ctx, String param, int plusDays) {
        String v = ctx.queryParam(param);
        if (v == null || v.isBlank()) return plusDays == 0 ? 0L : Long.MAX_VALUE;
        try {
            return LocalDate.parse(v.trim()).plusDays(plusDays).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            AdminApi.error(ctx, 400, "invalid_request", param + "=" + v + " is not a date; expected YYYY-MM-DD (UTC)", param);
            return null;
        }
    }

    private void ledger(Context ctx) {
        int limit = AdminApi.DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LedgerReader.MAX_LIMIT) {
                AdminApi.error(ctx, 400, "invalid_request", "limit=" + l + " is out of range; allowed: 1.." + LedgerReader.MAX_LIMIT,
                        "limit");
                return;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", jobs.ledger().entries(blankToNull(ctx.queryParam("key")), blankToNull(ctx.queryParam("account")), limit));
        ctx.json(body);
    }

    private void job(Context ctx) {
        Optional<AdminJob> found = jobs.findAny(ctx.pathParam("id"));
        if (found.isEmpty()) {
            AdminApi.error(ctx, 404, "not_found", "no job with id '" + ctx.pathParam("id") + "'", null);
            return;
        }
        Map<String, Object> view = AdminApi.view(found.get());
        view.put("ledger", jobs.ledger().ofJob(found.get().job().id()));
        ctx.json(view);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
