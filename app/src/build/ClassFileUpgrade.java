import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (app/pom.xml, package phase, JDK 24+): rewrites the classes of a jar compiled for Java 5-6 as Java 8
 * class files (version 52, stack map frames computed), the same code otherwise. picocli is compiled for Java 5, and
 * JDK 25's AOT class cache holds no class older than version 50: every command loaded, parsed and verified picocli's
 * ~170 classes from its jar with the old type-inferring verifier (0.1-0.2 CPU-s of each command, on the main thread
 * before its options are known). Rewritten, they are cached and linked ahead of time like the other libraries'.
 * <p>
 * Run as {@code java ClassFileUpgrade.java JAR}; the jar is replaced only when a class was rewritten, so running it
 * again is a no-op.
 */
public final class ClassFileUpgrade {
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".upgraded");
        int rewritten = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
             ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            // stack map frames need the common super class of two types: the jar's own classes are read from the jar
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.ofResourceParsing(loader).orElse(ClassHierarchyResolver.defaultResolver())));
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                    ClassModel model = cf.parse(bytes);
                    if (model.majorVersion() < TARGET) {
                        // every method body rebuilt (so that its frames are generated), and the version raised
                        bytes = cf.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen((builder, element) -> builder.with(element instanceof ClassFileVersion
                                        ? ClassFileVersion.of(TARGET, 0) : element)));
                        rewritten++;
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        if (rewritten == 0) {
            Files.delete(out);
            return;
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("ClassFileUpgrade: " + rewritten + " classes of " + jar.getFileName() + " rewritten as Java 8 class files");
    }
}
