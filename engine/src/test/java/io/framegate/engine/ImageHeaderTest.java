package io.framegate.engine;

import io.framegate.domain.ImageLimits;

import io.framegate.engine.ImageHeader.InvalidImageException;
import io.framegate.engine.ImageHeader.InvalidImageException.Kind;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageHeaderTest {
    @Test
    void aWholePngAndJpegPassWithTheirSizes() throws IOException {
        assertThat(ImageHeader.check(encode(64, 48, "png"), ImageLimits.DEFAULTS))
                .isEqualTo(new ImageHeader("png", 64, 48));
        assertThat(ImageHeader.check(encode(33, 17, "jpg"), ImageLimits.DEFAULTS))
                .isEqualTo(new ImageHeader("jpeg", 33, 17));
    }

    @Test
    void everyPngColourTypeDepthAndInterlacingPassesWhole() throws IOException {
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY,
                BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_BYTE_BINARY};
        for (int type : types) {
            for (boolean interlaced : new boolean[] {false, true}) {
                BufferedImage img = new BufferedImage(37, 23, type);
                for (int y = 0; y < 23; y++) for (int x = 0; x < 37; x++) img.setRGB(x, y, (x * 7 + y * 13) * 0x010203);
                var writer = ImageIO.getImageWritersByFormatName("png").next();
                var param = writer.getDefaultWriteParam();
                if (interlaced) param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (var ios = ImageIO.createImageOutputStream(out)) {
                    writer.setOutput(ios);
                    writer.write(null, new javax.imageio.IIOImage(img, null, null), param);
                }
                writer.dispose();
                assertThat(ImageHeader.check(out.toByteArray(), ImageLimits.DEFAULTS)).as("type %d interlaced %s", type, interlaced)
                        .isEqualTo(new ImageHeader("png", 37, 23));
            }
        }
    }

    @Test
    void aTruncatedPngOrJpegIsCorrupt() throws IOException {
        for (String format : new String[] {"png", "jpg"}) {
            byte[] whole = encode(200, 100, format);
            byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
            assertThat(ImageHeader.read(cut).width()).isEqualTo(200); // the header alone still reads
            assertThatThrownBy(() -> ImageHeader.check(cut, ImageLimits.DEFAULTS))
                    .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void aPngWithAFlippedPixelByteFailsItsChecksum() throws IOException {
        byte[] png = encode(40, 40, "png");
        png[60] ^= 0x55; // inside the IDAT data of this small file
        assertThatThrownBy(() -> ImageHeader.check(png, ImageLimits.DEFAULTS)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("damaged");
    }

    @Test
    void aHeaderBombIsRefusedFromTheHeaderBeforeAnythingIsInflated() {
        byte[] bomb = BadImages.pngBomb(20_000, 20_000);
        assertThat(bomb.length).isLessThan(1_000_000);
        assertThatThrownBy(() -> ImageHeader.check(bomb, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                .hasMessageContaining("20000x20000").hasMessageContaining("16384");
        byte[] wide = BadImages.pngBomb(9_000, 9_000);
        assertThatThrownBy(() -> ImageHeader.check(wide, ImageLimits.DEFAULTS))
                .hasMessageContaining("81.0 megapixels").hasMessageContaining("50.0");
    }

    /** docs/limits.md, intake: the header caps hold for JPEG and WebP too, read before anything is decoded. */
    @Test
    void aJpegOrWebPHeaderBombIsRefusedFromTheHeader() throws IOException {
        byte[] jpeg = encode(64, 48, "jpg");
        int sof = sofOffset(jpeg);
        // the frame header's height and width (big-endian, after the length and the sample precision)
        putBe16(jpeg, sof + 5, 20_000);
        putBe16(jpeg, sof + 7, 20_000);
        assertThatThrownBy(() -> ImageHeader.check(jpeg, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                .hasMessageContaining("JPEG").hasMessageContaining("20000x20000").hasMessageContaining("16384");
        // an extended WebP whose canvas is 12000x12000 (under the side cap, over the pixel cap), and no image data
        byte[] webp = BadImages.extendedWebp(0, 12_000, 12_000);
        assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 12_000, 12_000));
        assertThatThrownBy(() -> ImageHeader.check(webp, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                .hasMessageContaining("WEBP").hasMessageContaining("144.0 megapixels").hasMessageContaining("50.0");
    }

    /** docs/limits.md, intake: a WebP is checked whole (its chunk sizes), as PNG and JPEG are. */
    @Test
    void aWholeWebPPassesAndATruncatedOrOverrunningOneIsCorrupt() {
        NativeLibs.ensureLoaded();
        for (int quality : new int[] {80, 101}) { // lossy (VP8) and lossless (VP8L)
            byte[] whole = BadImages.webp(70, 30, quality);
            assertThat(ImageHeader.check(whole, ImageLimits.DEFAULTS)).as("quality %d", quality)
                    .isEqualTo(new ImageHeader("webp", 70, 30));
            byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
            assertThat(ImageHeader.read(cut).width()).isEqualTo(70); // the header alone still reads
            assertThatThrownBy(() -> ImageHeader.check(cut, ImageLimits.DEFAULTS))
                    .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                    .hasMessageContaining("truncated");
            // the RIFF size is right but the image chunk claims more bytes than the file holds
            byte[] overrun = whole.clone();
            putLe32(overrun, 16, (int) (leU32(overrun, 16) + 1000));
            assertThatThrownBy(() -> ImageHeader.check(overrun, ImageLimits.DEFAULTS))
                    .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                    .hasMessageContaining("runs past the end of the file");
        }
    }

    /** The offset of the first start-of-frame marker (SOF0-SOF2) of a JPEG. */
    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            int m = jpeg[i + 1] & 0xff;
            if ((jpeg[i] & 0xff) == 0xff && m >= 0xc0 && m <= 0xc2) return i;
        }
        throw new AssertionError("no SOF marker");
    }

    private static void putBe16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void putLe32(byte[] b, int i, int v) {
        for (int k = 0; k < 4; k++) b[i + k] = (byte) (v >>> (8 * k));
    }

    private static long leU32(byte[] b, int i) {
        return ByteBuffer.wrap(b, i, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    /** D8: the size refusal reads as one sentence after the field's name. */
    @Test
    void aSizeOverTheCapsIsRefusedInOneSentence() {
        assertThatThrownBy(() -> ImageHeader.check(BadImages.pngBomb(30_000, 30_000), ImageLimits.DEFAULTS))
                .hasMessage("is a PNG image of 30000x30000 pixels, which has a side over 16384 px (the largest allowed side)");
        assertThatThrownBy(() -> ImageHeader.check(BadImages.pngBomb(9_000, 9_000), ImageLimits.DEFAULTS))
                .hasMessage("is a PNG image of 9000x9000 pixels, which is 81.0 megapixels; at most 50.0 are allowed");
    }

    /** docs/limits.md, intake: a palette PNG without its palette, a colour type and depth PNG forbids, a row filter PNG does not define. */
    @Test
    void aPngThatCannotBeDecodedIsRefusedSayingWhatIsWrong() {
        byte[] plte = BadImages.chunk("PLTE", new byte[] {0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40, 50, 50, 50});
        assertThat(ImageHeader.check(BadImages.png(32, 16, 8, 3, BadImages.rows(16, 32, 0, 5), plte), ImageLimits.DEFAULTS))
                .isEqualTo(new ImageHeader("png", 32, 16));
        assertThatThrownBy(() -> ImageHeader.check(BadImages.png(32, 16, 8, 3, BadImages.rows(16, 32, 0, 5)), ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                .hasMessage("is an invalid PNG image: it is a palette image without a palette (no PLTE chunk before its pixel data)");

        for (int filter = 0; filter <= 4; filter++) {
            assertThat(ImageHeader.check(BadImages.png(32, 16, 8, 2, BadImages.rows(16, 96, filter, 0x80)), ImageLimits.DEFAULTS))
                    .as("filter %d", filter).isEqualTo(new ImageHeader("png", 32, 16));
        }
        assertThatThrownBy(() -> ImageHeader.check(BadImages.png(32, 16, 8, 2, BadImages.rows(16, 96, 7, 0x80)), ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                .hasMessage("is an invalid PNG image: row 0 has filter type 7 (PNG defines 0 to 4)");
        byte[] lastRowBad = BadImages.rows(16, 96, 1, 0x80);
        lastRowBad[15 * 97] = 9;
        assertThatThrownBy(() -> ImageHeader.check(BadImages.png(32, 16, 8, 2, lastRowBad), ImageLimits.DEFAULTS))
                .hasMessage("is an invalid PNG image: row 15 has filter type 9 (PNG defines 0 to 4)");

        assertThatThrownBy(() -> ImageHeader.check(BadImages.png(32, 16, 4, 2, BadImages.rows(16, 48, 0, 0x12)), ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                .hasMessage("is an invalid PNG image: colour type 2 (RGB) does not allow bit depth 4 (only 8 or 16)");
    }

    /** docs/limits.md, intake: an animated WebP is named as such; an extended WebP whose canvas and image disagree is refused. */
    @Test
    void anAnimatedWebPOrOneWhoseCanvasDisagreesWithItsImageIsRefused() {
        NativeLibs.ensureLoaded();
        byte[] still = BadImages.webp(70, 30, 80);
        byte[] stillExtended = BadImages.extendedWebp(0, 70, 30, BadImages.imageChunk(still));
        assertThat(ImageHeader.check(stillExtended, ImageLimits.DEFAULTS)).isEqualTo(new ImageHeader("webp", 70, 30));
        assertThatThrownBy(() -> ImageHeader.check(BadImages.animatedWebp(70, 30), ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_AN_IMAGE))
                .hasMessage("is an animated WebP image; animated WebP is not supported (give a still PNG, JPEG or WebP)");
        byte[] mismatch = BadImages.extendedWebp(0, 16, 16, BadImages.imageChunk(still));
        assertThatThrownBy(() -> ImageHeader.check(mismatch, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
                .hasMessage("is an invalid WebP image: its canvas (VP8X) is 16x16 but its image data is 70x30");
        byte[] lossless = BadImages.extendedWebp(0, 16, 16, BadImages.imageChunk(BadImages.webp(70, 30, 101)));
        assertThatThrownBy(() -> ImageHeader.check(lossless, ImageLimits.DEFAULTS))
                .hasMessageContaining("16x16").hasMessageContaining("70x30");
    }

    @Test
    void somethingElseIsNotAnImage() {
        assertThatThrownBy(() -> ImageHeader.check("GIF89a......".getBytes(), ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_AN_IMAGE));
    }

    /** The one sniffer (intake, the engine, the upstream fitter and the CLI all ask it): signatures only. */
    @Test
    void theSnifferNamesEachSignatureAndRefusesTruncatedOrGarbageBytes() throws Exception {
        byte[] png = encode(8, 8, "png"), jpeg = encode(8, 8, "jpg"), gif = encode(8, 8, "gif"), bmp = encode(8, 8, "bmp");
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(ImageHeader.formatOf(png)).isEqualTo("png");
        assertThat(ImageHeader.formatOf(jpeg)).isEqualTo("jpeg");
        assertThat(ImageHeader.formatOf(webp)).isEqualTo("webp");
        assertThat(ImageHeader.formatOf(gif)).isEqualTo("gif");
        assertThat(ImageHeader.formatOf(bmp)).isEqualTo("bmp");
        assertThat(ImageHeader.formatOf(new byte[] {'I', 'I', 42, 0})).isEqualTo("tiff");
        assertThat(ImageHeader.mimeTypeOf(jpeg)).isEqualTo("image/jpeg");
        // a signature cut short, a near miss, nothing, garbage
        assertThat(ImageHeader.formatOf(Arrays.copyOf(png, 7))).isNull();
        assertThat(ImageHeader.formatOf(Arrays.copyOf(jpeg, 2))).isNull();
        assertThat(ImageHeader.formatOf("RIFF\0\0\0\0WAVEfmt ".getBytes())).as("RIFF but not WebP").isNull();
        assertThat(ImageHeader.formatOf(new byte[0])).isNull();
        assertThat(ImageHeader.formatOf("hello, world".getBytes())).isNull();
        assertThat(ImageHeader.mimeTypeOf("hello, world".getBytes())).isNull();

        // accepted: PNG, JPEG, WebP; GIF is recognised only to be refused by name, everywhere
        assertThatThrownBy(() -> ImageHeader.check(gif, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_AN_IMAGE))
                .hasMessage("is a GIF image, which is not a PNG, JPEG or WebP image");
        assertThatThrownBy(() -> ImageDecoder.decode(new io.framegate.domain.InputImage(
                io.framegate.domain.ImageRole.FIRST_FRAME, gif, null, "a.gif")))
                .isInstanceOfSatisfying(io.framegate.domain.GenerationException.class,
                        e -> assertThat(e.code()).isEqualTo("bad_image"));
        // a truncated PNG: the signature and header read, the whole-file check refuses it
        byte[] cut = Arrays.copyOf(png, png.length - 10);
        assertThat(ImageHeader.formatOf(cut)).isEqualTo("png");
        assertThatThrownBy(() -> ImageHeader.check(cut, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT));
    }

    /** docs/limits.md, intake: a progressive JPEG passes whole; one with more scans than the cap is refused unread. */
    @Test
    void aProgressiveJpegPassesWholeAndOneWithMoreScansThanTheCapIsRefused() {
        byte[] progressive = progressiveJpeg(96, 64);
        int own = scans(progressive);
        assertThat(own).as("libjpeg's progressive script").isBetween(2, 20);
        assertThat(ImageHeader.check(progressive, ImageLimits.DEFAULTS)).isEqualTo(new ImageHeader("jpeg", 96, 64));
        byte[] atCap = withRepeatedLastScan(progressive, ImageHeader.MAX_JPEG_SCANS - own);
        assertThat(ImageHeader.check(atCap, ImageLimits.DEFAULTS)).as("exactly the cap").isEqualTo(new ImageHeader("jpeg", 96, 64));
        for (byte[] over : new byte[][] {withRepeatedLastScan(progressive, ImageHeader.MAX_JPEG_SCANS - own + 1),
                withRepeatedLastScan(progressive, 5_000)}) {
            assertThatThrownBy(() -> ImageHeader.check(over, ImageLimits.DEFAULTS))
                    .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                    .hasMessageContaining("scans").hasMessageContaining("at most " + ImageHeader.MAX_JPEG_SCANS);
        }
    }

    /** The refusal of a scan bomb names its count of scans and the cap (the walk counts them all: it is linear). */
    @Test
    void aJpegScanBombIsRefusedNamingItsScansAndTheCap() {
        byte[] progressive = progressiveJpeg(96, 64);
        int own = scans(progressive);
        byte[] bomb = withRepeatedLastScan(progressive, 300);
        assertThat(bomb.length).as("a small file").isLessThan(500_000);
        assertThat(ImageHeader.read(bomb)).isEqualTo(new ImageHeader("jpeg", 96, 64)); // the header alone reads
        assertThatThrownBy(() -> ImageHeader.check(bomb, ImageLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                .hasMessage("is a JPEG image of " + (own + 300) + " scans; at most 100 are allowed (each is a pass over the "
                        + "whole image)");
    }

    /** A JPEG has one frame header: a second one (whose size no cap would read) is refused. */
    @Test
    void aJpegWithASecondFrameHeaderIsRefused() throws IOException {
        byte[] jpeg = encode(64, 48, "jpg");
        int sof = sofOffset(jpeg);
        int len = ((jpeg[sof + 2] & 0xff) << 8) | (jpeg[sof + 3] & 0xff);
        byte[] small = Arrays.copyOfRange(jpeg, sof, sof + 2 + len);
        putBe16(small, 5, 16);
        putBe16(small, 7, 16);
        ByteArrayOutputStream twice = new ByteArrayOutputStream();
        twice.write(jpeg, 0, sof);
        twice.write(small, 0, small.length);
        twice.write(jpeg, sof, jpeg.length - sof);
        assertThatThrownBy(() -> ImageHeader.check(twice.toByteArray(), ImageLimits.DEFAULTS))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("frame header");
    }

    /** A progressive JPEG of {@code w x h} from OpenCV (libjpeg's standard script: about ten scans). */
    static byte[] progressiveJpeg(int w, int h) {
        NativeLibs.ensureLoaded();
        org.opencv.core.Mat m = new org.opencv.core.Mat(h, w, org.opencv.core.CvType.CV_8UC3);
        org.opencv.core.Core.randu(m, 0, 255);
        org.opencv.core.MatOfByte out = new org.opencv.core.MatOfByte();
        org.opencv.imgcodecs.Imgcodecs.imencode(".jpg", m, out,
                new org.opencv.core.MatOfInt(org.opencv.imgcodecs.Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1));
        m.release();
        return out.toArray();
    }

    /** The JPEG with its last scan (from its SOS marker to the end-of-image marker) written {@code extra} more times. */
    static byte[] withRepeatedLastScan(byte[] jpeg, int extra) {
        int eoi = jpeg.length - 2;
        int lastSos = -1;
        for (int i = 2; i + 1 < eoi; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) lastSos = i;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, eoi);
        for (int k = 0; k < extra; k++) out.write(jpeg, lastSos, eoi - lastSos);
        out.write(jpeg, eoi, 2);
        return out.toByteArray();
    }

    /** SOS markers (a stuffed 0xff in scan data is followed by 0x00, so it never reads as one). */
    static int scans(byte[] jpeg) {
        int n = 0;
        for (int i = 0; i + 1 < jpeg.length; i++) if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) n++;
        return n;
    }

    static byte[] encode(int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 + y * 13) * 0x010203);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }
}
