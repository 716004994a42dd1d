package bot.bottle.backend.docker;

/** The escape tests with the agent under gVisor ({@code runsc}); skipped when it is not registered. */
class DockerRunscConformanceTest extends DockerConformance {
    @Override
    String runtime() {
        return "runsc";
    }
}
