package bot.bottle.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CommandRunnerTest {

    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed() {
            super("boom\nsecond line");
        }

        public int exitStatus() {
            return 7;
        }
    }

    @Test
    void exitStatusComesFromTheCauseChain() {
        assertEquals(7, CommandRunner.exitStatus(new RuntimeException(new Failed())));
        assertEquals(1, CommandRunner.exitStatus(new IllegalStateException("plain")));
    }

    @Test
    void messageIsOneLineFromTheFirstCauseThatSaysSomething() {
        assertEquals("boom second line", CommandRunner.message(new java.lang.reflect.InvocationTargetException(new Failed())));
        assertEquals("NullPointerException", CommandRunner.message(new NullPointerException()));
    }

    @Test
    void resolverMessageKeepsTheMissingRequirement() {
        String felix = "Unable to resolve x [12](R 12.0): missing requirement [x [12](R 12.0)] osgi.wiring.package; "
                + "(&(osgi.wiring.package=com.example.gone)(version>=1.0.0)(!(version>=2.0.0))) Unresolved requirements: [[x [12](R 12.0)] ...]";
        assertEquals("unresolvable: missing requirement (&(osgi.wiring.package=com.example.gone)(version>=1.0.0)(!(version>=2.0.0)))",
                ContribManager.describe(new org.osgi.framework.BundleException(felix)));
    }
}
