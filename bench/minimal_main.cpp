// The floor for `bench_answer`: a program linked against the same libraries as infuse-lab
// (yaml-cpp, SQLite, libcurl, pugixml, nlohmann_json, RE2, OpenSSL, ldns, fmt, Boost), which loads them
// and touches each once, then exits. Starting infuse-lab can never be cheaper than this.
#include <sqlite3.h>

#include <iostream>

#include <boost/filesystem.hpp>
#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <pugixml.hpp>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <ldns/ldns.h>  // last: its C headers clash with <optional> when included first

int main() {
    const YAML::Node node = YAML::Load("k: v");
    pugi::xml_document document;
    document.load_string("<a/>");
    const nlohmann::json json = nlohmann::json::parse("{\"k\": 1}");
    const bool matched = RE2::FullMatch("abc", "a.c");
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    sqlite3_close(db);
    std::cout << fmt::format("{} {} {} {} {} {} {} {}\n", node["k"].as<std::string>(), json["k"].get<int>(), matched,
                             sqlite3_libversion(), curl_version_info(CURLVERSION_NOW)->version, OpenSSL_version(OPENSSL_VERSION),
                             ldns_version(), boost::filesystem::exists("/") ? "/" : "");
    return 0;
}
