package io.framegate.server.limits;

import io.framegate.server.jobs.CreateAdmission;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The per-key checks of a create, read from the database on every create (so an operator's change counts from the
 * next request): the key's model allow-list, the requests-per-minute limits of the key and of its account, and the
 * server's bound on queued jobs ({@code limits.max_queued_jobs}).
 */
public final class KeyAdmission implements CreateAdmission {
    private final Jdbi jdbi;
    private final RateWindows windows;
    private final Function<String, Optional<String>> modelIds;
    private final int maxQueued;
    private final Clock clock;

    /**
     * @param modelIds  a model name -> its catalog id (aliases resolved), empty when unknown
     * @param maxQueued the most queued jobs the server holds (new creates are refused at the bound)
     */
    public KeyAdmission(Jdbi jdbi, Function<String, Optional<String>> modelIds, int maxQueued, Clock clock) {
        this.jdbi = jdbi;
        this.windows = new RateWindows(jdbi);
        this.modelIds = modelIds;
        this.maxQueued = maxQueued;
        this.clock = clock;
    }

    private record KeyLimits(String models, Integer keyRpm, String accountId, Integer accountRpm) {
    }

    private Optional<KeyLimits> limits(String keyId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT k.models, k.rpm, k.account_id, a.rpm FROM api_keys k "
                        + "JOIN accounts a ON a.id = k.account_id WHERE k.id = :id")
                .bind("id", keyId)
                .map((rs, ctx) -> new KeyLimits(rs.getString(1), (Integer) rs.getObject(2), rs.getString(3),
                        (Integer) rs.getObject(4)))
                .findOne());
    }

    @Override
    public Ticket checkModel(String keyId, String model) {
        Optional<KeyLimits> k = limits(keyId);
        if (k.isPresent() && k.get().models() != null) {
            List<String> allowed = List.of(k.get().models().split(","));
            String id = model == null ? null : modelIds.apply(model).orElse(model);
            if (id == null || !allowed.contains(id)) throw new ModelNotAllowedException(model, allowed);
        }
        return new Ticket() {
            @Override
            public void admit() {
                KeyAdmission.this.admit(keyId, k);
            }

            @Override
            public void refund() {
                KeyAdmission.this.refund(keyId, k);
            }
        };
    }

    private void refund(String keyId, Optional<KeyLimits> limits) {
        long now = clock.millis();
        limits.ifPresent(k -> {
            if (k.keyRpm() != null) windows.giveBack(keyId, now);
            if (k.accountRpm() != null) windows.giveBack(k.accountId(), now);
        });
    }

    private void admit(String keyId, Optional<KeyLimits> k) {
        // the queue bound before the minute windows: a create refused for it takes no rpm slot (a create with images
        // runs this outside a transaction, so nothing would give a slot taken before it back)
        // counts no further than the bound: with a long queue, a full count would cost every create the queue's length
        if (maxQueued > 0 && jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM (SELECT 1 FROM jobs "
                        + "WHERE status = 'QUEUED' LIMIT :bound) q").bind("bound", maxQueued)
                .mapTo(Integer.class).one()) >= maxQueued) {
            throw new QueueFullException(maxQueued);
        }
        long now = clock.millis();
        if (k.isPresent()) {
            Integer keyRpm = k.get().keyRpm();
            Integer accountRpm = k.get().accountRpm();
            if (keyRpm != null && !windows.take(keyId, keyRpm, now)) {
                throw new RateLimitedException("this API key", keyRpm, RateWindows.resetIn(now));
            }
            if (accountRpm != null && !windows.take(k.get().accountId(), accountRpm, now)) {
                if (keyRpm != null) windows.giveBack(keyId, now);
                throw new RateLimitedException("the account of this API key", accountRpm, RateWindows.resetIn(now));
            }
        }
    }
}
