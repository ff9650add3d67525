// The container engine's logic against a fake process runner: which docker/podman command lines it
// builds, which engine it picks, and what it says when a step fails. No daemon is involved; the
// e2e tests (tests/e2e/containers*.sh) run the same code against a real dockerd.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "containers/port_forward.hpp"
#include "../fake_process_runner.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/common/limits.hpp"
#include "../scoped_env.hpp"
#include "../temp_dir.hpp"

using namespace infuse;
using infuse::testing::FakeProcessRunner;
using infuse::testing::has_run;
using infuse::testing::ScopedEnv;
using infuse::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// Forwarders that are only listening sockets on 127.0.0.1 (so that the readiness check connects),
// recorded per container.
class FakeForwarding final : public PortForwarding {
public:
    ~FakeForwarding() override {
        for (int fd : sockets_) ::close(fd);
    }
    tl::expected<std::map<std::string, int>, std::string> start(const ContainerEngine&, const std::string& engine_id,
                                                               const std::map<std::string, int>& ports) override {
        started.push_back(engine_id);
        if (failure) return tl::unexpected(*failure);
        std::map<std::string, int> host_ports;
        for (const auto& [name, port] : ports) host_ports[name] = listen_on_loopback();
        return host_ports;
    }
    std::vector<std::string> started;
    std::optional<std::string> failure;

private:
    int listen_on_loopback() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        sockets_.push_back(fd);
        return ntohs(address.sin_port);
    }
    std::vector<int> sockets_;
};

// A lab with one build folder and a workspace, and an engine driven by fakes.
struct Setup {
    TempDir root{"infuse-engine-logic"};
    fs::path lab = root.path / "lab";
    fs::path workspace = root.path / "workspace";
    FakeProcessRunner fake;
    FakeForwarding forwarding;
    ContainerEngine engine;

    explicit Setup(EngineKind kind = EngineKind::docker) {
        fs::create_directories(lab / "containers" / "web");
        std::ofstream(lab / "containers" / "web" / "Dockerfile") << "FROM infuse-lab/base:1\n";
        fs::create_directories(workspace);
        const std::string name = kind == EngineKind::docker ? "docker" : "podman";
        engine = ContainerEngine{.kind = kind, .program = "/usr/bin/" + name, .version = "1.0"};
        engine.runner = &fake;
        engine.forwarding = &forwarding;
        // What a healthy engine answers; a test replaces one answer to break one step.
        fake.on({name, "build"}, FakeProcessRunner::ok("sha256:1a2b\n"));
        fake.on({name, "image", "inspect"}, FakeProcessRunner::ok("null\n"));
        fake.on({name, "run"}, FakeProcessRunner::ok("c0ffee01\n"));
        fake.on({name, "rm"}, FakeProcessRunner::ok());
        fake.on({name, "inspect"}, FakeProcessRunner::ok("true\n"));
        fake.on({name, "logs"}, FakeProcessRunner::ok());
        // 8080 listening inside (0A: LISTEN).
        fake.on({name, "exec"}, FakeProcessRunner::ok("  0: 00000000:1F90 00000000:0000 0A 0 0 0\n"));
    }

    tl::expected<std::vector<RunningContainer>, std::string> start(std::vector<ContainerSpec> specs) {
        return start_containers(engine, "demo/lab", "7", lab, workspace, specs);
    }
};

ContainerSpec web(std::map<std::string, int> ports = {}) {
    return ContainerSpec{.name = "web", .build = "containers/web", .ports = std::move(ports), .mounts = {}};
}

const std::string kImage = "infuse-lab/demo-lab-web:latest";

}  // namespace

TEST_CASE("start builds with no network, then runs confined and labelled", "[containers][engine]") {
    Setup setup;
    auto spec = web();
    spec.mounts = {{"site", "/etc/site"}};
    const auto started = setup.start({spec});
    INFO(setup.fake.transcript());
    REQUIRE(started);
    REQUIRE(started->size() == 1);
    CHECK((*started)[0].name == "web");
    CHECK((*started)[0].engine_id == "c0ffee01");
    CHECK((*started)[0].host_ports.empty());

    const auto build = setup.fake.only({"docker", "build"});
    CHECK(build.argv == std::vector<std::string>{"/usr/bin/docker", "build", "-q", "--network", "none", "-t", kImage,
                                                 fs::canonical(setup.lab / "containers" / "web").string()});
    CHECK(build.timeout == std::chrono::minutes(10));
    CHECK(build.environment.contains("PATH"));  // the engine gets our environment (DOCKER_HOST...)
    CHECK(setup.fake.only({"docker", "image", "inspect"}).argv ==
          std::vector<std::string>{"/usr/bin/docker", "image", "inspect", "--format", "{{json .Config.Volumes}}", kImage});

    const auto run = setup.fake.only({"docker", "run"}).argv;
    REQUIRE_FALSE(run.empty());
    CHECK(run.back() == kImage);
    CHECK(has_run(run, {"run", "-d", "--init", "--name"}));
    const auto name = std::find(run.begin(), run.end(), "--name");
    REQUIRE(name + 1 < run.end());
    CHECK(name[1].starts_with("infuse-lab-demo-lab-web-"));
    CHECK(has_run(run, {"--label", "infuse-lab=1"}));
    CHECK(has_run(run, {"--label", "infuse-lab.lab=demo/lab"}));
    CHECK(has_run(run, {"--label", "infuse-lab.run=7"}));
    CHECK(has_run(run, {"--network", "none"}));
    CHECK(has_run(run, {"--read-only"}));
    CHECK(has_run(run, {"--cap-drop", "ALL"}));
    CHECK(has_run(run, {"--security-opt", "no-new-privileges"}));
    const std::string memory = std::to_string(limit_value(Limit::container_memory_bytes, "demo/lab")) + "b";
    CHECK(has_run(run, {"--memory", memory, "--memory-swap", memory}));
    CHECK(has_run(run, {"--pids-limit", std::to_string(limit_value(Limit::container_pids, "demo/lab"))}));
    // The mount source is made inside the workspace (owned by the learner), and mounted read-only.
    CHECK(fs::is_directory(setup.workspace / "site"));
    CHECK(has_run(run, {"-v", fs::canonical(setup.workspace / "site").string() + ":/etc/site:ro"}));
    CHECK_FALSE(setup.fake.ran({"docker", "rm"}));
}

TEST_CASE("an image's VOLUME becomes a tmpfs on the run command line", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "image", "inspect"}, FakeProcessRunner::ok(R"({"/var/lib/app":{}})"));
    REQUIRE(setup.start({web()}));
    CHECK(has_run(setup.fake.only({"docker", "run"}).argv, {"--tmpfs", "/var/lib/app:rw,nosuid,nodev,size=16m"}));
}

TEST_CASE("podman gets its own run options and rm timeout", "[containers][engine]") {
    Setup setup(EngineKind::podman);
    REQUIRE(setup.start({web()}));
    const auto run = setup.fake.only({"podman", "run"}).argv;
    CHECK(has_run(run, {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}));
    CHECK_FALSE(has_run(run, {"--log-driver", "json-file"}));

    setup.fake.on({"podman", "ps"}, FakeProcessRunner::ok("aaa\n"));
    setup.fake.on({"podman", "rm"}, FakeProcessRunner::ok("aaa\n"));
    CHECK(remove_containers(setup.engine, "demo/lab") == 1);
    CHECK(setup.fake.only({"podman", "rm"}).argv == std::vector<std::string>{"/usr/bin/podman", "rm", "-f", "-v", "-t", "0", "aaa"});
}

TEST_CASE("a build that fails stops everything, with the engine's words and the base-image hint", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "build"},
                  FakeProcessRunner::fails(1, "DEPRECATED: The legacy builder is deprecated\n"
                                              "pull access denied for infuse-lab/base, repository does not exist\n"));
    const auto started = setup.start({web()});
    REQUIRE_FALSE(started);
    CHECK(started.error() ==
          "docker build of container 'web' (containers/web) failed (exit status 1): pull access denied for infuse-lab/base, "
          "repository does not exist\n(the base image is built locally, with no registry: run scripts/base-image.sh)");
    CHECK_FALSE(setup.fake.ran({"docker", "run"}));
}

TEST_CASE("the second container's build failing starts none", "[containers][engine]") {
    Setup setup;
    fs::create_directories(setup.lab / "containers" / "db");
    std::ofstream(setup.lab / "containers" / "db" / "Dockerfile") << "FROM infuse-lab/base:1\n";
    setup.fake.on({"docker", "build", "-q", "--network", "none", "-t", "infuse-lab/demo-lab-db:latest"},
                  FakeProcessRunner::fails(2, "Step 2/3 : RUN false\nreturned a non-zero code: 1\n"));
    ContainerSpec db{.name = "db", .build = "containers/db", .ports = {}, .mounts = {}};
    const auto started = setup.start({web(), db});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "docker build of container 'db' (containers/db) failed (exit status 2): Step 2/3 : RUN false\n"
                             "returned a non-zero code: 1");
    CHECK_FALSE(setup.fake.ran({"docker", "run"}));
}

TEST_CASE("a missing build folder or Dockerfile is reported before any engine command", "[containers][engine]") {
    Setup setup;
    fs::remove(setup.lab / "containers" / "web" / "Dockerfile");
    auto started = setup.start({web()});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "container 'web': build folder 'containers/web' has no Dockerfile");
    auto elsewhere = web();
    elsewhere.build = "nowhere";
    started = setup.start({elsewhere});
    REQUIRE_FALSE(started);
    CHECK(started.error().starts_with("container 'web': build folder 'nowhere' is not a folder of the lab"));
    CHECK(setup.fake.calls.empty());
}

TEST_CASE("an image that cannot be inspected, or garbage from inspect, is an error", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "image", "inspect"}, FakeProcessRunner::fails(1, "Error: No such image: " + kImage + "\n"));
    auto started = setup.start({web()});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "docker image inspect of '" + kImage + "' failed (exit status 1): Error: No such image: " + kImage);

    setup.fake.on({"docker", "image", "inspect"}, FakeProcessRunner::ok("<html>garbage\n"));
    started = setup.start({web()});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "container 'web': cannot read the image's volumes ('<html>garbage')");

    setup.fake.on({"docker", "image", "inspect"}, FakeProcessRunner::ok(R"({"/a:b":{}})"));
    started = setup.start({web()});
    REQUIRE_FALSE(started);
    CHECK(started.error().find("the image declares VOLUME /a:b") != std::string::npos);
    CHECK_FALSE(setup.fake.ran({"docker", "run"}));
}

TEST_CASE("a run that fails removes the half-created container by name, and the ones before it", "[containers][engine]") {
    Setup setup;
    fs::create_directories(setup.lab / "containers" / "db");
    std::ofstream(setup.lab / "containers" / "db" / "Dockerfile") << "FROM infuse-lab/base:1\n";
    // The first run works, the second is refused.
    setup.fake.on({"docker", "run"}, FakeProcessRunner::fails(125, "docker: Error response from daemon: Conflict.\n"));
    setup.fake.on({"docker", "run"}, FakeProcessRunner::ok("first-id\n"), 1);
    ContainerSpec db{.name = "db", .build = "containers/db", .ports = {}, .mounts = {}};
    const auto started = setup.start({web(), db});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "docker run of container 'db' failed (exit status 125): docker: Error response from daemon: Conflict.");
    const auto removed = setup.fake.only({"docker", "rm"}).argv;
    REQUIRE(removed.size() == 6);
    CHECK(has_run(removed, {"rm", "-f", "-v", "first-id"}));
    CHECK(removed.back().starts_with("infuse-lab-demo-lab-db-"));
}

TEST_CASE("a container that exits at once is reported with its last output, and removed", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "exec"}, FakeProcessRunner::ok());  // nothing listens
    setup.fake.on({"docker", "inspect"}, FakeProcessRunner::ok("false\n"));
    setup.fake.on({"docker", "logs"}, FakeProcessRunner::exits(0, "", "httpd: bind: Address in use\n"));
    const auto started = setup.start({web({{"http", 8080}})});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "container 'web' stopped right after it started\nits last output:\nhttpd: bind: Address in use");
    CHECK(setup.fake.only({"docker", "logs"}).argv == std::vector<std::string>{"/usr/bin/docker", "logs", "--tail", "15", "c0ffee01"});
    CHECK(setup.fake.only({"docker", "rm"}).argv == std::vector<std::string>{"/usr/bin/docker", "rm", "-f", "-v", "c0ffee01"});
}

TEST_CASE("ports: readiness is read inside the container, the forwarder's ports are returned", "[containers][engine]") {
    Setup setup;
    const auto started = setup.start({web({{"http", 8080}})});
    INFO(setup.fake.transcript());
    REQUIRE(started);
    CHECK(setup.forwarding.started == std::vector<std::string>{"c0ffee01"});
    REQUIRE((*started)[0].host_ports.contains("http"));
    CHECK((*started)[0].host_ports.at("http") > 0);
    CHECK(setup.fake.runs_of({"docker", "exec"}).front().argv ==
          std::vector<std::string>{"/usr/bin/docker", "exec", "c0ffee01", "cat", "/proc/net/tcp", "/proc/net/tcp6"});
    // Ports below 1024 need NET_BIND_SERVICE back; 8080 does not.
    CHECK_FALSE(has_run(setup.fake.only({"docker", "run"}).argv, {"--cap-add", "NET_BIND_SERVICE"}));

    CHECK(all_running(setup.engine, *started));
    setup.fake.on({"docker", "inspect"}, FakeProcessRunner::ok("false\n"));
    CHECK_FALSE(all_running(setup.engine, *started));
}

TEST_CASE("a forwarder that cannot start removes the container", "[containers][engine]") {
    Setup setup;
    setup.forwarding.failure = "cannot listen on 127.0.0.1 for port 'http': Too many open files";
    const auto started = setup.start({web({{"http", 8080}})});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "container 'web': cannot listen on 127.0.0.1 for port 'http': Too many open files");
    CHECK(setup.fake.ran({"docker", "rm", "-f", "-v", "c0ffee01"}));
}

TEST_CASE("the port forwarder's command lines", "[containers][engine]") {
    const ContainerEngine engine{.kind = EngineKind::docker, .program = "/usr/bin/docker", .version = "1"};
    const auto commands = containers_detail::forwarder_commands(engine, "c0ffee01", {{"http", 8080}, {"dns", 53}});
    CHECK(commands.wait == std::vector<std::string>{"/usr/bin/docker", "wait", "c0ffee01"});
    CHECK(commands.connect.at("http") ==
          std::vector<std::string>{"/usr/bin/docker", "exec", "-i", "c0ffee01", "nc", "127.0.0.1", "8080"});
    CHECK(commands.connect.at("dns") == std::vector<std::string>{"/usr/bin/docker", "exec", "-i", "c0ffee01", "nc", "127.0.0.1", "53"});
}

TEST_CASE("stale containers are found by label and removed by force", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "ps"}, FakeProcessRunner::ok("aaa\nbbb\n"));
    setup.fake.on({"docker", "rm"}, FakeProcessRunner::ok("aaa\nbbb\n"));
    CHECK(remove_containers(setup.engine, "demo/lab") == 2);
    CHECK(setup.fake.only({"docker", "ps"}).argv ==
          std::vector<std::string>{"/usr/bin/docker", "ps", "-aq", "--filter", "label=infuse-lab.lab=demo/lab"});
    CHECK(setup.fake.only({"docker", "rm"}).argv == std::vector<std::string>{"/usr/bin/docker", "rm", "-f", "-v", "aaa", "bbb"});

    // Every lab: the common label. Nothing found: nothing removed.
    setup.fake.calls.clear();
    setup.fake.on({"docker", "ps"}, FakeProcessRunner::ok("\n"));
    CHECK(remove_containers(setup.engine, "") == 0);
    CHECK(has_run(setup.fake.only({"docker", "ps"}).argv, {"--filter", "label=infuse-lab=1"}));
    CHECK_FALSE(setup.fake.ran({"docker", "rm"}));

    // rm fails because a concurrent stop removed them first: what counts is that none is left.
    setup.fake.on({"docker", "ps"}, FakeProcessRunner::ok("\n"));
    setup.fake.on({"docker", "ps"}, FakeProcessRunner::ok("aaa\n"), 1);
    setup.fake.on({"docker", "rm"}, FakeProcessRunner::fails(1, "Error: No such container: aaa\n"));
    CHECK(remove_containers(setup.engine, "demo/lab") == 1);

    // rm fails and they are still there: an error with the engine's words.
    setup.fake.on({"docker", "ps"}, FakeProcessRunner::ok("aaa\n"));
    setup.fake.on({"docker", "rm"}, FakeProcessRunner::fails(1, "Error response from daemon: device busy\n"));
    const auto failed = remove_containers(setup.engine, "demo/lab");
    REQUIRE_FALSE(failed);
    CHECK(failed.error() == "docker rm failed (exit status 1): Error response from daemon: device busy");

    setup.fake.on({"docker", "ps"}, FakeProcessRunner::fails(1, "Cannot connect to the Docker daemon\n"));
    CHECK(remove_containers(setup.engine, "demo/lab").error() == "docker ps failed (exit status 1): Cannot connect to the Docker daemon");
}

TEST_CASE("remove_running removes by id, and nothing when there is nothing", "[containers][engine]") {
    Setup setup;
    remove_running(setup.engine, {});
    CHECK(setup.fake.calls.empty());
    remove_running(setup.engine, {RunningContainer{.name = "web", .engine_id = "x1", .host_ports = {}},
                                  RunningContainer{.name = "db", .engine_id = "", .host_ports = {}}});
    CHECK(setup.fake.only({"docker", "rm"}).argv == std::vector<std::string>{"/usr/bin/docker", "rm", "-f", "-v", "x1"});
}

TEST_CASE("exec in a container: the command line, the timeout, and bad ids refused", "[containers][engine]") {
    Setup setup;
    setup.fake.on({"docker", "exec"}, FakeProcessRunner::exits(3, "out\n"));
    const auto result = exec_in_container(setup.engine, "c0ffee01", {"sh", "-c", "exit 3"}, std::chrono::seconds(4));
    CHECK(result.exit_code == 3);
    CHECK(result.stdout_data == "out\n");
    const auto call = setup.fake.only({"docker", "exec"});
    CHECK(call.argv == std::vector<std::string>{"/usr/bin/docker", "exec", "c0ffee01", "sh", "-c", "exit 3"});
    CHECK(call.timeout == std::chrono::seconds(4));

    setup.fake.calls.clear();
    const auto option = exec_in_container(setup.engine, "--privileged", {"sh"}, std::chrono::seconds(4));
    CHECK(option.ending == ProcessResult::Ending::failed_start);
    CHECK(option.error == "bad container id '--privileged'");
    CHECK(exec_in_container(setup.engine, "c0ffee01", {}, std::chrono::seconds(4)).error == "no command given");
    CHECK(setup.fake.calls.empty());
}

TEST_CASE("engine choice: docker first, podman next, and what to do when neither answers", "[containers][engine]") {
    ScopedEnv unforced("INFUSE_CONTAINER_ENGINE", nullptr);
    FakeProcessRunner fake;
    SECTION("docker answers") {
        fake.install("docker", "/usr/bin/docker").install("podman", "/usr/bin/podman");
        fake.on({"docker", "info"}, FakeProcessRunner::ok("24.0.7\n"));
        const auto engine = detect_container_engine(fake);
        REQUIRE(engine);
        CHECK(engine->kind == EngineKind::docker);
        CHECK(engine->program == "/usr/bin/docker");
        CHECK(engine->version == "24.0.7");
        CHECK(engine->runner == &fake);  // later commands go through the same runner
        CHECK(fake.only({"docker", "info"}).argv ==
              std::vector<std::string>{"/usr/bin/docker", "info", "--format", "{{.ServerVersion}}"});
        CHECK_FALSE(fake.ran({"podman"}));
    }
    SECTION("docker is missing, podman answers") {
        fake.install("podman", "/usr/bin/podman");
        fake.on({"podman", "info"}, FakeProcessRunner::ok("4.3.1\n"));
        const auto engine = detect_container_engine(fake);
        REQUIRE(engine);
        CHECK(engine->kind == EngineKind::podman);
        CHECK(fake.only({"podman", "info"}).argv ==
              std::vector<std::string>{"/usr/bin/podman", "info", "--format", "{{.Version.Version}}"});
    }
    SECTION("neither is installed") {
        const auto engine = detect_container_engine(fake);
        REQUIRE_FALSE(engine);
        CHECK(engine.error() == "no container engine: install docker.io and start dockerd (scripts/container-engine.sh "
                                "does both), or install podman");
        CHECK(fake.calls.empty());
    }
    SECTION("docker's daemon is down") {
        fake.install("docker", "/usr/bin/docker");
        fake.on({"docker", "info"}, FakeProcessRunner::fails(1, "Cannot connect to the Docker daemon at "
                                                                "unix:///var/run/docker.sock. Is the docker daemon running?\n"));
        const auto engine = detect_container_engine(fake);
        REQUIRE_FALSE(engine);
        CHECK(engine.error() == "docker is installed but its daemon is not running: start it with scripts/container-engine.sh "
                                "(or `sudo systemctl start docker`); docker said: Cannot connect to the Docker daemon at "
                                "unix:///var/run/docker.sock. Is the docker daemon running?");
    }
    SECTION("docker's daemon refuses this user, podman is broken too") {
        fake.install("docker", "/usr/bin/docker").install("podman", "/usr/bin/podman");
        fake.on({"docker", "info"}, FakeProcessRunner::fails(1, "permission denied while trying to connect\n"));
        fake.on({"podman", "info"}, FakeProcessRunner::fails(125, "Error: cannot setup namespace\n"));
        const auto engine = detect_container_engine(fake);
        REQUIRE_FALSE(engine);
        CHECK(engine.error() == "docker is installed but this user may not use its daemon: add yourself to the docker group "
                                "(sudo usermod -aG docker $USER, then log in again) (permission denied while trying to "
                                "connect); podman is installed but `podman info` failed (exit status 125): Error: cannot "
                                "setup namespace");
    }
    SECTION("docker answers with no version: not an engine to use") {
        fake.install("docker", "/usr/bin/docker");
        fake.on({"docker", "info"}, FakeProcessRunner::ok("\n"));
        CHECK_FALSE(detect_container_engine(fake));
    }
}

TEST_CASE("INFUSE_CONTAINER_ENGINE forces an engine or is refused", "[containers][engine]") {
    FakeProcessRunner fake;
    fake.install("docker", "/usr/bin/docker").install("podman", "/usr/bin/podman");
    fake.on({"docker", "info"}, FakeProcessRunner::ok("24.0.7\n"));
    fake.on({"podman", "info"}, FakeProcessRunner::ok("4.3.1\n"));
    {
        ScopedEnv forced("INFUSE_CONTAINER_ENGINE", "podman");
        const auto engine = detect_container_engine(fake);
        REQUIRE(engine);
        CHECK(engine->kind == EngineKind::podman);
    }
    {
        ScopedEnv forced("INFUSE_CONTAINER_ENGINE", "/opt/bin/podman");  // a path: used as it is, not looked up
        fake.install("/opt/bin/podman", "/opt/bin/podman");
        const auto engine = detect_container_engine(fake);
        REQUIRE(engine);
        CHECK(engine->program == "/opt/bin/podman");
    }
    {
        ScopedEnv forced("INFUSE_CONTAINER_ENGINE", "podman");
        FakeProcessRunner empty;
        CHECK(detect_container_engine(empty).error() == "podman is not installed: apt-get install podman");
    }
    {
        ScopedEnv forced("INFUSE_CONTAINER_ENGINE", "lxc");
        CHECK(detect_container_engine(fake).error() ==
              "INFUSE_CONTAINER_ENGINE is 'lxc': it must be docker or podman (or a path to one of them)");
    }
}
