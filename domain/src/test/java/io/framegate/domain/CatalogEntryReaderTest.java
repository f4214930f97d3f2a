package io.framegate.domain;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's own reader maps every entry as Jackson's data binding did, and is as strict. */
class CatalogEntryReaderTest {
    /** The binding the catalog used before: the oracle. */
    private static final ObjectMapper BINDING = JsonMapper.builder().addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Test
    void everyBuiltInEntryReadsAsTheDataBindingReadsIt() throws IOException {
        JsonNode tree = ModelCatalog.builtInTree();
        ModelCatalog bound = ModelCatalog.parse(tree, entry -> BINDING.treeToValue(entry, ModelSpec.class));
        ModelCatalog read = ModelCatalog.parse(tree);
        assertThat(read.models()).hasSize(bound.models().size()).hasSizeGreaterThan(30);
        // records: equal when every component is (lists, maps, nested records, dates)
        assertThat(read.models()).containsExactlyElementsOf(bound.models());
        // the built-in data exercises the nested types, so the comparison above covers them
        assertThat(read.models()).anySatisfy(m -> assertThat(m.rules()).isNotEmpty());
        assertThat(read.models()).anySatisfy(m -> assertThat(m.wire().constants()).isNotEmpty());
        assertThat(read.models()).anySatisfy(m -> assertThat(m.lifecycle().shutdown()).isNotNull());
        assertThat(read.models()).anySatisfy(m -> assertThat(m.sizeRange()).isNotNull());
    }

    @Test
    void everyRecordComponentHasAField() {
        assertThat(CatalogEntryReader.MODEL_FIELDS).isEqualTo(components(ModelSpec.class));
        assertThat(CatalogEntryReader.RULE_FIELDS).isEqualTo(components(Rule.class));
        assertThat(CatalogEntryReader.LIFECYCLE_FIELDS).isEqualTo(components(Lifecycle.class));
        assertThat(CatalogEntryReader.WIRE_FIELDS).isEqualTo(components(WireFields.class));
        assertThat(CatalogEntryReader.RANGE_FIELDS).isEqualTo(components(Range.class));
    }

    @Test
    void unknownFieldsAndWrongTypesAreRefusedWithTheirPath() throws IOException {
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"secondz\":[4]}")).hasMessageContaining("unknown field secondz");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"rules\":[{\"when\":{},\"thenn\":{}}]}"))
                .hasMessageContaining("unknown field rules[0].thenn");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"seconds\":[4,\"eight\"]}"))
                .hasMessageContaining("seconds[1]: expected a whole number");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"seed\":\"yes\"}")).hasMessageContaining("seed: expected true or false");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"roles\":{\"middle_frame\":1}}"))
                .hasMessageContaining("roles.middle_frame: not an image role");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"lifecycle\":{\"shutdown\":\"soon\"}}"))
                .hasMessageContaining("lifecycle.shutdown: soon is not a date");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"fpsRange\":{\"min\":1}}")).hasMessageContaining("fpsRange: needs min and max");
        // the binding refused the same entries
        for (String bad : new String[]{"{\"id\":\"m\",\"secondz\":[4]}", "{\"id\":\"m\",\"seconds\":[4,\"eight\"]}",
                "{\"id\":\"m\",\"rules\":[{\"thenn\":{}}]}"}) {
            assertThatThrownBy(() -> BINDING.treeToValue(BINDING.readTree(bad), ModelSpec.class)).as(bad).isInstanceOf(IOException.class);
        }
    }

    /** docs/admin.md, Money: a catalog price finer than a micro-dollar is refused when the catalog loads, naming it. */
    @Test
    void aPriceFinerThanAMicroDollarIsRefusedWhenTheCatalogLoads() throws IOException {
        assertThat(read("{\"id\":\"m\",\"pricePerSecond\":{\"720p\":0.000001}}").pricePerSecondAt("720p")).contains(0.000001);
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"pricePerSecond\":{\"720p\":0.0000015}}"))
                .hasStackTraceContaining("pricePerSecond.720p = 1.5E-6").hasStackTraceContaining("whole micro-dollars");
        assertThatThrownBy(() -> read("{\"id\":\"m\",\"pricePerVideo\":{\"768p\":0.5200001}}"))
                .hasStackTraceContaining("pricePerVideo.768p").hasStackTraceContaining("whole micro-dollars");
    }

    @Test
    void aMinimalEntryGetsTheRecordsDefaults() throws IOException {
        ModelSpec m = read("{\"id\":\"m\",\"roles\":{\"first_frame\":1},\"wire\":{\"constants\":{\"mode\":\"pro\",\"n\":2}}}");
        assertThat(m).isEqualTo(BINDING.treeToValue(BINDING.readTree(
                "{\"id\":\"m\",\"roles\":{\"first_frame\":1},\"wire\":{\"constants\":{\"mode\":\"pro\",\"n\":2}}}"), ModelSpec.class));
        assertThat(m.maxVideos()).isEqualTo(1);
        assertThat(m.wire().acceptsUrl()).isTrue();
        assertThat(m.maxImages(ImageRole.FIRST_FRAME)).isEqualTo(1);
    }

    private static ModelSpec read(String json) throws IOException {
        return CatalogEntryReader.modelSpec(BINDING.readTree(json));
    }

    private static Set<String> components(Class<? extends Record> type) {
        return Set.copyOf(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList());
    }
}
