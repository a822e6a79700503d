// parse_command_line: hey's Go-style flags into a RunConfig, the demo and serve subcommands,
// help and version, and one clear line for every mistake.

#include "cmd/cli.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cmd/version.hpp"

namespace hload::cli {
namespace {

using namespace std::chrono_literals;
using engine::OutputFormat;
using engine::RunConfig;

constexpr const char* kUrl = "http://127.0.0.1:8080/";

// parse runs parse_command_line on "hload" followed by words.
ParseResult parse(const std::vector<std::string>& words) {
  std::vector<const char*> argv{"hload"};
  for (const auto& w : words) argv.push_back(w.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// joined shows words as a command line in failure messages.
std::string joined(const std::vector<std::string>& words) {
  std::string out = "hload";
  for (const auto& w : words) out += " " + w;
  return out;
}

// run returns the RunConfig that words parse to, failing the test if they do not parse to a run.
RunConfig run(const std::vector<std::string>& words) {
  const ParseResult result = parse(words);
  if (const auto* bad = std::get_if<BadUsage>(&result)) {
    ADD_FAILURE() << joined(words) << ": " << bad->message;
  }
  const auto* command = std::get_if<RunCommand>(&result);
  if (!command) {
    ADD_FAILURE() << joined(words) << " is not a run";
    return {};
  }
  return command->config;
}

// usage_error returns the message words are refused with, failing the test if they are not.
std::string usage_error(const std::vector<std::string>& words) {
  const ParseResult result = parse(words);
  const auto* bad = std::get_if<BadUsage>(&result);
  if (!bad) {
    ADD_FAILURE() << joined(words) << " was accepted";
    return {};
  }
  return bad->message;
}

// TempFile is a file that exists for one test.
class TempFile {
 public:
  explicit TempFile(const std::string& contents)
      : path_(std::filesystem::temp_directory_path() /
              ("hload_cli_test_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::filesystem::remove(path_); }

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ParseCommandLine, HeadlineCommandWorksAsWritten) {
  const std::vector<std::vector<std::string>> spellings{
      {"-c", "200", "-max-conns-per-host", "2", kUrl},
      {"-c", "200", "--max-conns-per-host", "2", kUrl},
      {"-c", "200", "-max-conns-per-host=2", kUrl},
      {"-c", "200", "--max-conns-per-host=2", kUrl},
      {"-c=200", "-max-conns-per-host", "2", kUrl},
      {"--c", "200", "-max-conns-per-host", "2", kUrl},
      {kUrl, "-c", "200", "-max-conns-per-host", "2"},
      {"-c", "200", kUrl, "-max-conns-per-host", "2"},
  };
  for (const auto& words : spellings) {
    SCOPED_TRACE(joined(words));
    const RunConfig c = run(words);
    EXPECT_EQ(c.url, kUrl);
    EXPECT_EQ(c.concurrency, 200);
    EXPECT_EQ(c.max_conns_per_host, 2);
    EXPECT_EQ(c.request_limit(), 200U);  // the default -n, which -c 200 just meets
  }
}

TEST(ParseCommandLine, UrlAloneKeepsEveryDefault) {
  const RunConfig c = run({kUrl});
  const RunConfig d;
  EXPECT_EQ(c.url, kUrl);
  EXPECT_EQ(c.method, d.method);
  EXPECT_EQ(c.concurrency, 50);
  EXPECT_FALSE(c.requests);
  EXPECT_EQ(c.request_limit(), 200U);
  EXPECT_FALSE(c.duration);
  EXPECT_EQ(c.timeout, 20s);
  EXPECT_EQ(c.dial_timeout, 30s);
  EXPECT_EQ(c.idle_conn_timeout, 90s);
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.content_type, "text/html");
  EXPECT_TRUE(c.user_agent.empty());
  EXPECT_EQ(c.output, OutputFormat::text);
  EXPECT_TRUE(c.progress);
  EXPECT_FALSE(c.http2 || c.h2c || c.insecure || c.disable_keepalive || c.disable_compression ||
               c.disable_redirects);
}

// FlagEffect is one flag given on the command line and what it must change in the RunConfig.
struct FlagEffect {
  std::vector<std::string> flags;
  std::function<void(const RunConfig&)> check;
};

TEST(ParseCommandLine, EveryRunFlagSetsItsField) {
  const std::vector<FlagEffect> effects{
      {{"-n", "1000"}, [](const RunConfig& c) { EXPECT_EQ(c.requests, 1000U); }},
      {{"-n=1000"}, [](const RunConfig& c) { EXPECT_EQ(c.requests, 1000U); }},
      {{"-n", "10k"}, [](const RunConfig& c) { EXPECT_EQ(c.requests, 10'000U); }},
      {{"-n", "1M"}, [](const RunConfig& c) { EXPECT_EQ(c.requests, 1'000'000U); }},
      {{"-n", "1.5k", "-c", "1k"},
       [](const RunConfig& c) {
         EXPECT_EQ(c.requests, 1'500U);
         EXPECT_EQ(c.concurrency, 1'000);
       }},
      {{"-max-conns-per-host", "2k", "-max-idle-conns-per-host", "1K", "-max-idle-conns", "3k",
        "-max-conns", "4k"},
       [](const RunConfig& c) {
         EXPECT_EQ(c.max_conns_per_host, 2'000);
         EXPECT_EQ(c.max_idle_conns_per_host, 1'000);
         EXPECT_EQ(c.max_idle_conns, 3'000);
         EXPECT_EQ(c.max_conns, 4'000);
       }},
      {{"-c", "7"}, [](const RunConfig& c) { EXPECT_EQ(c.concurrency, 7); }},
      {{"-q", "2.5"}, [](const RunConfig& c) { EXPECT_EQ(c.qps_per_user, 2.5); }},
      {{"-q", "0"}, [](const RunConfig& c) { EXPECT_EQ(c.qps_per_user, 0); }},
      {{"-z", "10s"},
       [](const RunConfig& c) {
         EXPECT_EQ(c.duration, 10s);
         EXPECT_FALSE(c.request_limit());  // -z alone: no request limit
       }},
      {{"-z", "1m30s"}, [](const RunConfig& c) { EXPECT_EQ(c.duration, 90s); }},
      {{"-z", "3s"}, [](const RunConfig& c) { EXPECT_EQ(c.duration, 3s); }},
      {{"-z", "250ms"}, [](const RunConfig& c) { EXPECT_EQ(c.duration, 250ms); }},
      {{"-z", "10s", "-n", "500"},
       [](const RunConfig& c) {
         EXPECT_EQ(c.duration, 10s);
         EXPECT_EQ(c.request_limit(), 500U);
       }},
      {{"-t", "5"}, [](const RunConfig& c) { EXPECT_EQ(c.timeout, 5s); }},
      {{"-t", "0.5"}, [](const RunConfig& c) { EXPECT_EQ(c.timeout, 500ms); }},
      {{"-t", "1500ms"}, [](const RunConfig& c) { EXPECT_EQ(c.timeout, 1500ms); }},
      {{"-t", "0"}, [](const RunConfig& c) { EXPECT_EQ(c.timeout, 0s); }},
      {{"-m", "post"}, [](const RunConfig& c) { EXPECT_EQ(c.method, "POST"); }},
      {{"-m", "PROPFIND"}, [](const RunConfig& c) { EXPECT_EQ(c.method, "PROPFIND"); }},
      {{"-H", "X-A: 1", "-H", "X-B:2"},
       [](const RunConfig& c) {
         EXPECT_EQ(c.headers, (std::vector<std::string>{"X-A: 1", "X-B:2"}));
       }},
      {{"-H", "X-Neg: -1"},
       [](const RunConfig& c) { EXPECT_EQ(c.headers, std::vector<std::string>{"X-Neg: -1"}); }},
      {{"-d", "a=1&b=2"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "a=1&b=2"); }},
      {{"-d", "[1,2]"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "[1,2]"); }},
      {{"-d", "-"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "-"); }},
      {{"-d", "--x"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "--x"); }},
      {{"-d", "--"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "--"); }},
      {{"-d", "-h"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "-h"); }},
      {{"-d="}, [](const RunConfig& c) { EXPECT_EQ(c.body, ""); }},
      {{"-d", "k=v=w"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "k=v=w"); }},
      {{"-d=k=v"}, [](const RunConfig& c) { EXPECT_EQ(c.body, "k=v"); }},
      {{"-T", "application/json"},
       [](const RunConfig& c) { EXPECT_EQ(c.content_type, "application/json"); }},
      {{"-A", "*/*"}, [](const RunConfig& c) { EXPECT_EQ(c.accept, "*/*"); }},
      {{"-U", "bot/1"}, [](const RunConfig& c) { EXPECT_EQ(c.user_agent, "bot/1"); }},
      {{"-a", "user:pa:ss"}, [](const RunConfig& c) { EXPECT_EQ(c.basic_auth, "user:pa:ss"); }},
      {{"-x", "proxy.local:3128"},
       [](const RunConfig& c) { EXPECT_EQ(c.proxy, "proxy.local:3128"); }},
      {{"-x", "[::1]:3128"}, [](const RunConfig& c) { EXPECT_EQ(c.proxy, "[::1]:3128"); }},
      {{"-host", "example.com"},
       [](const RunConfig& c) { EXPECT_EQ(c.host_header, "example.com"); }},
      {{"--host=example.com:8443"},
       [](const RunConfig& c) { EXPECT_EQ(c.host_header, "example.com:8443"); }},
      {{"-h2"}, [](const RunConfig& c) { EXPECT_TRUE(c.http2); }},
      {{"--h2"}, [](const RunConfig& c) { EXPECT_TRUE(c.http2); }},
      {{"-h2=true"}, [](const RunConfig& c) { EXPECT_TRUE(c.http2); }},
      {{"-h2=1"}, [](const RunConfig& c) { EXPECT_TRUE(c.http2); }},
      {{"-h2=false"}, [](const RunConfig& c) { EXPECT_FALSE(c.http2); }},
      {{"-h2", "-h2=false"}, [](const RunConfig& c) { EXPECT_FALSE(c.http2); }},
      {{"-h2=F", "-h2"}, [](const RunConfig& c) { EXPECT_TRUE(c.http2); }},
      {{"-h2c"}, [](const RunConfig& c) { EXPECT_TRUE(c.h2c && !c.http2); }},
      {{"--h2c=false"}, [](const RunConfig& c) { EXPECT_FALSE(c.h2c); }},
      {{"-disable-compression"}, [](const RunConfig& c) { EXPECT_TRUE(c.disable_compression); }},
      {{"-disable-keepalive"}, [](const RunConfig& c) { EXPECT_TRUE(c.disable_keepalive); }},
      {{"-disable-redirects"}, [](const RunConfig& c) { EXPECT_TRUE(c.disable_redirects); }},
      {{"-insecure"}, [](const RunConfig& c) { EXPECT_TRUE(c.insecure); }},
      {{"-tls-resume"}, [](const RunConfig& c) { EXPECT_TRUE(c.tls_resume); }},
      {{"-tls-handshake-timeout", "300ms"},
       [](const RunConfig& c) { EXPECT_EQ(c.tls_handshake_timeout, 300ms); }},
      {{"-tls-handshake-timeout", "0"},
       [](const RunConfig& c) { EXPECT_EQ(c.tls_handshake_timeout, 0s); }},
      {{"-no-progress"}, [](const RunConfig& c) { EXPECT_FALSE(c.progress); }},
      {{"-no-progress=false"}, [](const RunConfig& c) { EXPECT_TRUE(c.progress); }},
      {{"-o", "json"}, [](const RunConfig& c) { EXPECT_EQ(c.output, OutputFormat::json); }},
      {{"-o", "histogram"},
       [](const RunConfig& c) { EXPECT_EQ(c.output, OutputFormat::histogram); }},
      {{"-o", "text"}, [](const RunConfig& c) { EXPECT_EQ(c.output, OutputFormat::text); }},
      {{"-output", "report.json"},
       [](const RunConfig& c) { EXPECT_EQ(c.output_file, "report.json"); }},
      {{"-max-idle-conns-per-host", "9"},
       [](const RunConfig& c) { EXPECT_EQ(c.max_idle_conns_per_host, 9); }},
      {{"-max-idle-conns", "11"}, [](const RunConfig& c) { EXPECT_EQ(c.max_idle_conns, 11); }},
      {{"-max-conns", "12"}, [](const RunConfig& c) { EXPECT_EQ(c.max_conns, 12); }},
      {{"-max-conns-per-host", "0"},
       [](const RunConfig& c) { EXPECT_EQ(c.max_conns_per_host, 0); }},
      {{"-idle-conn-timeout", "5s"},
       [](const RunConfig& c) { EXPECT_EQ(c.idle_conn_timeout, 5s); }},
      {{"-idle-conn-timeout", "0"}, [](const RunConfig& c) { EXPECT_EQ(c.idle_conn_timeout, 0s); }},
      {{"-dial-timeout", "250ms"}, [](const RunConfig& c) { EXPECT_EQ(c.dial_timeout, 250ms); }},
      {{"-rate", "1000"}, [](const RunConfig& c) { EXPECT_EQ(c.rate, 1000); }},
      {{"-rate", "0.5"}, [](const RunConfig& c) { EXPECT_EQ(c.rate, 0.5); }},
      {{"-threads", "2"}, [](const RunConfig& c) { EXPECT_EQ(c.threads, 2); }},
      {{"-cpus", "4"}, [](const RunConfig& c) { EXPECT_EQ(c.threads, 1); }},
      {{"-cpus", "whatever"}, [](const RunConfig& c) { EXPECT_EQ(c.concurrency, 50); }},
      {{"-c", "5", "-c", "9"}, [](const RunConfig& c) { EXPECT_EQ(c.concurrency, 9); }},
      {{"-n", "5", "-c", "5", "--", kUrl}, [](const RunConfig& c) { EXPECT_EQ(c.concurrency, 5); }},
  };
  for (const auto& effect : effects) {
    std::vector<std::string> words = effect.flags;
    if (words.back() != kUrl) words.emplace_back(kUrl);
    SCOPED_TRACE(joined(words));
    effect.check(run(words));
  }
}

TEST(ParseCommandLine, AcceptsUrlsOfBothSchemesWithAndWithoutPorts) {
  for (const std::string url :
       {"http://example.com", "https://example.com/a?b=c", "http://[::1]:8080/",
        "HTTP://Example.com:1/x#frag", "https://user:pw@example.com:65535/"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(run({url}).url, url);
  }
}

// Refusal is words that must be refused, and a piece of text the message must contain: the
// flag or the word at fault.
struct Refusal {
  std::vector<std::string> words;
  std::string mentions;
};

TEST(ParseCommandLine, RefusesEveryBadInputWithOneLineNamingIt) {
  const std::string u = kUrl;
  const std::vector<Refusal> refusals{
      {{"-foo", u}, "unknown flag -foo"},
      {{"--foo=1", u}, "unknown flag --foo"},
      {{"-foo=1", u}, "unknown flag -foo"},
      {{"---c", "5", u}, "unknown flag ---c"},
      {{"-n5", u}, "unknown flag -n5"},
      {{"-disable-keepalives", u}, "unknown flag -disable-keepalives"},
      {{u, "-5"}, "unknown flag -5"},
      {{}, "missing URL"},
      {{"-c", "5"}, "missing URL"},
      {{u, "http://other/"}, "more than one URL"},
      {{"-c", "5", "--", "-c", u}, "more than one URL"},
      {{"example.com"}, "no scheme"},
      {{"localhost:8080"}, "no scheme"},
      {{"ftp://example.com/"}, "unsupported scheme \"ftp\""},
      {{"http://"}, "no host"},
      {{"http:///path"}, "no host"},
      {{"http://exa mple.com/"}, "malformed URL"},
      {{"http://example.com:99999/"}, "bad port \"99999\""},
      {{"http://example.com:0/"}, "bad port \"0\""},
      {{"http://example.com:/"}, "bad port \"\""},
      {{"-c", "0", u}, "-c must be at least 1 (got 0)"},
      {{"-c", "-3", u}, "-c must be at least 1 (got -3)"},
      {{"-c", "abc", u}, "-c wants a whole number such as 100, 10k or 1.5M (got \"abc\")"},
      {{"-c", "1.5", u}, "-c wants a whole number"},
      {{"-c", "99999999999", u}, "-c must be at most"},
      {{"-c", u}, "-c wants a whole number"},  // the URL was taken as -c's value
      {{u, "-c"}, "-c needs a value"},
      {{"-n", "0", u}, "-n must be at least 1 (got 0)"},
      {{"-n", "1.2345k", u}, "-n must come to a whole number (got 1.2345k)"},
      {{"-n", "10x", u}, "-n wants a whole number such as 100, 10k or 1.5M (got \"10x\")"},
      {{"-c", "3000m", u}, "-c must be at most 2147483647 (got 3000m)"},
      {{"-c", "2k", "-n", "1k", u}, "-n cannot be less than -c (1000 < 2000)"},
      {{"-n", "-1", u}, "-n must be at least 1"},
      {{"-n", "99999999999999999999", u}, "-n is out of range"},
      {{"-n", "10", "-c", "20", u}, "-n cannot be less than -c (10 < 20)"},
      {{"-c", "300", u}, "-n cannot be less than -c (200 < 300)"},
      {{"-z", "0", u}, "-z must be more than 0"},
      {{"-z", "5", u}, "-z needs a unit, such as 5s or 5ms (got \"5\")"},
      {{"-z", "1.5", u}, "-z needs a unit, such as 1.5s or 1.5ms (got \"1.5\")"},
      {{"-idle-conn-timeout", "30", u}, "-idle-conn-timeout needs a unit, such as 30s or 30ms"},
      {{"-dial-timeout", "5", u}, "-dial-timeout needs a unit, such as 5s or 5ms (got \"5\")"},
      {{"serve", "-delay", "5"}, "-delay needs a unit, such as 5s or 5ms (got \"5\")"},
      {{"-z", "-5s", u}, "-z must be more than 0"},
      {{"-z", "10x", u}, "-z wants a duration"},
      {{"-z", "", u}, "-z wants a duration"},
      {{"-t", "-1", u}, "-t must not be negative (got -1)"},
      {{"-t", "soon", u}, "-t wants seconds (20, 0.5) or a duration such as 1500ms"},
      {{"-q", "-1", u}, "-q must not be negative"},
      {{"-q", "fast", u}, "-q wants a number"},
      {{"-q", "nan", u}, "-q wants a number"},
      {{"-rate", "-10", u}, "-rate must be more than 0"},
      {{"-rate", "0", u}, "-rate must be more than 0"},
      {{"-rate", "inf", u}, "-rate wants a number"},
      {{"-rate", "10", "-q", "1", u}, "-q and -rate"},
      {{"-m", "GE T", u}, "-m wants an HTTP method"},
      {{"-m", "", u}, "-m wants an HTTP method"},
      {{"-H", "NoColon", u}, "-H wants \"Name: value\""},
      {{"-H", ": value", u}, "-H wants"},
      {{"-H", "Bad Name: v", u}, "-H wants"},
      {{"-H", "X-A: 1\r\nX-B: 2", u}, "-H wants"},
      {{"-T", "a\nb", u}, "-T must be one line"},
      {{"-A", "a\rb", u}, "-A must be one line"},
      {{"-U", "a\nb", u}, "-U must be one line"},
      {{"-a", "userpass", u}, "-a wants user:password"},
      {{"-x", "proxy.local", u}, "-x wants host:port"},
      {{"-x", "http://proxy.local:3128", u}, "-x wants host:port"},
      {{"-x", "proxy.local:0", u}, "-x wants host:port"},
      {{"-host", "", u}, "-host wants"},
      {{"-host", "a b", u}, "-host wants"},
      {{"-o", "xml", u}, "-o wants text, json, histogram, csv or html (got \"xml\")"},
      {{"-output", "", u}, "-output wants a file name"},
      {{"-d", "x", "-D", "body.txt", u}, "-d and -D"},
      {{"-max-conns-per-host", "-1", u}, "-max-conns-per-host must not be negative (got -1)"},
      {{"-max-idle-conns-per-host", "-1", u}, "-max-idle-conns-per-host must not be negative"},
      {{"-max-idle-conns", "x", u}, "-max-idle-conns wants a whole number"},
      {{"-max-conns", "-2", u}, "-max-conns must not be negative"},
      {{"-idle-conn-timeout", "-1s", u}, "-idle-conn-timeout must not be negative"},
      {{"-dial-timeout", "forever", u}, "-dial-timeout wants a duration"},
      {{"-threads", "0", u}, "-threads must be at least 1"},
      {{"-threads", "100000", "-c", "100000", "-n", "100000", u}, "-threads must be at most"},
      {{"-threads", "4", "-c", "2", u}, "-threads cannot be more than -c (4 > 2)"},
      {{"-h2=yes", u}, "-h2 is a switch"},
      {{"-h2c", "https://example.com/"},
       "-h2c speaks HTTP/2 over cleartext and wants an http:// URL"},
      {{"-h2c", "-x", "proxy.local:3128", u}, "-h2c cannot go through an HTTP proxy (-x)"},
      {{"-h2c", "-h2", u}, "-h2 and -h2c cannot both be given"},
      {{"demo", "-h2c"}, "-h2c: the demo's built-in server speaks HTTP/1.1 only"},
      {{"-insecure=", u}, "-insecure is a switch"},
      {{"-tls-resume=maybe", u}, "-tls-resume is a switch"},
      {{"-tls-handshake-timeout", "3", u}, "-tls-handshake-timeout needs a unit"},
      {{"-tls-handshake-timeout", "-1s", u}, "-tls-handshake-timeout must not be negative"},
      {{"-cert", "/etc/passwd", u}, "-cert and -key go together: -cert was given without -key"},
      {{"-key", "/etc/passwd", u}, "-cert and -key go together: -key was given without -cert"},
      {{"-cacert", "/nonexistent/ca.pem", u},
       "-cacert: cannot read \"/nonexistent/ca.pem\": No such file or directory"},
      {{"-cacert", "/", u}, "-cacert: cannot read \"/\": Is a directory"},
      {{"-cacert", "", u}, "-cacert wants a file name"},
      {{"-cert", "/nonexistent/c.pem", "-key", "/etc/passwd", u}, "-cert: cannot read"},
      {{"-cert", "/etc/passwd", "-key", "/nonexistent/k.pem", u}, "-key: cannot read"},
      {{"-c", "5", "demo"}, "demo must be the first word"},
      {{"demo", u}, "demo takes no URL"},
      {{"demo", "-c", "0"}, "-c must be at least 1"},
      {{"demo", "-port", "1"}, "unknown flag -port (see hload demo -h)"},
      {{"serve", "-c", "5"}, "unknown flag -c (see hload serve -h)"},
      {{"serve", "extra"}, "serve takes no arguments"},
      {{"serve", "-delay-after", "3s"}, "-delay-after wants AFTER=DELAY, such as 3s=50ms (got 3s)"},
      {{"serve", "-delay-after", "3s=5ms", "-delay-after", "1s=9ms"},
       "-delay-after must be given in order of time (got 1s=9ms after a later one)"},
      {{"serve", "-fail-between", "2s"}, "-fail-between wants FROM-UNTIL, such as 2s-3s (got 2s)"},
      {{"serve", "-fail-between", "3s-2s"}, "-fail-between must end after it starts (got 3s-2s)"},
      {{"-timeline-interval", "50ms", u},
       "-timeline-interval must be at least 100ms (got \"50ms\")"},
      {{"-timeline-interval", "0s", u}, "-timeline-interval must be more than 0"},
      {{"serve", "-port", "65536"}, "-port must be at most 65535"},
      {{"serve", "-status", "199"}, "-status must be 200-999"},
      {{"serve", "-status", "1000"}, "-status must be at most 999"},
      {{"serve", "-body-size", "-1"}, "-body-size must not be negative"},
      {{"serve", "-body-size", "99999999999"}, "-body-size must be at most"},
      {{"serve", "-delay", "-1s"}, "-delay must not be negative"},
      {{"serve", "-close-every", "x"}, "-close-every wants a whole number"},
      {{"serve", "-port", "8k"}, "-port wants a whole number (got \"8k\")"},
      {{"serve", "-threads", "0"}, "-threads must be at least 1"},
  };
  for (const auto& refusal : refusals) {
    SCOPED_TRACE(joined(refusal.words));
    std::string message;
    EXPECT_NO_THROW(message = usage_error(refusal.words));
    EXPECT_NE(message.find(refusal.mentions), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.find('\r'), std::string::npos) << message;
    EXPECT_FALSE(message.starts_with("hload:")) << "main adds the prefix: " << message;
  }
}

TEST(ParseCommandLine, UnknownFlagSaysWhereToLook) {
  EXPECT_EQ(usage_error({"-foo", kUrl}), "unknown flag -foo (see hload -h)");
  EXPECT_EQ(usage_error({}), "missing URL (usage: hload [flags] URL)");
  EXPECT_EQ(usage_error({"-c", "0", kUrl}), "-c must be at least 1 (got 0)");
}

TEST(ParseCommandLine, ReadsTheBodyFileWhole) {
  constexpr char kRaw[] = "{\"a\": [1, 2]}\n\0binary\xff";  // a NUL and a non-UTF-8 byte
  const std::string contents(kRaw, sizeof kRaw - 1);
  const TempFile file(contents);
  EXPECT_EQ(run({"-D", file.path(), kUrl}).body, contents);
  EXPECT_EQ(run({"-D=" + file.path(), "-m", "PUT", kUrl}).body, contents);
}

TEST(ParseCommandLine, TlsFilesAreTakenWhenReadable) {
  const TempFile pem("-----BEGIN CERTIFICATE-----\n");  // contents are the engine's to load
  const RunConfig c =
      run({"-cacert", pem.path(), "-cert", pem.path(), "-key", pem.path(), "-insecure", kUrl});
  EXPECT_EQ(c.cacert, pem.path());
  EXPECT_EQ(c.client_cert, pem.path());
  EXPECT_EQ(c.client_key, pem.path());
  EXPECT_TRUE(c.insecure);
  EXPECT_FALSE(c.tls_resume);
  EXPECT_EQ(c.tls_handshake_timeout, 10s) << "the default";
}

TEST(ParseCommandLine, UnreadableBodyFileIsNamedWithTheReason) {
  const std::string missing = "/nonexistent-dir/body.json";
  const std::string message = usage_error({"-D", missing, kUrl});
  EXPECT_NE(message.find("-D"), std::string::npos) << message;
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;

  const std::string directory = std::filesystem::temp_directory_path().string();
  const std::string dir_message = usage_error({"-D", directory, kUrl});
  EXPECT_NE(dir_message.find(directory), std::string::npos) << dir_message;
  EXPECT_NE(dir_message.find("Is a directory"), std::string::npos) << dir_message;
}

TEST(ParseCommandLine, HelpListsEveryFlagWithItsDefault) {
  for (const std::string flag : {"-h", "-help", "--help", "--h"}) {
    SCOPED_TRACE(flag);
    const ParseResult result = parse({"-c", "0", flag});  // help wins over values not yet read
    const auto* help = std::get_if<ShowHelp>(&result);
    ASSERT_NE(help, nullptr);
    for (const std::string name : {"-n N",
                                   "-c N",
                                   "-q QPS",
                                   "-z DURATION",
                                   "-t SECONDS",
                                   "-m METHOD",
                                   "-H ",
                                   "-d BODY",
                                   "-D FILE",
                                   "-T TYPE",
                                   "-A TYPE",
                                   "-U AGENT",
                                   "-a USER:PASS",
                                   "-x HOST:PORT",
                                   "-host HOST",
                                   "-disable-compression",
                                   "-disable-keepalive",
                                   "-disable-redirects",
                                   "-o FORMAT",
                                   "-output FILE",
                                   "-max-conns-per-host N",
                                   "-max-idle-conns-per-host N",
                                   "-max-idle-conns N",
                                   "-idle-conn-timeout DURATION",
                                   "-max-conns N",
                                   "-dial-timeout DURATION",
                                   "-insecure",
                                   "-cacert FILE",
                                   "-cert FILE",
                                   "-key FILE",
                                   "-tls-handshake-timeout DURATION",
                                   "-tls-resume",
                                   "-rate R",
                                   "-threads N",
                                   "-no-progress",
                                   "-cpus N",
                                   "-h, -help",
                                   "-version",
                                   "Usage: hload [flags] URL",
                                   "hload demo",
                                   "hload serve"}) {
      EXPECT_NE(help->text.find(name), std::string::npos) << name << " missing in\n" << help->text;
    }
    for (const std::string fallback :
         {"(default 50)", "(default 200, none with -z)", "(default 20s)", "(default 30s)",
          "(default 10s)", "(default 90s)", "(default GET)", "(default text/html)",
          "(default text)", "(default 1)", "(default 0)"}) {
      EXPECT_NE(help->text.find(fallback), std::string::npos) << fallback;
    }
    for (const std::string status :
         {"0 the run is done", "1 a gate failed", "2 bad usage",
          "3 the run finished but the report could not be written", "130 or 143"}) {
      EXPECT_NE(help->text.find(status), std::string::npos) << status;
    }
    EXPECT_EQ(help->text.back(), '\n');
  }
}

TEST(ParseCommandLine, SubcommandHelpShowsItsOwnFlagsAndDefaults) {
  const ParseResult demo = parse({"demo", "-h"});
  ASSERT_TRUE(std::holds_alternative<ShowHelp>(demo));
  const std::string& demo_text = std::get<ShowHelp>(demo).text;
  EXPECT_NE(demo_text.find("(default 200)"), std::string::npos) << demo_text;
  EXPECT_NE(demo_text.find("(default 20000)"), std::string::npos) << demo_text;
  EXPECT_NE(demo_text.find("(default 2)"), std::string::npos) << demo_text;

  const ParseResult serve = parse({"serve", "-help"});
  ASSERT_TRUE(std::holds_alternative<ShowHelp>(serve));
  const std::string& serve_text = std::get<ShowHelp>(serve).text;
  for (const std::string name :
       {"-port N", "(default 8080)", "-body-size BYTES", "(default 3)", "-status CODE",
        "(default 200)", "-delay DURATION", "(default 0s)", "-close-every N", "-threads N"}) {
    EXPECT_NE(serve_text.find(name), std::string::npos) << name << " missing in\n" << serve_text;
  }
}

TEST(ParseCommandLine, VersionPrintsNameAndVersion) {
  for (const std::string flag : {"-version", "--version"}) {
    const ParseResult result = parse({flag});
    ASSERT_TRUE(std::holds_alternative<ShowVersion>(result)) << flag;
    EXPECT_EQ(std::get<ShowVersion>(result).text, "hload " + std::string(kVersion) + "\n");
  }
  EXPECT_EQ(kVersion, "0.1.0");
}

// help_text returns the help words ask for, failing the test if they ask for none.
std::string help_text(const std::vector<std::string>& words) {
  const ParseResult result = parse(words);
  const auto* help = std::get_if<ShowHelp>(&result);
  if (!help) {
    ADD_FAILURE() << joined(words) << " shows no help";
    return {};
  }
  return help->text;
}

TEST(ParseCommandLine, HelpSubcommandShowsWhatDashHShows) {
  EXPECT_EQ(help_text({"help"}), help_text({"-h"}));
  EXPECT_EQ(help_text({"help", "demo"}), help_text({"demo", "-h"}));
  EXPECT_EQ(help_text({"help", "serve"}), help_text({"serve", "-h"}));
  EXPECT_TRUE(help_text({"help"}).starts_with("Usage: hload [flags] URL\n"));
  EXPECT_TRUE(help_text({"help", "demo"}).starts_with("Usage: hload demo [flags]\n"));
  EXPECT_TRUE(help_text({"help", "serve"}).starts_with("Usage: hload serve [flags]\n"));
  EXPECT_EQ(help_text({"help", "check"}), help_text({"check", "-h"}));
  EXPECT_TRUE(help_text({"help", "check"}).starts_with("Usage: hload check [flags] REPORT.json\n"));
  EXPECT_EQ(help_text({"help", "merge"}), help_text({"merge", "-h"}));
  EXPECT_TRUE(help_text({"help", "merge"})
                  .starts_with("Usage: hload merge [-output FILE] A.json B.json ...\n"));
  for (const std::string name :
       {"hload help [demo|check|report|merge|serve]", "hload check [flags] REPORT.json",
        "hload report [flags] REPORT.json", "hload merge [-output FILE] A.json B.json ...",
        "hload version"}) {
    EXPECT_NE(help_text({"help"}).find(name), std::string::npos) << name;
  }
}

TEST(ParseCommandLine, ShardTakesItsShareOfRequestsUsersAndRate) {
  const std::vector<std::string> whole = {"-c", "10", "-n", "100", "-rate", "50", kUrl};
  const std::vector<int> users = {4, 3, 3};
  const std::vector<std::uint64_t> requests = {34, 33, 33};
  const std::vector<double> rates = {17, 17, 16};
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> words = whole;
    words.insert(words.begin(), {"-shard", std::to_string(i) + "/3"});
    const RunConfig c = run(words);
    EXPECT_EQ(c.concurrency, users[static_cast<std::size_t>(i)]) << i;
    EXPECT_EQ(c.requests, requests[static_cast<std::size_t>(i)]) << i;
    EXPECT_DOUBLE_EQ(c.rate, rates[static_cast<std::size_t>(i)]) << i;
    ASSERT_TRUE(c.shard);
    EXPECT_EQ(c.shard->index, i);
    EXPECT_EQ(c.shard->count, 3);
  }
  // The default -n of 200 is shared too; a -z run has no count to share.
  EXPECT_EQ(run({"-shard", "1/4", "-c", "8", kUrl}).requests, 50u);
  const RunConfig timed = run({"-shard", "1/4", "-c", "8", "-z", "1s", kUrl});
  EXPECT_FALSE(timed.requests);
  EXPECT_EQ(timed.concurrency, 2);
  EXPECT_FALSE(run({kUrl}).shard);
}

TEST(ParseCommandLine, VersionSubcommandShowsWhatDashVersionShows) {
  const ParseResult result = parse({"version"});
  ASSERT_TRUE(std::holds_alternative<ShowVersion>(result));
  EXPECT_EQ(std::get<ShowVersion>(result).text, "hload " + std::string(kVersion) + "\n");
}

TEST(ParseCommandLine, HelpAndVersionSubcommandsRefuseStrayWords) {
  EXPECT_EQ(
      usage_error({"help", "bogus"}),
      "help takes demo, check, report, merge, serve or nothing (got \"bogus\"; usage: hload help "
      "[demo|check|report|merge|serve])");
  EXPECT_NE(usage_error({"help", "demo", "serve"})
                .find("help takes demo, check, report, merge, serve or nothing"),
            std::string::npos);
  EXPECT_EQ(usage_error({"version", "-c"}), "version takes no arguments (got \"-c\")");
  EXPECT_EQ(usage_error({"-c", "5", "help"}),
            "help must be the first word (usage: hload help [demo|check|report|merge|serve])");
  EXPECT_EQ(usage_error({"-c", "5", "merge"}),
            "merge must be the first word (usage: hload merge [-output FILE] A.json B.json ...)");
  EXPECT_EQ(usage_error({kUrl, "version"}),
            "version must be the first word (usage: hload version)");
  EXPECT_EQ(usage_error({"-c", "5", "serve"}),
            "serve must be the first word (usage: hload serve [flags])");
}

TEST(ParseCommandLine, DemoHasItsOwnDefaultsThatFlagsOverride) {
  const ParseResult plain = parse({"demo"});
  ASSERT_TRUE(std::holds_alternative<DemoCommand>(plain));
  const RunConfig& d = std::get<DemoCommand>(plain).config;
  EXPECT_TRUE(d.url.empty());
  EXPECT_EQ(d.concurrency, 200);
  EXPECT_EQ(d.max_conns_per_host, 2);
  EXPECT_EQ(d.requests, 20000U);

  const ParseResult tuned =
      parse({"demo", "-c", "10", "-max-conns-per-host=0", "-n", "50", "-o", "json"});
  ASSERT_TRUE(std::holds_alternative<DemoCommand>(tuned));
  const RunConfig& t = std::get<DemoCommand>(tuned).config;
  EXPECT_EQ(t.concurrency, 10);
  EXPECT_EQ(t.max_conns_per_host, 0);
  EXPECT_EQ(t.requests, 50U);
  EXPECT_EQ(t.output, OutputFormat::json);
}

TEST(ParseCommandLine, ServeReadsEveryFlag) {
  const ParseResult plain = parse({"serve"});
  ASSERT_TRUE(std::holds_alternative<ServeCommand>(plain));
  const ServeConfig& d = std::get<ServeCommand>(plain).config;
  EXPECT_EQ(d.port, 8080);
  EXPECT_STREQ(d.kBindAddress, "127.0.0.1");
  EXPECT_EQ(d.body_size, 3U);
  EXPECT_EQ(d.status, 200U);
  EXPECT_EQ(d.delay, 0ms);
  EXPECT_EQ(d.close_every, 0U);
  EXPECT_EQ(d.threads, 1);

  const ParseResult tuned = parse({"serve", "-port", "9000", "--body-size=1024", "-status", "503",
                                   "-delay", "1.5ms", "-close-every", "1k", "-threads", "2"});
  ASSERT_TRUE(std::holds_alternative<ServeCommand>(tuned));
  const ServeConfig& s = std::get<ServeCommand>(tuned).config;
  EXPECT_EQ(s.port, 9000);
  EXPECT_EQ(s.body_size, 1024U);
  EXPECT_EQ(s.status, 503U);
  EXPECT_EQ(s.delay, 2ms);  // rounded up: a delay asked for is never dropped
  EXPECT_EQ(s.close_every, 1000U);
  EXPECT_EQ(s.threads, 2);

  // Port 0 lets the system pick one (serve says which); the delay and failures change in time.
  const ParseResult timed =
      parse({"serve", "-port", "0", "-delay", "5ms", "-delay-after", "3s=50ms", "-delay-after",
             "4s=1ms", "-fail-between", "2s-2.5s"});
  ASSERT_TRUE(std::holds_alternative<ServeCommand>(timed));
  const ServeConfig& t = std::get<ServeCommand>(timed).config;
  EXPECT_EQ(t.port, 0);
  ASSERT_EQ(t.delay_changes.size(), 2U);
  EXPECT_EQ(t.delay_changes[0].first, 3000ms);
  EXPECT_EQ(t.delay_changes[0].second, 50ms);
  EXPECT_EQ(t.delay_changes[1].first, 4000ms);
  EXPECT_EQ(t.delay_changes[1].second, 1ms);
  EXPECT_EQ(t.fail_from, 2000ms);
  EXPECT_EQ(t.fail_until, 2500ms);
}

TEST(ParseCommandLine, HtmlReportAndTimelineInterval) {
  const ParseResult html = parse({"-o", "html", "-timeline-interval", "250ms", kUrl});
  ASSERT_TRUE(std::holds_alternative<RunCommand>(html));
  EXPECT_EQ(std::get<RunCommand>(html).config.output, engine::OutputFormat::html);
  EXPECT_EQ(std::get<RunCommand>(html).config.timeline_interval, 250ms);
  EXPECT_EQ(std::get<RunCommand>(parse({kUrl})).config.timeline_interval, 1s);
  // A page named .html gets the HTML report unless -o says otherwise.
  EXPECT_EQ(std::get<RunCommand>(parse({"-output", "out/report.html", kUrl})).config.output,
            engine::OutputFormat::html);
  EXPECT_EQ(std::get<RunCommand>(parse({"-o", "json", "-output", "r.html", kUrl})).config.output,
            engine::OutputFormat::json);
  EXPECT_EQ(std::get<RunCommand>(parse({"-output", "report.htm", kUrl})).config.output,
            engine::OutputFormat::text);

  const ParseResult report = parse({"report", "run.json", "-o", "html", "-output", "run.html"});
  ASSERT_TRUE(std::holds_alternative<ReportCommand>(report));
  EXPECT_EQ(std::get<ReportCommand>(report).report, "run.json");
  EXPECT_EQ(std::get<ReportCommand>(report).output, "run.html");
  EXPECT_EQ(std::get<ReportCommand>(parse({"report", "run.json"})).output, "");
  EXPECT_EQ(usage_error({"report"}),
            "report needs a JSON report (usage: hload report [flags] REPORT.json)");
  EXPECT_EQ(usage_error({"report", "a.json", "b.json"}),
            "report draws one report (got \"b.json\")");
  EXPECT_EQ(usage_error({"report", "-o", "text", "a.json"}),
            "report draws only -o html (got \"text\")");
  EXPECT_EQ(usage_error({"-c", "5", "report"}),
            "report must be the first word (usage: hload report [flags] REPORT.json)");
}

}  // namespace
}  // namespace hload::cli
