#include "infuse/services/simulated_services.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <iostream>
#include <thread>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "infuse/spec/data_file.hpp"
#include "infuse/common/loopback.hpp"
#include "infuse/common/private_files.hpp"
#include "services/dns.hpp"
#include "services/http_service.hpp"
#include "services/services_control.hpp"

namespace infuse {

namespace fs = std::filesystem;
using namespace services;

namespace {

std::string first_key(const nlohmann::json& data, const char* member) {
    if (!data.is_object() || !data.contains(member) || !data[member].is_object() || data[member].empty()) return {};
    return data[member].begin().key();
}

// A query the service's data answers, for the commands printed by start and status.
std::string example_for(const ServiceSpec& spec, const nlohmann::json& data) {
    if (spec.kind == "dns") {
        std::string name = fs::path(spec.files.front()).filename().string();
        if (name.ends_with(".zone")) name.resize(name.size() - 5);
        return name;
    }
    if (spec.kind == "whois") {  // a domain makes the clearest example; the keys come sorted, networks first
        if (data.is_object() && data.contains("records") && data["records"].is_object()) {
            for (const auto& [key, value] : data["records"].items()) {
                if (!key.empty() && std::isalpha(static_cast<unsigned char>(key.front())) && !key.starts_with("AS")) return key;
            }
        }
        return first_key(data, "records");
    }
    if (spec.kind == "rdap") {
        if (auto domain = first_key(data, "domains"); !domain.empty()) return "domain/" + domain;
        if (auto ip = first_key(data, "ips"); !ip.empty()) return "ip/" + ip.substr(0, ip.find('/'));
        return "help";
    }
    if (spec.kind == "web") return first_key(data, "sites");
    if (spec.kind == "ct" && data.contains("certificates") && data["certificates"].is_array() && !data["certificates"].empty()) {
        const std::string name = data["certificates"][0].value("common_name", "");
        const auto dot = name.find('.');
        return dot == std::string::npos ? name : "%" + name.substr(dot);
    }
    if (spec.kind == "pdns" && data.contains("records") && data["records"].is_array() && !data["records"].empty()) {
        return data["records"][0].value("rrname", "");
    }
    if (spec.kind == "asn" && data.contains("prefixes") && data["prefixes"].is_array() && !data["prefixes"].empty()) {
        const std::string prefix = data["prefixes"][0].value("prefix", "");
        return prefix.substr(0, prefix.find('/'));
    }
    return {};
}

using Handler = std::variant<HttpHandler, WhoisHandler, std::shared_ptr<const DnsZones>>;

// Loads one service's data into what its server needs.
tl::expected<std::pair<Handler, std::string>, std::string> load_service(const LabSpec& lab, const ServiceSpec& spec) {
    if (spec.kind == "dns") {
        std::vector<fs::path> files;
        for (const auto& file : spec.files) files.push_back(lab.dir / file);
        auto zones = load_zones(files);
        if (!zones) return tl::unexpected(zones.error());
        return std::pair<Handler, std::string>{*zones, example_for(spec, nullptr)};
    }
    const fs::path file = lab.dir / spec.files.front();
    auto data = load_data_file(file, lab.id);
    if (!data) return tl::unexpected(data.error());
    const std::string name = file.string();
    tl::expected<HttpHandler, std::string> http = tl::unexpected(std::string());
    if (spec.kind == "whois") {
        auto whois = make_whois_handler(*data, lab.dir, name);
        if (!whois) return tl::unexpected(whois.error());
        return std::pair<Handler, std::string>{*whois, example_for(spec, *data)};
    }
    if (spec.kind == "rdap") http = make_rdap_handler(*data, lab.dir, name);
    else if (spec.kind == "web") http = make_web_handler(*data, lab.dir, name);
    else if (spec.kind == "ct") http = make_ct_handler(*data, lab.dir, name);
    else if (spec.kind == "pdns") http = make_pdns_handler(*data, lab.dir, name);
    else if (spec.kind == "asn") http = make_asn_handler(*data, lab.dir, name);
    else return tl::unexpected(fmt::format("unknown service '{}'", spec.kind));
    if (!http) return tl::unexpected(http.error());
    return std::pair<Handler, std::string>{*http, example_for(spec, *data)};
}

}  // namespace

struct SimulatedInternet::State {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<DnsServer>> dns;
    std::vector<std::unique_ptr<HttpServer>> http;
    std::vector<std::unique_ptr<WhoisServer>> whois;
    std::vector<RunningService> endpoints;
    std::string lab_id;
    std::unique_ptr<ControlServer> control;
};

SimulatedInternet::SimulatedInternet() : state_(std::make_unique<State>()) {}
SimulatedInternet::~SimulatedInternet() = default;

std::vector<std::string> check_service_data(const LabSpec& lab) {
    std::vector<std::string> problems;
    for (const auto& spec : lab.services) {
        if (auto loaded = load_service(lab, spec); !loaded) problems.push_back(loaded.error());
    }
    return problems;
}

tl::expected<std::unique_ptr<SimulatedInternet>, std::string> SimulatedInternet::open(const LabSpec& lab) {
    std::unique_ptr<SimulatedInternet> internet(new SimulatedInternet());
    State& state = *internet->state_;
    state.lab_id = lab.id;
    for (const auto& kind : service_kinds()) {
        for (const auto& spec : lab.services) {
            if (spec.kind != kind.name) continue;
            auto loaded = load_service(lab, spec);
            if (!loaded) return tl::unexpected(loaded.error());
            const auto port = static_cast<std::uint16_t>(spec.port);
            try {
                std::uint16_t bound = 0;
                if (auto* zones = std::get_if<std::shared_ptr<const DnsZones>>(&loaded->first)) {
                    state.dns.push_back(std::make_unique<DnsServer>(state.io, *zones, port));
                    bound = state.dns.back()->port();
                } else if (auto* whois = std::get_if<WhoisHandler>(&loaded->first)) {
                    state.whois.push_back(std::make_unique<WhoisServer>(state.io, *whois, port));
                    bound = state.whois.back()->port();
                } else {
                    state.http.push_back(std::make_unique<HttpServer>(state.io, std::get<HttpHandler>(loaded->first), port));
                    bound = state.http.back()->port();
                }
                state.endpoints.push_back({spec.kind, bound, loaded->second});
            } catch (const std::exception& problem) {
                return tl::unexpected(port ? fmt::format("the {} service cannot listen on 127.0.0.1:{} ({}); is another program using it?",
                                                         spec.kind, port, problem.what())
                                           : fmt::format("the {} service cannot listen on 127.0.0.1: {}", spec.kind, problem.what()));
            }
        }
    }
    return internet;
}

std::vector<RunningService> SimulatedInternet::endpoints() const { return state_->endpoints; }

void SimulatedInternet::enable_control(const std::string& socket_name, const std::string& token) {
    state_->control = std::make_unique<ControlServer>(state_->io, ControlIdentity{socket_name, token}, state_->lab_id);
}

void SimulatedInternet::run() {
    boost::asio::signal_set signals(state_->io, SIGINT, SIGTERM, SIGHUP);
    signals.async_wait([this](const boost::system::error_code&, int) { state_->io.stop(); });
    state_->io.run();
}

tl::expected<RunningServices, std::string> start_services_in_background(const LabSpec& lab, std::int64_t run_id,
                                                                        const fs::path& log_file) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return tl::unexpected(std::string("cannot create a pipe"));
    if (auto folder = make_private_directory(log_file.parent_path()); !folder) {
        ::close(ready[0]);
        ::close(ready[1]);
        return tl::unexpected(folder.error());
    }
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(ready[0]);
        ::close(ready[1]);
        return tl::unexpected(std::string("cannot start a process for the services"));
    }
    if (pid == 0) {
        // The child: its own session (a Ctrl-C in the learner's terminal is not for it), its output
        // to the log, a name that `ps` shows, then bind, record and report.
        ::close(ready[0]);
        ::setsid();
        ::signal(SIGPIPE, SIG_IGN);
        ::prctl(PR_SET_NAME, "infuse-services", 0, 0, 0);
        const int devnull = ::open("/dev/null", O_RDONLY);
        const int log = open_private_file(log_file, OpenMode::truncate);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        if (log >= 0) {
            ::dup2(log, STDOUT_FILENO);
            ::dup2(log, STDERR_FILENO);
        }
        auto report = [&](const std::string& message) {
            const std::string line = message + "\n";
            (void)!::write(ready[1], line.data(), line.size());
            ::close(ready[1]);
        };
        int status = 0;
        try {
            auto internet = SimulatedInternet::open(lab);
            if (!internet) {
                report("error: " + internet.error());
                ::_exit(1);
            }
            auto recorded = load_running_services(lab.id);
            RunningServices record = recorded && *recorded && (*recorded)->run_id == run_id ? **recorded : RunningServices{};
            record.lab_id = lab.id;
            record.run_id = run_id;
            // Bound before the record names it: a record never points at a socket nobody holds.
            const ControlIdentity identity = new_control_identity();
            (*internet)->enable_control(identity.socket_name, identity.token);
            record.supervisor_pid = ::getpid();
            record.supervisor_socket = identity.socket_name;
            record.supervisor_token = identity.token;
            record.services = (*internet)->endpoints();
            if (auto saved = save_running_services(record); !saved) throw UserError(saved.error());
            std::cerr << fmt::format("infuse-lab: serving {} (pid {})\n", lab.id, ::getpid()) << std::flush;
            report("ready");
            (*internet)->run();
            std::cerr << "infuse-lab: stopped\n" << std::flush;
        } catch (const std::exception& problem) {
            report(std::string("error: ") + problem.what());
            std::cerr << "infuse-lab: " << problem.what() << "\n" << std::flush;
            status = 1;
        }
        ::_exit(status);  // never the parent's destructors (its store connection, its buffers)
    }
    ::close(ready[1]);
    std::string answer;
    char buffer[512];
    // The child binds and records within milliseconds; 20 s covers a machine under heavy load.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        const ssize_t got = ::read(ready[0], buffer, sizeof buffer);
        if (got > 0) {
            answer.append(buffer, static_cast<std::size_t>(got));
            if (answer.find('\n') != std::string::npos) break;
        } else if (got == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(ready[0]);
    if (!answer.starts_with("ready")) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        while (!answer.empty() && answer.back() == '\n') answer.pop_back();
        return tl::unexpected(answer.starts_with("error: ") ? answer.substr(7)
                                                            : fmt::format("the services did not start (see {})", log_file.string()));
    }
    auto recorded = load_running_services(lab.id);
    if (!recorded || !*recorded) return tl::unexpected(fmt::format("the services started but their record is unreadable: {}", recorded ? "missing" : recorded.error()));
    return **recorded;
}

bool supervisor_alive(const RunningServices& record) { return ping_services(record) == ControlAnswer::proven; }

SupervisorStop stop_supervisor(const RunningServices& record) {
    switch (stop_services(record)) {
        case StopOutcome::stopped: return SupervisorStop::stopped;
        case StopOutcome::not_running: return SupervisorStop::not_running;
        case StopOutcome::stale: break;
    }
    return SupervisorStop::stale;
}


std::string service_command(const RunningService& service) {
    const std::string example = service.example.empty() ? "example.org" : service.example;
    const int port = service.port;
    if (service.kind == "dns") return fmt::format("dig @127.0.0.1 -p {} {} A", port, example);
    if (service.kind == "whois") return fmt::format("whois -h 127.0.0.1 -p {} {}", port, example);
    if (service.kind == "rdap") return fmt::format("curl -s http://127.0.0.1:{}/{}", port, example);
    if (service.kind == "web") return fmt::format("curl -si -H 'Host: {}' http://127.0.0.1:{}/", example, port);
    if (service.kind == "ct") {  // crt.sh's wildcard is %, which a URL writes %25
        std::string query;
        for (char c : example) query += c == '%' ? std::string("%25") : std::string(1, c);
        return fmt::format("curl -s 'http://127.0.0.1:{}/?q={}&output=json'", port, query);
    }
    if (service.kind == "pdns") return fmt::format("curl -s http://127.0.0.1:{}/pdns/name/{}", port, example);
    if (service.kind == "asn") return fmt::format("curl -s http://127.0.0.1:{}/asn/{}", port, example);
    return fmt::format("127.0.0.1:{}", port);
}

}  // namespace infuse
