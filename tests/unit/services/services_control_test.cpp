// The services process proves itself on its control socket; a record that names anything else (a
// forged token, a made-up socket, another pid) is stale and reaches nothing.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "services/services_control.hpp"

using namespace infuse;
using namespace infuse::services;

TEST_CASE("the control socket answers the token, and only the token", "[services]") {
    boost::asio::io_context io;
    const ControlIdentity identity = new_control_identity();
    ControlServer server(io, identity, "net/snapshot");
    auto guard = boost::asio::make_work_guard(io);
    std::thread serving([&] { io.run(); });

    RunningServices record;
    record.lab_id = "net/snapshot";
    record.supervisor_pid = static_cast<int>(::getpid());
    record.supervisor_socket = identity.socket_name;
    record.supervisor_token = identity.token;
    CHECK(ping_services(record) == ControlAnswer::proven);

    SECTION("the recorded pid is not what proves it") {
        record.supervisor_pid = 1;
        CHECK(ping_services(record) == ControlAnswer::proven);
    }
    SECTION("a wrong token is stale") {
        record.supervisor_token = new_control_identity().token;
        CHECK(ping_services(record) == ControlAnswer::stale);
    }
    SECTION("a socket nobody holds is stale") {
        record.supervisor_socket = new_control_identity().socket_name;
        CHECK(ping_services(record) == ControlAnswer::stale);
    }
    SECTION("a record of another lab is stale") {
        record.lab_id = "other/lab";
        CHECK(ping_services(record) == ControlAnswer::stale);
    }
    SECTION("names and tokens we never make are not even tried") {
        record.supervisor_socket = "/run/dbus/system_bus_socket";
        CHECK(ping_services(record) == ControlAnswer::stale);
        record.supervisor_socket = identity.socket_name;
        record.supervisor_token = "not-hex";
        CHECK(ping_services(record) == ControlAnswer::stale);
    }
    SECTION("a record with no process is not running") {
        record.supervisor_pid = 0;
        record.supervisor_socket.clear();
        record.supervisor_token.clear();
        CHECK(ping_services(record) == ControlAnswer::not_running);
        CHECK(stop_services(record) == StopOutcome::not_running);
    }
    guard.reset();
    io.stop();
    serving.join();
}
