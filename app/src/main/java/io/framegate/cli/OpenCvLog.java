package io.framegate.cli;

import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.LocalEngine;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns OpenCV's own log off for the CLI's commands: OpenCV writes what its decoders refuse (an animated WebP, a
 * damaged TIFF: {@code [ERROR:0@0.06] global loadsave.cpp:865 imdecode_ ... OpenCV(4.10.0) /home/runner/...}) to the
 * process's stderr, under the CLI's own error line. The command names the file and the reason itself.
 * <p>
 * Neither the official Java bindings nor JavaCPP's OpenCV preset expose {@code cv::utils::logging::setLogLevel}, so it
 * is called through the FFM API (Java 22+) from the OpenCV core library the engine loaded (the application's class
 * loader holds it; the jar's manifest enables native access). Where the symbol is not found (another OpenCV build, another C++
 * ABI) nothing changes. libpng's and libjpeg's own messages ({@code libpng error: ...}, {@code Corrupt JPEG data: ...})
 * are written to stderr by those libraries directly and are not OpenCV's log; the commands check images with
 * {@code ImageHeader} before any decoder sees them, which leaves them only files whose structure is sound.
 */
final class OpenCvLog {
    /** {@code cv::utils::logging::setLogLevel(cv::utils::logging::LogLevel)}, Itanium C++ ABI (Linux, macOS). */
    static final String SET_LOG_LEVEL = "_ZN2cv5utils7logging11setLogLevelENS1_8LogLevelE";
    /** {@code LOG_LEVEL_SILENT}. */
    private static final int SILENT = 0;
    /** A 1x1 grey PNG: decoding it is the engine's public way to have its OpenCV natives loaded. */
    private static final byte[] PIXEL = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==");
    private static volatile boolean silenced;

    private OpenCvLog() {
    }

    /** Has the engine load its OpenCV natives (waiting for a background load), by decoding a 1x1 PNG. */
    static void loadNatives() throws io.framegate.domain.GenerationException {
        LocalEngine.probe(new InputImage(ImageRole.FIRST_FRAME, PIXEL, null, "1x1"));
    }

    /**
     * {@code int setLogLevel(int)} from the libraries the engine loaded, or null. The FFM API is final from Java 22
     * and the build targets 21, where it is a preview: so it is reached by reflection, and on Java 21 (or with
     * native access denied) this is null.
     */
    private static MethodHandle setLogLevel() throws ReflectiveOperationException {
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
        // the libraries System.load put in this class's loader: the engine's, loaded from the application's class path
        Object lookup = lookupType.getMethod("loaderLookup").invoke(null);
        Optional<?> fn = (Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, SET_LOG_LEVEL);
        if (fn.isEmpty()) return null;
        Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
        Object args = Array.newInstance(layoutType, 1);
        Array.set(args, 0, javaInt);
        Object descriptor = descriptorType.getMethod("of", layoutType, args.getClass()).invoke(null, javaInt, args);
        Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        return (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType())
                .invoke(linker, fn.get(), descriptor, Array.newInstance(optionType, 0));
    }

    /**
     * Silences OpenCV's log for the rest of the process (the engine's natives are loaded first); true when it is.
     * Never throws: a command runs on with the log as it was.
     */
    static boolean silence() {
        if (silenced) return true;
        synchronized (OpenCvLog.class) {
            if (silenced) return true;
            try {
                loadNatives();
                MethodHandle set = setLogLevel();
                if (set == null) return false;
                int before = (int) set.invoke(SILENT);
                silenced = true;
                return before >= 0;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) { // GenerationException, an UnsatisfiedLinkError, an IllegalCallerException
                return false;
            }
        }
    }
}
