#include "model/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace vitperf {
namespace {

std::string Errno() { return errno ? std::string(" (") + std::strerror(errno) + ")" : ""; }

}  // namespace

OutputFile::OutputFile(const std::string& path, const std::string& field)
    : path_(path), field_(field) {
  // Opening a FIFO that nobody reads would wait forever; with a reader (a shell's >(cmd)) it is a
  // fine output.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO)
      throw std::invalid_argument(field + ": '" + path + "' is a FIFO that no process reads");
    if (fd >= 0) ::close(fd);
  }
  errno = 0;
  open(path);
  if (!is_open() || fail())
    throw std::runtime_error(field + ": cannot write '" + path + "'" + Errno());
}

void OutputFile::Close() {
  errno = 0;
  flush();
  const bool written = !fail();
  close();
  if (!written || fail())
    throw std::runtime_error(field_ + ": writing '" + path_ + "' failed" + Errno());
}

void WriteOutputFile(const std::string& path, const std::string& content,
                     const std::string& field) {
  OutputFile out(path, field);
  out << content;
  out.Close();
}

std::string FinishStandardOutput() {
  errno = 0;
  std::cout.flush();
  const bool stream_ok = !std::cout.fail();
  const bool flushed = std::fflush(stdout) == 0 && !std::ferror(stdout);
  if (stream_ok && flushed) return "";
  return std::string("cannot write to standard output") + Errno();
}

}  // namespace vitperf
