#include "cmd/targets_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

using engine::TargetSpec;

// TargetsFile is a file of the test's, removed at the end.
class TargetsFile {
 public:
  explicit TargetsFile(const std::string& text) {
    char name[] = "/tmp/hload-targets-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp");
    ::close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TargetsFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<TargetSpec> read(const std::string& text) {
  return read_targets_file(TargetsFile(text).path());
}

TEST(TargetsFileTest, HttpFormatParagraphsWithHeadersBodiesAndComments) {
  const TargetsFile body("{\"k\":1}");
  const auto t = read(
      "# a comment\n"
      "get http://a.test/x\n"
      "X-One: 1\n"
      "X-Two:  two words \n"
      "\n"
      "\n"
      "POST https://b.test:8443/y?q=1\n"
      "Content-Type: application/json\n"
      "@" +
      body.path() +
      "\n"
      "# between\n"
      "\n"
      "DELETE http://a.test/z\n");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].method, "GET") << "methods are sent in upper case, as -m";
  EXPECT_EQ(t[0].url, "http://a.test/x");
  EXPECT_EQ(t[0].headers, (std::vector<std::string>{"X-One: 1", "X-Two: two words"}));
  EXPECT_FALSE(t[0].body);
  EXPECT_EQ(t[1].method, "POST");
  EXPECT_EQ(t[1].url, "https://b.test:8443/y?q=1");
  EXPECT_EQ(t[1].headers, (std::vector<std::string>{"Content-Type: application/json"}));
  EXPECT_EQ(t[1].body, "{\"k\":1}");
  EXPECT_EQ(t[2].method, "DELETE");
  EXPECT_TRUE(t[2].headers.empty());
}

TEST(TargetsFileTest, JsonLinesWithHeaderListsAndBase64Bodies) {
  const auto t = read(
      "{\"method\":\"POST\",\"url\":\"http://a.test/\",\"header\":{\"X-A\":[\"1\",\"2\"]},"
      "\"body\":\"aGVsbG8=\"}\n"
      "\n"
      "{\"url\":\"http://b.test/\",\"body\":\"aGk=\"}\n"
      "{\"url\":\"http://b.test/\",\"header\":null,\"body\":\"YWJj\"}\n");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].method, "POST");
  EXPECT_EQ(t[0].headers, (std::vector<std::string>{"X-A: 1", "X-A: 2"}));
  EXPECT_EQ(t[0].body, "hello");
  EXPECT_EQ(t[1].method, "GET") << "vegeta's default";
  EXPECT_EQ(t[1].body, "hi");
  EXPECT_EQ(t[2].body, "abc");
}

TEST(TargetsFileTest, MistakesNameTheFileAndLine) {
  const TargetsFile f("GET http://a.test/\nX-A 1\n");
  try {
    read_targets_file(f.path());
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "-targets \"" + f.path() +
                                         "\":2: expected a header \"Name: value\" or \"@FILE\" "
                                         "(got \"X-A 1\")");
  }
  EXPECT_THROW(read("{\"url\":\"http://a.test/\",\"body\":\"a$==\"}\n"), UsageError);
  EXPECT_THROW(read_targets_file("/nonexistent/targets"), UsageError);
}

}  // namespace
}  // namespace hload::cli
