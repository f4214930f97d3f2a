package io.framegate.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs prove their promises by naming tests ({@code ClassTest}, {@code ClassTest#method}, {@code module: ClassTest}):
 * every test so named must exist in the sources (in the named module, with the named method), so that a renamed or
 * deleted test cannot leave a promise citing nothing. Reads README.md, docs/*.md and bench/README.md from the
 * repository root and every module's src/test/java.
 */
class DocsCitedTestsTest {
    /** {@code [module: ]ClassTest[#method]}, not inside a longer word ({@code -Dsurefire.failIfNoSpecifiedTests}). */
    static final Pattern CITATION = Pattern.compile(
            "(?:\\b(domain|engine|providers|server|app|bench): )?(?<![\\w.$])([A-Z][A-Za-z0-9]*Test)\\b(?:#([A-Za-z_][A-Za-z0-9_]*))?");
    private static final List<String> MODULES = List.of("domain", "engine", "providers", "server", "app", "bench");

    record Citation(String doc, int line, String module, String testClass, String method) {
        @Override
        public String toString() {
            return doc + ":" + line + " cites " + (module == null ? "" : module + ": ") + testClass
                    + (method == null ? "" : "#" + method);
        }
    }

    @Test
    void everyTestTheDocsCiteExistsWithItsMethodInItsModule() {
        Path root = repoRoot();
        Map<String, List<Path>> sources = testSources(root);
        List<Citation> citations = citations(root);
        assertThat(citations).as("the docs cite tests at all (the pattern still matches them)").hasSizeGreaterThan(40);

        List<String> stale = new ArrayList<>();
        for (Citation c : citations) {
            List<Path> files = sources.getOrDefault(c.testClass(), List.of());
            if (files.isEmpty()) {
                stale.add(c + ": no such test class in any module's src/test/java");
                continue;
            }
            if (c.module() != null && files.stream().noneMatch(f -> root.relativize(f).startsWith(c.module()))) {
                stale.add(c + ": the class is in " + files.stream().map(f -> root.relativize(f).getName(0).toString()).toList()
                        + ", not in " + c.module());
            }
            if (c.method() != null && files.stream().noneMatch(f -> declares(f, c.method()))) {
                stale.add(c + ": " + c.testClass() + " has no method " + c.method());
            }
        }
        assertThat(stale).as("tests cited by the docs that do not exist").isEmpty();
    }

    @Test
    void theCitationPatternReadsTheFormsTheDocsUse() {
        Matcher m = CITATION.matcher("`server: WebhooksTest#aPrivateTargetIsRefused`, `KillNineTest` and "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dtest=DatabaseTest");
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group(1) + "|" + m.group(2) + "|" + m.group(3));
        assertThat(found).containsExactly("server|WebhooksTest|aPrivateTargetIsRefused", "null|KillNineTest|null",
                "null|DatabaseTest|null");
    }

    static List<Citation> citations(Path root) {
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("bench/README.md")));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Citation> out = new ArrayList<>();
        for (Path doc : docs) {
            List<String> lines = read(doc).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = CITATION.matcher(lines.get(i));
                while (m.find()) {
                    out.add(new Citation(root.relativize(doc).toString(), i + 1, m.group(1), m.group(2), m.group(3)));
                }
            }
        }
        return out;
    }

    /** Test class simple name -> its source files (a name may exist in two modules). */
    private static Map<String, List<Path>> testSources(Path root) {
        Map<String, List<Path>> out = new TreeMap<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("src/test/java");
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(p -> out.computeIfAbsent(
                        p.getFileName().toString().replace(".java", ""), k -> new ArrayList<>()).add(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static boolean declares(Path source, String method) {
        return Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(").matcher(read(source)).find();
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs")) && Files.isRegularFile(p.resolve("README.md"))
                    && Files.isDirectory(p.resolve("domain"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
