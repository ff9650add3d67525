// The pure parts of the container engine driver: names, paths, `docker port` output, run arguments.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "containers/engine_parts.hpp"

using namespace infuse;
using namespace infuse::containers_detail;
namespace fs = std::filesystem;

namespace {

bool contains(const std::vector<std::string>& args, std::initializer_list<std::string_view> run) {
    const std::vector<std::string> wanted(run.begin(), run.end());
    return std::search(args.begin(), args.end(), wanted.begin(), wanted.end()) != args.end();
}

}  // namespace

TEST_CASE("docker port output gives the host port, loopback first", "[containers]") {
    CHECK(parse_port_output("127.0.0.1:49153\n") == 49153);
    CHECK(parse_port_output("0.0.0.0:32768\n[::]:32768\n") == 32768);
    CHECK(parse_port_output("[::1]:40001\n127.0.0.1:40002\n") == 40002);
    CHECK(parse_port_output("8080/tcp -> 127.0.0.1:41000\n") == 41000);  // older podman, `port <id>` form
    CHECK(parse_port_output("  127.0.0.1:1\r\n") == 1);
    CHECK_FALSE(parse_port_output(""));
    CHECK_FALSE(parse_port_output("Error: No public port '8080/tcp' published for abc\n"));
    CHECK_FALSE(parse_port_output("127.0.0.1:99999"));
    CHECK_FALSE(parse_port_output("127.0.0.1:80x"));
}

TEST_CASE("names are sanitised for the engine", "[containers]") {
    CHECK(sanitize("web/security-headers") == "web-security-headers");
    CHECK(sanitize("Web//Security_Headers--") == "web-security-headers");
    CHECK(sanitize("-/-") == "lab");
    CHECK(sanitize("abcdefghij", 4) == "abcd");
    CHECK(sanitize("abc-defg", 4) == "abc");  // no trailing '-' after a cut
    CHECK(image_name("web/security-headers", "web") == "infuse-lab/web-security-headers-web:latest");
    CHECK(container_name("web/security-headers", "web", "a1b2c3") == "infuse-lab-web-security-headers-web-a1b2c3");
}

TEST_CASE("lab names for containers and ports", "[containers]") {
    CHECK(valid_name("web"));
    CHECK(valid_name("db-2"));
    CHECK_FALSE(valid_name(""));
    CHECK_FALSE(valid_name("-web"));
    CHECK_FALSE(valid_name("Web"));
    CHECK_FALSE(valid_name("web_1"));
    CHECK_FALSE(valid_name(std::string(64, 'a')));
}

TEST_CASE("relative paths may not escape", "[containers]") {
    CHECK_FALSE(check_relative_path("containers/web", "build"));
    CHECK_FALSE(check_relative_path("site", "mount"));
    CHECK(check_relative_path("", "build"));
    CHECK(check_relative_path("/etc", "build"));
    CHECK(check_relative_path("../other", "build"));
    CHECK(check_relative_path("containers/../../x", "build"));
    CHECK(check_relative_path("a/..", "build"));
}

TEST_CASE("container paths for mounts", "[containers]") {
    CHECK_FALSE(check_container_path("/etc/site"));
    CHECK(check_container_path("etc/site"));
    CHECK(check_container_path("/"));
    CHECK(check_container_path("/etc/../root"));
    CHECK(check_container_path("/a:b"));
    CHECK(check_container_path("/a,b"));
}

TEST_CASE("resolve_inside follows symbolic links and stays in its folder", "[containers]") {
    const auto base = fs::temp_directory_path() / "infuse-engine-test";
    fs::remove_all(base);
    fs::create_directories(base / "lab" / "containers" / "web");
    fs::create_directories(base / "outside");
    fs::create_directory_symlink(base / "outside", base / "lab" / "escape");
    fs::create_directory_symlink("containers/web", base / "lab" / "alias");

    auto inside = resolve_inside(base / "lab", "containers/web", "build");
    REQUIRE(inside);
    CHECK(*inside == fs::canonical(base / "lab" / "containers" / "web"));
    CHECK(resolve_inside(base / "lab", "alias", "build"));                 // a link that stays inside
    CHECK(resolve_inside(base / "lab", "not-yet/there", "mount"));         // missing is fine here
    const auto escaped = resolve_inside(base / "lab", "escape", "build");  // a link that leaves
    REQUIRE_FALSE(escaped);
    CHECK(escaped.error().find("outside") != std::string::npos);
    CHECK_FALSE(resolve_inside(base / "lab", "../outside", "build"));
    CHECK_FALSE(resolve_inside(base / "lab", "/etc", "build"));
    CHECK(resolve_inside(base / "lab", ".", "build"));
    fs::remove_all(base);
}

TEST_CASE("container specs are checked before anything runs", "[containers]") {
    ContainerSpec good{
        .name = "web", .build = "containers/web", .ports = {{"http", 8080}}, .mounts = {{"site", "/etc/site"}}};
    CHECK(check_specs({good}).empty());

    auto twice = check_specs({good, good});
    REQUIRE(twice.size() == 1);
    CHECK(twice[0].find("used twice") != std::string::npos);

    ContainerSpec bad{.name = "Web!", .build = "../x", .ports = {{"HTTP", 0}}, .mounts = {{"/abs", "rel"}}};
    const auto errors = check_specs({bad});
    CHECK(errors.size() == 6);  // name, build, port name, port number, mount source, mount target
}

TEST_CASE("run arguments confine the container", "[containers]") {
    RunArguments args;
    args.lab_id = "web/security-headers";
    args.run_key = "web/security-headers#7";
    args.name = "infuse-lab-web-security-headers-web-abcdef";
    args.image = "infuse-lab/web-security-headers-web:latest";
    args.ports = {8080};
    args.mounts = {{"/home/u/infuse-lab/web/security-headers/site", "/etc/site"}};

    const auto docker = run_arguments(args);
    CHECK(docker.front() == "run");
    CHECK(docker.back() == args.image);
    CHECK(contains(docker, {"-d", "--init"}));
    CHECK(contains(docker, {"--label", "infuse-lab=1"}));
    CHECK(contains(docker, {"--label", "infuse-lab.lab=web/security-headers"}));
    CHECK(contains(docker, {"--label", "infuse-lab.run=web/security-headers#7"}));
    CHECK(contains(docker, {"--network", "none"}));
    CHECK(std::find(docker.begin(), docker.end(), "-p") == docker.end());  // nothing published: forwarded
    CHECK(contains(docker, {"-v", "/home/u/infuse-lab/web/security-headers/site:/etc/site:ro"}));
    CHECK(contains(docker, {"--cap-drop", "ALL"}));
    CHECK(contains(docker, {"--security-opt", "no-new-privileges"}));
    CHECK(contains(docker, {"--read-only", "--tmpfs"}));
    CHECK(contains(docker, {"--memory", "268435456b", "--memory-swap", "268435456b"}));
    CHECK(contains(docker, {"--tmpfs", "/run:rw,nosuid,nodev,size=4m,mode=755"}));
    CHECK(contains(docker, {"--log-opt", "max-size=1m"}));
    CHECK(contains(docker, {"--pids-limit", "128"}));
    CHECK_FALSE(contains(docker, {"--cap-add", "NET_BIND_SERVICE"}));
    CHECK_FALSE(contains(docker, {"--ulimit", "nofile=1024:1024"}));

    args.volumes = {"/var/lib/data"};
    args.pids = 64;
    const auto with_volume = run_arguments(args);
    CHECK(contains(with_volume, {"--tmpfs", "/var/lib/data:rw,nosuid,nodev,size=16m"}));
    CHECK(contains(with_volume, {"--pids-limit", "64"}));

    args.kind = EngineKind::podman;
    args.ports = {80};
    const auto podman = run_arguments(args);
    CHECK(contains(podman, {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}));
    CHECK(contains(podman, {"--cap-add", "NET_BIND_SERVICE"}));
}

TEST_CASE("engine error output is trimmed to what matters", "[containers]") {
    const std::string build_noise =
        "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
        "            Install the buildx component to build images with BuildKit:\n"
        "            https://docs.docker.com/go/buildx/\n\n"
        "pull access denied for infuse-lab/base, repository does not exist\n";
    CHECK(clean_stderr(build_noise) == "pull access denied for infuse-lab/base, repository does not exist");
    CHECK(clean_stderr("a\nb\nc\nd\n", 2) == "c\nd");
    CHECK(clean_stderr("  \n\n").empty());
    CHECK(lines_of(" a \n\n b\r\n") == std::vector<std::string>{"a", "b"});
    CHECK(trim("\t x y \n") == "x y");
}

TEST_CASE("listening ports are read from /proc/net/tcp and tcp6", "[containers]") {
    const char* text =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
        "   1: 0100007F:1F90 0100007F:D74A 06 00000000:00000000 03:00001565 00000000     0        0 0 3\n"
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000\n";
    CHECK(listening_ports(text) == std::set<int>{53, 8080});
    CHECK(listening_ports("").empty());
}

TEST_CASE("an image's volumes become tmpfs paths, checked", "[containers]") {
    CHECK(parse_image_volumes("null\n")->empty());
    CHECK(*parse_image_volumes(R"({"/data":{},"/var/cache/x":{}})") == std::vector<std::string>{"/data", "/var/cache/x"});
    CHECK_FALSE(parse_image_volumes(R"({"/a,b":{}})"));
    CHECK_FALSE(parse_image_volumes("garbage"));
}

TEST_CASE("mount paths cannot carry engine syntax or control characters", "[containers]") {
    CHECK(check_container_path("/etc/site\x1b[2J"));
    ContainerSpec spec{.name = "web", .build = "b", .ports = {}, .mounts = {{"site\nx", "/etc/site"}}};
    CHECK(check_specs({spec}).size() == 1);
}
