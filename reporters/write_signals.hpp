#pragma once

// Signals while a report is written. A stop signal must not end the program between creating a
// temporary file and renaming or removing it, and the signals a failed write raises (SIGPIPE
// for a FIFO whose reader left, SIGXFSZ past the file size limit) must come back as errors that
// are reported, not end the program without a word.

#include <signal.h>

#include <array>

namespace hload::reporters {

// StopSignalDeferral holds back SIGINT, SIGTERM and SIGHUP for as long as it lives: one that
// arrives is recorded, and the destructor restores the dispositions there were and raises it
// again, so the program stops as it would have, only after the work in between is done. One
// at a time: the record is process wide.
class StopSignalDeferral {
 public:
  StopSignalDeferral();
  StopSignalDeferral(const StopSignalDeferral&) = delete;
  StopSignalDeferral& operator=(const StopSignalDeferral&) = delete;
  ~StopSignalDeferral();

 private:
  std::array<struct sigaction, 3> previous_{};
};

// WriteSignalBlock blocks SIGPIPE and SIGXFSZ in the calling thread for as long as it lives, so
// that a write that would raise one fails with EPIPE or EFBIG instead; the destructor discards
// such a signal raised meanwhile and restores the thread's signal mask. Both signals go to the
// thread that wrote, so blocking them there is enough.
class WriteSignalBlock {
 public:
  WriteSignalBlock();
  WriteSignalBlock(const WriteSignalBlock&) = delete;
  WriteSignalBlock& operator=(const WriteSignalBlock&) = delete;
  ~WriteSignalBlock();

 private:
  sigset_t blocked_{};
  sigset_t previous_mask_{};
  sigset_t pending_before_{};
};

}  // namespace hload::reporters
