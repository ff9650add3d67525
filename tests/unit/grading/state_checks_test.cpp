// State checks against real files, a real sandboxed command and a real HTTP server on loopback.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "infuse/common/paths.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/sandbox/sandbox.hpp"
#include "infuse/grading/state_checks.hpp"

#include "../temp_dir.hpp"

namespace fs = std::filesystem;
using namespace infuse;

namespace {

using infuse::testing::TempDir;

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

StateCheck file_check(FileCheck file) {
    StateCheck check;
    check.kind = StateCheck::Kind::file;
    check.file = std::move(file);
    return check;
}

double score(const StateCheck& check, const StateCheckContext& context) {
    auto result = run_state_check(check, context);
    REQUIRE(result);
    return result->score;
}

// A one-shot HTTP server on 127.0.0.1 answering every connection with `response`.
class TinyServer {
public:
    explicit TinyServer(std::string response) : response_(std::move(response)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        ::listen(fd_, 8);
        thread_ = std::thread([this] {
            while (!stop_) {
                const int client = ::accept(fd_, nullptr, nullptr);
                if (client < 0) break;
                char buffer[4096];
                (void)::recv(client, buffer, sizeof buffer, 0);
                (void)::send(client, response_.data(), response_.size(), MSG_NOSIGNAL);
                ::close(client);
            }
        });
    }
    ~TinyServer() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    int port() const { return port_; }

private:
    std::string response_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("file checks: exists, contains, regex, JSON pointer, XPath", "[state]") {
    TempDir workspace;
    StateCheckContext context;
    context.workspace = workspace.path;
    context.values = {{"ip", "203.0.113.7"}};
    write(workspace.path / "report.txt", "blocked 203.0.113.7 at the firewall\n");
    write(workspace.path / "out/result.json", R"({"attacker": {"ip": "203.0.113.7", "hits": 42}})");
    write(workspace.path / "out/result.xml", R"(<report><attacker ip="203.0.113.7">evil.example</attacker></report>)");

    CHECK(score(file_check({.path = "report.txt"}), context) == 1.0);
    CHECK(score(file_check({.path = "missing.txt"}), context) == 0.0);
    CHECK(score(file_check({.path = "missing.txt", .exists = false}), context) == 1.0);
    CHECK(score(file_check({.path = "report.txt", .exists = false}), context) == 0.0);
    CHECK(score(file_check({.path = "report.txt", .contains = {"{{ip}}", "firewall"}}), context) == 1.0);
    CHECK(score(file_check({.path = "report.txt", .contains = {"198.51.100.1"}}), context) == 0.0);
    CHECK(score(file_check({.path = "report.txt", .regex = R"(blocked \d+\.\d+)"}), context) == 1.0);
    CHECK(score(file_check({.path = "report.txt", .regex = "^allowed"}), context) == 0.0);

    CHECK(score(file_check({.path = "out/result.json", .json_pointer = "/attacker/ip", .json_equals = "{{ip}}"}), context) == 1.0);
    CHECK(score(file_check({.path = "out/result.json", .json_pointer = "/attacker/hits", .json_regex = "4\\d"}), context) == 1.0);
    CHECK(score(file_check({.path = "out/result.json", .json_pointer = "/attacker/hits", .json_equals = "41"}), context) == 0.0);
    CHECK(score(file_check({.path = "out/result.json", .json_pointer = "/victim", .json_equals = "x"}), context) == 0.0);
    CHECK(score(file_check({.path = "report.txt", .json_pointer = "/a", .json_equals = "x"}), context) == 0.0);  // not JSON

    CHECK(score(file_check({.path = "out/result.xml", .xpath = "/report/attacker", .xpath_equals = "evil.example"}), context) == 1.0);
    CHECK(score(file_check({.path = "out/result.xml", .xpath = "/report/attacker/@ip", .xpath_regex = "203\\..*"}), context) == 1.0);
    CHECK(score(file_check({.path = "out/result.xml", .xpath = "/report/victim", .xpath_equals = "x"}), context) == 0.0);
}

TEST_CASE("file checks stay inside the workspace, also through symbolic links", "[state]") {
    TempDir workspace, outside;
    write(outside.path / "secret.txt", "secret");
    fs::create_symlink(outside.path / "secret.txt", workspace.path / "link.txt");
    StateCheckContext context;
    context.workspace = workspace.path;
    auto escaped = run_state_check(file_check({.path = "link.txt", .contains = {"secret"}}), context);
    REQUIRE(escaped);
    CHECK(escaped->score == 0.0);
    CHECK(escaped->note.find("outside the workspace") != std::string::npos);
    auto dotted = run_state_check(file_check({.path = "../" + outside.path.filename().string() + "/secret.txt"}), context);
    REQUIRE(dotted);
    CHECK(dotted->score == 0.0);
}

TEST_CASE("command checks run in the sandbox: exit status and output", "[state][sandbox]") {
    TempDir workspace, lab;
    write(workspace.path / "blocklist.txt", "203.0.113.7\n198.51.100.9\n");
    StateCheckContext context;
    context.workspace = workspace.path;
    context.sandbox.lab_dir = lab.path;
    context.sandbox.workspace = workspace.path;
    context.sandbox.allow_unsandboxed = true;  // a machine without bubblewrap still runs it with limits
    StateCheck check;
    check.kind = StateCheck::Kind::command;
    check.command.run = {"sh", "-c", "wc -l < blocklist.txt"};
    check.command.stdout_regex = "^2\\s*$";
    CHECK(score(check, context) == 1.0);
    check.command.stdout_regex = "^3\\s*$";
    CHECK(score(check, context) == 0.0);
    check.command.run = {"sh", "-c", "grep -q 192.0.2.1 blocklist.txt"};
    check.command.stdout_regex.clear();
    auto missing = run_state_check(check, context);
    REQUIRE(missing);
    CHECK(missing->score == 0.0);
    CHECK(missing->note.find("exit") != std::string::npos);
    if (sandbox_available()) {
        // No network in the sandbox, and only the workspace is writable.
        check.command.run = {"sh", "-c", "touch /etc/x 2>/dev/null || touch \"$HOME/../x\" 2>/dev/null; test ! -e /etc/x"};
        CHECK(score(check, context) == 1.0);
    }
}

TEST_CASE("http checks read a real response on loopback: status, headers, body", "[state]") {
    TinyServer server("HTTP/1.1 200 OK\r\nServer: ExampleHTTPd/2.2.15\r\nX-Content-Type-Options: nosniff\r\n"
                      "Content-Length: 13\r\nConnection: close\r\n\r\nHello, world!");
    StateCheckContext context;
    context.values = {{"service.web.http", "127.0.0.1:" + std::to_string(server.port())}};
    StateCheck check;
    check.kind = StateCheck::Kind::http;
    check.http.url = "http://{{service.web.http}}/";
    check.http.status = 200;
    check.http.headers = {{"X-Content-Type-Options", "nosniff"}};
    check.http.body_regex = "Hello";
    CHECK(score(check, context) == 1.0);

    check.http.absent_headers = {"Server"};
    auto leaky = run_state_check(check, context);
    REQUIRE(leaky);
    CHECK(leaky->score == 0.0);
    CHECK(leaky->note.find("ExampleHTTPd") != std::string::npos);

    check.http.absent_headers.clear();
    check.http.status = 404;
    CHECK(score(check, context) == 0.0);
}

TEST_CASE("validation: bad patterns, bad XPath, URLs off loopback", "[state]") {
    StateCheck check = file_check({.path = "a", .regex = "(", .xpath = "//[", .xpath_equals = "x"});
    auto problems = validate_state_check(check, {});
    CHECK(problems.size() == 2);
    StateCheck http;
    http.kind = StateCheck::Kind::http;
    http.http.url = "http://203.0.113.7/";
    CHECK(validate_state_check(http, {}).size() == 1);
    http.http.url = "http://127.0.0.1:8080/";
    CHECK(validate_state_check(http, {}).empty());
}

TEST_CASE("the services record survives a round trip and a corrupt one is named", "[state]") {
    TempDir state;
    setenv("XDG_STATE_HOME", state.path.c_str(), 1);
    RunningServices services{"web/security-headers", 7, "docker", {{"web", "abc123", {{"http", 32768}}}}};
    REQUIRE(save_running_services(services));
    auto loaded = load_running_services("web/security-headers");
    REQUIRE(loaded);
    REQUIRE(*loaded);
    CHECK((*loaded)->run_id == 7);
    CHECK((*loaded)->containers.at(0).host_ports.at("http") == 32768);
    ParamValues values;
    add_service_values(values, (*loaded)->containers);
    CHECK(values.at("service.web.http") == "127.0.0.1:32768");

    write(services_file_for("web/security-headers"), "{\"lab\": ");
    auto corrupt = load_running_services("web/security-headers");
    REQUIRE_FALSE(corrupt);
    CHECK(corrupt.error().find(services_file_for("web/security-headers").string()) != std::string::npos);

    forget_running_services("web/security-headers");
    auto none = load_running_services("web/security-headers");
    REQUIRE(none);
    CHECK_FALSE(*none);
    unsetenv("XDG_STATE_HOME");
}
