#include <catch2/catch.hpp>

#include "infuse/provision/params.hpp"

using namespace infuse;

TEST_CASE("templates replace names, with or without spaces", "[template]") {
    ParamValues values{{"ip", "203.0.113.7"}, {"n", "3"}};
    CHECK(*render_template("from {{ip}} x{{ n }}", values) == "from 203.0.113.7 x3");
    CHECK(*render_template("no templates {here} { {", values) == "no templates {here} { {");
    CHECK(*render_template("{{ip}}{{ip}}", values) == "203.0.113.7203.0.113.7");
    CHECK(render_template("", values).value().empty());
}

TEST_CASE("an unknown name is an error at its line and column, with a suggestion", "[template]") {
    ParamValues values{{"attacker_ip", "x"}};
    auto rendered = render_template("line one\n  {{atacker_ip}}", values);
    REQUIRE_FALSE(rendered);
    CHECK(rendered.error().line == 2);
    CHECK(rendered.error().column == 3);
    CHECK(rendered.error().message == "unknown param 'atacker_ip' (did you mean 'attacker_ip'?)");
}

TEST_CASE("template uses are found with positions", "[template]") {
    auto uses = template_uses("a {{x}}\nb {{ y }} {{x}}");
    REQUIRE(uses.size() == 3);
    CHECK(uses[0].name == "x");
    CHECK(uses[1].name == "y");
    CHECK(uses[1].line == 2);
    CHECK(uses[1].column == 3);
    CHECK(uses[2].column == 11);
}

TEST_CASE("a rendering stops at template-bytes before it allocates past it", "[template][limits]") {
    ParamValues values{{"big", std::string(1024 * 1024, 'x')}};
    std::string text;
    for (int i = 0; i < 17; ++i) text += "{{big}}";
    auto rendered = render_template(text, values);
    REQUIRE_FALSE(rendered);
    CHECK(rendered.error().message.starts_with("renders to more than template-bytes (16 MiB)"));
    CHECK(rendered.error().column == 1 + 16 * 7);  // the 17th placeholder
    CHECK(render_template_within("{{big}}", values, 100, "").error().message.starts_with("renders to more than"));
}
