#include "measure/jsonl_appender.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

namespace vitperf::measure {
namespace {

// Longer than any record; a longer unterminated tail is torn whatever it holds.
constexpr off_t kMaxWholeTailBytes = off_t{16} << 20;

std::runtime_error IoError(const std::string& path, const char* what) {
  return std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

JsonlAppender::JsonlAppender(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(path, "cannot open for appending");
}

JsonlAppender::JsonlAppender(JsonlAppender&& other) noexcept { *this = std::move(other); }

JsonlAppender& JsonlAppender::operator=(JsonlAppender&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

JsonlAppender::~JsonlAppender() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlAppender::Append(const std::string& line) {
  if (line.find('\n') != std::string::npos)
    throw std::runtime_error(path_ + ": a JSONL record must be one line");
  const std::string data = line + "\n";
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal (SIGINT for a clean stop) must not lose a record
      throw IoError(path_, "write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0 && errno != EINVAL) throw IoError(path_, "fdatasync failed");
}

std::string RepairTornTail(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return "";
    throw IoError(path, "cannot open");
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError(path, "cannot stat");
  off_t size = st.st_size;
  if (size == 0) return "";
  // Scan back from the end in blocks for the last newline.
  char block[4096];
  off_t end = size;
  off_t keep = 0;  // bytes up to and including the last '\n'
  bool found = false;
  while (end > 0 && !found) {
    const off_t start = end > static_cast<off_t>(sizeof block) ? end - sizeof block : 0;
    const ssize_t n = ::pread(fd, block, static_cast<std::size_t>(end - start), start);
    if (n < 0) throw IoError(path, "cannot read");
    for (ssize_t i = n - 1; i >= 0; --i) {
      if (block[i] == '\n') {
        keep = start + i + 1;
        found = true;
        break;
      }
    }
    end = start;
  }
  if (keep == size) return "";
  // A whole record that only lacks its newline (written by hand, or by another tool) is kept.
  if (size - keep <= kMaxWholeTailBytes) {
    std::string tail(static_cast<std::size_t>(size - keep), '\0');
    const ssize_t n = ::pread(fd, tail.data(), tail.size(), keep);
    if (n < 0) throw IoError(path, "cannot read");
    tail.resize(static_cast<std::size_t>(n));
    const nlohmann::json j = nlohmann::json::parse(tail, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded() && j.is_object()) {
      if (::pwrite(fd, "\n", 1, size) != 1) throw IoError(path, "cannot complete the last line");
      return path + ": the last record lacked its trailing newline; added it";
    }
  }
  if (::ftruncate(fd, keep) != 0) throw IoError(path, "cannot truncate the torn last line");
  return path + ": removed a torn last line (" + std::to_string(size - keep) +
         " bytes without a trailing newline)";
}

}  // namespace vitperf::measure
