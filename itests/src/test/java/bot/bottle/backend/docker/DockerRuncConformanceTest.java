package bot.bottle.backend.docker;

/** The escape tests with the agent under runc, Docker's default runtime. */
class DockerRuncConformanceTest extends DockerConformance {
    @Override
    String runtime() {
        return "runc";
    }
}
