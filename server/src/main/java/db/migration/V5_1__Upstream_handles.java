package db.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Fills {@code jobs.upstream_handle} (V5) for jobs written before it existed: the handle of the checkpoint, else the
 * {@code upstream_id} note. Runs once, over the rows that went to an upstream (portable: the JSON is read here).
 */
public class V5_1__Upstream_handles extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (Statement select = context.getConnection().createStatement();
             ResultSet rs = select.executeQuery("SELECT id, checkpoint, notes_json FROM jobs WHERE checkpoint IS NOT NULL "
                     + "OR notes_json LIKE '%upstream_id%'");
             PreparedStatement update = context.getConnection().prepareStatement(
                     "UPDATE jobs SET upstream_handle = ? WHERE id = ?")) {
            while (rs.next()) {
                String handle = text(json, rs.getString(2), "handle");
                if (handle == null) handle = text(json, rs.getString(3), "upstream_id");
                if (handle == null) continue;
                update.setString(1, handle);
                update.setString(2, rs.getString(1));
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private static String text(ObjectMapper json, String doc, String field) {
        if (doc == null || doc.isBlank()) return null;
        try {
            JsonNode v = json.readTree(doc).get(field);
            return v != null && v.isTextual() ? v.asText() : null;
        } catch (Exception notJson) {
            return null;
        }
    }
}
