#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace hload::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kReapPoll = 5ms;
constexpr int kDrainPollMs = 50;
// describe shows no more of standard output than this: a JSON report runs to many kilobytes.
constexpr std::size_t kDescribeOutChars = 2000;

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

// name_of returns the NAME of a "NAME=value" entry.
std::string name_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// environment is the test's environment with `extra` set on top of it.
std::vector<std::string> environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const auto& x : extra) replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// c_strings is the NULL-terminated array exec wants; it points into strings.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Pipe is a pipe whose ends close on exec: the child keeps only the copies dup2 makes.
struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
    read = fds[0];
    write = fds[1];
  }
};

// SpawnSetup holds the file actions and attributes of one posix_spawn and destroys them.
class SpawnSetup {
 public:
  SpawnSetup(const Pipe& out, const Pipe& err) {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&actions_, out.write, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions_, err.write, STDERR_FILENO);
    // The test runner may block or ignore signals (a gtest death test, a shell's nohup); the
    // program must start with the mask and dispositions a user's shell would give it.
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
    ::posix_spawnattr_setsigmask(&attr_, &none);
    ::posix_spawnattr_setsigdefault(&attr_, &defaults);
    ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

}  // namespace

std::string ProcessResult::describe() const {
  std::string s;
  if (timed_out) {
    s = "killed at its time limit";
  } else if (term_signal != 0) {
    s = "ended by signal " + std::to_string(term_signal) + " (" + ::strsignal(term_signal) + ")";
  } else {
    s = "exited with status " + std::to_string(exit_code);
  }
  s += "\n--- standard output ---\n" + out.substr(0, kDescribeOutChars);
  if (out.size() > kDescribeOutChars) s += "[...]";
  s += "\n--- standard error ---\n" + err;
  return s;
}

Process::Process(const std::string& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& env) {
  Pipe out;
  Pipe err;
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = environment(env);
  const std::vector<char*> argv = c_strings(argv_strings);
  const std::vector<char*> envp = c_strings(env_strings);
  int spawn_error = 0;
  {
    const SpawnSetup setup(out, err);
    spawn_error = ::posix_spawn(&pid_, program.c_str(), setup.actions(), setup.attr(), argv.data(),
                                envp.data());
  }
  ::close(out.write);
  ::close(err.write);
  out_fd_ = out.read;
  err_fd_ = err.read;
  if (spawn_error != 0) {
    ::close(out_fd_);
    ::close(err_fd_);
    throw_errno(spawn_error, "posix_spawn " + program);
  }
  drainer_ = std::thread([this] { drain(); });
}

Process::~Process() {
  if (!reap(false)) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  {
    std::lock_guard lock(mu_);
    gone_ = true;
  }
  if (drainer_.joinable()) drainer_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void Process::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

bool Process::running() { return !reap(false); }

ProcessResult Process::wait(std::chrono::milliseconds limit) {
  ProcessResult r;
  const auto deadline = Clock::now() + limit;
  while (!reap(false)) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(true);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(kReapPoll);
  }
  {
    std::lock_guard lock(mu_);
    gone_ = true;
  }
  drainer_.join();
  if (WIFEXITED(status_)) r.exit_code = WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) r.term_signal = WTERMSIG(status_);
  std::lock_guard lock(mu_);
  r.out = std::move(out_);
  r.err = std::move(err_);
  return r;
}

bool Process::reap(bool block) {
  if (reaped_) return true;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status_, block ? 0 : WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r == pid_) reaped_ = true;
    return reaped_;
  }
}

void Process::drain() {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  std::string* sinks[2] = {&out_, &err_};
  int open = 2;
  char buf[16384];
  while (open > 0) {
    const int ready = ::poll(fds, 2, kDrainPollMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    if (ready == 0) {
      // Nothing pending: once the program has been reaped, all it wrote has been read; only a
      // child it left behind could still hold the pipes open, and that is not waited for.
      std::lock_guard lock(mu_);
      if (gone_) return;
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // poll skips negative descriptors
        --open;
        continue;
      }
      std::lock_guard lock(mu_);
      sinks[i]->append(buf, static_cast<std::size_t>(n));
    }
  }
}

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const ProcessOptions& options) {
  Process p(program, args, options.env);
  return p.wait(options.time_limit);
}

}  // namespace hload::test
