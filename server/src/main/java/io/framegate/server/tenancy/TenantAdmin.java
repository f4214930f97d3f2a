package io.framegate.server.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.auth.KeyStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Accounts and API keys as the operator manages them, for the admin API and the CLI alike (one set of rules): every
 * key belongs to an account, budgets and limits sit on either (NULL = none), a key is addressed by its name or id. A
 * budget change writes its ledger row (grant when raised or first set, adjust when lowered or removed) in the same
 * transaction as the new budget, so the ledger's sum for the holder stays budget - spent - reserved.
 */
public final class TenantAdmin {
    static final Set<String> ACCOUNT_CREATE = union(LimitFields.COMMON, Set.of("name"));
    static final Set<String> KEY_CREATE = union(union(LimitFields.COMMON, LimitFields.KEY_ONLY), Set.of("name", "account"));
    static final Set<String> KEY_PATCH = union(LimitFields.COMMON, LimitFields.KEY_ONLY);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Function<String, Optional<String>> modelIds;
    private final Clock clock;

    /** @param modelIds a client's model name (alias or catalog id) -> its catalog id, empty when unknown */
    public TenantAdmin(Jdbi jdbi, Function<String, Optional<String>> modelIds, Clock clock) {
        this.jdbi = jdbi;
        this.modelIds = modelIds;
        this.clock = clock;
    }

    // ---- accounts

    public Map<String, Object> createAccount(JsonNode body) {
        LimitFields.checkFields(body, ACCOUNT_CREATE);
        String name = name(body, "account");
        Map<String, Object> cols = LimitFields.parse(body, false, modelIds, clock.millis());
        return jdbi.inTransaction(h -> {
            if (TenantViews.findAccountId(h, name).isPresent()) throw AdminException.conflict("name", "an account named '" + name + "' exists already");
            String id = "acct_" + HexFormat.of().formatHex(randomBytes(8));
            h.createUpdate("INSERT INTO accounts (id, name, created_at) VALUES (:id, :name, :now)")
                    .bind("id", id).bind("name", name).bind("now", clock.millis()).execute();
            apply(h, "accounts", id, null, id, cols);
            return TenantViews.account(h, id);
        });
    }

    public List<Map<String, Object>> listAccounts() {
        return jdbi.withHandle(TenantViews::accounts);
    }

    public Map<String, Object> account(String ref) {
        return jdbi.withHandle(h -> TenantViews.account(h, accountId(h, ref)));
    }

    public Map<String, Object> updateAccount(String ref, JsonNode body) {
        LimitFields.checkFields(body, LimitFields.COMMON);
        Map<String, Object> cols = LimitFields.parse(body, false, modelIds, clock.millis());
        return jdbi.inTransaction(h -> {
            String id = accountId(h, ref);
            apply(h, "accounts", id, null, id, cols);
            return TenantViews.account(h, id);
        });
    }

    /** Disables an account: its keys stop authenticating at once; its jobs and ledger stay. */
    public Map<String, Object> disableAccount(String ref) {
        return jdbi.inTransaction(h -> {
            String id = accountId(h, ref);
            if (KeyStore.DEFAULT_ACCOUNT.equals(id)) {
                throw AdminException.conflict("name", "the default account cannot be deleted; revoke its keys instead");
            }
            h.createUpdate("UPDATE accounts SET disabled_at = :now WHERE id = :id AND disabled_at IS NULL")
                    .bind("now", clock.millis()).bind("id", id).execute();
            return TenantViews.account(h, id);
        });
    }

    // ---- keys

    /** A new key; the answer holds its {@code secret}, shown this once (only its hash is stored). */
    public Map<String, Object> createKey(JsonNode body) {
        LimitFields.checkFields(body, KEY_CREATE);
        String name = name(body, "key");
        String accountRef = body.hasNonNull("account") ? body.get("account").asText().trim() : "default";
        Map<String, Object> cols = LimitFields.parse(body, true, modelIds, clock.millis());
        return jdbi.inTransaction(h -> {
            String account = accountId(h, accountRef);
            if (TenantViews.isDisabled(h, account)) throw AdminException.conflict("account", "account '" + accountRef + "' is disabled");
            if (!TenantViews.activeKeyIds(h, name).isEmpty()) {
                throw AdminException.conflict("name", "an active key named '" + name + "' exists already; revoke it or pick another name");
            }
            KeyStore.CreatedKey created = KeyStore.create(h, name, account);
            apply(h, "api_keys", created.key().id(), created.key().id(), account, cols);
            Map<String, Object> view = TenantViews.key(h, created.key().id());
            view.put("secret", created.secret());
            return view;
        });
    }

    public List<Map<String, Object>> listKeys() {
        return jdbi.withHandle(h -> TenantViews.keys(h, clock.millis()));
    }

    public Map<String, Object> key(String ref) {
        return jdbi.withHandle(h -> TenantViews.key(h, keyId(h, ref)));
    }

    public Map<String, Object> updateKey(String ref, JsonNode body) {
        LimitFields.checkFields(body, KEY_PATCH);
        Map<String, Object> cols = LimitFields.parse(body, true, modelIds, clock.millis());
        return jdbi.inTransaction(h -> {
            String id = keyId(h, ref);
            String account = h.createQuery("SELECT account_id FROM api_keys WHERE id = :id").bind("id", id).mapTo(String.class).one();
            apply(h, "api_keys", id, id, account, cols);
            return TenantViews.key(h, id);
        });
    }

    /** Revokes a key: its next request is refused (401); its jobs and ledger stay. Revoking twice is harmless. */
    public Map<String, Object> revokeKey(String ref) {
        return jdbi.inTransaction(h -> {
            String id = keyId(h, ref);
            h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                    .bind("now", clock.millis()).bind("id", id).execute();
            return TenantViews.key(h, id);
        });
    }

    // ---- shared

    /**
     * Writes the changed columns of one holder; a budget change first locks the row, then writes the ledger row of
     * the difference (a missing budget counts as 0 here, so removing one is an adjust of the whole old budget).
     */
    private void apply(Handle h, String table, String id, String keyId, String accountId, Map<String, Object> cols) {
        if (cols.isEmpty()) return;
        if (cols.containsKey("budget_micros")) {
            Long old = h.createQuery("SELECT budget_micros FROM " + table + " WHERE id = :id FOR UPDATE").bind("id", id)
                    .mapTo(Long.class).one();
            Long now = (Long) cols.get("budget_micros");
            long delta = (now == null ? 0 : now) - (old == null ? 0 : old);
            if (delta != 0) {
                h.createUpdate("INSERT INTO ledger (key_id, account_id, kind, amount_micros, note, created_at) "
                                + "VALUES (:key, :account, :kind, :amount, :note, :now)")
                        .bind("key", keyId).bind("account", accountId).bind("kind", delta > 0 ? "grant" : "adjust")
                        .bind("amount", delta).bind("now", clock.millis())
                        .bind("note", "budget " + (old == null ? "none" : BudgetInput.usd(old) + " USD") + " -> "
                                + (now == null ? "none" : BudgetInput.usd(now) + " USD") + " (operator)")
                        .execute();
            }
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
        int i = 0;
        for (String c : cols.keySet()) sql.append(i++ == 0 ? "" : ", ").append(c).append(" = :").append(c);
        var update = h.createUpdate(sql.append(" WHERE id = :id").toString()).bind("id", id);
        for (Map.Entry<String, Object> e : cols.entrySet()) {
            Object v = e.getValue();
            if (v == null) update.bindNull(e.getKey(), e.getKey().equals("models") ? java.sql.Types.VARCHAR : java.sql.Types.BIGINT);
            else update.bindByType(e.getKey(), v, v.getClass());
        }
        update.execute();
    }

    private static String name(JsonNode body, String what) {
        if (body == null || !body.hasNonNull("name") || body.get("name").asText().isBlank()) {
            throw AdminException.invalid("name", "a " + what + " needs a name");
        }
        String name = body.get("name").asText().trim();
        if (name.length() > 200) throw AdminException.invalid("name", "a " + what + " name has at most 200 characters");
        return name;
    }

    /**
     * The key id {@code ref} stands for: an id as it is (its row may be gone while its ledger rows stay), else the one
     * active key of that name; 404 for an unknown name.
     */
    public String keyIdOf(String ref) {
        return ref.startsWith("key_") ? ref : jdbi.withHandle(h -> keyId(h, ref));
    }

    /** The account id {@code ref} stands for: an id as it is, else the account of that name; 404 for an unknown name. */
    public String accountIdOf(String ref) {
        return ref.startsWith("acct_") ? ref : jdbi.withHandle(h -> accountId(h, ref));
    }

    private static String accountId(Handle h, String ref) {
        return TenantViews.findAccountId(h, ref).orElseThrow(() -> AdminException.notFound("account", ref));
    }

    /** The key of this id, else the one active key of this name (a revoked key is reached by its id). */
    private static String keyId(Handle h, String ref) {
        if (ref != null && ref.startsWith("key_")
                && h.createQuery("SELECT COUNT(*) FROM api_keys WHERE id = :id").bind("id", ref).mapTo(Integer.class).one() == 1) {
            return ref;
        }
        List<String> ids = TenantViews.activeKeyIds(h, ref);
        if (ids.size() > 1) {
            throw AdminException.conflict("name", ids.size() + " active keys are named '" + ref + "'; address one by its id: " + ids);
        }
        if (ids.isEmpty()) {
            List<String> any = h.createQuery("SELECT id FROM api_keys WHERE name = :n ORDER BY created_at DESC")
                    .bind("n", ref).mapTo(String.class).list();
            if (any.isEmpty()) throw AdminException.notFound("key", ref);
            return any.get(0);
        }
        return ids.get(0);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
