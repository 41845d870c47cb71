#include "model/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vitperf {
namespace {

std::string MiB(std::uintmax_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Reads fd to its end, failing once more than max_bytes arrive (a stream has no size to check).
std::string ReadAll(int fd, const std::string& what, std::uintmax_t max_bytes) {
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::invalid_argument(what + ": cannot read (" + std::strerror(errno) + ")");
    }
    if (n == 0) return text;
    if (text.size() + static_cast<std::uintmax_t>(n) > max_bytes)
      throw std::invalid_argument(what + ": larger than the " + MiB(max_bytes) +
                                  " accepted for this input");
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string ReadInputFile(const std::string& path, const std::string& field,
                          std::uintmax_t max_bytes) {
  if (path == "-") return ReadAll(STDIN_FILENO, field + ": standard input", max_bytes);
  const std::string what = field + ": '" + path + "'";
  if (path.empty()) throw std::invalid_argument(field + ": empty file name");
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      throw std::invalid_argument(field + ": no such file '" + path + "'");
    if (errno == EISDIR) throw std::invalid_argument(what + " is a directory, not a file");
    throw std::invalid_argument(what + ": cannot open (" + std::strerror(errno) + ")");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw std::invalid_argument(what + ": cannot stat (" + std::strerror(errno) + ")");
  if (S_ISDIR(st.st_mode)) throw std::invalid_argument(what + " is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument(what +
                                " is not a regular file (a FIFO, device or socket); give a file, "
                                "or - for standard input");
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    throw std::invalid_argument(what + ": larger than the " + MiB(max_bytes) +
                                " accepted for this input");
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  // The cap holds even when the file grows while it is read.
  return ReadAll(fd, what, max_bytes);
}

}  // namespace vitperf
