#include "model/output_file.h"

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
