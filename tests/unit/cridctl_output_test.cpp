#include "crid/ctl/output.h"

#include <gtest/gtest.h>

#include "crid/ctl/id_match.h"

namespace berth::cridctl {
namespace {

using namespace std::chrono_literals;

TEST(CridctlTable, PadsColumnsLikeTabwriter) {
  std::string t = format_table({{"POD ID", "NAME", "STATE"}, {"0123456789abc", "a-very-long-pod-name-here", "Ready"}});
  EXPECT_EQ(t,
            "POD ID              NAME                        STATE\n"
            "0123456789abc       a-very-long-pod-name-here   Ready\n");
}

TEST(CridctlTable, HeaderOnly) { EXPECT_EQ(format_table({{"A", "B"}}), "A                   B\n"); }

TEST(CridctlAge, GoUnitsHumanDuration) {
  EXPECT_EQ(human_duration(500ms), "Less than a second");
  EXPECT_EQ(human_duration(1s), "1 second");
  EXPECT_EQ(human_duration(59s), "59 seconds");
  EXPECT_EQ(human_duration(60s), "About a minute");
  EXPECT_EQ(human_duration(119s), "About a minute");
  EXPECT_EQ(human_duration(120s), "2 minutes");
  EXPECT_EQ(human_duration(59min), "59 minutes");
  EXPECT_EQ(human_duration(60min), "About an hour");
  EXPECT_EQ(human_duration(89min), "About an hour");
  EXPECT_EQ(human_duration(91min), "2 hours");
  EXPECT_EQ(human_duration(47h), "47 hours");
  EXPECT_EQ(human_duration(48h), "2 days");
  EXPECT_EQ(human_duration(24h * 14), "2 weeks");
  EXPECT_EQ(human_duration(24h * 60), "2 months");
  EXPECT_EQ(human_duration(24h * 365 * 3), "3 years");
}

TEST(CridctlAge, AgoFromCreatedAt) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  int64_t created = (1700000000LL - 300) * 1000000000LL;
  EXPECT_EQ(age_string(created, now), "5 minutes ago");
}

TEST(CridctlSize, DecimalUnits) {
  EXPECT_EQ(human_size(0, 4), "0B");
  EXPECT_EQ(human_size(999, 4), "999B");
  EXPECT_EQ(human_size(2230000, 3), "2.23MB");
  EXPECT_EQ(human_size(1536000, 4), "1.536MB");
}

TEST(CridctlIds, TruncatesTo13) {
  EXPECT_EQ(truncate_id("sha256:0123456789abcdef", false), "0123456789abc");
  EXPECT_EQ(truncate_id("0123456789abcdef0123", false), "0123456789abc");
  EXPECT_EQ(truncate_id("0123456789abcdef0123", true), "0123456789abcdef0123");
}

TEST(CridctlIds, PrefixMatching) {
  std::vector<std::string> ids = {"abc111", "abd222", "ff0000"};
  EXPECT_EQ(*match_id_prefix("abc111", ids, "pod"), "abc111");
  EXPECT_EQ(*match_id_prefix("abc", ids, "pod"), "abc111");
  EXPECT_EQ(*match_id_prefix("f", ids, "pod"), "ff0000");
  // Nothing matches: passed on for the runtime to say NotFound.
  EXPECT_EQ(*match_id_prefix("0000", ids, "pod"), "0000");
  auto ambiguous = match_id_prefix("ab", ids, "container");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().message,
            "container ID prefix \"ab\" is ambiguous: it matches 2 containers (abc111, abd222)");
  EXPECT_FALSE(match_id_prefix("", ids, "pod"));
  // An exact id wins even when it prefixes another.
  EXPECT_EQ(*match_id_prefix("ab", {"ab", "abc"}, "pod"), "ab");
}

TEST(CridctlIds, FullIds) {
  EXPECT_TRUE(is_full_id(std::string(64, 'a')));
  EXPECT_FALSE(is_full_id(std::string(63, 'a')));
  EXPECT_FALSE(is_full_id(std::string(64, 'A')));
}

TEST(CridctlOutput, FormatsByName) {
  std::set<OutputFormat> all = {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml};
  EXPECT_EQ(*parse_output_format("yaml", all), OutputFormat::Yaml);
  auto bad = parse_output_format("xml", all);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "unsupported output format \"xml\" (one of json|table|yaml)");
  EXPECT_FALSE(parse_output_format("name", all));
}

TEST(CridctlRfc3339, UtcAndZero) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(rfc3339_nano(std::nullopt), "0001-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_nano(1700000000LL * 1000000000LL), "2023-11-14T22:13:20Z");
  EXPECT_EQ(rfc3339_nano(1700000000LL * 1000000000LL + 120000000), "2023-11-14T22:13:20.12Z");
  setenv("TZ", "UTC-2", 1);  // POSIX: two hours east of UTC
  tzset();
  EXPECT_EQ(rfc3339_nano(1700000000LL * 1000000000LL + 5), "2023-11-15T00:13:20.000000005+02:00");
  unsetenv("TZ");
  tzset();
}

TEST(CridctlYaml, BlockStyleSortedKeys) {
  ojson j = ojson::parse(R"({"status": {"id": "abc", "state": "SANDBOX_READY", "createdAt": "1700000000",
    "labels": {"b": "2", "a": "x: y"}, "ips": ["10.0.0.1", "10.0.0.2"], "empty": [], "none": {},
    "items": [{"k": 1, "v": true}, {"k": 2}], "nested": [[1, 2]], "text": "line1\nline2", "n": null,
    "yes": "yes", "dash": "-x", "spaced": " x", "plain": "hello world"}})");
  EXPECT_EQ(json_to_yaml(j),
            "status:\n"
            "  createdAt: \"1700000000\"\n"
            "  dash: \"-x\"\n"
            "  empty: []\n"
            "  id: abc\n"
            "  ips:\n"
            "  - 10.0.0.1\n"
            "  - 10.0.0.2\n"
            "  items:\n"
            "  - k: 1\n"
            "    v: true\n"
            "  - k: 2\n"
            "  labels:\n"
            "    a: \"x: y\"\n"
            "    b: \"2\"\n"
            "  \"n\": null\n"
            "  nested:\n"
            "  - - 1\n"
            "    - 2\n"
            "  none: {}\n"
            "  plain: hello world\n"
            "  spaced: \" x\"\n"
            "  state: SANDBOX_READY\n"
            "  text: \"line1\\nline2\"\n"
            "  \"yes\": \"yes\"\n");
  EXPECT_EQ(json_to_yaml(ojson::array()), "[]\n");
  EXPECT_EQ(json_to_yaml(ojson::parse(R"([{"a": {"b": [1]}}])")),
            "- a:\n"
            "    b:\n"
            "    - 1\n");
}

}  // namespace
}  // namespace berth::cridctl
