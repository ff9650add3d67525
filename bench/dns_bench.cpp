// Queries per second of the lab DNS service, as a ratio to dnsmasq serving the same records,
// measured side by side in one run: the same client, the same names, interleaved rounds.
//
//   infuse    `infuse-lab serve <a generated lab>` (the real binary, its DNS service on UDP)
//   dnsmasq   `dnsmasq --no-daemon` answering the same A records from an addn-hosts file
//
// The client keeps `--inflight` queries outstanding over UDP for `--seconds` per round and counts
// the answers whose ID matches.
// Usage: bench_dns --infuse-lab PATH [--names N] [--seconds S] [--rounds R] [--inflight K] [--json]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A DNS query for `name` A, in wire format, with `id`.
std::vector<std::uint8_t> query_for(const std::string& name, std::uint16_t id) {
    std::vector<std::uint8_t> packet{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start < name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        packet.push_back(static_cast<std::uint8_t>(dot - start));
        packet.insert(packet.end(), name.begin() + static_cast<std::ptrdiff_t>(start), name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    packet.insert(packet.end(), {0, 0, 1, 0, 1});
    return packet;
}

// Answers per second against 127.0.0.1:port with `inflight` queries outstanding.
double measure(int port, const std::vector<std::vector<std::uint8_t>>& queries, double seconds, int inflight) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    std::size_t next = 0, answered = 0;
    int outstanding = 0;
    auto send_one = [&] {
        auto packet = queries[next++ % queries.size()];
        (void)::send(fd, packet.data(), packet.size(), 0);
        ++outstanding;
    };
    for (int i = 0; i < inflight; ++i) send_one();
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    std::uint8_t buffer[4096];
    while (Clock::now() < end) {
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, 20) <= 0) {  // lost packets: top the window up again
            while (outstanding > 0) --outstanding;
            for (int i = 0; i < inflight; ++i) send_one();
            continue;
        }
        while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
            ++answered;
            --outstanding;
            send_one();
        }
    }
    ::close(fd);
    return static_cast<double>(answered) / seconds;
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& output) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        std::vector<char*> args;
        for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

bool answers(int port, const std::string& name) {
    return measure(port, {query_for(name, 7)}, 0.2, 1) > 0;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
    std::string binary;
    int names = 1000, rounds = 3, inflight = 32;
    double seconds = 2.0;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (arg == "--infuse-lab") binary = value();
        else if (arg == "--names") names = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--seconds") seconds = std::max(0.2, std::atof(value().c_str()));
        else if (arg == "--rounds") rounds = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--inflight") inflight = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--json") json = true;
        else {
            std::cerr << "usage: bench_dns --infuse-lab PATH [--names N] [--seconds S] [--rounds R] [--inflight K] [--json]\n";
            return 2;
        }
    }
    if (binary.empty()) {
        std::cerr << "bench_dns: give --infuse-lab PATH (build/infuse-lab)\n";
        return 2;
    }
    if (::system("command -v dnsmasq >/dev/null 2>&1") != 0 && !fs::exists("/usr/sbin/dnsmasq")) {
        std::cerr << "bench_dns: dnsmasq is not installed (scripts/setup.sh installs dnsmasq-base)\n";
        return 3;
    }

    // The same records for both: <names> A records under bench.example.
    std::string pattern = (fs::temp_directory_path() / "infuse-bench-dns-XXXXXX").string();
    const fs::path scratch = mkdtemp(pattern.data());
    const fs::path lab = scratch / "labs" / "bench" / "dns";
    fs::create_directories(lab / "data");
    {
        std::ofstream zone(lab / "data" / "bench.example.zone");
        std::ofstream hosts(scratch / "hosts");
        zone << "$ORIGIN bench.example.\n$TTL 300\n@ IN SOA ns1.bench.example. hostmaster.bench.example. 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n";
        for (int i = 0; i < names; ++i) {
            const std::string address = fmt::format("198.51.{}.{}", 100 + i / 250 % 2, 1 + i % 250);
            zone << fmt::format("host{} IN A {}\n", i, address);
            hosts << fmt::format("{} host{}.bench.example\n", address, i);
        }
    }
    {
        std::ofstream brief(lab / "brief.md");
        brief << "Benchmark lab.\n";
        std::ofstream yaml(lab / "lab.yaml");
        yaml << "spec: 1\nid: bench/dns\ntitle: DNS benchmark\npath: malicious-infrastructure\nmodule: 1\nminutes: 1\n"
                "provision:\n  services:\n    dns: {zones: [data/bench.example.zone]}\n"
                "questions:\n  - {id: q, ask: '?', answer: {text: x}}\ntests:\n  - {name: reference, answers: {q: x}, expect: pass}\n";
    }
    const int ours = free_port();
    // Ask for a fixed port so that the client knows it without parsing the output.
    {
        std::ifstream in(lab / "lab.yaml");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::string from = "dns: {zones: [data/bench.example.zone]}";
        text.replace(text.find(from), from.size(), fmt::format("dns: {{zones: [data/bench.example.zone], port: {}}}", ours));
        std::ofstream(lab / "lab.yaml") << text;
    }
    const int theirs = free_port();
    const pid_t infuse = spawn({binary, "serve", lab.string()}, scratch / "infuse.log");
    std::vector<std::string> dnsmasq_argv{"dnsmasq", "--no-daemon", "--conf-file=/dev/null", fmt::format("--port={}", theirs),
                                          "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                                          fmt::format("--addn-hosts={}", (scratch / "hosts").string()), "--cache-size=10000",
                                          "--pid-file="};
    if (::getuid() == 0) dnsmasq_argv.push_back("--user=root");  // it reads the hosts file from a private /tmp folder
    const pid_t dnsmasq = spawn(dnsmasq_argv, scratch / "dnsmasq.log");
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ready = answers(ours, "host1.bench.example") && answers(theirs, "host1.bench.example");
    }
    auto cleanup = [&] {
        ::kill(infuse, SIGTERM);
        ::kill(dnsmasq, SIGTERM);
        ::waitpid(infuse, nullptr, 0);
        ::waitpid(dnsmasq, nullptr, 0);
        fs::remove_all(scratch);
    };
    if (!ready) {
        std::ifstream a(scratch / "infuse.log"), b(scratch / "dnsmasq.log");
        std::cerr << "bench_dns: the servers did not answer.\ninfuse-lab serve said:\n" << a.rdbuf() << "\ndnsmasq said:\n" << b.rdbuf() << "\n";
        cleanup();
        return 1;
    }
    std::vector<std::vector<std::uint8_t>> queries;
    std::mt19937 random(42);
    for (int i = 0; i < 4096; ++i) {
        queries.push_back(query_for(fmt::format("host{}.bench.example", random() % static_cast<unsigned>(names)), static_cast<std::uint16_t>(i)));
    }
    std::vector<double> infuse_qps, dnsmasq_qps;
    for (int round = 0; round < rounds; ++round) {
        infuse_qps.push_back(measure(ours, queries, seconds, inflight));
        dnsmasq_qps.push_back(measure(theirs, queries, seconds, inflight));
    }
    cleanup();
    auto median = [](std::vector<double> values) {
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };
    const double a = median(infuse_qps), b = median(dnsmasq_qps);
    nlohmann::json out{{"benchmark", "DNS queries per second: infuse-lab serve vs dnsmasq"},
                       {"names", names}, {"rounds", rounds}, {"seconds_per_round", seconds}, {"inflight", inflight},
                       {"infuse_qps", a}, {"dnsmasq_qps", b}, {"ratio", b > 0 ? a / b : 0.0}};
    if (json) {
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << fmt::format("DNS over UDP, {} names, {} in flight, {} rounds of {:.1f} s (medians)\n", names, inflight, rounds, seconds)
                  << fmt::format("  infuse-lab serve  {:>10.0f} queries/s\n", a)
                  << fmt::format("  dnsmasq           {:>10.0f} queries/s\n", b)
                  << fmt::format("  ratio             x{:.2f}\n", b > 0 ? a / b : 0.0);
    }
    return 0;
}
