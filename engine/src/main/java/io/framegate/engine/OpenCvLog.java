package io.framegate.engine;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * OpenCV's own log level, which {@link NativeLibs} sets to silent once OpenCV is loaded: OpenCV writes what its
 * decoders refuse (an animated WebP, a damaged TIFF: {@code [ERROR:0@0.06] global loadsave.cpp:865 imdecode_ ...
 * OpenCV(4.10.0) /home/runner/...}) to the process's stderr, under the CLI's error line or into the server's log. The
 * caller names the image and the reason itself ({@link ImageDecoder}).
 * <p>
 * Neither the official Java bindings nor JavaCPP's OpenCV preset expose {@code cv::utils::logging::setLogLevel}, so it
 * is called through the FFM API (Java 22+) from the OpenCV core library loaded into this class's loader (the jar's
 * manifest enables native access). Where the symbol is not found (another OpenCV build, another C++ ABI) nothing
 * changes. libpng's and libjpeg's own messages ({@code libpng error: ...}, {@code Corrupt JPEG data: ...}) are written
 * to stderr by those libraries directly and are not OpenCV's log; the decoder checks images whole first, which leaves
 * them only files whose structure is sound.
 */
final class OpenCvLog {
    /** {@code cv::utils::logging::setLogLevel(cv::utils::logging::LogLevel)}, Itanium C++ ABI (Linux, macOS). */
    static final String SET_LOG_LEVEL = "_ZN2cv5utils7logging11setLogLevelENS1_8LogLevelE";
    /** {@code LOG_LEVEL_SILENT}. */
    static final int SILENT = 0;

    private OpenCvLog() {
    }

    /**
     * Sets OpenCV's log level (OpenCV's natives loaded); the level before, or -1 where it cannot be set (Java 21, the
     * symbol not found, native access denied). Never throws: the log stays as it was.
     */
    static int setLevel(int level) {
        try {
            MethodHandle set = setLogLevel();
            return set == null ? -1 : (int) set.invoke(level);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) { // an UnsatisfiedLinkError, an IllegalCallerException, a reflective error
            return -1;
        }
    }

    /**
     * {@code int setLogLevel(int)} from the libraries loaded into this class's loader, or null. The FFM API is final
     * from Java 22 and the build targets 21, where it is a preview: so it is reached by reflection, and on Java 21
     * this is null.
     */
    private static MethodHandle setLogLevel() throws ReflectiveOperationException {
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
        // the libraries System.load put in this class's loader (NativeLibs' or JavaCPP's loader, the application's)
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
}
