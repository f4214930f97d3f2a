package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.ops.OpenApiDocument;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The published create schema names exactly the fields the create accepts (any other field is a 400). */
class OpenApiCreateFieldsTest {
    @Test
    void theCreateSchemaListsEveryAcceptedFieldAndNoOther() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(OpenApiDocument.text());
        Set<String> described = new TreeSet<>();
        doc.at("/components/schemas/CreateVideoRequest/properties").fieldNames().forEachRemaining(described::add);
        assertThat(described).isEqualTo(new TreeSet<>(CreateMapper.CREATE_FIELDS));
    }
}
