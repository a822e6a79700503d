#pragma once

// Running a program as a user would, for end-to-end tests: its standard output and error are
// captured (both pipes drained at once, so that a chatty program never blocks on a full pipe),
// its standard input is /dev/null, and every wait is bounded: a program still running at its
// time limit is killed with SIGKILL and the result says so.
//
//   ProcessResult r = run_process(path, {"-n", "10", url}, {.time_limit = 30s});
//   EXPECT_EQ(r.exit_code, 0) << r.describe();
//
//   Process server(path, {"serve", "-port", "8080"});
//   ... server.signal(SIGINT);
//   ProcessResult s = server.wait(5s);
//
// The program stays in the test's process group, so that a Ctrl-C typed at the test runner
// stops it along with the test.

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hload::test {

// ProcessResult is how a program ended and what it wrote.
struct ProcessResult {
  int exit_code = -1;      // its exit status; -1 when a signal ended it
  int term_signal = 0;     // the signal that ended it; 0 when it exited
  bool timed_out = false;  // it outlived its time limit and was killed (term_signal SIGKILL)
  std::string out;         // standard output
  std::string err;         // standard error

  // describe is a one-paragraph account for failure messages: how it ended, and its output.
  std::string describe() const;
};

// ProcessOptions are how to run a program.
struct ProcessOptions {
  // "NAME=value" entries set in the program's environment, on top of the test's own.
  std::vector<std::string> env;
  // run_process kills the program (SIGKILL) once it has run this long.
  std::chrono::milliseconds time_limit{std::chrono::seconds(60)};
};

// Process is a program started in the background. Its output is collected by a thread of its
// own while the test goes on. The destructor kills and reaps a program still running, so a
// failed assertion cannot leave one behind.
class Process {
 public:
  // Starts program (a path; PATH is not searched) with args. Throws std::system_error when it
  // cannot be started.
  Process(const std::string& program, const std::vector<std::string>& args,
          const std::vector<std::string>& env = {});
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const noexcept { return pid_; }

  // signal sends sig to the program; it does nothing once the program has been reaped, so it
  // can never reach an unrelated process that got the same id.
  void signal(int sig);

  // running says whether the program has not exited yet (reaping it if it has).
  bool running();

  // wait waits up to limit for the program to end; past it the program is killed (SIGKILL)
  // and the result says timed_out. The output is complete once the program has ended (unless
  // it left children holding its pipes, whose later output is dropped). Call it once.
  ProcessResult wait(std::chrono::milliseconds limit);

 private:
  // reap collects the program's status if it has ended; with block it waits for that.
  bool reap(bool block);
  // drain reads both pipes until they close or the program has been gone a while.
  void drain();

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::mutex mu_;  // guards out_, err_ and gone_
  std::string out_;
  std::string err_;
  bool gone_ = false;  // reaped: the drain stops soon even if a grandchild holds the pipes
  std::thread drainer_;
};

// run_process runs program with args to its end, or until options.time_limit.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const ProcessOptions& options = {});

}  // namespace hload::test
