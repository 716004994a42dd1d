package bot.bottle.egress.tls;

import java.util.Locale;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation the proxy's contexts use: BoringSSL through netty-tcnative when its native
 * library loads on this platform, else the JDK's own. Decided once per process and logged at start
 * ({@code egress_start.tls}).
 *
 * <p>Why BoringSSL: a new agent connection costs a TLS handshake (X25519 and an ECDSA P-256 signature)
 * and every body byte is decrypted and re-encrypted twice; in pure Java (JDK 17) that measured several
 * ms of CPU per handshake, much of it JIT work on a large code path, and AES-GCM at ~1.4 GB/s. The native
 * engine does both in C with AES-NI.
 *
 * <p>Inside OSGi the bundle carries the tcnative classes (exported, so netty-handler's optional import of
 * {@code io.netty.internal.tcnative} wires to them) and the native libraries for Linux x86_64 and
 * aarch64, declared in {@code Bundle-NativeCode}. The bundle loads the library first, through its own
 * class loader, so the framework takes the file from {@code Bundle-NativeCode} (into its bundle cache);
 * Netty then finds the symbols registered. Without that first load Netty's own loader would still find
 * the library as a resource of the bundle and extract it to {@code java.io.tmpdir} (also measured to
 * work, see NativeTlsInFelixTest); the first load spares the temp file. On a flat class path (tests,
 * benchmarks) the first load is skipped and Netty loads the library from the platform jar. Any failure
 * leaves the JDK engine: never an error, only a slower proxy.
 *
 * <p>{@code bot.bottle.egress.tls=jdk} (system property) forces the JDK engine.
 */
public final class TlsEngine {
    /** System property: {@code jdk} forces the JDK engine, anything else (or unset) prefers BoringSSL. */
    public static final String PROPERTY = "bot.bottle.egress.tls";

    private static final SslProvider PROVIDER;
    private static final String DESCRIPTION;

    static {
        SslProvider p = SslProvider.JDK;
        String why;
        if ("jdk".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
            why = "jdk (forced by -D" + PROPERTY + "=jdk)";
        } else {
            preloadFromBundle();
            boolean ok;
            Throwable cause;
            try {
                ok = OpenSsl.isAvailable();
                cause = OpenSsl.unavailabilityCause();
            } catch (Throwable t) { // NoClassDefFoundError when netty-handler cannot see tcnative
                ok = false;
                cause = t;
            }
            if (ok) {
                p = SslProvider.OPENSSL;
                why = "openssl (" + OpenSsl.versionString() + ", netty-tcnative)";
            } else {
                why = "jdk (native TLS unavailable: " + (cause == null ? "unknown" : oneLine(cause)) + ")";
            }
        }
        PROVIDER = p;
        DESCRIPTION = why;
    }

    private TlsEngine() {
    }

    /** The provider every context of the proxy is built with. */
    public static SslProvider provider() {
        return PROVIDER;
    }

    /** Whether the native engine is in use. */
    public static boolean isNative() {
        return PROVIDER == SslProvider.OPENSSL;
    }

    /** One line for the start event: the engine and, for the JDK, why the native one is not used. */
    public static String describe() {
        return DESCRIPTION;
    }

    /** The library name netty-tcnative uses for this platform (as Netty's own loader computes it). */
    static String nativeLibraryName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return null;
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "netty_tcnative_linux_x86_64";
            case "aarch64", "arm64" -> "netty_tcnative_linux_aarch_64";
            default -> null;
        };
    }

    /** In a bundle with {@code Bundle-NativeCode}: loads the library through this class's loader. */
    private static void preloadFromBundle() {
        try {
            String lib = nativeLibraryName();
            if (lib != null && TlsEngine.class.getClassLoader() instanceof org.osgi.framework.BundleReference) {
                System.loadLibrary(lib);
            }
        } catch (Throwable t) {
            // not found or not loadable here (or no OSGi at all): Netty tries its own way, else the JDK engine
        }
    }

    private static String oneLine(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("\\s+", " "));
    }
}
