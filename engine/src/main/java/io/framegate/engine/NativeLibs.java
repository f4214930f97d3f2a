package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.opencv.core.Core;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the OpenCV (official Java API) and FFmpeg natives once per process, with OpenCV's own log silenced
 * ({@link OpenCvLog}) and FFmpeg's at errors.
 * <p>
 * {@code Loader.load(opencv_java.class)} costs about 1.5 s per process here: it initialises every JavaCPP preset the
 * bindings inherit from (openblas twice, each OpenCV module's own JNI library) and probes for two dozen CUDA
 * libraries first. The engine only calls the official {@code org.opencv} bindings, whose one JNI library needs the
 * OpenCV module libraries and openblas and nothing of JavaCPP. So those files are loaded directly from JavaCPP's
 * cache in dependency order (about 20 ms), extracted there first on the first run; if any of them fails to load, the
 * full loader runs. FFmpeg's libraries likewise once the cache holds them ({@link #loadFFmpegFromCache}), though its
 * presets' classes still need JavaCPP's loader switched off while they initialise ({@link #ensureFFmpegLoaded}).
 */
final class NativeLibs {
    /**
     * The OpenCV modules {@code libopencv_java.so} links (its NEEDED entries), in an order where each one's dependencies
     * come first. Not highgui (it pulls in GTK, Cairo and GLib: about 40 ms of every start), shape or quality: nothing
     * of the Java API's library needs them. A module a later OpenCV adds makes the last load fail, and the full loader
     * takes over.
     */
    static final List<String> MODULE_ORDER = List.of("core", "flann", "imgproc", "ml", "photo", "dnn",
            "features2d", "imgcodecs", "videoio", "calib3d", "video", "objdetect", "plot", "phase_unwrapping",
            "tracking", "face", "bioinspired", "bgsegm", "aruco", "ximgproc", "xfeatures2d", "wechat_qrcode",
            "structured_light", "text", "img_hash", "dnn_superres", "xphoto");
    private static volatile boolean loaded;
    private static volatile String how = "not loaded";
    private static volatile Throwable backgroundError;
    private static volatile boolean ffmpegLoaded;
    private static volatile String ffmpegHow = "not loaded";
    /** JavaCPP's switch for its loader, read on every {@code Loader.load}. */
    private static final String LOAD_LIBRARIES = "org.bytedeco.javacpp.loadLibraries";
    /**
     * The preset classes a recorder's or grabber's start initialises (Java's class-init log of a 360p generate and of
     * reading a video back), initialised while the loader is off: each one's Loader.load searched the class path again
     * for its library (about 0.1 CPU-s at the encoder's start). One missing here only costs that search.
     */
    private static final List<Class<?>> FFMPEG_CLASSES = List.of(org.bytedeco.ffmpeg.global.avcodec.class,
            org.bytedeco.ffmpeg.global.avformat.class, org.bytedeco.ffmpeg.global.swscale.class,
            org.bytedeco.ffmpeg.global.swresample.class, org.bytedeco.ffmpeg.avformat.AVFormatContext.class,
            org.bytedeco.ffmpeg.avformat.AVOutputFormat.class, org.bytedeco.ffmpeg.avformat.AVInputFormat.class,
            org.bytedeco.ffmpeg.avformat.AVIOContext.class, org.bytedeco.ffmpeg.avformat.AVStream.class,
            org.bytedeco.ffmpeg.avcodec.AVCodec.class, org.bytedeco.ffmpeg.avcodec.AVCodecContext.class,
            org.bytedeco.ffmpeg.avcodec.AVCodecParameters.class, org.bytedeco.ffmpeg.avcodec.AVPacket.class,
            org.bytedeco.ffmpeg.avutil.AVFrame.class, org.bytedeco.ffmpeg.avutil.AVRational.class,
            org.bytedeco.ffmpeg.avutil.AVDictionary.class, org.bytedeco.javacpp.PointerPointer.class,
            org.bytedeco.javacpp.BytePointer.class, org.bytedeco.javacpp.IntPointer.class,
            org.bytedeco.javacpp.DoublePointer.class);
    /**
     * FFmpeg's libraries (7.1) in an order where each one's dependencies come first, then the presets' JNI libraries,
     * as JavaCPP's cache holds them (JavaCPP's own JNI library is loaded before them): loaded directly, as for OpenCV,
     * when all are there.
     */
    static final List<String> FFMPEG_LIBRARIES = List.of("libavutil.so.59", "libswresample.so.5", "libavcodec.so.61",
            "libavformat.so.61", "libswscale.so.8", "libpostproc.so.58", "libavfilter.so.10", "libdrm.so.2",
            "libjniavutil.so", "libjniswresample.so", "libjniavcodec.so", "libjniavformat.so", "libjniswscale.so",
            "libjnipostproc.so", "libjniavfilter.so");
    /**
     * FFmpeg's capture devices, loaded when they can be: nothing of ours uses them, but JavaCV's initialisers ask for
     * them, and their library links PulseAudio's ({@code libpulse.so.0}), which a server or a fresh Debian does not
     * have (session 13: README's first command failed there).
     */
    static final List<String> FFMPEG_DEVICE_LIBRARIES = List.of("libavdevice.so.61", "libjniavdevice.so");
    private static final Object FFMPEG_LOCK = new Object();

    private NativeLibs() {
    }

    /** OpenCV's natives: what decoding, fitting and the flow need (FFmpeg's are {@link #ensureFFmpegLoaded()}). */
    static void ensureLoaded() {
        if (loaded) return;
        synchronized (NativeLibs.class) {
            if (loaded) return;
            try {
                load();
            } catch (RuntimeException | Error e) {
                throw rethrown(e);
            }
        }
    }

    /**
     * FFmpeg's natives, for the encoder and for reading videos: loaded apart from OpenCV's (which the keyframes and the
     * flow need first), so that a caller of {@link #ensureLoaded()} does not wait for them too (FFmpeg is most of the
     * natives' load time, 0.2-0.3 s); a background load in progress is waited for, its error given as above.
     */
    static void ensureFFmpegLoaded() {
        if (ffmpegLoaded) return;
        // OpenCV first: its fallback is JavaCPP's loader, which must not run while the direct load below turns it off
        ensureLoaded();
        synchronized (FFMPEG_LOCK) {
            if (ffmpegLoaded) return;
            boolean direct = loadFFmpegFromCache();
            String before = System.getProperty(LOAD_LIBRARIES);
            // the libraries are in: for a moment JavaCPP's loader is off, and the initialisers of FFmpeg's preset
            // classes (each runs Loader.load) skip its search of the class path. Not for good: JavaCV's OpenCV
            // converter needs the loader for JavaCPP's OpenCV preset later. Every user of the presets waits here first.
            if (direct) System.setProperty(LOAD_LIBRARIES, "false");
            try {
                // FFmpeg prints every stream header at INFO; errors still reach the log.
                avutil.av_log_set_level(avutil.AV_LOG_ERROR);
                // what we use (the preset classes load their libraries as they initialise, so that a failure names
                // its library); JavaCV's recorder and grabber initialisers load these and then avdevice, and go on
                // without it when it fails (their tryLoad would then throw: not called)
                for (Class<?> c : FFMPEG_CLASSES) Class.forName(c.getName(), true, c.getClassLoader());
                for (Class<?> c : List.of(FFmpegFrameRecorder.class, FFmpegFrameGrabber.class)) {
                    Class.forName(c.getName(), true, c.getClassLoader());
                }
                ffmpegHow = direct ? "from the JavaCPP cache" : "through the JavaCPP loader";
            } catch (ClassNotFoundException e) {
                throw rethrown(new IllegalStateException(e));
            } catch (RuntimeException | Error e) {
                throw rethrown(e);
            } finally {
                if (direct) {
                    if (before == null) System.clearProperty(LOAD_LIBRARIES);
                    else System.setProperty(LOAD_LIBRARIES, before);
                }
            }
            // only now: a caller that sees it may use JavaCPP's OpenCV preset, which needs the loader on
            ffmpegLoaded = true;
        }
    }

    /** What a failed load on the caller's thread throws: {@link #firstCause} of it, unchecked as it was. */
    private static RuntimeException rethrown(Throwable now) {
        Throwable first = firstCause(backgroundError, now);
        if (first instanceof Error err) throw err;
        if (first instanceof RuntimeException re) return re;
        return new IllegalStateException(first);
    }

    /**
     * The error to report when loading on the caller's thread failed: the background load's own error, if it failed
     * first. A class whose initialiser failed there (avutil's, say) answers every later use with a bare
     * {@code NoClassDefFoundError}, which no longer names the missing library.
     */
    static Throwable firstCause(Throwable background, Throwable now) {
        if (background == null || background == now) return now;
        background.addSuppressed(now);
        return background;
    }

    private static void load() {
        StartupTrace.mark("natives: loading");
        if (loadOpenCvFromCache()) {
            how = "opencv_java from the JavaCPP cache";
        } else {
            Loader.load(org.bytedeco.opencv.opencv_java.class);
            how = "opencv_java through the JavaCPP loader";
        }
        Core.setNumThreads(Runtime.getRuntime().availableProcessors());
        // as FFmpeg's below INFO: a decoder's refusal is the caller's to word, not OpenCV's to print on stderr
        OpenCvLog.setLevel(OpenCvLog.SILENT);
        loaded = true;
        StartupTrace.mark("natives: OpenCV loaded (" + how + ")");
    }

    /**
     * Starts loading the OpenCV and FFmpeg natives on a daemon thread and returns at once, so that they load while the
     * command line is parsed and the inputs are checked (about 0.3 + 0.2 CPU-s that would otherwise wait on the main
     * thread). The natives' users still call {@link #ensureLoaded()}, which waits for a load in progress; if the
     * background load failed, it loads again on the caller's thread, and if that fails too the caller gets the
     * background load's original error (the second attempt's attached as suppressed).
     *
     * @return the loading thread (tests join it)
     */
    static Thread loadInBackground() {
        return loadInBackground(() -> {
            // OpenCV first (ensureFFmpegLoaded loads it before FFmpeg): the keyframes are decoded while FFmpeg loads,
            // and only the encoder waits for it
            ensureFFmpegLoaded();
            StartupTrace.mark("natives: FFmpeg loaded (" + ffmpegHow + ")");
        });
    }

    /** As above with {@code load} as the work (tests give one that fails). */
    static Thread loadInBackground(Runnable load) {
        Thread t = new Thread(() -> {
            try {
                load.run();
                backgroundError = null;
            } catch (Throwable e) {
                // ensureLoaded() on the caller's thread loads again; if that fails too, it throws this original error
                backgroundError = e;
            }
        }, "framegate-natives");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What the last background load failed with, or null (for tests and diagnostics). */
    static Throwable backgroundError() {
        return backgroundError;
    }

    /** How the OpenCV natives were loaded (for diagnostics). */
    static String how() {
        return how;
    }

    /**
     * Loads FFmpeg's libraries and JavaCPP's own JNI library from JavaCPP's cache in dependency order, when the cache
     * holds every one (it does after the first run); false leaves everything to JavaCPP's loader. JavaCPP's loader
     * finds each library by searching the class path's 130 jars and checking its cached copy against the jar (0.2-0.3
     * CPU-s of a command; session 12).
     */
    static boolean loadFFmpegFromCache() {
        File dir, javacpp;
        try {
            dir = ffmpegCacheDir();
            javacpp = Loader.cacheResource(Loader.class, "/org/bytedeco/javacpp/" + Loader.getPlatform() + "/libjnijavacpp.so");
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (dir == null || javacpp == null) return false;
        List<File> libs = new ArrayList<>();
        libs.add(javacpp);
        for (String name : FFMPEG_LIBRARIES) libs.add(new File(dir, name));
        for (File f : libs) if (!f.isFile()) return false;
        try {
            for (File f : libs) System.load(f.getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
        try {
            for (String name : FFMPEG_DEVICE_LIBRARIES) System.load(new File(dir, name).getAbsolutePath());
        } catch (UnsatisfiedLinkError e) {
            // without them JavaCV's initialisers skip the devices (avdevice_register_all finds no native code)
        }
        return true;
    }

    /** The directory of FFmpeg's libraries in JavaCPP's cache (its JNI wrapper for avutil extracted there if needed). */
    static File ffmpegCacheDir() throws IOException {
        File jni = Loader.cacheResource(avutil.class, "/org/bytedeco/ffmpeg/" + Loader.getPlatform() + "-gpl/libjniavutil.so");
        return jni == null ? null : jni.getParentFile();
    }

    /** How the FFmpeg natives were loaded (for diagnostics and tests). */
    static String ffmpegHow() {
        return ffmpegHow;
    }

    /**
     * Loads OpenCV's Java API library and what it links from JavaCPP's cache, extracting each file from its jar into
     * the cache when it is not there yet (the first run); false leaves everything to JavaCPP's loader. The first run
     * used to be the loader's: it loads every OpenCV preset, highgui's too, which links GTK 2, so on a machine without
     * GTK (a server, a container, Debian with a headless JRE) the first command failed, and every later one, since the
     * cache never filled (session 13).
     */
    private static boolean loadOpenCvFromCache() {
        String platform = Loader.getPlatform();
        List<File> libs = new ArrayList<>();
        try {
            // openblas and its Fortran runtime, from their own jar (the loader links them into OpenCV's directory)
            for (String name : List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0")) {
                File f = cached("/org/bytedeco/openblas/" + platform + "/" + name);
                if (f != null) libs.add(f);
            }
            for (String module : MODULE_ORDER) libs.add(cached("/org/bytedeco/opencv/" + platform + "/libopencv_" + module + ".so.410"));
            libs.add(cached("/org/bytedeco/opencv/" + platform + "/libopencv_java.so"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
        try {
            // a module a later OpenCV adds makes the last load fail, and the full loader takes over
            for (File f : libs) if (f != null) System.load(f.getAbsolutePath());
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** A native library of the class path in JavaCPP's cache, extracted there first if needed; null if there is none. */
    private static File cached(String resource) throws IOException {
        return Loader.cacheResource(org.bytedeco.opencv.opencv_java.class, resource);
    }
}
