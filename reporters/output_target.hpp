#pragma once

// Where a report goes, decided once before the run: the standard output; a stream (a character
// device such as /dev/null or a terminal, a FIFO, or whatever an open descriptor such as
// /dev/stdout is open on), written straight through; or a regular file, new or not, replaced
// atomically. The check before the run and the writer after it share this one decision, so
// that what was checked is what gets written, and nothing is replaced by what it was not: a
// link stays a link (the file it names gets the report), a device stays a device.

#include <sys/types.h>

#include <optional>
#include <string>

namespace hload::reporters {

// OutputTarget is the decision, and for a stream the descriptor opened for it.
class OutputTarget {
 public:
  enum class Kind {
    console,  // the standard output: no -output, or "-output -"
    stream,   // written through stream_fd(), no temporary file, no rename
    file,     // a regular file, new or not, replaced atomically at file()
  };

  // OutputTarget decides where the report for path goes ("" and "-" mean the standard output)
  // and makes sure it can take one, so that a report that cannot be kept is refused before the
  // run. The last component of path is followed through its links, relative ones from the
  // directory of the link; a link into procfs (/dev/stdout, /dev/fd/1) names an open
  // descriptor, and what that is open on is written straight through. For a file, a probe file
  // is created in its directory and removed again, which is the only way to learn that procfs,
  // a read-only mount, a missing permission or a full disk refuses one. A stream is opened now,
  // without waiting, and kept open until the report is written: a FIFO must have a reader, and
  // that reader sees no end of file before the report. Never throws: what stands in the way is
  // in problem().
  explicit OutputTarget(std::string path = "");
  OutputTarget(OutputTarget&& other) noexcept;
  OutputTarget& operator=(OutputTarget&& other) noexcept;
  OutputTarget(const OutputTarget&) = delete;
  OutputTarget& operator=(const OutputTarget&) = delete;
  ~OutputTarget();

  Kind kind() const noexcept { return kind_; }
  // path is the path as given, for messages.
  const std::string& path() const noexcept { return path_; }
  // file is, for a file, where the report is renamed to: path with its links resolved.
  const std::string& file() const noexcept { return file_; }
  // stream_fd is, for a stream, its descriptor: write only, blocking; -1 once closed or for
  // another kind.
  int stream_fd() const noexcept { return fd_; }
  // problem says in one line, without naming path, why no report can be written there ("it is
  // a directory"); nullopt when one can.
  const std::optional<std::string>& problem() const noexcept { return problem_; }

  // close_stream closes the stream's descriptor, which tells a FIFO's reader that the report
  // is complete. False when close failed; errno says why.
  bool close_stream();

 private:
  // resolve follows the links of path to what the report goes to and sets kind_ and file_, or
  // problem_.
  void resolve();
  // open_stream opens the stream at file_ (a FIFO, a character device, or for a descriptor
  // link also a regular file, then appended to) and checks it is what resolve saw.
  void open_stream(bool append, mode_t expected_type);
  // probe_directory creates and removes a file in file_'s directory.
  void probe_directory();

  std::string path_;
  Kind kind_ = Kind::console;
  std::string file_;
  int fd_ = -1;
  std::optional<std::string> problem_;
};

}  // namespace hload::reporters
